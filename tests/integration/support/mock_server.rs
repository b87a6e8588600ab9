//! One local mock HTTP server for every test that needs a stand-in provider: canned responses
//! answered in order, every request recorded (the shape of arrow-rs `object_store`'s
//! `client/mock_server.rs`).
//!
//! The server runs on its own thread and runtime on 127.0.0.1:0, so synchronous tests (which
//! run the real binary) and `#[tokio::test]`s use it alike. Dropping the value stops it;
//! [`MockServer::detach`] keeps it for the rest of the test process instead.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// One request as the server received it.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    pub(crate) fn path(&self) -> &str {
        self.uri.path()
    }

    /// The raw query string, empty when there is none.
    pub(crate) fn query(&self) -> &str {
        self.uri.query().unwrap_or_default()
    }

    /// A header's value when it is present and visible ASCII.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

type Canned = Box<dyn FnOnce(&Recorded) -> Response + Send>;
type Fallback = Arc<dyn Fn(&Recorded, usize) -> Response + Send + Sync>;

#[derive(Default)]
struct Shared {
    queue: VecDeque<Canned>,
    fallback: Option<Fallback>,
    requests: Vec<Recorded>,
    delay: Duration,
}

/// A mock server; see the [module docs](self).
pub(crate) struct MockServer {
    url: String,
    shared: Arc<Mutex<Shared>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl MockServer {
    /// Starts a server with nothing queued: until something is, every request gets a 500
    /// saying so.
    pub(crate) fn start() -> MockServer {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let state = Arc::clone(&shared);
        let (bound, address) = std::sync::mpsc::channel();
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("mock server runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind 127.0.0.1:0");
                bound.send(listener.local_addr().unwrap()).unwrap();
                let app = axum::Router::new().fallback(answer).with_state(state);
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stop.await;
                    })
                    .await
                    .expect("mock server");
            });
        });
        let addr = address.recv().expect("mock server started");
        MockServer {
            url: format!("http://{addr}"),
            shared,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The base URL as a parsed URL.
    pub(crate) fn parsed_url(&self) -> url::Url {
        url::Url::parse(&self.url).unwrap()
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `response` for the next unanswered request.
    pub(crate) fn push(&self, response: impl IntoResponse) {
        let response = response.into_response();
        self.push_fn(move |_| response);
    }

    /// Queues `respond` to answer the next unanswered request.
    pub(crate) fn push_fn(&self, respond: impl FnOnce(&Recorded) -> Response + Send + 'static) {
        self.lock().queue.push_back(Box::new(respond));
    }

    /// Answers every request that finds the queue empty with `respond(request, n)`, where `n`
    /// counts the requests received before this one.
    pub(crate) fn fallback(
        &self,
        respond: impl Fn(&Recorded, usize) -> Response + Send + Sync + 'static,
    ) {
        self.lock().fallback = Some(Arc::new(respond));
    }

    /// Every answer waits this long first.
    pub(crate) fn delay(&self, delay: Duration) {
        self.lock().delay = delay;
    }

    /// The requests received so far, in order.
    pub(crate) fn requests(&self) -> Vec<Recorded> {
        self.lock().requests.clone()
    }

    /// Number of requests received so far.
    pub(crate) fn request_count(&self) -> usize {
        self.lock().requests.len()
    }

    /// Keeps the server running until the test process ends; its base URL.
    pub(crate) fn detach(mut self) -> String {
        // Dropping the sender without sending would stop the server too: keep it alive.
        std::mem::forget(self.shutdown.take());
        self.thread.take();
        self.url.clone()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        // Not joined: graceful shutdown waits for a client's open connections, and a test
        // must never hang on a client that keeps one.
        self.thread.take();
    }
}

async fn answer(
    State(shared): State<Arc<Mutex<Shared>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = Recorded {
        method,
        uri,
        headers,
        body,
    };
    let (respond, delay) = {
        let mut shared = shared.lock().unwrap_or_else(|e| e.into_inner());
        let n = shared.requests.len();
        shared.requests.push(request.clone());
        let respond: Option<Canned> = match shared.queue.pop_front() {
            Some(canned) => Some(canned),
            None => shared
                .fallback
                .clone()
                .map(|fallback| Box::new(move |r: &Recorded| fallback(r, n)) as Canned),
        };
        (respond, shared.delay)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    match respond {
        Some(respond) => respond(&request),
        None => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "mock server: no response queued",
        )
            .into_response(),
    }
}
