//! Builds one signed S3 inventory request as plain data (method, URL, headers, body).
//!
//! Pure: the time and the credentials come in as arguments, so every attempt of a request can
//! be rebuilt and re-signed, and tests can check the exact wire form. Signing is AWS Signature
//! Version 4 by the official `aws-sigv4` crate, with the settings S3 requires: service `s3`,
//! `x-amz-content-sha256` (the hex SHA-256 of the body) signed, the path encoded once and not
//! normalized.

use std::time::SystemTime;

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign as sigv4_sign,
};
use aws_sigv4::sign::v4;

use super::endpoint::{Addressing, BucketUrlError, bucket_url, service_url};
use crate::provider::Credentials;
/// Values encoded as SigV4 canonicalizes them, so the URL sent is exactly the canonical query
/// the signature covers.
pub(crate) use crate::provider::encoding::encode_query;
pub use crate::provider::request::{Headers, InventoryCall, SignedRequest};

/// The service name in the credential scope.
pub const SERVICE: &str = "s3";

/// The header carrying the expected bucket owner's account id.
pub(crate) const EXPECTED_BUCKET_OWNER: &str = "x-amz-expected-bucket-owner";

/// The decoded query parameters of `call`, in the order they are sent (sorted, as SigV4
/// canonicalizes them): `inventory` with `id` or `continuation-token`; the listing's
/// parameters; `tagging`.
pub fn query<'a>(call: &InventoryCall<'a>) -> Vec<(&'a str, &'a str)> {
    match *call {
        InventoryCall::List {
            continuation_token: Some(token),
        } => vec![("continuation-token", token), ("inventory", "")],
        InventoryCall::List {
            continuation_token: None,
        } => vec![("inventory", "")],
        InventoryCall::Get { id }
        | InventoryCall::Put { id, .. }
        | InventoryCall::Delete { id } => {
            vec![("id", id), ("inventory", "")]
        }
        InventoryCall::ListBuckets { params } | InventoryCall::ListObjects { params } => {
            let mut sorted = params.to_vec();
            sorted.sort_unstable();
            sorted
        }
        InventoryCall::GetBucketTags => vec![("tagging", "")],
        InventoryCall::GetObject { .. } => Vec::new(),
        InventoryCall::GetBucketPolicy => vec![("policy", "")],
    }
}

/// Where and how to send a call.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The bucket's name (`spec.bucket`).
    pub bucket: &'a str,
    /// The bucket's region id, which the signature is scoped to (`spec.region`).
    pub region: &'a str,
    pub(crate) addressing: Addressing<'a>,
    /// Sent as `x-amz-expected-bucket-owner` on every request: S3 answers 403 when the bucket
    /// belongs to another account.
    pub expected_bucket_owner: Option<&'a str>,
}

/// Why a request could not be built. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The bucket, region or endpoint cannot form the request's URL.
    #[error(transparent)]
    Url(#[from] BucketUrlError),
    /// The signer refused the request; holds its message, which carries no key.
    #[error("cannot sign the request: {0}")]
    Signing(String),
}

/// Builds and signs `call` for `target` at `now`: [`build`], then the headers [`authorize`]
/// adds.
///
/// # Errors
/// As [`build`] and [`authorize`].
pub fn sign(
    call: &InventoryCall<'_>,
    target: Target<'_>,
    credentials: &Credentials,
    now: SystemTime,
) -> Result<SignedRequest, RequestError> {
    let request = build(call, target)?;
    let added = authorize(&request, target.region, credentials, now)?;
    Ok(request.with_headers(added))
}

/// The unsigned form of `call` for `target`: `Content-Type: application/xml` on PUT and
/// `x-amz-expected-bucket-owner` when the target has one. `ListBuckets` goes to the service
/// endpoint of the target's region ([`service_url`]).
///
/// # Errors
/// When the bucket, region or endpoint do not form a valid URL.
pub fn build(call: &InventoryCall<'_>, target: Target<'_>) -> Result<SignedRequest, RequestError> {
    let mut url = if call.is_service_call() {
        service_url(target.region, target.addressing)?
    } else {
        let url = bucket_url(target.bucket, target.region, target.addressing)?.0;
        crate::provider::request::with_object_key(url, call.object_key())
    };
    let query = query(call);
    url.set_query((!query.is_empty()).then(|| encode_query(&query)).as_deref());
    let mut headers: Vec<(String, String)> = Vec::new();
    if let InventoryCall::Put { .. } = call {
        headers.push(("content-type".into(), "application/xml".into()));
    }
    // ListBuckets is the account's, not a bucket's: no owner to expect.
    if let Some(owner) = target
        .expected_bucket_owner
        .filter(|_| !call.is_service_call())
    {
        headers.push((EXPECTED_BUCKET_OWNER.into(), owner.to_string()));
    }
    Ok(SignedRequest::unsigned(call, url, headers))
}

/// What SigV4 signing of `request` in `region` at `now` adds, as `aws-sigv4` returns it:
/// `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token` with temporary credentials,
/// and `Authorization`. Every header of `request` is signed, and so is `host`.
///
/// # Errors
/// When a header value cannot be signed.
pub(crate) fn authorize(
    request: &SignedRequest,
    region: &str,
    credentials: &Credentials,
    now: SystemTime,
) -> Result<Headers, RequestError> {
    let identity = aws_credential_types::Credentials::new(
        credentials.access_key_id.clone(),
        credentials.access_key_secret.expose(),
        credentials
            .security_token
            .as_ref()
            .map(|t| t.expose().to_string()),
        None,
        "invsync",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(SERVICE)
        .time(now)
        .settings(s3_settings())
        .build()
        .map_err(|e| RequestError::Signing(e.to_string()))?
        .into();
    let signable = SignableRequest::new(
        request.method,
        request.url.as_str(),
        request.header_pairs().into_iter(),
        SignableBody::Bytes(&request.body),
    )
    .map_err(|e| RequestError::Signing(e.to_string()))?;
    let (instructions, _signature) = sigv4_sign(signable, &params)
        .map_err(|e| RequestError::Signing(e.to_string()))?
        .into_parts();
    let (signed_headers, _params) = instructions.into_parts();
    Ok(signed_headers
        .into_iter()
        .map(|h| (h.name().to_string(), h.value().to_string()))
        .collect())
}

/// What S3 requires of SigV4: the payload hash in `x-amz-content-sha256`, the path encoded
/// once and kept as is, the session token signed.
pub fn s3_settings() -> SigningSettings {
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
