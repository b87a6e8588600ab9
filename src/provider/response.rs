//! What every provider's `response.rs` shares: the [`Failure`] of an answer and header access.
//!
//! Each provider's `response.rs` has pure functions of `(status, headers, body)`:
//! `list_page -> Result<ListPage, Failure>`, `get -> Result<Option<LiveConfig>, Failure>`,
//! `put` and `delete -> Result<(), Failure>`, and `service_error -> ServiceError`. The client
//! turns a [`Failure`] into a [`ProviderError`] with [`Failure::into_error`].

use reqwest::header::HeaderMap;

use super::{Operation, ProviderError, ServiceError};
use crate::model::{BucketKey, Provider};

/// Why an answer is not a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The service answered with an error status.
    Service(ServiceError),
    /// A success status with a body that is not the documented XML.
    Decode(String),
}

impl Failure {
    /// The provider error of this failure of `operation` on `bucket`.
    pub fn into_error(
        self,
        provider: Provider,
        operation: Operation,
        bucket: &BucketKey,
    ) -> ProviderError {
        let bucket = bucket.bucket.clone();
        match self {
            Failure::Service(error) => ProviderError::Service {
                provider,
                operation,
                bucket,
                error: Box::new(error),
            },
            Failure::Decode(message) => ProviderError::Decode {
                provider,
                operation,
                bucket,
                message,
            },
        }
    }
}

/// True for 2xx.
pub fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// A header's value when present and visible ASCII, else empty.
pub fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}
