//! The daemon's HTTP endpoints: `/metrics`, `/healthz` and `/readyz`.
//!
//! # Guarantees
//! - `GET /metrics` answers 200 with every family of [`Metrics`] in OpenMetrics text
//!   ([`crate::metrics::CONTENT_TYPE`]).
//! - `GET /healthz` answers 200 `ok` as long as the process serves requests (liveness).
//! - `GET /readyz` answers 503 `not ready` until [`Readiness::set_ready`] is called (after the
//!   first full reconcile), then 200 `ok` (readiness).
//! - [`serve_with`] adds the routes it is given (the status board's `GET /status`).
//! - Any other path answers 404.
//! - Served within [`Limits`] ([`Limits::ENDPOINTS`] in the daemon): a slow or idle client
//!   can neither hold the process after shutdown nor take its descriptors.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::net::TcpListener;

use crate::metrics::{CONTENT_TYPE, Metrics};
use crate::serve::{self, Limits};

/// Whether the daemon has completed its first full reconcile. Clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct Readiness(Arc<AtomicBool>);

impl Readiness {
    /// A flag that starts not ready.
    pub fn new() -> Self {
        Readiness::default()
    }

    /// Marks the daemon ready; `/readyz` answers 200 from now on. Idempotent.
    pub fn set_ready(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// True once [`Self::set_ready`] was called.
    pub fn is_ready(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

#[derive(Clone)]
struct AppState {
    metrics: Metrics,
    readiness: Readiness,
}

/// The endpoints as an axum router, for embedding or testing without a socket.
pub(crate) fn router(metrics: Metrics, readiness: Readiness) -> Router {
    Router::new()
        .route("/metrics", get(metrics_handler))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(AppState { metrics, readiness })
}

/// Serves the endpoints on `listener` within `limits` until `shutdown` completes, then
/// finishes the requests in progress (within the limits' shutdown grace) and returns.
///
/// # Errors
/// Only if accepting connections fails for good; errors of single connections are not returned.
pub async fn serve(
    listener: TcpListener,
    metrics: Metrics,
    readiness: Readiness,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(
        listener,
        metrics,
        readiness,
        Router::new(),
        limits,
        shutdown,
    )
    .await
}

/// [`serve`], with `extra` routes merged in (`crate::status::http::router`), under the same
/// limits.
///
/// # Errors
/// As [`serve`].
pub async fn serve_with(
    listener: TcpListener,
    metrics: Metrics,
    readiness: Readiness,
    extra: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = router(metrics, readiness).merge(extra);
    serve::serve(listener, router, limits, shutdown).await
}

async fn metrics_handler(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        state.metrics.encode(),
    )
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.readiness.is_ready() {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
    }
}
