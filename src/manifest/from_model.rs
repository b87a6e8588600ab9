//! Model → manifest form, for `import`, plan output and diffs.
//!
//! The output is canonical: fields in schema order, empty and default values omitted, so two
//! equal models always serialize to the same text. Each provider renders its own
//! configurations ([`ManifestInventory`]) and bucket-level keys (its table entry).

use super::schema::{API_VERSION, BucketSpec, BucketSpecBody, KIND, ManifestDocument, Metadata};
use crate::model::{DesiredBucket, Inventory};
use crate::provider::registry::{self, ManifestInventory};

/// One inventory in manifest form, as a JSON value (the `before`/`after` of JSON plans).
#[expect(
    clippy::expect_used,
    reason = "the manifest types serialize without fail: string keys, no non-finite numbers"
)]
pub(crate) fn inventory_value(inventory: &Inventory) -> serde_json::Value {
    serde_json::to_value(ManifestInventory(inventory.clone()))
        .expect("manifest types always serialize")
}

/// One inventory in manifest form, as YAML text (what plan diffs compare line by line).
#[expect(
    clippy::expect_used,
    reason = "the manifest types serialize without fail: string keys, no non-finite numbers"
)]
pub fn inventory_yaml(inventory: &Inventory) -> String {
    serde_saphyr::to_string(&ManifestInventory(inventory.clone()))
        .expect("manifest types always serialize")
}

/// A whole bucket as a manifest document with the given inventories (in the order given).
pub(crate) fn bucket_document(bucket: &DesiredBucket) -> ManifestDocument {
    let provider = bucket.key.provider;
    let spec = BucketSpec {
        provider,
        body: BucketSpecBody {
            bucket: bucket.key.bucket.clone(),
            region: bucket.key.region.clone(),
            prune: bucket.prune,
            mode: bucket.mode,
            endpoint: bucket.endpoint.as_ref().map(ToString::to_string),
            // Only the bucket's provider's configurations belong in its document.
            inventories: bucket
                .inventories
                .iter()
                .filter(|i| i.provider() == provider)
                .cloned()
                .map(ManifestInventory)
                .collect(),
        },
        options: (registry::spec(provider).render_bucket_options)(&bucket.options),
    };
    ManifestDocument {
        api_version: API_VERSION.to_string(),
        kind: KIND.to_string(),
        metadata: Metadata {
            name: bucket.name.clone(),
            labels: Default::default(),
        },
        spec,
    }
}

/// A whole bucket as manifest YAML text.
#[expect(
    clippy::expect_used,
    reason = "the manifest types serialize without fail: string keys, no non-finite numbers"
)]
pub fn bucket_yaml(bucket: &DesiredBucket) -> String {
    serde_saphyr::to_string(&bucket_document(bucket)).expect("manifest types always serialize")
}
