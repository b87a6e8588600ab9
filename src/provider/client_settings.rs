//! How provider clients are built: endpoint overrides and policy, signature version, HTTP
//! limits; the operator's settings, handed to each provider's constructor.

use std::collections::BTreeMap;

use crate::model::Provider;
use crate::provider::endpoint_policy::{EndpointPolicy, parse_endpoint};
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
    /// own setting, so trusted (its form is still checked).
    pub endpoints: BTreeMap<Provider, String>,
    /// Which `spec.endpoint` values manifests may name (`--allow-endpoint`).
    pub endpoint_policy: EndpointPolicy,
    pub oss_signature: SignatureVersion,
    pub http: HttpSettings,
    /// Most requests per second per provider account and region; 0 means no limit.
    pub max_requests_per_second: u32,
}

impl ClientSettings {
    /// The same settings sending every provider's requests to `endpoint` (an emulator).
    pub fn with_endpoint_for_all(mut self, endpoint: &str) -> Self {
        self.endpoints = Provider::ALL
            .into_iter()
            .map(|p| (p, endpoint.to_string()))
            .collect();
        self
    }

    /// Checks the form of the operator's endpoint overrides, so a bad one stops a command
    /// before any bucket is read.
    ///
    /// # Errors
    /// The first bad override (in provider order), named by its flag and environment variable
    /// as `endpoint_source` gives them (the table entry's `endpoint_source`); the message shows
    /// at most `scheme://host[:port]` of it.
    pub fn check_endpoints(
        &self,
        endpoint_source: impl Fn(Provider) -> &'static str,
    ) -> Result<(), String> {
        for (provider, text) in &self.endpoints {
            let source = endpoint_source(*provider);
            parse_endpoint(text).map_err(|e| format!("{source}: {e}"))?;
        }
        Ok(())
    }
}
