//! Discovery through each provider's client against the local mock server on 127.0.0.1: where
//! the bucket listing and the tags read go, how they page, sign, retry, and what an answer
//! that cannot be read, or a "no tags" answer, becomes.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use invsync::provider::cos::CosClient;
use invsync::provider::discovery::{BucketFilter, DiscoveryApi};
use invsync::provider::http::{HttpSettings, Transport};
use invsync::provider::oss::encoding::decode_query;
use invsync::provider::oss::{OssClient, signer_v4};
use invsync::provider::s3::{S3Client, signer};
use invsync::provider::{Credentials, ErrorKind, StaticCredentials};

use crate::support::mock_server::{MockServer, Recorded};

fn transport() -> Transport {
    Transport::new(HttpSettings {
        base_delay: Duration::from_millis(5),
        ..HttpSettings::default()
    })
    .expect("transport")
    .with_jitter(Arc::new(|| 0.5))
}

fn credentials() -> Arc<StaticCredentials> {
    Arc::new(StaticCredentials(Credentials::new(
        "AKIDDISCOVERY",
        "discovery-secret",
    )))
}

fn s3(server: &MockServer) -> S3Client {
    S3Client::new(transport(), credentials())
        .with_endpoint(server.parsed_url().try_into().unwrap())
        .with_clock(Arc::new(|| UNIX_EPOCH + Duration::from_secs(1_771_675_200)))
}

fn cos(server: &MockServer) -> CosClient {
    CosClient::new(transport(), credentials())
        .with_endpoint(server.parsed_url().try_into().unwrap())
}

fn oss(server: &MockServer) -> OssClient {
    OssClient::new(transport(), credentials())
        .with_endpoint(server.parsed_url().try_into().unwrap())
}

fn param(r: &Recorded, name: &str) -> Option<String> {
    decode_query(r.query())
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn xml(status: u16, body: String) -> Response {
    (StatusCode::from_u16(status).unwrap(), body).into_response()
}

fn error(status: u16, code: &str) -> Response {
    xml(
        status,
        format!("<Error><Code>{code}</Code><Message>m</Message><RequestId>R</RequestId></Error>"),
    )
}

/// `count` buckets named `b-000`…, `per_page` a page, in S3's wording: the next page's token
/// in `ContinuationToken`, regions alternating.
fn s3_pages(count: usize, per_page: usize) -> impl Fn(&Recorded, usize) -> Response {
    move |r, _| {
        let start: usize = param(r, "continuation-token").map_or(0, |t| t.parse().unwrap());
        let end = (start + per_page).min(count);
        let mut body = String::from("<ListAllMyBucketsResult><Buckets>");
        for i in start..end {
            let region = if i % 2 == 0 { "us-east-1" } else { "eu-west-1" };
            body.push_str(&format!(
                "<Bucket><Name>b-{i:03}</Name><BucketRegion>{region}</BucketRegion>\
                 <CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket>"
            ));
        }
        body.push_str("</Buckets><Owner><ID>o</ID></Owner>");
        if end < count {
            body.push_str(&format!("<ContinuationToken>{end}</ContinuationToken>"));
        }
        body.push_str("</ListAllMyBucketsResult>");
        xml(200, body)
    }
}

/// The same in COS and OSS wording: `IsTruncated` and `NextMarker`, the region in `Location`
/// (with OSS's `oss-` prefix when `oss_prefix`).
fn marker_pages(
    count: usize,
    per_page: usize,
    oss_prefix: bool,
) -> impl Fn(&Recorded, usize) -> Response {
    move |r, _| {
        let start: usize = param(r, "marker").map_or(0, |m| {
            m.trim_start_matches("b-").parse::<usize>().unwrap() + 1
        });
        let end = (start + per_page).min(count);
        let mut body = String::from("<ListAllMyBucketsResult><Owner><ID>o</ID></Owner>");
        if end < count {
            body.push_str(&format!(
                "<IsTruncated>true</IsTruncated><NextMarker>b-{:03}</NextMarker>",
                end - 1
            ));
        } else {
            body.push_str("<IsTruncated>false</IsTruncated>");
        }
        body.push_str("<Buckets>");
        for i in start..end {
            let prefix = if oss_prefix { "oss-" } else { "" };
            body.push_str(&format!(
                "<Bucket><Name>b-{i:03}</Name><Location>{prefix}ap-region-{}</Location></Bucket>",
                i % 3
            ));
        }
        body.push_str("</Buckets></ListAllMyBucketsResult>");
        xml(200, body)
    }
}

fn names(buckets: &[invsync::model::DiscoveredBucket]) -> Vec<String> {
    buckets.iter().map(|b| b.name.clone()).collect()
}

fn expected(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("b-{i:03}")).collect()
}

#[tokio::test]
async fn s3_lists_every_bucket_once_across_pages_from_the_service_root_signed_for_us_east_1() {
    let server = MockServer::start();
    server.fallback(s3_pages(2_500, 1_000));
    let buckets = s3(&server)
        .list_buckets(&BucketFilter::default())
        .await
        .unwrap();
    assert_eq!(names(&buckets), expected(2_500));
    assert_eq!(buckets[1].region, "eu-west-1");
    let log = server.requests();
    assert_eq!(log.len(), 3, "⌈2500/1000⌉ pages");
    for (i, r) in log.iter().enumerate() {
        assert_eq!((r.method.as_str(), r.path()), ("GET", "/"));
        assert_eq!(param(r, "max-buckets").as_deref(), Some("1000"));
        assert_eq!(r.header("x-amz-expected-bucket-owner"), None);
        let auth = signer::parse_authorization(r.header("authorization").unwrap()).unwrap();
        assert_eq!(
            (auth.region.as_str(), auth.service.as_str()),
            ("us-east-1", "s3")
        );
        let token = (i > 0).then(|| (i * 1_000).to_string());
        assert_eq!(param(r, "continuation-token"), token);
    }
}

#[tokio::test]
async fn s3_sends_the_filters_and_signs_for_the_filters_region() {
    let server = MockServer::start();
    server.fallback(s3_pages(10, 1_000));
    let filter = BucketFilter {
        prefix: Some("b-00".into()),
        region: Some("eu-west-1".into()),
    };
    let buckets = s3(&server).list_buckets(&filter).await.unwrap();
    // The mock ignores the filters; the client applies them to what comes back as well.
    assert_eq!(
        names(&buckets),
        ["b-001", "b-003", "b-005", "b-007", "b-009"]
    );
    let r = &server.requests()[0];
    assert_eq!(param(r, "prefix").as_deref(), Some("b-00"));
    assert_eq!(param(r, "bucket-region").as_deref(), Some("eu-west-1"));
    let auth = signer::parse_authorization(r.header("authorization").unwrap()).unwrap();
    assert_eq!(auth.region, "eu-west-1");
}

#[tokio::test]
async fn cos_lists_from_the_service_host_following_next_marker_and_a_region_uses_its_host() {
    let server = MockServer::start();
    server.fallback(marker_pages(250, 100, false));
    let client = cos(&server);
    let buckets = client.list_buckets(&BucketFilter::default()).await.unwrap();
    assert_eq!(names(&buckets), expected(250));
    assert_eq!(buckets[2].region, "ap-region-2");
    let log = server.requests();
    assert_eq!(log.len(), 3);
    assert!(
        log.iter()
            .all(|r| r.header("host") == Some("service.cos.myqcloud.com"))
    );
    assert_eq!(param(&log[0], "marker"), None);
    assert_eq!(param(&log[1], "marker").as_deref(), Some("b-099"));
    let authorization = log[1].header("authorization").unwrap();
    assert!(
        authorization.contains("q-url-param-list=marker"),
        "{authorization}"
    );

    let regional = MockServer::start();
    regional.fallback(marker_pages(6, 100, false));
    let filter = BucketFilter {
        prefix: None,
        region: Some("ap-region-1".into()),
    };
    let buckets = cos(&regional).list_buckets(&filter).await.unwrap();
    assert_eq!(names(&buckets), ["b-001", "b-004"]);
    assert_eq!(
        regional.requests()[0].header("host"),
        Some("cos.ap-region-1.myqcloud.com")
    );
}

#[tokio::test]
async fn oss_lists_with_marker_and_max_keys_and_strips_the_location_prefix() {
    let server = MockServer::start();
    server.fallback(marker_pages(1_500, 1_000, true));
    let buckets = oss(&server)
        .list_buckets(&BucketFilter::default())
        .await
        .unwrap();
    assert_eq!(names(&buckets), expected(1_500));
    assert_eq!(buckets[0].region, "ap-region-0");
    let log = server.requests();
    assert_eq!(log.len(), 2);
    for r in &log {
        assert_eq!(r.path(), "/");
        assert_eq!(param(r, "max-keys").as_deref(), Some("1000"));
        let auth = r.header("authorization").unwrap();
        assert!(auth.starts_with(signer_v4::ALGORITHM), "{auth}");
        assert!(
            auth.contains("/cn-hangzhou/oss/aliyun_v4_request"),
            "{auth}"
        );
    }
    assert_eq!(param(&log[1], "marker").as_deref(), Some("b-999"));
}

#[tokio::test]
async fn a_listing_that_is_not_the_document_fails_after_the_pages_already_read() {
    let server = MockServer::start();
    server.push_fn(|r| s3_pages(2_000, 1_000)(r, 0));
    server.push(xml(200, "<html><body>maintenance</body></html>".into()));
    let err = s3(&server)
        .list_buckets(&BucketFilter::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unreadable);
    assert!(
        err.to_string()
            .starts_with("s3 list_buckets on the account: unreadable response"),
        "{err}"
    );
}

#[tokio::test]
async fn a_server_that_repeats_its_token_is_refused_not_followed_forever() {
    let server = MockServer::start();
    server.fallback(|_, _| {
        xml(
            200,
            "<ListAllMyBucketsResult><Buckets/><ContinuationToken>same</ContinuationToken>\
             </ListAllMyBucketsResult>"
                .into(),
        )
    });
    let err = s3(&server)
        .list_buckets(&BucketFilter::default())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("same continuation token twice"),
        "{err}"
    );
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn tags_go_to_the_bucket_and_no_tag_set_is_an_empty_set() {
    let server = MockServer::start();
    server.push(error(404, "NoSuchTagSet"));
    server.push(xml(
        200,
        "<Tagging><TagSet><Tag><Key>team</Key><Value>data</Value></Tag></TagSet></Tagging>".into(),
    ));
    let client = s3(&server);
    assert!(
        client
            .bucket_tags("logs-1", "eu-west-1")
            .await
            .unwrap()
            .is_empty()
    );
    let tags = client.bucket_tags("logs-2", "eu-west-1").await.unwrap();
    assert_eq!(tags.get("team").map(String::as_str), Some("data"));
    let log = server.requests();
    assert_eq!(log[0].path(), "/logs-1");
    assert_eq!(log[0].query(), "tagging");
    let auth = signer::parse_authorization(log[0].header("authorization").unwrap()).unwrap();
    assert_eq!(auth.region, "eu-west-1");
}

#[tokio::test]
async fn a_refused_tags_read_is_reported_and_throttling_is_retried() {
    let server = MockServer::start();
    server.push(error(403, "AccessDenied"));
    server.push(error(503, "SlowDown"));
    server.push(xml(200, "<Tagging><TagSet/></Tagging>".into()));
    let client = cos(&server);
    let err = client
        .bucket_tags("logs-1250000000", "ap-guangzhou")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    assert!(
        err.to_string()
            .starts_with("cos get_bucket_tags on logs-1250000000: HTTP 403 AccessDenied"),
        "{err}"
    );
    assert!(
        client
            .bucket_tags("logs-1250000000", "ap-guangzhou")
            .await
            .unwrap()
            .is_empty()
    );
    let log = server.requests();
    assert_eq!(log.len(), 3, "the 503 was retried");
    assert_eq!(
        log[0].header("host"),
        Some("logs-1250000000.cos.ap-guangzhou.myqcloud.com")
    );
    assert_eq!(log[2].header("x-cos-sdk-retry"), Some("true"));
}

#[tokio::test]
async fn oss_reads_an_empty_tagging_as_no_tags_and_a_missing_bucket_as_an_error() {
    let server = MockServer::start();
    server.push(xml(200, "<Tagging/>".into()));
    server.push(error(404, "NoSuchBucket"));
    let client = oss(&server);
    assert!(
        client
            .bucket_tags("oss-bucket", "cn-hangzhou")
            .await
            .unwrap()
            .is_empty()
    );
    let err = client
        .bucket_tags("gone-bucket", "cn-hangzhou")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(server.requests()[0].path(), "/oss-bucket/");
}

#[tokio::test]
async fn clients_hand_out_the_in_memory_fake_for_discovery_too() {
    use invsync::model::{BucketKey, Provider, ProviderBucketOptions};
    use invsync::provider::memory::MemoryInventory;
    use invsync::provider::registry;
    use invsync::reconcile::{ClientSettings, Clients};

    let memory = MemoryInventory::new();
    let key = BucketKey {
        provider: Provider::OSS,
        bucket: "fleet-a".into(),
        region: "cn-hangzhou".into(),
    };
    memory.add_bucket(&key, [("team".to_string(), "data".to_string())].into());
    let clients = Clients::new(
        ClientSettings::default(),
        transport(),
        registry::credentials_for_all(None),
    )
    .with_memory(memory.clone());
    let discovery = clients.discovery(Provider::OSS, &ProviderBucketOptions::none());
    let buckets = discovery
        .list_buckets(&BucketFilter::default())
        .await
        .unwrap();
    assert_eq!(
        buckets,
        [invsync::model::DiscoveredBucket {
            name: "fleet-a".into(),
            region: "cn-hangzhou".into(),
            created: Some("2026-01-01T00:00:00Z".into()),
        }]
    );
    let tags = discovery
        .bucket_tags("fleet-a", "cn-hangzhou")
        .await
        .unwrap();
    assert_eq!(tags.get("team").map(String::as_str), Some("data"));
    assert_eq!(memory.calls(invsync::provider::Operation::ListBuckets), 1);
}

#[tokio::test]
async fn a_listing_larger_than_the_body_cap_is_refused_not_read() {
    let server = MockServer::start();
    server.fallback(s3_pages(500, 1_000));
    let transport = Transport::new(HttpSettings {
        max_response_bytes: 4_096,
        ..HttpSettings::default()
    })
    .unwrap();
    let client = S3Client::new(transport, credentials())
        .with_endpoint(server.parsed_url().try_into().unwrap());
    let err = client
        .list_buckets(&BucketFilter::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transient);
    assert!(
        err.to_string()
            .contains("larger than the limit of 4096 bytes"),
        "{err}"
    );
}
