//! The emulated bucket tags of every provider: round trips, each provider's "no tags" answer,
//! limits and integrity rules, over HTTP with the crate's own signers.

use crate::support::emulator_support;

use emulator_support::*;
use reqwest::Method;

const TAGGING: &str = "<Tagging><TagSet><Tag><Key>team</Key><Value>data</Value></Tag>\
                       <Tag><Key>env</Key><Value>prod</Value></Tag></TagSet></Tagging>";

#[tokio::test]
async fn s3_tags_round_trip_and_a_bucket_without_tags_is_no_such_tag_set() {
    let emulator = start().await;
    let tagging = || vec![("tagging", "")];
    let (status, body) = answer(
        S3Request::new(Method::GET, "tags", tagging())
            .send(&emulator)
            .await,
    )
    .await;
    assert_eq!(
        (status, element(&body, "Code")),
        (404, Some("NoSuchTagSet"))
    );

    let mut put = S3Request::new(Method::PUT, "tags", tagging()).body(TAGGING);
    let (status, body) = answer(put.send(&emulator).await).await;
    assert_eq!(
        (status, element(&body, "Code")),
        (400, Some("InvalidRequest")),
        "a tagging PUT needs Content-MD5 or a checksum"
    );
    put = S3Request::new(Method::PUT, "tags", tagging()).body(TAGGING);
    put.headers
        .push(("content-md5", md5_base64(TAGGING.as_bytes())));
    assert_eq!(put.send(&emulator).await.status(), 204);

    let (status, body) = answer(
        S3Request::new(Method::GET, "tags", tagging())
            .send(&emulator)
            .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(elements(&body, "Key"), ["env", "team"]);
    assert_eq!(elements(&body, "Value"), ["prod", "data"]);

    let delete = S3Request::new(Method::DELETE, "tags", tagging())
        .send(&emulator)
        .await;
    assert_eq!(delete.status(), 204);
    let (status, _) = answer(
        S3Request::new(Method::GET, "tags", tagging())
            .send(&emulator)
            .await,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn s3_tag_limits_are_invalid_tag() {
    let emulator = start().await;
    let many: String = (0..51)
        .map(|i| format!("<Tag><Key>k{i}</Key><Value>v</Value></Tag>"))
        .collect();
    let long_key = "k".repeat(129);
    for body in [
        format!("<Tagging><TagSet>{many}</TagSet></Tagging>"),
        format!("<Tagging><TagSet><Tag><Key>{long_key}</Key><Value>v</Value></Tag></TagSet></Tagging>"),
        "<Tagging><TagSet><Tag><Key>aws:x</Key><Value>v</Value></Tag></TagSet></Tagging>".into(),
        "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></TagSet></Tagging>".into(),
    ] {
        let mut put = S3Request::new(Method::PUT, "limits", vec![("tagging", "")]).body(body.clone());
        put.headers.push(("content-md5", md5_base64(body.as_bytes())));
        let (status, answer) = answer(put.send(&emulator).await).await;
        assert_eq!((status, element(&answer, "Code")), (400, Some("InvalidTag")), "{answer}");
    }
}

#[tokio::test]
async fn cos_tags_round_trip_and_a_bucket_without_tags_is_no_such_tag_set_error() {
    let emulator = start().await;
    let bucket = "tags-1250000000";
    let tagging = || vec![("tagging", "")];
    let (status, body) = answer(
        CosRequest::new(Method::GET, bucket, tagging())
            .send(&emulator)
            .await,
    )
    .await;
    assert_eq!(
        (status, element(&body, "Code")),
        (404, Some("NoSuchTagSetError")),
        "{body}"
    );
    let put = CosRequest::new(Method::PUT, bucket, tagging()).body(TAGGING);
    assert_eq!(put.send(&emulator).await.status(), 200);
    let (status, body) = answer(
        CosRequest::new(Method::GET, bucket, tagging())
            .send(&emulator)
            .await,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(elements(&body, "Key"), ["env", "team"]);
    let delete = CosRequest::new(Method::DELETE, bucket, tagging())
        .send(&emulator)
        .await;
    assert_eq!(delete.status(), 204);
    let again = CosRequest::new(Method::DELETE, bucket, tagging())
        .send(&emulator)
        .await;
    assert_eq!(again.status(), 404);
    let mut bad = CosRequest::new(Method::PUT, bucket, tagging()).body(TAGGING);
    bad.headers
        .push(("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==".into()));
    bad.content_md5 = false;
    let (status, body) = answer(bad.send(&emulator).await).await;
    assert_eq!(
        (status, element(&body, "Code")),
        (400, Some("BadDigest")),
        "{body}"
    );
}

#[tokio::test]
async fn oss_tags_round_trip_and_a_bucket_without_tags_answers_an_empty_tagging() {
    let emulator = start().await;
    let tagging = || vec![("tagging", "")];
    let get = || OssRequest::new(Method::GET, "tags", tagging(), OssVersion::V4);
    let (status, body) = answer(get().send(&emulator).await).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.ends_with("<Tagging></Tagging>"), "{body}");
    let put = OssRequest::new(Method::PUT, "tags", tagging(), OssVersion::V4).body(TAGGING);
    assert_eq!(put.send(&emulator).await.status(), 200);
    let (_, body) = answer(get().send(&emulator).await).await;
    assert_eq!(elements(&body, "Key"), ["env", "team"]);
    let only_env = vec![("tagging", "env")];
    let delete = OssRequest::new(Method::DELETE, "tags", only_env, OssVersion::V1);
    assert_eq!(delete.send(&emulator).await.status(), 204);
    let (_, body) = answer(get().send(&emulator).await).await;
    assert_eq!(elements(&body, "Key"), ["team"]);

    let reserved =
        "<Tagging><TagSet><Tag><Key>Aliyun-x</Key><Value>v</Value></Tag></TagSet></Tagging>";
    let response = OssRequest::new(Method::PUT, "tags", tagging(), OssVersion::V4)
        .body(reserved)
        .send(&emulator)
        .await;
    assert_eq!(response.headers()["x-oss-ec"], "0010-00000207");
    let (status, body) = answer(response).await;
    assert_eq!((status, element(&body, "Code")), (400, Some("InvalidTag")));
}
