//! Request authentication shared by the providers: signature dispatch and Content-MD5.

use std::time::SystemTime;

use axum::http::HeaderMap;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use md5::{Digest, Md5};

use super::config::EmulatorConfig;
use super::errors::ApiError;
use super::pipeline::{WireRequest, as_pairs};
use super::route::ApiRequest;
use super::{cos_auth, oss_auth, s3, s3_auth};
use crate::model::Provider;

/// Checks the request's signature against the configured credentials.
///
/// For S3 this also checks `x-amz-content-sha256` against the body and
/// `x-amz-expected-bucket-owner` against the bucket's account.
///
/// # Errors
/// The provider's 403 answer (`InvalidAccessKeyId`, `SignatureDoesNotMatch`, `AccessDenied`
/// / `RequestTimeTooSkewed`), or S3's 400s (`AuthorizationHeaderMalformed`, …).
pub fn authenticate(
    config: &EmulatorConfig,
    request: &ApiRequest,
    wire: &WireRequest<'_>,
    now: SystemTime,
) -> Result<(), ApiError> {
    match request.provider {
        Provider::Cos => cos_auth::verify(config, request, wire, now),
        Provider::Oss => oss_auth::verify(config, request, wire, now),
        Provider::S3 => verify_s3(config, request, wire, now),
    }
}

fn verify_s3(
    config: &EmulatorConfig,
    request: &ApiRequest,
    wire: &WireRequest<'_>,
    now: SystemTime,
) -> Result<(), ApiError> {
    let headers = wire.owned_headers();
    let headers = as_pairs(&headers);
    let query = as_pairs(&request.params);
    s3_auth::verify(
        &config.s3_credentials,
        &config.s3_region,
        &s3_auth::S3Request {
            method: wire.method,
            path: &request.path,
            query: &query,
            headers: &headers,
            body: wire.body,
        },
        now,
    )?;
    let expected_owner = wire
        .headers
        .get("x-amz-expected-bucket-owner")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    s3::check_expected_owner(expected_owner.as_deref(), &config.s3_account_id)
}

/// Verifies `Content-MD5` when present (and requires it when `required`).
///
/// # Errors
/// 400 `InvalidDigest` when the header is not base64 of 16 bytes; 400 `BadDigest` (COS) /
/// `InvalidDigest` (OSS) when it does not match `body`.
pub fn check_content_md5(
    provider: Provider,
    headers: &HeaderMap,
    body: &[u8],
    required: bool,
) -> Result<(), ApiError> {
    let Some(value) = headers.get("content-md5") else {
        return if required {
            Err(ApiError::missing_digest())
        } else {
            Ok(())
        };
    };
    let claimed = value
        .to_str()
        .ok()
        .and_then(|v| STANDARD.decode(v.trim()).ok())
        .filter(|d| d.len() == 16)
        .ok_or_else(ApiError::invalid_digest)?;
    if claimed.as_slice() != Md5::digest(body).as_slice() {
        return Err(ApiError::digest_mismatch(provider));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(md5: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("content-md5", md5.parse().unwrap());
        h
    }

    #[test]
    fn matching_content_md5_passes_and_absent_passes_unless_required() {
        assert!(
            check_content_md5(
                Provider::Oss,
                &headers("1B2M2Y8AsgTpgAmY7PhCfg=="),
                b"",
                false
            )
            .is_ok()
        );
        assert!(check_content_md5(Provider::Cos, &HeaderMap::new(), b"x", false).is_ok());
        let missing = check_content_md5(Provider::Cos, &HeaderMap::new(), b"x", true).unwrap_err();
        assert_eq!(missing.status, 400);
    }

    #[test]
    fn wrong_or_malformed_content_md5_is_refused_with_each_providers_code() {
        let wrong = headers("1B2M2Y8AsgTpgAmY7PhCfg==");
        assert_eq!(
            check_content_md5(Provider::Cos, &wrong, b"x", false)
                .unwrap_err()
                .code,
            "BadDigest"
        );
        assert_eq!(
            check_content_md5(Provider::Oss, &wrong, b"x", false)
                .unwrap_err()
                .code,
            "InvalidDigest"
        );
        let malformed = headers("not-base64!");
        assert_eq!(
            check_content_md5(Provider::Cos, &malformed, b"x", false)
                .unwrap_err()
                .code,
            "InvalidDigest"
        );
        let short = headers("AAAA");
        assert_eq!(
            check_content_md5(Provider::Cos, &short, b"x", false)
                .unwrap_err()
                .code,
            "InvalidDigest"
        );
    }
}
