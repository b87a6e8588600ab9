//! Tests of the S3 signature checks: SDK-shaped requests signed with the crate's signer, then
//! altered one way at a time.

use super::*;
use std::time::UNIX_EPOCH;

const KEY: &str = "AKIAINVSYNCEMULATOR0";
const SECRET: &str = "s3-emulator-secret";
const TEMP_KEY: &str = "ASIAINVSYNCEMULATOR0";
const TOKEN: &str = "session-token/with+chars=";
const DATETIME: &str = "20260101T120000Z";
const BODY: &[u8] = b"<InventoryConfiguration/>";

fn now() -> SystemTime {
    clock::parse_iso8601_basic(DATETIME).unwrap()
}

fn credentials() -> Vec<S3Credential> {
    vec![
        S3Credential {
            access_key_id: KEY.into(),
            secret_access_key: SECRET.into(),
            session_token: None,
        },
        S3Credential {
            access_key_id: TEMP_KEY.into(),
            secret_access_key: SECRET.into(),
            session_token: Some(TOKEN.into()),
        },
    ]
}

/// A PUT as an SDK signs it; tests then alter one part.
struct Signed {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

const QUERY: &[(&str, &str)] = &[("inventory", ""), ("id", "report-1")];

fn sign(key: &str, secret: &str, region: &str, token: Option<&str>) -> Signed {
    let mut headers = vec![
        ("host".to_string(), "127.0.0.1:9000".to_string()),
        ("x-amz-date".to_string(), DATETIME.to_string()),
        (
            "x-amz-content-sha256".to_string(),
            signer::payload_sha256(BODY),
        ),
        ("content-type".to_string(), "application/xml".to_string()),
    ];
    if let Some(token) = token {
        headers.push(("x-amz-security-token".to_string(), token.to_string()));
    }
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let names: Vec<&str> = pairs.iter().map(|(k, _)| *k).collect();
    let request = SigningRequest {
        method: "PUT",
        path: "/bucket",
        query: QUERY,
        headers: &pairs,
        signed_headers: &names,
        payload_hash: &signer::payload_sha256(BODY),
    };
    let auth = signer::authorization(key, secret, region, signer::SERVICE, DATETIME, &request);
    headers.push(("authorization".to_string(), auth));
    Signed {
        headers,
        body: BODY.to_vec(),
    }
}

fn check(signed: &Signed, bucket_region: &str, now: SystemTime) -> Result<(), ApiError> {
    let headers: Vec<(&str, &str)> = signed
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    verify(
        &credentials(),
        Some(bucket_region),
        &S3Request {
            method: "PUT",
            path: "/bucket",
            query: QUERY,
            headers: &headers,
            body: &signed.body,
        },
        now,
    )
}

fn set(signed: &mut Signed, name: &str, value: &str) {
    signed.headers.retain(|(k, _)| k != name);
    signed.headers.push((name.to_string(), value.to_string()));
}

fn code(result: Result<(), ApiError>) -> (u16, String) {
    let e = result.unwrap_err();
    (e.status, e.code)
}

#[test]
fn a_correctly_signed_request_passes() {
    assert_eq!(
        check(&sign(KEY, SECRET, "eu-west-1", None), "eu-west-1", now()),
        Ok(())
    );
}

#[test]
fn a_temporary_key_passes_only_with_its_session_token() {
    let with = sign(TEMP_KEY, SECRET, "us-east-1", Some(TOKEN));
    assert_eq!(check(&with, "us-east-1", now()), Ok(()));
    let without = sign(TEMP_KEY, SECRET, "us-east-1", None);
    assert_eq!(
        code(check(&without, "us-east-1", now())),
        (403, "InvalidToken".into())
    );
    let other = sign(TEMP_KEY, SECRET, "us-east-1", Some("another-token"));
    assert_eq!(
        code(check(&other, "us-east-1", now())),
        (403, "InvalidToken".into())
    );
    let long_term_with_token = sign(KEY, SECRET, "us-east-1", Some(TOKEN));
    assert_eq!(
        code(check(&long_term_with_token, "us-east-1", now())),
        (403, "InvalidToken".into())
    );
}

#[test]
fn an_unknown_key_is_invalid_access_key_id() {
    let signed = sign("AKIAUNKNOWN", SECRET, "us-east-1", None);
    assert_eq!(
        code(check(&signed, "us-east-1", now())),
        (403, "InvalidAccessKeyId".into())
    );
}

#[test]
fn a_wrong_secret_is_signature_does_not_match_without_revealing_the_secret() {
    let signed = sign(KEY, "wrong-secret", "us-east-1", None);
    let error = check(&signed, "us-east-1", now()).unwrap_err();
    assert_eq!(
        (error.status, error.code.as_str()),
        (403, "SignatureDoesNotMatch")
    );
    let string_to_sign = &error
        .extra
        .iter()
        .find(|(k, _)| *k == "StringToSign")
        .unwrap()
        .1;
    assert!(
        string_to_sign.starts_with(
            "AWS4-HMAC-SHA256\n20260101T120000Z\n20260101/us-east-1/s3/aws4_request\n"
        )
    );
    assert!(error.extra.iter().all(|(_, v)| !v.contains(SECRET)));
}

#[test]
fn a_tampered_request_is_signature_does_not_match() {
    let mut signed = sign(KEY, SECRET, "us-east-1", None);
    set(&mut signed, "content-type", "text/plain");
    assert_eq!(
        code(check(&signed, "us-east-1", now())),
        (403, "SignatureDoesNotMatch".into())
    );
}

#[test]
fn a_scope_in_another_region_is_authorization_header_malformed_naming_the_bucket_region() {
    let signed = sign(KEY, SECRET, "us-east-1", None);
    let error = check(&signed, "eu-central-1", now()).unwrap_err();
    assert_eq!(
        (error.status, error.code.as_str()),
        (400, "AuthorizationHeaderMalformed")
    );
    assert_eq!(
        error.message,
        "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-central-1'"
    );
    assert_eq!(error.extra, vec![("Region", "eu-central-1".to_string())]);
}

#[test]
fn more_than_fifteen_minutes_of_skew_is_request_time_too_skewed() {
    let signed = sign(KEY, SECRET, "us-east-1", None);
    let late = now() + Duration::from_secs(15 * 60 + 1);
    assert_eq!(
        code(check(&signed, "us-east-1", late)),
        (403, "RequestTimeTooSkewed".into())
    );
    let early = now() - Duration::from_secs(15 * 60 + 1);
    assert_eq!(
        code(check(&signed, "us-east-1", early)),
        (403, "RequestTimeTooSkewed".into())
    );
    assert_eq!(
        check(&signed, "us-east-1", now() + Duration::from_secs(15 * 60)),
        Ok(())
    );
}

#[test]
fn the_payload_hash_must_match_the_body() {
    let mut signed = sign(KEY, SECRET, "us-east-1", None);
    signed.body = b"<InventoryConfiguration>changed</InventoryConfiguration>".to_vec();
    assert_eq!(
        code(check(&signed, "us-east-1", now())),
        (400, "XAmzContentSHA256Mismatch".into())
    );
    let mut missing = sign(KEY, SECRET, "us-east-1", None);
    missing.headers.retain(|(k, _)| k != "x-amz-content-sha256");
    assert_eq!(
        code(check(&missing, "us-east-1", now())),
        (400, "InvalidRequest".into())
    );
    let mut streaming = sign(KEY, SECRET, "us-east-1", None);
    set(
        &mut streaming,
        "x-amz-content-sha256",
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    );
    assert_eq!(
        code(check(&streaming, "us-east-1", now())),
        (400, "InvalidArgument".into())
    );
}

#[test]
fn unsigned_x_amz_headers_are_access_denied() {
    let mut signed = sign(KEY, SECRET, "us-east-1", None);
    signed
        .headers
        .push(("x-amz-expected-bucket-owner".into(), "111122223333".into()));
    let error = check(&signed, "us-east-1", now()).unwrap_err();
    assert_eq!((error.status, error.code.as_str()), (403, "AccessDenied"));
    assert_eq!(
        error.extra,
        vec![(
            "HeadersNotSigned",
            "x-amz-expected-bucket-owner".to_string()
        )]
    );
}

#[test]
fn missing_or_foreign_authorization_is_refused() {
    let mut anonymous = sign(KEY, SECRET, "us-east-1", None);
    anonymous.headers.retain(|(k, _)| k != "authorization");
    assert_eq!(
        code(check(&anonymous, "us-east-1", now())),
        (403, "AccessDenied".into())
    );
    let mut wrong_service = sign(KEY, SECRET, "us-east-1", None);
    let auth = wrong_service
        .headers
        .last()
        .unwrap()
        .1
        .replace("/s3/", "/ec2/");
    set(&mut wrong_service, "authorization", &auth);
    assert_eq!(
        code(check(&wrong_service, "us-east-1", now())),
        (400, "AuthorizationHeaderMalformed".into())
    );
    let mut no_date = sign(KEY, SECRET, "us-east-1", None);
    no_date.headers.retain(|(k, _)| k != "x-amz-date");
    assert_eq!(
        code(check(&no_date, "us-east-1", now())),
        (403, "AccessDenied".into())
    );
}

#[test]
fn debug_output_hides_secret_and_token() {
    let shown = format!("{:?}", credentials());
    assert!(shown.contains(TEMP_KEY));
    assert!(!shown.contains(SECRET) && !shown.contains(TOKEN));
}

#[test]
fn the_epoch_is_far_outside_the_window() {
    let signed = sign(KEY, SECRET, "us-east-1", None);
    assert_eq!(
        code(check(&signed, "us-east-1", UNIX_EPOCH)),
        (403, "RequestTimeTooSkewed".into())
    );
}
