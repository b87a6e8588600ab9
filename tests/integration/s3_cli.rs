//! The real binary with S3 manifests, against a stand-in S3 on 127.0.0.1 (the shared mock
//! server): credentials from the AWS chain's environment variables, SigV4 with
//! `x-amz-expected-bucket-owner`, plan, apply and import.

use crate::support::e2e;
use crate::support::mock_server;

use axum::response::{IntoResponse, Response};
use e2e::{Emulator, Manifests, S3_ID, S3_KEY, invsync_with, stderr, stdout};
use mock_server::{MockServer, Recorded};
use serde_json::Value;

const OWNER: &str = "111122223333";

const MANIFEST: &str = r#"apiVersion: invsync/v1
kind: BucketInventory
metadata:
  name: s3-logs
spec:
  provider: s3
  bucket: examplebucket
  region: us-east-1
  expectedBucketOwner: "111122223333"
  inventories:
    - id: daily
      includedObjectVersions: Current
      schedule: {frequency: Daily}
      filter: {prefix: logs/}
      optionalFields: [ETag, Size]
      destination:
        bucket: inventory-dest
        accountId: "111122223333"
        format: Parquet
        encryption: SSE-S3
"#;

/// The configuration `daily` as S3 would list it, with `prefix` as its filter.
fn live(prefix: &str) -> String {
    format!(
        "<InventoryConfiguration><Destination><S3BucketDestination><AccountId>111122223333</AccountId>\
         <Bucket>arn:aws:s3:::inventory-dest</Bucket><Format>Parquet</Format><Encryption><SSE-S3/></Encryption>\
         </S3BucketDestination></Destination><IsEnabled>true</IsEnabled><Filter><Prefix>{prefix}</Prefix></Filter>\
         <Id>daily</Id><IncludedObjectVersions>Current</IncludedObjectVersions><OptionalFields><Field>Size</Field>\
         <Field>ETag</Field></OptionalFields><Schedule><Frequency>Daily</Frequency></Schedule></InventoryConfiguration>"
    )
}

fn list(configs: &str) -> Response {
    (
        [("x-amz-request-id", "0A49CE4060975EAC")],
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListInventoryConfigurationsResult \
             xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{configs}<IsTruncated>false</IsTruncated>\
             </ListInventoryConfigurationsResult>"
        ),
    )
        .into_response()
}

fn run(server: &MockServer, args: &[&str]) -> std::process::Output {
    // The embedded emulator is not used: every S3 request goes to the stand-in.
    let emulator = Emulator::start();
    invsync_with(
        &emulator,
        args,
        &[("INVSYNC_S3_ENDPOINT", server.url()), ("RUST_LOG", "warn")],
    )
}

fn assert_signed_for_the_owner(request: &Recorded) {
    assert_eq!(request.path(), "/examplebucket", "path style for 127.0.0.1");
    assert_eq!(request.header("x-amz-expected-bucket-owner"), Some(OWNER));
    let authorization = request.header("authorization").unwrap();
    assert!(
        authorization.starts_with(&format!("AWS4-HMAC-SHA256 Credential={S3_ID}/"))
            && authorization.contains("/us-east-1/s3/aws4_request"),
        "{authorization}"
    );
    assert!(request.header("x-amz-content-sha256").is_some());
}

#[test]
fn plan_reads_an_s3_bucket_with_one_signed_list_and_shows_the_change() {
    let server = MockServer::start();
    server.fallback(|_, _| list(&live("old/")));
    let manifests = Manifests::new();
    manifests.write("s3.yaml", MANIFEST);
    let output = run(
        &server,
        &[
            "plan",
            "--manifests",
            manifests.path().to_str().unwrap(),
            "--output",
            "json",
            "--detailed-exitcode",
            // The mock answers the inventory calls alone.
            "--delivery-checks",
            "off",
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let plan: Value = serde_json::from_slice(&output.stdout).unwrap();
    let changes = plan["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{plan}");
    assert_eq!(changes[0]["action"], "update");
    assert_eq!(changes[0]["provider"], "s3");
    assert!(changes[0]["diff"].as_str().unwrap().contains("logs/"));
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "one LIST, no GET");
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].query(), "inventory");
    assert_signed_for_the_owner(&requests[0]);
    let shown = format!("{}{}", stdout(&output), stderr(&output));
    assert!(!shown.contains(S3_KEY));
}

#[test]
fn apply_puts_the_declared_document_and_reads_it_back() {
    let server = MockServer::start();
    server.push(list(""));
    server.push((axum::http::StatusCode::NO_CONTENT, "").into_response());
    server.fallback(|_, _| list(&live("logs/")));
    let manifests = Manifests::new();
    manifests.write("s3.yaml", MANIFEST);
    let output = run(
        &server,
        &[
            "apply",
            "--manifests",
            manifests.path().to_str().unwrap(),
            "--delivery-checks",
            "off",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let requests = server.requests();
    let put = requests.iter().find(|r| r.method == "PUT").expect("a PUT");
    assert_eq!(put.query(), "id=daily&inventory");
    assert_signed_for_the_owner(put);
    let body = String::from_utf8_lossy(&put.body);
    assert!(
        body.contains("<Bucket>arn:aws:s3:::inventory-dest</Bucket>"),
        "{body}"
    );
    assert!(body.contains("<Format>Parquet</Format>"), "{body}");
    assert!(
        body.starts_with(
            "<InventoryConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        ),
        "{body}"
    );
}

#[test]
fn import_prints_a_manifest_that_validates_and_plans_in_sync() {
    let server = MockServer::start();
    server.fallback(|_, _| list(&live("logs/")));
    let output = run(
        &server,
        &[
            "import",
            "--provider",
            "s3",
            "--bucket",
            "examplebucket",
            "--region",
            "us-east-1",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let yaml = stdout(&output);
    assert!(yaml.contains("provider: s3"), "{yaml}");
    let manifests = Manifests::new();
    manifests.write("imported.yaml", &yaml);
    let plan = run(
        &server,
        &[
            "plan",
            "--manifests",
            manifests.path().to_str().unwrap(),
            "--detailed-exitcode",
        ],
    );
    assert_eq!(plan.status.code(), Some(0), "{}\n{yaml}", stderr(&plan));
}
