//! The emulator's own endpoints under `/_emulator/`, never subject to faults or signatures:
//!
//! - `GET /_emulator/healthz` → `ok` (for scripts waiting for start-up)
//! - `GET /_emulator/stats` → request counts as JSON; `DELETE /_emulator/stats` → reset (204)
//! - `GET /_emulator/faults` → faults in force as JSON; `PUT /_emulator/faults` with a JSON
//!   [`FaultConfig`] body → replace them (200 with the new config, 400 with a message)

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;

use super::faults::FaultConfig;
use super::shared::{Shared, lock};
use super::stats::Stats;

/// Routes relative to `/_emulator`.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/stats", get(get_stats).delete(reset_stats))
        .route("/faults", get(get_faults).put(put_faults))
}

async fn get_stats(State(shared): State<Arc<Shared>>) -> Json<Stats> {
    Json(lock(&shared.stats).snapshot())
}

async fn reset_stats(State(shared): State<Arc<Shared>>) -> StatusCode {
    lock(&shared.stats).reset();
    StatusCode::NO_CONTENT
}

async fn get_faults(State(shared): State<Arc<Shared>>) -> Json<FaultConfig> {
    Json(lock(&shared.faults).config.clone())
}

async fn put_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let parsed = std::str::from_utf8(&body)
        .map_err(|e| format!("invalid fault configuration: {e}"))
        .and_then(FaultConfig::from_json)
        .and_then(|config| {
            shared
                .set_faults(config.clone())
                .map(|()| config)
                .map_err(|e| format!("invalid fault configuration: {e}"))
        });
    match parsed {
        Ok(config) => Json(config).into_response(),
        Err(message) => (StatusCode::BAD_REQUEST, format!("{message}\n")).into_response(),
    }
}
