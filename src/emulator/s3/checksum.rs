//! S3's integrity rule for writes whose model marks a checksum as required
//! (`PutBucketTagging`): `Content-MD5` or one `x-amz-checksum-*` header must come with the
//! body, and whichever comes must match it. Pure.
//!
//! `Content-MD5` itself is verified by the shared layer; here the `x-amz-checksum-*` values
//! are checked (CRC32, CRC32C, SHA-1, SHA-256: base64 of the big-endian digest). A
//! `x-amz-checksum-crc64nvme` value is accepted unverified (no CRC-64 in the emulator).

use axum::http::HeaderMap;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::emulator::errors::ApiError;

/// The checksum headers S3 accepts, with the name its error messages use.
const ALGORITHMS: [(&str, &str); 5] = [
    ("x-amz-checksum-crc32", "CRC32"),
    ("x-amz-checksum-crc32c", "CRC32C"),
    ("x-amz-checksum-crc64nvme", "CRC64NVME"),
    ("x-amz-checksum-sha1", "SHA1"),
    ("x-amz-checksum-sha256", "SHA256"),
];

/// Checks that a write which requires an integrity checksum has one, and that each
/// `x-amz-checksum-*` header sent matches `body`.
///
/// # Errors
/// 400 `InvalidRequest` when neither `Content-MD5` nor a checksum header is sent; 400
/// `BadDigest` naming the algorithm when a checksum does not match.
pub fn check_required(headers: &HeaderMap, body: &[u8]) -> Result<(), ApiError> {
    let mut present = headers.contains_key("content-md5");
    for (header, name) in ALGORITHMS {
        let Some(value) = headers.get(header) else {
            continue;
        };
        present = true;
        let expected = match name {
            "CRC32" => Some(STANDARD.encode(crc32(body, 0xEDB8_8320).to_be_bytes())),
            "CRC32C" => Some(STANDARD.encode(crc32(body, 0x82F6_3B78).to_be_bytes())),
            "SHA1" => Some(STANDARD.encode(Sha1::digest(body))),
            "SHA256" => Some(STANDARD.encode(Sha256::digest(body))),
            _ => None,
        };
        if let Some(expected) = expected
            && value.as_bytes() != expected.as_bytes()
        {
            return Err(ApiError::new(
                400,
                "BadDigest",
                format!("The {name} you specified did not match the calculated checksum."),
            ));
        }
    }
    if present {
        return Ok(());
    }
    Err(ApiError::new(
        400,
        "InvalidRequest",
        "Missing required header for this request: Content-MD5",
    ))
}

/// The reflected CRC-32 of `data` with the reversed polynomial `poly` (IEEE: `0xEDB88320`,
/// Castagnoli: `0x82F63B78`). Bitwise: bodies here are a few KiB.
fn crc32(data: &[u8], poly: u32) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (poly & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_and_crc32c_match_the_standard_check_values() {
        assert_eq!(crc32(b"123456789", 0xEDB8_8320), 0xCBF4_3926);
        assert_eq!(crc32(b"123456789", 0x82F6_3B78), 0xE306_9283);
    }

    #[test]
    fn a_write_needs_some_checksum_and_a_wrong_one_is_bad_digest() {
        let body = b"<Tagging/>";
        let missing = check_required(&HeaderMap::new(), body).unwrap_err();
        assert_eq!(
            (missing.status, missing.code.as_str()),
            (400, "InvalidRequest")
        );
        let mut good = HeaderMap::new();
        let crc = STANDARD.encode(crc32(body, 0xEDB8_8320).to_be_bytes());
        good.insert("x-amz-checksum-crc32", crc.parse().unwrap());
        assert_eq!(check_required(&good, body), Ok(()));
        let mut bad = HeaderMap::new();
        bad.insert("x-amz-checksum-sha256", "AAAA".parse().unwrap());
        let error = check_required(&bad, body).unwrap_err();
        assert_eq!(error.code, "BadDigest");
        assert!(error.message.contains("SHA256"));
        let mut md5 = HeaderMap::new();
        md5.insert("content-md5", "anything".parse().unwrap());
        assert_eq!(check_required(&md5, body), Ok(()));
    }
}
