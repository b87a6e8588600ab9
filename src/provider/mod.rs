//! Provider clients: the only code that speaks the clouds' inventory APIs.
//!
//! Every provider has the same shape: its model types (in [`crate::model`]), its
//! manifest types and rules, its normalization, its credentials and endpoints, a pure signer,
//! wire types (XML, shared with the emulator), conversions between wire types and the model,
//! and a [`protocol::Dialect`]: what its API does differently from the others. One client,
//! [`protocol::Client`], speaks every dialect and implements [`InventoryApi`]; clients are
//! handed out as `Arc<dyn InventoryApi>`. The rest of the crate reaches a provider only
//! through the table in [`registry`]. Nothing outside this module sees XML or HTTP.
//!
//! # Shared by every provider
//! - [`protocol`]: the [`protocol::Dialect`] trait and the one client over it.
//! - [`kit`]: what provider folders build on and never the other way round: field paths,
//!   diagnostics, the collecting deserializer, the shared field checks, normalize helpers and
//!   the shapes of a table entry.
//! - [`request`]: [`request::InventoryCall`] (what a call sends), [`request::Target`] (where)
//!   and [`request::SignedRequest`] (method, URL, headers, body), built unsigned by each
//!   provider's pure `request::build`, completed by the headers its `request::authorize`
//!   returns.
//! - [`response`]: one status rule, one LIST rule and one `<Error>` reader, shaped by the
//!   dialect; [`response::Failure`] is the error of an answer.
//! - [`paginate`]: [`paginate::ListPage`] and the one paging loop over continuation tokens.
//! - [`discovery`]: [`discovery::DiscoveryApi`], the account's buckets and their tags, beside
//!   [`InventoryApi`]; [`discovery_response`] reads their answers.
//! - [`delivery`]: [`delivery::DeliveryApi`], the read-only object calls on a destination
//!   bucket (object listing, one object, the bucket policy) the delivery checks make.
//! - [`addressing`]: virtual-hosted or path-style bucket URLs; [`encoding`]: the
//!   percent-encoding the V4-style signers share.
//! - [`wire`]: the XML API of the wire types ([`wire::from_bytes`], [`wire::to_string`]);
//!   [`wire_convert`]: the conversion error of OSS and S3.
//! - [`xml_depth`]: the nesting limit every XML reader enforces before building anything.
//! - [`clock`]: the injectable signing clock; [`send`]: one signed call per attempt through
//!   [`http::Transport`].

pub mod addressing;
pub mod client_settings;
pub mod clock;
pub mod cos;
pub mod credentials;
pub mod credentials_file;
pub mod delivery;
pub(crate) mod delivery_response;
pub mod discovery;
pub(crate) mod discovery_response;
pub mod document;
pub mod encoding;
pub mod endpoint_policy;
pub mod http;
pub mod kit;
pub mod memory;
pub mod oss;
pub mod paginate;
pub mod protocol;
pub mod rate_limit;
pub mod registry;
pub mod request;
pub mod response;
pub mod s3;
pub mod send;
pub mod signing_window;
pub(crate) mod v4_signing;
pub mod wire;
pub(crate) mod wire_convert;
pub mod xml_depth;
pub mod xmltree;

use std::fmt;

use crate::model::{BucketKey, Inventory, LiveConfig, Provider};

pub use credentials::{
    BoxFuture, CredentialSource, CredentialVars, Credentials, CredentialsError, EnvCredentials,
    Secret, StaticCredentials, credentials_from_env, credentials_from_lookup,
};

/// The four inventory operations, the two discovery reads and the three delivery reads, as counted in metrics and
/// emulator statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operation {
    /// One page of a bucket's configurations (S3 `ListBucketInventoryConfigurations`, COS
    /// `GET Bucket inventory` without an id, OSS `ListBucketInventory`).
    List,
    /// One configuration by id (S3 `GetBucketInventoryConfiguration`, COS `GET Bucket
    /// inventory`, OSS `GetBucketInventory`).
    Get,
    /// Create or replace one configuration (S3 `PutBucketInventoryConfiguration`, COS `PUT
    /// Bucket inventory`, OSS `PutBucketInventory`).
    Put,
    /// Remove one configuration (S3 `DeleteBucketInventoryConfiguration`, COS `DELETE Bucket
    /// inventory`, OSS `DeleteBucketInventory`).
    Delete,
    /// The account's bucket listing (S3 `ListBuckets`, COS `GET Service`, OSS `ListBuckets`).
    ListBuckets,
    /// One bucket's tags (S3 `GetBucketTagging`, COS `GET Bucket tagging`, OSS
    /// `GetBucketTags`).
    GetBucketTags,
    /// One page of a destination bucket's objects (`ListObjects`, version 1, on all three).
    ListObjects,
    /// One object of a destination bucket (`GetObject`), e.g. a report manifest.
    GetObject,
    /// A destination bucket's policy (S3 `GetBucketPolicy`, COS `GET Bucket policy`, OSS
    /// `GetBucketPolicy`).
    GetBucketPolicy,
}

impl Operation {
    /// Lowercase name for logs, metrics and statistics.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::List => "list",
            Operation::Get => "get",
            Operation::Put => "put",
            Operation::Delete => "delete",
            Operation::ListBuckets => "list_buckets",
            Operation::GetBucketTags => "get_bucket_tags",
            Operation::ListObjects => "list_objects",
            Operation::GetObject => "get_object",
            Operation::GetBucketPolicy => "get_bucket_policy",
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
    /// The provider's explanation (`<Message>`), as sent.
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

/// A provider's answer is the cause of the errors built on it (a later LIST page's 404, for
/// one).
impl std::error::Error for ServiceError {}

impl ServiceError {
    /// What kind of failure the provider's answer is, from its status and code (see
    /// [`ErrorKind`]; throttling codes from `reference/{cos,oss,s3}-api.md`).
    pub fn kind(&self) -> ErrorKind {
        let throttling = self.status == 429
            || matches!(
                self.code.as_str(),
                "SlowDown" | "Throttling" | "ThrottlingException" | "RequestLimitExceeded"
            )
            || self.code.ends_with("QpsLimitExceeded")
            || self.code == "ActiveRequestLimitExceeded";
        match self.status {
            _ if throttling => ErrorKind::Throttled,
            408 | 500.. => ErrorKind::Transient,
            401 | 403 => ErrorKind::PermissionDenied,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            _ => ErrorKind::InvalidRequest,
        }
    }
}

/// The small public set of failure kinds every provider error maps to, so that retry and
/// requeue rules are written once ([`crate::reconcile::error_policy`]) and not per provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// No usable answer (connection, timeout, cut-short body) or a 5xx / 408: may pass.
    Transient,
    /// The provider asked to slow down (COS/S3 `SlowDown`, OSS `*QpsLimitExceeded`, 429).
    Throttled,
    /// The configuration, or the bucket, does not exist (404).
    NotFound,
    /// The write collides with what exists (409; OSS PUT of an existing id).
    Conflict,
    /// Credentials refused or not allowed (401, 403: access denied, signature mismatch).
    PermissionDenied,
    /// The provider refused the request as malformed (other 4xx).
    InvalidRequest,
    /// A success answer whose body is not the documented document.
    Unreadable,
    /// The request could not be built: endpoint refused, credentials missing.
    Configuration,
}

impl ErrorKind {
    /// Lowercase name for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Transient => "transient",
            ErrorKind::Throttled => "throttled",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::PermissionDenied => "permission_denied",
            ErrorKind::InvalidRequest => "invalid_request",
            ErrorKind::Unreadable => "unreadable",
            ErrorKind::Configuration => "configuration",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The cause of a [`ProviderError`] from a lower layer (reqwest, XML, endpoint, credentials).
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why an inventory API call failed, after any retries.
///
/// `Display` describes this layer only (provider, operation, bucket and what went wrong); the
/// lower layer's error, when there is one, is the `source` (render the whole chain with
/// [`crate::error_chain::Chain`]). Neither ever includes credentials, signatures,
/// Authorization headers or a request URL.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The service answered with an error status.
    #[error("{provider} {operation} on {bucket}: {error}")]
    Service {
        /// Whose API was called.
        provider: Provider,
        /// Which call failed.
        operation: Operation,
        /// The bucket's name ([`discovery::ACCOUNT`] for the account's bucket listing).
        bucket: String,
        /// Boxed: the provider's whole answer is large, and errors travel through every `Result`.
        error: Box<ServiceError>,
    },
    /// No usable answer: connection refused or reset, timeout, truncated or oversized body.
    #[error("{provider} {operation} on {bucket}: {message}")]
    Transport {
        /// Whose API was called.
        provider: Provider,
        /// Which call failed.
        operation: Operation,
        /// The bucket's name ([`discovery::ACCOUNT`] for the account's bucket listing).
        bucket: String,
        /// What went wrong, e.g. `connection failed (gave up after 3 attempts)`; never a URL.
        message: String,
        /// The HTTP client's error (its URL removed), when there was one.
        #[source]
        source: Option<BoxError>,
    },
    /// The service answered 2xx with a body that is not the documented XML.
    #[error("{provider} {operation} on {bucket}: unreadable response: {message}")]
    Decode {
        /// Whose API was called.
        provider: Provider,
        /// Which call failed.
        operation: Operation,
        /// The bucket's name ([`discovery::ACCOUNT`] for the account's bucket listing).
        bucket: String,
        /// How the body differs from the documented one.
        message: String,
        /// The XML reader's error, when there was one.
        #[source]
        source: Option<BoxError>,
    },
    /// The request could not be built (bad endpoint, missing credentials, wrong provider).
    #[error("{provider} {operation} on {bucket}: {message}")]
    Request {
        /// Whose API was called.
        provider: Provider,
        /// Which call failed.
        operation: Operation,
        /// The bucket's name ([`discovery::ACCOUNT`] for the account's bucket listing).
        bucket: String,
        /// Which input was unusable (endpoint, credentials, provider).
        message: String,
        /// The endpoint or credentials error, when there was one.
        #[source]
        source: Option<BoxError>,
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

    /// What kind of failure this is (see [`ErrorKind`]).
    pub fn kind(&self) -> ErrorKind {
        match self {
            ProviderError::Service { error, .. } => error.kind(),
            ProviderError::Transport { .. } => ErrorKind::Transient,
            ProviderError::Decode { .. } => ErrorKind::Unreadable,
            ProviderError::Request { .. } => ErrorKind::Configuration,
        }
    }

    /// The provider this error is about.
    pub fn provider(&self) -> Provider {
        match self {
            ProviderError::Service { provider, .. }
            | ProviderError::Transport { provider, .. }
            | ProviderError::Decode { provider, .. }
            | ProviderError::Request { provider, .. } => *provider,
        }
    }

    /// True when the service said the bucket itself does not exist (404 `NoSuchBucket`).
    pub fn is_missing_bucket(&self) -> bool {
        self.service().is_some_and(response::is_missing_bucket)
    }

    #[cfg(test)]
    /// True when the service said the configuration (or, on OSS LIST, any configuration) does
    /// not exist.
    pub(crate) fn is_not_found(&self) -> bool {
        self.service().is_some_and(|e| e.status == 404)
    }
}

/// The inventory operations invsync needs from a provider.
///
/// Object-safe: clients are handed out as `Arc<dyn InventoryApi>`
/// ([`kit::spec::ProviderSpec::connect`]), so a new provider adds an implementation, not a
/// variant anywhere.
///
/// # Guarantees
/// - `list` returns every configuration of the bucket, following all pages; a bucket with none
///   is an empty list, but only when the provider says so in its documented way: a success
///   body that is not the expected document is a `Decode` error, never an empty list.
/// - A configuration the model cannot express is returned as [`LiveConfig::Foreign`] and never
///   fails the call.
/// - `get` returns `None` for a configuration that does not exist.
/// - `put` writes one configuration. On COS and S3 it creates or replaces; on OSS it only
///   creates and an existing id is a `Service` error with status 409.
/// - `delete` removes one configuration.
/// - Transport errors, 5xx and throttling answers have been retried with backoff before an error
///   is returned; other 4xx answers are returned at once.
pub trait InventoryApi: Send + Sync {
    /// All configurations of `bucket`.
    fn list<'a>(
        &'a self,
        bucket: &'a BucketKey,
    ) -> BoxFuture<'a, Result<Vec<LiveConfig>, ProviderError>>;

    /// One configuration of `bucket`, `None` when it does not exist.
    fn get<'a>(
        &'a self,
        bucket: &'a BucketKey,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<LiveConfig>, ProviderError>>;

    /// Writes `inventory` to `bucket`.
    fn put<'a>(
        &'a self,
        bucket: &'a BucketKey,
        inventory: &'a Inventory,
    ) -> BoxFuture<'a, Result<(), ProviderError>>;

    /// Deletes configuration `id` of `bucket`.
    fn delete<'a>(
        &'a self,
        bucket: &'a BucketKey,
        id: &'a str,
    ) -> BoxFuture<'a, Result<(), ProviderError>>;
}

/// A shared client is a client: `Arc<dyn InventoryApi>` goes wherever an `InventoryApi` does.
impl<T: InventoryApi + ?Sized> InventoryApi for std::sync::Arc<T> {
    fn list<'a>(
        &'a self,
        bucket: &'a BucketKey,
    ) -> BoxFuture<'a, Result<Vec<LiveConfig>, ProviderError>> {
        (**self).list(bucket)
    }

    fn get<'a>(
        &'a self,
        bucket: &'a BucketKey,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<LiveConfig>, ProviderError>> {
        (**self).get(bucket, id)
    }

    fn put<'a>(
        &'a self,
        bucket: &'a BucketKey,
        inventory: &'a Inventory,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        (**self).put(bucket, inventory)
    }

    fn delete<'a>(
        &'a self,
        bucket: &'a BucketKey,
        id: &'a str,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        (**self).delete(bucket, id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_chain::Chain;

    fn service(status: u16, code: &str) -> ProviderError {
        ProviderError::Service {
            provider: Provider::OSS,
            operation: Operation::Put,
            bucket: "b".into(),
            error: Box::new(ServiceError {
                status,
                code: code.into(),
                message: "m".into(),
                request_id: "r".into(),
                ec: String::new(),
            }),
        }
    }

    #[test]
    fn service_answers_map_to_kinds_by_status_and_code() {
        let cases = [
            (503, "SlowDown", ErrorKind::Throttled),
            (503, "MetaOperationQpsLimitExceeded", ErrorKind::Throttled),
            (503, "TotalQpsLimitExceeded", ErrorKind::Throttled),
            (429, "TooManyRequests", ErrorKind::Throttled),
            (503, "ServiceUnavailable", ErrorKind::Transient),
            (500, "InternalError", ErrorKind::Transient),
            (408, "RequestTimeout", ErrorKind::Transient),
            (403, "SignatureDoesNotMatch", ErrorKind::PermissionDenied),
            (403, "AccessDenied", ErrorKind::PermissionDenied),
            (404, "NoSuchInventory", ErrorKind::NotFound),
            (409, "InventoryAlreadyExist", ErrorKind::Conflict),
            (400, "MalformedXML", ErrorKind::InvalidRequest),
        ];
        for (status, code, kind) in cases {
            assert_eq!(service(status, code).kind(), kind, "{status} {code}");
        }
    }

    #[test]
    fn transport_decode_and_request_errors_have_their_own_kinds() {
        let base = (Provider::COS, Operation::List, "b".to_string());
        let transport = ProviderError::Transport {
            provider: base.0,
            operation: base.1,
            bucket: base.2.clone(),
            message: "connection failed".into(),
            source: Some("tcp connect error".into()),
        };
        assert_eq!(transport.kind(), ErrorKind::Transient);
        let decode = ProviderError::Decode {
            provider: base.0,
            operation: base.1,
            bucket: base.2.clone(),
            message: "not an inventory list".into(),
            source: None,
        };
        assert_eq!(decode.kind(), ErrorKind::Unreadable);
        let request = ProviderError::Request {
            provider: base.0,
            operation: base.1,
            bucket: base.2,
            message: "no COS credentials".into(),
            source: Some("TENCENTCLOUD_SECRET_ID is not set".into()),
        };
        assert_eq!(request.kind(), ErrorKind::Configuration);
        assert_eq!(request.provider(), Provider::COS);
    }

    #[test]
    fn display_names_only_its_layer_and_the_chain_adds_the_cause() {
        let error = ProviderError::Transport {
            provider: Provider::COS,
            operation: Operation::List,
            bucket: "b-1250000000".into(),
            message: "connection failed (gave up after 3 attempts)".into(),
            source: Some("tcp connect error".into()),
        };
        assert_eq!(
            error.to_string(),
            "cos list on b-1250000000: connection failed (gave up after 3 attempts)"
        );
        assert_eq!(
            Chain(&error).to_string(),
            "cos list on b-1250000000: connection failed (gave up after 3 attempts): tcp connect error"
        );
    }
}
