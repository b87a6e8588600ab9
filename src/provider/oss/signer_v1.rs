//! OSS signature version 1 (`Authorization: OSS <AccessKeyId>:<Signature>`), as pure functions.
//!
//! Each stage of the algorithm is exposed on its own so that the emulator can rebuild what a
//! request signed and tests can check every stage against the official vectors:
//!
//! ```text
//! StringToSign = VERB \n Content-MD5 \n Content-Type \n Date \n
//!                CanonicalizedOSSHeaders CanonicalizedResource
//! Signature    = base64(HMAC-SHA1(AccessKeySecret, StringToSign))
//! ```

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use super::encoding::canonical_header_lines;

/// Query parameters that V1 signs; every other parameter is left out of the signature.
///
/// The union of the lists in oss2 (`ProviderAuth._subresource_key_set`) and the Go v1 SDK
/// (`signKeyList`), so that a request from either SDK verifies in the emulator. Sorted, for
/// binary search.
pub(crate) const SUB_RESOURCES: &[&str] = &[
    "accessPoint",
    "accessPointPolicy",
    "acl",
    "append",
    "archiveDirectRead",
    "asyncFetch",
    "attachPool",
    "bucketGroup",
    "bucketInfo",
    "callback",
    "callback-var",
    "cloudbox",
    "cloudboxes",
    "cname",
    "comp",
    "continuation-token",
    "cors",
    "dataRedundancyTransition",
    "delete",
    "encryption",
    "endTime",
    "group",
    "httpsConfig",
    "img",
    "inventory",
    "inventoryId",
    "lifecycle",
    "link",
    "live",
    "location",
    "logging",
    "metaQuery",
    "objectInfo",
    "objectMeta",
    "overwriteConfig",
    "partNumber",
    "policy",
    "policyStatus",
    "position",
    "processConfiguration",
    "publicAccessBlock",
    "qos",
    "qosInfo",
    "qosRequester",
    "redundancyTransition",
    "referer",
    "regionList",
    "regionsV2",
    "replication",
    "replicationLocation",
    "replicationProgress",
    "requestPayment",
    "requesterQosInfo",
    "reservedcapacity",
    "resourceGroup",
    "resourcePool",
    "resourcePoolBuckets",
    "resourcePoolInfo",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "responseHeader",
    "restore",
    "rtc",
    "security-token",
    "sequential",
    "startTime",
    "stat",
    "status",
    "style",
    "styleName",
    "symlink",
    "tagging",
    "transferAcceleration",
    "udf",
    "udfApplication",
    "udfApplicationLog",
    "udfId",
    "udfImage",
    "udfImageDesc",
    "udfName",
    "uploadId",
    "uploads",
    "userDefinedLogFieldsConfig",
    "versionId",
    "versioning",
    "versions",
    "vod",
    "website",
    "withHashContext",
    "worm",
    "wormExtend",
    "wormId",
    "x-oss-ac-forward-allow",
    "x-oss-ac-source-ip",
    "x-oss-ac-subnet-mask",
    "x-oss-ac-vpc-id",
    "x-oss-async-process",
    "x-oss-enable-md5",
    "x-oss-enable-sha1",
    "x-oss-enable-sha256",
    "x-oss-hash-ctx",
    "x-oss-md5-ctx",
    "x-oss-process",
    "x-oss-request-payer",
    "x-oss-traffic-limit",
];

/// True when V1 signs the query parameter `name` (case-sensitive, as OSS compares it).
pub(crate) fn is_sub_resource(name: &str) -> bool {
    SUB_RESOURCES.binary_search(&name).is_ok()
}

/// What V1 signs of one request. Header names are matched case-insensitively.
#[derive(Debug, Clone, Copy)]
pub struct V1Request<'a> {
    /// `GET`, `PUT`, `DELETE`, ...
    pub method: &'a str,
    /// The bucket name, whatever the URL style; empty for service-level requests.
    pub bucket: &'a str,
    /// The object key, not URL-encoded; empty for bucket operations.
    pub key: &'a str,
    /// Query parameters, already percent-decoded, in any order.
    pub query: &'a [(&'a str, &'a str)],
    /// Every request header, including `x-oss-date` / `Date` and any security token.
    pub headers: &'a [(&'a str, &'a str)],
}

/// The value of header `name` (case-insensitive), the first one when repeated.
fn header<'a>(headers: &[(&'a str, &'a str)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

/// `name:value\n` for every `x-oss-*` header: lowercase names, trimmed values, sorted by name,
/// repeated headers joined with `,`. Empty when there is none.
pub(crate) fn canonicalized_oss_headers(headers: &[(&str, &str)]) -> String {
    canonical_header_lines(headers, |name| name.starts_with("x-oss-"))
}

/// `/bucket/key` followed by `?` and the sorted sub-resources (`k=v`, bare `k` when the value
/// is empty), e.g. `/examplebucket/?continuation-token=tok/en+1=&inventory`.
///
/// `query` must be decoded: V1 signs decoded values.
pub(crate) fn canonicalized_resource(bucket: &str, key: &str, query: &[(&str, &str)]) -> String {
    let mut out = if bucket.is_empty() {
        "/".to_string()
    } else {
        format!("/{bucket}/{key}")
    };
    let mut subs: Vec<&(&str, &str)> = query.iter().filter(|(k, _)| is_sub_resource(k)).collect();
    subs.sort();
    for (i, (k, v)) in subs.into_iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        if !v.is_empty() {
            out.push('=');
            out.push_str(v);
        }
    }
    out
}

/// The full StringToSign. The date is `x-oss-date` when present, otherwise `Date`.
pub fn string_to_sign(request: &V1Request<'_>) -> String {
    let headers = request.headers;
    let date = header(headers, "x-oss-date")
        .or_else(|| header(headers, "date"))
        .unwrap_or("");
    format!(
        "{}\n{}\n{}\n{}\n{}{}",
        request.method,
        header(headers, "content-md5").unwrap_or("").trim(),
        header(headers, "content-type").unwrap_or("").trim(),
        date.trim(),
        canonicalized_oss_headers(headers),
        canonicalized_resource(request.bucket, request.key, request.query)
    )
}

/// `base64(HMAC-SHA1(secret, string_to_sign))`.
#[expect(clippy::expect_used, reason = "HMAC takes keys of any length")]
pub fn signature(access_key_secret: &str, string_to_sign: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(access_key_secret.as_bytes())
        .expect("HMAC accepts any key length");
    mac.update(string_to_sign.as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

/// The `Authorization` header value: `OSS <access_key_id>:<signature>`.
pub fn authorization(
    access_key_id: &str,
    access_key_secret: &str,
    request: &V1Request<'_>,
) -> String {
    let sts = string_to_sign(request);
    format!("OSS {access_key_id}:{}", signature(access_key_secret, &sts))
}

/// The parts of a received V1 `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V1Authorization {
    /// The AccessKeyId before the `:`.
    pub access_key_id: String,
    /// The base64 HMAC-SHA1 signature after the `:`.
    pub signature: String,
}

/// Parses `OSS <ak>:<signature>`; `None` when the header is not a V1 authorization.
pub fn parse_authorization(value: &str) -> Option<V1Authorization> {
    let rest = value.trim().strip_prefix("OSS ")?;
    let (ak, sig) = rest.trim().split_once(':')?;
    if ak.is_empty() || sig.is_empty() {
        return None;
    }
    Some(V1Authorization {
        access_key_id: ak.to_string(),
        signature: sig.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATE: &str = "Wed, 28 Dec 2022 10:27:41 GMT";

    fn put_nelson_headers() -> Vec<(&'static str, &'static str)> {
        vec![
            ("Content-MD5", "eB5eJF1ptWaXm4bijSPyxw=="),
            ("Content-Type", "text/html"),
            ("x-oss-meta-author", "alice"),
            ("x-oss-meta-magic", "abracadabra"),
            ("x-oss-date", DATE),
            ("Date", DATE),
        ]
    }

    fn bucket_request<'a>(
        method: &'a str,
        query: &'a [(&'a str, &'a str)],
        headers: &'a [(&'a str, &'a str)],
    ) -> V1Request<'a> {
        V1Request {
            method,
            bucket: "examplebucket",
            key: "",
            query,
            headers,
        }
    }

    #[test]
    fn sub_resource_list_is_sorted_for_binary_search() {
        let mut sorted = SUB_RESOURCES.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, SUB_RESOURCES);
        assert!(is_sub_resource("inventory"));
        assert!(is_sub_resource("inventoryId"));
        assert!(is_sub_resource("continuation-token"));
        assert!(!is_sub_resource("non-resousce"));
    }

    #[test]
    fn vector_v1_1_put_object_with_meta_headers() {
        let headers = put_nelson_headers();
        let req = V1Request {
            method: "PUT",
            bucket: "examplebucket",
            key: "nelson",
            query: &[],
            headers: &headers,
        };
        assert_eq!(
            string_to_sign(&req),
            "PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\n\
             x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\nx-oss-meta-author:alice\n\
             x-oss-meta-magic:abracadabra\n/examplebucket/nelson"
        );
        assert_eq!(
            authorization("ak", "sk", &req),
            "OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M="
        );
    }

    #[test]
    fn vector_v1_2_signs_the_acl_sub_resource() {
        let headers = put_nelson_headers();
        let req = V1Request {
            method: "PUT",
            bucket: "examplebucket",
            key: "nelson",
            query: &[("acl", "")],
            headers: &headers,
        };
        assert!(string_to_sign(&req).ends_with("\n/examplebucket/nelson?acl"));
        assert_eq!(
            authorization("ak", "sk", &req),
            "OSS ak:/afkugFbmWDQ967j1vr6zygBLQk="
        );
    }

    #[test]
    fn vector_v1_3_ignores_parameters_outside_the_whitelist() {
        let headers = [("x-oss-date", DATE)];
        let query = [("resourceGroup", ""), ("non-resousce", "null")];
        let req = bucket_request("GET", &query, &headers);
        assert_eq!(
            string_to_sign(&req),
            "GET\n\n\nWed, 28 Dec 2022 10:27:41 GMT\n\
             x-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\n/examplebucket/?resourceGroup"
        );
        assert_eq!(
            authorization("ak", "sk", &req),
            "OSS ak:vkQmfuUDyi1uDi3bKt67oemssIs="
        );
    }

    #[test]
    fn vector_v1_4_sorts_sub_resources() {
        let headers = [("x-oss-date", DATE)];
        let query = [("resourceGroup", ""), ("acl", "")];
        let req = bucket_request("GET", &query, &headers);
        assert!(string_to_sign(&req).ends_with("\n/examplebucket/?acl&resourceGroup"));
        assert_eq!(
            authorization("ak", "sk", &req),
            "OSS ak:x3E5TgOvl/i7PN618s5mEvpJDYk="
        );
    }

    #[test]
    fn vector_a1_get_inventory_without_content_headers() {
        let headers = [("Date", DATE)];
        let query = [("inventory", ""), ("inventoryId", "list1")];
        let req = bucket_request("GET", &query, &headers);
        assert_eq!(
            string_to_sign(&req),
            "GET\n\n\nWed, 28 Dec 2022 10:27:41 GMT\n/examplebucket/?inventory&inventoryId=list1"
        );
        assert_eq!(
            authorization("ak", "sk", &req),
            "OSS ak:mGBG57VKEuS34yM/gEQ/FWEQRlg="
        );
    }

    #[test]
    fn vector_a2_get_inventory_signs_content_md5_and_type() {
        let headers = [
            ("Date", DATE),
            ("Content-Type", "application/xml"),
            ("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="),
        ];
        let query = [("inventory", ""), ("inventoryId", "list1")];
        let req = bucket_request("GET", &query, &headers);
        assert_eq!(
            string_to_sign(&req),
            "GET\n1B2M2Y8AsgTpgAmY7PhCfg==\napplication/xml\nWed, 28 Dec 2022 10:27:41 GMT\n\
             /examplebucket/?inventory&inventoryId=list1"
        );
        assert_eq!(
            authorization("ak", "sk", &req),
            "OSS ak:a75zrCWsLa+GdLDdls643KkQHU0="
        );
    }

    #[test]
    fn vector_a3_put_inventory() {
        let headers = [
            ("Date", DATE),
            ("Content-Type", "application/xml"),
            ("Content-MD5", "339LMh9sOLSrXfhVPoZhzw=="),
        ];
        let query = [("inventory", ""), ("inventoryId", "report1")];
        let req = bucket_request("PUT", &query, &headers);
        assert_eq!(
            string_to_sign(&req),
            "PUT\n339LMh9sOLSrXfhVPoZhzw==\napplication/xml\nWed, 28 Dec 2022 10:27:41 GMT\n\
             /examplebucket/?inventory&inventoryId=report1"
        );
        assert_eq!(
            authorization("ak", "sk", &req),
            "OSS ak:Hs70JQ6OULt6fFvP5qdDegM9c5I="
        );
    }

    #[test]
    fn vector_a4_list_signs_the_decoded_continuation_token() {
        let headers = [("Date", DATE)];
        let decoded = crate::provider::oss::encoding::decode_query(
            "inventory&continuation-token=tok%2Fen%2B1%3D",
        );
        let query: Vec<(&str, &str)> = decoded
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let req = bucket_request("GET", &query, &headers);
        assert_eq!(
            string_to_sign(&req),
            "GET\n\n\nWed, 28 Dec 2022 10:27:41 GMT\n\
             /examplebucket/?continuation-token=tok/en+1=&inventory"
        );
        assert_eq!(
            authorization("ak", "sk", &req),
            "OSS ak:6412yp8B6TWUNUKYz/8CyO670Fg="
        );
    }

    #[test]
    fn vector_a5_delete_with_security_token_signs_the_token_header() {
        let headers = [("Date", DATE), ("x-oss-security-token", "token")];
        let query = [("inventory", ""), ("inventoryId", "report1")];
        let req = bucket_request("DELETE", &query, &headers);
        assert_eq!(
            string_to_sign(&req),
            "DELETE\n\n\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-security-token:token\n\
             /examplebucket/?inventory&inventoryId=report1"
        );
        assert_eq!(
            authorization("ak", "sk", &req),
            "OSS ak:oRGF8eObO/tAQ2chhueZp1cfkeM="
        );
    }

    #[test]
    fn vector_a6_empty_continuation_token_is_a_bare_key() {
        let headers = [("Date", DATE)];
        let query = [("inventory", ""), ("continuation-token", "")];
        let req = bucket_request("GET", &query, &headers);
        assert_eq!(
            string_to_sign(&req),
            "GET\n\n\nWed, 28 Dec 2022 10:27:41 GMT\n/examplebucket/?continuation-token&inventory"
        );
        assert_eq!(
            authorization("ak", "sk", &req),
            "OSS ak:Z2ajCJf3ri2pYO9PAucUZVDXWb4="
        );
    }

    #[test]
    fn x_oss_date_wins_over_date() {
        let headers = [
            ("Date", "Thu, 01 Jan 1970 00:00:00 GMT"),
            ("X-OSS-Date", DATE),
        ];
        let req = bucket_request("GET", &[], &headers);
        assert!(string_to_sign(&req).starts_with("GET\n\n\nWed, 28 Dec 2022 10:27:41 GMT\n"));
    }

    #[test]
    fn repeated_oss_headers_are_joined_with_commas() {
        let headers = [
            ("x-oss-meta-a", " 1 "),
            ("X-Oss-Meta-A", "2"),
            ("x-oss-b", "3"),
        ];
        assert_eq!(
            canonicalized_oss_headers(&headers),
            "x-oss-b:3\nx-oss-meta-a:1,2\n"
        );
    }

    #[test]
    fn parse_authorization_splits_key_id_and_signature() {
        let parsed = parse_authorization("OSS ak:mGBG57VKEuS34yM/gEQ/FWEQRlg=").unwrap();
        assert_eq!(parsed.access_key_id, "ak");
        assert_eq!(parsed.signature, "mGBG57VKEuS34yM/gEQ/FWEQRlg=");
        assert_eq!(parse_authorization("OSS4-HMAC-SHA256 Credential=x"), None);
        assert_eq!(parse_authorization("OSS :sig"), None);
    }
}
