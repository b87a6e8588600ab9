//! The shared transport's retry loop against small local servers on 127.0.0.1:0.

use crate::support::mock_server;

// `ProviderError` is the crate's public error type; its size is not this test's concern.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use invsync::model::Provider;
use invsync::provider::http::{AttemptOutcome, CallObserver, HttpSettings, Transport};
use invsync::provider::{Operation, ProviderError};
use mock_server::MockServer;

fn fast_settings() -> HttpSettings {
    HttpSettings {
        request_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        max_attempts: 5,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        max_response_bytes: 1024,
    }
}

fn transport(settings: HttpSettings) -> Transport {
    Transport::new(settings)
        .expect("transport")
        .with_jitter(Arc::new(|| 0.5))
}

/// A server whose n-th request (0-based) is answered by `respond(n)`; returns the URL and the
/// request counter.
async fn counting_server(
    respond: impl Fn(usize) -> Response + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let server = MockServer::start();
    server.fallback(move |_, _| respond(counter.fetch_add(1, Ordering::SeqCst)));
    (server.detach(), hits)
}

fn status(code: u16, body: &'static str) -> Response {
    Response::builder()
        .status(code)
        .body(Body::from(body))
        .unwrap()
}

async fn send_get(
    transport: &Transport,
    url: &str,
) -> Result<invsync::provider::http::RawResponse, ProviderError> {
    let url = reqwest::Url::parse(url).unwrap();
    transport
        .send(Provider::COS, Operation::Get, "bucket-1250000000", || {
            Ok(reqwest::Request::new(reqwest::Method::GET, url.clone()))
        })
        .await
}

#[derive(Default)]
struct Recorder(Mutex<Vec<AttemptOutcome>>, AtomicUsize);

impl CallObserver for Recorder {
    fn on_attempt(&self, _: Provider, _: Operation, outcome: AttemptOutcome, _: Duration) {
        self.0.lock().unwrap().push(outcome);
    }

    fn on_retry(&self, _: Provider, _: Operation) {
        self.1.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn two_503s_then_200_succeeds_on_the_third_attempt() {
    let (url, hits) = counting_server(|n| {
        if n < 2 {
            status(503, "<Error><Code>SlowDown</Code></Error>")
        } else {
            status(200, "ok")
        }
    })
    .await;
    let recorder = Arc::new(Recorder::default());
    let transport = transport(fast_settings()).with_observer(recorder.clone());
    let response = send_get(&transport, &format!("{url}/")).await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(&response.body[..], b"ok");
    assert_eq!(hits.load(Ordering::SeqCst), 3);
    assert_eq!(
        *recorder.0.lock().unwrap(),
        vec![
            AttemptOutcome::Status(503),
            AttemptOutcome::Status(503),
            AttemptOutcome::Status(200)
        ]
    );
    assert_eq!(recorder.1.load(Ordering::SeqCst), 2, "two retries reported");
}

#[tokio::test]
async fn a_403_is_returned_at_once_without_retrying() {
    let (url, hits) = counting_server(|_| status(403, "denied")).await;
    let response = send_get(&transport(fast_settings()), &format!("{url}/"))
        .await
        .unwrap();
    assert_eq!(response.status, 403);
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_persistent_503_is_returned_as_a_response_after_the_last_attempt() {
    let (url, hits) = counting_server(|_| status(503, "busy")).await;
    let settings = HttpSettings {
        max_attempts: 3,
        ..fast_settings()
    };
    let response = send_get(&transport(settings), &format!("{url}/"))
        .await
        .unwrap();
    assert_eq!(response.status, 503);
    assert_eq!(&response.body[..], b"busy");
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn throttling_with_429_is_retried() {
    let (url, hits) = counting_server(|n| {
        if n == 0 {
            status(429, "slow down")
        } else {
            status(200, "ok")
        }
    })
    .await;
    let response = send_get(&transport(fast_settings()), &format!("{url}/"))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn retry_after_seconds_are_honoured_up_to_max_delay() {
    let (url, hits) = counting_server(|n| {
        if n == 0 {
            Response::builder()
                .status(503)
                .header(header::RETRY_AFTER, "1")
                .body(Body::empty())
                .unwrap()
        } else {
            status(200, "ok")
        }
    })
    .await;
    let settings = HttpSettings {
        max_delay: Duration::from_secs(2),
        ..fast_settings()
    };
    let started = std::time::Instant::now();
    let response = send_get(&transport(settings), &format!("{url}/"))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    assert!(started.elapsed() >= Duration::from_secs(1));
}

fn truncated_body() -> Response {
    // Declares 100 bytes, sends 10, then fails the stream, which makes the server drop the
    // connection mid-body.
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from_static(b"0123456789")),
        Err(std::io::Error::other("server went away")),
    ];
    let mut response = Response::new(Body::from_stream(futures_util::stream::iter(chunks)));
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("100"));
    *response.status_mut() = StatusCode::OK;
    response
}

#[tokio::test]
async fn a_connection_dropped_mid_body_is_retried() {
    let (url, hits) = counting_server(|n| {
        if n == 0 {
            truncated_body()
        } else {
            status(200, "complete")
        }
    })
    .await;
    let recorder = Arc::new(Recorder::default());
    let transport = transport(fast_settings()).with_observer(recorder.clone());
    let response = send_get(&transport, &format!("{url}/")).await.unwrap();
    assert_eq!(&response.body[..], b"complete");
    assert_eq!(hits.load(Ordering::SeqCst), 2);
    assert_eq!(
        *recorder.0.lock().unwrap(),
        vec![AttemptOutcome::TransportError, AttemptOutcome::Status(200)]
    );
}

#[tokio::test]
async fn an_oversized_body_is_an_error_and_not_retried() {
    let (url, hits) = counting_server(|_| Response::new(Body::from(vec![b'x'; 4096]))).await;
    let err = send_get(&transport(fast_settings()), &format!("{url}/"))
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Transport { .. }), "{err:?}");
    assert!(err.to_string().contains("larger than the limit"), "{err}");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_oversized_body_without_content_length_is_an_error_too() {
    let (url, hits) = counting_server(|_| {
        let chunks: Vec<Result<Bytes, std::io::Error>> =
            (0..8).map(|_| Ok(Bytes::from(vec![b'y'; 512]))).collect();
        Response::new(Body::from_stream(futures_util::stream::iter(chunks)))
    })
    .await;
    let err = send_get(&transport(fast_settings()), &format!("{url}/"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("larger than the limit"), "{err}");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn connection_failures_are_retried_and_reported_without_the_url() {
    // A port that was just free: nothing listens on it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let recorder = Arc::new(Recorder::default());
    let settings = HttpSettings {
        max_attempts: 3,
        ..fast_settings()
    };
    let transport = transport(settings).with_observer(recorder.clone());
    let err = send_get(
        &transport,
        &format!("http://{addr}/?inventory&q-signature=deadbeefcafe"),
    )
    .await
    .unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(matches!(err, ProviderError::Transport { .. }), "{shown}");
    assert!(shown.contains("gave up after 3 attempts"), "{shown}");
    assert!(!shown.contains("deadbeefcafe"), "{shown}");
    assert!(!shown.contains("q-signature"), "{shown}");
    assert_eq!(recorder.0.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn build_errors_stop_the_send_at_once() {
    let calls = AtomicUsize::new(0);
    let err = transport(fast_settings())
        .send(Provider::COS, Operation::Put, "b", || {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(ProviderError::Request {
                provider: Provider::COS,
                operation: Operation::Put,
                bucket: "b".into(),
                message: "no credentials".into(),
                source: None,
            })
        })
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Request { .. }));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}
