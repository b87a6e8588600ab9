//! OSS signature version 4 (`OSS4-HMAC-SHA256`), as pure functions.
//!
//! Time is an input (the `x-oss-date` value), never read from a clock. Each stage is exposed so
//! the emulator can rebuild what a received request signed and tests can check every stage:
//!
//! ```text
//! CanonicalRequest = VERB \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n
//!                    AdditionalHeaders \n HashedPayload
//! StringToSign     = "OSS4-HMAC-SHA256" \n x-oss-date \n Scope \n hex(SHA256(CanonicalRequest))
//! SigningKey       = HMAC chain "aliyun_v4"+secret → yyyymmdd → region → "oss" → "aliyun_v4_request"
//! Signature        = hex(HMAC-SHA256(SigningKey, StringToSign))
//! ```

use crate::provider::v4_signing::{self, hmac_sha256};

use super::encoding::{canonical_header_lines, uri_encode, uri_encode_path};

/// The algorithm name that starts the `Authorization` header and the string to sign.
pub const ALGORITHM: &str = "OSS4-HMAC-SHA256";
/// The payload hash every OSS SDK sends in `x-oss-content-sha256`.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The product segment of the credential scope.
pub(crate) const PRODUCT: &str = "oss";
/// The terminator of the credential scope.
pub(crate) const TERMINATOR: &str = "aliyun_v4_request";

/// What V4 signs of one request. Header names are matched case-insensitively.
#[derive(Debug, Clone, Copy)]
pub struct V4Request<'a> {
    /// `GET`, `PUT`, `DELETE`, ...
    pub method: &'a str,
    /// The bucket name, whatever the URL style; empty for service-level requests.
    pub bucket: &'a str,
    /// The object key, not URL-encoded; empty for bucket operations.
    pub key: &'a str,
    /// Query parameters, already percent-decoded, in any order. All of them are signed.
    pub query: &'a [(&'a str, &'a str)],
    /// Every request header, including `x-oss-date`, `x-oss-content-sha256` and any
    /// `x-oss-security-token`.
    pub headers: &'a [(&'a str, &'a str)],
    /// Header names the signer was asked to sign beyond the default set (`AdditionalHeaders`).
    pub additional_headers: &'a [&'a str],
}

/// The stages of one V4 signature, for tests and for explaining a mismatch in the emulator.
#[derive(Clone, PartialEq, Eq)]
pub struct V4Signature {
    /// The canonical request, lines joined with `\n`.
    pub canonical_request: String,
    /// `OSS4-HMAC-SHA256`, the timestamp, the scope and the canonical request's hash, lines
    /// joined with `\n`.
    pub string_to_sign: String,
    /// Lowercase hex.
    pub signature: String,
    /// The `AdditionalHeaders` value actually signed (`abc;zabc`), empty when none.
    pub additional_headers: String,
}

// Hand-written so that a signature never reaches a log through `{:?}`.
impl std::fmt::Debug for V4Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("V4Signature")
            .field("canonical_request", &self.canonical_request)
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &"******")
            .field("additional_headers", &self.additional_headers)
            .finish()
    }
}

/// True for the headers V4 signs without being asked: `x-oss-*`, `content-type`, `content-md5`.
fn is_default_signed(lower_name: &str) -> bool {
    lower_name.starts_with("x-oss-") || lower_name == "content-type" || lower_name == "content-md5"
}

/// `uri_encode("/" + bucket + "/" + key)` with `/` kept, e.g. `/examplebucket/`.
pub(crate) fn canonical_uri(bucket: &str, key: &str) -> String {
    if bucket.is_empty() {
        uri_encode_path(&format!("/{key}"))
    } else {
        uri_encode_path(&format!("/{bucket}/{key}"))
    }
}

/// Every query parameter, RFC 3986-encoded (`/` → `%2F`), sorted by encoded key then value,
/// `k=v` or bare `k` for an empty value, joined with `&`.
pub(crate) fn canonical_query(query: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (uri_encode(k), uri_encode(v)))
        .collect();
    pairs.sort();
    pairs
        .into_iter()
        .map(|(k, v)| if v.is_empty() { k } else { format!("{k}={v}") })
        .collect::<Vec<_>>()
        .join("&")
}

/// The additional headers that are actually signed: lowercased, sorted, deduplicated, without
/// default-signed names and without names the request does not carry (as the Go v2 SDK does).
pub(crate) fn effective_additional_headers(
    headers: &[(&str, &str)],
    additional: &[&str],
) -> Vec<String> {
    let mut names: Vec<String> = additional
        .iter()
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| !name.is_empty() && !is_default_signed(name))
        .filter(|name| headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name)))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// `name:value\n` for every default-signed header and every effective additional header:
/// lowercase names, trimmed values, sorted by name, repeated headers joined with `,`.
pub(crate) fn canonical_headers(
    headers: &[(&str, &str)],
    effective_additional: &[String],
) -> String {
    canonical_header_lines(headers, |name| {
        is_default_signed(name) || effective_additional.iter().any(|h| h == name)
    })
}

/// The canonical request of `request`.
pub fn canonical_request(request: &V4Request<'_>) -> String {
    let additional = effective_additional_headers(request.headers, request.additional_headers);
    let payload = request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("x-oss-content-sha256"))
        .map(|(_, v)| v.trim())
        .unwrap_or(UNSIGNED_PAYLOAD);
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method,
        canonical_uri(request.bucket, request.key),
        canonical_query(request.query),
        canonical_headers(request.headers, &additional),
        additional.join(";"),
        payload
    )
}

/// `yyyymmdd/region/oss/aliyun_v4_request`. `date` is the first 8 characters of `x-oss-date`.
pub fn scope(date: &str, region: &str) -> String {
    format!("{date}/{region}/{PRODUCT}/{TERMINATOR}")
}

/// The first 8 characters (`yyyymmdd`) of an `x-oss-date` value; the whole value when shorter.
pub(crate) fn date_of(datetime: &str) -> &str {
    v4_signing::date_of(datetime)
}

/// `OSS4-HMAC-SHA256\n<x-oss-date>\n<scope>\n<hex sha256 of canonical request>`.
pub fn string_to_sign(datetime: &str, scope: &str, canonical_request: &str) -> String {
    v4_signing::string_to_sign(ALGORITHM, datetime, scope, canonical_request)
}

/// The signing key for one secret, day (`yyyymmdd`) and region.
pub(crate) fn signing_key(access_key_secret: &str, date: &str, region: &str) -> [u8; 32] {
    let k_date = hmac_sha256(
        format!("aliyun_v4{access_key_secret}").as_bytes(),
        date.as_bytes(),
    );
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_product = hmac_sha256(&k_region, PRODUCT.as_bytes());
    hmac_sha256(&k_product, TERMINATOR.as_bytes())
}

/// Lowercase hex `HMAC-SHA256(signing_key, string_to_sign)`.
pub fn signature(signing_key: &[u8; 32], string_to_sign: &str) -> String {
    hex::encode(hmac_sha256(signing_key, string_to_sign.as_bytes()))
}

/// Every stage of the signature of `request`, signed at `datetime` (the `x-oss-date` value,
/// `yyyymmddTHHMMSSZ`) for `region` (without `oss-`).
///
/// This is also the emulator's verification entry: feed it what a received request says
/// (decoded query, headers, the `AdditionalHeaders` list, its `x-oss-date`) and compare the
/// `signature` with the one provided.
pub fn compute(
    access_key_secret: &str,
    region: &str,
    datetime: &str,
    request: &V4Request<'_>,
) -> V4Signature {
    let canonical_request = canonical_request(request);
    let scope = scope(date_of(datetime), region);
    let string_to_sign = string_to_sign(datetime, &scope, &canonical_request);
    let key = signing_key(access_key_secret, date_of(datetime), region);
    V4Signature {
        signature: signature(&key, &string_to_sign),
        additional_headers: effective_additional_headers(
            request.headers,
            request.additional_headers,
        )
        .join(";"),
        canonical_request,
        string_to_sign,
    }
}

/// The `Authorization` header value:
/// `OSS4-HMAC-SHA256 Credential=ak/yyyymmdd/region/oss/aliyun_v4_request[,AdditionalHeaders=…],Signature=…`.
pub fn authorization(
    access_key_id: &str,
    access_key_secret: &str,
    region: &str,
    datetime: &str,
    request: &V4Request<'_>,
) -> String {
    let signed = compute(access_key_secret, region, datetime, request);
    let mut out = format!(
        "{ALGORITHM} Credential={access_key_id}/{}",
        scope(date_of(datetime), region)
    );
    if !signed.additional_headers.is_empty() {
        out.push_str(",AdditionalHeaders=");
        out.push_str(&signed.additional_headers);
    }
    out.push_str(",Signature=");
    out.push_str(&signed.signature);
    out
}

/// The parts of a received V4 `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V4Authorization {
    /// The AccessKeyId, first part of `Credential`.
    pub access_key_id: String,
    /// `yyyymmdd` of the credential scope.
    pub date: String,
    /// The region of the credential scope, e.g. `cn-hangzhou`.
    pub region: String,
    pub(crate) product: String,
    pub(crate) terminator: String,
    /// Names as sent (`abc;zabc` split on `;`); empty when the element is absent.
    pub additional_headers: Vec<String>,
    /// `Signature`: lowercase hex HMAC-SHA256.
    pub signature: String,
}

/// Why a V4 `Authorization` header could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum V4ParseError {
    /// Another scheme (V1 or none).
    #[error("authorization does not start with {ALGORITHM}")]
    NotV4,
    /// No `Credential=` item.
    #[error("authorization has no Credential")]
    MissingCredential,
    /// `Credential` is not five `/`-separated parts, or its key id is empty.
    #[error("credential is not ak/date/region/product/terminator")]
    MalformedCredential,
    /// No `Signature=` item, or an empty one.
    #[error("authorization has no Signature")]
    MissingSignature,
    /// `AdditionalHeaders=` with no names.
    #[error("AdditionalHeaders is present but empty")]
    EmptyAdditionalHeaders,
}

/// Parses a V4 `Authorization` header leniently: items separated by `,` with or without
/// spaces, in any order (oss2 writes `Credential=…, Signature=…, AdditionalHeaders=…`).
pub fn parse_authorization(value: &str) -> Result<V4Authorization, V4ParseError> {
    let rest = value
        .trim()
        .strip_prefix(ALGORITHM)
        .ok_or(V4ParseError::NotV4)?;
    let (mut credential, mut additional, mut signature) = (None, None, None);
    for item in rest.split(',').map(str::trim) {
        if let Some(v) = item.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = item.strip_prefix("AdditionalHeaders=") {
            additional = Some(v);
        } else if let Some(v) = item.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let credential = credential.ok_or(V4ParseError::MissingCredential)?;
    let parts: Vec<&str> = credential.split('/').collect();
    let [ak, date, region, product, terminator] = parts[..] else {
        return Err(V4ParseError::MalformedCredential);
    };
    if ak.is_empty() {
        return Err(V4ParseError::MalformedCredential);
    }
    let additional_headers = match additional {
        Some("") => return Err(V4ParseError::EmptyAdditionalHeaders),
        Some(list) => list.split(';').map(str::to_string).collect(),
        None => Vec::new(),
    };
    let signature = signature
        .filter(|s| !s.is_empty())
        .ok_or(V4ParseError::MissingSignature)?;
    Ok(V4Authorization {
        access_key_id: ak.to_string(),
        date: date.to_string(),
        region: region.to_string(),
        product: product.to_string(),
        terminator: terminator.to_string(),
        additional_headers,
        signature: signature.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CREDENTIAL_2022: &str =
        "OSS4-HMAC-SHA256 Credential=ak/20221228/cn-hangzhou/oss/aliyun_v4_request";
    const DATETIME_2022: &str = "20221228T102741Z";
    /// The string to sign of every B vector up to its last line, the canonical request's hash.
    const STS_PREFIX_2022: &str =
        "OSS4-HMAC-SHA256\n20221228T102741Z\n20221228/cn-hangzhou/oss/aliyun_v4_request\n";

    /// The V4-1 request of the Go v2 and python v2 SDK tests, at `datetime`.
    fn v4_1_headers(datetime: &'static str) -> Vec<(&'static str, &'static str)> {
        vec![
            ("x-oss-head1", "value"),
            ("abc", "value"),
            ("ZAbc", "value"),
            ("XYZ", "value"),
            ("content-type", "text/plain"),
            ("x-oss-content-sha256", "UNSIGNED-PAYLOAD"),
            ("x-oss-date", datetime),
        ]
    }

    const V4_1_QUERY: &[(&str, &str)] = &[
        ("param1", "value1"),
        ("+param1", "value3"),
        ("|param1", "value4"),
        ("+param2", ""),
        ("|param2", ""),
        ("param2", ""),
    ];

    fn v4_1_request<'a>(
        headers: &'a [(&'a str, &'a str)],
        additional: &'a [&'a str],
    ) -> V4Request<'a> {
        V4Request {
            method: "PUT",
            bucket: "bucket",
            key: "1234+-/123/1.txt",
            query: V4_1_QUERY,
            headers,
            additional_headers: additional,
        }
    }

    fn inventory_headers(
        extra: &[(&'static str, &'static str)],
    ) -> Vec<(&'static str, &'static str)> {
        let mut headers = vec![
            ("Host", "examplebucket.oss-cn-hangzhou.aliyuncs.com"),
            ("x-oss-content-sha256", UNSIGNED_PAYLOAD),
            ("x-oss-date", DATETIME_2022),
        ];
        headers.extend_from_slice(extra);
        headers
    }

    fn inventory_request<'a>(
        method: &'a str,
        query: &'a [(&'a str, &'a str)],
        headers: &'a [(&'a str, &'a str)],
    ) -> V4Request<'a> {
        V4Request {
            method,
            bucket: "examplebucket",
            key: "",
            query,
            headers,
            additional_headers: &[],
        }
    }

    #[test]
    fn vector_v4_1_signs_all_query_parameters_and_default_headers() {
        let headers = v4_1_headers("20231216T162057Z");
        let req = v4_1_request(&headers, &[]);
        let signed = compute("sk", "cn-hangzhou", "20231216T162057Z", &req);
        assert_eq!(
            signed.canonical_request,
            "PUT\n/bucket/1234%2B-/123/1.txt\n\
             %2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2\n\
             content-type:text/plain\nx-oss-content-sha256:UNSIGNED-PAYLOAD\n\
             x-oss-date:20231216T162057Z\nx-oss-head1:value\n\n\nUNSIGNED-PAYLOAD"
        );
        assert!(signed.string_to_sign.starts_with(
            "OSS4-HMAC-SHA256\n20231216T162057Z\n20231216/cn-hangzhou/oss/aliyun_v4_request\n"
        ));
        assert_eq!(
            authorization("ak", "sk", "cn-hangzhou", "20231216T162057Z", &req),
            "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,\
             Signature=e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe"
        );
    }

    #[test]
    fn vector_v4_2_signs_the_security_token() {
        let mut headers = v4_1_headers("20231217T034736Z");
        headers.push(("x-oss-security-token", "token"));
        let req = v4_1_request(&headers, &[]);
        let signed = compute("sk", "cn-hangzhou", "20231217T034736Z", &req);
        assert!(
            signed
                .canonical_request
                .contains("\nx-oss-security-token:token\n")
        );
        assert_eq!(
            authorization("ak", "sk", "cn-hangzhou", "20231217T034736Z", &req),
            "OSS4-HMAC-SHA256 Credential=ak/20231217/cn-hangzhou/oss/aliyun_v4_request,\
             Signature=b94a3f999cf85bcdc00d332fbd3734ba03e48382c36fa4d5af5df817395bd9ea"
        );
    }

    #[test]
    fn vector_v4_3_signs_additional_headers() {
        let headers = v4_1_headers("20231216T172512Z");
        let expected = "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,\
             AdditionalHeaders=abc;zabc,\
             Signature=4a4183c187c07c8947db7620deb0a6b38d9fbdd34187b6dbaccb316fa251212f";
        let req = v4_1_request(&headers, &["ZAbc", "abc"]);
        let signed = compute("sk", "cn-hangzhou", "20231216T172512Z", &req);
        assert!(signed.canonical_request.contains(
            "\nabc:value\ncontent-type:text/plain\nx-oss-content-sha256:UNSIGNED-PAYLOAD\n\
             x-oss-date:20231216T172512Z\nx-oss-head1:value\nzabc:value\n\nabc;zabc\nUNSIGNED-PAYLOAD"
        ));
        assert_eq!(
            authorization("ak", "sk", "cn-hangzhou", "20231216T172512Z", &req),
            expected
        );
        // Default-signed and absent names in the list change nothing.
        let req = v4_1_request(&headers, &["x-oss-no-exist", "ZAbc", "x-oss-head1", "abc"]);
        assert_eq!(
            authorization("ak", "sk", "cn-hangzhou", "20231216T172512Z", &req),
            expected
        );
    }

    #[test]
    fn vector_b1_get_inventory_with_content_headers() {
        let headers = inventory_headers(&[
            ("Content-Type", "application/xml"),
            ("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="),
        ]);
        let query = [("inventory", ""), ("inventoryId", "list1")];
        let req = inventory_request("GET", &query, &headers);
        let signed = compute("sk", "cn-hangzhou", DATETIME_2022, &req);
        assert_eq!(
            signed.canonical_request,
            "GET\n/examplebucket/\ninventory&inventoryId=list1\n\
             content-md5:1B2M2Y8AsgTpgAmY7PhCfg==\ncontent-type:application/xml\n\
             x-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20221228T102741Z\n\n\nUNSIGNED-PAYLOAD"
        );
        assert_eq!(
            signed.string_to_sign,
            format!(
                "{STS_PREFIX_2022}965561b4872b9b901b846401f9c5ce8d8dcede0a23539bf6f135e5f760616d03"
            )
        );
        assert_eq!(
            authorization("ak", "sk", "cn-hangzhou", DATETIME_2022, &req),
            format!(
                "{CREDENTIAL_2022},Signature=2cdd6cf5ed39f8bde353f25b7fd13d2615fa4416245aa20cb4929371b1d708a2"
            )
        );
    }

    #[test]
    fn vector_b2_put_inventory() {
        let headers = inventory_headers(&[
            ("Content-Type", "application/xml"),
            ("Content-MD5", "339LMh9sOLSrXfhVPoZhzw=="),
        ]);
        let query = [("inventory", ""), ("inventoryId", "report1")];
        let req = inventory_request("PUT", &query, &headers);
        let signed = compute("sk", "cn-hangzhou", DATETIME_2022, &req);
        assert_eq!(
            signed.canonical_request,
            "PUT\n/examplebucket/\ninventory&inventoryId=report1\n\
             content-md5:339LMh9sOLSrXfhVPoZhzw==\ncontent-type:application/xml\n\
             x-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20221228T102741Z\n\n\nUNSIGNED-PAYLOAD"
        );
        assert_eq!(
            signed.string_to_sign,
            format!(
                "{STS_PREFIX_2022}36b559f2e1a8e04156f62db0dfde2ef567e454853f5900859fb9b196353c3a77"
            )
        );
        assert_eq!(
            authorization("ak", "sk", "cn-hangzhou", DATETIME_2022, &req),
            format!(
                "{CREDENTIAL_2022},Signature=238826454b6f1b2d2099a7c028b6301fbf6b71d63bfb5a55139469f970aaac90"
            )
        );
    }

    #[test]
    fn vector_b3_list_with_token_and_security_token() {
        let headers = inventory_headers(&[("x-oss-security-token", "token")]);
        let query = [("inventory", ""), ("continuation-token", "tok/en+1=")];
        let req = inventory_request("GET", &query, &headers);
        let signed = compute("sk", "cn-hangzhou", DATETIME_2022, &req);
        assert_eq!(
            signed.canonical_request,
            "GET\n/examplebucket/\ncontinuation-token=tok%2Fen%2B1%3D&inventory\n\
             x-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20221228T102741Z\n\
             x-oss-security-token:token\n\n\nUNSIGNED-PAYLOAD"
        );
        assert_eq!(
            authorization("ak", "sk", "cn-hangzhou", DATETIME_2022, &req),
            format!(
                "{CREDENTIAL_2022},Signature=8bbef6b2f8ab934d5b1defcbc62cd34c7f022a42fbb5814dd7d8b66dbf96346d"
            )
        );
    }

    #[test]
    fn vector_b4_get_inventory_without_content_headers() {
        let headers = inventory_headers(&[]);
        let query = [("inventory", ""), ("inventoryId", "list1")];
        let req = inventory_request("GET", &query, &headers);
        let signed = compute("sk", "cn-hangzhou", DATETIME_2022, &req);
        assert_eq!(
            signed.canonical_request,
            "GET\n/examplebucket/\ninventory&inventoryId=list1\n\
             x-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20221228T102741Z\n\n\nUNSIGNED-PAYLOAD"
        );
        assert_eq!(
            authorization("ak", "sk", "cn-hangzhou", DATETIME_2022, &req),
            format!(
                "{CREDENTIAL_2022},Signature=b546ddf30e26425f62e950119a5c918b98ef890cc995b6871f801c36f2b8f45f"
            )
        );
    }

    #[test]
    fn parse_authorization_accepts_every_sdk_layout() {
        let go = "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,\
                  AdditionalHeaders=abc;zabc,Signature=4a41";
        let oss2 = "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request, \
                    Signature=4a41, AdditionalHeaders=abc;zabc";
        let a = parse_authorization(go).unwrap();
        let b = parse_authorization(oss2).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.access_key_id, "ak");
        assert_eq!(a.date, "20231216");
        assert_eq!(a.region, "cn-hangzhou");
        assert_eq!(a.product, "oss");
        assert_eq!(a.terminator, "aliyun_v4_request");
        assert_eq!(a.additional_headers, vec!["abc", "zabc"]);
        assert_eq!(a.signature, "4a41");
    }

    #[test]
    fn parse_authorization_rejects_malformed_headers() {
        assert_eq!(parse_authorization("OSS ak:sig"), Err(V4ParseError::NotV4));
        assert_eq!(
            parse_authorization("OSS4-HMAC-SHA256 Signature=ab"),
            Err(V4ParseError::MissingCredential)
        );
        assert_eq!(
            parse_authorization("OSS4-HMAC-SHA256 Credential=ak/20231216,Signature=ab"),
            Err(V4ParseError::MalformedCredential)
        );
        assert_eq!(
            parse_authorization(
                "OSS4-HMAC-SHA256 Credential=ak/d/r/oss/aliyun_v4_request,AdditionalHeaders=,Signature=ab"
            ),
            Err(V4ParseError::EmptyAdditionalHeaders)
        );
        assert_eq!(
            parse_authorization("OSS4-HMAC-SHA256 Credential=ak/d/r/oss/aliyun_v4_request"),
            Err(V4ParseError::MissingSignature)
        );
    }

    #[test]
    fn debug_output_hides_the_signature() {
        let headers = inventory_headers(&[]);
        let req = inventory_request("GET", &[], &headers);
        let signed = compute("sk", "cn-hangzhou", DATETIME_2022, &req);
        assert!(!format!("{signed:?}").contains(&signed.signature));
    }

    proptest! {
        #[test]
        fn signing_never_panics(
            method in "[A-Z]{0,8}",
            bucket in "\\PC{0,20}",
            key in "\\PC{0,40}",
            query in proptest::collection::vec(("\\PC{0,10}", "\\PC{0,10}"), 0..5),
            headers in proptest::collection::vec(("\\PC{0,12}", "\\PC{0,12}"), 0..6),
            additional in proptest::collection::vec("\\PC{0,8}", 0..3),
            secret in "\\PC{0,20}",
            region in "\\PC{0,12}",
            datetime in "\\PC{0,20}",
        ) {
            let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let additional: Vec<&str> = additional.iter().map(String::as_str).collect();
            let v4 = V4Request { method: &method, bucket: &bucket, key: &key, query: &query, headers: &headers, additional_headers: &additional };
            let auth = authorization("ak", &secret, &region, &datetime, &v4);
            prop_assert!(auth.starts_with(ALGORITHM));
            let v1 = super::super::signer_v1::V1Request { method: &method, bucket: &bucket, key: &key, query: &query, headers: &headers };
            let auth = super::super::signer_v1::authorization("ak", &secret, &v1);
            prop_assert!(auth.starts_with("OSS ak:"));
        }

        #[test]
        fn parse_authorization_never_panics(value in "\\PC{0,120}") {
            let _ = parse_authorization(&value);
            let _ = super::super::signer_v1::parse_authorization(&value);
        }
    }
}
