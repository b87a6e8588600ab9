//! Provider clients for every bucket, sharing one HTTP transport (and its connection pool).

use std::sync::Arc;

use url::Url;

use crate::model::{BucketKey, Inventory, LiveConfig, Provider};
use crate::provider::cos::CosClient;
use crate::provider::http::{HttpSettings, Transport};
use crate::provider::oss::{OssClient, SignatureVersion};
use crate::provider::{CredentialSource, InventoryApi, Operation, ProviderError};

/// How clients are built: endpoints, signature version, HTTP limits.
#[derive(Debug, Clone, Default)]
pub struct ClientSettings {
    /// `INVSYNC_COS_ENDPOINT`: where COS requests go when a manifest names no endpoint.
    pub cos_endpoint: Option<String>,
    /// `INVSYNC_OSS_ENDPOINT`: where OSS requests go when a manifest names no endpoint.
    pub oss_endpoint: Option<String>,
    pub oss_signature: SignatureVersion,
    pub http: HttpSettings,
    /// Most requests per second per provider account and region; 0 means no limit.
    pub max_requests_per_second: u32,
}

/// Hands out a client for any bucket.
#[derive(Clone)]
pub struct Clients {
    transport: Transport,
    cos_credentials: Arc<dyn CredentialSource>,
    oss_credentials: Arc<dyn CredentialSource>,
    settings: ClientSettings,
}

impl Clients {
    /// Clients over one shared transport.
    pub fn new(
        settings: ClientSettings,
        transport: Transport,
        cos_credentials: Arc<dyn CredentialSource>,
        oss_credentials: Arc<dyn CredentialSource>,
    ) -> Self {
        Clients {
            transport,
            cos_credentials,
            oss_credentials,
            settings,
        }
    }

    /// The client for `key`, sending to `endpoint` (a manifest's `spec.endpoint`) when given,
    /// else to the provider's endpoint override, else to the public endpoint.
    ///
    /// # Errors
    /// `ProviderError::Request` when the endpoint is not a valid http(s) URL.
    pub fn for_bucket(
        &self,
        key: &BucketKey,
        endpoint: Option<&str>,
    ) -> Result<ProviderClient, ProviderError> {
        let configured = match key.provider {
            Provider::Cos => self.settings.cos_endpoint.as_deref(),
            Provider::Oss => self.settings.oss_endpoint.as_deref(),
        };
        let endpoint = endpoint
            .or(configured)
            .map(|text| parse_endpoint(text, key))
            .transpose()?;
        let endpoint_error = |e: &dyn std::fmt::Display| invalid_endpoint(key, e.to_string());
        Ok(match key.provider {
            Provider::Cos => {
                let client = CosClient::new(self.transport.clone(), self.cos_credentials.clone());
                ProviderClient::Cos(match endpoint {
                    Some(url) => client.with_endpoint(url).map_err(|e| endpoint_error(&e))?,
                    None => client,
                })
            }
            Provider::Oss => {
                let client = OssClient::new(self.transport.clone(), self.oss_credentials.clone())
                    .with_signature_version(self.settings.oss_signature);
                ProviderClient::Oss(match endpoint {
                    Some(url) => client.with_endpoint(url).map_err(|e| endpoint_error(&e))?,
                    None => client,
                })
            }
        })
    }
}

fn parse_endpoint(text: &str, key: &BucketKey) -> Result<Url, ProviderError> {
    let url = Url::parse(text).map_err(|e| {
        invalid_endpoint(
            key,
            format!("endpoint `{text}` is not a URL ({e}); write e.g. http://127.0.0.1:9000"),
        )
    })?;
    match url.scheme() {
        "http" | "https" if url.host().is_some() => Ok(url),
        _ => Err(invalid_endpoint(
            key,
            format!("endpoint `{text}` must be an http:// or https:// URL with a host"),
        )),
    }
}

fn invalid_endpoint(key: &BucketKey, message: String) -> ProviderError {
    ProviderError::Request {
        provider: key.provider,
        operation: Operation::List,
        bucket: key.bucket.clone(),
        message,
    }
}

/// A COS or OSS client behind one type, so callers need not care which.
#[derive(Clone)]
pub enum ProviderClient {
    Cos(CosClient),
    Oss(OssClient),
}

impl InventoryApi for ProviderClient {
    async fn list(&self, bucket: &BucketKey) -> Result<Vec<LiveConfig>, ProviderError> {
        match self {
            ProviderClient::Cos(c) => c.list(bucket).await,
            ProviderClient::Oss(c) => c.list(bucket).await,
        }
    }

    async fn get(&self, bucket: &BucketKey, id: &str) -> Result<Option<LiveConfig>, ProviderError> {
        match self {
            ProviderClient::Cos(c) => c.get(bucket, id).await,
            ProviderClient::Oss(c) => c.get(bucket, id).await,
        }
    }

    async fn put(&self, bucket: &BucketKey, inventory: &Inventory) -> Result<(), ProviderError> {
        match self {
            ProviderClient::Cos(c) => c.put(bucket, inventory).await,
            ProviderClient::Oss(c) => c.put(bucket, inventory).await,
        }
    }

    async fn delete(&self, bucket: &BucketKey, id: &str) -> Result<(), ProviderError> {
        match self {
            ProviderClient::Cos(c) => c.delete(bucket, id).await,
            ProviderClient::Oss(c) => c.delete(bucket, id).await,
        }
    }
}
