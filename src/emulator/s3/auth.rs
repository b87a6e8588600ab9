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

use crate::emulator::clock;
use crate::emulator::config::S3Credential;
use crate::emulator::errors::{ApiError, hex_bytes};
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

/// Verifies the SigV4 signature of `request` for a bucket in `bucket_region`; `None` accepts
/// the scope's own region (a service-level request to a host that names no region).
///
/// # Errors
/// The S3 answer for the first check that fails (see the module documentation).
pub fn verify(
    credentials: &[S3Credential],
    bucket_region: Option<&str>,
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
    if let Some(bucket_region) = bucket_region
        && auth.region != bucket_region
    {
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
#[path = "auth_tests.rs"]
mod tests;
