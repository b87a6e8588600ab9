//! COS signature verification (cos-api.md §4.2), with the client's own signer.
//!
//! The canonical strings are rebuilt only from the headers and parameters the request says it
//! signed (`q-header-list`, `q-url-param-list`); everything else it carries is ignored, as the
//! service does. An unsigned `x-cos-security-token` is therefore accepted (cos-nodejs-sdk-v5
//! adds it after signing).

use std::time::SystemTime;

use crate::emulator::clock;
use crate::emulator::config::{EmulatorConfig, find_secret};
use crate::emulator::errors::ApiError;
use crate::emulator::route::{ApiRequest, strip_port};
use crate::emulator::wire::WireRequest;
use crate::model::Provider;
use crate::provider::cos::signer::{self, Authorization};

/// Checks the COS signature of a request.
///
/// # Errors
/// 403 `AccessDenied` (no or unreadable authorization; window expired or not yet started,
/// "Request has expired" with `ServerTime`), 403 `InvalidAccessKeyId`, 403
/// `SignatureDoesNotMatch` (with `StringToSign` and `FormatString`).
pub(crate) fn verify(
    config: &EmulatorConfig,
    request: &ApiRequest,
    wire: &WireRequest<'_>,
    now: SystemTime,
) -> Result<(), ApiError> {
    let auth = read_authorization(request, wire)?;
    if !auth.algorithm.eq_ignore_ascii_case("sha1") {
        return Err(ApiError::new(
            403,
            "AccessDenied",
            "The q-sign-algorithm you specified is not supported.",
        ));
    }
    let secret =
        find_secret(config.accepted_keys(Provider::COS), &auth.secret_id).ok_or_else(|| {
            ApiError::new(
                403,
                "InvalidAccessKeyId",
                "The access key Id format you provided is invalid.",
            )
        })?;
    let now_secs = clock::unix_secs(now);
    let tolerance = config.clock_skew_tolerance.as_secs();
    if now_secs.saturating_add(tolerance) < auth.key_time.start
        || now_secs > auth.key_time.end.saturating_add(tolerance)
    {
        return Err(ApiError::new(403, "AccessDenied", "Request has expired")
            .with_extra("ServerTime", clock::iso8601(now)));
    }

    let params: Vec<(&str, &str)> = request
        .params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut headers: Vec<(String, String)> = wire
        .headers
        .iter()
        .filter(|(name, _)| name.as_str() != "host")
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    headers.push(("host".into(), wire.host.to_string()));
    let recompute = |headers: &[(String, String)]| {
        let refs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        signer::recompute(&auth, wire.method, &request.path, &params, &refs, secret)
    };
    let signed = recompute(&headers);
    if signed.matches(&auth.signature) {
        return Ok(());
    }
    // cos-python-sdk-v5 signs `host` without the port it sends; real COS never sees a port.
    let bare_host = strip_port(wire.host);
    if bare_host != wire.host {
        if let Some(host) = headers.last_mut() {
            host.1 = bare_host.to_string();
        }
        if recompute(&headers).matches(&auth.signature) {
            return Ok(());
        }
    }
    Err(ApiError::new(
        403,
        "SignatureDoesNotMatch",
        "The Signature you specified is invalid.",
    )
    .with_extra("StringToSign", signed.string_to_sign)
    .with_extra("FormatString", signed.http_string))
}

/// The `Authorization` header, or the `q-*` parameters of a pre-signed URL.
fn read_authorization(
    request: &ApiRequest,
    wire: &WireRequest<'_>,
) -> Result<Authorization, ApiError> {
    let unreadable = |e: signer::AuthorizationError| {
        ApiError::new(
            403,
            "AccessDenied",
            format!("The authorization is invalid: {e}."),
        )
    };
    if let Some(value) = wire.headers.get("authorization") {
        let value = value
            .to_str()
            .map_err(|_| ApiError::new(403, "AccessDenied", "The authorization is invalid."))?;
        return Authorization::parse(value).map_err(unreadable);
    }
    if request.params.iter().any(|(k, _)| k == "q-sign-algorithm") {
        return Authorization::from_pairs(
            request.params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        )
        .map_err(unreadable);
    }
    Err(ApiError::new(403, "AccessDenied", "Access Denied."))
}
