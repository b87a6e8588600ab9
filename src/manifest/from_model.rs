//! Model → manifest form, for `import`, plan output and diffs.
//!
//! The output is canonical: fields in schema order, empty and default values omitted, so two
//! equal models always serialize to the same text.

use super::schema::{
    API_VERSION, BucketSpec, BucketSpecBody, CosDestinationSpec, CosEncryptionSpec, CosFilterSpec,
    CosInventorySpec, CosScheduleSpec, KIND, ManifestDocument, Metadata, OssDestinationSpec,
    OssEncryptionSpec, OssFilterSpec, OssIncrementalSpec, OssInventorySpec, OssScheduleSpec,
    PeriodSpec, TagSpec,
};
use crate::model::{CosInventory, DesiredBucket, Inventory, OssEncryption, OssInventory};

impl From<&CosInventory> for CosInventorySpec {
    fn from(c: &CosInventory) -> Self {
        let f = &c.filter;
        CosInventorySpec {
            id: c.id.clone(),
            enabled: c.enabled,
            included_object_versions: c.included_object_versions,
            schedule: CosScheduleSpec {
                frequency: c.schedule.frequency,
                monthly_date: c.schedule.monthly_date.map(u32::from),
            },
            filter: (!f.is_empty()).then(|| CosFilterSpec {
                prefix: f.prefix.clone(),
                tags: f
                    .tags
                    .iter()
                    .map(|t| TagSpec {
                        key: t.key.clone(),
                        value: t.value.clone(),
                    })
                    .collect(),
                storage_class: f.storage_class.clone(),
                period: f.period.map(|p| PeriodSpec {
                    start_time: p.start_time,
                    end_time: p.end_time,
                }),
            }),
            optional_fields: c.optional_fields.clone(),
            destination: CosDestinationSpec {
                bucket: c.destination.bucket.clone(),
                account_id: c.destination.account_id.clone(),
                prefix: c.destination.prefix.clone(),
                format: c.destination.format,
                encryption: c.destination.sse_cos.then_some(CosEncryptionSpec::SseCos),
            },
            overwrite_foreign: false,
        }
    }
}

impl From<&OssInventory> for OssInventorySpec {
    fn from(o: &OssInventory) -> Self {
        let f = &o.filter;
        OssInventorySpec {
            id: o.id.clone(),
            enabled: o.enabled,
            included_object_versions: o.included_object_versions,
            schedule: OssScheduleSpec {
                frequency: o.frequency,
                day_of_month: o.day_of_month.map(u32::from),
                auto_delete: o.auto_delete,
            },
            filter: (!f.is_empty()).then(|| OssFilterSpec {
                prefix: f.prefix.clone(),
                last_modify_begin_time_stamp: f.last_modify_begin_time_stamp,
                last_modify_end_time_stamp: f.last_modify_end_time_stamp,
                lower_size_bound: f.lower_size_bound,
                upper_size_bound: f.upper_size_bound,
                storage_class: f.storage_classes.clone(),
            }),
            optional_fields: o.optional_fields.clone(),
            destination: OssDestinationSpec {
                bucket: o.destination.bucket.clone(),
                account_id: o.destination.account_id.clone(),
                role_arn: o.destination.role_arn.clone(),
                prefix: o.destination.prefix.clone(),
                format: o.destination.format,
                encryption: o.destination.encryption.as_ref().map(|e| match e {
                    OssEncryption::SseOss => OssEncryptionSpec::SseOss,
                    OssEncryption::SseKms { key_id } => OssEncryptionSpec::SseKms {
                        key_id: key_id.clone(),
                    },
                }),
            },
            incremental_inventory: o.incremental.as_ref().map(|i| OssIncrementalSpec {
                enabled: i.enabled,
                frequency_seconds: i.frequency_seconds,
                optional_fields: i.optional_fields.clone(),
            }),
            overwrite_foreign: false,
        }
    }
}

/// One inventory in manifest form, as a JSON value (the `before`/`after` of JSON plans).
pub fn inventory_value(inventory: &Inventory) -> serde_json::Value {
    let value = match inventory {
        Inventory::Cos(c) => serde_json::to_value(CosInventorySpec::from(c)),
        Inventory::Oss(o) => serde_json::to_value(OssInventorySpec::from(o)),
    };
    value.expect("manifest types always serialize")
}

/// One inventory in manifest form, as YAML text (what plan diffs compare line by line).
pub fn inventory_yaml(inventory: &Inventory) -> String {
    let text = match inventory {
        Inventory::Cos(c) => serde_saphyr::to_string(&CosInventorySpec::from(c)),
        Inventory::Oss(o) => serde_saphyr::to_string(&OssInventorySpec::from(o)),
    };
    text.expect("manifest types always serialize")
}

/// A whole bucket as a manifest document with the given inventories (in the order given).
pub fn bucket_document(bucket: &DesiredBucket) -> ManifestDocument {
    let spec = match bucket.key.provider {
        crate::model::Provider::Cos => BucketSpec::Cos(spec_body(bucket, |i| match i {
            Inventory::Cos(c) => Some(CosInventorySpec::from(c)),
            Inventory::Oss(_) => None,
        })),
        crate::model::Provider::Oss => BucketSpec::Oss(spec_body(bucket, |i| match i {
            Inventory::Oss(o) => Some(OssInventorySpec::from(o)),
            Inventory::Cos(_) => None,
        })),
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

/// `spec` minus `provider`, with the inventories `spec_of` accepts (those of the bucket's
/// provider).
fn spec_body<I>(
    bucket: &DesiredBucket,
    spec_of: impl Fn(&Inventory) -> Option<I>,
) -> BucketSpecBody<I> {
    BucketSpecBody {
        bucket: bucket.key.bucket.clone(),
        region: bucket.key.region.clone(),
        prune: bucket.prune,
        mode: bucket.mode,
        endpoint: bucket.endpoint.clone(),
        inventories: bucket.inventories.iter().filter_map(spec_of).collect(),
    }
}

/// A whole bucket as manifest YAML text.
pub fn bucket_yaml(bucket: &DesiredBucket) -> String {
    serde_saphyr::to_string(&bucket_document(bucket)).expect("manifest types always serialize")
}
