//! Provider clients for every bucket, sharing one HTTP transport (and its connection pool).

use std::sync::Arc;

use crate::model::{BucketKey, Inventory, LiveConfig, Provider};
use crate::provider::cos::CosClient;
use crate::provider::endpoint_policy::{EndpointPolicy, parse_endpoint};
use crate::provider::http::{HttpSettings, Transport};
use crate::provider::oss::{OssClient, SignatureVersion};
use crate::provider::{CredentialSource, InventoryApi, Operation, ProviderError};

/// How clients are built: endpoints, signature version, HTTP limits.
#[derive(Debug, Clone, Default)]
pub struct ClientSettings {
    /// `INVSYNC_COS_ENDPOINT`: where COS requests go when a manifest names no endpoint. The
    /// operator's own setting, so trusted (its form is still checked).
    pub cos_endpoint: Option<String>,
    /// `INVSYNC_OSS_ENDPOINT`: where OSS requests go when a manifest names no endpoint.
    pub oss_endpoint: Option<String>,
    /// Which `spec.endpoint` values manifests may name (`--allow-endpoint`).
    pub endpoint_policy: EndpointPolicy,
    pub oss_signature: SignatureVersion,
    pub http: HttpSettings,
    /// Most requests per second per provider account and region; 0 means no limit.
    pub max_requests_per_second: u32,
}

/// Where the operator's COS and OSS endpoint overrides come from, as messages name them.
pub const COS_ENDPOINT_SOURCE: &str = "--cos-endpoint (INVSYNC_COS_ENDPOINT)";
pub const OSS_ENDPOINT_SOURCE: &str = "--oss-endpoint (INVSYNC_OSS_ENDPOINT)";

impl ClientSettings {
    /// Checks the form of the operator's endpoint overrides, so a bad one stops a command
    /// before any bucket is read.
    ///
    /// # Errors
    /// The first bad override, named by its flag and environment variable; the message shows
    /// at most `scheme://host[:port]` of it.
    pub fn check_endpoints(&self) -> Result<(), String> {
        for (endpoint, source) in [
            (&self.cos_endpoint, COS_ENDPOINT_SOURCE),
            (&self.oss_endpoint, OSS_ENDPOINT_SOURCE),
        ] {
            if let Some(text) = endpoint {
                parse_endpoint(text).map_err(|e| format!("{source}: {e}"))?;
            }
        }
        Ok(())
    }
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

    /// Which `spec.endpoint` values manifests may name.
    pub fn endpoint_policy(&self) -> &EndpointPolicy {
        &self.settings.endpoint_policy
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
        endpoint: Option<&str>,
    ) -> Result<ProviderClient, ProviderError> {
        let (configured, variable) = match key.provider {
            Provider::Cos => (self.settings.cos_endpoint.as_deref(), COS_ENDPOINT_SOURCE),
            Provider::Oss => (self.settings.oss_endpoint.as_deref(), OSS_ENDPOINT_SOURCE),
        };
        let endpoint = match (endpoint, configured) {
            (Some(text), _) => Some(
                self.settings
                    .endpoint_policy
                    .check(key.provider, text)
                    .map_err(|e| {
                        invalid_endpoint(key, format!("spec.endpoint: {e} ({})", e.hint()))
                    })?,
            ),
            (None, Some(text)) => Some(
                parse_endpoint(text)
                    .map_err(|e| invalid_endpoint(key, format!("{variable}: {e}")))?,
            ),
            (None, None) => None,
        };
        Ok(match key.provider {
            Provider::Cos => {
                let client = CosClient::new(self.transport.clone(), self.cos_credentials.clone());
                ProviderClient::Cos(match endpoint {
                    Some(url) => client
                        .with_endpoint(url)
                        .map_err(|e| invalid_endpoint(key, e.to_string()))?,
                    None => client,
                })
            }
            Provider::Oss => {
                let client = OssClient::new(self.transport.clone(), self.oss_credentials.clone())
                    .with_signature_version(self.settings.oss_signature);
                ProviderClient::Oss(match endpoint {
                    Some(url) => client
                        .with_endpoint(url)
                        .map_err(|e| invalid_endpoint(key, e.to_string()))?,
                    None => client,
                })
            }
        })
    }
}

fn invalid_endpoint(key: &BucketKey, message: String) -> ProviderError {
    ProviderError::Request {
        provider: key.provider,
        operation: Operation::List,
        bucket: key.bucket.clone(),
        message,
        source: None,
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
