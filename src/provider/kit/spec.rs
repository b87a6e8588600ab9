//! The shapes a provider folder fills in for its table entry: the entry itself
//! ([`ProviderSpec`]), what its client constructor gets, manifest items as parsed, how a changed
//! configuration is written, and the defaults of a provider without bucket-level keys.

use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::diagnostic::FieldError;
use super::example::ProviderExample;
use super::field_path::FieldPath;
use crate::model::Endpoint;
use crate::model::{
    BucketKey, Inventory, Provider, ProviderBucketOptions, ProviderInventory, Readiness,
    ReportLocation,
};
use crate::provider::InventoryApi;
use crate::provider::client_settings::ClientSettings;
use crate::provider::credentials::{CredentialSource, CredentialVars};
use crate::provider::delivery::DeliveryApi;
use crate::provider::discovery::DiscoveryApi;
use crate::provider::http::Transport;

/// How a provider treats a PUT of an id that already exists, hence what a changed
/// configuration is planned as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangedConfig {
    /// The PUT replaces the configuration in place: one write.
    Update,
    /// The PUT refuses an existing id: delete, then put.
    Replace,
}

/// One inventory item of a manifest, as far as the provider could read it.
#[derive(Debug)]
pub struct ParsedInventory {
    /// The item's `id`, when the item had the right shape (used to report duplicate ids even
    /// when the item is otherwise invalid).
    pub id: Option<String>,
    /// `overwriteForeign: true` was declared (only meaningful with an `id`).
    pub overwrite_foreign: bool,
    /// The validated configuration, or every problem of the item.
    pub result: Result<Inventory, Vec<FieldError>>,
}

/// What a client constructor gets: the shared transport, the provider's credentials, the
/// checked endpoint (when the manifest or operator named one) and the bucket's options.
pub struct ClientParts<'a> {
    /// The process's transport (pool, retries, rate limit); clones share it.
    pub transport: Transport,
    /// Where this provider's access keys come from.
    pub credentials: Arc<dyn CredentialSource>,
    /// Allowed by the endpoint policy when a manifest named it.
    pub endpoint: Option<Endpoint>,
    /// The bucket's provider-only `spec` keys, as the provider's parser read them.
    pub options: &'a ProviderBucketOptions,
    /// The operator's client settings (signature version, HTTP limits, …).
    pub settings: &'a ClientSettings,
}

/// Reads a provider's own bucket-level keys from the `spec` mapping at the given path.
pub type ParseBucketOptions =
    fn(&Map<String, Value>, &FieldPath) -> Result<ProviderBucketOptions, Vec<FieldError>>;

/// A provider's entry in the table: consts and pure functions, filled in by its `mod.rs`.
pub struct ProviderSpec {
    /// The provider this entry describes; the table holds one entry per provider.
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
    pub(crate) credential_source: fn(Option<&Path>) -> Arc<dyn CredentialSource>,
    /// Where else its access keys may come from when the variables are unset, for help
    /// texts (`""` when nowhere): `or the AWS chain (…)`.
    pub(crate) credential_fallback: &'static str,
    /// What a changed configuration is planned as.
    pub changed_config: ChangedConfig,
    /// True for a configuration that produces one report and is then deleted by the service
    /// (OSS `Once`): a run writes it only when `--run-once` names it.
    pub runs_once: fn(&Inventory) -> bool,
    /// The provider's own endpoints, allowed in `spec.endpoint` without operator consent
    /// (`https://*.example.com` patterns).
    pub(crate) default_endpoint_patterns: &'static [&'static str],
    /// A region id to show in hints.
    pub region_example: &'static str,
    /// Bucket-name rule; the error completes "bucket …".
    pub check_bucket_name: fn(&str) -> Result<(), String>,
    /// The hint shown with a bad bucket name.
    pub(crate) bucket_name_hint: &'static str,
    /// Provider-specific region rules beyond "a lowercase id": `(problem, hint)`.
    pub check_region: fn(&str) -> Result<(), (String, String)>,
    /// Bucket-level `spec` keys only this provider accepts.
    pub bucket_keys: &'static [&'static str],
    /// Reads those keys (the whole `spec` mapping is given; other keys are not its concern).
    pub parse_bucket_options: ParseBucketOptions,
    /// Renders the options back to `spec` keys, in manifest form.
    pub(crate) render_bucket_options: fn(&ProviderBucketOptions) -> Map<String, Value>,
    /// The JSON Schema properties of those keys.
    pub(crate) bucket_options_schema: fn(&mut schemars::SchemaGenerator) -> Map<String, Value>,
    /// Reads and validates one item of `spec.inventories` of a bucket in `region`.
    pub(crate) parse_inventory: fn(region: &str, item: &Value, path: &FieldPath) -> ParsedInventory,
    /// The canonical form (pure, idempotent); another provider's configuration is returned
    /// unchanged.
    pub normalize: fn(&Inventory) -> Inventory,
    /// One configuration of this provider in its manifest form (the `spec.inventories` item),
    /// for `import`, plan output and diffs.
    pub(crate) manifest_form: fn(&Inventory) -> Box<dyn erased_serde::Serialize>,
    /// The JSON Schema of one item of `spec.inventories`, with its `$defs` in the generator.
    pub(crate) inventory_schema: fn(&mut schemars::SchemaGenerator) -> schemars::Schema,
    /// Its example buckets and manifest items, for the demo and the benchmark.
    pub example: &'static ProviderExample,
    /// Builds the client, handed out shared: every provider's is an `Arc<dyn InventoryApi>`.
    pub connect: fn(ClientParts<'_>) -> Arc<dyn InventoryApi>,
    /// Builds the discovery client (the account's buckets, a bucket's tags), handed out shared
    /// as `Arc<dyn DiscoveryApi>`; `parts.endpoint` is the operator's override, used for the
    /// service endpoint and every bucket alike.
    pub discover: fn(ClientParts<'_>) -> Arc<dyn DiscoveryApi>,
    /// Builds the delivery client (a destination bucket's objects and policy, read-only),
    /// handed out shared as `Arc<dyn DeliveryApi>`; `parts.endpoint` is the operator's
    /// override.
    pub deliver: fn(ClientParts<'_>) -> Arc<dyn DeliveryApi>,
    /// Where a configuration of a bucket delivers its reports, in the provider's documented
    /// layout; `None` for another provider's configuration or a destination it cannot name.
    pub report_location: fn(&BucketKey, &Inventory) -> Option<ReportLocation>,
    /// Whether the destination lets the service write the reports, as far as the destination's
    /// policy text tells (pure; the caller reads the policy).
    pub destination_readiness: fn(&DestinationCheck<'_>) -> Readiness,
}

/// What a provider's [`ProviderSpec::destination_readiness`] decides from.
#[derive(Debug, Clone, Copy)]
pub struct DestinationCheck<'a> {
    /// The source bucket, whose configuration it is.
    pub source: &'a BucketKey,
    /// The source bucket's provider options (S3's expected owner names the source account).
    pub options: &'a ProviderBucketOptions,
    /// The configuration.
    pub inventory: &'a Inventory,
    /// Where it delivers ([`ProviderSpec::report_location`]).
    pub location: &'a ReportLocation,
    /// The destination bucket's policy as stored, `None` when it has none.
    pub policy: Option<&'a str>,
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

/// For a provider whose configurations all repeat.
pub(crate) fn never_runs_once(_: &Inventory) -> bool {
    false
}

/// The options of a provider without bucket-level keys of its own.
pub(crate) fn no_bucket_options(
    _: &Map<String, Value>,
    _: &FieldPath,
) -> Result<ProviderBucketOptions, Vec<FieldError>> {
    Ok(ProviderBucketOptions::none())
}

/// Renders nothing: the provider has no bucket-level keys of its own.
pub(crate) fn render_no_bucket_options(_: &ProviderBucketOptions) -> Map<String, Value> {
    Map::new()
}

/// No schema properties: the provider has no bucket-level keys of its own.
pub(crate) fn no_bucket_options_schema(_: &mut schemars::SchemaGenerator) -> Map<String, Value> {
    Map::new()
}

/// A table's `manifest_form` from the provider's manifest item type `M`, made from its
/// configuration type `T` (another provider's configuration serializes as nothing, `null`).
pub(crate) fn manifest_form<T, M>(inventory: &Inventory) -> Box<dyn erased_serde::Serialize>
where
    T: ProviderInventory,
    M: for<'a> From<&'a T> + serde::Serialize + 'static,
{
    Box::new(inventory.downcast_ref::<T>().map(M::from))
}

/// A provider's `spec.inventories` item type: what the shared item reader needs of it.
pub(crate) trait ManifestItem: serde::de::DeserializeOwned {
    /// The item's `id`.
    fn id(&self) -> &str;
    /// `overwriteForeign: true` was declared.
    fn overwrite_foreign(&self) -> bool;
}

/// Reads one `spec.inventories` item as `S` and checks it with `check` into the provider's
/// configuration type: the body of every table's `parse_inventory`.
pub(crate) fn parse_item<S, T>(
    item: &Value,
    path: &FieldPath,
    check: impl FnOnce(&S) -> Result<T, Vec<FieldError>>,
) -> ParsedInventory
where
    S: ManifestItem,
    T: ProviderInventory,
{
    match super::collect::deserialize::<S>(item, path) {
        Ok(spec) => ParsedInventory {
            id: Some(spec.id().to_string()),
            overwrite_foreign: spec.overwrite_foreign(),
            result: check(&spec).map(Inventory::new),
        },
        Err(errors) => ParsedInventory {
            id: None,
            overwrite_foreign: false,
            result: Err(errors),
        },
    }
}
