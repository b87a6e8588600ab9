//! When each bucket is reconciled next: periodic resync, forced runs, and failure backoff.
//!
//! [`BucketScheduler`] is a pure state machine. It never reads the clock and never sleeps: every
//! call takes `now`, and the runner asks it what is due ([`BucketScheduler::take_due`]) and
//! reports back each reconcile's [`Action`] ([`BucketScheduler::finish`]). Randomness (the resync
//! jitter) comes from an injected source, so every decision is reproducible in tests.
//!
//! # Guarantees
//! - A key is never handed out twice before the previous hand-out was finished: no two
//!   reconciles of one bucket run at once.
//! - A key made due while it is in flight ([`BucketScheduler::schedule_now`], a manifest change)
//!   is due again the moment it finishes, whatever the outcome.
//! - A removed key is never handed out again (until it is added back).
//! - After a success the key is due again after the resync interval ± the jitter share; after
//!   `n` consecutive failures it is due after `min(base · 2^(n-1), cap)`; a success resets the
//!   count.
//! - A forced run (manifest change, SIGHUP, new key) overrides a pending backoff: the change
//!   may be the fix.
//! - After [`Action::AwaitChange`] the key is due again after the resync interval ± the jitter
//!   share, and the failure is counted.
//! - A reconcile that finished with [`Action::RequeueAfter`] (work held back, e.g. deletes waiting for
//!   the manifests to settle) is due again after exactly that delay, and resets the failures.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use crate::backoff::Backoff;

/// First retry delay after a failure. One second is the granularity of the providers' request
/// rate limits (COS and OSS throttle per second), so a throttled bucket gets a fresh window.
pub(crate) const DEFAULT_BACKOFF_BASE: Duration = Duration::from_secs(1);

/// Longest retry delay. Five minutes is the default resync interval of `invsync run`
/// (design §1): a failing bucket is never retried less often than a healthy one is re-checked.
pub(crate) const DEFAULT_BACKOFF_CAP: Duration = Duration::from_secs(5 * 60);

/// Default periodic resync interval (`--interval 5m`).
pub(crate) const DEFAULT_RESYNC_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// Share of the resync interval used as jitter (design §4: interval ± 10 %), so buckets added
/// together drift apart instead of hitting the provider in lock step forever.
pub(crate) const DEFAULT_JITTER: f64 = 0.10;

/// Timing parameters of a [`BucketScheduler`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SchedulerConfig {
    /// Delay between two successful reconciles of one key, before jitter.
    pub resync_interval: Duration,
    /// Jitter as a share of `resync_interval`, in `[0, 1)`; the delay is drawn uniformly from
    /// `interval · [1 - jitter, 1 + jitter)`.
    pub jitter: f64,
    /// Delay after the first consecutive failure; doubled for each further one.
    pub backoff_base: Duration,
    /// Upper bound of the failure delay.
    pub backoff_cap: Duration,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            resync_interval: DEFAULT_RESYNC_INTERVAL,
            jitter: DEFAULT_JITTER,
            backoff_base: DEFAULT_BACKOFF_BASE,
            backoff_cap: DEFAULT_BACKOFF_CAP,
        }
    }
}

impl SchedulerConfig {
    /// The failure delay after `failures` consecutive failures (`failures >= 1`).
    ///
    /// The ceiling of the crate's [`Backoff`], without jitter: the resync timer already
    /// spreads buckets apart, and an exact timer lets an operator tell when the next try is.
    pub fn backoff(&self, failures: u32) -> Duration {
        self.failure_backoff().ceiling(failures.saturating_sub(1))
    }

    /// The failure backoff: `backoff_base` doubling up to `backoff_cap`.
    pub(crate) fn failure_backoff(&self) -> Backoff {
        Backoff::new(self.backoff_base, self.backoff_cap)
    }

    /// The resync delay for a uniform random `unit` in `[0, 1)`.
    pub fn jittered_interval(&self, unit: f64) -> Duration {
        let jitter = self.jitter.clamp(0.0, 0.999);
        let unit = unit.clamp(0.0, 1.0);
        self.resync_interval
            .mul_f64(1.0 - jitter + 2.0 * jitter * unit)
    }
}

/// When a key is looked at again: the one decision every reconcile ends with, made by the
/// reconcile itself on success and by [`crate::reconcile::error_policy`] on failure, as
/// kube-runtime's `Action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Done (converged, or only observed): look again after the resync interval ± jitter.
    Resync,
    /// Done for now, with work left that may only be done later (writes waiting for the
    /// manifests to settle): look again after exactly this long.
    RequeueAfter(Duration),
    /// Failed: retry with the key's own exponential backoff.
    Backoff,
    /// Failed in a way an early retry will not fix (a refused plan, a perpetual diff,
    /// credentials refused again and again): counted as a failure, and looked at again after
    /// the resync interval, or at once when the manifests change.
    AwaitChange,
}

impl Action {
    /// Look again after exactly `delay`.
    pub(crate) fn requeue(delay: Duration) -> Action {
        Action::RequeueAfter(delay)
    }

    #[cfg(test)]
    /// Wait for a change (or the resync interval) before looking again; counted as a failure.
    pub(crate) fn await_change() -> Action {
        Action::AwaitChange
    }
}

/// Per-key scheduling state.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    /// When the key is due by time (resync or backoff).
    due: Instant,
    /// Due regardless of `due`: new key, manifest change, SIGHUP.
    forced: bool,
    /// Handed out by `take_due` and not yet finished.
    in_flight: bool,
    /// Removed while in flight: kept only so the running reconcile's key is not handed out
    /// again if it is re-added before that reconcile finishes.
    removed: bool,
    /// Consecutive failures since the last success.
    failures: u32,
}

impl Entry {
    fn new_due_now(now: Instant) -> Self {
        Entry {
            due: now,
            forced: true,
            in_flight: false,
            removed: false,
            failures: 0,
        }
    }

    fn runnable(&self) -> bool {
        !self.in_flight && !self.removed
    }

    /// When this entry wants to run, if it can be handed out at all.
    fn wants_at(&self, now: Instant) -> Option<Instant> {
        if !self.runnable() {
            None
        } else if self.forced {
            Some(now.min(self.due))
        } else {
            Some(self.due)
        }
    }
}

/// A source of uniform random numbers in `[0, 1)`, used only for the resync jitter.
pub(crate) type UnitRandom = Box<dyn FnMut() -> f64 + Send>;

/// Decides when each key (a bucket) is reconciled next. See the [module docs](self) for the
/// guarantees.
pub struct BucketScheduler<K> {
    config: SchedulerConfig,
    random: UnitRandom,
    entries: BTreeMap<K, Entry>,
}

impl<K: fmt::Debug> fmt::Debug for BucketScheduler<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BucketScheduler")
            .field("config", &self.config)
            .field("entries", &self.entries)
            .finish_non_exhaustive()
    }
}

impl<K: Ord + Clone> BucketScheduler<K> {
    /// An empty scheduler. `random` must return uniform values in `[0, 1)`; the daemon passes
    /// `rand::random::<f64>`, tests a fixed sequence.
    pub fn new(config: SchedulerConfig, random: impl FnMut() -> f64 + Send + 'static) -> Self {
        BucketScheduler {
            config,
            random: Box::new(random),
            entries: BTreeMap::new(),
        }
    }

    /// The timing parameters in use.
    pub fn config(&self) -> &SchedulerConfig {
        &self.config
    }

    /// Makes the set of keys equal to `keys`: new keys are due now, keys not in `keys` are
    /// removed (see [`Self::remove`]), others keep their state.
    pub fn set_keys(&mut self, keys: impl IntoIterator<Item = K>, now: Instant) {
        let wanted: BTreeMap<K, ()> = keys.into_iter().map(|k| (k, ())).collect();
        let stale: Vec<K> = self
            .entries
            .keys()
            .filter(|k| !wanted.contains_key(*k))
            .cloned()
            .collect();
        for key in stale {
            self.remove(&key);
        }
        for key in wanted.into_keys() {
            self.insert(key, now);
        }
    }

    /// Adds `key`, due now. A key that is already known keeps its state.
    pub fn insert(&mut self, key: K, now: Instant) {
        match self.entries.get_mut(&key) {
            Some(entry) => {
                if entry.removed {
                    // Re-added while its old reconcile still runs: it runs again afterwards.
                    entry.removed = false;
                    entry.forced = true;
                }
            }
            None => {
                self.entries.insert(key, Entry::new_due_now(now));
            }
        }
    }

    /// Forgets `key`: it is never handed out again. If it is in flight, its coming
    /// [`Self::finish`] is accepted and ignored.
    pub fn remove(&mut self, key: &K) {
        match self.entries.get_mut(key) {
            Some(entry) if entry.in_flight => {
                entry.removed = true;
                entry.forced = false;
            }
            Some(_) => {
                self.entries.remove(key);
            }
            None => {}
        }
    }

    /// Makes `key` due now (manifest change). If it is in flight it runs again as soon as it
    /// finishes. Returns false when the key is unknown.
    pub fn schedule_now(&mut self, key: &K) -> bool {
        match self.entries.get_mut(key) {
            Some(entry) if !entry.removed => {
                entry.forced = true;
                true
            }
            _ => false,
        }
    }

    /// Makes every key due now (SIGHUP, manifest revision change).
    pub fn schedule_all_now(&mut self) {
        for entry in self.entries.values_mut().filter(|e| !e.removed) {
            entry.forced = true;
        }
    }

    /// The earliest time a key not in flight is due, `now` if one already is; `None` when every
    /// key is in flight or there are none.
    ///
    /// A returned time may lie in the past. Even when it is due, [`Self::take_due`] may hand out
    /// nothing because the concurrency limit is reached; the runner then waits for a reconcile
    /// to finish.
    pub fn next_due(&self, now: Instant) -> Option<Instant> {
        self.entries.values().filter_map(|e| e.wants_at(now)).min()
    }

    /// Hands out the keys due at `now`, earliest first (ties in key order), and marks them in
    /// flight. At most `limit` keys are in flight afterwards, counting those already running.
    pub fn take_due(&mut self, now: Instant, limit: usize) -> Vec<K> {
        let room = limit.saturating_sub(self.in_flight_count());
        if room == 0 {
            return Vec::new();
        }
        // Called after every finished reconcile, with the whole fleet due on a first pass:
        // only the `room` earliest are ordered and cloned, not every due key.
        let mut due: Vec<(Instant, &K)> = self
            .entries
            .iter()
            .filter_map(|(k, e)| e.wants_at(now).filter(|at| *at <= now).map(|at| (at, k)))
            .collect();
        if due.len() > room {
            due.select_nth_unstable(room);
            due.truncate(room);
        }
        due.sort_unstable();
        let keys: Vec<K> = due.into_iter().map(|(_, key)| key.clone()).collect();
        for key in &keys {
            if let Some(entry) = self.entries.get_mut(key) {
                entry.in_flight = true;
                entry.forced = false;
            }
        }
        keys
    }

    /// Records how the reconcile of `key` handed out by [`Self::take_due`] ended, and schedules
    /// its next run. Finishing a key that is not in flight (or was removed) changes nothing.
    pub fn finish(&mut self, key: &K, now: Instant, action: Action) {
        let Some(entry) = self.entries.get_mut(key) else {
            return;
        };
        if !entry.in_flight {
            return;
        }
        if entry.removed {
            self.entries.remove(key);
            return;
        }
        entry.in_flight = false;
        match action {
            Action::Resync => {
                entry.failures = 0;
                entry.due = now + self.config.jittered_interval((self.random)());
            }
            Action::Backoff => {
                entry.failures = entry.failures.saturating_add(1);
                entry.due = now + self.config.backoff(entry.failures);
            }
            Action::RequeueAfter(delay) => {
                entry.failures = 0;
                entry.due = now + delay;
            }
            Action::AwaitChange => {
                entry.failures = entry.failures.saturating_add(1);
                entry.due = now + self.config.jittered_interval((self.random)());
            }
        }
    }

    /// Consecutive failures of `key` since its last success; `None` for an unknown key.
    pub fn failures(&self, key: &K) -> Option<u32> {
        self.entries
            .get(key)
            .filter(|e| !e.removed)
            .map(|e| e.failures)
    }

    /// True while `key` is handed out and not finished.
    pub fn is_in_flight(&self, key: &K) -> bool {
        self.entries.get(key).is_some_and(|e| e.in_flight)
    }

    /// Number of keys handed out and not finished (including removed ones still running).
    pub fn in_flight_count(&self) -> usize {
        self.entries.values().filter(|e| e.in_flight).count()
    }

    /// The keys being scheduled, in order (removed keys still running are not listed).
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries
            .iter()
            .filter(|(_, e)| !e.removed)
            .map(|(k, _)| k)
    }

    /// Number of keys being scheduled.
    pub fn len(&self) -> usize {
        self.keys().count()
    }

    /// True when no key is scheduled.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
