//! Hostile server answers to the real binary: a LIST body nesting hundreds of thousands of
//! elements, with names the readers know or not, fails its bucket with a body error naming the
//! bucket and the limit; the process exits 1 instead of overflowing its stack. COS, OSS and S3,
//! through the shared mock server.

use crate::support::e2e;
use crate::support::mock_server;

use axum::response::IntoResponse;
use e2e::{Emulator, Manifests, invsync_with, stderr, stdout};
use mock_server::{MockServer, Recorded};

const MANIFESTS: [(&str, &str); 3] = [
    (
        "cos.yaml",
        "apiVersion: invsync/v1
kind: BucketInventory
metadata:
  name: cos
spec:
  provider: cos
  bucket: deep-1250000000
  region: ap-guangzhou
  inventories:
    - id: list1
      includedObjectVersions: Current
      schedule: {frequency: Daily}
      destination:
        bucket: qcs::cos:ap-guangzhou::inventory-1250000000
        format: CSV
",
    ),
    (
        "oss.yaml",
        "apiVersion: invsync/v1
kind: BucketInventory
metadata:
  name: oss
spec:
  provider: oss
  bucket: deep-oss
  region: cn-hangzhou
  inventories:
    - id: logs
      includedObjectVersions: Current
      schedule: {frequency: Daily}
      destination:
        bucket: acs:oss:::inventory-dest
        accountId: \"1000000000000000\"
        roleArn: acs:ram::1000000000000000:role/AliyunOSSRole
        format: CSV
",
    ),
    (
        "s3.yaml",
        "apiVersion: invsync/v1
kind: BucketInventory
metadata:
  name: s3
spec:
  provider: s3
  bucket: deep-s3
  region: us-east-1
  inventories:
    - id: daily
      includedObjectVersions: Current
      schedule: {frequency: Daily}
      destination:
        bucket: inventory-dest
        format: CSV
",
    ),
];

const BUCKETS: [&str; 3] = ["deep-1250000000", "deep-oss", "deep-s3"];

/// The provider's LIST root, told apart by how the request is signed.
fn list_root(request: &Recorded) -> &'static str {
    let authorization = request.header("authorization").unwrap_or_default();
    if authorization.starts_with("q-sign-algorithm") {
        "ListInventoryConfigurationResult"
    } else {
        "ListInventoryConfigurationsResult"
    }
}

/// Plans the three buckets against a server answering every LIST with a configuration that
/// nests `levels` elements named `name`, and checks that each bucket fails with the limit.
fn plan_against_a_list_nesting(name: &'static str, levels: usize) {
    let server = MockServer::start();
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    let nested = format!("{}{}", open.repeat(levels), close.repeat(levels));
    server.fallback(move |request, _| {
        let root = list_root(request);
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><{root}><InventoryConfiguration><Id>list1</Id>\
             {nested}</InventoryConfiguration><IsTruncated>false</IsTruncated></{root}>"
        );
        ([("content-type", "application/xml")], body).into_response()
    });
    let manifests = Manifests::new();
    for (file, yaml) in MANIFESTS {
        manifests.write(file, yaml);
    }
    // The embedded emulator is not used: every request goes to the stand-in.
    let emulator = Emulator::start();
    let endpoint = server.url();
    let output = invsync_with(
        &emulator,
        &["plan", "--manifests", manifests.path().to_str().unwrap()],
        &[
            ("INVSYNC_COS_ENDPOINT", endpoint),
            ("INVSYNC_OSS_ENDPOINT", endpoint),
            ("INVSYNC_S3_ENDPOINT", endpoint),
            ("RUST_LOG", "warn"),
        ],
    );
    let shown = format!("{}{}", stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(1), "no crash, exit 1:\n{shown}");
    assert!(!shown.contains("overflow"), "{shown}");
    for bucket in BUCKETS {
        let line = shown
            .lines()
            .find(|l| l.contains(bucket) && l.contains("more than 64 levels deep"))
            .unwrap_or_else(|| panic!("a body error names {bucket}:\n{shown}"));
        assert!(line.contains("unreadable response"), "{line}");
    }
    assert!(
        server.requests().iter().all(|r| r.method == "GET"),
        "nothing is written"
    );
}

#[test]
fn a_list_nesting_250000_known_elements_fails_each_bucket_with_the_limit_not_a_crash() {
    // `Filter` is an element every provider's reader knows; 250,000 levels stay under the
    // response size limit.
    plan_against_a_list_nesting("Filter", 250_000);
}

#[test]
fn a_list_nesting_300000_unknown_elements_fails_each_bucket_with_the_limit_not_a_crash() {
    plan_against_a_list_nesting("Unknown", 300_000);
}
