//! OSS endpoints: `{bucket}.oss-{region}.aliyuncs.com` (or `-internal`) virtual-hosted;
//! `oss-{region}.aliyuncs.com` (and `oss.aliyuncs.com`) path style, the service at `/`; path
//! style on any host that names no provider, unless another dialect claims the request. Pure.

use crate::emulator::route::{HostTarget, strip_port};

/// Where an OSS Host sends a request, if it is an OSS endpoint.
pub(super) fn parse(host: &str) -> Option<HostTarget> {
    let host = strip_port(host).to_ascii_lowercase();
    let front = host.strip_suffix(".aliyuncs.com")?;
    if front == "oss" {
        return Some(HostTarget::PathStyle { region: None });
    }
    if let Some(region) = front.strip_prefix("oss-")
        && !region.is_empty()
        && !region.contains('.')
    {
        let region = region.strip_suffix("-internal").unwrap_or(region);
        return Some(HostTarget::PathStyle {
            region: Some(region.to_string()),
        });
    }
    let (bucket, region) = front.split_once(".oss-")?;
    if bucket.is_empty() || region.is_empty() {
        return None;
    }
    let region = region.strip_suffix("-internal").unwrap_or(region);
    Some(HostTarget::VirtualHosted {
        bucket: bucket.to_string(),
        region: region.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regional_endpoints_are_path_style_and_bucket_hosts_virtual_hosted() {
        assert_eq!(
            parse("oss-cn-hangzhou.aliyuncs.com"),
            Some(HostTarget::PathStyle {
                region: Some("cn-hangzhou".into())
            })
        );
        assert_eq!(
            parse("oss-cn-hangzhou-internal.aliyuncs.com:80"),
            Some(HostTarget::PathStyle {
                region: Some("cn-hangzhou".into())
            })
        );
        assert_eq!(
            parse("b.oss-cn-hangzhou.aliyuncs.com"),
            Some(HostTarget::VirtualHosted {
                bucket: "b".into(),
                region: "cn-hangzhou".into()
            })
        );
        assert_eq!(parse("ecs.aliyuncs.com"), None);
    }
}
