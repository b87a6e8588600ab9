//! S3 end to end: the binary reconciles S3 buckets against the emulator's S3 mode, mixed with
//! COS and OSS in one manifests directory; the steady state costs one LIST per S3 bucket and
//! no writes; drift in live state is corrected; `import` reads the bucket back.

use crate::support::e2e;

use e2e::{Emulator, Manifests, assert_exit, invsync, stderr, stdout};
use invsync::model::Provider;
use invsync::provider::Operation;

const S3_MANIFEST: &str = r#"apiVersion: invsync/v1
kind: BucketInventory
metadata:
  name: s3-examplebucket
spec:
  provider: s3
  bucket: examplebucket
  region: us-east-1
  expectedBucketOwner: "123456789012"
  inventories:
    - id: daily-parquet
      includedObjectVersions: Current
      schedule: {frequency: Daily}
      filter: {prefix: logs/}
      optionalFields: [Size, LastModifiedDate, StorageClass, ETag, ChecksumAlgorithm]
      destination:
        bucket: inventory-reports
        accountId: "123456789012"
        prefix: inventory
        format: Parquet
        encryption: {SSE-KMS: {keyId: "arn:aws:kms:us-east-1:123456789012:key/k"}}
    - id: weekly-csv
      includedObjectVersions: All
      schedule: {frequency: Weekly}
      destination:
        bucket: arn:aws:s3:::inventory-reports
        format: CSV
        encryption: SSE-S3
"#;

/// The example manifests of the repository (COS and OSS) plus one S3 bucket.
fn mixed() -> Manifests {
    let manifests = Manifests::new();
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("manifests");
    for dir in ["cos", "oss"] {
        for entry in std::fs::read_dir(examples.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
            manifests.write(&name, &std::fs::read_to_string(&path).unwrap());
        }
    }
    manifests.write("s3/examplebucket.yaml", S3_MANIFEST);
    manifests
}

fn s3_calls(emulator: &Emulator, operation: Operation) -> u64 {
    emulator.handle.stats().calls(Provider::S3, operation)
}

#[test]
fn apply_creates_s3_configurations_next_to_cos_and_oss_and_then_nothing_is_pending() {
    let emulator = Emulator::start();
    let manifests = mixed();
    let dir = manifests.path().to_str().unwrap();

    let output = invsync(&emulator, &["apply", "--manifests", dir]);
    assert_exit(&output, 0);
    assert!(
        stdout(&output).contains("s3://examplebucket"),
        "{}",
        stdout(&output)
    );
    let live = emulator.handle.configs(Provider::S3, "examplebucket");
    assert_eq!(live.len(), 2, "{live:?}");
    assert!(live[0].contains("<Id>daily-parquet</Id>") && live[1].contains("<Id>weekly-csv</Id>"));
    assert!(emulator.handle.stats().calls(Provider::COS, Operation::Put) > 0);
    assert!(emulator.handle.stats().calls(Provider::OSS, Operation::Put) > 0);

    emulator.handle.reset_stats();
    let output = invsync(
        &emulator,
        &["plan", "--manifests", dir, "--detailed-exitcode"],
    );
    assert_exit(&output, 0);
    assert_eq!(
        s3_calls(&emulator, Operation::List),
        1,
        "one LIST per S3 bucket"
    );
    for operation in [Operation::Get, Operation::Put, Operation::Delete] {
        assert_eq!(s3_calls(&emulator, operation), 0, "{operation}");
    }
    assert!(
        !stderr(&output).contains(e2e::S3_KEY),
        "the secret never shows"
    );
}

#[test]
fn drift_in_a_live_s3_configuration_is_planned_and_corrected() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("s3.yaml", S3_MANIFEST);
    let dir = manifests.path().to_str().unwrap();
    assert_exit(&invsync(&emulator, &["apply", "--manifests", dir]), 0);

    let drifted = emulator.handle.configs(Provider::S3, "examplebucket")[0]
        .replace("<Prefix>logs/</Prefix>", "<Prefix>old/</Prefix>");
    emulator
        .handle
        .seed_xml(Provider::S3, "examplebucket", &drifted)
        .unwrap();
    let output = invsync(
        &emulator,
        &["plan", "--manifests", dir, "--detailed-exitcode"],
    );
    assert_exit(&output, 2);
    assert!(
        stdout(&output).contains("daily-parquet"),
        "{}",
        stdout(&output)
    );

    emulator.handle.reset_stats();
    assert_exit(&invsync(&emulator, &["apply", "--manifests", dir]), 0);
    assert_eq!(
        s3_calls(&emulator, Operation::Put),
        1,
        "S3 replaces in place: one PUT"
    );
    assert_eq!(s3_calls(&emulator, Operation::Delete), 0);
    let live = emulator.handle.configs(Provider::S3, "examplebucket");
    assert!(live[0].contains("<Prefix>logs/</Prefix>"), "{live:?}");
}

/// `invsync import` of the S3 example bucket, with `extra` arguments.
fn import_s3(emulator: &Emulator, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "import",
        "--provider",
        "s3",
        "--bucket",
        "examplebucket",
        "--region",
        "us-east-1",
    ];
    args.extend_from_slice(extra);
    invsync(emulator, &args)
}

#[test]
fn import_prints_the_live_s3_bucket_as_a_manifest_that_plans_in_sync() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("s3.yaml", S3_MANIFEST);
    let dir = manifests.path().to_str().unwrap();
    assert_exit(&invsync(&emulator, &["apply", "--manifests", dir]), 0);

    let output = import_s3(&emulator, &[]);
    assert_exit(&output, 0);
    let imported = Manifests::new();
    imported.write("imported.yaml", &stdout(&output));
    let output = invsync(
        &emulator,
        &[
            "plan",
            "--manifests",
            imported.path().to_str().unwrap(),
            "--detailed-exitcode",
        ],
    );
    assert_exit(&output, 0);
}

#[test]
fn import_sends_and_prints_the_expected_bucket_owner() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("s3.yaml", S3_MANIFEST);
    let dir = manifests.path().to_str().unwrap();
    assert_exit(&invsync(&emulator, &["apply", "--manifests", dir]), 0);
    let import = |owner: &str| import_s3(&emulator, &["--expected-bucket-owner", owner]);

    // The emulator's buckets belong to 123456789012 (`--s3-account-id`).
    let output = import("123456789012");
    assert_exit(&output, 0);
    let yaml = stdout(&output);
    assert!(
        yaml.contains("expectedBucketOwner: '123456789012'")
            || yaml.contains("expectedBucketOwner: \"123456789012\""),
        "{yaml}"
    );
    let imported = Manifests::new();
    imported.write("imported.yaml", &yaml);
    let plan = invsync(
        &emulator,
        &[
            "plan",
            "--manifests",
            imported.path().to_str().unwrap(),
            "--detailed-exitcode",
        ],
    );
    assert_exit(&plan, 0);

    // Another account's owner: S3 refuses the LIST, and nothing is printed.
    let output = import("210987654321");
    assert_exit(&output, 1);
    assert!(stdout(&output).is_empty(), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("AccessDenied"),
        "{}",
        stderr(&output)
    );

    // Not an account id, or a provider without bucket owners: refused before any request.
    let listed = s3_calls(&emulator, Operation::List);
    let output = import("12345");
    assert_exit(&output, 1);
    assert!(
        stderr(&output)
            .contains("--expected-bucket-owner: `12345` is not a 12-digit AWS account id"),
        "{}",
        stderr(&output)
    );
    let output = invsync(
        &emulator,
        &[
            "import",
            "--provider",
            "cos",
            "--bucket",
            "examplebucket-1250000000",
            "--region",
            "ap-guangzhou",
            "--expected-bucket-owner",
            "123456789012",
        ],
    );
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains("COS buckets have no expected owner; it applies to --provider s3"),
        "{}",
        stderr(&output)
    );
    assert_eq!(s3_calls(&emulator, Operation::List), listed);
}
