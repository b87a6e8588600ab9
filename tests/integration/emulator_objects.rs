//! The emulated object and bucket-policy calls of every provider: ListObjects paging with
//! marker and delimiter, ListObjectsV2 paging (S3, OSS), GetObject and its 404, the policy
//! round trip and each provider's "no policy" answer, over HTTP with the crate's own signers.

use crate::support::emulator_support;

use emulator_support::*;
use invsync::emulator::EmulatorHandle;
use invsync::model::Provider;
use reqwest::Method;

const KEYS: [&str; 5] = ["a/1", "a/2", "b", "c/x/y", "d"];

fn plant(emulator: &EmulatorHandle, provider: Provider, bucket: &str) {
    for key in KEYS {
        emulator
            .put_object(provider, bucket, key, key.as_bytes())
            .unwrap();
    }
}

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[]}"#;

#[tokio::test]
async fn s3_lists_pages_by_marker_and_rolls_up_by_delimiter() {
    let emulator = start().await;
    plant(&emulator, Provider::S3, "objs");
    let list = |params: Vec<(&'static str, &'static str)>| {
        let emulator = &emulator;
        async move {
            answer(
                S3Request::new(Method::GET, "objs", params)
                    .send(emulator)
                    .await,
            )
            .await
        }
    };
    let (status, body) = list(vec![("max-keys", "2")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(elements(&body, "Key"), ["a/1", "a/2"]);
    assert_eq!(element(&body, "IsTruncated"), Some("true"));
    assert_eq!(
        element(&body, "NextMarker"),
        None,
        "S3 sends NextMarker only with a delimiter"
    );
    let (_, body) = list(vec![("max-keys", "2"), ("marker", "a/2")]).await;
    assert_eq!(elements(&body, "Key"), ["b", "c/x/y"]);

    let (_, body) = list(vec![("delimiter", "/"), ("max-keys", "2")]).await;
    assert_eq!(elements(&body, "Key"), ["b"]);
    assert_eq!(elements(&body, "Prefix")[1..], ["a/"]);
    assert_eq!(element(&body, "NextMarker"), Some("b"));
    let (_, body) = list(vec![("delimiter", "/"), ("marker", "b")]).await;
    assert_eq!(elements(&body, "Key"), ["d"]);
    assert_eq!(element(&body, "IsTruncated"), Some("false"));
}

#[tokio::test]
async fn s3_v2_pages_by_continuation_token_and_starts_after() {
    let emulator = start().await;
    plant(&emulator, Provider::S3, "objs");
    let (_, first) = answer(
        S3Request::new(
            Method::GET,
            "objs",
            vec![("list-type", "2"), ("max-keys", "3")],
        )
        .send(&emulator)
        .await,
    )
    .await;
    assert_eq!(elements(&first, "Key"), ["a/1", "a/2", "b"]);
    assert_eq!(element(&first, "KeyCount"), Some("3"));
    let token = element(&first, "NextContinuationToken")
        .unwrap()
        .to_string();
    let (_, second) = answer(
        S3Request::new(
            Method::GET,
            "objs",
            vec![("list-type", "2"), ("continuation-token", &token)],
        )
        .send(&emulator)
        .await,
    )
    .await;
    assert_eq!(elements(&second, "Key"), ["c/x/y", "d"]);
    assert_eq!(element(&second, "NextContinuationToken"), None);
    let (_, after) = answer(
        S3Request::new(
            Method::GET,
            "objs",
            vec![("list-type", "2"), ("start-after", "c")],
        )
        .send(&emulator)
        .await,
    )
    .await;
    assert_eq!(elements(&after, "Key"), ["c/x/y", "d"]);
}

#[tokio::test]
async fn s3_gets_objects_and_a_missing_key_is_no_such_key() {
    let emulator = start().await;
    plant(&emulator, Provider::S3, "objs");
    let mut get = S3Request::new(Method::GET, "objs", vec![]);
    get.key = "c/x/y";
    let response = get.send(&emulator).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("etag"));
    assert_eq!(response.bytes().await.unwrap().as_ref(), b"c/x/y");
    let mut missing = S3Request::new(Method::GET, "objs", vec![]);
    missing.key = "nope";
    let (status, body) = answer(missing.send(&emulator).await).await;
    assert_eq!((status, element(&body, "Code")), (404, Some("NoSuchKey")));
}

#[tokio::test]
async fn s3_policy_round_trips_and_no_policy_is_no_such_bucket_policy() {
    let emulator = start().await;
    emulator
        .create_bucket(Provider::S3, "pol", None, &[])
        .unwrap();
    let policy = || vec![("policy", "")];
    let (status, body) = answer(
        S3Request::new(Method::GET, "pol", policy())
            .send(&emulator)
            .await,
    )
    .await;
    assert_eq!(
        (status, element(&body, "Code")),
        (404, Some("NoSuchBucketPolicy"))
    );
    let put = S3Request::new(Method::PUT, "pol", policy())
        .body(POLICY)
        .send(&emulator)
        .await;
    assert_eq!(put.status(), 204);
    let (status, body) = answer(
        S3Request::new(Method::GET, "pol", policy())
            .send(&emulator)
            .await,
    )
    .await;
    assert_eq!((status, body.as_str()), (200, POLICY));
    let bad = S3Request::new(Method::PUT, "pol", policy())
        .body("not json")
        .send(&emulator)
        .await;
    assert_eq!(bad.status(), 400);
    let delete = S3Request::new(Method::DELETE, "pol", policy())
        .send(&emulator)
        .await;
    assert_eq!(delete.status(), 204);
    let (status, _) = answer(
        S3Request::new(Method::GET, "pol", policy())
            .send(&emulator)
            .await,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn oss_lists_with_next_marker_on_every_truncated_page_and_v2_tokens() {
    let emulator = start().await;
    plant(&emulator, Provider::OSS, "objs");
    for version in [OssVersion::V1, OssVersion::V4] {
        let (status, body) = answer(
            OssRequest::new(Method::GET, "objs", vec![("max-keys", "2")], version)
                .send(&emulator)
                .await,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(elements(&body, "Key"), ["a/1", "a/2"]);
        assert_eq!(element(&body, "NextMarker"), Some("a/2"));
        assert_eq!(element(&body, "Type"), Some("Normal"));
    }
    let (_, body) = answer(
        OssRequest::new(
            Method::GET,
            "objs",
            vec![("delimiter", "/"), ("marker", "a/2")],
            OssVersion::V4,
        )
        .send(&emulator)
        .await,
    )
    .await;
    assert_eq!(elements(&body, "Key"), ["b", "d"]);
    assert_eq!(elements(&body, "Prefix")[1..], ["c/"]);
    let (_, v2) = answer(
        OssRequest::new(
            Method::GET,
            "objs",
            vec![("list-type", "2"), ("max-keys", "4")],
            OssVersion::V4,
        )
        .send(&emulator)
        .await,
    )
    .await;
    assert_eq!(element(&v2, "KeyCount"), Some("4"));
    assert!(element(&v2, "NextContinuationToken").is_some());
}

#[tokio::test]
async fn oss_gets_objects_and_answers_no_policy_with_its_ec() {
    let emulator = start().await;
    plant(&emulator, Provider::OSS, "objs");
    for version in [OssVersion::V1, OssVersion::V4] {
        let mut get = OssRequest::new(Method::GET, "objs", vec![], version);
        get.key = "a/1";
        let response = get.send(&emulator).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.bytes().await.unwrap().as_ref(), b"a/1");
        let mut missing = OssRequest::new(Method::GET, "objs", vec![], version);
        missing.key = "zzz";
        let (status, body) = answer(missing.send(&emulator).await).await;
        assert_eq!((status, element(&body, "Code")), (404, Some("NoSuchKey")));
    }
    let policy = || vec![("policy", "")];
    let (status, body) = answer(
        OssRequest::new(Method::GET, "objs", policy(), OssVersion::V4)
            .send(&emulator)
            .await,
    )
    .await;
    assert_eq!(
        (status, element(&body, "Code")),
        (404, Some("NoSuchBucketPolicy"))
    );
    assert_eq!(element(&body, "EC"), Some("0030-00000006"));
    let put = OssRequest::new(Method::PUT, "objs", policy(), OssVersion::V4)
        .body(POLICY)
        .send(&emulator)
        .await;
    assert_eq!(put.status(), 200);
    let (status, body) = answer(
        OssRequest::new(Method::GET, "objs", policy(), OssVersion::V1)
            .send(&emulator)
            .await,
    )
    .await;
    assert_eq!((status, body.as_str()), (200, POLICY));
}

#[tokio::test]
async fn cos_lists_gets_and_round_trips_policies() {
    let emulator = start().await;
    let bucket = "objs-1250000000";
    plant(&emulator, Provider::COS, bucket);
    let (status, body) = answer(
        CosRequest::new(
            Method::GET,
            bucket,
            vec![("max-keys", "3"), ("delimiter", "/")],
        )
        .send(&emulator)
        .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(elements(&body, "Key"), ["b"]);
    assert_eq!(elements(&body, "Prefix")[1..], ["a/", "c/"]);
    assert_eq!(element(&body, "NextMarker"), Some("c/"));
    let (_, rest) = answer(
        CosRequest::new(
            Method::GET,
            bucket,
            vec![("delimiter", "/"), ("marker", "c/")],
        )
        .send(&emulator)
        .await,
    )
    .await;
    assert_eq!(elements(&rest, "Key"), ["d"]);

    let mut get = CosRequest::new(Method::GET, bucket, vec![]);
    get.key = "a/2";
    let response = get.send(&emulator).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().as_ref(), b"a/2");
    let mut missing = CosRequest::new(Method::GET, bucket, vec![]);
    missing.key = "none";
    assert_eq!(missing.send(&emulator).await.status(), 404);

    let policy = || vec![("policy", "")];
    let (status, body) = answer(
        CosRequest::new(Method::GET, bucket, policy())
            .send(&emulator)
            .await,
    )
    .await;
    assert_eq!(
        (status, element(&body, "Code")),
        (404, Some("NoSuchBucketPolicy"))
    );
    let put = CosRequest::new(Method::PUT, bucket, policy())
        .body(POLICY)
        .send(&emulator)
        .await;
    assert_eq!(put.status(), 204);
    let (status, body) = answer(
        CosRequest::new(Method::GET, bucket, policy())
            .send(&emulator)
            .await,
    )
    .await;
    assert_eq!((status, body.as_str()), (200, POLICY));
}

#[tokio::test]
async fn objects_planted_over_the_admin_api_are_listed_and_tampering_replaces_them() {
    let emulator = start().await;
    let url = format!(
        "{}/_emulator/objects/s3/planted/dir/file.txt",
        emulator.endpoint()
    );
    let put = http().put(&url).body("one").send().await.unwrap();
    assert_eq!(put.status(), 201);
    let put = http().put(&url).body("two").send().await.unwrap();
    assert_eq!(put.status(), 201);
    assert_eq!(
        emulator.object_keys(Provider::S3, "planted"),
        ["dir/file.txt"]
    );
    assert_eq!(
        emulator
            .object(Provider::S3, "planted", "dir/file.txt")
            .as_deref(),
        Some(b"two".as_slice())
    );
    let stats = emulator.stats();
    assert_eq!(stats.total, 0, "admin calls are not API calls");
}
