//! How provider clients are built: endpoint overrides and policy, signature version, HTTP
//! limits; the operator's settings, handed to each provider's constructor.

use std::collections::BTreeMap;

use crate::model::Endpoint;
use crate::model::Provider;
use crate::provider::endpoint_policy::EndpointPolicy;
use crate::provider::http::HttpSettings;

/// Which OSS signature a client puts on its requests (`--oss-signature`); the setting lives
/// here with the others, the OSS signers in `provider::oss`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureVersion {
    /// `Authorization: OSS ak:signature` (HMAC-SHA1), for old deployments and proxies.
    V1,
    /// `OSS4-HMAC-SHA256`, the version OSS recommends.
    #[default]
    V4,
}

/// How clients are built: endpoints, signature version, HTTP limits.
#[derive(Debug, Clone, Default)]
pub struct ClientSettings {
    /// Where a provider's requests go when a manifest names no endpoint (`--cos-endpoint`,
    /// `INVSYNC_OSS_ENDPOINT`, ...: each provider's table entry names its flag). The operator's
    /// own setting, so trusted (its form was checked where it was read).
    pub endpoints: BTreeMap<Provider, Endpoint>,
    /// Which `spec.endpoint` values manifests may name (`--allow-endpoint`).
    pub endpoint_policy: EndpointPolicy,
    /// Which signature OSS requests carry (`--oss-signature`; V4 unless set).
    pub oss_signature: SignatureVersion,
    /// Timeouts, retries and body limits of every provider's transport.
    pub http: HttpSettings,
    /// Most requests per second per provider account and region; 0 means no limit.
    pub max_requests_per_second: u32,
}

impl ClientSettings {
    /// The same settings sending every provider's requests to `endpoint` (an emulator).
    pub fn with_endpoint_for_all(mut self, endpoint: &Endpoint) -> Self {
        self.endpoints = Provider::ALL
            .into_iter()
            .map(|p| (p, endpoint.clone()))
            .collect();
        self
    }
}
