//! Provider clients for every bucket, sharing one HTTP transport (and its connection pool).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::model::{BucketKey, DesiredBucket, Endpoint, Provider, ProviderBucketOptions};
use crate::provider::delivery::DeliveryApi;
use crate::provider::discovery::DiscoveryApi;
use crate::provider::endpoint_policy::EndpointPolicy;
use crate::provider::http::Transport;
use crate::provider::memory::MemoryInventory;
use crate::provider::registry::{self, ClientParts};
use crate::provider::{BoxError, CredentialSource, InventoryApi, Operation, ProviderError};

pub use crate::provider::client_settings::ClientSettings;

/// Hands out a client for any bucket, as `Arc<dyn InventoryApi>`.
#[derive(Clone)]
pub struct Clients {
    transport: Transport,
    credentials: BTreeMap<Provider, Arc<dyn CredentialSource>>,
    settings: ClientSettings,
    /// When set, the client of every bucket.
    memory: Option<MemoryInventory>,
}

impl Clients {
    /// Clients over one shared transport, with each provider's credentials (see
    /// [`registry::credentials_for_all`]).
    ///
    /// # Panics
    /// When `credentials` misses a provider of [`Provider::ALL`]: a programming error.
    pub fn new(
        settings: ClientSettings,
        transport: Transport,
        credentials: BTreeMap<Provider, Arc<dyn CredentialSource>>,
    ) -> Self {
        for provider in Provider::ALL {
            assert!(
                credentials.contains_key(&provider),
                "no credential source for {provider}"
            );
        }
        Clients {
            transport,
            credentials,
            settings,
            memory: None,
        }
    }

    /// The same clients handing out `api` for every bucket (after the same endpoint checks),
    /// so the daemon loop runs against the in-memory fake in tests.
    pub fn with_memory(mut self, api: MemoryInventory) -> Self {
        self.memory = Some(api);
        self
    }

    /// Which `spec.endpoint` values manifests may name.
    pub fn endpoint_policy(&self) -> &EndpointPolicy {
        &self.settings.endpoint_policy
    }

    /// The client for a declared bucket: its key, `spec.endpoint` and provider options.
    ///
    /// # Errors
    /// As [`Clients::for_bucket`].
    pub(crate) fn for_desired(
        &self,
        bucket: &DesiredBucket,
    ) -> Result<Arc<dyn InventoryApi>, ProviderError> {
        self.connect(&bucket.key, bucket.endpoint.as_ref(), &bucket.options)
    }

    /// The client for `key`, sending to `endpoint` (a manifest's `spec.endpoint`) when given and
    /// allowed by the endpoint policy, else to the provider's endpoint override, else to the
    /// public endpoint.
    ///
    /// # Errors
    /// `ProviderError::Request`, before any request, when the manifest's endpoint is refused by
    /// the policy or either endpoint is not a bare `http(s)://host[:port]`; the message shows at
    /// most `scheme://host[:port]` of it.
    pub fn for_bucket(
        &self,
        key: &BucketKey,
        endpoint: Option<&Endpoint>,
    ) -> Result<Arc<dyn InventoryApi>, ProviderError> {
        self.connect(key, endpoint, &ProviderBucketOptions::none())
    }

    /// [`Clients::for_bucket`] with the bucket's provider `options` (e.g. S3's expected owner),
    /// as `import` takes them from flags. Same errors.
    pub fn for_bucket_with(
        &self,
        key: &BucketKey,
        endpoint: Option<&Endpoint>,
        options: &ProviderBucketOptions,
    ) -> Result<Arc<dyn InventoryApi>, ProviderError> {
        self.connect(key, endpoint, options)
    }

    /// The discovery client of `provider` (its account's buckets and their tags), sending to
    /// the provider's endpoint override when there is one, with `options` (S3's path style).
    ///
    /// # Errors
    /// `ProviderError::Request`, before any request, when the override is not a bare
    /// `http(s)://host[:port]`.
    pub fn discovery(
        &self,
        provider: Provider,
        options: &ProviderBucketOptions,
    ) -> Arc<dyn DiscoveryApi> {
        if let Some(api) = &self.memory {
            return Arc::new(api.discovery(provider));
        }
        (registry::spec(provider).discover)(ClientParts {
            transport: self.transport.clone(),
            credentials: self.credentials[&provider].clone(),
            endpoint: self.settings.endpoints.get(&provider).cloned(),
            options,
            settings: &self.settings,
        })
    }

    /// The delivery client for the destinations of a declared bucket's configurations: sent
    /// where the bucket's own calls go (its `spec.endpoint` when allowed, else the provider's
    /// override, else the public endpoint), with its provider options.
    ///
    /// # Errors
    /// As [`Clients::for_bucket`], when the manifest's endpoint is refused.
    pub fn delivery_for(
        &self,
        bucket: &DesiredBucket,
    ) -> Result<Arc<dyn DeliveryApi>, ProviderError> {
        let key = &bucket.key;
        let endpoint =
            self.endpoint_for(key, bucket.endpoint.as_ref(), Operation::GetBucketPolicy)?;
        if let Some(api) = &self.memory {
            return Ok(Arc::new(api.delivery(key.provider)));
        }
        Ok((registry::spec(key.provider).deliver)(ClientParts {
            transport: self.transport.clone(),
            credentials: self.credentials[&key.provider].clone(),
            endpoint,
            options: &bucket.options,
            settings: &self.settings,
        }))
    }

    /// Where calls for `key` go: `endpoint` (a manifest's) when the policy allows it, else the
    /// provider's override, else `None` (the public endpoint).
    fn endpoint_for(
        &self,
        key: &BucketKey,
        endpoint: Option<&Endpoint>,
        operation: Operation,
    ) -> Result<Option<Endpoint>, ProviderError> {
        let entry = registry::spec(key.provider);
        match endpoint {
            Some(endpoint) => {
                self.settings
                    .endpoint_policy
                    .check(key.provider, entry.default_endpoint_patterns, endpoint)
                    .map_err(|e| {
                        let message = format!("spec.endpoint: {e} ({})", e.hint());
                        invalid_endpoint(key, operation, message, Box::new(e))
                    })?;
                Ok(Some(endpoint.clone()))
            }
            None => Ok(self.settings.endpoints.get(&key.provider).cloned()),
        }
    }

    fn connect(
        &self,
        key: &BucketKey,
        endpoint: Option<&Endpoint>,
        options: &ProviderBucketOptions,
    ) -> Result<Arc<dyn InventoryApi>, ProviderError> {
        let entry = registry::spec(key.provider);
        let endpoint = self.endpoint_for(key, endpoint, Operation::List)?;
        if let Some(api) = &self.memory {
            return Ok(Arc::new(api.clone()));
        }
        Ok((entry.connect)(ClientParts {
            transport: self.transport.clone(),
            credentials: self.credentials[&key.provider].clone(),
            endpoint,
            options,
            settings: &self.settings,
        }))
    }
}

/// A refused endpoint: the message names where it came from, the cause is the endpoint error.
fn invalid_endpoint(
    key: &BucketKey,
    operation: Operation,
    message: String,
    source: BoxError,
) -> ProviderError {
    ProviderError::Request {
        provider: key.provider,
        operation,
        bucket: key.bucket.clone(),
        message,
        source: Some(source),
    }
}
