//! Where S3 requests go: a virtual-hosted or path-style bucket URL.
//!
//! By default `https://{bucket}.s3.{region}.amazonaws.com/` (`.amazonaws.com.cn` in the China
//! regions). Path style, `{endpoint}/{bucket}`, is used when the endpoint's host is an IP
//! address or `localhost`, when `forcePathStyle` is set (S3-compatible servers without
//! wildcard DNS), and for bucket names with dots, which a wildcard TLS certificate does not
//! cover (as the AWS SDKs do). An endpoint override (`INVSYNC_S3_ENDPOINT`, `spec.endpoint`)
//! changes only where requests go: a domain endpoint stays virtual-hosted.

use url::Url;

pub use crate::provider::addressing::Style;
use crate::provider::addressing::{is_ip_or_localhost, is_region_id, place_bucket, service_root};

use crate::provider::endpoint_policy::redacted;

/// The endpoints a manifest's `spec.endpoint` may name without `--allow-endpoint`: the AWS
/// domains over HTTPS.
pub(crate) const DEFAULT_ALLOWED_ENDPOINTS: &[&str] =
    &["https://*.amazonaws.com", "https://*.amazonaws.com.cn"];

/// Why a bucket URL cannot be formed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BucketUrlError {
    /// The bucket name (held as given) breaks the S3 naming rules.
    #[error(
        "bucket name `{0}` is not 3-63 lowercase letters, digits, dots and hyphens starting and ending with a letter or digit"
    )]
    InvalidBucket(String),
    /// The region (held as given) is not a region id.
    #[error("region `{0}` is not a region id such as us-east-1")]
    InvalidRegion(String),
    /// The endpoint cannot address the bucket.
    #[error("endpoint `{endpoint}` {reason}")]
    InvalidEndpoint {
        /// `scheme://host[:port]` of the endpoint only, never its user info, path or query.
        endpoint: String,
        /// What is wrong with it, completing the sentence "endpoint … ".
        reason: &'static str,
    },
}

/// Where one bucket's requests go.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Addressing<'a> {
    /// The endpoint override, already checked by
    /// [`crate::provider::endpoint_policy::validate_endpoint`].
    pub endpoint: Option<&'a Url>,
    /// Always use path style.
    pub force_path_style: bool,
}

/// The public S3 endpoint of `region`, without the bucket.
pub(crate) fn regional_endpoint(region: &str) -> Result<Url, BucketUrlError> {
    check_region(region)?;
    let domain = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    Url::parse(&format!("https://s3.{region}.{domain}/"))
        .map_err(|_| BucketUrlError::InvalidRegion(region.to_string()))
}

/// The URL of `ListBuckets`, without a query: the root of the endpoint override, else the
/// regional endpoint `https://s3.{region}.amazonaws.com/`. AWS answers a `bucket-region`
/// filter only on that region's endpoint, so the listing is sent to the filter's region (the
/// client picks `us-east-1` without one; every region's buckets are listed there).
///
/// # Errors
/// When the region or the endpoint would not form a valid URL.
pub(crate) fn service_url(region: &str, addressing: Addressing<'_>) -> Result<Url, BucketUrlError> {
    match addressing.endpoint {
        Some(endpoint) => {
            service_root(endpoint).map_err(|reason| BucketUrlError::InvalidEndpoint {
                endpoint: redacted(endpoint),
                reason,
            })
        }
        None => regional_endpoint(region),
    }
}

/// The URL of bucket-level requests, without a query: `…/` when virtual-hosted, `…/{bucket}`
/// in path style.
///
/// # Errors
/// When the bucket or region would not form a valid URL.
pub(crate) fn bucket_url(
    bucket: &str,
    region: &str,
    addressing: Addressing<'_>,
) -> Result<(Url, Style), BucketUrlError> {
    check_bucket(bucket)?;
    let base = match addressing.endpoint {
        Some(endpoint) => endpoint.clone(),
        None => regional_endpoint(region)?,
    };
    let invalid = |reason| BucketUrlError::InvalidEndpoint {
        endpoint: redacted(&base),
        reason,
    };
    let style = if addressing.force_path_style || is_ip_or_localhost(&base) || bucket.contains('.')
    {
        Style::Path
    } else {
        Style::VirtualHosted
    };
    let url = place_bucket(&base, bucket, style, &format!("/{bucket}")).map_err(invalid)?;
    Ok((url, style))
}

/// The characters of an S3 bucket name, checked again here because the name becomes part of
/// a host or path: nothing in it may redirect a signed request.
fn check_bucket(bucket: &str) -> Result<(), BucketUrlError> {
    let edge_ok = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let ok = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && edge_ok(bucket.bytes().next())
        && edge_ok(bucket.bytes().last())
        && !bucket.contains("..");
    if ok {
        Ok(())
    } else {
        Err(BucketUrlError::InvalidBucket(bucket.to_string()))
    }
}

/// Lowercase letters, digits and hyphens, e.g. `us-east-1`, `cn-north-1`.
pub(crate) fn check_region(region: &str) -> Result<(), BucketUrlError> {
    let ok = is_region_id(region) && !region.starts_with('-') && !region.ends_with('-');
    ok.then_some(())
        .ok_or_else(|| BucketUrlError::InvalidRegion(region.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::endpoint_policy::EndpointPattern;

    fn url(s: &str) -> Url {
        crate::model::Endpoint::parse(s).unwrap().url().clone()
    }

    fn at(endpoint: Option<&Url>, force_path_style: bool) -> Addressing<'_> {
        Addressing {
            endpoint,
            force_path_style,
        }
    }

    #[test]
    fn the_default_is_virtual_hosted_https_on_the_regional_endpoint() {
        let (u, style) = bucket_url("examplebucket", "us-east-1", at(None, false)).unwrap();
        assert_eq!(
            u.as_str(),
            "https://examplebucket.s3.us-east-1.amazonaws.com/"
        );
        assert_eq!(style, Style::VirtualHosted);
        let (cn, _) = bucket_url("examplebucket", "cn-north-1", at(None, false)).unwrap();
        assert_eq!(
            cn.as_str(),
            "https://examplebucket.s3.cn-north-1.amazonaws.com.cn/"
        );
    }

    #[test]
    fn force_path_style_and_dotted_names_put_the_bucket_in_the_path() {
        let (u, style) = bucket_url("examplebucket", "eu-west-1", at(None, true)).unwrap();
        assert_eq!(
            u.as_str(),
            "https://s3.eu-west-1.amazonaws.com/examplebucket"
        );
        assert_eq!(style, Style::Path);
        let (dotted, style) = bucket_url("logs.example.com", "eu-west-1", at(None, false)).unwrap();
        assert_eq!(
            dotted.as_str(),
            "https://s3.eu-west-1.amazonaws.com/logs.example.com"
        );
        assert_eq!(style, Style::Path);
    }

    #[test]
    fn ip_and_localhost_endpoints_use_path_style_without_a_trailing_slash() {
        for endpoint in ["http://127.0.0.1:9000", "http://localhost:9000"] {
            let e = url(endpoint);
            let (u, style) = bucket_url("examplebucket", "us-east-1", at(Some(&e), false)).unwrap();
            assert_eq!(u.as_str(), format!("{endpoint}/examplebucket"));
            assert_eq!(style, Style::Path);
        }
    }

    #[test]
    fn a_domain_override_stays_virtual_hosted_unless_path_style_is_forced() {
        let e = url("https://s3.internal.example:8443");
        let (u, style) = bucket_url("examplebucket", "us-east-1", at(Some(&e), false)).unwrap();
        assert_eq!(
            u.as_str(),
            "https://examplebucket.s3.internal.example:8443/"
        );
        assert_eq!(style, Style::VirtualHosted);
        let (u, style) = bucket_url("examplebucket", "us-east-1", at(Some(&e), true)).unwrap();
        assert_eq!(u.as_str(), "https://s3.internal.example:8443/examplebucket");
        assert_eq!(style, Style::Path);
    }

    #[test]
    fn names_and_regions_that_could_redirect_a_request_are_rejected() {
        for bad in [
            "ab",
            "Upper",
            "a..b",
            "evil.com/x",
            "-lead",
            "trail-",
            "a_b",
            ".dot",
        ] {
            assert!(
                matches!(
                    bucket_url(bad, "us-east-1", at(None, false)),
                    Err(BucketUrlError::InvalidBucket(_))
                ),
                "{bad}"
            );
        }
        for bad in ["", "US-EAST-1", "us-east-1.evil.com", "-x"] {
            assert!(
                matches!(
                    bucket_url("examplebucket", bad, at(None, false)),
                    Err(BucketUrlError::InvalidRegion(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_default_allowlist_covers_the_aws_domains_only() {
        let patterns: Vec<EndpointPattern> = DEFAULT_ALLOWED_ENDPOINTS
            .iter()
            .map(|p| EndpointPattern::parse(p).unwrap())
            .collect();
        let allowed = |e: &str| patterns.iter().any(|p| p.matches(&url(e)));
        assert!(allowed("https://s3.us-east-1.amazonaws.com"));
        assert!(allowed("https://s3.cn-north-1.amazonaws.com.cn"));
        assert!(!allowed("http://s3.us-east-1.amazonaws.com"));
        assert!(!allowed("https://amazonaws.com.attacker.example"));
        assert!(!allowed("https://s3.example.com"));
    }
}
