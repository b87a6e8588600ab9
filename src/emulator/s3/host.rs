//! S3 endpoints, and whether a request to another host is S3's. Pure.
//!
//! - `Host: {bucket}.s3.{region}.amazonaws.com` (or `{bucket}.s3.amazonaws.com`, us-east-1):
//!   virtual-hosted style, path `/`.
//! - `Host: s3.{region}.amazonaws.com` (or `s3.amazonaws.com`): path style, path `/{bucket}`.
//! - any other Host (an IP address, `localhost`): path style, and S3 only when the request is
//!   SigV4-signed (`Authorization: AWS4-HMAC-SHA256 …` or an `x-amz-date` header), because
//!   OSS path-style requests come to the same hosts.

use crate::emulator::route::{HostTarget, strip_port};
use crate::provider::s3::signer;

/// The region of `s3.amazonaws.com` and `{bucket}.s3.amazonaws.com`.
pub(crate) const GLOBAL_ENDPOINT_REGION: &str = "us-east-1";

/// The S3 endpoint `host` names, if it is an S3 endpoint.
pub(super) fn parse_host(host: &str) -> Option<HostTarget> {
    let host = strip_port(host).to_ascii_lowercase();
    let front = host.strip_suffix(".amazonaws.com")?;
    if front == "s3" {
        return Some(HostTarget::PathStyle {
            region: Some(GLOBAL_ENDPOINT_REGION.to_string()),
        });
    }
    if let Some(region) = front.strip_prefix("s3.") {
        return (!region.is_empty() && !region.contains('.')).then(|| HostTarget::PathStyle {
            region: Some(region.to_string()),
        });
    }
    if let Some(bucket) = front.strip_suffix(".s3") {
        return (!bucket.is_empty()).then(|| HostTarget::VirtualHosted {
            bucket: bucket.to_string(),
            region: GLOBAL_ENDPOINT_REGION.to_string(),
        });
    }
    let (bucket, region) = front.split_once(".s3.")?;
    (!bucket.is_empty() && !region.is_empty() && !region.contains('.')).then(|| {
        HostTarget::VirtualHosted {
            bucket: bucket.to_string(),
            region: region.to_string(),
        }
    })
}

/// True when a request is signed the S3 way: its `Authorization` starts with
/// `AWS4-HMAC-SHA256`, or it has an `x-amz-date` header (an S3 client that lost its
/// `Authorization` should still get S3's answer).
pub(super) fn is_sigv4(authorization: Option<&str>, has_x_amz_date: bool) -> bool {
    has_x_amz_date
        || authorization.is_some_and(|value| {
            value
                .trim_start()
                .strip_prefix(signer::ALGORITHM)
                .is_some_and(|rest| rest.starts_with(' '))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_hosted_hosts_name_bucket_and_region() {
        assert_eq!(
            parse_host("my.bucket.s3.eu-west-1.amazonaws.com:443"),
            Some(HostTarget::VirtualHosted {
                bucket: "my.bucket".into(),
                region: "eu-west-1".into()
            })
        );
        assert_eq!(
            parse_host("b.s3.amazonaws.com"),
            Some(HostTarget::VirtualHosted {
                bucket: "b".into(),
                region: "us-east-1".into()
            })
        );
    }

    #[test]
    fn regional_and_global_endpoints_are_path_style() {
        assert_eq!(
            parse_host("s3.ap-south-1.amazonaws.com"),
            Some(HostTarget::PathStyle {
                region: Some("ap-south-1".into())
            })
        );
        assert_eq!(
            parse_host("S3.amazonaws.com"),
            Some(HostTarget::PathStyle {
                region: Some("us-east-1".into())
            })
        );
    }

    #[test]
    fn other_hosts_are_not_s3_endpoints() {
        for host in [
            "127.0.0.1:9000",
            "localhost",
            "b.oss-cn-hangzhou.aliyuncs.com",
            "b-1250000000.cos.ap-guangzhou.myqcloud.com",
            "ec2.us-east-1.amazonaws.com",
            ".s3.us-east-1.amazonaws.com",
            "amazonaws.com",
        ] {
            assert_eq!(parse_host(host), None, "{host}");
        }
    }

    #[test]
    fn sigv4_is_recognised_by_its_algorithm_or_x_amz_date_but_not_oss_v4() {
        assert!(is_sigv4(
            Some(
                "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=ab"
            ),
            false
        ));
        assert!(is_sigv4(None, true));
        assert!(!is_sigv4(
            Some(
                "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature=ab"
            ),
            false
        ));
        assert!(!is_sigv4(Some("OSS ak:sig"), false));
        assert!(!is_sigv4(None, false));
    }
}
