//! How provider clients are built: endpoint overrides and policy, signature version, HTTP
//! limits; the operator's settings, handed to each provider's constructor.

use std::collections::BTreeMap;

use crate::model::Provider;
use crate::provider::endpoint_policy::{EndpointPolicy, parse_endpoint};
use crate::provider::http::HttpSettings;
use crate::provider::oss::SignatureVersion;
use crate::provider::registry;

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
    /// The first bad override (in provider order), named by its flag and environment variable;
    /// the message shows at most `scheme://host[:port]` of it.
    pub fn check_endpoints(&self) -> Result<(), String> {
        for (provider, text) in &self.endpoints {
            let source = registry::spec(*provider).endpoint_source;
            parse_endpoint(text).map_err(|e| format!("{source}: {e}"))?;
        }
        Ok(())
    }
}
