//! COS endpoints, and whether a request to another host is COS's. Pure.
//!
//! - `{bucket}.cos.{region}.myqcloud.com` (or `.tencentcos.cn`): a bucket, virtual-hosted.
//! - `service.cos.myqcloud.com` (or `.tencentcos.cn`): the service, every region;
//!   `cos.{region}.myqcloud.com`: the service, one region (GET Service).
//! - any other Host (an IP address, `localhost`): COS's when the request carries a COS
//!   signature (`Authorization: q-sign-algorithm=…`), as cos-python-sdk-v5 sends GET Service
//!   to a `ServiceDomain` of `127.0.0.1:PORT`.

use crate::emulator::route::{HostTarget, strip_port};

/// Where a COS Host sends a request, if it is a COS endpoint.
pub(super) fn parse(host: &str) -> Option<HostTarget> {
    let host = strip_port(host).to_ascii_lowercase();
    for suffix in [".myqcloud.com", ".tencentcos.cn"] {
        let Some(front) = host.strip_suffix(suffix) else {
            continue;
        };
        if front == "service.cos" {
            return Some(HostTarget::PathStyle { region: None });
        }
        if let Some(region) = front.strip_prefix("cos.")
            && !region.is_empty()
            && !region.contains('.')
        {
            return Some(HostTarget::PathStyle {
                region: Some(region.to_string()),
            });
        }
        if let Some((bucket, region)) = front.split_once(".cos.")
            && !bucket.is_empty()
            && !region.is_empty()
        {
            return Some(HostTarget::VirtualHosted {
                bucket: bucket.to_string(),
                region: region.to_string(),
            });
        }
    }
    None
}

/// True when an `Authorization` value is a COS signature.
pub(super) fn is_cos_signed(authorization: Option<&str>) -> bool {
    authorization.is_some_and(|v| v.trim_start().starts_with("q-sign-algorithm="))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_hosts_are_the_service_with_or_without_a_region() {
        for host in ["service.cos.myqcloud.com", "service.cos.tencentcos.cn:80"] {
            assert_eq!(parse(host), Some(HostTarget::PathStyle { region: None }));
        }
        assert_eq!(
            parse("cos.ap-beijing.myqcloud.com"),
            Some(HostTarget::PathStyle {
                region: Some("ap-beijing".into())
            })
        );
        assert_eq!(
            parse("b-1250000000.cos.ap-beijing.myqcloud.com"),
            Some(HostTarget::VirtualHosted {
                bucket: "b-1250000000".into(),
                region: "ap-beijing".into()
            })
        );
        assert_eq!(parse("127.0.0.1:9000"), None);
    }

    #[test]
    fn a_cos_signature_is_recognised_by_its_first_field() {
        assert!(is_cos_signed(Some("q-sign-algorithm=sha1&q-ak=AKID")));
        assert!(!is_cos_signed(Some("OSS ak:sig")));
        assert!(!is_cos_signed(None));
    }
}
