//! `Content-MD5`: the body checksum every provider verifies the same way.

use axum::http::HeaderMap;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use md5::{Digest, Md5};

use super::errors::ApiError;

/// Verifies `Content-MD5` when present (and requires it when `required`).
///
/// # Errors
/// 400 `InvalidDigest` when the header is not base64 of 16 bytes; `mismatch` when it does
/// not match `body`.
pub(crate) fn check_content_md5(
    headers: &HeaderMap,
    body: &[u8],
    required: bool,
    mismatch: impl FnOnce() -> ApiError,
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
        return Err(mismatch());
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

    fn check(headers: &HeaderMap, body: &[u8], required: bool) -> Result<(), ApiError> {
        check_content_md5(headers, body, required, ApiError::bad_digest)
    }

    #[test]
    fn matching_content_md5_passes_and_absent_passes_unless_required() {
        assert!(check(&headers("1B2M2Y8AsgTpgAmY7PhCfg=="), b"", false).is_ok());
        assert!(check(&HeaderMap::new(), b"x", false).is_ok());
        let missing = check(&HeaderMap::new(), b"x", true).unwrap_err();
        assert_eq!(missing.status, 400);
    }

    #[test]
    fn a_wrong_content_md5_is_the_callers_mismatch_and_a_malformed_one_invalid_digest() {
        let wrong = headers("1B2M2Y8AsgTpgAmY7PhCfg==");
        assert_eq!(check(&wrong, b"x", false).unwrap_err().code, "BadDigest");
        for malformed in ["not-base64!", "AAAA"] {
            assert_eq!(
                check(&headers(malformed), b"x", false).unwrap_err().code,
                "InvalidDigest"
            );
        }
    }
}
