//! Request-rate limiting per provider account and region: a token bucket whose rate adapts to
//! throttling (AIMD).
//!
//! # Rules
//! - Every (provider, access key id, region) has its own bucket: providers throttle per account
//!   and region, so one busy account never slows another down.
//! - A bucket starts full at the configured maximum rate and holds at most one second's worth
//!   of tokens (`burst = rate`), so an idle process may send that many requests at once.
//! - Each request takes one token; when none is left it waits until the refill covers it
//!   (reservations may drive the balance negative, which queues callers fairly in arrival
//!   order without a lock held across the wait).
//! - A throttling answer (429, 503: COS `SlowDown`, OSS `QpsLimitExceeded`/`Throttling`) halves
//!   the rate, at most once per [`RateSettings::decrease_interval`] (requests already in flight
//!   when the first throttle arrives report the same congestion, not a new one), never below
//!   [`RateSettings::min_rate`].
//! - Every other answer below 500 adds [`RateSettings::increase_step`] back, up to the maximum;
//!   transport errors and other 5xx leave the rate alone.
//!
//! The core ([`TokenBucket`]) takes the time as an argument; [`RateLimiter`] reads a clock that
//! tests replace.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::model::{BucketKey, Provider};
use crate::provider::Credentials;

/// Whose rate a request counts against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RateKey {
    /// Whose API the requests call.
    pub provider: Provider,
    /// The access key id (an identifier, not a secret).
    pub account: String,
    /// The bucket's region; each region's quota is separate.
    pub region: String,
}

impl RateKey {
    /// The key of `provider`'s `account` (an access key id) in `region`.
    pub fn new(provider: Provider, account: impl Into<String>, region: impl Into<String>) -> Self {
        RateKey {
            provider,
            account: account.into(),
            region: region.into(),
        }
    }

    /// The account and region `bucket`'s requests count against, signed with `credentials`.
    pub fn for_bucket(credentials: &Credentials, bucket: &BucketKey) -> Self {
        RateKey::new(
            bucket.provider,
            credentials.access_key_id.clone(),
            bucket.region.clone(),
        )
    }
}

/// How fast requests may go and how the rate adapts.
#[derive(Debug, Clone, PartialEq)]
pub struct RateSettings {
    /// Requests per second when nothing is throttled; also the burst size.
    pub(crate) max_rate: f64,
    /// The rate never drops below this, however often the provider throttles.
    pub(crate) min_rate: f64,
    /// Requests per second added back by each answer that is not throttling.
    pub(crate) increase_step: f64,
    /// Throttling answers closer together than this halve the rate only once.
    pub(crate) decrease_interval: Duration,
}

impl RateSettings {
    /// Settings for a maximum of `max_rate` requests per second: the floor is 1/s (or the
    /// maximum when lower), and recovery adds 2 % of the maximum per successful answer, so
    /// about 25 successes restore a halved rate.
    pub fn with_max_rate(max_rate: f64) -> Self {
        let max_rate = if max_rate.is_finite() && max_rate > 0.0 {
            max_rate
        } else {
            1.0
        };
        RateSettings {
            max_rate,
            min_rate: max_rate.min(1.0),
            increase_step: max_rate * 0.02,
            decrease_interval: Duration::from_millis(500),
        }
    }
}

/// What an answer says about the provider's load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Feedback {
    /// 429 or 503: slow down.
    Throttled,
    /// Any other answer below 500: the provider coped.
    Accepted,
    /// No answer (transport error) or another server error: says nothing about the rate.
    NoAnswer,
}

impl Feedback {
    /// The feedback an HTTP status carries.
    pub(crate) fn from_status(status: u16) -> Feedback {
        match status {
            429 | 503 => Feedback::Throttled,
            500.. => Feedback::NoAnswer,
            _ => Feedback::Accepted,
        }
    }
}

/// The pure token bucket of one key.
#[derive(Debug, Clone)]
pub(crate) struct TokenBucket {
    rate: f64,
    tokens: f64,
    refilled_at: Instant,
    last_decrease: Option<Instant>,
}

impl TokenBucket {
    /// A full bucket at the maximum rate.
    pub(crate) fn new(settings: &RateSettings, now: Instant) -> Self {
        TokenBucket {
            rate: settings.max_rate,
            tokens: settings.max_rate,
            refilled_at: now,
            last_decrease: None,
        }
    }

    /// The current rate in requests per second.
    pub(crate) fn rate(&self) -> f64 {
        self.rate
    }

    /// Takes one token and returns how long the caller must wait before sending.
    pub(crate) fn reserve(&mut self, now: Instant) -> Duration {
        self.refill(now);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.rate)
        }
    }

    /// Adapts the rate to an answer.
    pub(crate) fn feedback(&mut self, settings: &RateSettings, feedback: Feedback, now: Instant) {
        self.refill(now);
        match feedback {
            Feedback::Throttled => {
                let recent = self.last_decrease.is_some_and(|at| {
                    now.saturating_duration_since(at) < settings.decrease_interval
                });
                if !recent {
                    self.rate = (self.rate / 2.0).max(settings.min_rate);
                    self.tokens = self.tokens.min(self.rate);
                    self.last_decrease = Some(now);
                }
            }
            Feedback::Accepted => {
                self.rate = (self.rate + settings.increase_step).min(settings.max_rate);
            }
            Feedback::NoAnswer => {}
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now
            .saturating_duration_since(self.refilled_at)
            .as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.rate);
        self.refilled_at = self.refilled_at.max(now);
    }
}

/// The time source of a [`RateLimiter`]; tests pass a fake one.
pub(crate) type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// Token buckets for every key, shared by all clients of a process.
pub struct RateLimiter {
    settings: RateSettings,
    buckets: Mutex<HashMap<RateKey, TokenBucket>>,
    clock: Clock,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl RateLimiter {
    /// A limiter on the real monotonic clock.
    pub fn new(settings: RateSettings) -> Self {
        Self::with_clock(settings, Arc::new(Instant::now))
    }

    /// A limiter reading `clock` (tests).
    pub fn with_clock(settings: RateSettings, clock: Clock) -> Self {
        RateLimiter {
            settings,
            buckets: Mutex::new(HashMap::new()),
            clock,
        }
    }

    /// The rates this limiter adapts between, the same for every key.
    pub fn settings(&self) -> &RateSettings {
        &self.settings
    }

    /// Takes a token for `key` and returns the wait before sending (no sleeping here).
    pub(crate) fn reserve(&self, key: &RateKey) -> Duration {
        let now = (self.clock)();
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(bucket) = buckets.get_mut(key) {
            return bucket.reserve(now);
        }
        let mut bucket = TokenBucket::new(&self.settings, now);
        let wait = bucket.reserve(now);
        buckets.insert(key.clone(), bucket);
        wait
    }

    /// Waits until a request for `key` may be sent.
    pub(crate) async fn acquire(&self, key: &RateKey) {
        let wait = self.reserve(key);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// Adapts `key`'s rate to an answer.
    pub(crate) fn feedback(&self, key: &RateKey, feedback: Feedback) {
        let now = (self.clock)();
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(bucket) = buckets.get_mut(key) {
            bucket.feedback(&self.settings, feedback, now);
        }
    }

    /// The current rate of `key` (the maximum for a key not seen yet).
    pub fn rate(&self, key: &RateKey) -> f64 {
        let buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        buckets
            .get(key)
            .map_or(self.settings.max_rate, TokenBucket::rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_clock() -> (Clock, Arc<Mutex<Instant>>) {
        let now = Arc::new(Mutex::new(Instant::now()));
        let reader = now.clone();
        (Arc::new(move || *reader.lock().unwrap()), now)
    }

    fn advance(now: &Mutex<Instant>, by: Duration) {
        let mut t = now.lock().unwrap();
        *t += by;
    }

    fn key(account: &str, region: &str) -> RateKey {
        RateKey::new(Provider::COS, account, region)
    }

    #[test]
    fn a_full_bucket_lets_one_seconds_worth_through_then_spaces_requests_by_the_rate() {
        let (clock, _now) = fake_clock();
        let limiter = RateLimiter::with_clock(RateSettings::with_max_rate(10.0), clock);
        let k = key("AKID1", "ap-guangzhou");
        for _ in 0..10 {
            assert_eq!(limiter.reserve(&k), Duration::ZERO);
        }
        let waits: Vec<Duration> = (0..3).map(|_| limiter.reserve(&k)).collect();
        assert_eq!(waits, [100, 200, 300].map(Duration::from_millis));
    }

    #[test]
    fn sustained_throughput_never_exceeds_the_rate() {
        let (clock, now) = fake_clock();
        let limiter = RateLimiter::with_clock(RateSettings::with_max_rate(50.0), clock);
        let k = key("AKID1", "ap-guangzhou");
        // Send as fast as allowed for 10 simulated seconds.
        let start = *now.lock().unwrap();
        let mut sent = 0;
        while now.lock().unwrap().duration_since(start) < Duration::from_secs(10) {
            let wait = limiter.reserve(&k);
            advance(&now, wait);
            sent += 1;
        }
        // 50 burst + 50/s for 10 s, within one request.
        assert!((549..=551).contains(&sent), "{sent}");
    }

    #[test]
    fn throttling_halves_the_rate_once_per_interval_and_never_below_the_floor() {
        let (clock, now) = fake_clock();
        let limiter = RateLimiter::with_clock(RateSettings::with_max_rate(100.0), clock);
        let k = key("AKID1", "ap-guangzhou");
        limiter.reserve(&k);
        limiter.feedback(&k, Feedback::Throttled);
        assert_eq!(limiter.rate(&k), 50.0);
        limiter.feedback(&k, Feedback::Throttled);
        assert_eq!(limiter.rate(&k), 50.0, "same congestion episode");
        for _ in 0..20 {
            advance(&now, Duration::from_secs(1));
            limiter.feedback(&k, Feedback::Throttled);
        }
        assert_eq!(limiter.rate(&k), 1.0);
    }

    #[test]
    fn successes_restore_the_rate_gradually_up_to_the_maximum() {
        let (clock, now) = fake_clock();
        let limiter = RateLimiter::with_clock(RateSettings::with_max_rate(100.0), clock);
        let k = key("AKID1", "ap-guangzhou");
        limiter.reserve(&k);
        limiter.feedback(&k, Feedback::Throttled);
        advance(&now, Duration::from_secs(1));
        limiter.feedback(&k, Feedback::Throttled);
        assert_eq!(limiter.rate(&k), 25.0);
        limiter.feedback(&k, Feedback::Accepted);
        assert_eq!(limiter.rate(&k), 27.0);
        limiter.feedback(&k, Feedback::NoAnswer);
        assert_eq!(limiter.rate(&k), 27.0, "transport errors say nothing");
        for _ in 0..100 {
            limiter.feedback(&k, Feedback::Accepted);
        }
        assert_eq!(limiter.rate(&k), 100.0);
    }

    #[test]
    fn a_throttled_rate_spaces_requests_further_apart() {
        let (clock, _now) = fake_clock();
        let limiter = RateLimiter::with_clock(RateSettings::with_max_rate(10.0), clock);
        let k = key("AKID1", "ap-guangzhou");
        for _ in 0..10 {
            limiter.reserve(&k);
        }
        limiter.feedback(&k, Feedback::Throttled);
        assert_eq!(limiter.reserve(&k), Duration::from_millis(200));
    }

    #[test]
    fn accounts_regions_and_providers_are_limited_separately() {
        let (clock, _now) = fake_clock();
        let limiter = RateLimiter::with_clock(RateSettings::with_max_rate(2.0), clock);
        let a = key("AKID1", "ap-guangzhou");
        for _ in 0..2 {
            limiter.reserve(&a);
        }
        assert!(limiter.reserve(&a) > Duration::ZERO);
        limiter.feedback(&a, Feedback::Throttled);
        for other in [
            key("AKID2", "ap-guangzhou"),
            key("AKID1", "ap-beijing"),
            RateKey::new(Provider::OSS, "AKID1", "ap-guangzhou"),
        ] {
            assert_eq!(limiter.reserve(&other), Duration::ZERO, "{other:?}");
            assert_eq!(limiter.rate(&other), 2.0, "{other:?}");
        }
    }

    #[test]
    fn throttling_statuses_are_429_and_503_and_other_server_errors_are_neutral() {
        assert_eq!(Feedback::from_status(429), Feedback::Throttled);
        assert_eq!(Feedback::from_status(503), Feedback::Throttled);
        assert_eq!(Feedback::from_status(500), Feedback::NoAnswer);
        for status in [200, 204, 404, 409] {
            assert_eq!(
                Feedback::from_status(status),
                Feedback::Accepted,
                "{status}"
            );
        }
    }
}

#[cfg(test)]
mod timing_tests {
    use super::*;

    #[tokio::test]
    async fn concurrent_callers_share_the_rate() {
        let limiter = Arc::new(RateLimiter::new(RateSettings::with_max_rate(40.0)));
        let k = RateKey::new(Provider::COS, "a", "r");
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let limiter = limiter.clone();
            let k = k.clone();
            tasks.push(tokio::spawn(async move {
                for _ in 0..30 {
                    limiter.acquire(&k).await;
                    limiter.feedback(&k, Feedback::Accepted);
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let took = start.elapsed();
        assert!(
            took < Duration::from_millis(3500),
            "callers are not serialized: {took:?}"
        );
        assert!(
            took > Duration::from_millis(1900),
            "burst of 40 then 40/s for 80 more: {took:?}"
        );
    }
}
