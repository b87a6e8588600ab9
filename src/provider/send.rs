//! Sends one inventory call of a provider client: every attempt is signed afresh and goes
//! through the shared [`Transport`] (retries, rate limit, metrics).

use std::sync::atomic::{AtomicU32, Ordering};

use super::http::{RawResponse, Transport};
use super::rate_limit::RateKey;
use super::request::SignedRequest;
use super::{BoxError, CredentialSource, Credentials, Operation, ProviderError};
use crate::model::{BucketKey, Provider};

/// Who sends: the provider, its names in messages and where its credentials come from.
#[derive(Clone, Copy)]
pub struct Sender<'a> {
    /// The shared transport every attempt goes through.
    pub transport: &'a Transport,
    /// Asked once per call; the keys sign every attempt of it.
    pub credentials: &'a dyn CredentialSource,
    /// The only provider whose buckets this sender accepts.
    pub provider: Provider,
    /// The product's name in messages, e.g. `COS`, `S3`.
    pub title: &'static str,
    /// Whose credentials messages name, e.g. `COS`, `AWS`.
    pub(crate) credentials_title: &'static str,
}

/// Checks that `bucket` is one of the sender's provider, asks for credentials once, then sends
/// the request `sign` builds, calling it once per attempt with them and the attempt's number
/// (0 for the first, 1 for the first retry, …), so each attempt carries a fresh time.
///
/// # Errors
/// [`ProviderError::Request`], before any request, when `bucket` is another provider's, there
/// are no credentials, or `sign` or the HTTP form of its request fails; the cause is its
/// `source` and its text ends the message. Otherwise as [`Transport::send_limited`].
pub(crate) async fn send_signed<E: Into<BoxError>>(
    sender: Sender<'_>,
    operation: Operation,
    bucket: &BucketKey,
    sign: impl Fn(&Credentials, u32) -> Result<SignedRequest, E>,
) -> Result<RawResponse, ProviderError> {
    let Sender {
        transport,
        credentials,
        provider,
        title,
        credentials_title,
    } = sender;
    if bucket.provider != provider {
        let message = format!(
            "bucket is a {} bucket, not {} one",
            bucket.provider,
            with_article(title)
        );
        return Err(request_error(provider, operation, bucket, message));
    }
    let credentials = credentials.fetch().await.map_err(|e| {
        let message = format!("no {credentials_title} credentials: {e}");
        caused_request_error(provider, operation, bucket, message, Box::new(e))
    })?;
    let attempts = AtomicU32::new(0);
    // The transport's contract: `build` fails with the error to return as is.
    let build = || {
        let attempt = attempts.fetch_add(1, Ordering::Relaxed);
        let cause = match sign(&credentials, attempt) {
            Ok(signed) => match signed.into_reqwest() {
                Ok(request) => return Ok(request),
                Err(e) => Box::new(e) as BoxError,
            },
            Err(e) => e.into(),
        };
        let message = cause.to_string();
        Err(caused_request_error(
            provider, operation, bucket, message, cause,
        ))
    };
    let rate_key = RateKey::for_bucket(&credentials, bucket);
    transport
        .send_limited(Some(&rate_key), provider, operation, &bucket.bucket, build)
        .await
}

/// `title` after its indefinite article, read as letters: `a COS`, `an OSS`, `an S3`.
pub(crate) fn with_article(title: &str) -> String {
    // Letters whose names start with a vowel sound.
    let vowel_sound = title
        .chars()
        .next()
        .is_some_and(|c| "AEFHILMNORSX".contains(c.to_ascii_uppercase()));
    if vowel_sound {
        format!("an {title}")
    } else {
        format!("a {title}")
    }
}

/// The error of a request that could not be built or was refused before sending, with no
/// lower-layer cause.
pub(crate) fn request_error(
    provider: Provider,
    operation: Operation,
    bucket: &BucketKey,
    message: String,
) -> ProviderError {
    refused(provider, operation, bucket, message, None)
}

/// [`request_error`] caused by `source` (a credentials, endpoint, signing or XML error).
pub(crate) fn caused_request_error(
    provider: Provider,
    operation: Operation,
    bucket: &BucketKey,
    message: String,
    source: BoxError,
) -> ProviderError {
    refused(provider, operation, bucket, message, Some(source))
}

fn refused(
    provider: Provider,
    operation: Operation,
    bucket: &BucketKey,
    message: String,
    source: Option<BoxError>,
) -> ProviderError {
    ProviderError::Request {
        provider,
        operation,
        bucket: bucket.bucket.clone(),
        message,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_read_as_letters_take_their_article() {
        assert_eq!(with_article("COS"), "a COS");
        assert_eq!(with_article("OSS"), "an OSS");
        assert_eq!(with_article("S3"), "an S3");
    }
}
