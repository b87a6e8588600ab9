//! Signed HTTP send with retries, shared by every provider client.
//!
//! A [`Transport`] owns one connection pool and sends a provider request until it gets an
//! answer worth returning.
//!
//! # Retry rules
//! - Retried: transport errors (connect, reset, timeout, body cut short), 5xx and 429.
//! - Not retried: every other status (2xx, 3xx, 4xx) is returned at once as a [`RawResponse`],
//!   and a body over [`HttpSettings::max_response_bytes`] is an error at once (a second try
//!   would only fetch the same oversized body).
//! - The wait before retry `n` (0-based) is the crate's [`Backoff`] from `base_delay` up to
//!   `max_delay` with full jitter, raised to the server's `Retry-After` seconds when it asks for
//!   longer, and never above `max_delay`.
//! - The request is rebuilt (and so re-signed with a fresh time) for every attempt.
//! - After the last attempt a 5xx/429 answer is returned as a [`RawResponse`] so the client can
//!   report the provider's error code; a transport error becomes [`ProviderError::Transport`].
//!
//! Nothing here logs or reports a URL or a header: signatures travel in both.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, RETRY_AFTER};

use super::rate_limit::{Feedback, RateKey, RateLimiter};
use super::{Operation, ProviderError};
use crate::backoff::{Backoff, Jitter};
use crate::model::Provider;

/// Timeouts, retry budget and size limits of a [`Transport`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    /// Whole-request budget of one attempt: connect, send, headers and body.
    pub request_timeout: Duration,
    /// Budget for establishing one connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Attempts in total, including the first; `0` is treated as `1`.
    pub max_attempts: u32,
    /// Backoff of the first retry before jitter.
    pub base_delay: Duration,
    /// Upper bound of every wait, including a server's `Retry-After`.
    pub max_delay: Duration,
    /// Largest response body accepted; inventory answers are a few hundred KiB at most.
    pub max_response_bytes: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            max_attempts: 5,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
            max_response_bytes: 8 * 1024 * 1024,
        }
    }
}

/// What one attempt of a request came to, as reported to a [`CallObserver`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttemptOutcome {
    /// The server answered with this status and its whole body was read.
    Status(u16),
    /// No usable answer: connect or TLS failure, reset, timeout, body cut short or oversized.
    TransportError,
}

/// Sees every attempt a [`Transport`] makes, for metrics.
pub trait CallObserver: Send + Sync {
    /// Called once per attempt, after it finished, with the time it took.
    fn on_attempt(
        &self,
        provider: Provider,
        operation: Operation,
        outcome: AttemptOutcome,
        elapsed: Duration,
    );

    /// Called when a failed attempt is about to be retried, before the backoff pause.
    fn on_retry(&self, _provider: Provider, _operation: Operation) {}
}

/// Source of uniform random numbers in `[0, 1)` for backoff jitter; injectable for tests.
pub(crate) type JitterSource = Arc<dyn Fn() -> f64 + Send + Sync>;

impl HttpSettings {
    /// The backoff between attempts: `base_delay` doubling up to `max_delay`.
    pub fn backoff(&self) -> Backoff {
        Backoff::new(self.base_delay, self.max_delay)
    }
}

/// A complete HTTP answer: status, headers and the whole body.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The HTTP status code.
    pub status: u16,
    /// Every response header, as received.
    pub headers: HeaderMap,
    /// The whole body (a [`Transport`] refuses one over [`HttpSettings::max_response_bytes`]).
    pub body: Bytes,
}

impl RawResponse {
    /// True for 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// A header's value when it is present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Why a [`Transport`] could not be created.
#[derive(Debug, thiserror::Error)]
pub enum TransportBuildError {
    /// The TLS client configuration could not be built.
    #[error("cannot configure TLS")]
    Tls(#[source] rustls::Error),
    /// The HTTP client could not be built from the settings.
    #[error("cannot create the HTTP client")]
    Client(#[source] reqwest::Error),
}

/// A pooled HTTP client with the retry loop of this module. Clones share the pool.
#[derive(Clone)]
pub struct Transport {
    client: reqwest::Client,
    settings: HttpSettings,
    jitter: Jitter,
    observer: Option<Arc<dyn CallObserver>>,
    limiter: Option<Arc<RateLimiter>>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("settings", &self.settings)
            .field("observer", &self.observer.is_some())
            .field("limiter", &self.limiter)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// A transport speaking HTTP/1.1 over plain TCP or TLS (rustls with the ring provider).
    ///
    /// Trusted roots are the system's certificates (which honours `SSL_CERT_FILE` /
    /// `SSL_CERT_DIR`, so private-cloud CAs work) plus the Mozilla roots built into the binary,
    /// so a container image without a CA bundle still reaches the public clouds.
    ///
    /// # Errors
    /// When the TLS or HTTP client configuration is rejected.
    pub fn new(settings: HttpSettings) -> Result<Self, TransportBuildError> {
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config()?)
            .timeout(settings.request_timeout)
            .connect_timeout(settings.connect_timeout)
            // Providers answer inventory calls directly; a redirect would carry the signed
            // headers somewhere else.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(TransportBuildError::Client)?;
        Ok(Transport {
            client,
            settings,
            jitter: Jitter::random(),
            observer: None,
            limiter: None,
        })
    }

    /// The same transport with another jitter source (tests pin it).
    pub fn with_jitter(self, jitter: JitterSource) -> Self {
        self.with_backoff_jitter(Jitter::from_arc(jitter))
    }

    /// The same transport drawing its backoff jitter from `jitter`.
    pub(crate) fn with_backoff_jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// The same transport reporting every attempt to `observer`.
    pub fn with_observer(mut self, observer: Arc<dyn CallObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The same transport pacing every attempt of [`Transport::send_limited`] through
    /// `limiter` (shared by all clones, so by every client of the process).
    pub fn with_rate_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// The timeouts, retry budget and limits every [`Transport::send`] obeys.
    pub fn settings(&self) -> &HttpSettings {
        &self.settings
    }

    /// Sends the request `build` makes until it gets an answer worth returning (see the
    /// module's retry rules). `build` runs once per attempt, so each attempt is signed afresh.
    ///
    /// # Errors
    /// - whatever `build` returns, at once;
    /// - [`ProviderError::Transport`] when every attempt failed without an answer, or the
    ///   body was larger than allowed. The message names the failure, never the URL.
    pub async fn send(
        &self,
        provider: Provider,
        operation: Operation,
        bucket: &str,
        build: impl Fn() -> Result<reqwest::Request, ProviderError>,
    ) -> Result<RawResponse, ProviderError> {
        self.send_limited(None, provider, operation, bucket, build)
            .await
    }

    /// [`Transport::send`], counting every attempt against `rate_key`'s rate when the
    /// transport has a rate limiter: each attempt waits for a token first, and its answer
    /// adapts the rate (throttling halves it, other answers restore it).
    ///
    /// # Errors
    /// As [`Transport::send`].
    pub(crate) async fn send_limited(
        &self,
        rate_key: Option<&RateKey>,
        provider: Provider,
        operation: Operation,
        bucket: &str,
        build: impl Fn() -> Result<reqwest::Request, ProviderError>,
    ) -> Result<RawResponse, ProviderError> {
        let limiter = self.limiter.as_deref().zip(rate_key);
        let max_attempts = self.settings.max_attempts.max(1);
        let transport_error =
            |message: String, source: Option<reqwest::Error>| ProviderError::Transport {
                provider,
                operation,
                bucket: bucket.to_string(),
                message,
                source: source.map(|e| Box::new(e) as super::BoxError),
            };
        let mut attempt: u32 = 0;
        loop {
            if let Some((limiter, key)) = limiter {
                limiter.acquire(key).await;
            }
            let request = build()?;
            let started = Instant::now();
            let result = self.attempt(request).await;
            let outcome = match &result {
                Ok(response) => AttemptOutcome::Status(response.status),
                Err(_) => AttemptOutcome::TransportError,
            };
            if let Some((limiter, key)) = limiter {
                let feedback = match outcome {
                    AttemptOutcome::Status(status) => Feedback::from_status(status),
                    AttemptOutcome::TransportError => Feedback::NoAnswer,
                };
                limiter.feedback(key, feedback);
            }
            if let Some(observer) = &self.observer {
                observer.on_attempt(provider, operation, outcome, started.elapsed());
            }
            let is_last = attempt + 1 >= max_attempts;
            let (status, server_wait, error) = match result {
                Ok(response) if !is_retryable_status(response.status) || is_last => {
                    return Ok(response);
                }
                Ok(response) => (Some(response.status), retry_after(&response.headers), None),
                Err(AttemptError::Fatal(message)) => return Err(transport_error(message, None)),
                Err(AttemptError::Retryable(message, source)) if is_last => {
                    return Err(transport_error(
                        format!("{message} (gave up after {max_attempts} attempts)"),
                        Some(source),
                    ));
                }
                Err(AttemptError::Retryable(message, source)) => {
                    let shown = crate::error_chain::Chain(&source).to_string();
                    (None, None, Some(format!("{message}: {shown}")))
                }
            };
            let delay = retry_delay(attempt, &self.settings, self.jitter.draw(), server_wait);
            tracing::warn!(
                provider = provider.as_str(),
                operation = operation.as_str(),
                bucket,
                attempt = attempt + 1,
                max_attempts,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                status,
                error,
                "retrying provider request"
            );
            if let Some(observer) = &self.observer {
                observer.on_retry(provider, operation);
            }
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    async fn attempt(&self, request: reqwest::Request) -> Result<RawResponse, AttemptError> {
        let mut response = self
            .client
            .execute(request)
            .await
            .map_err(|e| AttemptError::Retryable(describe(&e).to_string(), e.without_url()))?;
        let status = response.status().as_u16();
        let limit = self.settings.max_response_bytes;
        let too_large = |size: String| {
            AttemptError::Fatal(format!(
                "response body of {size} bytes is larger than the limit of {limit} bytes"
            ))
        };
        if let Some(length) = response.content_length()
            && length > limit as u64
        {
            return Err(too_large(length.to_string()));
        }
        let headers = std::mem::take(response.headers_mut());
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| {
            AttemptError::Retryable(
                format!("reading the response body: {}", describe(&e)),
                e.without_url(),
            )
        })? {
            if body.len() + chunk.len() > limit {
                return Err(too_large(format!("more than {limit}")));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse {
            status,
            headers,
            body: body.freeze(),
        })
    }
}

/// Why one attempt got no usable answer: what this layer saw, and reqwest's error (URL
/// removed) as the cause.
enum AttemptError {
    Retryable(String, reqwest::Error),
    Fatal(String),
}

/// True for the statuses that mean "try again later": 5xx and 429.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    status >= 500 || status == 429
}

/// The wait before retry `attempt`: the jittered backoff, or the server's `Retry-After` when
/// that is longer, capped at `settings.max_delay`.
pub(crate) fn retry_delay(
    attempt: u32,
    settings: &HttpSettings,
    unit_random: f64,
    server_wait: Option<Duration>,
) -> Duration {
    settings
        .backoff()
        .delay(attempt, unit_random)
        .max(server_wait.unwrap_or_default())
        .min(settings.max_delay)
}

/// `Retry-After` in its delta-seconds form; the HTTP-date form is ignored (neither COS nor
/// OSS sends it, and it would need a trusted clock).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    value.parse::<u64>().ok().map(Duration::from_secs)
}

/// What kind of failure a reqwest error is, in this layer's words (its causes travel as the
/// error's `source`).
fn describe(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else if error.is_body() || error.is_decode() {
        "connection lost while reading the body"
    } else {
        "request failed"
    }
}

/// The TLS configuration of every outgoing HTTPS request (provider APIs, webhooks).
pub(crate) fn tls_config() -> Result<rustls::ClientConfig, TransportBuildError> {
    let mut roots = rustls::RootCertStore::empty();
    // Unreadable system certificates are not fatal: the built-in roots still cover the clouds.
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    roots.add_parsable_certificates(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(TransportBuildError::Tls)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    // HTTP/1.1 only: COS requests carry an explicit Host header that must reach the server as
    // sent (and signed), which HTTP/2's :authority would override.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_raises_the_delay_but_never_above_max() {
        let settings = HttpSettings::default();
        let small = retry_delay(0, &settings, 0.5, Some(Duration::from_secs(3)));
        assert_eq!(small, Duration::from_secs(3));
        let huge = retry_delay(0, &settings, 0.5, Some(Duration::from_secs(3600)));
        assert_eq!(huge, settings.max_delay);
        let shorter = retry_delay(10, &settings, 0.5, Some(Duration::from_secs(1)));
        assert_eq!(shorter, Duration::from_secs(10));
    }

    #[test]
    fn retry_after_reads_seconds_and_ignores_dates() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static(" 7 "));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn only_server_errors_and_throttling_are_retryable() {
        for status in [500, 502, 503, 504, 429] {
            assert!(is_retryable_status(status), "{status}");
        }
        for status in [200, 204, 301, 400, 403, 404, 409] {
            assert!(!is_retryable_status(status), "{status}");
        }
    }

    #[test]
    fn default_settings_match_the_documented_budget() {
        let s = HttpSettings::default();
        assert_eq!(s.max_attempts, 5);
        assert_eq!(s.request_timeout, Duration::from_secs(30));
        assert_eq!(s.max_response_bytes, 8 << 20);
    }

    #[test]
    fn transport_builds_with_the_ring_provider() {
        let transport = Transport::new(HttpSettings::default()).expect("transport");
        assert_eq!(transport.settings().max_attempts, 5);
    }
}
