//! AWS Signature Version 4 (`AWS4-HMAC-SHA256`) for S3, as pure stage functions.
//!
//! Time and credentials are inputs, never read from a clock or the environment. Each stage is
//! exposed so that the emulator can rebuild what a received request signed and the tests can
//! check every stage against the AWS SigV4 test suite:
//!
//! ```text
//! CanonicalRequest = METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n
//!                    SignedHeaders \n HashedPayload
//! StringToSign     = "AWS4-HMAC-SHA256" \n x-amz-date \n Scope \n hex(SHA256(CanonicalRequest))
//! Scope            = yyyymmdd/region/service/aws4_request
//! SigningKey       = HMAC chain "AWS4"+secret → yyyymmdd → region → service → "aws4_request"
//! Signature        = hex(HMAC-SHA256(SigningKey, StringToSign))
//! ```
//!
//! S3 rules, which differ from most AWS services: the path is URI-encoded once (never twice) and
//! never normalized (`/./` and `..` are signed as sent), and `x-amz-content-sha256` is a signed
//! header whose value is also the canonical request's payload hash.

use crate::provider::v4_signing::{self, hmac_sha256};
use sha2::{Digest, Sha256};

use crate::provider::encoding::{uri_encode, uri_encode_path};

/// The algorithm name that starts the `Authorization` header and the string to sign.
pub(crate) const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The service segment of the credential scope for S3.
pub const SERVICE: &str = "s3";
/// The terminator of the credential scope.
pub(crate) const TERMINATOR: &str = "aws4_request";
/// `x-amz-content-sha256` value for a payload that is not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// Lowercase hex SHA-256 of the empty body.
pub const EMPTY_PAYLOAD_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// What SigV4 signs of one request. Header names are matched case-insensitively.
#[derive(Debug, Clone, Copy)]
pub struct SigningRequest<'a> {
    /// `GET`, `PUT`, `DELETE`, ...
    pub method: &'a str,
    /// The URL path as the server sees it, percent-decoded (`/bucket/ሴ`), `/` for the root.
    pub path: &'a str,
    /// Query parameters, percent-decoded, in any order. All of them are signed.
    pub query: &'a [(&'a str, &'a str)],
    /// Every request header. Only those named in `signed_headers` are signed.
    pub headers: &'a [(&'a str, &'a str)],
    /// Names of the signed headers, in any case and order (the `SignedHeaders` list).
    pub signed_headers: &'a [&'a str],
    /// The last line of the canonical request: the `x-amz-content-sha256` value for S3, or the
    /// hex SHA-256 of the body.
    pub payload_hash: &'a str,
}

/// The stages of one signature, for tests and for explaining a mismatch in the emulator.
#[derive(Clone, PartialEq, Eq)]
pub struct Signed {
    /// Method, path, query, headers, signed header names and payload hash, one per line.
    pub canonical_request: String,
    /// `AWS4-HMAC-SHA256`, the timestamp, the scope and the canonical request's hex SHA-256.
    pub string_to_sign: String,
    /// Lowercase hex.
    pub signature: String,
}

// Hand-written so that a signature never reaches a log through `{:?}`.
impl std::fmt::Debug for Signed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signed")
            .field("canonical_request", &self.canonical_request)
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &"******")
            .finish()
    }
}

/// The path URI-encoded once with `/` kept and no normalization: `/example space/` →
/// `/example%20space/`, `/./` stays `/./`. An empty path is `/`.
pub(crate) fn canonical_uri(path: &str) -> String {
    if path.is_empty() {
        "/".to_string()
    } else {
        uri_encode_path(path)
    }
}

/// Every query parameter, sorted by decoded key then value (byte order), then RFC 3986-encoded
/// (`+` → `%2B`, `/` → `%2F`), `k=v` with `=` kept for an empty value, joined with `&`.
///
/// The suite's `get-vanilla-utf8-query` vector and the `aws-sigv4` crate sort before encoding;
/// for the ASCII parameter names of the inventory API the encoded order is the same.
pub(crate) fn canonical_query(query: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(&str, &str)> = query.to_vec();
    pairs.sort();
    pairs
        .into_iter()
        .map(|(k, v)| format!("{}={}", uri_encode(k), uri_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The `SignedHeaders` value: lowercase names, sorted, deduplicated, joined with `;`.
pub(crate) fn signed_headers_value(signed_headers: &[&str]) -> String {
    let mut names: Vec<String> = signed_headers
        .iter()
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| !name.is_empty())
        .collect();
    names.sort();
    names.dedup();
    names.join(";")
}

/// Trims spaces around a header value and collapses every run of spaces inside it to one.
/// Only spaces: S3 leaves tabs and other whitespace alone, as the `aws-sigv4` crate does.
fn normalize_value(value: &str) -> String {
    value
        .split(' ')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `name:value\n` for every signed header: lowercase names in sorted order, values trimmed with
/// inner whitespace runs collapsed, repeated headers joined with `,` in the order sent. A
/// signed name the request does not carry gives `name:` so that the mismatch shows in the
/// signature rather than being skipped.
pub(crate) fn canonical_headers(headers: &[(&str, &str)], signed_headers: &[&str]) -> String {
    let signed = signed_headers_value(signed_headers);
    let mut out = String::new();
    for name in signed.split(';').filter(|name| !name.is_empty()) {
        let values: Vec<String> = headers
            .iter()
            .filter(|(k, _)| k.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| normalize_value(v))
            .collect();
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out
}

/// The canonical request of `request`.
pub fn canonical_request(request: &SigningRequest<'_>) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method,
        canonical_uri(request.path),
        canonical_query(request.query),
        canonical_headers(request.headers, request.signed_headers),
        signed_headers_value(request.signed_headers),
        request.payload_hash
    )
}

/// `yyyymmdd/region/service/aws4_request`.
pub fn scope(date: &str, region: &str, service: &str) -> String {
    format!("{date}/{region}/{service}/{TERMINATOR}")
}

/// The first 8 characters (`yyyymmdd`) of an `x-amz-date` value; the whole value when shorter.
pub(crate) fn date_of(datetime: &str) -> &str {
    v4_signing::date_of(datetime)
}

/// `AWS4-HMAC-SHA256\n<x-amz-date>\n<scope>\n<hex sha256 of canonical request>`.
pub fn string_to_sign(datetime: &str, scope: &str, canonical_request: &str) -> String {
    v4_signing::string_to_sign(ALGORITHM, datetime, scope, canonical_request)
}

/// The signing key for one secret, day (`yyyymmdd`), region and service.
pub(crate) fn signing_key(
    secret_access_key: &str,
    date: &str,
    region: &str,
    service: &str,
) -> [u8; 32] {
    let k_date = hmac_sha256(
        format!("AWS4{secret_access_key}").as_bytes(),
        date.as_bytes(),
    );
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, service.as_bytes());
    hmac_sha256(&k_service, TERMINATOR.as_bytes())
}

/// Lowercase hex `HMAC-SHA256(signing_key, string_to_sign)`.
pub fn signature(signing_key: &[u8; 32], string_to_sign: &str) -> String {
    hex::encode(hmac_sha256(signing_key, string_to_sign.as_bytes()))
}

/// Lowercase hex SHA-256 of `body`, the `x-amz-content-sha256` value of a signed payload.
pub fn payload_sha256(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// Every stage of the signature of `request`, signed at `datetime` (the `x-amz-date` value,
/// `yyyymmddTHHMMSSZ`) for `region` and `service` ([`SERVICE`] for S3).
///
/// This is also the emulator's verification entry: feed it what a received request says
/// (decoded path and query, headers, its `SignedHeaders` list and `x-amz-date`) and compare
/// the `signature` with the one provided.
pub fn compute(
    secret_access_key: &str,
    region: &str,
    service: &str,
    datetime: &str,
    request: &SigningRequest<'_>,
) -> Signed {
    let canonical_request = canonical_request(request);
    let date = date_of(datetime);
    let string_to_sign =
        string_to_sign(datetime, &scope(date, region, service), &canonical_request);
    let key = signing_key(secret_access_key, date, region, service);
    Signed {
        signature: signature(&key, &string_to_sign),
        canonical_request,
        string_to_sign,
    }
}

/// The `Authorization` header value, as the AWS SDKs write it:
/// `AWS4-HMAC-SHA256 Credential=AKID/yyyymmdd/region/service/aws4_request, SignedHeaders=a;b, Signature=…`.
pub fn authorization(
    access_key_id: &str,
    secret_access_key: &str,
    region: &str,
    service: &str,
    datetime: &str,
    request: &SigningRequest<'_>,
) -> String {
    let signed = compute(secret_access_key, region, service, datetime, request);
    format!(
        "{ALGORITHM} Credential={access_key_id}/{}, SignedHeaders={}, Signature={}",
        scope(date_of(datetime), region, service),
        signed_headers_value(request.signed_headers),
        signed.signature
    )
}

/// The parts of a received `Authorization` header.
#[derive(Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The credential's access key id (its first part).
    pub access_key_id: String,
    /// `yyyymmdd` of the credential scope.
    pub date: String,
    /// The region of the credential scope, e.g. `us-east-1`.
    pub region: String,
    /// The service of the credential scope (`s3` from an S3 client).
    pub service: String,
    pub(crate) terminator: String,
    /// Names as sent, split on `;`.
    pub signed_headers: Vec<String>,
    /// Lowercase hex as sent.
    pub signature: String,
}

// Hand-written so that a received signature never reaches a log through `{:?}`.
impl std::fmt::Debug for Authorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorization")
            .field("access_key_id", &self.access_key_id)
            .field("date", &self.date)
            .field("region", &self.region)
            .field("service", &self.service)
            .field("terminator", &self.terminator)
            .field("signed_headers", &self.signed_headers)
            .field("signature", &"******")
            .finish()
    }
}

/// Why an `Authorization` header could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The header does not start with `AWS4-HMAC-SHA256`.
    #[error("authorization does not start with {ALGORITHM}")]
    NotSigV4,
    /// No `Credential=` item.
    #[error("authorization has no Credential")]
    MissingCredential,
    /// The credential is not five non-empty parts separated by `/`.
    #[error("credential is not AKID/date/region/service/aws4_request")]
    MalformedCredential,
    /// No `SignedHeaders=` item.
    #[error("authorization has no SignedHeaders")]
    MissingSignedHeaders,
    /// No `Signature=` item.
    #[error("authorization has no Signature")]
    MissingSignature,
}

/// Parses an `Authorization` header: items separated by `,` with or without spaces, in any
/// order. Every item must be present and the credential must have five non-empty parts.
pub fn parse_authorization(value: &str) -> Result<Authorization, ParseError> {
    let rest = value
        .trim()
        .strip_prefix(ALGORITHM)
        .filter(|rest| rest.starts_with(' '))
        .ok_or(ParseError::NotSigV4)?;
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for item in rest.split(',').map(str::trim) {
        if let Some(v) = item.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = item.strip_prefix("SignedHeaders=") {
            signed_headers = Some(v);
        } else if let Some(v) = item.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let credential = credential.ok_or(ParseError::MissingCredential)?;
    let parts: Vec<&str> = credential.split('/').collect();
    let [akid, date, region, service, terminator] = parts[..] else {
        return Err(ParseError::MalformedCredential);
    };
    if [akid, date, region, service, terminator]
        .iter()
        .any(|part| part.is_empty())
    {
        return Err(ParseError::MalformedCredential);
    }
    let signed_headers = signed_headers
        .filter(|list| !list.is_empty())
        .ok_or(ParseError::MissingSignedHeaders)?;
    let signature = signature
        .filter(|s| !s.is_empty())
        .ok_or(ParseError::MissingSignature)?;
    Ok(Authorization {
        access_key_id: akid.to_string(),
        date: date.to_string(),
        region: region.to_string(),
        service: service.to_string(),
        terminator: terminator.to_string(),
        signed_headers: signed_headers.split(';').map(str::to_string).collect(),
        signature: signature.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn s3_path_is_encoded_once_and_never_normalized() {
        assert_eq!(canonical_uri("/example space/"), "/example%20space/");
        assert_eq!(canonical_uri("/a/./b/../c"), "/a/./b/../c");
        assert_eq!(canonical_uri("/%41"), "/%2541");
        assert_eq!(canonical_uri(""), "/");
    }

    #[test]
    fn query_keeps_the_equals_sign_of_empty_values_and_sorts_by_encoded_key() {
        assert_eq!(
            canonical_query(&[
                ("inventory", ""),
                ("id", "report 1"),
                ("continuation-token", "a+b/c")
            ]),
            "continuation-token=a%2Bb%2Fc&id=report%201&inventory="
        );
        assert_eq!(
            canonical_query(&[("b", "2"), ("a", "2"), ("a", "1")]),
            "a=1&a=2&b=2"
        );
    }

    #[test]
    fn headers_are_trimmed_collapsed_and_joined_when_repeated() {
        let headers = [
            ("My-Header", "  a   b\tc "),
            ("my-header", "d"),
            ("Host", "h"),
        ];
        assert_eq!(
            canonical_headers(&headers, &["my-header", "HOST"]),
            "host:h\nmy-header:a b\tc,d\n"
        );
    }

    #[test]
    fn s3_documentation_example_signs_x_amz_content_sha256() {
        // AWS S3 API reference, "Example: GET Object" of sig-v4-header-based-auth.
        let headers = [
            ("Host", "examplebucket.s3.amazonaws.com"),
            ("Range", "bytes=0-9"),
            ("x-amz-content-sha256", EMPTY_PAYLOAD_SHA256),
            ("x-amz-date", "20130524T000000Z"),
        ];
        let request = SigningRequest {
            method: "GET",
            path: "/test.txt",
            query: &[],
            headers: &headers,
            signed_headers: &["host", "range", "x-amz-content-sha256", "x-amz-date"],
            payload_hash: EMPTY_PAYLOAD_SHA256,
        };
        let signed = compute(
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "us-east-1",
            SERVICE,
            "20130524T000000Z",
            &request,
        );
        assert_eq!(
            signed.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n\
             7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"
        );
        assert_eq!(
            signed.signature,
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
    }

    #[test]
    fn authorization_round_trips_through_the_parser() {
        let headers = [
            ("host", "b.s3.eu-west-1.amazonaws.com"),
            ("x-amz-date", "20260101T000000Z"),
        ];
        let request = SigningRequest {
            method: "GET",
            path: "/",
            query: &[("inventory", "")],
            headers: &headers,
            signed_headers: &["x-amz-date", "host"],
            payload_hash: EMPTY_PAYLOAD_SHA256,
        };
        let value = authorization(
            "AKID",
            "secret",
            "eu-west-1",
            SERVICE,
            "20260101T000000Z",
            &request,
        );
        let parsed = parse_authorization(&value).unwrap();
        assert_eq!(parsed.access_key_id, "AKID");
        assert_eq!(parsed.date, "20260101");
        assert_eq!(parsed.region, "eu-west-1");
        assert_eq!(parsed.service, "s3");
        assert_eq!(parsed.terminator, TERMINATOR);
        assert_eq!(parsed.signed_headers, vec!["host", "x-amz-date"]);
        let expected = compute("secret", "eu-west-1", SERVICE, "20260101T000000Z", &request);
        assert_eq!(parsed.signature, expected.signature);
    }

    #[test]
    fn parse_accepts_items_without_spaces_and_in_any_order() {
        let parsed = parse_authorization(
            "AWS4-HMAC-SHA256 Signature=ab,SignedHeaders=host,Credential=AK/20260101/r/s3/aws4_request",
        )
        .unwrap();
        assert_eq!(parsed.signature, "ab");
        assert_eq!(parsed.signed_headers, vec!["host"]);
    }

    #[test]
    fn parse_rejects_malformed_headers() {
        assert_eq!(parse_authorization("AWS AK:sig"), Err(ParseError::NotSigV4));
        assert_eq!(
            parse_authorization("AWS4-HMAC-SHA256X Credential=a/b/c/d/e"),
            Err(ParseError::NotSigV4)
        );
        assert_eq!(
            parse_authorization("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=ab"),
            Err(ParseError::MissingCredential)
        );
        assert_eq!(
            parse_authorization(
                "AWS4-HMAC-SHA256 Credential=AK/20260101/r/s3, SignedHeaders=host, Signature=ab"
            ),
            Err(ParseError::MalformedCredential)
        );
        assert_eq!(
            parse_authorization(
                "AWS4-HMAC-SHA256 Credential=AK//r/s3/aws4_request, SignedHeaders=host, Signature=ab"
            ),
            Err(ParseError::MalformedCredential)
        );
        assert_eq!(
            parse_authorization("AWS4-HMAC-SHA256 Credential=AK/d/r/s3/aws4_request, Signature=ab"),
            Err(ParseError::MissingSignedHeaders)
        );
        assert_eq!(
            parse_authorization(
                "AWS4-HMAC-SHA256 Credential=AK/d/r/s3/aws4_request, SignedHeaders=host"
            ),
            Err(ParseError::MissingSignature)
        );
    }

    #[test]
    fn debug_output_hides_signatures() {
        let request = SigningRequest {
            method: "GET",
            path: "/",
            query: &[],
            headers: &[],
            signed_headers: &[],
            payload_hash: EMPTY_PAYLOAD_SHA256,
        };
        let signed = compute("secret", "us-east-1", SERVICE, "20260101T000000Z", &request);
        assert!(!format!("{signed:?}").contains(&signed.signature));
        let parsed = parse_authorization(&authorization(
            "AK",
            "secret",
            "us-east-1",
            SERVICE,
            "20260101T000000Z",
            &request,
        ));
        assert!(
            parsed.is_err(),
            "an empty SignedHeaders list is not a valid header"
        );
        let parsed = parse_authorization(&format!(
            "{ALGORITHM} Credential=AK/d/r/s3/aws4_request, SignedHeaders=host, Signature={}",
            signed.signature
        ))
        .unwrap();
        assert!(!format!("{parsed:?}").contains(&signed.signature));
    }

    proptest! {
        #[test]
        fn signing_never_panics(
            method in "[A-Z]{0,8}",
            path in "\\PC{0,40}",
            query in proptest::collection::vec(("\\PC{0,10}", "\\PC{0,10}"), 0..5),
            headers in proptest::collection::vec(("\\PC{0,12}", "\\PC{0,12}"), 0..6),
            signed in proptest::collection::vec("\\PC{0,8}", 0..4),
            payload in "\\PC{0,64}",
            secret in "\\PC{0,20}",
            region in "\\PC{0,12}",
            datetime in "\\PC{0,20}",
        ) {
            let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let signed: Vec<&str> = signed.iter().map(String::as_str).collect();
            let request = SigningRequest { method: &method, path: &path, query: &query, headers: &headers, signed_headers: &signed, payload_hash: &payload };
            let auth = authorization("AK", &secret, &region, SERVICE, &datetime, &request);
            prop_assert!(auth.starts_with(ALGORITHM));
            prop_assert_eq!(compute(&secret, &region, SERVICE, &datetime, &request).signature.len(), 64);
        }

        #[test]
        fn parse_authorization_never_panics(value in "\\PC{0,160}") {
            let _ = parse_authorization(&value);
        }
    }
}
