//! Serving an axum router on a TCP listener within limits, so that no client, signed or not,
//! can stall the process, hold its memory or take its file descriptors.
//!
//! Every listener of invsync (the daemon's endpoints, the push hook, the emulator) goes through
//! [`serve`].
//!
//! # Guarantees
//! - A connection that has not sent a whole request head within
//!   [`Limits::header_read_timeout`] (its first one, or the next one on a kept-alive
//!   connection) is closed. A head is at most [`MAX_HEAD_BYTES`]; a longer one gets 431.
//! - A request whose body and answer are not done within [`Limits::request_timeout`] gets 408
//!   and its connection is closed.
//! - A body longer than [`Limits::max_body_bytes`] gets 413: at once when `Content-Length` says
//!   so, else as soon as the streamed body passes the cap. No more than the cap is buffered.
//! - At most [`Limits::max_connections`] connections are open at once. A new connection beyond
//!   that closes the one that has waited longest for a request head (or has been stuck
//!   writing an answer longer than the request timeout); when there is none, the new
//!   connection is closed at once. So descriptors stay bounded, and a client that sends its
//!   request promptly is served even while idle connections fill the limit.
//! - Once `shutdown` completes no connection is accepted; requests in progress get
//!   [`Limits::shutdown_grace`] to finish, then every connection is closed and [`serve`]
//!   returns.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::service::Service as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

/// Largest request head (request line and headers), in bytes. Real clients (Prometheus,
/// probes, git hosts, the providers' SDKs) send a few KiB; this also bounds the read buffer
/// each connection holds.
pub(crate) const MAX_HEAD_BYTES: usize = 32 * 1024;

/// What one listener allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Time to send a whole request head.
    pub header_read_timeout: Duration,
    /// Time from a complete head to the end of the answer's head: reading the body and
    /// handling the request.
    pub request_timeout: Duration,
    /// Connections open at once.
    pub max_connections: usize,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Time requests in progress get after shutdown.
    pub shutdown_grace: Duration,
}

impl Limits {
    /// The daemon's `/metrics`, `/healthz`, `/readyz`: scrapes and probes send no body.
    /// 64 connections of at most a few tens of KiB each leave the reconciler its descriptors
    /// and its memory.
    pub const ENDPOINTS: Limits = Limits {
        header_read_timeout: Duration::from_secs(10),
        request_timeout: Duration::from_secs(30),
        max_connections: 64,
        max_body_bytes: 16 * 1024,
        shutdown_grace: Duration::from_secs(5),
    };

    /// The push hook: GitHub caps a delivery at 25 MB and the hook streams it through the
    /// signature check without holding it, so the cap costs no memory.
    pub const HOOK: Limits = Limits {
        header_read_timeout: Duration::from_secs(10),
        request_timeout: Duration::from_secs(30),
        max_connections: 64,
        max_body_bytes: 25 * 1024 * 1024,
        shutdown_grace: Duration::from_secs(5),
    };

    /// The emulator: bodies are single configurations (axum's usual 2 MiB cap); more
    /// connections for benchmarks and SDK test suites; idle connections kept longer than
    /// HTTP clients keep them in their pools (reqwest: 90 s), so the client always closes
    /// first and never sends on a connection the server is closing.
    pub(crate) const EMULATOR: Limits = Limits {
        header_read_timeout: Duration::from_secs(120),
        request_timeout: Duration::from_secs(60),
        max_connections: 512,
        max_body_bytes: 2 * 1024 * 1024,
        shutdown_grace: Duration::from_secs(5),
    };

    /// These limits with another shutdown grace.
    pub const fn with_shutdown_grace(self, shutdown_grace: Duration) -> Limits {
        Limits {
            shutdown_grace,
            ..self
        }
    }
}

/// True when `error` (a request body's) says the body passed [`Limits::max_body_bytes`].
pub(crate) fn is_body_too_large(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        if error.is::<LengthLimitError>() {
            return true;
        }
        current = error.source();
    }
    false
}

/// Serves `router` on `listener` within `limits` until `shutdown` completes (see the module
/// docs for what that guarantees).
///
/// # Errors
/// None so far: a failed accept (such as running out of descriptors) is logged and retried
/// after a pause. The `Result` leaves room for a listener that fails for good.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let service =
        TowerToHyperService::new(router.layer(DefaultBodyLimit::max(limits.max_body_bytes)));
    let registry = Arc::new(Registry::new(limits));
    let (stop, stopped) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(error) => {
                        // Out of descriptors or memory: pausing lets connections finish and
                        // keeps the loop from spinning.
                        tracing::warn!(%error, "cannot accept a connection; pausing");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let Some(slot) = registry.admit(Instant::now()) else {
                    tracing::debug!("connection limit reached and no connection idle; refused");
                    continue;
                };
                connections.spawn(serve_connection(
                    stream,
                    service.clone(),
                    limits,
                    slot,
                    stopped.clone(),
                ));
            }
        }
    }
    drop(listener);
    let _ = stop.send(true);
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::info!(
            closed = connections.len(),
            grace_s = limits.shutdown_grace.as_secs_f64(),
            "shutdown grace over; closing the connections still open"
        );
        connections.shutdown().await;
    }
    Ok(())
}

async fn serve_connection(
    stream: TcpStream,
    service: TowerToHyperService<Router>,
    limits: Limits,
    slot: Arc<Slot>,
    mut stopped: watch::Receiver<bool>,
) {
    let evicted = Arc::clone(&slot.evicted);
    let request_slot = Arc::clone(&slot);
    let handler = hyper::service::service_fn(move |request| {
        handle(service.clone(), request, limits, Arc::clone(&request_slot))
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(MAX_HEAD_BYTES);
    let connection = builder.serve_connection(TokioIo::new(stream), handler);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        () = evicted.notified() => return,
        _ = stopped.wait_for(|stop| *stop) => {}
    }
    // Finishes the request in progress, if any, and closes; the caller's grace bounds it.
    connection.as_mut().graceful_shutdown();
    tokio::select! {
        _ = connection.as_mut() => {}
        () = evicted.notified() => {}
    }
}

async fn handle(
    service: TowerToHyperService<Router>,
    request: Request<Incoming>,
    limits: Limits,
    slot: Arc<Slot>,
) -> Result<Response<Body>, Infallible> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limits.max_body_bytes as u64) {
        return Ok(closing(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body too large\n",
        ));
    }
    let busy = slot.busy();
    let request = request.map(|body| Body::new(Limited::new(body, limits.max_body_bytes)));
    match tokio::time::timeout(limits.request_timeout, service.call(request)).await {
        // The connection stays busy until the answer's body is written (or dropped).
        Ok(Ok(response)) => Ok(response.map(|body| {
            Body::new(body.map_frame(move |frame| {
                let _held = &busy;
                frame
            }))
        })),
        Ok(Err(never)) => match never {},
        Err(_) => Ok(closing(StatusCode::REQUEST_TIMEOUT, "request timed out\n")),
    }
}

/// An answer after which the connection is closed: its request body may still be unread.
fn closing(status: StatusCode, message: &'static str) -> Response<Body> {
    let mut response = Response::new(Body::from(message));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// The open connections of one listener.
struct Registry {
    limits: Limits,
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, Entry>>,
}

struct Entry {
    /// When it last became idle (waiting for a request head) or busy.
    since: Instant,
    busy: bool,
    evicted: Arc<Notify>,
}

impl Registry {
    fn new(limits: Limits) -> Self {
        Registry {
            limits,
            next_id: AtomicU64::new(0),
            open: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Entry>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A slot for a new connection; at the limit, evicts the connection idle longest (or
    /// stuck longest), or refuses when every connection is busy with a live request.
    fn admit(self: &Arc<Self>, now: Instant) -> Option<Arc<Slot>> {
        let mut open = self.lock();
        if open.len() >= self.limits.max_connections.max(1) {
            let stuck = self.limits.request_timeout;
            let victim = open
                .iter()
                .filter(|(_, e)| !e.busy || now.duration_since(e.since) > stuck)
                .min_by_key(|(_, e)| e.since)
                .map(|(id, _)| *id)?;
            if let Some(entry) = open.remove(&victim) {
                tracing::debug!(
                    idle_s = now.duration_since(entry.since).as_secs_f64(),
                    "connection limit reached; closing the connection idle longest"
                );
                entry.evicted.notify_one();
            }
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let evicted = Arc::new(Notify::new());
        open.insert(
            id,
            Entry {
                since: now,
                busy: false,
                evicted: Arc::clone(&evicted),
            },
        );
        Some(Arc::new(Slot {
            registry: Arc::clone(self),
            id,
            evicted,
        }))
    }

    fn set_busy(&self, id: u64, busy: bool) {
        if let Some(entry) = self.lock().get_mut(&id) {
            entry.busy = busy;
            entry.since = Instant::now();
        }
    }
}

/// One connection's place in its [`Registry`]; freed when dropped.
struct Slot {
    registry: Arc<Registry>,
    id: u64,
    evicted: Arc<Notify>,
}

impl Slot {
    /// Marks the connection busy until the guard is dropped.
    fn busy(self: &Arc<Self>) -> Busy {
        self.registry.set_busy(self.id, true);
        Busy(Arc::clone(self))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.registry.lock().remove(&self.id);
    }
}

struct Busy(Arc<Slot>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.registry.set_busy(self.0.id, false);
    }
}
