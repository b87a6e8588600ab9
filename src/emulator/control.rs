//! The emulator's own endpoints under `/_emulator/`, never subject to faults or signatures:
//!
//! - `GET /_emulator/healthz` → `ok` (for scripts waiting for start-up)
//! - `GET /_emulator/stats` → request counts as JSON; `DELETE /_emulator/stats` → reset (204)
//! - `GET /_emulator/faults` → faults in force as JSON; `PUT /_emulator/faults` with a JSON
//!   [`FaultConfig`] body → replace them (200 with the new config, 400 with a message)
//! - `PUT /_emulator/buckets/{provider}/{bucket}` with an optional JSON body
//!   `{"region": "eu-west-1", "tags": {"team": "data"}}` → create the bucket (201), or move
//!   an existing one to `region` and replace its tags when given (200); a new bucket without
//!   `region` lives in the provider's default region, an existing one keeps its own. Answers
//!   `{"provider", "bucket", "region", "created"}`; 400 with a message for an unknown
//!   provider or a body that is not that JSON.
//! - `DELETE /_emulator/buckets/{provider}/{bucket}` → remove the bucket with its
//!   configurations and tags (204), 404 when it does not exist
//!
//! Buckets created here are listed by the providers' bucket-listing calls and exist under
//! strict buckets, while the emulator runs (and across restarts with a state file).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, put};
use serde::Deserialize;

use super::dialect::EmulatedProvider;
use super::dialects;
use super::faults::FaultConfig;
use super::shared::{Shared, lock};
use super::stats::Stats;
use crate::model::Provider;

/// Routes relative to `/_emulator`.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/stats", get(get_stats).delete(reset_stats))
        .route("/faults", get(get_faults).put(put_faults))
        .route(
            "/buckets/{provider}/{bucket}",
            put(put_bucket).delete(delete_bucket),
        )
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

/// The body of `PUT /_emulator/buckets/{provider}/{bucket}`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BucketBody {
    region: Option<String>,
    tags: Option<BTreeMap<String, String>>,
}

fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, format!("{message}\n")).into_response()
}

/// The dialect of the provider named in an admin path, or the message that names the known
/// ones.
fn dialect_for(name: &str) -> Result<&'static dyn EmulatedProvider, String> {
    Provider::from_name(name)
        .and_then(dialects::of)
        .ok_or_else(|| {
            let known: Vec<&str> = dialects::ALL.iter().map(|d| d.provider().as_str()).collect();
            format!(
                "unknown provider {name:?} in /_emulator/buckets/PROVIDER/BUCKET (expected one of {})",
                known.join(", ")
            )
        })
}

async fn put_bucket(
    State(shared): State<Arc<Shared>>,
    Path((provider, bucket)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let dialect = match dialect_for(&provider) {
        Ok(dialect) => dialect,
        Err(message) => return bad_request(message),
    };
    let provider = dialect.provider();
    let parsed: Result<BucketBody, String> = if body.iter().all(u8::is_ascii_whitespace) {
        Ok(BucketBody::default())
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            format!(
                "invalid bucket body for /_emulator/buckets/{provider}/{bucket}: {e} \
                 (expected {{\"region\": \"...\", \"tags\": {{\"key\": \"value\"}}}})"
            )
        })
    };
    let body = match parsed {
        Ok(body) => body,
        Err(message) => return bad_request(message),
    };
    let region = body.region.filter(|r| !r.is_empty());
    match shared.create_bucket(dialect, &bucket, region.as_deref(), body.tags) {
        Ok(created) => {
            let region = lock(&shared.store)
                .bucket_region(provider, &bucket)
                .unwrap_or_default()
                .to_string();
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            let answer = serde_json::json!({
                "provider": provider.as_str(),
                "bucket": bucket,
                "region": region,
                "created": created,
            });
            (status, Json(answer)).into_response()
        }
        Err(error) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{}\n", error.message),
        )
            .into_response(),
    }
}

async fn delete_bucket(
    State(shared): State<Arc<Shared>>,
    Path((provider, bucket)): Path<(String, String)>,
) -> Response {
    let dialect = match dialect_for(&provider) {
        Ok(dialect) => dialect,
        Err(message) => return bad_request(message),
    };
    let provider = dialect.provider();
    match shared.delete_bucket(dialect, &bucket) {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => (
            StatusCode::NOT_FOUND,
            format!("no {provider} bucket {bucket:?} in the emulator\n"),
        )
            .into_response(),
        Err(error) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{}\n", error.message),
        )
            .into_response(),
    }
}
