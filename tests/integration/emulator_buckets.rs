//! The emulated bucket listing and bucket tags of every provider, driven over HTTP with
//! requests signed by the crate's own signers, and the admin API that creates and deletes
//! buckets while the emulator runs.

use crate::support::emulator_support;

use std::collections::BTreeSet;

use emulator_support::*;
use invsync::emulator::{BucketCall, EmulatorConfig, EmulatorHandle, FaultConfig};
use invsync::model::Provider;
use reqwest::Method;

/// The text of every `<name>` element of `xml`, in order.
fn elements<'x>(xml: &'x str, name: &str) -> Vec<&'x str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    xml.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split(&close).next())
        .collect()
}

async fn answer(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn s3_list(emulator: &EmulatorHandle, params: Vec<(&str, &str)>) -> (u16, String) {
    answer(S3Request::new(Method::GET, "", params).send(emulator).await).await
}

/// Creates `count` buckets `{prefix}{i:03}` of `provider` in `region`.
fn create(emulator: &EmulatorHandle, provider: Provider, prefix: &str, count: usize, region: &str) {
    for i in 0..count {
        let name = format!("{prefix}{i:03}");
        assert!(
            emulator
                .create_bucket(provider, &name, Some(region), &[])
                .unwrap()
        );
    }
}

#[tokio::test]
async fn s3_list_buckets_pages_by_max_buckets_and_lists_every_bucket_once_with_its_region() {
    let emulator = start().await;
    create(&emulator, Provider::S3, "eu-", 13, "eu-west-1");
    create(&emulator, Provider::S3, "us-", 12, "us-east-1");
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut params = vec![("max-buckets", "10")];
        if let Some(token) = &token {
            params.push(("continuation-token", token.as_str()));
        }
        let (status, body) = s3_list(&emulator, params).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains(
            "<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        ));
        let page = elements(&body, "Name");
        let regions = elements(&body, "BucketRegion");
        assert_eq!(page.len(), regions.len());
        for (name, region) in page.iter().zip(&regions) {
            let expected = if name.starts_with("eu-") {
                "eu-west-1"
            } else {
                "us-east-1"
            };
            assert_eq!(*region, expected, "{name}");
        }
        names.extend(page.iter().map(|n| n.to_string()));
        pages += 1;
        assert!(pages <= 5, "paging ends");
        match element(&body, "ContinuationToken") {
            Some(next) => token = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names.len(), 25);
    assert_eq!(names.iter().collect::<BTreeSet<_>>().len(), 25, "each once");

    let (_, filtered) = s3_list(
        &emulator,
        vec![("prefix", "eu-"), ("bucket-region", "eu-west-1")],
    )
    .await;
    assert_eq!(elements(&filtered, "Name").len(), 13);
    assert_eq!(element(&filtered, "Prefix"), Some("eu-"));
    let (_, other_region) = s3_list(&emulator, vec![("bucket-region", "ap-south-1")]).await;
    assert!(elements(&other_region, "Name").is_empty());

    let (_, unpaginated) = s3_list(&emulator, Vec::new()).await;
    assert_eq!(elements(&unpaginated, "Name").len(), 25, "all at once");
    assert!(
        !unpaginated.contains("<BucketRegion>") && !unpaginated.contains("<ContinuationToken>")
    );
    assert_eq!(
        emulator
            .stats()
            .bucket_calls(Provider::S3, BucketCall::ListBuckets),
        6
    );
}

#[tokio::test]
async fn s3_list_buckets_refuses_a_foreign_token_and_max_buckets_out_of_range() {
    let emulator = start().await;
    for params in [
        vec![("continuation-token", "not-ours")],
        vec![("max-buckets", "0")],
        vec![("max-buckets", "10001")],
    ] {
        let (status, body) = s3_list(&emulator, params).await;
        assert_eq!(
            (status, element(&body, "Code")),
            (400, Some("InvalidArgument")),
            "{body}"
        );
    }
}

#[tokio::test]
async fn cos_get_service_pages_by_marker_and_a_regional_host_lists_only_its_region() {
    let emulator = start().await;
    create(&emulator, Provider::Cos, "gz-", 5, "ap-guangzhou");
    create(&emulator, Provider::Cos, "bj-", 3, "ap-beijing");
    let list = |host: &'static str, params: Vec<(&'static str, &'static str)>| {
        let mut request = CosRequest::new(Method::GET, "", params);
        request.service_host = Some(host);
        request
    };
    let (status, first) = answer(
        list("service.cos.myqcloud.com", vec![("max-keys", "6")])
            .send(&emulator)
            .await,
    )
    .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(element(&first, "IsTruncated"), Some("true"));
    assert_eq!(elements(&first, "Name").len(), 6);
    assert_eq!(elements(&first, "BucketType")[0], "cos");
    assert!(element(&first, "ID").unwrap().starts_with("qcs::cam::uin/"));
    let marker = element(&first, "NextMarker").unwrap().to_string();
    let marker: &'static str = Box::leak(marker.into_boxed_str());
    let (_, second) = answer(
        list(
            "service.cos.myqcloud.com",
            vec![("max-keys", "6"), ("marker", marker)],
        )
        .send(&emulator)
        .await,
    )
    .await;
    assert_eq!(element(&second, "IsTruncated"), Some("false"));
    assert_eq!(element(&second, "NextMarker"), None);
    let mut all: Vec<&str> = elements(&first, "Name");
    all.extend(elements(&second, "Name"));
    assert_eq!(all.len(), 8);
    assert_eq!(all.iter().collect::<BTreeSet<_>>().len(), 8);

    let (_, beijing) = answer(
        list("cos.ap-beijing.myqcloud.com", Vec::new())
            .send(&emulator)
            .await,
    )
    .await;
    assert_eq!(elements(&beijing, "Name"), ["bj-000", "bj-001", "bj-002"]);
    assert_eq!(elements(&beijing, "Location"), ["ap-beijing"; 3]);
}

#[tokio::test]
async fn oss_list_buckets_pages_by_marker_with_both_signature_versions() {
    let emulator = start().await;
    create(&emulator, Provider::Oss, "hz-", 7, "cn-hangzhou");
    for version in [OssVersion::V1, OssVersion::V4] {
        let mut names = Vec::new();
        let mut marker = String::new();
        for _ in 0..5 {
            let params = vec![
                ("prefix", "hz-"),
                ("marker", marker.as_str()),
                ("max-keys", "3"),
            ];
            let (status, body) = answer(
                OssRequest::new(Method::GET, "", params, version)
                    .send(&emulator)
                    .await,
            )
            .await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(element(&body, "MaxKeys"), Some("3"));
            assert_eq!(elements(&body, "Region")[0], "cn-hangzhou");
            assert_eq!(elements(&body, "Location")[0], "oss-cn-hangzhou");
            names.extend(elements(&body, "Name").iter().map(|n| n.to_string()));
            match element(&body, "NextMarker") {
                Some(next) if element(&body, "IsTruncated") == Some("true") => {
                    marker = next.to_string()
                }
                _ => break,
            }
        }
        assert_eq!(names.len(), 7, "{version:?}");
        assert_eq!(names.iter().collect::<BTreeSet<_>>().len(), 7);
    }
}

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

#[tokio::test]
async fn a_bucket_implied_by_an_inventory_write_is_listed_in_the_region_its_host_names() {
    let emulator = start().await;
    let put = CosRequest::new(
        Method::PUT,
        "implied-1250000000",
        vec![("inventory", ""), ("id", "a")],
    )
    .body(cos_config("a", "logs/"));
    assert_eq!(put.send(&emulator).await.status(), 200);
    let mut list = CosRequest::new(Method::GET, "", Vec::new());
    list.service_host = Some("service.cos.myqcloud.com");
    let (_, body) = answer(list.send(&emulator).await).await;
    assert_eq!(elements(&body, "Name"), ["implied-1250000000"]);
    assert_eq!(elements(&body, "Location"), [COS_REGION]);
}

#[tokio::test]
async fn faults_scoped_to_the_bucket_listing_fail_it_and_leave_inventory_calls_alone() {
    let emulator = start().await;
    emulator
        .create_bucket(Provider::S3, "faulty", None, &[])
        .unwrap();
    emulator
        .set_faults(FaultConfig {
            fail_next: 1,
            operations: vec!["list_buckets".into()],
            ..FaultConfig::default()
        })
        .unwrap();
    let inventory = S3Request::new(Method::GET, "faulty", vec![("inventory", "")]);
    assert_eq!(inventory.send(&emulator).await.status(), 200);
    let (status, body) = s3_list(&emulator, vec![("max-buckets", "5")]).await;
    assert_eq!(
        (status, element(&body, "Code")),
        (503, Some("SlowDown")),
        "{body}"
    );
    let (status, body) = s3_list(&emulator, vec![("max-buckets", "5")]).await;
    assert_eq!((status, elements(&body, "Name")), (200, vec!["faulty"]));
    let stats = emulator.stats();
    assert_eq!(stats.bucket_calls(Provider::S3, BucketCall::ListBuckets), 2);
    assert_eq!(stats.total, 3);
}

#[tokio::test]
async fn an_s3_bucket_implied_by_a_virtual_hosted_write_stays_in_the_configured_region() {
    let emulator = start().await;
    let request = |method| {
        let mut request = S3Request::new(method, "hosted", vec![("inventory", ""), ("id", "a")]);
        request.virtual_host = true;
        request.host_region = Some("eu-west-1");
        request
    };
    let put = request(Method::PUT).body(s3_config("a", "logs/"));
    assert_eq!(put.send(&emulator).await.status(), 204);
    let (status, body) = answer(request(Method::GET).send(&emulator).await).await;
    assert_eq!(
        status, 200,
        "still signed for the configured region: {body}"
    );
    let (_, listed) = s3_list(&emulator, vec![("prefix", "hosted")]).await;
    assert_eq!(elements(&listed, "BucketRegion"), [S3_REGION]);
}
