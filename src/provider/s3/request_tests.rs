//! Tests of the S3 request builder: the exact wire form, and signatures checked against a
//! SigV4 computation written out here independently of `aws-sigv4`.

use super::*;
use std::time::{Duration, UNIX_EPOCH};

use url::Url;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// 2026-02-21T12:00:00Z.
fn fixed_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_771_675_200)
}

const AKID: &str = "AKIDEXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn target() -> Target<'static> {
    Target {
        bucket: "examplebucket",
        region: "us-east-1",
        addressing: Addressing::default(),
        expected_bucket_owner: None,
    }
}

/// The value of header `name` of `req` (any case).
fn header<'a>(req: &'a SignedRequest, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The SigV4 `Authorization` value for `canonical_request`, by the steps of the AWS
/// documentation: string to sign, derived key, signature.
fn expected_authorization(canonical_request: &str, signed_headers: &str) -> String {
    let scope = "20260221/us-east-1/s3/aws4_request";
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n20260221T120000Z\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let key = ["20260221", "us-east-1", "s3", "aws4_request"]
        .iter()
        .fold(format!("AWS4{SECRET}").into_bytes(), |key, part| {
            hmac(&key, part)
        });
    let signature = hex::encode(hmac(&key, &string_to_sign));
    format!(
        "AWS4-HMAC-SHA256 Credential={AKID}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"
    )
}

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

#[test]
fn a_list_request_is_virtual_hosted_and_signs_host_date_and_payload_hash() {
    let req = sign(
        &InventoryCall::List {
            continuation_token: None,
        },
        target(),
        &Credentials::new(AKID, SECRET),
        fixed_time(),
    )
    .unwrap();
    assert_eq!(req.method, "GET");
    assert_eq!(
        req.url.as_str(),
        "https://examplebucket.s3.us-east-1.amazonaws.com/?inventory"
    );
    assert_eq!(header(&req, "x-amz-date"), Some("20260221T120000Z"));
    assert_eq!(header(&req, "x-amz-content-sha256"), Some(EMPTY_SHA256));
    assert_eq!(header(&req, "x-amz-security-token"), None);
    assert_eq!(header(&req, "content-type"), None);
    let canonical = format!(
        "GET\n/\ninventory=\nhost:examplebucket.s3.us-east-1.amazonaws.com\n\
         x-amz-content-sha256:{EMPTY_SHA256}\nx-amz-date:20260221T120000Z\n\n\
         host;x-amz-content-sha256;x-amz-date\n{EMPTY_SHA256}"
    );
    assert_eq!(
        header(&req, "authorization").unwrap(),
        expected_authorization(&canonical, "host;x-amz-content-sha256;x-amz-date")
    );
}

#[test]
fn a_put_signs_the_body_hash_content_type_owner_and_session_token() {
    let body = "<InventoryConfiguration><Id>a+b</Id></InventoryConfiguration>";
    let body_hash = hex::encode(Sha256::digest(body.as_bytes()));
    let endpoint = Url::parse("http://127.0.0.1:9000").unwrap();
    let req = sign(
        &InventoryCall::Put { id: "a+b", body },
        Target {
            addressing: Addressing {
                endpoint: Some(&endpoint),
                force_path_style: false,
            },
            expected_bucket_owner: Some("111122223333"),
            ..target()
        },
        &Credentials::new(AKID, SECRET).with_security_token("session/token="),
        fixed_time(),
    )
    .unwrap();
    assert_eq!(req.method, "PUT");
    assert_eq!(
        req.url.as_str(),
        "http://127.0.0.1:9000/examplebucket?id=a%2Bb&inventory"
    );
    assert_eq!(req.body, body.as_bytes());
    assert_eq!(
        header(&req, "x-amz-content-sha256"),
        Some(body_hash.as_str())
    );
    assert_eq!(
        header(&req, "x-amz-expected-bucket-owner"),
        Some("111122223333")
    );
    assert_eq!(header(&req, "x-amz-security-token"), Some("session/token="));
    assert_eq!(header(&req, "content-type"), Some("application/xml"));
    let signed = "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-expected-bucket-owner;x-amz-security-token";
    let canonical = format!(
        "PUT\n/examplebucket\nid=a%2Bb&inventory=\ncontent-type:application/xml\n\
         host:127.0.0.1:9000\nx-amz-content-sha256:{body_hash}\nx-amz-date:20260221T120000Z\n\
         x-amz-expected-bucket-owner:111122223333\nx-amz-security-token:session/token=\n\n\
         {signed}\n{body_hash}"
    );
    assert_eq!(
        header(&req, "authorization").unwrap(),
        expected_authorization(&canonical, signed)
    );
}

#[test]
fn a_continuation_token_is_encoded_as_it_is_signed() {
    let req = sign(
        &InventoryCall::List {
            continuation_token: Some("tok/en+1= x"),
        },
        target(),
        &Credentials::new(AKID, SECRET),
        fixed_time(),
    )
    .unwrap();
    assert_eq!(
        req.url.query(),
        Some("continuation-token=tok%2Fen%2B1%3D%20x&inventory")
    );
    let canonical = format!(
        "GET\n/\ncontinuation-token=tok%2Fen%2B1%3D%20x&inventory=\n\
         host:examplebucket.s3.us-east-1.amazonaws.com\n\
         x-amz-content-sha256:{EMPTY_SHA256}\nx-amz-date:20260221T120000Z\n\n\
         host;x-amz-content-sha256;x-amz-date\n{EMPTY_SHA256}"
    );
    assert_eq!(
        header(&req, "authorization").unwrap(),
        expected_authorization(&canonical, "host;x-amz-content-sha256;x-amz-date")
    );
}

#[test]
fn get_and_delete_name_the_id_in_the_query() {
    for (call, method) in [
        (InventoryCall::Get { id: "list1" }, "GET"),
        (InventoryCall::Delete { id: "list1" }, "DELETE"),
    ] {
        let req = sign(
            &call,
            target(),
            &Credentials::new(AKID, SECRET),
            fixed_time(),
        )
        .unwrap();
        assert_eq!(req.method, method);
        assert_eq!(req.url.query(), Some("id=list1&inventory"));
        assert!(req.body.is_empty());
        assert_eq!(header(&req, "content-type"), None);
    }
}

#[test]
fn an_invalid_bucket_is_refused_before_signing() {
    let err = sign(
        &InventoryCall::Get { id: "a" },
        Target {
            bucket: "evil.com/x",
            ..target()
        },
        &Credentials::new(AKID, SECRET),
        fixed_time(),
    )
    .unwrap_err();
    assert!(matches!(err, RequestError::Url(_)), "{err}");
}

#[test]
fn debug_output_shows_no_header() {
    let req = sign(
        &InventoryCall::Delete { id: "report1" },
        target(),
        &Credentials::new(AKID, SECRET).with_security_token("secret-token"),
        fixed_time(),
    )
    .unwrap();
    let shown = format!("{req:?}");
    assert!(!shown.contains("secret-token"));
    assert!(!shown.contains("Signature="));
    assert!(!shown.contains(SECRET));
}

#[test]
fn a_get_object_sends_and_signs_the_key_encoded_once() {
    let req = sign(
        &InventoryCall::GetObject {
            key: "inv/src/daily/2026-02-21T00-00Z/manifest json",
        },
        target(),
        &Credentials::new(AKID, SECRET),
        fixed_time(),
    )
    .unwrap();
    assert_eq!(
        req.url.as_str(),
        "https://examplebucket.s3.us-east-1.amazonaws.com/inv/src/daily/2026-02-21T00-00Z/manifest%20json"
    );
    let canonical = format!(
        "GET\n/inv/src/daily/2026-02-21T00-00Z/manifest%20json\n\n\
         host:examplebucket.s3.us-east-1.amazonaws.com\n\
         x-amz-content-sha256:{EMPTY_SHA256}\nx-amz-date:20260221T120000Z\n\n\
         host;x-amz-content-sha256;x-amz-date\n{EMPTY_SHA256}"
    );
    assert_eq!(
        header(&req, "authorization").unwrap(),
        expected_authorization(&canonical, "host;x-amz-content-sha256;x-amz-date")
    );
}

#[test]
fn a_path_style_listing_and_policy_read_carry_their_parameters_sorted() {
    let endpoint = Url::parse("http://127.0.0.1:9000").unwrap();
    let path_style = Target {
        addressing: Addressing {
            endpoint: Some(&endpoint),
            force_path_style: false,
        },
        ..target()
    };
    let params = [
        ("prefix", "inv/src/"),
        ("delimiter", "/"),
        ("marker", "inv/src/2026-02-19T12-00Z"),
        ("max-keys", "1000"),
    ];
    let credentials = Credentials::new(AKID, SECRET);
    let list = sign(
        &InventoryCall::ListObjects { params: &params },
        path_style,
        &credentials,
        fixed_time(),
    )
    .unwrap();
    assert_eq!(
        list.url.as_str(),
        "http://127.0.0.1:9000/examplebucket?delimiter=%2F&marker=inv%2Fsrc%2F2026-02-19T12-00Z&max-keys=1000&prefix=inv%2Fsrc%2F"
    );
    let object = sign(
        &InventoryCall::GetObject { key: "a/b" },
        path_style,
        &credentials,
        fixed_time(),
    )
    .unwrap();
    assert_eq!(
        object.url.as_str(),
        "http://127.0.0.1:9000/examplebucket/a/b"
    );
    let policy = sign(
        &InventoryCall::GetBucketPolicy,
        target(),
        &credentials,
        fixed_time(),
    )
    .unwrap();
    assert_eq!(
        policy.url.as_str(),
        "https://examplebucket.s3.us-east-1.amazonaws.com/?policy"
    );
}
