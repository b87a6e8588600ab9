//! When each configuration's reports are looked at next, and what was found last. Pure: the
//! time is passed in; the daemon owns one tracker.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, SystemTime};

use crate::model::{BucketKey, DeliveryHealth, Inventory, ReportSchedule};

/// How often a configuration without a period (a one-off report not yet delivered) is looked
/// at again.
const UNSCHEDULED_RECHECK: Duration = Duration::from_secs(86_400);

/// What is known of one configuration.
#[derive(Debug, Clone)]
struct Entry {
    config: Inventory,
    first_seen: SystemTime,
    checked_at: Option<SystemTime>,
    health: Option<DeliveryHealth>,
}

/// Per configuration: when it was first seen, last checked, and what was found.
///
/// # Guarantees
/// - [`DeliveryTracker::due`] is true for a configuration never checked, one whose
///   configuration changed since its last check, once per schedule period after the last
///   check, and once more when the last check's `next_due` passes; false otherwise. So the
///   reports of a configuration are read at most once per period, plus once at the moment it
///   would turn overdue.
/// - A change of configuration restarts its first-seen time (a new destination's first
///   report is awaited afresh).
#[derive(Debug, Clone, Default)]
pub struct DeliveryTracker {
    entries: BTreeMap<(BucketKey, String), Entry>,
}

impl DeliveryTracker {
    /// A tracker that knows no configuration.
    pub fn new() -> Self {
        Self::default()
    }

    fn entry(&mut self, bucket: &BucketKey, config: &Inventory, now: SystemTime) -> &mut Entry {
        let key = (bucket.clone(), config.id().to_string());
        let entry = self.entries.entry(key).or_insert_with(|| Entry {
            config: config.clone(),
            first_seen: now,
            checked_at: None,
            health: None,
        });
        if entry.config != *config {
            *entry = Entry {
                config: config.clone(),
                first_seen: now,
                checked_at: None,
                health: None,
            };
        }
        entry
    }

    /// When the checks first saw `config` of `bucket` as it is now; it is `now` the first time
    /// it is asked.
    pub fn first_seen(
        &mut self,
        bucket: &BucketKey,
        config: &Inventory,
        now: SystemTime,
    ) -> SystemTime {
        self.entry(bucket, config, now).first_seen
    }

    /// True when the reports of `config` (with `schedule`) should be looked at now (see the
    /// type's guarantees).
    pub fn due(
        &mut self,
        bucket: &BucketKey,
        config: &Inventory,
        schedule: ReportSchedule,
        now: SystemTime,
    ) -> bool {
        let entry = self.entry(bucket, config, now);
        let Some(checked_at) = entry.checked_at else {
            return true;
        };
        let period = schedule.period().unwrap_or(UNSCHEDULED_RECHECK);
        if now >= checked_at + period {
            return true;
        }
        let next_due = entry.health.as_ref().and_then(|h| h.next_due);
        next_due.is_some_and(|due| checked_at < due && now >= due)
    }

    /// Records that `config` was checked at `now` and found `health`.
    pub fn record(
        &mut self,
        bucket: &BucketKey,
        config: &Inventory,
        now: SystemTime,
        health: DeliveryHealth,
    ) {
        let entry = self.entry(bucket, config, now);
        entry.checked_at = Some(now);
        entry.health = Some(health);
    }

    /// What the last check of configuration `id` of `bucket` found.
    pub fn health(&self, bucket: &BucketKey, id: &str) -> Option<&DeliveryHealth> {
        self.entries
            .get(&(bucket.clone(), id.to_string()))
            .and_then(|e| e.health.as_ref())
    }

    /// Forgets every configuration not in `keep` (bucket and id): those no longer declared.
    pub fn retain(&mut self, keep: &BTreeSet<(BucketKey, String)>) {
        self.entries.retain(|key, _| keep.contains(key));
    }

    /// How many configurations are tracked.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no configuration is tracked.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
