//! The hashing steps shared by the V4-style signers (OSS V4, AWS SigV4): the HMAC-SHA256 key
//! chain, the date of a timestamp and the string to sign. Pure.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// `HMAC-SHA256(key, data)`.
#[expect(clippy::expect_used, reason = "HMAC takes keys of any length")]
pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The first 8 characters (`yyyymmdd`) of a `yyyymmddTHHMMSSZ` timestamp; the whole value when
/// shorter.
pub(crate) fn date_of(datetime: &str) -> &str {
    datetime.get(..8).unwrap_or(datetime)
}

/// `<algorithm>\n<datetime>\n<scope>\n<hex sha256 of canonical request>`.
pub(crate) fn string_to_sign(
    algorithm: &str,
    datetime: &str,
    scope: &str,
    canonical_request: &str,
) -> String {
    let hash = hex::encode(Sha256::digest(canonical_request.as_bytes()));
    format!("{algorithm}\n{datetime}\n{scope}\n{hash}")
}
