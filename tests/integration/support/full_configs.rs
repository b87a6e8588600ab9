//! One configuration per provider with every optional field set, for round-trip contracts.
#![allow(dead_code)]

use invsync::model::{Frequency, IncludedObjectVersions, Inventory, Provider};
use invsync::provider::oss::model::OssIncrementalInventory;
use invsync::provider::s3::model::{S3Destination, S3Encryption, S3Format, S3Inventory};

use super::fixtures::{cos_inventory, oss_inventory};

/// `provider`'s configuration `id` with every optional element present (filters, optional
/// report fields, destination account, prefix and encryption, schedule details), each with a
/// value the provider accepts.
pub(crate) fn every_field(provider: Provider, id: &str) -> Inventory {
    match provider {
        Provider::COS => cos_inventory(id)
            .monthly(15)
            .prefix("logs/")
            .tag("team", "data")
            .storage_class("STANDARD_IA")
            .period(Some(1_600_000_000), Some(1_700_000_000))
            .fields(&[
                "Size",
                "LastModifiedDate",
                "ETag",
                "StorageClass",
                "IsMultipartUploaded",
                "ReplicationStatus",
                "Tag",
                "Crc64",
            ])
            .account_id("100000000001")
            .dest_prefix("reports")
            .orc()
            .sse_cos()
            .build(),
        Provider::OSS => {
            let mut inventory = oss_inventory(id)
                .prefix("logs/")
                .modified_between(Some(1_637_883_649), Some(1_638_347_592))
                .size_between(Some(1024), Some(1_048_576))
                .storage_classes(invsync::provider::oss::model::STORAGE_CLASSES)
                .fields(invsync::provider::oss::model::OPTIONAL_FIELDS)
                .dest_prefix("reports/")
                .sse_kms("key-1")
                .0;
            inventory.frequency = Frequency::Monthly;
            inventory.day_of_month = Some(15);
            inventory.incremental = Some(OssIncrementalInventory {
                enabled: true,
                frequency_seconds: Some(600),
                optional_fields: invsync::provider::oss::model::INCREMENTAL_OPTIONAL_FIELDS
                    .iter()
                    .map(|f| f.to_string())
                    .collect(),
            });
            Inventory::new(inventory)
        }
        Provider::S3 => Inventory::new(S3Inventory {
            id: id.into(),
            enabled: true,
            filter_prefix: Some("logs/".into()),
            destination: S3Destination {
                bucket: "arn:aws:s3:::inventory-reports".into(),
                account_id: Some("123456789012".into()),
                format: S3Format::Parquet,
                prefix: Some("reports/".into()),
                encryption: Some(S3Encryption::SseKms {
                    key_id: "arn:aws:kms:us-east-1:123456789012:key/contract".into(),
                }),
            },
            frequency: Frequency::Weekly,
            included_object_versions: IncludedObjectVersions::All,
            optional_fields: invsync::provider::s3::model::OPTIONAL_FIELDS
                .iter()
                .map(|f| f.to_string())
                .collect(),
        }),
        other => panic!("no full configuration written for {other}"),
    }
}
