//! Where COS requests go and what Host they name.
//!
//! COS is virtual-hosted only (`reference/cos-api.md` §1): every request names
//! `Host: {bucket}.cos.{region}.myqcloud.com`. An endpoint override changes only where the
//! connection goes (the emulator, a private cloud, a proxy), never the Host header, as the
//! official SDKs do with an IP endpoint.

use url::Url;

use crate::provider::endpoint_policy::EndpointError;

/// COS's own domains, allowed in `spec.endpoint` without the operator's consent, over HTTPS
/// only (`reference/cos-api.md` §1: `myqcloud.com` and the newer `tencentcos.cn`).
pub(crate) const DEFAULT_ALLOWED: &[&str] = &["https://*.myqcloud.com", "https://*.tencentcos.cn"];

/// The virtual host of a bucket: `{bucket}.cos.{region}.myqcloud.com`.
pub fn virtual_host(bucket: &str, region: &str) -> String {
    format!("{bucket}.cos.{region}.myqcloud.com")
}

/// The host of `GET Service` (the account's bucket listing): `service.cos.myqcloud.com`
/// lists every region's buckets, `cos.{region}.myqcloud.com` only that region's (COS API
/// "GET Service", https://cloud.tencent.com/document/product/436/8291). `region` is empty for
/// every region.
pub fn service_host(region: &str) -> String {
    if region.is_empty() {
        "service.cos.myqcloud.com".to_string()
    } else {
        format!("cos.{region}.myqcloud.com")
    }
}

/// The public HTTPS endpoint of a bucket.
///
/// # Errors
/// When the bucket or region make an invalid host name.
pub(crate) fn default_endpoint(bucket: &str, region: &str) -> Result<Url, EndpointError> {
    let text = format!("https://{}/", virtual_host(bucket, region));
    Url::parse(&text).map_err(|_| EndpointError::NotAUrl)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn the_service_host_is_global_or_regional() {
        assert_eq!(service_host(""), "service.cos.myqcloud.com");
        assert_eq!(service_host("ap-beijing"), "cos.ap-beijing.myqcloud.com");
    }

    #[test]
    fn default_endpoint_is_the_https_virtual_host() {
        let url = default_endpoint("examplebucket-1250000000", "ap-guangzhou").unwrap();
        assert_eq!(
            url.as_str(),
            "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/"
        );
    }
}
