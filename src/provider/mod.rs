//! Provider clients: the only code that speaks the clouds' inventory APIs.
//!
//! Every provider has the same shape: a pure signer, wire types (XML, shared with the
//! emulator), conversions between wire types and [`crate::model`], and a client implementing
//! [`InventoryApi`] on top of [`http`], the shared signed-send-with-retry loop. Nothing outside
//! this module sees XML or HTTP.

pub mod cos;
pub mod credentials;
pub mod credentials_file;
pub mod document;
pub mod endpoint_policy;
pub mod http;
pub mod oss;
pub mod rate_limit;
pub mod s3;
pub mod signing_window;
pub mod xmltree;

use std::fmt;
use std::future::Future;

use crate::model::{BucketKey, Inventory, LiveConfig, Provider};

pub use credentials::{
    CredentialSource, CredentialVars, Credentials, EnvCredentials, Secret, StaticCredentials,
    credentials_from_env, credentials_from_lookup,
};

/// The four inventory operations, as counted in metrics and emulator statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operation {
    List,
    Get,
    Put,
    Delete,
}

impl Operation {
    /// Lowercase name for logs, metrics and statistics.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::List => "list",
            Operation::Get => "get",
            Operation::Put => "put",
            Operation::Delete => "delete",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error answer from a provider, as the provider phrased it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    /// HTTP status.
    pub status: u16,
    /// Provider error code, e.g. `SignatureDoesNotMatch`, `NoSuchInventory`.
    pub code: String,
    pub message: String,
    /// `x-cos-request-id` / `x-oss-request-id`, for support tickets.
    pub request_id: String,
    /// OSS `EC` (`x-oss-ec`), empty for COS.
    pub ec: String,
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {} {}: {}", self.status, self.code, self.message)?;
        if !self.request_id.is_empty() {
            write!(f, " (request id {})", self.request_id)?;
        }
        Ok(())
    }
}

/// Why an inventory API call failed, after any retries.
///
/// `Display` never includes credentials, signatures or Authorization headers.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The service answered with an error status.
    #[error("{provider} {operation} on {bucket}: {error}")]
    Service {
        provider: Provider,
        operation: Operation,
        bucket: String,
        /// Boxed: the provider's whole answer is large, and errors travel through every `Result`.
        error: Box<ServiceError>,
    },
    /// No usable answer: connection refused or reset, timeout, truncated or oversized body.
    #[error("{provider} {operation} on {bucket}: {message}")]
    Transport {
        provider: Provider,
        operation: Operation,
        bucket: String,
        message: String,
    },
    /// The service answered 2xx with a body that is not the documented XML.
    #[error("{provider} {operation} on {bucket}: unreadable response: {message}")]
    Decode {
        provider: Provider,
        operation: Operation,
        bucket: String,
        message: String,
    },
    /// The request could not be built (bad endpoint, missing credentials, wrong provider).
    #[error("{provider} {operation} on {bucket}: {message}")]
    Request {
        provider: Provider,
        operation: Operation,
        bucket: String,
        message: String,
    },
}

impl ProviderError {
    /// The provider's answer, when there was one.
    pub fn service(&self) -> Option<&ServiceError> {
        match self {
            ProviderError::Service { error, .. } => Some(error.as_ref()),
            _ => None,
        }
    }

    /// True when the service said the configuration (or, on OSS LIST, any configuration) does
    /// not exist.
    pub fn is_not_found(&self) -> bool {
        self.service().is_some_and(|e| e.status == 404)
    }
}

/// The inventory operations invsync needs from a provider.
///
/// # Guarantees
/// - `list` returns every configuration of the bucket, following all pages; a bucket with none
///   is an empty list, but only when the provider says so in its documented way: a success
///   body that is not the expected document is a `Decode` error, never an empty list.
/// - A configuration the model cannot express is returned as [`LiveConfig::Foreign`] and never
///   fails the call.
/// - `get` returns `None` for a configuration that does not exist.
/// - `put` writes one configuration. On COS it creates or replaces; on OSS it only creates and
///   an existing id is a `Service` error with status 409.
/// - `delete` removes one configuration.
/// - Transport errors, 5xx and throttling answers have been retried with backoff before an error
///   is returned; other 4xx answers are returned at once.
pub trait InventoryApi: Send + Sync {
    /// All configurations of `bucket`.
    fn list(
        &self,
        bucket: &BucketKey,
    ) -> impl Future<Output = Result<Vec<LiveConfig>, ProviderError>> + Send;

    /// One configuration of `bucket`, `None` when it does not exist.
    fn get(
        &self,
        bucket: &BucketKey,
        id: &str,
    ) -> impl Future<Output = Result<Option<LiveConfig>, ProviderError>> + Send;

    /// Writes `inventory` to `bucket`.
    fn put(
        &self,
        bucket: &BucketKey,
        inventory: &Inventory,
    ) -> impl Future<Output = Result<(), ProviderError>> + Send;

    /// Deletes configuration `id` of `bucket`.
    fn delete(
        &self,
        bucket: &BucketKey,
        id: &str,
    ) -> impl Future<Output = Result<(), ProviderError>> + Send;
}
