//! The daemon's delivery checks: after a bucket's reconcile, the reports of each of its
//! configurations that is due are looked at ([`crate::delivery::check`]), at most once per
//! schedule period per configuration.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use super::clients::Clients;
use super::outcome::Reconciled;
use crate::delivery::{self, Configuration, DeliveryTracker, PolicyCache};
use crate::model::{DeliveryHealth, DesiredBucket, DesiredState};

/// Reads the current wall-clock time. Injectable, so that tests can move the checks' time
/// with an emulator's clock.
pub type WallClock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// What the daemon's delivery checks share across passes: which configuration was looked at
/// when, and what was found. Cheap to clone into a reconcile task.
///
/// # Guarantees
/// - A configuration's reports are read at most once per schedule period (plus once when its
///   next report turns late), whatever the resync interval: see [`DeliveryTracker`].
/// - Only enabled configurations of a bucket whose reconcile left it in sync are looked at: a
///   drifted or failed bucket is reported as such first, and a disabled configuration is due
///   no report.
/// - A destination's policy is read at most once per [`POLICY_REUSE`] window, whatever the
///   number of buckets delivering there.
/// - Nothing is written, ever; every call goes through the provider's
///   [`crate::provider::delivery::DeliveryApi`].
#[derive(Clone)]
pub struct DeliveryWatch {
    tracker: Arc<Mutex<DeliveryTracker>>,
    policies: Arc<Mutex<SharedPolicies>>,
    clock: WallClock,
    grace: Duration,
}

/// The destination policies read lately, shared by every bucket's checks for
/// [`POLICY_REUSE`]: a fleet delivering into one destination costs one policy read per
/// window, not one per bucket.
struct SharedPolicies {
    since: SystemTime,
    cache: Arc<PolicyCache>,
}

/// How long a destination's policy, once read, serves other buckets' checks. Short against
/// any schedule period, so a policy added is seen by the next check of each configuration.
const POLICY_REUSE: Duration = Duration::from_secs(60);

impl DeliveryWatch {
    /// Checks on the system clock, allowing `grace` past each report's due time
    /// ([`crate::delivery::DEFAULT_GRACE`] by default).
    pub fn new(grace: Duration) -> Self {
        DeliveryWatch {
            tracker: Arc::default(),
            policies: Arc::new(Mutex::new(SharedPolicies {
                since: SystemTime::UNIX_EPOCH,
                cache: Arc::default(),
            })),
            clock: Arc::new(SystemTime::now),
            grace,
        }
    }

    /// The same checks on `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: WallClock) -> Self {
        self.clock = clock;
        self
    }

    /// The policy cache of the window `now` falls in (the checks' clock), a fresh one when
    /// the last is older than [`POLICY_REUSE`] or from the future.
    fn policies(&self, now: SystemTime) -> Arc<PolicyCache> {
        let mut shared = self.policies.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = now
            .duration_since(shared.since)
            .is_ok_and(|age| age < POLICY_REUSE);
        if !fresh {
            *shared = SharedPolicies {
                since: now,
                cache: Arc::default(),
            };
        }
        Arc::clone(&shared.cache)
    }

    fn tracker(&self) -> MutexGuard<'_, DeliveryTracker> {
        // A panic while holding the lock leaves plain data behind: keep using it.
        self.tracker.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Looks at the reports of every configuration of `bucket` that is due, after a reconcile
    /// that ended with `reconciled`; returns what was found, by configuration id.
    pub(crate) async fn check_due(
        &self,
        bucket: &DesiredBucket,
        reconciled: &Reconciled,
        clients: &Clients,
    ) -> Vec<(String, DeliveryHealth)> {
        if !reconciled.is_in_sync() {
            return Vec::new();
        }
        let now = (self.clock)();
        let due: Vec<_> = {
            let mut tracker = self.tracker();
            bucket
                .inventories
                .iter()
                // A disabled configuration is due no report.
                .filter(|inventory| inventory.enabled())
                .filter_map(|inventory| {
                    let location = delivery::location(&bucket.key, inventory)?;
                    tracker
                        .due(&bucket.key, inventory, location.schedule, now)
                        .then(|| (inventory, tracker.first_seen(&bucket.key, inventory, now)))
                })
                .collect()
        };
        if due.is_empty() {
            return Vec::new();
        }
        let api = match clients.delivery_for(bucket) {
            Ok(api) => api,
            // The bucket's own calls were refused the same endpoint: its reconcile says so.
            Err(_) => return Vec::new(),
        };
        let cache = self.policies(now);
        let mut found = Vec::with_capacity(due.len());
        for (inventory, first_seen) in due {
            let config = Configuration {
                source: &bucket.key,
                options: &bucket.options,
                inventory,
            };
            let health = delivery::check(&*api, &cache, config, first_seen, now, self.grace).await;
            self.tracker()
                .record(&bucket.key, inventory, now, health.clone());
            found.push((inventory.id().to_string(), health));
        }
        found
    }

    /// Forgets every configuration `desired` no longer declares.
    pub(crate) fn retain(&self, desired: &DesiredState) {
        let keep = desired
            .buckets
            .iter()
            .flat_map(|(key, bucket)| {
                bucket
                    .inventories
                    .iter()
                    .map(|inventory| (key.clone(), inventory.id().to_string()))
            })
            .collect();
        self.tracker().retain(&keep);
    }
}
