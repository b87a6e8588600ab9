//! A small local mock of the COS inventory API on 127.0.0.1:0 for client tests, on the shared
//! [`MockServer`].
//!
//! The mock checks the request shape (Host, query order, Content-MD5, one Content-Length) and
//! recomputes every signature from what the Authorization header says was signed.

#![allow(dead_code, unused_imports)]

pub(crate) use super::mock_server::{MockServer, Recorded};

pub(crate) use std::io::Write;
pub(crate) use std::sync::{Arc, Mutex};
pub(crate) use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub(crate) use axum::Router;
pub(crate) use axum::body::Bytes;
pub(crate) use axum::extract::State;
pub(crate) use axum::http::{HeaderMap, Method, StatusCode, Uri};
pub(crate) use axum::response::{IntoResponse, Response};
pub(crate) use base64::Engine;
pub(crate) use md5::{Digest, Md5};
pub(crate) use percent_encoding::percent_decode_str;

pub(crate) use invsync::model::{
    BucketKey, Frequency, IncludedObjectVersions, Inventory, LiveConfig, Provider, ReportFormat,
    all_modelled,
};
pub(crate) use invsync::provider::cos::CosClient;
pub(crate) use invsync::provider::cos::model::{
    CosDestination, CosFilter, CosInventory, CosSchedule,
};
pub(crate) use invsync::provider::cos::signer::{self, Authorization};
pub(crate) use invsync::provider::http::{HttpSettings, Transport};
pub(crate) use invsync::provider::oss::model::{OssDestination, OssFilter, OssInventory};
pub(crate) use invsync::provider::{
    CredentialSource, Credentials, InventoryApi, ProviderError, StaticCredentials,
};

pub(crate) const AK: &str = "AKIDEXAMPLEEXAMPLEEXAMPLEEXAMPLE1234";
pub(crate) const SK: &str = "EXAMPLEsecretKEYexampleSECRETkey12";
pub(crate) const SESSION_TOKEN: &str = "EXAMPLETOKEN/abc+def=";
pub(crate) const BUCKET: &str = "examplebucket-1250000000";
pub(crate) const HOST: &str = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";
pub(crate) const TOKEN: &str = "1ueSDFASDF1Tr/XDAFdadEADadf2J/wm36Hy4vbOwM=";
/// Pinned "now" of the client's clock.
pub(crate) const NOW: u64 = 1_700_000_060;
/// The PY vectors' KeyTime (`reference/cos-api.md` §4.3: PY's `now-60 .. now+3600` at NOW).
/// The client signs a shorter window; [`Seen::py_signature`] re-signs what it sent with this
/// one, so the request's content is still compared with what the PY SDK signs.
pub(crate) const PY_WINDOW: (u64, u64) = (1_700_000_000, 1_700_003_660);

pub(crate) const SMALL: &str = "<InventoryConfiguration><Id>list1</Id><IsEnabled>true</IsEnabled><IncludedObjectVersions>Current</IncludedObjectVersions><Schedule><Frequency>Daily</Frequency></Schedule><Destination><COSBucketDestination><Bucket>qcs::cos:ap-guangzhou::examplebucket-1250000000</Bucket><Format>CSV</Format></COSBucketDestination></Destination></InventoryConfiguration>";

/// One request as the mock saw it.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub method: String,
    pub query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Shape or signature problems; empty when the request was well-formed.
    pub problems: Vec<String>,
    /// The signature of the same request (same listed headers and parameters) over
    /// [`PY_WINDOW`] instead of the client's own window; empty without an Authorization.
    pub py_signature: String,
}

impl Seen {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub(crate) fn authorization(&self) -> Authorization {
        Authorization::parse(self.header("authorization").unwrap()).unwrap()
    }
}

pub(crate) type Responder = Box<dyn Fn(&Seen, usize) -> Response + Send + Sync>;

pub(crate) struct Mock {
    pub seen: Mutex<Vec<Seen>>,
    pub respond: Responder,
}

pub(crate) fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

pub(crate) fn check(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> (Vec<String>, String) {
    let mut problems = Vec::new();
    let mut py_signature = String::new();
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
        return (problems, py_signature);
    };
    let auth = match Authorization::parse(auth) {
        Ok(auth) => auth,
        Err(e) => {
            problems.push(format!("bad Authorization: {e}"));
            return (problems, py_signature);
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
    let py_auth = Authorization {
        key_time: signer::KeyTime::new(PY_WINDOW.0, PY_WINDOW.1),
        ..auth
    };
    py_signature = signer::recompute(&py_auth, method.as_str(), &path, &pv, &hv, SK).signature;
    (problems, py_signature)
}

/// Checks and records `request`, then answers it: 400 `MockCheckFailed` when the request is
/// malformed, else what the test's responder says.
pub(crate) fn handle(mock: &Mock, request: &Recorded) -> Response {
    let (problems, py_signature) = check(
        &request.method,
        &request.uri,
        &request.headers,
        &request.body,
    );
    let seen = Seen {
        method: request.method.to_string(),
        query: request.query().to_string(),
        headers: request.headers.clone(),
        body: request.body.clone(),
        problems,
        py_signature,
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

pub(crate) async fn start(
    respond: impl Fn(&Seen, usize) -> Response + Send + Sync + 'static,
) -> (String, Arc<Mock>) {
    let mock = Arc::new(Mock {
        seen: Mutex::new(Vec::new()),
        respond: Box::new(respond),
    });
    let server = MockServer::start();
    let state = mock.clone();
    server.fallback(move |request, _| handle(&state, request));
    (server.detach(), mock)
}

pub(crate) fn client_with(endpoint: &str, credentials: Credentials) -> CosClient {
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
        .with_clock(Arc::new(|| UNIX_EPOCH + Duration::from_secs(NOW)))
}

pub(crate) fn client(endpoint: &str) -> CosClient {
    client_with(endpoint, Credentials::new(AK, SK))
}

pub(crate) fn bucket() -> BucketKey {
    BucketKey {
        provider: Provider::COS,
        bucket: BUCKET.into(),
        region: "ap-guangzhou".into(),
    }
}

pub(crate) fn xml_response(status: u16, body: &str) -> Response {
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

pub(crate) fn error_xml(code: &str, message: &str, request_id: &str) -> String {
    format!(
        "<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>{code}</Code><Message>{message}</Message>\
         <Resource>{HOST}/</Resource><RequestId>{request_id}</RequestId><TraceId>trace</TraceId></Error>"
    )
}

pub(crate) fn config_xml(id: &str) -> String {
    SMALL.replace("<Id>list1</Id>", &format!("<Id>{id}</Id>"))
}

pub(crate) fn small() -> CosInventory {
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

pub(crate) fn assert_clean(mock: &Mock) {
    for seen in mock.seen.lock().unwrap().iter() {
        assert!(seen.problems.is_empty(), "{:?}", seen.problems);
    }
}

pub(crate) fn signature_of(seen: &Seen) -> String {
    seen.authorization().signature
}
