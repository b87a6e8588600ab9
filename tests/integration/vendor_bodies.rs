//! Vendor-written inventory bodies (`tests/fixtures/vendor/`, each citing its source) served to
//! the real binary: configuration documents are read (modelled or foreign, never lost) and
//! `import` then `plan` is in sync; bodies that are not the document are errors that write
//! nothing. GET and PUT bodies are served inside the provider's list root, as a LIST returns
//! them.

use crate::support::e2e;
use crate::support::mock_server;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::response::IntoResponse;
use e2e::{Emulator, Manifests, invsync_with, stderr, stdout};
use mock_server::MockServer;
use serde_json::Value;

fn vendor_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vendor")
}

/// A server answering 200 with `body`, and with `last` to a request for a following page
/// (a `continuation-token`), recording the methods it saw.
fn serve(_emulator: &Emulator, body: String, last: String) -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let server = MockServer::start();
    server.fallback(move |request, _| {
        record.lock().unwrap().push(request.method.to_string());
        let answer = if request.query().contains("continuation-token=") {
            last.clone()
        } else {
            body.clone()
        };
        ([("content-type", "application/xml")], answer).into_response()
    });
    (server.detach(), seen)
}

/// The LIST body that serves `record`'s bytes: a list as it is, a single configuration
/// (declaration dropped) inside the provider's list root.
fn list_body(record: &Value, bytes: &str) -> String {
    if record["operation"] == "list" || record["kind"] != "config" && record["kind"] != "template" {
        return bytes.to_string();
    }
    let config = match bytes.find("?>") {
        Some(end) if bytes.trim_start().starts_with("<?xml") => &bytes[end + 2..],
        _ => bytes,
    };
    let root = if record["provider"] == "oss" {
        "ListInventoryConfigurationsResult"
    } else {
        "ListInventoryConfigurationResult"
    };
    format!("<{root}>{config}<IsTruncated>false</IsTruncated></{root}>")
}

#[test]
fn every_vendor_body_is_read_or_refused_and_nothing_is_lost() {
    let index: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(vendor_dir().join("index.json")).unwrap())
            .unwrap();
    let emulator = Emulator::start();
    let (mut tried, mut passed, mut foreign, mut refused) = (0, 0, 0, 0);
    let mut problems = Vec::new();
    for record in &index {
        let file = record["file"].as_str().unwrap();
        let bytes = std::fs::read_to_string(vendor_dir().join(file)).unwrap();
        let kind = record["kind"].as_str().unwrap();
        if kind == "error" {
            continue; // error documents served with their status are covered by the clients
        }
        tried += 1;
        let root = if record["provider"] == "oss" {
            "ListInventoryConfigurationsResult"
        } else {
            "ListInventoryConfigurationResult"
        };
        let last = format!("<{root}><IsTruncated>false</IsTruncated></{root}>");
        let (endpoint, seen) = serve(&emulator, list_body(record, &bytes), last);
        let env = [
            ("INVSYNC_COS_ENDPOINT", endpoint.as_str()),
            ("INVSYNC_OSS_ENDPOINT", endpoint.as_str()),
        ];
        let (provider, bucket, region) = if record["provider"] == "oss" {
            ("oss", "examplebucket", "cn-hangzhou")
        } else {
            ("cos", "examplebucket-1250000000", "ap-guangzhou")
        };
        let import = invsync_with(
            &emulator,
            &[
                "import",
                "--provider",
                provider,
                "--bucket",
                bucket,
                "--region",
                region,
            ],
            &env,
        );
        let yaml = stdout(&import);
        match (kind, import.status.code()) {
            ("invalid", Some(1)) => {
                refused += 1;
                passed += 1;
                continue;
            }
            ("degenerate", Some(1)) => {
                refused += 1;
                passed += 1;
                continue;
            }
            (_, Some(0)) if kind != "invalid" => {}
            (_, code) => {
                problems.push(format!(
                    "{file} ({kind}): import exited {code:?}: {}",
                    stderr(&import)
                ));
                continue;
            }
        }
        let ids: Vec<&str> = record["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_str().unwrap())
            .collect();
        let lost: Vec<&&str> = ids
            .iter()
            .filter(|id| {
                !yaml.contains(&format!("id: {id}\n")) && !yaml.contains(&format!("`{id}`"))
            })
            .collect();
        if !lost.is_empty() {
            problems.push(format!(
                "{file}: ids {lost:?} neither imported nor commented:\n{yaml}"
            ));
            continue;
        }
        if yaml.contains("does not model") {
            foreign += 1;
        }
        let manifests = Manifests::new();
        manifests.write("bucket.yaml", &yaml);
        let dir = manifests.path().to_str().unwrap();
        let plan = invsync_with(
            &emulator,
            &["plan", "--manifests", dir, "--detailed-exitcode"],
            &env,
        );
        if plan.status.code() != Some(0) {
            problems.push(format!(
                "{file}: plan of the import is not in sync ({:?}):\n{}\n{}\n{yaml}",
                plan.status.code(),
                stdout(&plan),
                stderr(&plan)
            ));
            continue;
        }
        let methods = seen.lock().unwrap().clone();
        if methods.iter().any(|m| m != "GET") {
            problems.push(format!("{file}: wrote {methods:?}"));
            continue;
        }
        passed += 1;
    }
    println!(
        "vendor bodies: {tried} tried, {passed} passed ({foreign} with foreign configurations, {refused} refused as not the document)"
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n\n")
    );
    assert_eq!(passed, tried);
}

/// A hand-written manifest of the configuration in
/// `aliyun/alibabacloud-oss-go-sdk-v2: oss/api_op_bucket_inventory_test.go#L411-L426`
/// (stored as `oss/go-sdk-v2-get-weekly-current.xml`) plans in sync against it.
#[test]
fn a_hand_written_manifest_of_a_vendor_body_is_in_sync() {
    let record = serde_json::json!({"provider": "oss", "operation": "get", "kind": "config"});
    let bytes =
        std::fs::read_to_string(vendor_dir().join("oss/go-sdk-v2-get-weekly-current.xml")).unwrap();
    let emulator = Emulator::start();
    let (endpoint, _seen) = serve(&emulator, list_body(&record, &bytes), String::new());
    let manifests = Manifests::new();
    manifests.write(
        "bucket.yaml",
        "apiVersion: invsync/v1\nkind: BucketInventory\nmetadata:\n  name: vendor\nspec:\n  provider: oss\n  bucket: examplebucket\n  region: cn-hangzhou\n  inventories:\n    - id: report1\n      includedObjectVersions: Current\n      schedule: {frequency: Weekly}\n      destination:\n        bucket: acs:oss:::destination-bucket\n        accountId: \"1000000000000000\"\n        roleArn: acs:ram::1000000000000000:role/AliyunOSSRole\n        format: CSV\n",
    );
    let dir = manifests.path().to_str().unwrap();
    let plan = invsync_with(
        &emulator,
        &["plan", "--manifests", dir, "--detailed-exitcode"],
        &[("INVSYNC_OSS_ENDPOINT", endpoint.as_str())],
    );
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&plan),
        stderr(&plan)
    );
}
