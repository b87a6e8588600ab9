//! The one inventory client of the S3-family APIs: [`InventoryApi`] over signed HTTP, for any
//! [`Dialect`].
//!
//! Each call is built and signed by the dialect for every attempt, sent through the shared
//! transport, and its answer read by [`crate::provider::response`], whose documentation gives
//! the status rules. LIST pages through [`crate::provider::paginate`].

use std::sync::Arc;

use url::Url;

use super::{Attempt, Dialect};
use crate::model::Endpoint;
use crate::model::{BucketKey, Inventory, LiveConfig};
use crate::provider::clock::{Clock, system_clock};
use crate::provider::http::{RawResponse, Transport};
use crate::provider::paginate::{self, ListPage};
use crate::provider::request::{InventoryCall, Target};
use crate::provider::send::{
    Sender, caused_request_error, request_error, send_signed, with_article,
};
use crate::provider::{BoxFuture, CredentialSource, InventoryApi, Operation, ProviderError};

/// Client of one provider's bucket inventory API. Cheap to clone; clones share the connection
/// pool.
///
/// Credentials are asked of the [`CredentialSource`] once per call (it caches and refreshes
/// them); every attempt of the call is signed afresh with the clock's time, so rotated keys and
/// retries after a pause both sign correctly.
#[derive(Clone)]
pub struct Client<D: Dialect> {
    transport: Transport,
    credentials: Arc<dyn CredentialSource>,
    endpoint: Option<Url>,
    clock: Clock,
    pub(crate) dialect: D,
}

impl<D: Dialect> std::fmt::Debug for Client<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("provider", &D::PROVIDER)
            .field("endpoint", &self.endpoint.as_ref().map(Url::as_str))
            .field("dialect", &self.dialect)
            .finish_non_exhaustive()
    }
}

impl<D: Dialect + Default> Client<D> {
    /// A client of the provider's public HTTPS endpoints in the dialect's defaults (OSS signs
    /// with V4, S3 with no bucket options), signing with the system clock.
    pub fn new(transport: Transport, credentials: Arc<dyn CredentialSource>) -> Self {
        Client::with_dialect(transport, credentials, D::default())
    }
}

impl<D: Dialect> Client<D> {
    /// A client of the provider's public HTTPS endpoints speaking `dialect`, signing with the
    /// system clock.
    pub(crate) fn with_dialect(
        transport: Transport,
        credentials: Arc<dyn CredentialSource>,
        dialect: D,
    ) -> Self {
        Client {
            transport,
            credentials,
            endpoint: None,
            clock: system_clock(),
            dialect,
        }
    }

    /// The same client sending every request to `endpoint` instead of the public endpoints
    /// (plain `http` allowed, since it is explicit).
    pub fn with_endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(endpoint.url().clone());
        self
    }

    /// The client, sending to `endpoint` when given, as the registry hands clients out.
    pub fn shared(self, endpoint: Option<Endpoint>) -> Arc<dyn InventoryApi> {
        Arc::new(match endpoint {
            Some(endpoint) => self.with_endpoint(endpoint),
            None => self,
        })
    }

    /// The same client signing with the time `clock` gives.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The endpoint override, if any.
    pub fn endpoint(&self) -> Option<&Url> {
        self.endpoint.as_ref()
    }

    /// Sends `call` with the transport's retries, re-signing each attempt. A service call
    /// ([`InventoryCall::is_service_call`]) goes to `bucket.region`'s service endpoint, and
    /// `bucket.bucket` only names it in errors and logs.
    pub(super) async fn send(
        &self,
        bucket: &BucketKey,
        call: &InventoryCall<'_>,
    ) -> Result<RawResponse, ProviderError> {
        let sender = Sender {
            transport: &self.transport,
            credentials: self.credentials.as_ref(),
            provider: D::PROVIDER,
            title: D::TITLE,
            credentials_title: D::CREDENTIALS_TITLE,
        };
        let target = Target {
            bucket: if call.is_service_call() {
                ""
            } else {
                &bucket.bucket
            },
            region: &bucket.region,
            endpoint: self.endpoint.as_ref(),
        };
        send_signed(sender, call.operation(), bucket, |credentials, number| {
            self.dialect.sign(&Attempt {
                call,
                target,
                number,
                credentials,
                now: (self.clock)(),
            })
        })
        .await
    }

    /// One LIST page; `token` is the previous page's `NextContinuationToken`. The dialect's
    /// "no configurations" answer is an empty page on the first page only.
    async fn list_page(
        &self,
        bucket: &BucketKey,
        token: Option<&str>,
    ) -> Result<ListPage, ProviderError> {
        let call = InventoryCall::List {
            continuation_token: token,
        };
        let raw = self.send(bucket, &call).await?;
        let page = D::read_list(raw.status, &raw.headers, &raw.body)
            .map_err(|f| f.into_error(D::PROVIDER, Operation::List, bucket));
        paginate::empty_only_on_first_page(page, token, D::means_no_configurations)
    }

    async fn list_configs(&self, bucket: &BucketKey) -> Result<Vec<LiveConfig>, ProviderError> {
        paginate::list_all(D::PROVIDER, bucket, |token| async move {
            self.list_page(bucket, token.as_deref()).await
        })
        .await
    }

    async fn get_config(
        &self,
        bucket: &BucketKey,
        id: &str,
    ) -> Result<Option<LiveConfig>, ProviderError> {
        let raw = self.send(bucket, &InventoryCall::Get { id }).await?;
        D::read_get(raw.status, &raw.headers, &raw.body)
            .map_err(|f| f.into_error(D::PROVIDER, Operation::Get, bucket))
    }

    async fn put_config(
        &self,
        bucket: &BucketKey,
        inventory: &Inventory,
    ) -> Result<(), ProviderError> {
        let refuse = |message: String| request_error(D::PROVIDER, Operation::Put, bucket, message);
        let Some(body) = D::put_body(inventory) else {
            return Err(refuse(format!(
                "configuration `{}` is a {} configuration, not {} one",
                inventory.id(),
                inventory.provider(),
                with_article(D::TITLE),
            )));
        };
        let body = body.map_err(|e| {
            let message = e.to_string();
            caused_request_error(D::PROVIDER, Operation::Put, bucket, message, Box::new(e))
        })?;
        let call = InventoryCall::Put {
            id: inventory.id(),
            body: &body,
        };
        let raw = self.send(bucket, &call).await?;
        D::read_put(raw.status, &raw.headers, &raw.body)
            .map_err(|f| f.into_error(D::PROVIDER, Operation::Put, bucket))
    }

    async fn delete_config(&self, bucket: &BucketKey, id: &str) -> Result<(), ProviderError> {
        let raw = self.send(bucket, &InventoryCall::Delete { id }).await?;
        D::read_delete(raw.status, &raw.headers, &raw.body)
            .map_err(|f| f.into_error(D::PROVIDER, Operation::Delete, bucket))
    }
}

impl<D: Dialect> InventoryApi for Client<D> {
    fn list<'a>(
        &'a self,
        bucket: &'a BucketKey,
    ) -> BoxFuture<'a, Result<Vec<LiveConfig>, ProviderError>> {
        Box::pin(Client::list_configs(self, bucket))
    }

    fn get<'a>(
        &'a self,
        bucket: &'a BucketKey,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<LiveConfig>, ProviderError>> {
        Box::pin(Client::get_config(self, bucket, id))
    }

    fn put<'a>(
        &'a self,
        bucket: &'a BucketKey,
        inventory: &'a Inventory,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(Client::put_config(self, bucket, inventory))
    }

    fn delete<'a>(
        &'a self,
        bucket: &'a BucketKey,
        id: &'a str,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(Client::delete_config(self, bucket, id))
    }
}
