//! The COS inventory client: [`InventoryApi`] over signed HTTP.
//!
//! Each call is built and signed by [`super::request`] (whose documentation gives the wire
//! form) for every attempt, sent through the shared transport, and its answer read by
//! [`super::response`] (whose documentation gives the status rules). LIST pages through
//! [`crate::provider::paginate`].

use std::sync::Arc;

use url::Url;

use super::request::{self, Attempt, InventoryCall, Target};
use super::response::{self, ListPage};
use super::xml;
use crate::model::{BucketKey, Inventory, LiveConfig, Provider};
use crate::provider::clock::{Clock, system_clock};
use crate::provider::endpoint_policy::{self, EndpointError};
use crate::provider::http::{RawResponse, Transport};
use crate::provider::paginate;
use crate::provider::send::{Sender, caused_request_error, request_error, send_signed};
use crate::provider::{CredentialSource, InventoryApi, Operation, ProviderError};

/// Client of the COS bucket inventory API. Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct CosClient {
    transport: Transport,
    credentials: Arc<dyn CredentialSource>,
    endpoint: Option<Url>,
    clock: Clock,
}

impl std::fmt::Debug for CosClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CosClient")
            .field("endpoint", &self.endpoint.as_ref().map(Url::as_str))
            .finish_non_exhaustive()
    }
}

impl CosClient {
    /// A client of the public HTTPS endpoints, signing with the system clock.
    pub fn new(transport: Transport, credentials: Arc<dyn CredentialSource>) -> Self {
        CosClient {
            transport,
            credentials,
            endpoint: None,
            clock: system_clock(),
        }
    }

    /// Sends every request to `endpoint` instead (plain `http` allowed, since it is explicit).
    ///
    /// # Errors
    /// When the endpoint is not `http(s)://host[:port][/]`.
    pub fn with_endpoint(mut self, endpoint: Url) -> Result<Self, EndpointError> {
        self.endpoint = Some(endpoint_policy::validate_endpoint(endpoint)?);
        Ok(self)
    }

    /// Signs with time from `clock`.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The endpoint override, if any.
    pub fn endpoint(&self) -> Option<&Url> {
        self.endpoint.as_ref()
    }

    /// One LIST page; `token` is the previous page's `NextContinuationToken`.
    ///
    /// # Errors
    /// As [`InventoryApi::list`]; a 404 is returned as a `Service` error here.
    pub async fn list_page(
        &self,
        bucket: &BucketKey,
        token: Option<&str>,
    ) -> Result<ListPage, ProviderError> {
        let call = InventoryCall::List {
            continuation_token: token,
        };
        let raw = self.send(bucket, &call).await?;
        response::list_page(raw.status, &raw.headers, &raw.body)
            .map_err(|f| f.into_error(Provider::Cos, Operation::List, bucket))
    }

    /// Sends `call` with the transport's retries, re-signing each attempt.
    async fn send(
        &self,
        bucket: &BucketKey,
        call: &InventoryCall<'_>,
    ) -> Result<RawResponse, ProviderError> {
        let sender = Sender::new(&self.transport, self.credentials.as_ref(), Provider::Cos);
        let target = Target {
            bucket: &bucket.bucket,
            region: &bucket.region,
            endpoint: self.endpoint.as_ref(),
        };
        send_signed(sender, call.operation(), bucket, |credentials, attempt| {
            request::sign(
                call,
                target,
                Attempt::from_number(attempt),
                credentials,
                (self.clock)(),
            )
        })
        .await
    }
}

impl InventoryApi for CosClient {
    async fn list(&self, bucket: &BucketKey) -> Result<Vec<LiveConfig>, ProviderError> {
        paginate::list_all(Provider::Cos, bucket, |token| async move {
            let page = self.list_page(bucket, token.as_deref()).await;
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
            .map_err(|f| f.into_error(Provider::Cos, Operation::Get, bucket))
    }

    async fn put(&self, bucket: &BucketKey, inventory: &Inventory) -> Result<(), ProviderError> {
        let Inventory::Cos(cos) = inventory else {
            let message = format!(
                "configuration {} is a {} configuration, not a COS one",
                inventory.id(),
                inventory.provider()
            );
            return Err(request_error(
                Provider::Cos,
                Operation::Put,
                bucket,
                message,
            ));
        };
        let body = xml::to_string(&xml::InventoryConfiguration::from(cos)).map_err(|e| {
            let message = e.to_string();
            caused_request_error(Provider::Cos, Operation::Put, bucket, message, Box::new(e))
        })?;
        let call = InventoryCall::Put {
            id: &cos.id,
            body: &body,
        };
        let raw = self.send(bucket, &call).await?;
        response::put(raw.status, &raw.headers, &raw.body)
            .map_err(|f| f.into_error(Provider::Cos, Operation::Put, bucket))
    }

    async fn delete(&self, bucket: &BucketKey, id: &str) -> Result<(), ProviderError> {
        let raw = self.send(bucket, &InventoryCall::Delete { id }).await?;
        response::delete(raw.status, &raw.headers, &raw.body)
            .map_err(|f| f.into_error(Provider::Cos, Operation::Delete, bucket))
    }
}
