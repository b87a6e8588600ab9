//! The S3 client against a small local mock of the inventory API on 127.0.0.1: path style,
//! SigV4 signatures (signed by `aws-sigv4`, checked by the crate's own stage signer),
//! `x-amz-expected-bucket-owner`, pagination, retries and error handling, served by the shared
//! test mock server.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use invsync::model::{
    BucketKey, Frequency, IncludedObjectVersions, Inventory, LiveConfig, Provider,
};
use invsync::provider::http::{HttpSettings, Transport};
use invsync::provider::oss::encoding::decode_query;
use invsync::provider::s3::manifest::S3BucketOptions;
use invsync::provider::s3::model::{S3Destination, S3Encryption, S3Format, S3Inventory};
use invsync::provider::s3::{S3Client, signer, xml};
use invsync::provider::{Credentials, InventoryApi, Operation, ProviderError, StaticCredentials};

const AKID: &str = "AKIAS3CLIENTTEST";
const SECRET: &str = "s3-client-test-secret-key";
const TOKEN: &str = "s3-session-token";
const OWNER: &str = "111122223333";

use crate::support::mock_server;

use mock_server::{MockServer, Recorded};

/// The decoded query of `r`.
fn query(r: &Recorded) -> Vec<(String, String)> {
    decode_query(r.query())
}

fn param(r: &Recorded, name: &str) -> Option<String> {
    query(r)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Recomputes the SigV4 signature from what arrived, as S3 does, with the stage signer.
fn signature_is_valid(r: &Recorded) -> bool {
    let Some(auth) = r
        .header("authorization")
        .and_then(|a| signer::parse_authorization(a).ok())
    else {
        return false;
    };
    let headers: Vec<(String, String)> = r
        .headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
        .collect();
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let query = query(r);
    let query: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let names: Vec<&str> = auth.signed_headers.iter().map(String::as_str).collect();
    let payload = r.header("x-amz-content-sha256").unwrap_or_default();
    let computed = signer::compute(
        SECRET,
        &auth.region,
        &auth.service,
        r.header("x-amz-date").unwrap_or_default(),
        &signer::SigningRequest {
            method: r.method.as_str(),
            path: r.path(),
            query: &query,
            headers: &headers,
            signed_headers: &names,
            payload_hash: payload,
        },
    );
    auth.access_key_id == AKID
        && auth.service == "s3"
        && payload == signer::payload_sha256(&r.body)
        && computed.signature == auth.signature
}

/// An answer with S3's request id header.
fn reply(status: u16, body: String) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [("x-amz-request-id", "0A49CE4060975EAC")],
        body,
    )
        .into_response()
}

fn client(endpoint: &url::Url, credentials: Credentials) -> S3Client {
    let transport = Transport::new(HttpSettings {
        base_delay: Duration::from_millis(5),
        ..HttpSettings::default()
    })
    .expect("transport")
    .with_jitter(Arc::new(|| 0.5));
    S3Client::new(transport, Arc::new(StaticCredentials(credentials)))
        .with_endpoint(endpoint.clone().try_into().unwrap())
        .with_options(S3BucketOptions {
            expected_bucket_owner: Some(OWNER.into()),
            ..S3BucketOptions::default()
        })
        .with_clock(Arc::new(|| UNIX_EPOCH + Duration::from_secs(1_771_675_200)))
}

fn creds() -> Credentials {
    Credentials::new(AKID, SECRET)
}

fn bucket() -> BucketKey {
    BucketKey {
        provider: Provider::S3,
        bucket: "examplebucket".into(),
        region: "us-east-1".into(),
    }
}

fn inventory(id: &str) -> S3Inventory {
    S3Inventory {
        id: id.into(),
        enabled: true,
        filter_prefix: Some("logs/".into()),
        destination: S3Destination {
            bucket: "arn:aws:s3:::inventory-dest".into(),
            account_id: Some(OWNER.into()),
            format: S3Format::Parquet,
            prefix: None,
            encryption: Some(S3Encryption::SseS3),
        },
        frequency: Frequency::Daily,
        included_object_versions: IncludedObjectVersions::Current,
        optional_fields: vec!["Size".into(), "ETag".into()],
    }
}

fn config_xml(id: &str) -> String {
    xml::to_string(&xml::InventoryConfiguration::from(&inventory(id))).unwrap()
}

fn error_xml(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>7YK1XBVG5YBEZM2V</RequestId><HostId>h</HostId></Error>"
    )
}

/// 250 configurations served 100 per page, as S3 pages them.
fn paged(received: &Recorded, _: usize) -> Response {
    let start: usize = param(received, "continuation-token")
        .map(|t| t.trim_start_matches("after-").parse().unwrap())
        .unwrap_or(0);
    let end = (start + 100).min(250);
    let mut body = String::from(
        "<ListInventoryConfigurationsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
    );
    for i in start..end {
        body.push_str(&config_xml(&format!("inv{i:03}")));
    }
    if end < 250 {
        body.push_str(&format!(
            "<IsTruncated>true</IsTruncated><NextContinuationToken>after-{end}</NextContinuationToken>"
        ));
    } else {
        body.push_str("<IsTruncated>false</IsTruncated>");
    }
    body.push_str("</ListInventoryConfigurationsResult>");
    reply(200, body)
}

#[tokio::test]
async fn list_reads_250_configurations_in_three_signed_path_style_calls_with_the_owner_header() {
    let server = MockServer::start();
    server.fallback(paged);
    let configs = client(&server.parsed_url(), creds())
        .list(&bucket())
        .await
        .unwrap();
    assert_eq!(configs.len(), 250);
    assert!(configs.iter().all(|c| c.modelled().is_some()));
    assert_eq!(configs[249].id(), "inv249");
    let log = server.requests();
    assert_eq!(log.len(), 3, "⌈250/100⌉ calls");
    for r in &log {
        assert_eq!(r.method, "GET");
        assert_eq!(r.path(), "/examplebucket");
        assert_eq!(r.header("x-amz-expected-bucket-owner"), Some(OWNER));
        assert!(signature_is_valid(r), "{r:?}");
        assert!(
            r.header("authorization")
                .unwrap()
                .contains("x-amz-expected-bucket-owner"),
            "the owner header is signed"
        );
    }
    let mut tampered = log[0].clone();
    tampered.uri = "/otherbucket?inventory".parse().unwrap();
    assert!(!signature_is_valid(&tampered), "the check can fail");
    assert_eq!(
        param(&log[1], "continuation-token").as_deref(),
        Some("after-100")
    );
    assert_eq!(
        param(&log[2], "continuation-token").as_deref(),
        Some("after-200")
    );
}

#[tokio::test]
async fn put_sends_the_canonical_document_signed_with_the_session_token_and_accepts_204() {
    let server = MockServer::start();
    server.push(reply(204, String::new()));
    client(&server.parsed_url(), creds().with_security_token(TOKEN))
        .put(&bucket(), &Inventory::new(inventory("report1")))
        .await
        .unwrap();
    let log = server.requests();
    let r = &log[0];
    assert_eq!(r.method, "PUT");
    assert_eq!(param(r, "id").as_deref(), Some("report1"));
    assert_eq!(String::from_utf8_lossy(&r.body), config_xml("report1"));
    assert_eq!(r.header("content-type"), Some("application/xml"));
    assert_eq!(r.header("x-amz-security-token"), Some(TOKEN));
    assert!(signature_is_valid(r));
}

#[tokio::test]
async fn slow_down_503_is_retried_and_the_retry_is_signed_again() {
    let server = MockServer::start();
    server.push(reply(
        503,
        error_xml("SlowDown", "Please reduce your request rate."),
    ));
    server.push(reply(200, config_xml("report1")));
    let got = client(&server.parsed_url(), creds())
        .get(&bucket(), "report1")
        .await
        .unwrap();
    assert_eq!(
        got,
        Some(LiveConfig::Modelled(Inventory::new(inventory("report1"))))
    );
    let log = server.requests();
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(signature_is_valid));
}

#[tokio::test]
async fn a_400_is_not_retried_and_reports_code_message_and_request_id() {
    let server = MockServer::start();
    server.fallback(|_, _| {
        reply(
            400,
            error_xml("InvalidS3DestinationBucket", "Invalid bucket ARN."),
        )
    });
    let err = client(&server.parsed_url(), creds())
        .put(&bucket(), &Inventory::new(inventory("report1")))
        .await
        .unwrap_err();
    assert_eq!(server.request_count(), 1);
    let ProviderError::Service {
        provider,
        operation,
        error,
        ..
    } = &err
    else {
        panic!("expected a service error: {err}");
    };
    assert_eq!((*provider, *operation), (Provider::S3, Operation::Put));
    assert_eq!(error.code, "InvalidS3DestinationBucket");
    let shown = err.to_string();
    assert!(shown.contains("Invalid bucket ARN."), "{shown}");
    assert!(shown.contains("7YK1XBVG5YBEZM2V"), "{shown}");
    assert!(!shown.contains(SECRET), "{shown}");
}

#[tokio::test]
async fn get_of_a_missing_id_is_none_and_delete_accepts_204() {
    let server = MockServer::start();
    server.push(reply(
        404,
        error_xml(
            "NoSuchConfiguration",
            "The specified configuration does not exist.",
        ),
    ));
    server.push(reply(204, String::new()));
    let client = client(&server.parsed_url(), creds());
    assert_eq!(client.get(&bucket(), "gone").await.unwrap(), None);
    client.delete(&bucket(), "gone").await.unwrap();
    assert_eq!(server.requests()[1].method, "DELETE");
}

#[tokio::test]
async fn a_configuration_of_another_provider_is_refused_before_any_request() {
    let server = MockServer::start();
    let err = client(&server.parsed_url(), creds())
        .put(&bucket(), &Inventory::new(cos_inventory()))
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Request { .. }), "{err}");
    assert_eq!(server.request_count(), 0);
}

fn cos_inventory() -> invsync::provider::cos::model::CosInventory {
    invsync::provider::cos::model::CosInventory {
        id: "x".into(),
        enabled: true,
        included_object_versions: IncludedObjectVersions::All,
        schedule: invsync::provider::cos::model::CosSchedule {
            frequency: Frequency::Daily,
            monthly_date: None,
        },
        filter: Default::default(),
        optional_fields: vec![],
        destination: invsync::provider::cos::model::CosDestination {
            bucket: "qcs::cos:ap-guangzhou::d-1250000000".into(),
            account_id: None,
            prefix: None,
            format: invsync::model::ReportFormat::Csv,
            sse_cos: false,
        },
    }
}
