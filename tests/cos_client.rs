//! The COS client against a small local mock of the inventory API on 127.0.0.1:0.
//!
//! The mock checks the request shape (Host, query order, Content-MD5, one Content-Length) and
//! recomputes every signature from what the Authorization header says was signed.

// `ProviderError` is the crate's public error type; its size is not this test's concern.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use md5::{Digest, Md5};
use percent_encoding::percent_decode_str;

use invsync::model::{
    BucketKey, CosDestination, CosFilter, CosInventory, CosSchedule, Frequency,
    IncludedObjectVersions, Inventory, OssDestination, OssFilter, OssInventory, Provider,
    ReportFormat,
};
use invsync::provider::cos::CosClient;
use invsync::provider::cos::signer::{self, Authorization};
use invsync::provider::http::{HttpSettings, Transport};
use invsync::provider::{
    CredentialSource, Credentials, InventoryApi, ProviderError, StaticCredentials,
};

const AK: &str = "AKIDEXAMPLEEXAMPLEEXAMPLEEXAMPLE1234";
const SK: &str = "EXAMPLEsecretKEYexampleSECRETkey12";
const SESSION_TOKEN: &str = "EXAMPLETOKEN/abc+def=";
const BUCKET: &str = "examplebucket-1250000000";
const HOST: &str = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";
const TOKEN: &str = "1ueSDFASDF1Tr/XDAFdadEADadf2J/wm36Hy4vbOwM=";
/// Pinned "now": the client's window is now-60 .. now+3600 = the PY vectors' KeyTime.
const NOW: u64 = 1_700_000_060;

const SMALL: &str = "<InventoryConfiguration><Id>list1</Id><IsEnabled>true</IsEnabled><IncludedObjectVersions>Current</IncludedObjectVersions><Schedule><Frequency>Daily</Frequency></Schedule><Destination><COSBucketDestination><Bucket>qcs::cos:ap-guangzhou::examplebucket-1250000000</Bucket><Format>CSV</Format></COSBucketDestination></Destination></InventoryConfiguration>";

/// One request as the mock saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    query: String,
    headers: HeaderMap,
    body: Bytes,
    /// Shape or signature problems; empty when the request was well-formed.
    problems: Vec<String>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    fn authorization(&self) -> Authorization {
        Authorization::parse(self.header("authorization").unwrap()).unwrap()
    }
}

type Responder = Box<dyn Fn(&Seen, usize) -> Response + Send + Sync>;

struct Mock {
    seen: Mutex<Vec<Seen>>,
    respond: Responder,
}

fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

fn check(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Vec<String> {
    let mut problems = Vec::new();
    if headers.get("host").and_then(|v| v.to_str().ok()) != Some(HOST) {
        problems.push(format!("Host is {:?}", headers.get("host")));
    }
    let raw_query = uri.query().unwrap_or_default();
    let params: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    if params.first().map(|(k, _)| k.as_str()) != Some("inventory") {
        problems.push(format!("query does not start with inventory: {raw_query}"));
    }
    if headers.get_all("content-length").iter().count() > 1 {
        problems.push("more than one Content-Length".into());
    }
    if let Some(md5) = headers.get("content-md5") {
        let expected = base64::engine::general_purpose::STANDARD.encode(Md5::digest(body));
        if md5.to_str().unwrap() != expected {
            problems.push("Content-MD5 does not match the body".into());
        }
    }
    let Some(auth) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        problems.push("no Authorization".into());
        return problems;
    };
    let auth = match Authorization::parse(auth) {
        Ok(auth) => auth,
        Err(e) => {
            problems.push(format!("bad Authorization: {e}"));
            return problems;
        }
    };
    // The client must sign every parameter it sends.
    let mut sent: Vec<String> = params.iter().map(|(k, _)| k.to_lowercase()).collect();
    sent.sort();
    if sent != auth.param_list {
        problems.push(format!(
            "signed params {:?}, sent {sent:?}",
            auth.param_list
        ));
    }
    let pv: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let hv: Vec<(&str, &str)> = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)))
        .collect();
    let path = decode(uri.path());
    let recomputed = signer::recompute(&auth, method.as_str(), &path, &pv, &hv, SK);
    if auth.secret_id != AK || !recomputed.matches(&auth.signature) {
        problems.push("signature does not match".into());
    }
    problems
}

async fn handle(
    State(mock): State<Arc<Mock>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let problems = check(&method, &uri, &headers, &body);
    let seen = Seen {
        method: method.to_string(),
        query: uri.query().unwrap_or_default().to_string(),
        headers,
        body,
        problems,
    };
    let n = {
        let mut all = mock.seen.lock().unwrap();
        all.push(seen.clone());
        all.len() - 1
    };
    if !seen.problems.is_empty() {
        return xml_response(
            400,
            &error_xml("MockCheckFailed", &seen.problems.join("; "), "mock-req"),
        );
    }
    (mock.respond)(&seen, n)
}

async fn start(
    respond: impl Fn(&Seen, usize) -> Response + Send + Sync + 'static,
) -> (String, Arc<Mock>) {
    let mock = Arc::new(Mock {
        seen: Mutex::new(Vec::new()),
        respond: Box::new(respond),
    });
    let router = Router::new().fallback(handle).with_state(mock.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}"), mock)
}

fn client_with(endpoint: &str, credentials: Credentials) -> CosClient {
    let settings = HttpSettings {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        ..HttpSettings::default()
    };
    let transport = Transport::new(settings)
        .unwrap()
        .with_jitter(Arc::new(|| 0.5));
    let credentials: Arc<dyn CredentialSource> = Arc::new(StaticCredentials(credentials));
    CosClient::new(transport, credentials)
        .with_endpoint(endpoint.parse().unwrap())
        .unwrap()
        .with_clock(Arc::new(|| UNIX_EPOCH + Duration::from_secs(NOW)))
}

fn client(endpoint: &str) -> CosClient {
    client_with(endpoint, Credentials::new(AK, SK))
}

fn bucket() -> BucketKey {
    BucketKey {
        provider: Provider::Cos,
        bucket: BUCKET.into(),
        region: "ap-guangzhou".into(),
    }
}

fn xml_response(status: u16, body: &str) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [
            ("content-type", "application/xml"),
            ("x-cos-request-id", "hdr-req-id"),
        ],
        body.to_string(),
    )
        .into_response()
}

fn error_xml(code: &str, message: &str, request_id: &str) -> String {
    format!(
        "<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>{code}</Code><Message>{message}</Message>\
         <Resource>{HOST}/</Resource><RequestId>{request_id}</RequestId><TraceId>trace</TraceId></Error>"
    )
}

fn config_xml(id: &str) -> String {
    SMALL.replace("<Id>list1</Id>", &format!("<Id>{id}</Id>"))
}

fn small() -> CosInventory {
    CosInventory {
        id: "list1".into(),
        enabled: true,
        included_object_versions: IncludedObjectVersions::Current,
        schedule: CosSchedule {
            frequency: Frequency::Daily,
            monthly_date: None,
        },
        filter: CosFilter::default(),
        optional_fields: vec![],
        destination: CosDestination {
            bucket: "qcs::cos:ap-guangzhou::examplebucket-1250000000".into(),
            account_id: None,
            prefix: None,
            format: ReportFormat::Csv,
            sse_cos: false,
        },
    }
}

fn assert_clean(mock: &Mock) {
    for seen in mock.seen.lock().unwrap().iter() {
        assert!(seen.problems.is_empty(), "{:?}", seen.problems);
    }
}

fn signature_of(seen: &Seen) -> String {
    seen.authorization().signature
}

#[tokio::test]
async fn list_follows_the_continuation_token_across_two_pages() {
    let (url, mock) = start(|seen, _| {
        if seen.query == "inventory" {
            xml_response(
                200,
                &format!(
                    "<ListInventoryConfigurationResult>{}{}<IsTruncated>true</IsTruncated>\
                     <NextContinuationToken>{TOKEN}</NextContinuationToken></ListInventoryConfigurationResult>",
                    config_xml("a"),
                    config_xml("b")
                ),
            )
        } else {
            xml_response(
                200,
                &format!(
                    "<ListInventoryConfigurationResult>{}<IsTruncated>false</IsTruncated>\
                     <ContinuationToken>{TOKEN}</ContinuationToken></ListInventoryConfigurationResult>",
                    config_xml("c")
                ),
            )
        }
    })
    .await;
    let list = client(&url).list(&bucket()).await.unwrap();
    let ids: Vec<&str> = list.iter().map(Inventory::id).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert_clean(&mock);
    let seen = mock.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(
        seen[1].query,
        "inventory&continuation-token=1ueSDFASDF1Tr%2FXDAFdadEADadf2J%2Fwm36Hy4vbOwM%3D"
    );
    // The PY SDK's own signatures for the same requests and window (vectors P5 and P3).
    assert_eq!(
        signature_of(&seen[0]),
        "425f3285f918ca3a5dc260aa67160ecd5150c8cf"
    );
    assert_eq!(
        signature_of(&seen[1]),
        "172fa51391d1c761079389e0b5f39af69d1a23c8"
    );
    assert_eq!(seen[0].authorization().header_list, ["host"]);
}

#[tokio::test]
async fn list_of_a_bucket_without_configurations_is_empty() {
    let (url, _mock) = start(|_, _| {
        xml_response(
            200,
            "<ListInventoryConfigurationResult><IsTruncated>false</IsTruncated></ListInventoryConfigurationResult>",
        )
    })
    .await;
    assert!(client(&url).list(&bucket()).await.unwrap().is_empty());
    let (url, _mock) = start(|_, _| {
        xml_response(
            404,
            &error_xml("InventoryConfigurationNotFoundError", "none", "r1"),
        )
    })
    .await;
    assert!(client(&url).list(&bucket()).await.unwrap().is_empty());
}

#[tokio::test]
async fn list_of_a_missing_bucket_is_a_service_error() {
    let (url, _mock) = start(|_, _| {
        xml_response(
            404,
            &error_xml("NoSuchBucket", "The specified bucket does not exist.", "r2"),
        )
    })
    .await;
    let err = client(&url).list(&bucket()).await.unwrap_err();
    let service = err.service().expect("service error");
    assert_eq!(
        (service.status, service.code.as_str()),
        (404, "NoSuchBucket")
    );
}

#[tokio::test]
async fn truncated_list_without_next_token_is_a_decode_error() {
    let (url, mock) = start(|_, _| {
        xml_response(
            200,
            "<ListInventoryConfigurationResult><IsTruncated>true</IsTruncated></ListInventoryConfigurationResult>",
        )
    })
    .await;
    let err = client(&url).list(&bucket()).await.unwrap_err();
    assert!(matches!(err, ProviderError::Decode { .. }), "{err}");
    assert_eq!(mock.seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn get_returns_the_configuration_and_signs_like_the_python_sdk() {
    let (url, mock) = start(|_, _| xml_response(200, SMALL)).await;
    let got = client(&url).get(&bucket(), "list1").await.unwrap();
    assert_eq!(got, Some(Inventory::Cos(small())));
    assert_clean(&mock);
    let seen = mock.seen.lock().unwrap()[0].clone();
    assert_eq!(seen.query, "inventory&id=list1");
    assert_eq!(
        seen.header("authorization").unwrap(),
        "q-sign-algorithm=sha1&q-ak=AKIDEXAMPLEEXAMPLEEXAMPLEEXAMPLE1234\
         &q-sign-time=1700000000;1700003660&q-key-time=1700000000;1700003660\
         &q-header-list=host&q-url-param-list=id;inventory\
         &q-signature=ccd12190f2a5b105f9bbdd8aa6e8c578d61f29a8"
    );
}

#[tokio::test]
async fn get_of_a_missing_configuration_is_none() {
    let (url, _mock) = start(|_, _| {
        xml_response(
            404,
            &error_xml("InventoryConfigurationNotFoundError", "not found", "r3"),
        )
    })
    .await;
    assert_eq!(client(&url).get(&bucket(), "gone").await.unwrap(), None);
}

#[tokio::test]
async fn get_with_an_unreadable_configuration_is_a_decode_error_naming_the_element() {
    let (url, _mock) = start(|_, _| xml_response(200, &SMALL.replace(">Daily<", ">Hourly<"))).await;
    let err = client(&url).get(&bucket(), "list1").await.unwrap_err();
    assert!(matches!(err, ProviderError::Decode { .. }), "{err}");
    assert!(err.to_string().contains("Schedule/Frequency"), "{err}");
    assert!(err.to_string().contains("Hourly"), "{err}");
}

#[tokio::test]
async fn put_sends_the_canonical_body_with_content_md5() {
    let (url, mock) = start(|_, _| xml_response(200, "")).await;
    client(&url)
        .put(&bucket(), &Inventory::Cos(small()))
        .await
        .unwrap();
    assert_clean(&mock);
    let seen = mock.seen.lock().unwrap()[0].clone();
    assert_eq!(seen.method, "PUT");
    assert_eq!(seen.query, "inventory&id=list1");
    assert_eq!(&seen.body[..], SMALL.as_bytes());
    assert_eq!(seen.header("content-md5"), Some("0D2hKeStTdgbBUwiPr1Ntw=="));
    assert_eq!(seen.header("content-type"), Some("application/xml"));
    assert_eq!(seen.header("content-length"), Some("351"));
    // Vector P2: the PY SDK's signature of this very PUT.
    assert_eq!(
        seen.authorization().header_list,
        ["content-length", "content-md5", "content-type", "host"]
    );
    assert_eq!(
        signature_of(&seen),
        "6bb5d4691597e4d05747276eaf75f3c21b9bf9de"
    );
}

#[tokio::test]
async fn put_of_an_oss_configuration_is_a_request_error_without_any_call() {
    let (url, mock) = start(|_, _| xml_response(200, "")).await;
    let oss = Inventory::Oss(OssInventory {
        id: "x".into(),
        enabled: true,
        included_object_versions: IncludedObjectVersions::All,
        frequency: Frequency::Daily,
        filter: OssFilter::default(),
        optional_fields: vec![],
        destination: OssDestination {
            bucket: "acs:oss:::dest".into(),
            account_id: "1".into(),
            role_arn: "acs:ram::1:role/x".into(),
            prefix: None,
            format: ReportFormat::Csv,
            encryption: None,
        },
    });
    let err = client(&url).put(&bucket(), &oss).await.unwrap_err();
    assert!(matches!(err, ProviderError::Request { .. }), "{err}");
    assert!(mock.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn delete_accepts_204_and_treats_404_as_already_gone() {
    let (url, mock) = start(|_, n| {
        if n == 0 {
            StatusCode::NO_CONTENT.into_response()
        } else {
            xml_response(
                404,
                &error_xml("InventoryConfigurationNotFoundError", "nf", "r"),
            )
        }
    })
    .await;
    let client = client(&url);
    client.delete(&bucket(), "list1").await.unwrap();
    client.delete(&bucket(), "list1").await.unwrap();
    assert_clean(&mock);
    let seen = mock.seen.lock().unwrap().clone();
    assert_eq!(seen[0].method, "DELETE");
    assert_eq!(seen[0].query, "inventory&id=list1");
}

#[tokio::test]
async fn error_xml_becomes_a_service_error_with_code_and_request_id() {
    let (url, _mock) = start(|_, _| {
        xml_response(
            403,
            &error_xml("AccessDenied", "Access Denied.", "NjA2YjQ5XzQ"),
        )
    })
    .await;
    let err = client(&url).get(&bucket(), "list1").await.unwrap_err();
    let service = err.service().expect("service error");
    assert_eq!(service.status, 403);
    assert_eq!(service.code, "AccessDenied");
    assert_eq!(service.message, "Access Denied.");
    assert_eq!(service.request_id, "NjA2YjQ5XzQ");
    assert!(err.to_string().contains("AccessDenied"), "{err}");
}

#[tokio::test]
async fn request_id_falls_back_to_the_header_when_the_body_is_not_cos_xml() {
    let (url, _mock) = start(|_, _| xml_response(400, "<html>bad gateway config</html>")).await;
    let err = client(&url)
        .put(&bucket(), &Inventory::Cos(small()))
        .await
        .unwrap_err();
    let service = err.service().expect("service error");
    assert_eq!(service.code, "BadRequest");
    assert_eq!(service.request_id, "hdr-req-id");
    assert!(service.message.contains("bad gateway config"));
}

#[tokio::test]
async fn throttling_is_retried_with_a_signed_retry_marker_then_reported() {
    let (url, mock) = start(|_, _| {
        xml_response(
            503,
            &error_xml("SlowDown", "Please reduce your request rate.", "r503"),
        )
    })
    .await;
    let err = client(&url).list(&bucket()).await.unwrap_err();
    let service = err.service().expect("service error");
    assert_eq!((service.status, service.code.as_str()), (503, "SlowDown"));
    assert_clean(&mock);
    let seen = mock.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].header("x-cos-sdk-retry"), None);
    for retry in &seen[1..] {
        assert_eq!(retry.header("x-cos-sdk-retry"), Some("true"));
        assert!(
            retry
                .authorization()
                .header_list
                .contains(&"x-cos-sdk-retry".to_string())
        );
    }
}

#[tokio::test]
async fn temporary_credentials_send_a_signed_security_token() {
    let (url, mock) = start(|_, _| StatusCode::NO_CONTENT.into_response()).await;
    client_with(
        &url,
        Credentials::new(AK, SK).with_security_token(SESSION_TOKEN),
    )
    .delete(&bucket(), "list1")
    .await
    .unwrap();
    assert_clean(&mock);
    let seen = mock.seen.lock().unwrap()[0].clone();
    assert_eq!(seen.header("x-cos-security-token"), Some(SESSION_TOKEN));
    assert_eq!(
        seen.authorization().header_list,
        ["host", "x-cos-security-token"]
    );
}

#[tokio::test]
async fn missing_credentials_are_a_request_error() {
    struct NoCredentials;
    impl CredentialSource for NoCredentials {
        fn credentials(&self) -> Result<Credentials, String> {
            Err("TENCENTCLOUD_SECRET_ID missing".into())
        }
    }
    let (url, mock) = start(|_, _| xml_response(200, SMALL)).await;
    let transport = Transport::new(HttpSettings::default()).unwrap();
    let client = CosClient::new(transport, Arc::new(NoCredentials))
        .with_endpoint(url.parse().unwrap())
        .unwrap();
    let err = client.get(&bucket(), "list1").await.unwrap_err();
    assert!(matches!(err, ProviderError::Request { .. }), "{err}");
    assert!(err.to_string().contains("TENCENTCLOUD_SECRET_ID"), "{err}");
    assert!(mock.seen.lock().unwrap().is_empty());
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_or_signature_appears_in_errors_or_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (url, mock) = start(|_, n| match n % 3 {
        0 => xml_response(503, &error_xml("SlowDown", "slow", "r1")),
        1 => xml_response(
            403,
            &error_xml(
                "SignatureDoesNotMatch",
                "The Signature you specified is invalid.",
                "r2",
            ),
        ),
        _ => xml_response(500, &error_xml("InternalError", "oops", "r3")),
    })
    .await;
    let client = client_with(
        &url,
        Credentials::new(AK, SK).with_security_token(SESSION_TOKEN),
    );
    let mut shown = String::new();
    for _ in 0..3 {
        let errs = [
            client.list(&bucket()).await.err(),
            client.get(&bucket(), "list1").await.err(),
            client.put(&bucket(), &Inventory::Cos(small())).await.err(),
            client.delete(&bucket(), "list1").await.err(),
        ];
        for err in errs.into_iter().flatten() {
            shown.push_str(&format!("{err}\n{err:?}\n"));
        }
    }
    // A transport failure too: nothing listens on this port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let err = client_with(&dead, Credentials::new(AK, SK))
        .list(&bucket())
        .await
        .unwrap_err();
    shown.push_str(&format!("{err}\n{err:?}\n{client:?}\n"));

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("retrying provider request"),
        "retries were logged"
    );
    let signatures: Vec<String> = mock.seen.lock().unwrap().iter().map(signature_of).collect();
    assert!(!signatures.is_empty());
    for text in [&shown, &logs] {
        assert!(!text.contains(SK), "secret key leaked");
        assert!(!text.contains(SESSION_TOKEN), "session token leaked");
        assert!(!text.contains("q-signature"), "Authorization leaked");
        for signature in &signatures {
            assert!(!text.contains(signature.as_str()), "signature leaked");
        }
    }
}

#[test]
fn signing_windows_follow_the_injected_clock() {
    // The mock's pinned window is what KeyTime::around gives for NOW.
    let kt = signer::KeyTime::around(
        UNIX_EPOCH + Duration::from_secs(NOW),
        Duration::from_secs(60),
        Duration::from_secs(3600),
    );
    assert_eq!(kt.to_string(), "1700000000;1700003660");
    let _ = SystemTime::now();
}
