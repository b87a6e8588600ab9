//! Where OSS requests go: a virtual-hosted or path-style URL.
//!
//! Design §1: by default `https://{bucket}.oss-{region}.aliyuncs.com/`. An endpoint override
//! changes only where requests go: path style `{scheme}://{host}:{port}/{bucket}/` when its
//! host is an IP address or `localhost` (as the official SDKs do), virtual-hosted
//! `{scheme}://{bucket}.{host}:{port}/` otherwise. The bucket in the signature is the bucket
//! name either way.

use url::Url;

pub use crate::provider::addressing::Style;
use crate::provider::addressing::{is_ip_or_localhost, is_region_id, place_bucket, service_root};

use crate::provider::endpoint_policy::redacted;

/// OSS's own domains, allowed in `spec.endpoint` without the operator's consent, over HTTPS
/// only (`reference/oss-api.md` §1: every `aliyuncs.com` form, internal, dual-stack and
/// accelerate included).
pub(crate) const DEFAULT_ALLOWED: &[&str] = &["https://*.aliyuncs.com"];

/// Why a bucket URL cannot be formed. (An endpoint override's own form is checked by
/// [`crate::provider::endpoint_policy::validate_endpoint`] before it gets here.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BucketUrlError {
    /// The bucket name breaks the OSS naming rules; carries the name.
    #[error("bucket name `{0}` is not 3-63 lowercase letters, digits and hyphens")]
    InvalidBucket(String),
    /// The region is not a region id (or carries the `oss-` prefix); carries the region.
    #[error("region `{0}` is not a region id such as cn-hangzhou (lowercase, no `oss-` prefix)")]
    InvalidRegion(String),
    /// The endpoint override cannot take the bucket or the service path.
    #[error("endpoint `{endpoint}` {reason}")]
    InvalidEndpoint {
        /// The endpoint as `scheme://host[:port]`, safe to print.
        endpoint: String,
        /// What is wrong with it, worded to follow the endpoint.
        reason: &'static str,
    },
}

/// The URL of bucket-level requests, ending in `/` and without a query.
///
/// # Errors
/// When the bucket or region would not form a valid host name.
pub(crate) fn bucket_url(
    bucket: &str,
    region: &str,
    endpoint: Option<&Url>,
) -> Result<(Url, Style), BucketUrlError> {
    check_bucket(bucket)?;
    let invalid = |reason| BucketUrlError::InvalidEndpoint {
        endpoint: endpoint.map(redacted).unwrap_or_default(),
        reason,
    };
    let Some(endpoint) = endpoint else {
        check_region(region)?;
        let url = Url::parse(&format!("https://{bucket}.oss-{region}.aliyuncs.com/"))
            .map_err(|_| BucketUrlError::InvalidRegion(region.to_string()))?;
        return Ok((url, Style::VirtualHosted));
    };
    let style = if is_ip_or_localhost(endpoint) {
        Style::Path
    } else {
        Style::VirtualHosted
    };
    let url = place_bucket(endpoint, bucket, style, &format!("/{bucket}/")).map_err(invalid)?;
    Ok((url, style))
}

/// The URL of `ListBuckets` (the account's bucket listing), without a query: the root of the
/// endpoint override, else `https://oss-{region}.aliyuncs.com/`, whose region V4 signs (OSS
/// lists the account's buckets of every region on any region's endpoint; "ListBuckets
/// (GetService)", https://www.alibabacloud.com/help/en/oss/developer-reference/listbuckets).
///
/// # Errors
/// When the region or the endpoint would not form a valid URL.
pub(crate) fn service_url(region: &str, endpoint: Option<&Url>) -> Result<Url, BucketUrlError> {
    match endpoint {
        Some(endpoint) => {
            service_root(endpoint).map_err(|reason| BucketUrlError::InvalidEndpoint {
                endpoint: redacted(endpoint),
                reason,
            })
        }
        None => {
            check_region(region)?;
            Url::parse(&format!("https://oss-{region}.aliyuncs.com/"))
                .map_err(|_| BucketUrlError::InvalidRegion(region.to_string()))
        }
    }
}

/// Bucket names become host labels: only `[a-z0-9-]`, 3–63 characters, no leading or trailing
/// hyphen (the OSS naming rules), so nothing in a name can redirect a signed request.
fn check_bucket(bucket: &str) -> Result<(), BucketUrlError> {
    super::manifest::check_oss_bucket_name(bucket)
        .map_err(|_| BucketUrlError::InvalidBucket(bucket.to_string()))
}

fn check_region(region: &str) -> Result<(), BucketUrlError> {
    let ok = is_region_id(region) && !region.starts_with("oss-");
    ok.then_some(())
        .ok_or_else(|| BucketUrlError::InvalidRegion(region.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        crate::model::Endpoint::parse(s).unwrap().url().clone()
    }

    #[test]
    fn default_endpoint_is_virtual_hosted_https() {
        let (u, style) = bucket_url("examplebucket", "cn-hangzhou", None).unwrap();
        assert_eq!(
            u.as_str(),
            "https://examplebucket.oss-cn-hangzhou.aliyuncs.com/"
        );
        assert_eq!(style, Style::VirtualHosted);
    }

    #[test]
    fn ip_and_localhost_endpoints_use_path_style_ending_in_a_slash() {
        let e = url("http://[::1]:9000");
        let (u, style) = bucket_url("examplebucket", "cn-hangzhou", Some(&e)).unwrap();
        assert_eq!(u.as_str(), "http://[::1]:9000/examplebucket/");
        assert_eq!(style, Style::Path);
    }

    #[test]
    fn domain_endpoints_use_virtual_hosted_style() {
        let e = url("https://oss.internal.example:8443");
        let (u, style) = bucket_url("examplebucket", "cn-hangzhou", Some(&e)).unwrap();
        assert_eq!(
            u.as_str(),
            "https://examplebucket.oss.internal.example:8443/"
        );
        assert_eq!(style, Style::VirtualHosted);
        assert!(!is_ip_or_localhost(&e));
    }

    #[test]
    fn bucket_names_that_could_redirect_a_request_are_rejected() {
        for bad in [
            "ab",
            "Upper",
            "a.b.c",
            "evil.com/x",
            "-lead",
            "trail-",
            "a_b",
        ] {
            assert!(
                matches!(
                    bucket_url(bad, "cn-hangzhou", None),
                    Err(BucketUrlError::InvalidBucket(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn regions_with_the_oss_prefix_are_rejected_with_a_hint() {
        let err = bucket_url("examplebucket", "oss-cn-hangzhou", None).unwrap_err();
        assert!(err.to_string().contains("no `oss-` prefix"), "{err}");
        assert!(bucket_url("examplebucket", "", None).is_err());
    }
}
