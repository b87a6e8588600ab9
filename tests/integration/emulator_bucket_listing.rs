//! The emulated bucket listing of every provider (S3 `ListBuckets`, COS GET Service, OSS
//! `ListBuckets`) with each provider's paging, driven over HTTP with requests signed by the
//! crate's own signers.

use crate::support::emulator_support;

use std::collections::BTreeSet;

use emulator_support::*;
use invsync::emulator::{BucketCall, FaultConfig};
use invsync::model::Provider;
use reqwest::Method;

#[tokio::test]
async fn s3_list_buckets_pages_by_max_buckets_and_lists_every_bucket_once_with_its_region() {
    let emulator = start().await;
    create_buckets(&emulator, Provider::S3, "eu-", 13, "eu-west-1");
    create_buckets(&emulator, Provider::S3, "us-", 12, "us-east-1");
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
    create_buckets(&emulator, Provider::Cos, "gz-", 5, "ap-guangzhou");
    create_buckets(&emulator, Provider::Cos, "bj-", 3, "ap-beijing");
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
    create_buckets(&emulator, Provider::Oss, "hz-", 7, "cn-hangzhou");
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
