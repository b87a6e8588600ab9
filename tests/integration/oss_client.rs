//! The OSS client against a small local mock of the inventory API on 127.0.0.1: path style,
//! signatures (recomputed with the crate's signers), pagination and error handling.

use crate::support::mock_server;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use invsync::model::{
    BucketKey, Frequency, IncludedObjectVersions, Inventory, LiveConfig, Provider, ReportFormat,
};
use invsync::provider::http::{HttpSettings, Transport};
use invsync::provider::oss::encoding::decode_query;
use invsync::provider::oss::model::{OssDestination, OssEncryption, OssFilter, OssInventory};
use invsync::provider::oss::{OssClient, SignatureVersion, signer_v1, signer_v4, xml};
use invsync::provider::{
    BoxFuture, CredentialSource, Credentials, CredentialsError, InventoryApi, Operation,
    ProviderError, StaticCredentials,
};
use mock_server::MockServer;

const SECRET: &str = "very-secret-key-123";
const TOKEN: &str = "session-token-xyz";

/// One request as the mock received it.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    path: String,
    raw_query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn query(&self) -> Vec<(String, String)> {
        decode_query(&self.raw_query)
    }
}

/// What the mock answers: status, extra headers, body.
type Reply = (u16, Vec<(&'static str, String)>, String);
type Responder = Arc<dyn Fn(&Received) -> Reply + Send + Sync>;

/// Starts the mock; returns its endpoint and request log.
async fn start(responder: Responder) -> (url::Url, Arc<Mutex<Vec<Received>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let record = log.clone();
    let server = MockServer::start();
    server.fallback(move |request, _| {
        let received = Received {
            method: request.method.to_string(),
            path: request.path().to_string(),
            raw_query: request.query().to_string(),
            headers: request
                .headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
                .collect(),
            body: request.body.to_vec(),
        };
        let (status, extra, body) = responder(&received);
        record.lock().unwrap().push(received);
        let mut out = HeaderMap::new();
        out.insert(
            "x-oss-request-id",
            "5C3D9175B6FC201293AD0000".parse().unwrap(),
        );
        for (k, v) in extra {
            out.insert(k, v.parse().unwrap());
        }
        (StatusCode::from_u16(status).unwrap(), out, body).into_response()
    });
    (url::Url::parse(&server.detach()).unwrap(), log)
}

fn fixed_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_672_223_261)
}

/// The default retry budget with short waits, so the retry test stays fast.
fn fast_retries() -> HttpSettings {
    HttpSettings {
        base_delay: Duration::from_millis(5),
        ..HttpSettings::default()
    }
}

fn client(endpoint: &url::Url, version: SignatureVersion, creds: Credentials) -> OssClient {
    let transport = Transport::new(fast_retries()).expect("transport");
    OssClient::new(transport, Arc::new(StaticCredentials(creds)))
        .with_signature_version(version)
        .with_endpoint(endpoint.clone().try_into().unwrap())
        .with_clock(Arc::new(fixed_time))
}

fn bucket() -> BucketKey {
    BucketKey {
        provider: Provider::OSS,
        bucket: "examplebucket".into(),
        region: "cn-hangzhou".into(),
    }
}

fn inventory(id: &str) -> OssInventory {
    OssInventory {
        id: id.into(),
        enabled: true,
        included_object_versions: IncludedObjectVersions::Current,
        frequency: Frequency::Weekly,
        day_of_month: None,
        auto_delete: false,
        incremental: None,
        filter: OssFilter {
            prefix: Some("logs/".into()),
            storage_classes: vec!["Standard".into(), "IA".into()],
            ..Default::default()
        },
        optional_fields: vec!["Size".into(), "ETag".into()],
        destination: OssDestination {
            bucket: "acs:oss:::dest".into(),
            account_id: "1000000000000000".into(),
            role_arn: "acs:ram::1000000000000000:role/AliyunOSSRole".into(),
            prefix: Some("inv/".into()),
            format: ReportFormat::Csv,
            encryption: Some(OssEncryption::SseOss),
        },
    }
}

fn config_xml(id: &str) -> String {
    xml::to_string(&xml::InventoryConfiguration::from(&inventory(id))).unwrap()
}

fn error_xml(code: &str, message: &str, ec: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message>\
         <RequestId>REQ-FROM-BODY-000000000</RequestId><HostId>examplebucket.oss</HostId>\
         <EC>{ec}</EC></Error>"
    )
}

/// Recomputes the received request's signature with the crate's signers.
fn assert_signature_verifies(r: &Received, secret: &str) {
    let query = r.query();
    let query: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    // The mock's own transport headers (host, content-length, ...) are in the list too, as
    // they would be for a real server.
    let headers: Vec<(&str, &str)> = r
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let bucket = r.path.trim_start_matches('/').trim_end_matches('/');
    let authorization = r.header("authorization").expect("Authorization header");
    if let Some(v4) = authorization.strip_prefix("OSS4-HMAC-SHA256") {
        let parsed = signer_v4::parse_authorization(authorization).expect("V4 authorization");
        assert!(v4.starts_with(" Credential=ak/20221228/cn-hangzhou/oss/aliyun_v4_request"));
        let additional: Vec<&str> = parsed
            .additional_headers
            .iter()
            .map(String::as_str)
            .collect();
        let datetime = r.header("x-oss-date").expect("x-oss-date");
        let computed = signer_v4::compute(
            secret,
            &parsed.region,
            datetime,
            &signer_v4::V4Request {
                method: &r.method,
                bucket,
                key: "",
                query: &query,
                headers: &headers,
                additional_headers: &additional,
            },
        );
        assert_eq!(
            computed.signature, parsed.signature,
            "V4 signature of {r:?}"
        );
    } else {
        let parsed = signer_v1::parse_authorization(authorization).expect("V1 authorization");
        let sts = signer_v1::string_to_sign(&signer_v1::V1Request {
            method: &r.method,
            bucket,
            key: "",
            query: &query,
            headers: &headers,
        });
        assert_eq!(
            signer_v1::signature(secret, &sts),
            parsed.signature,
            "V1 signature of {r:?}"
        );
    }
}

#[tokio::test]
async fn get_uses_path_style_and_a_verifiable_v4_signature() {
    let (endpoint, log) = start(Arc::new(|_| (200, vec![], config_xml("list1")))).await;
    let c = client(
        &endpoint,
        SignatureVersion::V4,
        Credentials::new("ak", SECRET),
    );
    let got = c.get(&bucket(), "list1").await.unwrap();
    assert_eq!(
        got,
        Some(LiveConfig::Modelled(Inventory::new(inventory("list1"))))
    );
    let log = log.lock().unwrap();
    let r = &log[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/examplebucket/");
    assert_eq!(r.raw_query, "inventory&inventoryId=list1");
    assert_eq!(r.header("x-oss-content-sha256"), Some("UNSIGNED-PAYLOAD"));
    assert_eq!(r.header("x-oss-date"), Some("20221228T102741Z"));
    assert!(r.header("user-agent").unwrap().starts_with("invsync/"));
    assert_signature_verifies(r, SECRET);
}

#[tokio::test]
async fn put_sends_the_canonical_body_with_md5_and_a_verifiable_v1_sts_signature() {
    let (endpoint, log) = start(Arc::new(|_| (200, vec![], String::new()))).await;
    let creds = Credentials::new("ak", SECRET).with_security_token(TOKEN);
    let c = client(&endpoint, SignatureVersion::V1, creds);
    c.put(&bucket(), &Inventory::new(inventory("report1")))
        .await
        .unwrap();
    let log = log.lock().unwrap();
    let r = &log[0];
    assert_eq!(r.method, "PUT");
    assert_eq!(r.raw_query, "inventory&inventoryId=report1");
    assert_eq!(r.header("content-type"), Some("application/xml"));
    assert_eq!(r.header("x-oss-security-token"), Some(TOKEN));
    assert_eq!(
        r.header("content-md5").unwrap(),
        invsync::provider::oss::request::content_md5(&r.body)
    );
    let sent = xml::from_bytes::<xml::InventoryConfiguration>(&r.body).unwrap();
    assert_eq!(OssInventory::try_from(&sent).unwrap(), inventory("report1"));
    assert!(r.header("authorization").unwrap().starts_with("OSS ak:"));
    assert_signature_verifies(r, SECRET);
}

#[tokio::test]
async fn list_follows_the_continuation_token_across_two_pages() {
    let responder: Responder = Arc::new(|r: &Received| {
        let token = r
            .query()
            .into_iter()
            .find(|(k, _)| k == "continuation-token")
            .map(|(_, v)| v);
        match token.as_deref() {
            None => (
                200,
                vec![],
                format!(
                    "<ListInventoryConfigurationsResult>{}{}<IsTruncated>true</IsTruncated>\
                     <NextContinuationToken>tok/2+=</NextContinuationToken>\
                     </ListInventoryConfigurationsResult>",
                    config_xml("a"),
                    config_xml("b")
                ),
            ),
            Some("tok/2+=") => (
                200,
                vec![],
                format!(
                    "<ListInventoryConfigurationsResult>{}<IsTruncated>false</IsTruncated>\
                     <ContinuationToken>tok/2+=</ContinuationToken>\
                     </ListInventoryConfigurationsResult>",
                    config_xml("c")
                ),
            ),
            Some(other) => (400, vec![], error_xml("InvalidArgument", other, "")),
        }
    });
    let (endpoint, log) = start(responder).await;
    let c = client(
        &endpoint,
        SignatureVersion::V4,
        Credentials::new("ak", SECRET),
    );
    let ids: Vec<String> = c
        .list(&bucket())
        .await
        .unwrap()
        .iter()
        .map(|i| i.id().to_string())
        .collect();
    assert_eq!(ids, vec!["a", "b", "c"]);
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].raw_query, "inventory");
    assert_eq!(
        log[1].raw_query,
        "inventory&continuation-token=tok%2F2%2B%3D"
    );
    for r in log.iter() {
        assert_signature_verifies(r, SECRET);
    }
}

#[tokio::test]
async fn list_answering_404_no_such_inventory_is_an_empty_list() {
    let (endpoint, _log) = start(Arc::new(|_| {
        (
            404,
            vec![("x-oss-ec", "0020-00000001".into())],
            error_xml("NoSuchInventory", "No such inventory", "0020-00000001"),
        )
    }))
    .await;
    let c = client(
        &endpoint,
        SignatureVersion::V4,
        Credentials::new("ak", SECRET),
    );
    assert_eq!(c.list(&bucket()).await.unwrap(), vec![]);
}

#[tokio::test]
async fn get_of_a_missing_configuration_is_none_and_delete_of_it_succeeds() {
    let (endpoint, log) = start(Arc::new(|r: &Received| {
        if r.method == "DELETE" && r.query().iter().any(|(_, v)| v == "gone") {
            (204, vec![], String::new())
        } else {
            (
                404,
                vec![],
                error_xml("NoSuchInventory", "No such inventory", ""),
            )
        }
    }))
    .await;
    let c = client(
        &endpoint,
        SignatureVersion::V4,
        Credentials::new("ak", SECRET),
    );
    assert_eq!(c.get(&bucket(), "missing").await.unwrap(), None);
    c.delete(&bucket(), "gone").await.unwrap();
    c.delete(&bucket(), "missing").await.unwrap();
    let log = log.lock().unwrap();
    assert_eq!(log[1].method, "DELETE");
    assert_eq!(log[1].raw_query, "inventory&inventoryId=gone");
    assert_signature_verifies(&log[1], SECRET);
}

#[tokio::test]
async fn put_of_an_existing_id_surfaces_the_409() {
    let (endpoint, _log) = start(Arc::new(|_| {
        (
            409,
            vec![],
            error_xml(
                "InventoryConfigurationAlreadyExists",
                "The inventory configuration already exists.",
                "0020-00000100",
            ),
        )
    }))
    .await;
    let c = client(
        &endpoint,
        SignatureVersion::V4,
        Credentials::new("ak", SECRET),
    );
    let err = c
        .put(&bucket(), &Inventory::new(inventory("report1")))
        .await
        .unwrap_err();
    let service = err.service().expect("a service error");
    assert_eq!(service.status, 409);
    assert_eq!(service.code, "InventoryConfigurationAlreadyExists");
    assert!(matches!(
        err,
        ProviderError::Service {
            provider: Provider::OSS,
            operation: Operation::Put,
            ..
        }
    ));
}

#[tokio::test]
async fn error_xml_becomes_service_error_fields_without_leaking_secrets() {
    let responder: Responder = Arc::new(|r: &Received| {
        // A real SignatureDoesNotMatch body echoes the provided signature and string to sign.
        let provided = r.header("authorization").unwrap_or_default().to_string();
        (
            403,
            vec![("x-oss-ec", "0002-00000040".into())],
            format!(
                "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we \
                 calculated does not match the signature you provided.</Message>\
                 <RequestId>REQ-FROM-BODY-000000000</RequestId><HostId>h</HostId>\
                 <OSSAccessKeyId>ak</OSSAccessKeyId><SignatureProvided>{provided}</SignatureProvided>\
                 <StringToSign>GET</StringToSign><EC>0002-00000040</EC></Error>"
            ),
        )
    });
    let (endpoint, log) = start(responder).await;
    let creds = Credentials::new("ak", SECRET).with_security_token(TOKEN);
    for version in [SignatureVersion::V1, SignatureVersion::V4] {
        let c = client(&endpoint, version, creds.clone());
        let err = c.get(&bucket(), "list1").await.unwrap_err();
        let service = err.service().expect("a service error").clone();
        assert_eq!(service.status, 403);
        assert_eq!(service.code, "SignatureDoesNotMatch");
        assert!(service.message.starts_with("The request signature"));
        assert_eq!(service.request_id, "REQ-FROM-BODY-000000000");
        assert_eq!(service.ec, "0002-00000040");

        let shown = format!("{err} | {err:?} | {c:?}");
        let sent = log.lock().unwrap().last().unwrap().clone();
        let authorization = sent.header("authorization").unwrap();
        let signature = match authorization.split_once("Signature=") {
            Some((_, v4)) => v4.to_string(),
            None => authorization.trim_start_matches("OSS ak:").to_string(),
        };
        assert!(signature.len() >= 20, "{signature}");
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(!shown.contains(TOKEN), "{shown}");
        assert!(!shown.contains(&signature), "{shown}");
        assert!(shown.contains("SignatureDoesNotMatch"));
    }
}

#[tokio::test]
async fn an_error_without_xml_body_takes_request_id_and_ec_from_headers() {
    let (endpoint, _log) = start(Arc::new(|_| {
        (
            400,
            vec![("x-oss-ec", "0020-00000004".into())],
            "bad".to_string(),
        )
    }))
    .await;
    let c = client(
        &endpoint,
        SignatureVersion::V4,
        Credentials::new("ak", SECRET),
    );
    let err = c.delete(&bucket(), "x").await.unwrap_err();
    let service = err.service().unwrap();
    assert_eq!(service.status, 400);
    assert_eq!(service.request_id, "5C3D9175B6FC201293AD0000");
    assert_eq!(service.ec, "0020-00000004");
}

#[tokio::test]
async fn server_errors_are_retried_and_each_attempt_is_signed() {
    let calls = Arc::new(Mutex::new(0u32));
    let counter = calls.clone();
    let (endpoint, log) = start(Arc::new(move |_| {
        let mut n = counter.lock().unwrap();
        *n += 1;
        if *n == 1 {
            (503, vec![], error_xml("ServiceUnavailable", "busy", ""))
        } else {
            (200, vec![], config_xml("list1"))
        }
    }))
    .await;
    let c = client(
        &endpoint,
        SignatureVersion::V4,
        Credentials::new("ak", SECRET),
    );
    assert!(c.get(&bucket(), "list1").await.unwrap().is_some());
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 2);
    for r in log.iter() {
        assert_signature_verifies(r, SECRET);
    }
}

#[tokio::test]
async fn an_incomplete_configuration_is_foreign_and_does_not_fail_the_list() {
    let (endpoint, _log) = start(Arc::new(|_| {
        (
            200,
            vec![],
            "<ListInventoryConfigurationsResult><InventoryConfiguration><Id>broken</Id>\
             <IsEnabled>true</IsEnabled></InventoryConfiguration></ListInventoryConfigurationsResult>"
                .to_string(),
        )
    }))
    .await;
    let c = client(
        &endpoint,
        SignatureVersion::V4,
        Credentials::new("ak", SECRET),
    );
    let live = c.list(&bucket()).await.unwrap();
    let foreign = live[0].foreign().expect("foreign");
    assert_eq!(foreign.id, "broken");
    assert_eq!(foreign.unmodelled, ["IncludedObjectVersions (missing)"]);
}

#[tokio::test]
async fn a_list_answered_200_with_html_or_an_error_document_is_a_decode_error() {
    for body in [
        "<!DOCTYPE html><html><head><title>502</title></head><body>Bad Gateway</body></html>",
        "<?xml version=\"1.0\"?><Error><Code>InternalError</Code><Message>m</Message></Error>",
        "",
    ] {
        let (endpoint, _log) = start(Arc::new(move |_| (200, vec![], body.to_string()))).await;
        let c = client(
            &endpoint,
            SignatureVersion::V4,
            Credentials::new("ak", SECRET),
        );
        let err = c.list(&bucket()).await.unwrap_err();
        assert!(
            matches!(err, ProviderError::Decode { .. }),
            "{body}: {err:?}"
        );
    }
}

struct NoCredentials;

impl CredentialSource for NoCredentials {
    fn fetch(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(std::future::ready(Err(CredentialsError::refresh(
            "set ALIBABA_CLOUD_ACCESS_KEY_ID",
        ))))
    }
}

#[tokio::test]
async fn missing_credentials_and_wrong_provider_are_request_errors_without_a_call() {
    let (endpoint, log) = start(Arc::new(|_| (200, vec![], String::new()))).await;
    let transport = Transport::new(fast_retries()).expect("transport");
    let c = OssClient::new(transport, Arc::new(NoCredentials))
        .with_endpoint(endpoint.clone().try_into().unwrap());
    let err = c.delete(&bucket(), "x").await.unwrap_err();
    assert!(matches!(err, ProviderError::Request { .. }), "{err:?}");
    assert!(err.to_string().contains("ALIBABA_CLOUD_ACCESS_KEY_ID"));

    let c = client(
        &endpoint,
        SignatureVersion::V4,
        Credentials::new("ak", SECRET),
    );
    let cos_bucket = BucketKey {
        provider: Provider::COS,
        ..bucket()
    };
    let err = c.delete(&cos_bucket, "x").await.unwrap_err();
    assert!(matches!(err, ProviderError::Request { .. }), "{err:?}");
    assert!(log.lock().unwrap().is_empty());
}
