//! The shapes a provider folder fills in for its table entry: manifest items as parsed, how a
//! changed configuration is written, and the defaults of a provider without bucket-level keys.

use serde_json::{Map, Value};

use super::diagnostic::FieldError;
use super::field_path::FieldPath;
use crate::model::{Inventory, ProviderBucketOptions};

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

/// For a provider whose configurations all repeat.
pub(crate) fn never_runs_once(_: &Inventory) -> bool {
    false
}

/// The options of a provider without bucket-level keys of its own.
pub(crate) fn no_bucket_options(
    _: &Map<String, Value>,
    _: &FieldPath,
) -> Result<ProviderBucketOptions, Vec<FieldError>> {
    Ok(ProviderBucketOptions::None)
}

/// Renders nothing: the provider has no bucket-level keys of its own.
pub(crate) fn render_no_bucket_options(_: &ProviderBucketOptions) -> Map<String, Value> {
    Map::new()
}

/// No schema properties: the provider has no bucket-level keys of its own.
pub(crate) fn no_bucket_options_schema(_: &mut schemars::SchemaGenerator) -> Map<String, Value> {
    Map::new()
}
