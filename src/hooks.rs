//! The push hook: `POST /hooks/git` on its own listen address, so that a git push triggers a
//! manifest reload at once instead of at the next poll.
//!
//! # Guarantees
//! - A request is accepted (202) only with a valid proof of the shared secret, one of:
//!   GitHub's `X-Hub-Signature-256: sha256=HEX` (HMAC-SHA256 of the body); GitLab's
//!   `X-Gitlab-Token` (the secret itself); or invsync's own `X-Invsync-Signature-256:
//!   sha256=HEX`, an HMAC-SHA256 of `TIMESTAMP.BODY` with `X-Invsync-Timestamp: TIMESTAMP`
//!   (Unix seconds) within [`MAX_CLOCK_SKEW`]. Comparisons take constant time.
//! - Anything else gets 401. A replay gets 409: what the proof covers (the signature's MAC,
//!   or for a GitLab token the body's SHA-256) is remembered for [`REPLAY_WINDOW`], so a
//!   re-sent capture is a replay whatever its delivery id or the case of its hex.
//! - At most [`BURST`] requests at once and [`REFILL_PER_SECOND`] per second after that are
//!   looked at; the rest get 429 before the body is read or any HMAC computed.
//! - The body streams through the HMAC and is never held; one longer than
//!   [`Limits::HOOK`]`.max_body_bytes` gets 413. The listener's other limits are
//!   [`crate::serve`]'s.
//! - Every request is counted in `invsync_hook_requests_total{outcome}`. The secret never
//!   appears in a log, an error or an answer.

mod proof;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use http_body_util::BodyExt as _;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

pub use self::proof::{
    HookError, HookSecret, MAX_CLOCK_SKEW, MAX_SECRET_FILE_BYTES, Proof, Unauthorized, authenticate,
};
use crate::metrics::Metrics;
use crate::serve::{self, Limits};

/// How long a signature (or a GitLab body) is remembered against replays.
pub(crate) const REPLAY_WINDOW: Duration = Duration::from_secs(600);
/// Requests accepted in a burst.
pub(crate) const BURST: f64 = 10.0;
/// Requests per second after a burst. A push needs one; more is a misconfiguration or abuse.
pub(crate) const REFILL_PER_SECOND: f64 = 1.0;
/// Remembered keys at most; past this the oldest half is forgotten.
const MAX_REMEMBERED: usize = 10_000;

/// How a request was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Valid and not seen before.
    Accepted,
    /// No valid proof of the secret.
    Unauthorized,
    /// Valid, and its signed content was accepted within [`REPLAY_WINDOW`].
    Replayed,
    /// The body is longer than [`Limits::HOOK`] allows.
    TooLarge,
    /// The body broke off (the client went away or was too slow).
    Unreadable,
}

impl Verdict {
    fn as_str(self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::Unauthorized => "unauthorized",
            Verdict::Replayed => "replayed",
            Verdict::TooLarge => "too_large",
            Verdict::Unreadable => "unreadable",
        }
    }
}

/// A token bucket.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

struct HookState {
    secret: HookSecret,
    trigger: mpsc::UnboundedSender<()>,
    metrics: Metrics,
    bucket: Mutex<Bucket>,
    seen: Mutex<HashMap<String, Instant>>,
}

impl HookState {
    fn take_token(&self, now: Instant) -> bool {
        let mut bucket = self.bucket.lock().unwrap_or_else(|p| p.into_inner());
        let refill = now.duration_since(bucket.at).as_secs_f64() * REFILL_PER_SECOND;
        bucket.tokens = (bucket.tokens + refill).min(BURST);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// True when `key` was not seen within the window; remembers it.
    fn first_sighting(&self, key: &str, now: Instant) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.retain(|_, at| now.duration_since(*at) < REPLAY_WINDOW);
        if seen.len() >= MAX_REMEMBERED {
            let mut times: Vec<Instant> = seen.values().copied().collect();
            times.sort();
            let cut = times[times.len() / 2];
            seen.retain(|_, at| *at > cut);
        }
        seen.insert(key.to_string(), now).is_none()
    }
}

/// The hook endpoint as a router; each accepted request sends one message on `trigger`.
pub(crate) fn router(
    secret: HookSecret,
    trigger: mpsc::UnboundedSender<()>,
    metrics: Metrics,
) -> Router {
    let state = HookState {
        secret,
        trigger,
        metrics,
        bucket: Mutex::new(Bucket {
            tokens: BURST,
            at: Instant::now(),
        }),
        seen: Mutex::new(HashMap::new()),
    };
    Router::new()
        .route("/hooks/git", post(hook))
        .with_state(Arc::new(state))
}

/// Serves the hook on `listener` within `limits` until `shutdown` completes.
///
/// # Errors
/// Only if accepting connections fails for good.
pub async fn serve(
    listener: TcpListener,
    secret: HookSecret,
    trigger: mpsc::UnboundedSender<()>,
    metrics: Metrics,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve::serve(listener, router(secret, trigger, metrics), limits, shutdown).await
}

async fn hook(
    State(state): State<Arc<HookState>>,
    headers: HeaderMap,
    body: Body,
) -> (StatusCode, &'static str) {
    let now = Instant::now();
    // Before anything is read or computed, so a flood costs neither.
    if !state.take_token(now) {
        state.metrics.record_hook_request("rate_limited");
        return (StatusCode::TOO_MANY_REQUESTS, "too many requests\n");
    }
    let unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let verdict = match Proof::from_headers(&state.secret, &headers, unix) {
        Err(Unauthorized) => Verdict::Unauthorized,
        Ok(proof) => match check_body(proof, body).await {
            Err(verdict) | Ok(Err(verdict)) => verdict,
            Ok(Ok(key)) if !state.first_sighting(&key, now) => Verdict::Replayed,
            Ok(Ok(_)) => Verdict::Accepted,
        },
    };
    state.metrics.record_hook_request(verdict.as_str());
    match verdict {
        Verdict::Accepted => {
            tracing::info!(
                delivery = headers
                    .get("x-github-delivery")
                    .or_else(|| headers.get("x-gitlab-event-uuid"))
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or(""),
                "push hook accepted; reloading the manifests"
            );
            let _ = state.trigger.send(());
            (StatusCode::ACCEPTED, "reload requested\n")
        }
        Verdict::Unauthorized => {
            tracing::warn!("push hook request with a missing or invalid signature");
            (StatusCode::UNAUTHORIZED, "missing or invalid signature\n")
        }
        Verdict::Replayed => {
            tracing::warn!("push hook request replayed; ignored");
            (StatusCode::CONFLICT, "delivery already received\n")
        }
        Verdict::TooLarge => {
            tracing::warn!("push hook request body too large; ignored");
            (StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n")
        }
        Verdict::Unreadable => {
            tracing::warn!("push hook request body broke off; ignored");
            (StatusCode::BAD_REQUEST, "request body unreadable\n")
        }
    }
}

/// Streams `body` through `proof`, holding one piece at a time; the replay key of a valid
/// proof, or why the request fails.
async fn check_body(mut proof: Proof, mut body: Body) -> Result<Result<String, Verdict>, Verdict> {
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|error| {
            if serve::is_body_too_large(&error) {
                Verdict::TooLarge
            } else {
                Verdict::Unreadable
            }
        })?;
        if let Some(data) = frame.data_ref() {
            proof.update(data);
        }
    }
    Ok(proof.finish().map_err(|Unauthorized| Verdict::Unauthorized))
}
