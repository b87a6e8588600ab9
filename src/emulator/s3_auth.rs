//! Strict S3 signature verification (AWS Signature Version 4, header form) with the client's
//! own signer, rebuilt from what the request says it signed. Pure: credentials, the bucket's
//! region and the time are inputs.
//!
//! Checks, in the order S3 answers them: an `Authorization` header at all (403
//! `AccessDenied`); its form, service and terminator (400 `AuthorizationHeaderMalformed`); the
//! scope's region against the bucket's (400 `AuthorizationHeaderMalformed` naming the expected
//! region in `<Region>`, which SDKs use to re-sign); the access key (403 `InvalidAccessKeyId`);
//! `x-amz-date` and its 15-minute window (403 `AccessDenied` / `RequestTimeTooSkewed`);
//! `x-amz-content-sha256` against the body (400 `InvalidRequest` / `XAmzContentSHA256Mismatch`);
//! unsigned `x-amz-*` headers (403 `AccessDenied`); the session token (403 `InvalidToken`); and
//! the signature (403 `SignatureDoesNotMatch`).

use std::time::{Duration, SystemTime};

use super::clock;
use super::config::S3Credential;
use super::errors::{ApiError, hex_bytes};
use crate::provider::s3::signer::{self, SigningRequest};

/// The documented maximum difference between request and server time.
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// What a received request says, decoded.
#[derive(Debug, Clone, Copy)]
pub struct S3Request<'a> {
    pub method: &'a str,
    /// The path as sent, percent-decoded (`/bucket` for path style, `/` virtual-hosted).
    pub path: &'a str,
    /// Every query parameter, decoded.
    pub query: &'a [(&'a str, &'a str)],
    /// Every header as received.
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

impl S3Request<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }
}

fn malformed(detail: &str) -> ApiError {
    ApiError::new(
        400,
        "AuthorizationHeaderMalformed",
        format!("The authorization header is malformed; {detail}"),
    )
}

fn access_denied(message: &str) -> ApiError {
    ApiError::new(403, "AccessDenied", message)
}

/// Verifies the SigV4 signature of `request` for a bucket in `bucket_region`.
///
/// # Errors
/// The S3 answer for the first check that fails (see the module documentation).
pub fn verify(
    credentials: &[S3Credential],
    bucket_region: &str,
    request: &S3Request<'_>,
    now: SystemTime,
) -> Result<(), ApiError> {
    let value = request
        .header("authorization")
        .ok_or_else(|| access_denied("Access Denied"))?;
    let auth = signer::parse_authorization(value).map_err(|e| match e {
        signer::ParseError::NotSigV4 => {
            ApiError::new(400, "InvalidArgument", "Unsupported Authorization Type")
                .with_extra("ArgumentName", "Authorization")
                .with_extra("ArgumentValue", value.split(' ').next().unwrap_or_default())
        }
        signer::ParseError::MalformedCredential => malformed(
            "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".",
        ),
        other => malformed(&format!("{other}.")),
    })?;
    if auth.service != signer::SERVICE {
        return Err(malformed(&format!(
            "incorrect service \"{}\". This endpoint belongs to \"{}\".",
            auth.service,
            signer::SERVICE
        )));
    }
    if auth.terminator != signer::TERMINATOR {
        return Err(malformed(&format!(
            "incorrect terminal \"{}\". This endpoint uses \"{}\".",
            auth.terminator,
            signer::TERMINATOR
        )));
    }
    if auth.region != bucket_region {
        return Err(malformed(&format!(
            "the region '{}' is wrong; expecting '{bucket_region}'",
            auth.region
        ))
        .with_extra("Region", bucket_region));
    }
    let credential = credentials
        .iter()
        .find(|c| c.access_key_id == auth.access_key_id)
        .ok_or_else(|| {
            ApiError::new(
                403,
                "InvalidAccessKeyId",
                "The AWS Access Key Id you provided does not exist in our records.",
            )
            .with_extra("AWSAccessKeyId", auth.access_key_id.clone())
        })?;
    let datetime = request.header("x-amz-date").ok_or_else(|| {
        access_denied("AWS authentication requires a valid Date or x-amz-date header")
    })?;
    let request_time = clock::parse_iso8601_basic(datetime).ok_or_else(|| {
        access_denied("AWS authentication requires a valid Date or x-amz-date header")
    })?;
    if signer::date_of(datetime) != auth.date {
        return Err(malformed(&format!(
            "Invalid credential date \"{}\". This date is not the same as X-Amz-Date: \"{}\".",
            auth.date,
            signer::date_of(datetime)
        )));
    }
    if clock::distance(request_time, now) > MAX_SKEW {
        return Err(ApiError::new(
            403,
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
        )
        .with_extra("RequestTime", datetime)
        .with_extra("ServerTime", clock::iso8601(now))
        .with_extra(
            "MaxAllowedSkewMilliseconds",
            MAX_SKEW.as_millis().to_string(),
        ));
    }
    let payload_hash = check_payload(request)?;
    check_all_signed(request, &auth.signed_headers)?;
    check_token(request, credential)?;
    let names: Vec<&str> = auth.signed_headers.iter().map(String::as_str).collect();
    let signing = SigningRequest {
        method: request.method,
        path: request.path,
        query: request.query,
        headers: request.headers,
        signed_headers: &names,
        payload_hash,
    };
    let computed = signer::compute(
        &credential.secret_access_key,
        &auth.region,
        signer::SERVICE,
        datetime,
        &signing,
    );
    if computed.signature.eq_ignore_ascii_case(&auth.signature) {
        return Ok(());
    }
    let canonical = match &credential.session_token {
        Some(token) => computed.canonical_request.replace(token.as_str(), "******"),
        None => computed.canonical_request,
    };
    Err(ApiError::new(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. \
         Check your key and signing method.",
    )
    .with_extra("AWSAccessKeyId", auth.access_key_id.clone())
    .with_extra("StringToSign", computed.string_to_sign.clone())
    .with_extra("SignatureProvided", auth.signature.clone())
    .with_extra("StringToSignBytes", hex_bytes(&computed.string_to_sign))
    .with_extra("CanonicalRequest", canonical.clone())
    .with_extra("CanonicalRequestBytes", hex_bytes(&canonical)))
}

/// The `x-amz-content-sha256` value, checked against the body unless it is `UNSIGNED-PAYLOAD`.
fn check_payload<'a>(request: &S3Request<'a>) -> Result<&'a str, ApiError> {
    let value = request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-content-sha256"))
        .map(|(_, v)| v.trim())
        .ok_or_else(|| {
            ApiError::new(
                400,
                "InvalidRequest",
                "Missing required header for this request: x-amz-content-sha256",
            )
        })?;
    if value == signer::UNSIGNED_PAYLOAD {
        return Ok(value);
    }
    if value.len() != 64 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::new(
            400,
            "InvalidArgument",
            "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, or a valid sha256 value.",
        )
        .with_extra("ArgumentName", "x-amz-content-sha256")
        .with_extra("ArgumentValue", value));
    }
    let actual = signer::payload_sha256(request.body);
    if !value.eq_ignore_ascii_case(&actual) {
        return Err(ApiError::new(
            400,
            "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        )
        .with_extra("ClientComputedContentSHA256", value)
        .with_extra("S3ComputedContentSHA256", actual));
    }
    Ok(value)
}

/// `host` and every `x-amz-*` header that was sent must be signed.
fn check_all_signed(request: &S3Request<'_>, signed: &[String]) -> Result<(), ApiError> {
    let is_signed = |name: &str| signed.iter().any(|s| s.eq_ignore_ascii_case(name));
    let mut unsigned: Vec<String> = request
        .headers
        .iter()
        .map(|(k, _)| k.to_ascii_lowercase())
        .filter(|k| (k == "host" || k.starts_with("x-amz-")) && !is_signed(k))
        .collect();
    unsigned.sort();
    unsigned.dedup();
    if unsigned.is_empty() {
        return Ok(());
    }
    Err(
        access_denied("There were headers present in the request which were not signed")
            .with_extra("HeadersNotSigned", unsigned.join(", ")),
    )
}

/// A temporary key must come with its token; a long-term key must come without one.
fn check_token(request: &S3Request<'_>, credential: &S3Credential) -> Result<(), ApiError> {
    let sent = request.header("x-amz-security-token");
    if sent == credential.session_token.as_deref() {
        return Ok(());
    }
    Err(ApiError::new(
        403,
        "InvalidToken",
        "The provided token is malformed or otherwise invalid.",
    ))
}

#[cfg(test)]
mod tests {
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

    /// A PUT signed the way an SDK signs it, with `edit` applied to the headers afterwards.
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
            bucket_region,
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
        assert!(string_to_sign.starts_with(
            "AWS4-HMAC-SHA256\n20260101T120000Z\n20260101/us-east-1/s3/aws4_request\n"
        ));
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
}
