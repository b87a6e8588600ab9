//! Sends one inventory call of a provider client: every attempt is signed afresh and goes
//! through the shared [`Transport`] (retries, rate limit, metrics).

use std::sync::atomic::{AtomicU32, Ordering};

use super::http::{RawResponse, Transport};
use super::rate_limit::RateKey;
use super::request::SignedRequest;
use super::{CredentialSource, Operation, ProviderError};
use crate::model::{BucketKey, Provider};

/// Sends the request `sign` builds, calling it once per attempt with the attempt's number
/// (0 for the first, 1 for the first retry, …), so each attempt carries a fresh time and the
/// current credentials.
///
/// # Errors
/// [`ProviderError::Request`] with `sign`'s message when a request cannot be built; otherwise
/// as [`Transport::send_limited`].
pub async fn send_signed(
    transport: &Transport,
    credentials: &dyn CredentialSource,
    provider: Provider,
    operation: Operation,
    bucket: &BucketKey,
    sign: impl Fn(u32) -> Result<SignedRequest, String>,
) -> Result<RawResponse, ProviderError> {
    let attempts = AtomicU32::new(0);
    // The transport's contract: `build` fails with the error to return as is.
    let build = || {
        let attempt = attempts.fetch_add(1, Ordering::Relaxed);
        sign(attempt)
            .and_then(SignedRequest::into_reqwest)
            .map_err(|message| request_error(provider, operation, bucket, message))
    };
    let rate_key = RateKey::for_bucket(credentials, bucket);
    transport
        .send_limited(
            rate_key.as_ref(),
            provider,
            operation,
            &bucket.bucket,
            build,
        )
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
    }
}
