//! Fleet policies as loaded: what `kind: InventoryPolicy` declares, before it meets any bucket.

use std::collections::BTreeSet;

use serde_json::Value;

use super::selector::BucketSelector;
use super::{BucketMode, Origin, Provider, ProviderBucketOptions};

/// One `kind: InventoryPolicy` document, validated, not yet expanded over any bucket.
///
/// # Guarantees
/// Every item of [`inventories`](Self::inventories) has an id starting with
/// [`id_prefix`](Self::id_prefix), ids are unique, and every item passed its provider's
/// validation once with placeholder values for the template variables, so expansion can only
/// fail on what a real bucket's values make of it (a region the provider refuses, a value
/// grown too long).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryPolicy {
    /// `metadata.name`, unique among the policies of one revision.
    pub name: String,
    /// `spec.provider`: whose buckets the policy selects and configures.
    pub provider: Provider,
    /// Which of the account's buckets the policy covers.
    pub selector: BucketSelector,
    /// Every id the policy declares starts with it; with [`prune`](Self::prune), live ids that
    /// start with it and are no longer declared are deleted. Never empty.
    pub id_prefix: String,
    /// Delete live configurations whose id starts with [`id_prefix`](Self::id_prefix) and
    /// that the policy no longer declares, and nothing else.
    pub prune: bool,
    /// `observe`: report the policy's drift and coverage, write nothing.
    pub mode: BucketMode,
    /// The provider's own bucket-level settings (such as an S3 `profile`), for discovery and
    /// for every bucket the policy covers that no manifest declares.
    pub options: ProviderBucketOptions,
    /// The items of `spec.inventories` as written, `${bucket}`, `${region}` and
    /// `${provider}` still in their strings; see [`crate::fleet::template`].
    pub inventories: Vec<Value>,
    /// Ids declared with `overwriteForeign: true`.
    pub overwrite_foreign: BTreeSet<String>,
    /// The manifest document that declares the policy.
    pub origin: Origin,
}

impl InventoryPolicy {
    /// True when `id` is one the policy owns: it starts with the policy's prefix.
    pub fn owns(&self, id: &str) -> bool {
        id.starts_with(&self.id_prefix)
    }
}

/// What one policy contributes to one bucket, after precedence: kept in the
/// [`DesiredBucket`](super::DesiredBucket) so that the plan can say who declared what, prune
/// only what the policy owns and observe only what the policy observes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyShare {
    /// The policy's `metadata.name`.
    pub policy: String,
    /// The manifest document that declares the policy.
    pub origin: Origin,
    /// The policy's prefix: with [`prune`](Self::prune), the undeclared live ids starting with
    /// it are deleted.
    pub id_prefix: String,
    /// The policy's `spec.prune`: delete undeclared live ids that start with the prefix.
    pub prune: bool,
    /// The policy's `spec.mode`: `observe` reports its ids' drift and writes nothing for them.
    pub mode: BucketMode,
    /// Ids this policy declares on the bucket and that are in the bucket's inventories.
    pub ids: BTreeSet<String>,
    /// Ids this policy declares but the bucket's own manifest declares too, which wins: each
    /// with the manifest that declares it, for "declared by FILE, policy NAME skipped".
    pub skipped: Vec<(String, Origin)>,
}

impl PolicyShare {
    /// True when `id` is the policy's: declared by it here, or starting with its prefix.
    pub fn covers(&self, id: &str) -> bool {
        self.ids.contains(id) || id.starts_with(&self.id_prefix)
    }
}
