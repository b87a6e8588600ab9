//! The S3 inventory client: signs each attempt with SigV4, sends it through the shared
//! transport and reads the answer.
//!
//! The wire form of each call is built by [`super::request`] (virtual-hosted by default, path
//! style for IP, `localhost` and `forcePathStyle` endpoints, `x-amz-expected-bucket-owner` on
//! every request when set) and answers are read by [`super::response`], whose documentation
//! lists the status rules. A LIST costs ⌈n/100⌉ calls. Retries (transport errors, 5xx, 429 —
//! S3's `SlowDown` is a 503) are the transport's; other 4xx answers are returned at once.

use std::sync::Arc;

use url::Url;

use super::endpoint::Addressing;
use super::manifest::S3BucketOptions;
use super::request::{self, InventoryCall, Target};
use super::response;
use super::xml;
use crate::model::{BucketKey, Inventory, LiveConfig, Provider};
pub use crate::provider::clock::Clock;
use crate::provider::clock::system_clock;
use crate::provider::endpoint_policy::{self, EndpointError};
use crate::provider::http::{RawResponse, Transport};
use crate::provider::paginate;
use crate::provider::send::{Sender, request_error, send_signed};
use crate::provider::{CredentialSource, InventoryApi, Operation, ProviderError};

/// Client of the S3 bucket inventory API, implementing [`InventoryApi`].
///
/// Credentials are asked of the [`CredentialSource`] once per call (it caches and refreshes
/// them); every attempt of the call is signed afresh with the clock's time.
#[derive(Clone)]
pub struct S3Client {
    transport: Transport,
    credentials: Arc<dyn CredentialSource>,
    endpoint: Option<Url>,
    options: S3BucketOptions,
    clock: Clock,
}

impl std::fmt::Debug for S3Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Client")
            .field("endpoint", &self.endpoint.as_ref().map(Url::as_str))
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl S3Client {
    /// A client of the public S3 endpoints (`https://{bucket}.s3.{region}.amazonaws.com`),
    /// signing with the system clock.
    pub fn new(transport: Transport, credentials: Arc<dyn CredentialSource>) -> Self {
        S3Client {
            transport,
            credentials,
            endpoint: None,
            options: S3BucketOptions::default(),
            clock: system_clock(),
        }
    }

    /// The same client sending to `endpoint` instead of the public endpoints (plain `http`
    /// allowed, since it is explicit).
    ///
    /// # Errors
    /// When the endpoint is not `http(s)://host[:port][/]`.
    pub fn with_endpoint(mut self, endpoint: Url) -> Result<Self, EndpointError> {
        self.endpoint = Some(endpoint_policy::validate_endpoint(endpoint)?);
        Ok(self)
    }

    /// The same client with the bucket's `expectedBucketOwner` and `forcePathStyle`.
    pub fn with_options(mut self, options: S3BucketOptions) -> Self {
        self.options = options;
        self
    }

    /// The same client signing with the time `clock` gives.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn endpoint(&self) -> Option<&Url> {
        self.endpoint.as_ref()
    }

    /// Sends `call` with the shared transport's retries, signing each attempt afresh.
    async fn send(
        &self,
        bucket: &BucketKey,
        call: &InventoryCall<'_>,
    ) -> Result<RawResponse, ProviderError> {
        let operation = call.operation();
        if bucket.provider != Provider::S3 {
            let message = format!("bucket is a {} bucket, not an S3 one", bucket.provider);
            return Err(request_error(Provider::S3, operation, bucket, message));
        }
        let sender = Sender {
            transport: &self.transport,
            credentials: self.credentials.as_ref(),
            provider: Provider::S3,
            title: "AWS",
        };
        let target = Target {
            bucket: &bucket.bucket,
            region: &bucket.region,
            addressing: Addressing {
                endpoint: self.endpoint.as_ref(),
                force_path_style: self.options.force_path_style,
            },
            expected_bucket_owner: self.options.expected_bucket_owner.as_deref(),
        };
        send_signed(sender, operation, bucket, |credentials, _attempt| {
            request::sign(call, target, credentials, (self.clock)()).map_err(|e| e.to_string())
        })
        .await
    }
}

impl InventoryApi for S3Client {
    async fn list(&self, bucket: &BucketKey) -> Result<Vec<LiveConfig>, ProviderError> {
        paginate::list_all(Provider::S3, bucket, |token| async move {
            let call = InventoryCall::List {
                continuation_token: token.as_deref(),
            };
            let raw = self.send(bucket, &call).await?;
            response::list_page(raw.status, &raw.headers, &raw.body)
                .map_err(|f| f.into_error(Provider::S3, Operation::List, bucket))
        })
        .await
    }

    async fn get(&self, bucket: &BucketKey, id: &str) -> Result<Option<LiveConfig>, ProviderError> {
        let raw = self.send(bucket, &InventoryCall::Get { id }).await?;
        response::get(raw.status, &raw.headers, &raw.body)
            .map_err(|f| f.into_error(Provider::S3, Operation::Get, bucket))
    }

    async fn put(&self, bucket: &BucketKey, inventory: &Inventory) -> Result<(), ProviderError> {
        let Inventory::S3(inventory) = inventory else {
            let message = format!(
                "configuration `{}` is a {} configuration, not an S3 one",
                inventory.id(),
                inventory.provider()
            );
            return Err(request_error(Provider::S3, Operation::Put, bucket, message));
        };
        let body = xml::to_string(&xml::InventoryConfiguration::from(inventory))
            .map_err(|e| request_error(Provider::S3, Operation::Put, bucket, e.to_string()))?;
        let call = InventoryCall::Put {
            id: &inventory.id,
            body: &body,
        };
        let raw = self.send(bucket, &call).await?;
        response::put(raw.status, &raw.headers, &raw.body)
            .map_err(|f| f.into_error(Provider::S3, Operation::Put, bucket))
    }

    async fn delete(&self, bucket: &BucketKey, id: &str) -> Result<(), ProviderError> {
        let raw = self.send(bucket, &InventoryCall::Delete { id }).await?;
        response::delete(raw.status, &raw.headers, &raw.body)
            .map_err(|f| f.into_error(Provider::S3, Operation::Delete, bucket))
    }
}
