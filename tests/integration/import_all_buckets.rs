//! `invsync import --all-buckets` as a user runs it: the real binary against a stand-in S3
//! account on the local mock server, writing into a temporary directory. What is selected,
//! what is written, what is reported, the exit code, and the flags it refuses.

use std::path::Path;
use std::process::Output;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use invsync::provider::oss::encoding::decode_query;

use crate::support::e2e::{S3_ID, S3_KEY, assert_exit, bin, stderr, stdout};
use crate::support::mock_server::{MockServer, Recorded};

/// The account: name, region, tags (`None`: 404 NoSuchTagSet), inventory answer.
const ACCOUNT: &[(&str, &str, Option<&str>, Inventory)] = &[
    ("logs-a", "us-east-1", Some("team=data"), Inventory::One),
    ("logs-b", "eu-west-1", None, Inventory::Empty),
    (
        "logs-denied",
        "us-east-1",
        Some("team=data"),
        Inventory::Denied,
    ),
    ("logs-tmp", "us-east-1", None, Inventory::One),
    ("data-x", "us-east-1", Some("team=data"), Inventory::One),
];

#[derive(Clone, Copy)]
enum Inventory {
    One,
    Empty,
    Denied,
}

const CONFIG: &str = "<InventoryConfiguration><Id>daily</Id><IsEnabled>true</IsEnabled>\
    <Destination><S3BucketDestination><Format>CSV</Format>\
    <Bucket>arn:aws:s3:::inventory-dest</Bucket></S3BucketDestination></Destination>\
    <Schedule><Frequency>Daily</Frequency></Schedule>\
    <IncludedObjectVersions>Current</IncludedObjectVersions></InventoryConfiguration>";

fn xml(status: u16, body: String) -> Response {
    (StatusCode::from_u16(status).unwrap(), body).into_response()
}

fn error(status: u16, code: &str) -> Response {
    xml(
        status,
        format!("<Error><Code>{code}</Code><Message>m</Message><RequestId>R</RequestId></Error>"),
    )
}

/// Answers as S3 would for [`ACCOUNT`]: ListBuckets on `/`, inventory LIST and tags per bucket.
fn account(r: &Recorded, _: usize) -> Response {
    let query = decode_query(r.query());
    let has = |name: &str| query.iter().any(|(k, _)| k == name);
    if r.path() == "/" {
        let mut body = String::from("<ListAllMyBucketsResult><Buckets>");
        for (name, region, _, _) in ACCOUNT {
            body.push_str(&format!(
                "<Bucket><Name>{name}</Name><BucketRegion>{region}</BucketRegion></Bucket>"
            ));
        }
        body.push_str("</Buckets></ListAllMyBucketsResult>");
        return xml(200, body);
    }
    let bucket = r.path().trim_start_matches('/');
    let Some((_, _, tags, inventory)) = ACCOUNT.iter().find(|(n, ..)| *n == bucket) else {
        return error(404, "NoSuchBucket");
    };
    if has("tagging") {
        return match tags {
            None => error(404, "NoSuchTagSet"),
            Some(tag) => {
                let (key, value) = tag.split_once('=').unwrap();
                xml(
                    200,
                    format!(
                        "<Tagging><TagSet><Tag><Key>{key}</Key><Value>{value}</Value></Tag>\
                         </TagSet></Tagging>"
                    ),
                )
            }
        };
    }
    match inventory {
        Inventory::One => xml(
            200,
            format!(
                "<ListInventoryConfigurationsResult>{CONFIG}<IsTruncated>false</IsTruncated>\
                 </ListInventoryConfigurationsResult>"
            ),
        ),
        Inventory::Empty => xml(
            200,
            "<ListInventoryConfigurationsResult><IsTruncated>false</IsTruncated>\
             </ListInventoryConfigurationsResult>"
                .into(),
        ),
        Inventory::Denied => error(403, "AccessDenied"),
    }
}

/// Runs `invsync import --provider s3 --all-buckets ARGS` against `server`.
fn import_all(server: &MockServer, args: &[&str]) -> Output {
    let mut all = vec!["--all-buckets"];
    all.extend_from_slice(args);
    import(server, &all)
}

/// Runs `invsync import --provider s3 ARGS` against `server`, with test credentials.
fn import(server: &MockServer, args: &[&str]) -> Output {
    std::process::Command::new(bin())
        .args(["import", "--provider", "s3"])
        .args(args)
        .env_clear()
        .env("AWS_ACCESS_KEY_ID", S3_ID)
        .env("AWS_SECRET_ACCESS_KEY", S3_KEY)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("INVSYNC_S3_ENDPOINT", server.url())
        .env("INVSYNC_MAX_ATTEMPTS", "1")
        .output()
        .expect("invsync runs")
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn requested(server: &MockServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| format!("{}?{}", r.path(), r.query()))
        .collect()
}

#[test]
fn selected_buckets_with_configurations_get_a_manifest_and_the_rest_is_reported() {
    let server = MockServer::start();
    server.fallback(account);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let run = import_all(
        &server,
        &["--out", out, "--match", "logs-*", "--exclude", "*-tmp"],
    );
    assert_exit(&run, 1);
    assert_eq!(files(dir.path()), ["logs-a.yaml"]);
    let manifest = std::fs::read_to_string(dir.path().join("logs-a.yaml")).unwrap();
    assert!(manifest.contains("bucket: logs-a"), "{manifest}");
    assert!(manifest.contains("region: us-east-1"), "{manifest}");
    assert!(manifest.contains("id: daily"), "{manifest}");
    assert_eq!(
        stdout(&run).trim(),
        dir.path().join("logs-a.yaml").to_str().unwrap()
    );
    let err = stderr(&run);
    assert!(
        err.contains("s3://logs-b (eu-west-1): no inventory configurations; no manifest written"),
        "{err}"
    );
    assert!(
        err.contains("s3://logs-denied (us-east-1): could not be read:")
            && err.contains("HTTP 403 AccessDenied"),
        "{err}"
    );
    assert!(
        err.contains("4 bucket(s) listed, 3 selected: 1 manifest(s) written, 1 without configurations, 1 failed"),
        "{err}"
    );
    assert!(!err.contains(S3_KEY), "no secret in the output");
    let asked = requested(&server);
    assert!(
        asked
            .iter()
            .all(|p| !p.contains("data-x") && !p.contains("logs-tmp")),
        "buckets not selected are never read: {asked:?}"
    );
    assert!(
        asked.iter().all(|p| !p.contains("tagging")),
        "no tag selector, no tag reads: {asked:?}"
    );
}

#[test]
fn tag_selectors_read_tags_only_for_name_candidates_and_select_on_them() {
    let server = MockServer::start();
    server.fallback(account);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let run = import_all(
        &server,
        &[
            "--out",
            out,
            "--match",
            "logs-?",
            "--tag",
            "team=data",
            "--region",
            "us-east-1",
        ],
    );
    assert_exit(&run, 0);
    assert_eq!(files(dir.path()), ["logs-a.yaml"]);
    let asked = requested(&server);
    let tag_reads: Vec<&String> = asked.iter().filter(|p| p.contains("tagging")).collect();
    assert_eq!(tag_reads, ["/logs-a?tagging"], "{asked:?}");
    let listing = &server.requests()[0];
    let query = decode_query(listing.query());
    assert!(query.contains(&("bucket-region".to_string(), "us-east-1".to_string())));
    assert!(query.contains(&("prefix".to_string(), "logs-".to_string())));
}

#[test]
fn an_existing_manifest_is_kept_unless_forced() {
    let server = MockServer::start();
    server.fallback(account);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let target = dir.path().join("logs-a.yaml");
    std::fs::write(&target, "# mine\n").unwrap();
    let kept = import_all(&server, &["--out", out, "--match", "logs-a"]);
    assert_exit(&kept, 1);
    assert!(stderr(&kept).contains("exists; not overwritten (--force replaces it)"));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "# mine\n");
    let forced = import_all(&server, &["--out", out, "--match", "logs-a", "--force"]);
    assert_exit(&forced, 0);
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .contains("id: daily")
    );
}

#[test]
fn an_out_that_is_not_a_directory_is_refused_before_any_request() {
    let server = MockServer::start();
    server.fallback(account);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "").unwrap();
    let run = import_all(&server, &["--out", file.to_str().unwrap()]);
    assert_exit(&run, 1);
    assert!(stderr(&run).contains("not a directory"), "{}", stderr(&run));
    let missing = dir.path().join("missing");
    let run = import_all(&server, &["--out", missing.to_str().unwrap()]);
    assert_exit(&run, 1);
    assert!(
        stderr(&run).contains("create the directory first"),
        "{}",
        stderr(&run)
    );
    assert_eq!(server.request_count(), 0);
}

#[test]
fn a_listing_that_fails_is_an_error_and_writes_nothing() {
    let server = MockServer::start();
    server.fallback(|_, _| error(403, "AccessDenied"));
    let dir = tempfile::tempdir().unwrap();
    let run = import_all(&server, &["--out", dir.path().to_str().unwrap()]);
    assert_exit(&run, 1);
    let err = stderr(&run);
    assert!(
        err.contains("listing the AWS S3 account's buckets")
            && err.contains("s3 list_buckets on the account: HTTP 403 AccessDenied"),
        "{err}"
    );
    assert!(files(dir.path()).is_empty());
}

#[test]
fn flags_that_do_not_go_together_are_refused_as_usage_errors() {
    let server = MockServer::start();
    let run = |args: &[&str]| import(&server, args);
    // Neither a bucket nor --all-buckets; --all-buckets without --out; both at once;
    // a selector flag without --all-buckets; --bucket without --region.
    for args in [
        &[][..],
        &["--all-buckets"][..],
        &["--all-buckets", "--out", ".", "--bucket", "b"][..],
        &["--bucket", "b", "--region", "r", "--match", "x*"][..],
        &["--bucket", "b"][..],
    ] {
        let refused = run(args);
        // Usage errors exit 1 (never clap's 2, which `plan --detailed-exitcode` means).
        assert_exit(&refused, 1);
        assert!(
            stderr(&refused).contains("Usage:"),
            "{args:?}: {}",
            stderr(&refused)
        );
    }
    let two_regions = run(&["--bucket", "b", "--region", "r1", "--region", "r2"]);
    assert_exit(&two_regions, 1);
    assert!(stderr(&two_regions).contains("give exactly one region with --bucket"));
    let bad_region = run(&["--all-buckets", "--out", ".", "--region", "x.evil.example/"]);
    assert_exit(&bad_region, 1);
    assert!(stderr(&bad_region).contains("--region: region `x.evil.example/` is not a region id"));
    let bad_glob = run(&["--all-buckets", "--out", ".", "--match", "logs-[0-9]"]);
    assert_exit(&bad_glob, 1);
    assert!(
        stderr(&bad_glob).contains("--match \"logs-[0-9]\""),
        "{}",
        stderr(&bad_glob)
    );
    assert_eq!(server.request_count(), 0);
}

#[test]
fn a_listed_name_that_is_no_bucket_name_is_reported_and_never_becomes_a_path() {
    let server = MockServer::start();
    server.fallback(|r, _| {
        if r.path() != "/" {
            return error(500, "Unexpected");
        }
        xml(
            200,
            "<ListAllMyBucketsResult><Buckets><Bucket><Name>../../escaped</Name>\
             <BucketRegion>us-east-1</BucketRegion></Bucket><Bucket><Name>fine-bucket</Name>\
             <BucketRegion>evil.example/</BucketRegion></Bucket></Buckets>\
             </ListAllMyBucketsResult>"
                .into(),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let run = import_all(&server, &["--out", out.to_str().unwrap()]);
    assert_exit(&run, 1);
    let err = stderr(&run);
    assert!(err.contains("the listing names an invalid bucket"), "{err}");
    assert!(err.contains("the listing gives an invalid region"), "{err}");
    assert_eq!(server.request_count(), 1, "neither bucket is read");
    assert!(files(&out).is_empty() && files(dir.path()) == ["out"]);
}
