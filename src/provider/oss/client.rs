//! The OSS inventory client: signs each attempt, sends it through the shared transport and
//! reads the answer.
//!
//! The wire form of each call is built by [`super::request`] (path style for IP and
//! `localhost` endpoints, `Content-Type` and `Content-MD5` on PUT, `x-oss-security-token` with
//! temporary credentials) and answers are read by [`super::response`], whose documentation
//! lists the status rules (notably: LIST answered 404 `NoSuchInventory` on its first page is
//! an empty list, on a later page an error).

use std::sync::Arc;

use url::Url;

use super::request::{self, InventoryCall, SignatureVersion, Target};
use super::response;
use super::xml;
use crate::model::{BucketKey, Inventory, LiveConfig, Provider};
pub use crate::provider::clock::Clock;
use crate::provider::clock::system_clock;
use crate::provider::endpoint_policy::{self, EndpointError};
use crate::provider::http::{RawResponse, Transport};
use crate::provider::paginate;
use crate::provider::send::{Sender, caused_request_error, request_error, send_signed};
use crate::provider::{CredentialSource, InventoryApi, Operation, ProviderError};

/// Client of the OSS bucket inventory API, implementing [`InventoryApi`].
///
/// Every attempt is signed afresh: credentials are asked of the [`CredentialSource`] and the
/// time of the clock, so rotated keys and retries after a pause both sign correctly.
#[derive(Clone)]
pub struct OssClient {
    transport: Transport,
    credentials: Arc<dyn CredentialSource>,
    signature_version: SignatureVersion,
    endpoint: Option<Url>,
    clock: Clock,
}

impl std::fmt::Debug for OssClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OssClient")
            .field("signature_version", &self.signature_version)
            .field("endpoint", &self.endpoint.as_ref().map(Url::as_str))
            .finish_non_exhaustive()
    }
}

impl OssClient {
    /// A client of the public OSS endpoints (`https://{bucket}.oss-{region}.aliyuncs.com`),
    /// signing with V4 and the system clock.
    pub fn new(transport: Transport, credentials: Arc<dyn CredentialSource>) -> Self {
        OssClient {
            transport,
            credentials,
            signature_version: SignatureVersion::V4,
            endpoint: None,
            clock: system_clock(),
        }
    }

    /// The same client signing with `version`.
    pub fn with_signature_version(mut self, version: SignatureVersion) -> Self {
        self.signature_version = version;
        self
    }

    /// The same client sending to `endpoint` instead of the public endpoints (plain `http`
    /// allowed, since it is explicit). Path style when its host is an IP address or
    /// `localhost`, virtual-hosted otherwise (see [`super::endpoint::bucket_url`]).
    ///
    /// # Errors
    /// When the endpoint is not `http(s)://host[:port][/]`.
    pub fn with_endpoint(mut self, endpoint: Url) -> Result<Self, EndpointError> {
        self.endpoint = Some(endpoint_policy::validate_endpoint(endpoint)?);
        Ok(self)
    }

    /// The same client signing with the time `clock` gives.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn signature_version(&self) -> SignatureVersion {
        self.signature_version
    }

    pub fn endpoint(&self) -> Option<&Url> {
        self.endpoint.as_ref()
    }

    /// Sends `call` with the transport's retries, re-signing each attempt.
    async fn send(
        &self,
        bucket: &BucketKey,
        call: &InventoryCall<'_>,
    ) -> Result<RawResponse, ProviderError> {
        let sender = Sender::new(&self.transport, self.credentials.as_ref(), Provider::Oss);
        let target = Target {
            bucket: &bucket.bucket,
            region: &bucket.region,
            endpoint: self.endpoint.as_ref(),
        };
        send_signed(sender, call.operation(), bucket, |credentials, _attempt| {
            request::sign(
                call,
                target,
                self.signature_version,
                credentials,
                (self.clock)(),
            )
        })
        .await
    }
}

impl InventoryApi for OssClient {
    async fn list(&self, bucket: &BucketKey) -> Result<Vec<LiveConfig>, ProviderError> {
        paginate::list_all(Provider::Oss, bucket, |token| async move {
            let call = InventoryCall::List {
                continuation_token: token.as_deref(),
            };
            let raw = self.send(bucket, &call).await?;
            let page = response::list_page(raw.status, &raw.headers, &raw.body)
                .map_err(|f| f.into_error(Provider::Oss, Operation::List, bucket));
            paginate::empty_only_on_first_page(
                page,
                token.as_deref(),
                response::means_no_configurations,
            )
        })
        .await
    }

    async fn get(&self, bucket: &BucketKey, id: &str) -> Result<Option<LiveConfig>, ProviderError> {
        let raw = self.send(bucket, &InventoryCall::Get { id }).await?;
        response::get(raw.status, &raw.headers, &raw.body)
            .map_err(|f| f.into_error(Provider::Oss, Operation::Get, bucket))
    }

    async fn put(&self, bucket: &BucketKey, inventory: &Inventory) -> Result<(), ProviderError> {
        let Inventory::Oss(inventory) = inventory else {
            let message = format!(
                "configuration `{}` is a {} configuration, not an OSS one",
                inventory.id(),
                inventory.provider()
            );
            return Err(request_error(
                Provider::Oss,
                Operation::Put,
                bucket,
                message,
            ));
        };
        let body = xml::to_string(&xml::InventoryConfiguration::from(inventory)).map_err(|e| {
            let message = e.to_string();
            caused_request_error(Provider::Oss, Operation::Put, bucket, message, Box::new(e))
        })?;
        let call = InventoryCall::Put {
            id: &inventory.id,
            body: &body,
        };
        let raw = self.send(bucket, &call).await?;
        response::put(raw.status, &raw.headers, &raw.body)
            .map_err(|f| f.into_error(Provider::Oss, Operation::Put, bucket))
    }

    async fn delete(&self, bucket: &BucketKey, id: &str) -> Result<(), ProviderError> {
        let raw = self.send(bucket, &InventoryCall::Delete { id }).await?;
        response::delete(raw.status, &raw.headers, &raw.body)
            .map_err(|f| f.into_error(Provider::Oss, Operation::Delete, bucket))
    }
}
