//! The emulator's admin API for buckets (`/_emulator/buckets/{provider}/{bucket}`), and
//! buckets under strict buckets and across a restart with a state file.

use crate::support::emulator_support;

use emulator_support::*;
use invsync::emulator::{EmulatorConfig, EmulatorHandle};
use invsync::model::Provider;
use reqwest::Method;

fn admin(emulator: &EmulatorHandle, method: Method, path: &str) -> reqwest::RequestBuilder {
    http().request(
        method,
        format!("{}/_emulator/buckets/{path}", emulator.endpoint()),
    )
}

#[tokio::test]
async fn the_admin_api_creates_and_deletes_buckets_that_listing_and_signatures_follow() {
    let emulator = start().await;
    let created = admin(&emulator, Method::PUT, "s3/fleet-new")
        .body(r#"{"region": "eu-west-1", "tags": {"team": "data"}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let json: serde_json::Value = serde_json::from_str(&created.text().await.unwrap()).unwrap();
    assert_eq!(json["region"], "eu-west-1");
    let again = admin(&emulator, Method::PUT, "s3/fleet-new")
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200, "an existing bucket keeps its region");

    let (_, listed) = s3_list(&emulator, vec![("prefix", "fleet-")]).await;
    assert_eq!(elements(&listed, "Name"), ["fleet-new"]);
    assert_eq!(elements(&listed, "BucketRegion"), ["eu-west-1"]);

    let tagging = || vec![("tagging", "")];
    let wrong_region = S3Request::new(Method::GET, "fleet-new", tagging())
        .send(&emulator)
        .await;
    let (status, body) = answer(wrong_region).await;
    assert_eq!(
        (status, element(&body, "Region")),
        (400, Some("eu-west-1")),
        "{body}"
    );
    let mut right = S3Request::new(Method::GET, "fleet-new", tagging());
    right.region = "eu-west-1";
    let (status, body) = answer(right.send(&emulator).await).await;
    assert_eq!(
        (status, elements(&body, "Key")),
        (200, vec!["team"]),
        "{body}"
    );

    let deleted = admin(&emulator, Method::DELETE, "s3/fleet-new")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let gone = admin(&emulator, Method::DELETE, "s3/fleet-new")
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    let (_, listed) = s3_list(&emulator, vec![("prefix", "fleet-")]).await;
    assert!(elements(&listed, "Name").is_empty());

    let unknown = admin(&emulator, Method::PUT, "gcs/x").send().await.unwrap();
    assert_eq!(unknown.status(), 400);
    assert!(unknown.text().await.unwrap().contains("cos, oss, s3"));
    let bad_body = admin(&emulator, Method::PUT, "oss/x")
        .body("{\"regoin\":1}")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_body.status(), 400);
}

#[tokio::test]
async fn under_strict_buckets_admin_created_buckets_exist_until_deleted() {
    let config = EmulatorConfig {
        strict_buckets: true,
        buckets: vec![(Provider::Oss, "declared".into())],
        ..config()
    };
    let emulator = start_with(config).await;
    let get = |bucket: &'static str| {
        OssRequest::new(Method::GET, bucket, vec![("tagging", "")], OssVersion::V4)
    };
    assert_eq!(get("declared").send(&emulator).await.status(), 200);
    let (status, body) = answer(get("later").send(&emulator).await).await;
    assert_eq!(
        (status, element(&body, "Code")),
        (404, Some("NoSuchBucket"))
    );
    emulator
        .create_bucket(Provider::Oss, "later", None, &[])
        .unwrap();
    assert_eq!(get("later").send(&emulator).await.status(), 200);
    let (_, listed) = answer(
        OssRequest::new(Method::GET, "", Vec::new(), OssVersion::V1)
            .send(&emulator)
            .await,
    )
    .await;
    assert_eq!(elements(&listed, "Name"), ["declared", "later"]);
    assert!(emulator.delete_bucket(Provider::Oss, "later").unwrap());
    assert_eq!(get("later").send(&emulator).await.status(), 404);
}

#[tokio::test]
async fn buckets_and_tags_survive_a_restart_and_an_older_state_file_still_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let older = r#"{"format_version":1,"buckets":{"oss":{"old":{"configs":{},"next_seq":0}}}}"#;
    std::fs::write(&path, older).unwrap();
    let with_state = || EmulatorConfig {
        state_file: Some(path.clone()),
        ..config()
    };
    let emulator = start_with(with_state()).await;
    emulator
        .create_bucket(
            Provider::Oss,
            "new",
            Some("cn-beijing"),
            &[("team", "data")],
        )
        .unwrap();
    emulator.shutdown().await.unwrap();

    let emulator = start_with(with_state()).await;
    let (_, listed) = answer(
        OssRequest::new(Method::GET, "", Vec::new(), OssVersion::V1)
            .send(&emulator)
            .await,
    )
    .await;
    assert_eq!(elements(&listed, "Name"), ["new", "old"]);
    assert_eq!(elements(&listed, "Region"), ["cn-beijing", "cn-hangzhou"]);
    let tags = OssRequest::new(Method::GET, "new", vec![("tagging", "")], OssVersion::V1);
    let (_, body) = answer(tags.send(&emulator).await).await;
    assert_eq!(elements(&body, "Value"), ["data"]);
}
