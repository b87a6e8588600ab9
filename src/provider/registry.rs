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
//! 1. A folder `src/provider/<p>/` with the shape of the others (`manifest.rs`,
//!    `normalize.rs`, `credentials.rs`, `endpoint.rs`, `client.rs`, wire files), whose `mod.rs`
//!    defines `pub(crate) static SPEC: ProviderSpec`; its configuration types in
//!    `src/model/<p>.rs`.
//! 2. A variant in [`Provider`] (its name in `Provider::as_str`, and in [`Provider::ALL`]) and
//!    one in [`crate::model::Inventory`] (with its arm in `Inventory::id`/`provider`), and,
//!    when it has bucket-level manifest keys of its own, one in [`ProviderBucketOptions`].
//! 3. Its arm in [`spec`] and in [`ManifestInventory`]'s `serialize`. Its `connect` hands out
//!    its client as `Arc<dyn InventoryApi>`, its `discover` the same client as
//!    `Arc<dyn DiscoveryApi>` (the dialect's `BUCKET_LISTING` and "no tags" answer).
//! 4. Its own endpoint override flag in `src/cli.rs` (`ProviderArgs`) and its arm in
//!    `ProviderArgs::endpoint_overrides` (the generic `--endpoint <p>=URL` needs nothing).
//! 5. Its emulator dialect: a folder `src/emulator/<p>/` implementing `EmulatedProvider` and one
//!    entry in `src/emulator/dialects.rs`.
//!
//! Nothing else in `manifest/`, `plan/`, `reconcile/`, `commands/` or the metrics changes.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

pub use crate::model::ProviderBucketOptions;
use crate::model::{Inventory, Provider};
use crate::provider::cos::manifest::CosInventorySpec;
use crate::provider::credentials::{CredentialSource, CredentialVars};
pub use crate::provider::kit::spec::{
    ChangedConfig, ClientParts, ParseBucketOptions, ParsedInventory, ProviderSpec,
};
use crate::provider::oss::manifest::OssInventorySpec;
use crate::provider::s3::manifest::S3InventorySpec;

impl Provider {
    /// The provider whose manifest name ([`ProviderSpec::name`]) is `name`.
    pub fn from_name(name: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| spec(*p).name == name)
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
pub fn spec(provider: Provider) -> &'static ProviderSpec {
    match provider {
        Provider::Cos => &crate::provider::cos::SPEC,
        Provider::Oss => &crate::provider::oss::SPEC,
        Provider::S3 => &crate::provider::s3::SPEC,
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
