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
//! - `GET /_emulator/clock` → `{"now": "<RFC 3339>", "offsetSeconds": N}`: the emulator's
//!   time, which report delivery runs on; `POST /_emulator/clock` with
//!   `{"advanceSeconds": N}` → moves it forward (never back) and delivers every report that
//!   falls due, answering as GET. Signature time checks keep using real time.
//! - `PUT /_emulator/objects/{provider}/{bucket}/{key…}` with the raw object as body → writes
//!   (or overwrites: tampering) the object, creating the bucket when new (201); answers
//!   `{"key", "size", "etag"}`
//! - `PUT /_emulator/roles/{provider}/{uid}/{role}` → marks the RAM role
//!   `acs:ram::{uid}:role/{role}` as allowed to write inventory reports (OSS delivery,
//!   204); `DELETE` → no longer (204)
//! - `GET /_emulator/deliveries` → every report delivery made or refused, in order, as JSON
//!   `{"made": N, "refused": N, "byProvider": {"s3": {"made": N, "refused": N}, …},
//!   "deliveries": [{"provider", "sourceBucket", "configId", "destinationBucket",
//!   "scheduled", "manifestKey"?, "delivered", "reason"?}]}`; object and bucket-policy calls
//!   are counted in `/_emulator/stats` under `object_requests`
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
        .route("/clock", get(get_clock).post(advance_clock))
        .route("/objects/{provider}/{bucket}/{*key}", put(put_object))
        .route(
            "/roles/{provider}/{uid}/{role}",
            put(allow_role).delete(disallow_role),
        )
        .route("/deliveries", get(get_deliveries))
}

fn clock_answer(now: std::time::SystemTime) -> Response {
    let offset = now
        .duration_since(std::time::SystemTime::now())
        .map_or(0, |d| d.as_secs());
    Json(serde_json::json!({
        "now": super::clock::iso8601(now),
        "offsetSeconds": offset,
    }))
    .into_response()
}

async fn get_clock(State(shared): State<Arc<Shared>>) -> Response {
    let now = shared.emulator_now();
    clock_answer(now)
}

/// The body of `POST /_emulator/clock`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct AdvanceBody {
    advance_seconds: u64,
}

async fn advance_clock(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let parsed: AdvanceBody = match serde_json::from_slice(&body) {
        Ok(parsed) => parsed,
        Err(e) => {
            return bad_request(format!(
                "invalid clock body: {e} (expected {{\"advanceSeconds\": N}} with N ≥ 0)"
            ));
        }
    };
    let worker = Arc::clone(&shared);
    let now = tokio::task::spawn_blocking(move || {
        worker.advance_clock(std::time::Duration::from_secs(parsed.advance_seconds))
    })
    .await
    .unwrap_or_else(|_| shared.emulator_now());
    clock_answer(now)
}

async fn put_object(
    State(shared): State<Arc<Shared>>,
    Path((provider, bucket, key)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let dialect = match dialect_for(&provider) {
        Ok(dialect) => dialect,
        Err(message) => return bad_request(message),
    };
    let etag = super::report::layout::md5_hex(&body);
    let size = body.len();
    match shared.put_object(dialect, &bucket, &key, body.to_vec()) {
        Ok(()) => (
            StatusCode::CREATED,
            Json(serde_json::json!({"key": key, "size": size, "etag": etag})),
        )
            .into_response(),
        Err(error) => (
            StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            format!("{}\n", error.message),
        )
            .into_response(),
    }
}

async fn allow_role(
    State(shared): State<Arc<Shared>>,
    Path((provider, uid, role)): Path<(String, String, String)>,
) -> Response {
    set_role(&shared, &provider, &uid, &role, true)
}

async fn disallow_role(
    State(shared): State<Arc<Shared>>,
    Path((provider, uid, role)): Path<(String, String, String)>,
) -> Response {
    set_role(&shared, &provider, &uid, &role, false)
}

fn set_role(shared: &Shared, provider: &str, uid: &str, role: &str, allowed: bool) -> Response {
    let dialect = match dialect_for(provider) {
        Ok(dialect) => dialect,
        Err(message) => return bad_request(message),
    };
    lock(&shared.deliveries).set_role(dialect.provider(), uid, role, allowed);
    StatusCode::NO_CONTENT.into_response()
}

async fn get_deliveries(State(shared): State<Arc<Shared>>) -> Response {
    let deliveries = lock(&shared.deliveries).log.clone();
    let made = deliveries.iter().filter(|d| d.delivered).count();
    let mut by_provider = serde_json::Map::new();
    for dialect in dialects::ALL {
        let provider = dialect.provider();
        let (made, refused) =
            deliveries
                .iter()
                .filter(|d| d.provider == provider)
                .fold(
                    (0, 0),
                    |(m, r), d| if d.delivered { (m + 1, r) } else { (m, r + 1) },
                );
        by_provider.insert(
            provider.as_str().to_string(),
            serde_json::json!({"made": made, "refused": refused}),
        );
    }
    Json(serde_json::json!({
        "made": made,
        "refused": deliveries.len() - made,
        "byProvider": by_provider,
        "deliveries": deliveries,
    }))
    .into_response()
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
