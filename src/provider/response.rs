//! What every provider's `response.rs` shares: the [`Failure`] of an answer and header access.
//!
//! Each provider's `response.rs` has pure functions of `(status, headers, body)`:
//! `list_page -> Result<ListPage, Failure>`, `get -> Result<Option<LiveConfig>, Failure>`,
//! `put` and `delete -> Result<(), Failure>`, and `service_error -> ServiceError`. The client
//! turns a [`Failure`] into a [`ProviderError`] with [`Failure::into_error`].
//!
//! The status rules of GET, PUT and DELETE are the same for every provider and live here
//! ([`get`], [`put`], [`delete`]); a provider passes its `service_error` and its reader.

use reqwest::header::HeaderMap;

use super::document::{BodyError, ConfigReader, read_document};
use super::{Operation, ProviderError, ServiceError};
use crate::model::{BucketKey, LiveConfig, Provider};

/// Why an answer is not a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The service answered with an error status.
    Service(ServiceError),
    /// A success status with a body that breaks a rule of the document (a flag that is not
    /// a boolean, a truncated list without a token).
    Decode(String),
    /// A success status with a body that is not the documented XML document at all.
    Body(BodyError),
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
                source: None,
            },
            Failure::Body(error) => ProviderError::Decode {
                provider,
                operation,
                bucket,
                message: error.to_string(),
                source: Some(Box::new(error)),
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

/// True for a 404 whose code says the bucket itself does not exist: a wrong bucket must not
/// look like a bucket without the configuration.
fn is_missing_bucket(error: &ServiceError) -> bool {
    error.status == 404 && error.code == "NoSuchBucket"
}

/// GET: 2xx is the `InventoryConfiguration` of `body` read by `reader` (another document is
/// a [`Failure::Body`]); 404 is `None`, except a missing bucket; any other status is the
/// service's error, built by `service_error`.
pub fn get(
    status: u16,
    body: &[u8],
    service_error: impl FnOnce() -> ServiceError,
    reader: &ConfigReader<'_>,
) -> Result<Option<LiveConfig>, Failure> {
    if !is_success(status) {
        let error = service_error();
        if status == 404 && !is_missing_bucket(&error) {
            return Ok(None);
        }
        return Err(Failure::Service(error));
    }
    let doc = read_document(body, "InventoryConfiguration").map_err(Failure::Body)?;
    Ok(Some(reader.read(doc.raw)))
}

/// PUT: any 2xx is success; any other status is the service's error.
pub fn put(status: u16, service_error: impl FnOnce() -> ServiceError) -> Result<(), Failure> {
    if is_success(status) {
        Ok(())
    } else {
        Err(Failure::Service(service_error()))
    }
}

/// DELETE: any 2xx is success, and so is a 404 (the configuration is gone either way) except
/// a missing bucket; any other status is the service's error.
pub fn delete(status: u16, service_error: impl FnOnce() -> ServiceError) -> Result<(), Failure> {
    if is_success(status) {
        return Ok(());
    }
    let error = service_error();
    if status == 404 && !is_missing_bucket(&error) {
        return Ok(());
    }
    Err(Failure::Service(error))
}
