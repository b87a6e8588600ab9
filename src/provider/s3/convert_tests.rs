//! Tests of the S3 wire ⇄ model conversions.

use super::*;
use crate::provider::s3::xml::tests::FULL_BODY;
use proptest::prelude::*;

pub(crate) fn full_inventory() -> S3Inventory {
    S3Inventory {
        id: "report1".into(),
        enabled: true,
        filter_prefix: Some("logs/".into()),
        destination: S3Destination {
            bucket: "arn:aws:s3:::inventory-dest".into(),
            account_id: Some("123456789012".into()),
            format: S3Format::Parquet,
            prefix: Some("reports/".into()),
            encryption: Some(S3Encryption::SseKms {
                key_id: "arn:aws:kms:us-east-1:123456789012:key/k1".into(),
            }),
        },
        frequency: Frequency::Weekly,
        included_object_versions: IncludedObjectVersions::All,
        optional_fields: vec!["Size".into(), "ETag".into()],
    }
}

fn parse(body: &str) -> Result<S3Inventory, ConvertError> {
    S3Inventory::try_from(&xml::from_bytes::<xml::InventoryConfiguration>(body.as_bytes()).unwrap())
}

#[test]
fn the_full_body_reads_as_the_full_inventory_and_writes_back_identical() {
    assert_eq!(parse(FULL_BODY).unwrap(), full_inventory());
    let wire = xml::InventoryConfiguration::from(&full_inventory());
    assert_eq!(xml::to_string(&wire).unwrap(), FULL_BODY);
}

#[test]
fn a_bare_destination_bucket_name_is_sent_as_an_arn() {
    let mut inv = full_inventory();
    inv.destination.bucket = "inventory-dest".into();
    let body = xml::to_string(&xml::InventoryConfiguration::from(&inv)).unwrap();
    assert!(
        body.contains("<Bucket>arn:aws:s3:::inventory-dest</Bucket>"),
        "{body}"
    );
}

#[test]
fn empty_prefixes_and_an_empty_encryption_read_as_absent() {
    let body = FULL_BODY
        .replace("<Prefix>logs/</Prefix>", "<Prefix></Prefix>")
        .replace("<Prefix>reports/</Prefix>", "<Prefix/>")
        .replace(
            "<Encryption><SSE-KMS><KeyId>arn:aws:kms:us-east-1:123456789012:key/k1</KeyId></SSE-KMS></Encryption>",
            "<Encryption/>",
        );
    let inv = parse(&body).unwrap();
    assert_eq!(inv.filter_prefix, None);
    assert_eq!(inv.destination.prefix, None);
    assert_eq!(inv.destination.encryption, None);
}

#[test]
fn values_of_a_newer_api_are_errors_naming_element_and_value() {
    let cases = [
        (
            FULL_BODY.replace("<Field>ETag</Field>", "<Field>FutureColumn</Field>"),
            "OptionalFields/Field=FutureColumn",
        ),
        (
            FULL_BODY.replace("Parquet", "Avro"),
            "Destination/S3BucketDestination/Format=Avro",
        ),
        (
            FULL_BODY.replace("Weekly", "Monthly"),
            "Schedule/Frequency=Monthly",
        ),
        (
            FULL_BODY.replace(">All<", ">Latest<"),
            "IncludedObjectVersions=Latest",
        ),
        (
            FULL_BODY.replace("<IsEnabled>true</IsEnabled>", "<IsEnabled>yes</IsEnabled>"),
            "IsEnabled=yes",
        ),
        (
            FULL_BODY.replace("<IsEnabled>true</IsEnabled>", ""),
            "IsEnabled (missing)",
        ),
        (FULL_BODY.replace("<Id>report1</Id>", ""), "Id (missing)"),
        (
            FULL_BODY.replace("arn:aws:kms:us-east-1:123456789012:key/k1", ""),
            "Destination/S3BucketDestination/Encryption/SSE-KMS/KeyId (missing)",
        ),
        (
            FULL_BODY.replace("<SSE-KMS>", "<SSE-S3/><SSE-KMS>"),
            "Destination/S3BucketDestination/Encryption=SSE-S3 and SSE-KMS",
        ),
    ];
    for (body, path) in cases {
        let err = parse(&body).unwrap_err();
        assert_eq!(err.unmodelled_path(), path, "{body}");
    }
}

#[test]
fn booleans_read_in_any_case_and_write_lowercase() {
    let inv = parse(&FULL_BODY.replace(">true<", ">TRUE<")).unwrap();
    assert!(inv.enabled);
    let body = xml::to_string(&xml::InventoryConfiguration::from(&inv)).unwrap();
    assert!(body.contains("<IsEnabled>true</IsEnabled>"));
}

prop_compose! {
    pub(crate) fn inventory_strategy()(
        id in "[A-Za-z0-9._-]{1,20}",
        enabled in any::<bool>(),
        filter_prefix in proptest::option::of("[a-z0-9/]{1,10}"),
        // Names S3 accepts: not `xn--…`, `sthree-…`, `…--x-s3` and the other reserved forms.
        dest_name in "[a-z0-9][a-z0-9-]{1,20}[a-z0-9]".prop_filter(
            "a bucket name S3 accepts",
            |name| crate::provider::s3::manifest::check_bucket_name(name).is_ok(),
        ),
        account_id in proptest::option::of("[0-9]{12}"),
        format in 0usize..3,
        prefix in proptest::option::of("[a-z0-9/]{1,10}"),
        encryption in 0u8..3,
        weekly in any::<bool>(),
        all_versions in any::<bool>(),
        fields in proptest::sample::subsequence(OPTIONAL_FIELDS, 0..6),
    ) -> S3Inventory {
        S3Inventory {
            id,
            enabled,
            filter_prefix,
            destination: S3Destination {
                bucket: format!("{BUCKET_ARN_PREFIX}{dest_name}"),
                account_id,
                format: [S3Format::Csv, S3Format::Orc, S3Format::Parquet][format],
                prefix,
                encryption: match encryption {
                    0 => None,
                    1 => Some(S3Encryption::SseS3),
                    _ => Some(S3Encryption::SseKms { key_id: "alias/k".into() }),
                },
            },
            frequency: if weekly { Frequency::Weekly } else { Frequency::Daily },
            included_object_versions: if all_versions {
                IncludedObjectVersions::All
            } else {
                IncludedObjectVersions::Current
            },
            optional_fields: fields.into_iter().map(str::to_string).collect(),
        }
    }
}

proptest! {
    #[test]
    fn inventories_survive_the_wire(inv in inventory_strategy()) {
        let body = xml::to_string(&xml::InventoryConfiguration::from(&inv)).unwrap();
        let back = S3Inventory::try_from(&xml::from_bytes::<xml::InventoryConfiguration>(body.as_bytes()).unwrap()).unwrap();
        prop_assert_eq!(back, inv);
    }
}
