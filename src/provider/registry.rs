//! The provider table: everything the rest of the crate needs to know about a provider.
//!
//! Code outside `src/provider/` and `src/emulator/` never matches on [`Provider`]; it asks
//! [`spec`] for the provider's [`ProviderSpec`] (its names, credential variables, endpoint
//! override, manifest parser and renderer, normalization, bucket-name rules, client
//! constructor) and walks [`Provider::ALL`] when it needs every provider.
//!
//! The floors, from the bottom: [`crate::model`] (domain types) ← [`crate::provider::kit`]
//! (field paths, diagnostics, shared checks, normalize helpers, the table entry's shapes) ←
//! the provider folders ← this table ← `manifest/`, `plan/`, `reconcile/`, `commands/`.
//!
//! # Adding a provider
//! 1. A folder `src/provider/<p>/` with the shape of the others (`manifest.rs`,
//!    `normalize.rs`, `credentials.rs`, `endpoint.rs`, `client.rs`, wire files), whose `mod.rs`
//!    defines `pub(crate) static SPEC: ProviderSpec`; its configuration types in
//!    `src/model/<p>.rs`.
//! 2. A variant in [`Provider`] (its name in `Provider::as_str`, and in [`Provider::ALL`]) and
//!    one in [`crate::model::Inventory`] (with its arm in `Inventory::id`/`provider`), and,
//!    when it has bucket-level manifest keys of its own, one in [`ProviderBucketOptions`].
//! 3. Its arm in [`spec`] and in [`ManifestInventory`]'s `serialize`. Its `connect` hands out
//!    its client as `Arc<dyn InventoryApi>`.
//! 4. Its own endpoint override flag in `src/cli.rs` (`ProviderArgs`) and its arm in
//!    `ProviderArgs::endpoint_overrides` (the generic `--endpoint <p>=URL` needs nothing).
//! 5. Its emulator dialect: a folder `src/emulator/<p>/` implementing `EmulatedProvider` and one
//!    entry in `src/emulator/dialects.rs`.
//!
//! Nothing else in `manifest/`, `plan/`, `reconcile/`, `commands/` or the metrics changes.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value};
use url::Url;

pub use crate::model::ProviderBucketOptions;
use crate::model::{Inventory, Provider};
use crate::provider::InventoryApi;
use crate::provider::client_settings::ClientSettings;
use crate::provider::cos::manifest::CosInventorySpec;
use crate::provider::credentials::{CredentialSource, CredentialVars};
use crate::provider::endpoint_policy::EndpointError;
use crate::provider::http::Transport;
use crate::provider::kit::diagnostic::FieldError;
use crate::provider::kit::field_path::FieldPath;
pub use crate::provider::kit::spec::{ChangedConfig, ParsedInventory};
use crate::provider::oss::manifest::OssInventorySpec;
use crate::provider::s3::manifest::S3InventorySpec;

impl Provider {
    /// Every provider, in plan order (the order of [`Provider`]'s variants).
    pub const ALL: [Provider; 3] = [Provider::Cos, Provider::Oss, Provider::S3];

    /// The provider whose manifest name ([`ProviderSpec::name`]) is `name`.
    pub fn from_name(name: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| spec(*p).name == name)
    }
}

/// The table entry of `provider`.
pub fn spec(provider: Provider) -> &'static ProviderSpec {
    match provider {
        Provider::Cos => &crate::provider::cos::SPEC,
        Provider::Oss => &crate::provider::oss::SPEC,
        Provider::S3 => &crate::provider::s3::SPEC,
    }
}

/// What a client constructor gets: the shared transport, the provider's credentials, the
/// checked endpoint (when the manifest or operator named one) and the bucket's options.
pub struct ClientParts<'a> {
    pub transport: Transport,
    pub credentials: Arc<dyn CredentialSource>,
    /// Already parsed and allowed by the endpoint policy.
    pub endpoint: Option<Url>,
    pub options: &'a ProviderBucketOptions,
    pub settings: &'a ClientSettings,
}

/// Reads a provider's own bucket-level keys from the `spec` mapping at the given path.
pub type ParseBucketOptions =
    fn(&Map<String, Value>, &FieldPath) -> Result<ProviderBucketOptions, Vec<FieldError>>;

/// A provider's entry in the table: consts and pure functions, filled in by its `mod.rs`.
pub struct ProviderSpec {
    pub provider: Provider,
    /// Lowercase name in manifests (`spec.provider`), logs, metrics labels and JSON output.
    pub name: &'static str,
    /// Who runs it, for hints: `Tencent Cloud`.
    pub vendor: &'static str,
    /// The product, for descriptions: `Tencent Cloud COS`.
    pub title: &'static str,
    /// The environment variables (and credentials-file keys) of its access keys.
    pub credential_vars: CredentialVars,
    /// Where its access keys come from: the environment, or the credentials file when given.
    pub credential_source: fn(Option<&Path>) -> Arc<dyn CredentialSource>,
    /// Where else its access keys may come from when the variables are unset, for help
    /// texts (`""` when nowhere): `or the AWS chain (…)`.
    pub credential_fallback: &'static str,
    /// The flag and environment variable of the operator's endpoint override, as messages name
    /// them: `--endpoint cos=URL or --cos-endpoint (INVSYNC_COS_ENDPOINT)`.
    pub endpoint_source: &'static str,
    /// What a changed configuration is planned as.
    pub changed_config: ChangedConfig,
    /// True for a configuration that produces one report and is then deleted by the service
    /// (OSS `Once`): a run writes it only when `--run-once` names it.
    pub runs_once: fn(&Inventory) -> bool,
    /// The provider's own endpoints, allowed in `spec.endpoint` without operator consent
    /// (`https://*.example.com` patterns).
    pub default_endpoint_patterns: &'static [&'static str],
    /// A region id to show in hints.
    pub region_example: &'static str,
    /// Bucket-name rule; the error completes "bucket …".
    pub check_bucket_name: fn(&str) -> Result<(), String>,
    /// The hint shown with a bad bucket name.
    pub bucket_name_hint: &'static str,
    /// Provider-specific region rules beyond "a lowercase id": `(problem, hint)`.
    pub check_region: fn(&str) -> Result<(), (String, String)>,
    /// Bucket-level `spec` keys only this provider accepts.
    pub bucket_keys: &'static [&'static str],
    /// Reads those keys (the whole `spec` mapping is given; other keys are not its concern).
    pub parse_bucket_options: ParseBucketOptions,
    /// Renders the options back to `spec` keys, in manifest form.
    pub render_bucket_options: fn(&ProviderBucketOptions) -> Map<String, Value>,
    /// The JSON Schema properties of those keys.
    pub bucket_options_schema: fn(&mut schemars::SchemaGenerator) -> Map<String, Value>,
    /// Reads and validates one item of `spec.inventories` of a bucket in `region`.
    pub parse_inventory: fn(region: &str, item: &Value, path: &FieldPath) -> ParsedInventory,
    /// The canonical form (pure, idempotent); another provider's configuration is returned
    /// unchanged.
    pub normalize: fn(&Inventory) -> Inventory,
    /// The JSON Schema of one item of `spec.inventories`, with its `$defs` in the generator.
    pub inventory_schema: fn(&mut schemars::SchemaGenerator) -> schemars::Schema,
    /// Builds the client, handed out shared: every provider's is an `Arc<dyn InventoryApi>`.
    pub connect: fn(ClientParts<'_>) -> Result<Arc<dyn InventoryApi>, EndpointError>,
}

impl ProviderSpec {
    /// The credential source of this provider: `file` when given, else the environment.
    pub fn credentials(&self, file: Option<&Path>) -> Arc<dyn CredentialSource> {
        (self.credential_source)(file)
    }

    /// The product's own name, the last word of [`ProviderSpec::title`]: `COS`.
    pub fn short_title(&self) -> &'static str {
        self.title.rsplit(' ').next().unwrap_or(self.title)
    }
}

/// One credential source per provider, from `file` when given, else the environment.
pub fn credentials_for_all(file: Option<&Path>) -> BTreeMap<Provider, Arc<dyn CredentialSource>> {
    Provider::ALL
        .into_iter()
        .map(|p| (p, spec(p).credentials(file)))
        .collect()
}

/// The canonical form of `inventory`, as its provider defines it: idempotent, equal for
/// configurations the provider treats alike, id and provider unchanged.
pub fn normalize(inventory: &Inventory) -> Inventory {
    (spec(inventory.provider()).normalize)(inventory)
}

/// True when `inventory` runs once and is then deleted by its service (see
/// [`ProviderSpec::runs_once`]).
pub fn runs_once(inventory: &Inventory) -> bool {
    (spec(inventory.provider()).runs_once)(inventory)
}

/// One configuration in its provider's manifest form (the `spec.inventories` item type of that
/// provider), for `import`, plan output and diffs.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestInventory(pub Inventory);

impl serde::Serialize for ManifestInventory {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Inventory::Cos(c) => CosInventorySpec::from(c).serialize(serializer),
            Inventory::Oss(o) => OssInventorySpec::from(o).serialize(serializer),
            Inventory::S3(s) => S3InventorySpec::from(s).serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_has_a_distinct_name_that_finds_it_again() {
        for provider in Provider::ALL {
            let entry = spec(provider);
            assert_eq!(entry.provider, provider);
            assert_eq!(Provider::from_name(entry.name), Some(provider));
        }
        assert_eq!(Provider::from_name("gcs"), None);
    }

    #[test]
    fn providers_without_bucket_keys_accept_an_empty_spec_and_render_nothing() {
        for provider in Provider::ALL {
            let entry = spec(provider);
            if !entry.bucket_keys.is_empty() {
                continue;
            }
            let options = (entry.parse_bucket_options)(&Map::new(), &FieldPath::root());
            assert_eq!(options.unwrap(), ProviderBucketOptions::None);
            assert!((entry.render_bucket_options)(&ProviderBucketOptions::None).is_empty());
        }
    }
}
