//! The daemon's status board: the latest conditions of every bucket it reconciles, shared by
//! the runner (which records), the delivery checks (which record health) and `GET /status`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use tokio::sync::mpsc;

use super::derive::derive;
use super::sync::BucketSync;
use super::view::{BucketStatus, StatusDocument};
use crate::metrics::Metrics;
use crate::model::{BucketKey, DeliveryHealth, DeliveryState, Readiness};
use crate::reconcile::{DeliveryEvent, DeliveryEventKind, OutcomeSink, Reconciled, RunEvent};

/// The latest status of every bucket the daemon reconciles. Clones share the same board.
///
/// # Guarantees
/// - Every method takes the lock briefly and never across an `.await`; readers get copies.
/// - A bucket is listed from its first [`StatusBoard::record_reconcile`] until
///   [`StatusBoard::remove`]; health recorded before its first reconcile is kept and shown
///   from then on.
/// - With metrics, [`StatusBoard::record_delivery`] sets the configuration's
///   `invsync_report_delivery_state` and `invsync_report_age_seconds`; a configuration no
///   longer listed, or a bucket removed, loses its series.
/// - With an event sender, a configuration's delivery sends one [`RunEvent::Delivery`] each
///   time it turns destination not ready, overdue or invalid, and one `Delivered` when a
///   valid report comes after one of those; a repeat of the same state sends nothing.
#[derive(Debug, Clone, Default)]
pub struct StatusBoard {
    shared: Arc<Mutex<Shared>>,
    metrics: Option<Metrics>,
    events: Option<mpsc::UnboundedSender<RunEvent>>,
}

#[derive(Debug, Default)]
struct Shared {
    revision: String,
    buckets: BTreeMap<BucketKey, Entry>,
}

#[derive(Debug, Default)]
struct Entry {
    sync: Option<BucketSync>,
    revision: String,
    health: BTreeMap<String, DeliveryHealth>,
    /// The delivery event last sent per configuration.
    announced: BTreeMap<String, DeliveryEventKind>,
    status: Option<BucketStatus>,
}

impl StatusBoard {
    /// An empty board that sets no metrics and sends no events.
    pub fn new() -> Self {
        StatusBoard::default()
    }

    /// This board, setting the delivery series of `metrics`.
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// This board, sending delivery events to `events` (the notifier's channel).
    pub fn with_events(mut self, events: mpsc::UnboundedSender<RunEvent>) -> Self {
        self.events = Some(events);
        self
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Makes `revision` the one the document says is in force.
    pub fn set_revision(&self, revision: &str) {
        revision.clone_into(&mut self.lock().revision);
    }

    /// Records what a reconcile of `key` at `revision` found and did, at `now`.
    pub fn record_reconcile(
        &self,
        key: &BucketKey,
        reconciled: &Reconciled,
        revision: &str,
        now: SystemTime,
    ) {
        let mut shared = self.lock();
        let entry = shared.buckets.entry(key.clone()).or_default();
        let known: Vec<String> = entry
            .status
            .iter()
            .flat_map(|s| s.configurations.iter().map(|c| c.id.clone()))
            .collect();
        let sync = BucketSync::from_reconciled(reconciled, &known);
        if reconciled.plan.is_some() {
            let gone: Vec<String> = entry
                .health
                .keys()
                .filter(|id| !sync.configs.contains_key(*id))
                .cloned()
                .collect();
            for id in gone {
                entry.health.remove(&id);
                entry.announced.remove(&id);
                if let Some(metrics) = &self.metrics {
                    metrics.remove_report_delivery(key.provider, &key.bucket, &id);
                }
            }
        }
        entry.sync = Some(sync);
        revision.clone_into(&mut entry.revision);
        refresh(key, entry, now);
    }

    /// Records what the delivery checks found of configuration `id` of `key`, at `now`.
    pub fn record_delivery(
        &self,
        key: &BucketKey,
        id: &str,
        health: DeliveryHealth,
        now: SystemTime,
    ) {
        if let Some(metrics) = &self.metrics {
            metrics.set_report_delivery(
                key.provider,
                &key.bucket,
                id,
                health.state,
                health.last.as_ref().map(|d| d.made_at),
            );
        }
        let mut shared = self.lock();
        let entry = shared.buckets.entry(key.clone()).or_default();
        let kind = event_kind(&health);
        entry.health.insert(id.to_string(), health);
        refresh(key, entry, now);
        let previous = entry.announced.get(id).copied();
        let news = match (kind, previous) {
            (Some(DeliveryEventKind::Delivered), Some(DeliveryEventKind::Delivered) | None) => {
                // Nothing went wrong before: an on-time report is no news.
                entry
                    .announced
                    .insert(id.to_string(), DeliveryEventKind::Delivered);
                None
            }
            (Some(kind), previous) if previous != Some(kind) => Some(kind),
            _ => None,
        };
        let Some(kind) = news else { return };
        entry.announced.insert(id.to_string(), kind);
        let message = entry
            .status
            .as_ref()
            .and_then(|s| s.configurations.iter().find(|c| c.id == id))
            .and_then(|c| c.conditions.first())
            .map(|ready| ready.message.clone())
            .unwrap_or_default();
        if let Some(events) = &self.events {
            // A notifier that went away wants no more events.
            let _ = events.send(RunEvent::Delivery(Box::new(DeliveryEvent {
                key: key.clone(),
                id: id.to_string(),
                kind,
                message,
            })));
        }
    }

    /// Forgets `key` (no longer managed, or no longer this replica's), with its delivery series.
    pub fn remove(&self, key: &BucketKey) {
        let removed = self.lock().buckets.remove(key);
        if let (Some(entry), Some(metrics)) = (removed, &self.metrics) {
            for id in entry.health.keys() {
                metrics.remove_report_delivery(key.provider, &key.bucket, id);
            }
        }
    }

    /// Every bucket reconciled so far, sorted by provider, bucket (and region).
    pub fn snapshot(&self) -> StatusDocument {
        let shared = self.lock();
        StatusDocument {
            revision: shared.revision.clone(),
            buckets: shared
                .buckets
                .values()
                .filter_map(|entry| entry.status.clone())
                .collect(),
        }
    }

    /// The status of the bucket named `bucket` of `provider` (`cos`, `oss`, `s3`), if listed.
    pub fn bucket(&self, provider: &str, bucket: &str) -> Option<BucketStatus> {
        let shared = self.lock();
        shared
            .buckets
            .iter()
            .find(|(key, _)| key.provider.as_str() == provider && key.bucket == bucket)
            .and_then(|(_, entry)| entry.status.clone())
    }
}

/// Derives `entry`'s status again, once it has been reconciled.
fn refresh(key: &BucketKey, entry: &mut Entry, now: SystemTime) {
    let Some(sync) = &entry.sync else { return };
    let status = derive(
        key,
        sync,
        &entry.health,
        entry.status.as_ref(),
        &entry.revision,
        now,
    );
    entry.status = Some(status);
}

/// The delivery event `health` stands for, if any: the problem, or `Delivered` when on time.
fn event_kind(health: &DeliveryHealth) -> Option<DeliveryEventKind> {
    match (&health.readiness, health.state) {
        (Readiness::NotReady { .. }, _) => Some(DeliveryEventKind::DestinationNotReady),
        (_, DeliveryState::Invalid) => Some(DeliveryEventKind::ReportInvalid),
        (_, DeliveryState::Overdue) => Some(DeliveryEventKind::ReportOverdue),
        (_, DeliveryState::OnTime) => Some(DeliveryEventKind::Delivered),
        (_, DeliveryState::Pending | DeliveryState::Unknown) => None,
    }
}

/// The daemon records into the board through this, so the runner needs no part of status.
impl OutcomeSink for StatusBoard {
    fn revision_loaded(&self, revision: &str) {
        self.set_revision(revision);
    }

    fn reconciled(&self, key: &BucketKey, reconciled: &Reconciled, revision: &str) {
        self.record_reconcile(key, reconciled, revision, SystemTime::now());
    }

    fn removed(&self, key: &BucketKey) {
        self.remove(key);
    }

    fn delivery_checked(&self, key: &BucketKey, id: &str, health: DeliveryHealth) {
        self.record_delivery(key, id, health, SystemTime::now());
    }
}
