//! The invalid fixture directory holds one mistake of every kind; each must be reported, with
//! its file, line, document and field path (below an inventory: its index and its id), and
//! nothing else may be reported.

use std::path::Path;

use invsync::manifest::{ManifestErrors, load_dir, parse_document_text};

const FIXTURES: &str = "tests/fixtures/manifests/invalid";

/// Every diagnostic, in output order, without its hint (checked separately below).
const EXPECTED: &[&str] = &[
    "cos-bucket.yaml:7 (document 1) spec.bucket: bucket `ExampleBucket` has no -<appid> suffix",
    "cos-bucket.yaml:8 (document 1) spec.region: region `AP_Guangzhou` is not a region id",
    "cos-bucket.yaml:9 (document 1) spec.endpoint: endpoint must use http:// or https://, not ftp://",
    "cos-bucket.yaml:10 (document 1) spec.prnue: unknown field `prnue`",
    "cos-ids.yaml:14 (document 1) spec.inventories[1] (id list 1).id: id `list 1` contains ` `",
    "cos-ids.yaml:18 (document 1) spec.inventories[2] (id list1).id: id `list1` is already used by spec.inventories[0]",
    "cos-inventories.yaml:14 (document 1) spec.inventories[0] (id day-out-of-range).schedule.monthlyDate: 31 is out of range 1..=28",
    "cos-inventories.yaml:18 (document 1) spec.inventories[1] (id monthly-without-day).schedule.monthlyDate: `Monthly` needs a monthlyDate",
    "cos-inventories.yaml:22 (document 1) spec.inventories[2] (id day-without-monthly).schedule.monthlyDate: monthlyDate is only allowed with `Monthly`, not `Daily`",
    "cos-inventories.yaml:28 (document 1) spec.inventories[3] (id tags-without-tag-field).filter.tags: a tag filter needs `Tag` among optionalFields",
    "cos-inventories.yaml:35 (document 1) spec.inventories[4] (id bad-fields).optionalFields[0]: unknown optional field `Sizes`",
    "cos-inventories.yaml:37 (document 1) spec.inventories[4] (id bad-fields).optionalFields[2]: `ETag` is listed twice (also at index 1)",
    "cos-inventories.yaml:38 (document 1) spec.inventories[4] (id bad-fields).optionalFields[3]: unknown optional field `x-cos-meta-`",
    "cos-inventories.yaml:44 (document 1) spec.inventories[5] (id period-backwards).filter.period: startTime 1568688762 is after endTime 1568688761",
    "cos-inventories.yaml:50 (document 1) spec.inventories[6] (id destination-not-an-arn).destination.bucket: `inventory-1250000000` is not a COS bucket ARN",
    "cos-inventories.yaml:56 (document 1) spec.inventories[7] (id destination-other-region).destination.bucket: destination region `ap-beijing` differs from the bucket's region `ap-guangzhou`",
    "cos-inventories.yaml:57 (document 1) spec.inventories[7] (id destination-other-region).destination.accountId: `uin-100000000001` is not a UIN",
    "cos-inventories.yaml:60 (document 1) spec.inventories[8] (id serde-errors).includedObjectVersions: `Latest` is not one of `All`, `Current`",
    "cos-inventories.yaml:61 (document 1) spec.inventories[8] (id serde-errors).schedule.frequency: `Hourly` is not one of `Daily`, `Weekly`, `Monthly`, `Once`",
    "cos-inventories.yaml:63 (document 1) spec.inventories[8] (id serde-errors).filter.prefx: unknown field `prefx`",
    "cos-inventories.yaml:66 (document 1) spec.inventories[8] (id serde-errors).destination.format: `XML` is not one of `CSV`, `ORC`",
    "cos-inventories.yaml:72 (document 1) spec.inventories[9] (id unquoted-account).destination.accountId: invalid type: integer `100000000001`, expected a string",
    "cos-inventories.yaml:74 (document 1) spec.inventories[10] (id no-destination).destination: missing required field `destination`",
    "cos-inventories.yaml:81 (document 1) spec.inventories[11] (id empty-tag-key-and-negative-start).filter.tags[0].key: tag key is empty",
    "cos-inventories.yaml:82 (document 1) spec.inventories[11] (id empty-tag-key-and-negative-start).filter.period.startTime: -1 is before 1970",
    "header.yaml:2 (document 1) apiVersion: unsupported apiVersion `invsync/v2`",
    "header.yaml:3 (document 1) kind: unsupported kind `BucketInventry`",
    "header.yaml:5 (document 1) metadata.name: metadata.name is empty",
    "header.yaml:7 (document 1) spec.provider: `gcs` is not one of `cos`, `oss`, `s3`",
    "header.yaml:11 (document 2): a manifest document must be a mapping",
    "header.yaml:13 (document 3) spec: missing required field `spec`",
    "header.yaml:17 (document 3) metadata.lables: unknown field `lables`",
    "header.yaml:18 (document 3) annotations: unknown field `annotations`",
    "nested/broken.yaml:8: invalid YAML: invalid indentation in multiline quoted scalar",
    "nested/dup-b.yml:8 (document 1) spec.bucket: cos bucket `dup-1250000000` is already declared at tests/fixtures/manifests/invalid/dup-a.yaml:7 (document 1)",
    "oss.yaml:7 (document 1) spec.bucket: bucket `Ex` is not 3-63 characters long",
    "oss.yaml:8 (document 1) spec.region: region `oss-cn-hangzhou` has the `oss-` prefix",
    "oss.yaml:12 (document 1) spec.inventories[0] (id monthly-orc).schedule.dayOfMonth: `Monthly` needs a dayOfMonth",
    "oss.yaml:17 (document 1) spec.inventories[0] (id monthly-orc).destination.format: `ORC` is not supported by OSS",
    "oss.yaml:22 (document 1) spec.inventories[1] (id bad-filter).filter.prefix: prefix `a&b/` contains `&`",
    "oss.yaml:23 (document 1) spec.inventories[1] (id bad-filter).filter.lastModifyBeginTimeStamp: 1000 is out of range 1262275200..=253402271999",
    "oss.yaml:33 (document 1) spec.inventories[2] (id stamps-backwards).filter: lastModifyBeginTimeStamp 1638347592 is after lastModifyEndTimeStamp 1637883649",
    "oss.yaml:40 (document 1) spec.inventories[3] (id sizes-backwards).filter: lowerSizeBound 2048 is after upperSizeBound 1024",
    "oss.yaml:45 (document 1) spec.inventories[4] (id zero-upper-bound).filter.upperSizeBound: upperSizeBound must be greater than 0",
    "oss.yaml:50 (document 1) spec.inventories[5] (id bad-storage-class).filter.storageClass[0]: unknown storage class `Standrd`",
    "oss.yaml:50 (document 1) spec.inventories[5] (id bad-storage-class).filter.storageClass[2]: `IA` is listed twice",
    "oss.yaml:55 (document 1) spec.inventories[6] (id cos-only-field).optionalFields[1]: unknown optional field `Tag`",
    "oss.yaml:61 (document 1) spec.inventories[7] (id bad-destination).destination.bucket: `qcs::cos:ap-guangzhou::inventory-1250000000` is not an OSS bucket ARN",
    "oss.yaml:62 (document 1) spec.inventories[7] (id bad-destination).destination.accountId: `` is not an account UID",
    "oss.yaml:63 (document 1) spec.inventories[7] (id bad-destination).destination.roleArn: `acs:ram::1000000000000000:user/alice` is not a RAM role ARN",
    "oss.yaml:73 (document 1) spec.inventories[8] (id empty-kms-key).destination.encryption.SSE-KMS.keyId: keyId is empty",
    "oss.yaml:82 (document 1) spec.inventories[9] (id cos-encryption).destination.encryption: `SSE-COS` is not one of `SSE-OSS`, `SSE-KMS`",
    "oss.yaml:85 (document 1) spec.inventories[10] (id schedule-mixups).schedule.autoDelete: autoDelete is only allowed with `Once`, not `Daily`",
    "oss.yaml:85 (document 1) spec.inventories[10] (id schedule-mixups).schedule.dayOfMonth: dayOfMonth is only allowed with `Monthly`, not `Daily`",
    "oss.yaml:89 (document 1) spec.inventories[11] (id monthly-day-32).schedule.dayOfMonth: 32 is out of range 1..=31",
    "oss.yaml:95 (document 1) spec.inventories[12] (id incremental-typo).incrementalInventory.frequencySeconds: frequencySeconds must be greater than 0",
    "oss.yaml:96 (document 1) spec.inventories[12] (id incremental-typo).incrementalInventory.optionalFields[1]: unknown optional field `RecordTyp`",
];

fn fixture_errors() -> ManifestErrors {
    load_dir(Path::new(FIXTURES)).expect_err("the invalid fixtures must not load")
}

#[test]
fn every_mistake_in_the_invalid_fixtures_is_reported_with_file_line_and_path() {
    let errors = fixture_errors();
    let got: Vec<String> = errors.diagnostics.iter().map(ToString::to_string).collect();
    for (i, expected) in EXPECTED.iter().enumerate() {
        let expected = format!("{FIXTURES}/{expected}");
        let line = got.get(i).map(String::as_str).unwrap_or("<none>");
        assert!(
            line == expected || line.starts_with(&format!("{expected} (hint: ")),
            "diagnostic {i}:\n  expected {expected}\n  got      {line}\n\nall:\n{errors}"
        );
    }
    assert_eq!(got.len(), EXPECTED.len(), "{errors}");
}

#[test]
fn the_error_report_prints_one_diagnostic_per_line() {
    let errors = fixture_errors();
    assert_eq!(errors.to_string().lines().count(), EXPECTED.len());
}

fn hint_of(errors: &ManifestErrors, file: &str, path: &str) -> String {
    errors
        .diagnostics
        .iter()
        .find(|d| d.path == path && d.file.ends_with(file))
        .and_then(|d| d.hint.clone())
        .unwrap_or_else(|| panic!("no hint for {path}:\n{errors}"))
}

#[test]
fn hints_suggest_the_fix() {
    let errors = fixture_errors();
    let cases = [
        ("cos-bucket.yaml", "spec.prnue", "did you mean `prune`?"),
        (
            "cos-inventories.yaml",
            "spec.inventories[8] (id serde-errors).filter.prefx",
            "did you mean `prefix`?",
        ),
        (
            "cos-inventories.yaml",
            "spec.inventories[0] (id day-out-of-range).schedule.monthlyDate",
            "COS delivers monthly inventories on days 1-28",
        ),
        (
            "cos-inventories.yaml",
            "spec.inventories[3] (id tags-without-tag-field).filter.tags",
            "add `Tag` to optionalFields",
        ),
        (
            "cos-inventories.yaml",
            "spec.inventories[9] (id unquoted-account).destination.accountId",
            "quote it",
        ),
        (
            "oss.yaml",
            "spec.region",
            "drop the prefix: `region: cn-hangzhou`",
        ),
        ("header.yaml", "metadata.lables", "did you mean `labels`?"),
        (
            "dup-b.yml",
            "spec.bucket",
            "declare each bucket in one document only",
        ),
    ];
    for (file, path, hint) in cases {
        let got = hint_of(&errors, file, path);
        assert!(got.contains(hint), "{file} {path}: {got}");
    }
}

fn one_cos_inventory(extra_filter: &str, count: usize) -> String {
    let mut text = String::from(
        "apiVersion: invsync/v1\nkind: BucketInventory\nmetadata: {name: many}\n\
         spec:\n  provider: cos\n  bucket: many-1250000000\n  region: ap-guangzhou\n  inventories:\n",
    );
    for i in 0..count {
        text.push_str(&format!(
            "    - id: list{i}\n      includedObjectVersions: All\n      schedule: {{frequency: Daily}}\n\
             {extra_filter}      destination: {{bucket: \"qcs::cos:ap-guangzhou::inv-1250000000\", format: CSV}}\n"
        ));
    }
    text
}

#[test]
fn more_than_a_thousand_inventories_in_one_bucket_are_rejected() {
    let file = Path::new("many.yaml");
    assert_eq!(
        parse_document_text(file, &one_cos_inventory("", 1000))
            .unwrap()
            .len(),
        1
    );
    let errors = parse_document_text(file, &one_cos_inventory("", 1001)).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].to_string(),
        "many.yaml:8 (document 1) spec.inventories: 1001 inventory configurations, more than the \
         limit of 1000 (hint: a bucket holds at most 1000 inventory configurations)"
    );
}

#[test]
fn a_prefix_longer_than_the_api_allows_is_rejected() {
    let filter = format!("      filter: {{prefix: {}}}\n", "p".repeat(1024));
    let errors =
        parse_document_text(Path::new("long.yaml"), &one_cos_inventory(&filter, 1)).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].to_string(),
        "long.yaml:12 (document 1) spec.inventories[0] (id list0).filter.prefix: prefix is 1024 \
         characters long, more than 1023"
    );
}

#[test]
fn a_bucket_declared_twice_in_one_file_names_both_documents() {
    let doc = "apiVersion: invsync/v1\nkind: BucketInventory\nmetadata: {name: a}\n\
               spec: {provider: oss, bucket: twice, region: cn-hangzhou}\n";
    let errors =
        parse_document_text(Path::new("twice.yaml"), &format!("{doc}---\n{doc}")).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].to_string().starts_with(
            "twice.yaml:9 (document 2) spec.bucket: oss bucket `twice` is already declared at \
             twice.yaml:4 (document 1)"
        ),
        "{}",
        errors[0]
    );
}
