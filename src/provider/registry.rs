//! The provider table: everything the rest of the crate needs to know about a provider.
//!
//! Code outside `src/provider/` and `src/emulator/` never matches on [`Provider`]; it asks
//! [`spec`] for the provider's [`ProviderSpec`] (its names, credential variables, endpoint
//! override, manifest parser and renderer, normalization, bucket-name rules, client
//! constructor) and walks [`Provider::ALL`] when it needs every provider.
//!
//! The floors, from the bottom: [`crate::model`] (domain types) ← [`crate::provider::kit`]
//! (field paths, diagnostics, shared checks, normalize helpers, the table entry's shapes),
//! the protocol core and the shared `provider/*.rs` files ← the provider folders ← this table
//! ← `manifest/`, `plan/`, `reconcile/`, `commands/`. Only those above call [`spec`]; a lower
//! file is handed what it needs of an entry (`tests/integration/layering.rs` checks it).
//!
//! # Adding a provider
//! 1. A folder `src/provider/<p>/` with the shape of the others (`model.rs` with its
//!    configuration types implementing [`crate::model::ProviderInventory`], `manifest.rs`,
//!    `normalize.rs`, `credentials.rs`, `endpoint.rs`, `example.rs`, `client.rs`, wire files),
//!    whose `mod.rs` defines `pub const PROVIDER` and `pub(crate) static SPEC: ProviderSpec`.
//!    Its `connect` hands out its client as `Arc<dyn InventoryApi>`, its `discover` the same
//!    client as `Arc<dyn DiscoveryApi>` (the dialect's `BUCKET_LISTING` and "no tags" answer).
//! 2. Its `SPEC` in `ENTRIES`, here: one line ([`Provider::ALL`] follows from it).
//! 3. Its emulator dialect: a folder `src/emulator/<p>/` implementing `EmulatedProvider` and one
//!    entry in `src/emulator/dialects.rs`.
//!
//! Nothing else in `manifest/`, `plan/`, `reconcile/`, `commands/` or the metrics changes.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

pub use crate::model::ProviderBucketOptions;
use crate::model::{Inventory, Provider};
use crate::provider::credentials::{CredentialSource, CredentialVars};
pub use crate::provider::kit::spec::{
    ChangedConfig, ClientParts, ParseBucketOptions, ParsedInventory, ProviderSpec,
};
use crate::provider::{cos, oss, s3};

/// The table: every provider's entry, in plan order (by name). A provider is added here, in
/// one line; [`Provider::ALL`] follows.
const ENTRIES: [&ProviderSpec; 3] = [&cos::SPEC, &oss::SPEC, &s3::SPEC];

/// The providers of `entries`, in their order.
const fn providers<const N: usize>(entries: [&ProviderSpec; N]) -> [Provider; N] {
    let mut all = [Provider::named(""); N];
    let mut i = 0;
    while i < N {
        all[i] = entries[i].provider;
        i += 1;
    }
    all
}

impl Provider {
    /// Every provider of the table, in plan order.
    pub const ALL: [Provider; ENTRIES.len()] = providers(ENTRIES);
    // The three by name, for tests and examples; a new provider needs no constant here.
    /// Tencent Cloud Object Storage.
    pub const COS: Provider = cos::PROVIDER;
    /// Alibaba Cloud Object Storage Service.
    pub const OSS: Provider = oss::PROVIDER;
    /// Amazon Simple Storage Service.
    pub const S3: Provider = s3::PROVIDER;

    /// The provider whose manifest name ([`ProviderSpec::name`]) is `name`.
    pub fn from_name(name: &str) -> Option<Provider> {
        ENTRIES.iter().find(|e| e.name == name).map(|e| e.provider)
    }
}

/// A provider by its manifest name, as emulator state, fault and statistics files write it.
/// Defined here because only the table knows the names.
impl<'de> serde::Deserialize<'de> for Provider {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Provider::from_name(&name).ok_or_else(|| {
            let names: Vec<&str> = ENTRIES.iter().map(|e| e.name).collect();
            serde::de::Error::custom(format_args!(
                "unknown provider `{name}`, expected one of {}",
                names.join(", ")
            ))
        })
    }
}

/// Defined here, above the providers: the lookup goes through the table, so lower files are
/// handed a provider's variables instead (`tests/integration/layering.rs` checks it).
impl CredentialVars {
    /// The variable names of `provider`'s access keys, as its SDKs and CLIs name them (its
    /// table entry's).
    pub fn of(provider: Provider) -> Self {
        spec(provider).credential_vars
    }
}

/// The table entry of `provider`.
///
/// Every [`Provider`] value is one of the table's: only a provider folder names its provider
/// (`Provider::named` is crate-private), and each folder's entry is in the table (a unit test
/// checks it).
pub fn spec(provider: Provider) -> &'static ProviderSpec {
    ENTRIES
        .iter()
        .find(|e| e.provider == provider)
        .unwrap_or_else(|| unreachable!("provider {provider} has no table entry"))
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
pub(crate) struct ManifestInventory(pub Inventory);

impl serde::Serialize for ManifestInventory {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let form = (spec(self.0.provider()).manifest_form)(&self.0);
        erased_serde::serialize(form.as_ref(), serializer)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Map;

    use super::*;
    use crate::provider::kit::field_path::FieldPath;

    #[test]
    fn every_provider_has_a_distinct_name_that_finds_it_again() {
        for provider in Provider::ALL {
            let entry = spec(provider);
            assert_eq!(entry.provider, provider);
            assert_eq!(Provider::from_name(entry.name), Some(provider));
        }
        let names: Vec<&str> = ENTRIES.iter().map(|e| e.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted, "the table is in plan order");
        assert_eq!(ENTRIES.len(), Provider::ALL.len());
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
            assert_eq!(options.unwrap(), ProviderBucketOptions::none());
            assert!((entry.render_bucket_options)(&ProviderBucketOptions::none()).is_empty());
        }
    }
}
