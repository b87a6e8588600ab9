//! Sends one inventory call of a provider client: every attempt is signed afresh and goes
//! through the shared [`Transport`] (retries, rate limit, metrics).

use std::sync::atomic::{AtomicU32, Ordering};

use super::http::{RawResponse, Transport};
use super::rate_limit::RateKey;
use super::request::SignedRequest;
use super::{CredentialSource, Credentials, Operation, ProviderError};
use crate::model::{BucketKey, Provider};

/// Who sends: the provider, its name in messages and where its credentials come from.
#[derive(Clone, Copy)]
pub struct Sender<'a> {
    pub transport: &'a Transport,
    pub credentials: &'a dyn CredentialSource,
    pub provider: Provider,
    /// The provider's name in messages, e.g. `COS`.
    pub title: &'static str,
}

/// Asks for credentials once, then sends the request `sign` builds, calling it once per
/// attempt with them and the attempt's number (0 for the first, 1 for the first retry, …), so
/// each attempt carries a fresh time.
///
/// # Errors
/// [`ProviderError::Request`] when there are no credentials or `sign` fails (with its
/// message); otherwise as [`Transport::send_limited`].
pub async fn send_signed(
    sender: Sender<'_>,
    operation: Operation,
    bucket: &BucketKey,
    sign: impl Fn(&Credentials, u32) -> Result<SignedRequest, String>,
) -> Result<RawResponse, ProviderError> {
    let Sender {
        transport,
        credentials,
        provider,
        title,
    } = sender;
    let credentials = credentials.credentials().await.map_err(|e| {
        request_error(
            provider,
            operation,
            bucket,
            format!("no {title} credentials: {e}"),
        )
    })?;
    let attempts = AtomicU32::new(0);
    // The transport's contract: `build` fails with the error to return as is.
    let build = || {
        let attempt = attempts.fetch_add(1, Ordering::Relaxed);
        sign(&credentials, attempt)
            .and_then(SignedRequest::into_reqwest)
            .map_err(|message| request_error(provider, operation, bucket, message))
    };
    let rate_key = RateKey::for_bucket(&credentials, bucket);
    transport
        .send_limited(Some(&rate_key), provider, operation, &bucket.bucket, build)
        .await
}

/// The error of a request that could not be built or was refused before sending.
pub fn request_error(
    provider: Provider,
    operation: Operation,
    bucket: &BucketKey,
    message: String,
) -> ProviderError {
    ProviderError::Request {
        provider,
        operation,
        bucket: bucket.bucket.clone(),
        message,
        source: None,
    }
}
