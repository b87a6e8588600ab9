//! The daemon's HTTP endpoints, served on 127.0.0.1:0 and queried with reqwest.

use std::net::SocketAddr;
use std::time::Duration;

use invsync::metrics::{CONTENT_TYPE, DriftKind, Metrics};
use invsync::model::Provider;
use invsync::serve::Limits;
use invsync::server::{Readiness, serve};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

struct Running {
    addr: SocketAddr,
    metrics: Metrics,
    readiness: Readiness,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

async fn start() -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let metrics = Metrics::new();
    let readiness = Readiness::new();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(
        listener,
        metrics.clone(),
        readiness.clone(),
        Limits::ENDPOINTS,
        async move {
            let _ = stopped.await;
        },
    ));
    Running {
        addr,
        metrics,
        readiness,
        stop,
        task,
    }
}

fn client() -> reqwest::Client {
    // reqwest is built without a default TLS provider; plain HTTP still needs one installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

async fn get(addr: SocketAddr, path: &str) -> (u16, Option<String>, String) {
    let response = client()
        .get(format!("http://{addr}{path}"))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, content_type, response.text().await.unwrap())
}

#[tokio::test]
async fn healthz_answers_ok_while_the_process_runs() {
    let server = start().await;
    assert_eq!(get(server.addr, "/healthz").await.0, 200);
    assert_eq!(get(server.addr, "/healthz").await.2, "ok");
}

#[tokio::test]
async fn readyz_is_unavailable_until_the_first_full_reconcile() {
    let server = start().await;
    let (status, _, body) = get(server.addr, "/readyz").await;
    assert_eq!((status, body.as_str()), (503, "not ready"));
    server.readiness.set_ready();
    let (status, _, body) = get(server.addr, "/readyz").await;
    assert_eq!((status, body.as_str()), (200, "ok"));
}

#[tokio::test]
async fn metrics_serves_recorded_values_as_openmetrics_text() {
    let server = start().await;
    server
        .metrics
        .record_drift(Provider::OSS, DriftKind::Missing);
    server
        .metrics
        .set_revision("0123456789abcdef0123456789abcdef01234567");
    let (status, content_type, body) = get(server.addr, "/metrics").await;
    assert_eq!(status, 200);
    assert_eq!(content_type.as_deref(), Some(CONTENT_TYPE));
    assert!(body.contains(r#"invsync_drift_events_total{provider="oss",kind="missing"} 1"#));
    assert!(body.contains(
        r#"invsync_revision_info{revision="0123456789abcdef0123456789abcdef01234567"} 1"#
    ));
    assert!(body.ends_with("# EOF\n"));
}

#[tokio::test]
async fn unknown_paths_are_not_found() {
    let server = start().await;
    assert_eq!(get(server.addr, "/metricz").await.0, 404);
}

#[tokio::test]
async fn serve_returns_ok_after_shutdown() {
    let server = start().await;
    assert_eq!(get(server.addr, "/healthz").await.0, 200);
    server.stop.send(()).unwrap();
    let result = tokio::time::timeout(Duration::from_secs(5), server.task)
        .await
        .expect("server stops promptly")
        .unwrap();
    assert!(result.is_ok());
    let refused = client()
        .get(format!("http://{}/healthz", server.addr))
        .send()
        .await;
    assert!(refused.is_err(), "listener is closed after shutdown");
}
