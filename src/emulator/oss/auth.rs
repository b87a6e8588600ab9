//! OSS signature verification, V1 (`OSS ak:sig`) and V4 (`OSS4-HMAC-SHA256`), with the
//! client's own signers.
//!
//! V1 signs only whitelisted sub-resources, decoded; V4 signs every query parameter,
//! re-encoded, so both are rebuilt from the decoded parameters, never from the raw query.
//! Either way the request time must lie within 15 minutes of the server's (the documented
//! window), else 403 `RequestTimeTooSkewed`.

use std::time::{Duration, SystemTime};

use super::ec;
use crate::emulator::clock;
use crate::emulator::config::{EmulatorConfig, find_secret};
use crate::emulator::errors::{ApiError, hex_bytes};
use crate::emulator::route::ApiRequest;
use crate::emulator::wire::{WireRequest, as_pairs};
use crate::model::Provider;
use crate::provider::oss::{signer_v1, signer_v4};

/// The documented maximum difference between request and server time.
pub(crate) const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// Checks the OSS signature of a request.
///
/// # Errors
/// 403 `AccessDenied` (anonymous), 400 `InvalidArgument` (unreadable Authorization),
/// 403 `InvalidAccessKeyId`, 403 `RequestTimeTooSkewed`, 403 `SignatureDoesNotMatch`.
pub(crate) fn verify(
    config: &EmulatorConfig,
    request: &ApiRequest,
    wire: &WireRequest<'_>,
    now: SystemTime,
) -> Result<(), ApiError> {
    let Some(value) = wire.headers.get("authorization") else {
        return Err(ApiError::new(403, "AccessDenied", "AccessDenied").with_ec(ec::ACCESS_DENIED));
    };
    let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
    let headers = wire.owned_headers();
    let headers = as_pairs(&headers);
    let query = as_pairs(&request.params);
    let signed = Signed {
        method: wire.method,
        bucket: &request.bucket,
        key: &request.key,
        headers: &headers,
        query: &query,
    };
    if value.trim_start().starts_with(signer_v4::ALGORITHM) {
        verify_v4(config, request, &signed, &value, now)
    } else {
        verify_v1(config, &signed, &value, now)
    }
}

/// What a request signs, borrowed from it.
struct Signed<'a> {
    method: &'a str,
    bucket: &'a str,
    /// The object key; empty for bucket calls.
    key: &'a str,
    headers: &'a [(&'a str, &'a str)],
    query: &'a [(&'a str, &'a str)],
}

fn header<'a>(headers: &[(&'a str, &'a str)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

fn lookup_secret<'c>(config: &'c EmulatorConfig, key_id: &str) -> Result<&'c str, ApiError> {
    find_secret(config.accepted_keys(Provider::OSS), key_id).ok_or_else(|| {
        ApiError::new(
            403,
            "InvalidAccessKeyId",
            "The OSS Access Key Id you provided does not exist in our records.",
        )
        .with_ec(ec::INVALID_ACCESS_KEY)
        .with_extra("OSSAccessKeyId", key_id)
    })
}

fn check_skew(request_time: SystemTime, raw: &str, now: SystemTime) -> Result<(), ApiError> {
    if clock::distance(request_time, now) <= MAX_SKEW {
        return Ok(());
    }
    Err(ApiError::new(
        403,
        "RequestTimeTooSkewed",
        "The difference between the request time and the current time is too large.",
    )
    .with_ec(ec::TIME_TOO_SKEWED)
    .with_extra("RequestTime", raw)
    .with_extra("ServerTime", clock::iso8601(now))
    .with_extra(
        "MaxAllowedSkewMilliseconds",
        MAX_SKEW.as_millis().to_string(),
    ))
}

fn mismatch(ec: &str, key_id: &str, provided: &str, string_to_sign: &str) -> ApiError {
    ApiError::new(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. \
         Check your key and signing method.",
    )
    .with_ec(ec)
    .with_extra("OSSAccessKeyId", key_id)
    .with_extra("SignatureProvided", provided)
    .with_extra("StringToSign", string_to_sign)
    .with_extra("StringToSignBytes", hex_bytes(string_to_sign))
}

fn verify_v1(
    config: &EmulatorConfig,
    signed: &Signed<'_>,
    value: &str,
    now: SystemTime,
) -> Result<(), ApiError> {
    let auth = signer_v1::parse_authorization(value)
        .ok_or_else(|| ApiError::invalid_argument("Authorization header is invalid."))?;
    let secret = lookup_secret(config, &auth.access_key_id)?;
    // x-oss-date wins over Date, as in the string to sign.
    let date = header(signed.headers, "x-oss-date")
        .or_else(|| header(signed.headers, "date"))
        .ok_or_else(|| {
            ApiError::new(403, "AccessDenied", "The Date header is missing.")
                .with_ec(ec::ACCESS_DENIED)
        })?;
    let request_time = httpdate::parse_http_date(date.trim()).map_err(|_| {
        ApiError::new(
            403,
            "AccessDenied",
            "The Date header is not a valid HTTP date.",
        )
        .with_ec(ec::ACCESS_DENIED)
    })?;
    check_skew(request_time, date, now)?;
    let request = signer_v1::V1Request {
        method: signed.method,
        bucket: signed.bucket,
        key: signed.key,
        query: signed.query,
        headers: signed.headers,
    };
    let string_to_sign = signer_v1::string_to_sign(&request);
    if signer_v1::signature(secret, &string_to_sign) == auth.signature {
        return Ok(());
    }
    Err(mismatch(
        ec::SIGNATURE_V1,
        &auth.access_key_id,
        &auth.signature,
        &string_to_sign,
    ))
}

fn verify_v4(
    config: &EmulatorConfig,
    request: &ApiRequest,
    signed: &Signed<'_>,
    value: &str,
    now: SystemTime,
) -> Result<(), ApiError> {
    let invalid_credential = || {
        ApiError::invalid_argument("Invalid credential in Authorization header.")
            .with_ec(ec::INVALID_CREDENTIAL_V4)
    };
    let auth = signer_v4::parse_authorization(value).map_err(|_| invalid_credential())?;
    if auth.product != signer_v4::PRODUCT || auth.terminator != signer_v4::TERMINATOR {
        return Err(invalid_credential());
    }
    let secret = lookup_secret(config, &auth.access_key_id)?;
    if let Some(region) = &request.region
        && *region != auth.region
    {
        return Err(ApiError::invalid_argument(format!(
            "Invalid signing region in Authorization header: {} does not match the endpoint's region {region}.",
            auth.region
        ))
        .with_ec(ec::SIGNING_REGION_MISMATCH));
    }
    let datetime = header(signed.headers, "x-oss-date").ok_or_else(|| {
        ApiError::new(403, "AccessDenied", "The x-oss-date header is missing.")
            .with_ec(ec::ACCESS_DENIED)
    })?;
    let datetime = datetime.trim();
    let request_time = clock::parse_iso8601_basic(datetime).ok_or_else(|| {
        ApiError::new(
            403,
            "AccessDenied",
            "The x-oss-date header is not yyyymmddTHHMMSSZ.",
        )
        .with_ec(ec::ACCESS_DENIED)
    })?;
    check_skew(request_time, datetime, now)?;
    let additional: Vec<&str> = auth.additional_headers.iter().map(String::as_str).collect();
    let computed = signer_v4::compute(
        secret,
        &auth.region,
        datetime,
        &signer_v4::V4Request {
            method: signed.method,
            bucket: signed.bucket,
            key: signed.key,
            query: signed.query,
            headers: signed.headers,
            additional_headers: &additional,
        },
    );
    if computed.signature.eq_ignore_ascii_case(&auth.signature) {
        return Ok(());
    }
    Err(mismatch(
        ec::SIGNATURE_V4,
        &auth.access_key_id,
        &auth.signature,
        &computed.string_to_sign,
    )
    .with_extra("CanonicalRequest", computed.canonical_request))
}
