//! The push hook: `POST /hooks/git` on its own listen address, so that a git push triggers a
//! manifest reload at once instead of at the next poll.
//!
//! # Guarantees
//! - A request is accepted (202) only with a valid proof of the shared secret, one of:
//!   GitHub's `X-Hub-Signature-256: sha256=HEX` (HMAC-SHA256 of the body); GitLab's
//!   `X-Gitlab-Token` (the secret itself); or invsync's own `X-Invsync-Signature-256:
//!   sha256=HEX`, an HMAC-SHA256 of `TIMESTAMP.BODY` with `X-Invsync-Timestamp: TIMESTAMP`
//!   (Unix seconds) within [`MAX_CLOCK_SKEW`]. Comparisons take constant time.
//! - Anything else gets 401. A replay gets 409: GitHub's `X-GitHub-Delivery`, GitLab's
//!   `X-Gitlab-Event-UUID` and invsync's signature are remembered for [`REPLAY_WINDOW`].
//! - At most [`BURST`] requests at once and [`REFILL_PER_SECOND`] per second after that are
//!   looked at; the rest get 429 before any HMAC is computed.
//! - Every request is counted in `invsync_hook_requests_total{outcome}`. The secret never
//!   appears in a log, an error or an answer.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::guarded_file::{self, ReadError};
use crate::metrics::Metrics;

/// How long a delivery id or signature is remembered against replays.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(600);
/// How far an `X-Invsync-Timestamp` may be from the clock.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(300);
/// Requests accepted in a burst.
pub const BURST: f64 = 10.0;
/// Requests per second after a burst. A push needs one; more is a misconfiguration or abuse.
pub const REFILL_PER_SECOND: f64 = 1.0;
/// Remembered ids at most; past this the oldest half is forgotten.
const MAX_REMEMBERED: usize = 10_000;
/// Largest hook secret file read; a secret is tens of bytes.
pub const MAX_SECRET_FILE_BYTES: u64 = 64 * 1024;

/// The shared secret. Its `Debug` shows nothing of it.
#[derive(Clone)]
pub struct HookSecret(Arc<Vec<u8>>);

impl std::fmt::Debug for HookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HookSecret(******)")
    }
}

/// Why the hook cannot start.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// The secret file cannot be read.
    #[error("cannot read the hook secret file {} (--hook-secret-file)", path.display())]
    ReadSecret {
        path: PathBuf,
        #[source]
        source: ReadError,
    },
    /// The secret file is empty.
    #[error("the hook secret file {} (--hook-secret-file) is empty; put a random secret in it", path.display())]
    EmptySecret { path: PathBuf },
}

impl HookSecret {
    /// The secret in `path`, without a trailing newline.
    ///
    /// # Errors
    /// The file cannot be read, is not a regular file, is larger than
    /// [`MAX_SECRET_FILE_BYTES`] or holds nothing.
    pub fn from_file(path: &Path) -> Result<HookSecret, HookError> {
        let text = guarded_file::read(path, MAX_SECRET_FILE_BYTES).map_err(|source| {
            HookError::ReadSecret {
                path: path.to_path_buf(),
                source,
            }
        })?;
        let trimmed = text.trim_ascii_end();
        if trimmed.is_empty() {
            return Err(HookError::EmptySecret {
                path: path.to_path_buf(),
            });
        }
        Ok(HookSecret(Arc::new(trimmed.to_vec())))
    }

    /// A secret from bytes (tests, embedding).
    pub fn new(secret: impl Into<Vec<u8>>) -> HookSecret {
        HookSecret(Arc::new(secret.into()))
    }

    fn mac(&self, parts: &[&[u8]]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .expect("HMAC accepts any key length");
        for part in parts {
            mac.update(part);
        }
        mac
    }

    /// True when `header` is `sha256=HEX` of the HMAC of `parts` concatenated.
    fn verify(&self, header: &str, parts: &[&[u8]]) -> bool {
        let Some(hex_digest) = header.trim().strip_prefix("sha256=") else {
            return false;
        };
        let Ok(digest) = hex::decode(hex_digest) else {
            return false;
        };
        self.mac(parts).verify_slice(&digest).is_ok()
    }

    /// `sha256=HEX` for `parts` (what a sender puts in a signature header).
    pub fn sign(&self, parts: &[&[u8]]) -> String {
        format!(
            "sha256={}",
            hex::encode(self.mac(parts).finalize().into_bytes())
        )
    }

    fn equals(&self, token: &[u8]) -> bool {
        // Constant time in the token's content: compare HMACs of both sides.
        self.mac(&[token])
            .verify_slice(&self.mac(&[&self.0]).finalize().into_bytes())
            .is_ok()
    }
}

/// How a request was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Valid and not seen before.
    Accepted,
    /// No valid proof of the secret.
    Unauthorized,
    Replayed,
}

impl Verdict {
    fn as_str(self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::Unauthorized => "unauthorized",
            Verdict::Replayed => "replayed",
        }
    }
}

/// A request without a valid proof of the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unauthorized;

/// Judges one request: which proof it carries, whether it holds, and the id that identifies
/// it against replays. Pure: `now_unix` is the clock.
pub fn authenticate(
    secret: &HookSecret,
    headers: &HeaderMap,
    body: &[u8],
    now_unix: u64,
) -> Result<Option<String>, Unauthorized> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(signature) = header("x-hub-signature-256") {
        if !secret.verify(signature, &[body]) {
            return Err(Unauthorized);
        }
        return Ok(header("x-github-delivery").map(|id| format!("github:{id}")));
    }
    if let Some(token) = header("x-gitlab-token") {
        if !secret.equals(token.as_bytes()) {
            return Err(Unauthorized);
        }
        return Ok(header("x-gitlab-event-uuid").map(|id| format!("gitlab:{id}")));
    }
    if let (Some(signature), Some(timestamp)) = (
        header("x-invsync-signature-256"),
        header("x-invsync-timestamp"),
    ) {
        let Ok(at) = timestamp.trim().parse::<u64>() else {
            return Err(Unauthorized);
        };
        if now_unix.abs_diff(at) > MAX_CLOCK_SKEW.as_secs() {
            return Err(Unauthorized);
        }
        if !secret.verify(signature, &[timestamp.trim().as_bytes(), b".", body]) {
            return Err(Unauthorized);
        }
        return Ok(Some(format!("invsync:{}", signature.trim())));
    }
    Err(Unauthorized)
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

    /// True when `id` was not seen within the window; remembers it.
    fn first_sighting(&self, id: &str, now: Instant) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.retain(|_, at| now.duration_since(*at) < REPLAY_WINDOW);
        if seen.len() >= MAX_REMEMBERED {
            let mut times: Vec<Instant> = seen.values().copied().collect();
            times.sort();
            let cut = times[times.len() / 2];
            seen.retain(|_, at| *at > cut);
        }
        seen.insert(id.to_string(), now).is_none()
    }
}

/// The hook endpoint as a router; each accepted request sends one message on `trigger`.
pub fn router(secret: HookSecret, trigger: mpsc::UnboundedSender<()>, metrics: Metrics) -> Router {
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

/// Serves the hook on `listener` until `shutdown` completes.
///
/// # Errors
/// Only if accepting connections fails for good.
pub async fn serve(
    listener: TcpListener,
    secret: HookSecret,
    trigger: mpsc::UnboundedSender<()>,
    metrics: Metrics,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(secret, trigger, metrics))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn hook(
    State(state): State<Arc<HookState>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let now = Instant::now();
    if !state.take_token(now) {
        state.metrics.record_hook_request("rate_limited");
        return (StatusCode::TOO_MANY_REQUESTS, "too many requests\n");
    }
    let unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let verdict = match authenticate(&state.secret, &headers, &body, unix) {
        Err(Unauthorized) => Verdict::Unauthorized,
        Ok(Some(id)) if !state.first_sighting(&id, now) => Verdict::Replayed,
        Ok(_) => Verdict::Accepted,
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn github_signatures_match_githubs_documented_example() {
        // docs.github.com "Validating webhook deliveries": secret "It's a Secret to
        // Everybody", payload "Hello, World!".
        let secret = HookSecret::new("It's a Secret to Everybody");
        let expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert_eq!(secret.sign(&[b"Hello, World!"]), expected);
        let ok = headers(&[
            ("x-hub-signature-256", expected),
            ("x-github-delivery", "d1"),
        ]);
        assert_eq!(
            authenticate(&secret, &ok, b"Hello, World!", 0),
            Ok(Some("github:d1".to_string()))
        );
        assert_eq!(
            authenticate(&secret, &ok, b"Hello, World?", 0),
            Err(Unauthorized)
        );
    }

    #[test]
    fn gitlab_tokens_must_equal_the_secret() {
        let secret = HookSecret::new("s3cret");
        let ok = headers(&[("x-gitlab-token", "s3cret")]);
        assert_eq!(authenticate(&secret, &ok, b"{}", 0), Ok(None));
        let bad = headers(&[("x-gitlab-token", "s3cre")]);
        assert_eq!(authenticate(&secret, &bad, b"{}", 0), Err(Unauthorized));
    }

    #[test]
    fn generic_signatures_cover_the_timestamp_and_expire() {
        let secret = HookSecret::new("s3cret");
        let signature = secret.sign(&[b"1000", b".", b"{}"]);
        let ok = headers(&[
            ("x-invsync-signature-256", &signature),
            ("x-invsync-timestamp", "1000"),
        ]);
        assert!(authenticate(&secret, &ok, b"{}", 1100).is_ok());
        assert_eq!(
            authenticate(&secret, &ok, b"{}", 1000 + 301),
            Err(Unauthorized)
        );
        let moved = headers(&[
            ("x-invsync-signature-256", &signature),
            ("x-invsync-timestamp", "1001"),
        ]);
        assert_eq!(
            authenticate(&secret, &moved, b"{}", 1000),
            Err(Unauthorized)
        );
    }

    #[test]
    fn no_proof_is_unauthorized() {
        let secret = HookSecret::new("s3cret");
        assert_eq!(
            authenticate(&secret, &HeaderMap::new(), b"{}", 0),
            Err(Unauthorized)
        );
        let garbage = headers(&[("x-hub-signature-256", "sha256=zz")]);
        assert_eq!(authenticate(&secret, &garbage, b"{}", 0), Err(Unauthorized));
    }

    #[test]
    fn the_secret_never_shows_in_debug_output() {
        assert_eq!(
            format!("{:?}", HookSecret::new("s3cret")),
            "HookSecret(******)"
        );
    }
}
