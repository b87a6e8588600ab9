//! Tests of S3 manifest validation and the way back for `import`.

use super::*;
use crate::provider::s3::convert::tests::{full_inventory, inventory_strategy};
use crate::provider::s3::normalize::normalize_s3;
use proptest::prelude::*;

fn spec(yaml: &str) -> S3InventorySpec {
    serde_saphyr::from_str(yaml).unwrap()
}

fn errors(region: &str, yaml: &str) -> Vec<String> {
    let path = FieldPath::root().key("spec").key("inventories").index(0);
    inventory(region, &spec(yaml), &path)
        .unwrap_err()
        .into_iter()
        .map(|e| {
            format!(
                "{}: {} (hint: {})",
                e.path,
                e.message,
                e.hint.unwrap_or_default()
            )
        })
        .collect()
}

const FULL: &str = r#"
id: report1
includedObjectVersions: All
schedule: {frequency: Weekly}
filter: {prefix: logs/}
optionalFields: [Size, ETag]
destination:
  bucket: inventory-dest
  accountId: "123456789012"
  prefix: reports/
  format: Parquet
  encryption: {SSE-KMS: {keyId: "arn:aws:kms:us-east-1:123456789012:key/k1"}}
"#;

#[test]
fn a_full_spec_validates_to_the_full_inventory_with_the_bucket_as_an_arn() {
    let path = FieldPath::root();
    assert_eq!(
        inventory("us-east-1", &spec(FULL), &path).unwrap(),
        full_inventory()
    );
    let arn = FULL.replace(
        "bucket: inventory-dest",
        "bucket: arn:aws:s3:::inventory-dest",
    );
    assert_eq!(
        inventory("us-east-1", &spec(&arn), &path).unwrap(),
        full_inventory()
    );
    let cn = inventory("cn-north-1", &spec(FULL), &path).unwrap();
    assert_eq!(cn.destination.bucket, "arn:aws-cn:s3:::inventory-dest");
}

#[test]
fn every_problem_is_reported_at_its_field_with_a_hint() {
    let bad = FULL
        .replace("report1", "report 1")
        .replace("Weekly", "Monthly")
        .replace("[Size, ETag]", "[Size, Etag, Size]")
        .replace("bucket: inventory-dest", "bucket: Inventory_Dest")
        .replace("\"123456789012\"", "\"1234\"")
        .replace("arn:aws:kms:us-east-1:123456789012:key/k1", " ");
    let got = errors("us-east-1", &bad);
    let expected = [
        "spec.inventories[0].id: id `report 1` contains ` `",
        "spec.inventories[0].schedule.frequency: `Monthly` is not an S3 schedule (hint: S3 produces inventories `Daily` or `Weekly`)",
        "spec.inventories[0].optionalFields[1]: unknown optional field `Etag` (hint: did you mean `ETag`?)",
        "spec.inventories[0].optionalFields[2]: `Size` is listed twice",
        "spec.inventories[0].destination.bucket: destination bucket `Inventory_Dest` may only use lowercase letters, digits, dots and hyphens",
        "spec.inventories[0].destination.accountId: `1234` is not a 12-digit AWS account id",
        "spec.inventories[0].destination.encryption.SSE-KMS.keyId: keyId is empty",
    ];
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (got, expected) in got.iter().zip(expected) {
        assert!(got.starts_with(expected), "{got}\nexpected: {expected}");
    }
}

#[test]
fn a_destination_arn_must_be_an_s3_bucket_arn_of_the_buckets_partition() {
    let other = FULL.replace(
        "bucket: inventory-dest",
        "bucket: arn:aws:iam::123456789012:role/x",
    );
    assert!(errors("us-east-1", &other)[0].contains("is not an S3 bucket ARN"));
    let cn = FULL.replace(
        "bucket: inventory-dest",
        "bucket: arn:aws-cn:s3:::inventory-dest",
    );
    let got = errors("us-east-1", &cn);
    assert!(
        got[0].contains("hint: write the bucket name alone, or arn:aws:s3:::inventory-dest"),
        "{got:?}"
    );
}

#[test]
fn unknown_keys_are_rejected() {
    let typo = FULL.replace("optionalFields", "optionalField");
    assert!(serde_saphyr::from_str::<S3InventorySpec>(&typo).is_err());
}

#[test]
fn bucket_names_follow_the_s3_rules() {
    for good in ["abc", "my.logs-2026", &"a".repeat(63)] {
        assert!(check_bucket_name(good).is_ok(), "{good}");
    }
    for bad in [
        "ab",
        &"a".repeat(64),
        "Logs",
        "-logs",
        "logs.",
        "my..logs",
        "192.168.5.4",
        "xn--logs",
        "logs-s3alias",
        "logs--ol-s3",
        "my_logs",
    ] {
        assert!(check_bucket_name(bad).is_err(), "{bad}");
    }
}

#[test]
fn regions_are_region_ids_with_hints_for_common_slips() {
    for good in [
        "us-east-1",
        "eu-central-2",
        "ap-southeast-3",
        "cn-north-1",
        "us-gov-west-1",
    ] {
        assert!(check_region(good).is_ok(), "{good}");
    }
    assert_eq!(
        check_region("us-east-1a").unwrap_err().1,
        "that is an availability zone; the region is `us-east-1`"
    );
    assert_eq!(
        check_region("s3.eu-west-1").unwrap_err().1,
        "drop the prefix: `region: eu-west-1`"
    );
    for bad in ["", "US-EAST-1", "useast1", "us-east-", "global"] {
        assert!(check_region(bad).is_err(), "{bad}");
    }
}

#[test]
fn expected_bucket_owner_must_be_twelve_digits() {
    let ok: S3BucketOptions =
        serde_saphyr::from_str("expectedBucketOwner: \"111122223333\"\nforcePathStyle: true")
            .unwrap();
    assert!(ok.force_path_style);
    assert!(bucket_options(&ok).is_ok());
    let bad = S3BucketOptions {
        expected_bucket_owner: Some("11112222333".into()),
        ..S3BucketOptions::default()
    };
    let errs = bucket_options(&bad).unwrap_err();
    assert_eq!(errs[0].path.to_string(), "spec.expectedBucketOwner");
}

fn bucket_spec(yaml: &str) -> Map<String, Value> {
    serde_saphyr::from_str(yaml).unwrap()
}

#[test]
fn a_profile_is_a_bucket_key_that_parses_renders_and_has_a_schema() {
    let spec = bucket_spec(
        "provider: s3\nbucket: logs\nregion: us-east-1\nprofile: audit-prod\ninventories: []",
    );
    let parsed = parse_bucket_options(&spec, &FieldPath::root().key("spec")).unwrap();
    let options = parsed.downcast_ref::<S3BucketOptions>().unwrap();
    assert_eq!(options.profile.as_deref(), Some("audit-prod"));
    assert!(!options.force_path_style && options.expected_bucket_owner.is_none());

    let rendered = render_bucket_options(&parsed);
    assert_eq!(
        Value::Object(rendered),
        serde_json::json!({"profile": "audit-prod"})
    );
    let mut generator = SchemaGenerator::default();
    let schema = bucket_options_schema(&mut generator);
    let profile = &schema["profile"];
    assert!(
        profile["description"]
            .as_str()
            .is_some_and(|d| d.contains("role_arn")),
        "{profile}"
    );
    assert!(BUCKET_KEYS.contains(&"profile"));
}

#[test]
fn a_profile_name_aws_config_could_never_find_is_refused_at_spec_profile() {
    for good in ["default", "audit-prod", "team/ci", "a.b_c@d:e+f%"] {
        assert!(check_profile_name(good).is_ok(), "{good}");
    }
    for bad in ["", "audit prod", "prod]", "prüf"] {
        let spec = bucket_spec(&format!("profile: {bad:?}"));
        let errs = match parse_bucket_options(&spec, &FieldPath::root().key("spec")) {
            Ok(_) => panic!("{bad:?} was accepted"),
            Err(errs) => errs,
        };
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].path.to_string(), "spec.profile");
        assert!(errs[0].hint.as_deref().unwrap().contains("~/.aws/config"));
    }
}

proptest! {
    #[test]
    fn import_output_validates_back_to_the_same_inventory(inv in inventory_strategy()) {
        let spec = S3InventorySpec::from(&inv);
        let yaml = serde_saphyr::to_string(&spec).unwrap();
        let back: S3InventorySpec = serde_saphyr::from_str(&yaml).unwrap();
        let model = inventory("us-east-1", &back, &FieldPath::root()).unwrap();
        prop_assert_eq!(normalize_s3(&model), normalize_s3(&inv));
    }
}
