//! Daemon events as notifications, and the de-duplication of repeats. Pure: time comes in.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::model::BucketKey;
use crate::reconcile::RunEvent;
use crate::reconcile::drift::FieldChange;

use super::config::EventKind;

/// One thing worth telling a person, with everything a payload shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// What happened; decides which webhooks get it.
    pub kind: EventKind,
    /// The manifests revision in force (the rejected one for [`EventKind::Rejected`], when
    /// known).
    pub revision: String,
    /// The bucket, except for a rejected revision.
    pub bucket: Option<BucketKey>,
    /// The configuration id, for drift and corrections.
    pub id: Option<String>,
    /// `missing`, `changed` or `unmanaged` for drift; the action for a correction.
    pub(crate) detail: Option<String>,
    /// The differing fields of a changed configuration.
    pub fields: Vec<FieldChange>,
    /// Why a reconcile failed or was blocked; the problems of a rejected revision.
    pub(crate) messages: Vec<String>,
}

impl Notification {
    /// The notification for a daemon event, or `None` for events nobody is told about
    /// (revision loaded, in sync). `revision` is the revision in force.
    pub(crate) fn from_event(event: &RunEvent, revision: &str) -> Option<Notification> {
        let base = |kind, bucket: Option<&BucketKey>| Notification {
            kind,
            revision: revision.to_string(),
            bucket: bucket.cloned(),
            id: None,
            detail: None,
            fields: Vec::new(),
            messages: Vec::new(),
        };
        Some(match event {
            RunEvent::Drift(drift) => Notification {
                id: Some(drift.id.clone()),
                detail: Some(drift.kind.as_str().to_string()),
                fields: drift.fields.clone(),
                ..base(EventKind::Drift, Some(&drift.key))
            },
            RunEvent::Corrected(change) => Notification {
                id: Some(change.id.clone()),
                detail: Some(change.action.as_str().to_string()),
                ..base(EventKind::Corrected, Some(&change.key))
            },
            RunEvent::BucketFailed { key, reason } => Notification {
                messages: vec![reason.clone()],
                ..base(EventKind::Failed, Some(key))
            },
            RunEvent::BucketBlocked { key, reason } => Notification {
                messages: vec![reason.clone()],
                ..base(EventKind::Blocked, Some(key))
            },
            RunEvent::ForeignBlocked(blocked) => Notification {
                id: Some(blocked.id.clone()),
                detail: Some(format!("{} held back", blocked.held_back.as_str())),
                messages: vec![
                    format!(
                        "the live configuration holds what invsync does not model: {}",
                        blocked.unmodelled.join(", ")
                    ),
                    format!("way out: {}", blocked.way_out()),
                ],
                ..base(EventKind::Blocked, Some(&blocked.key))
            },
            RunEvent::RevisionRejected {
                revision: rejected,
                problems,
            } => Notification {
                revision: rejected.clone().unwrap_or_else(|| revision.to_string()),
                messages: problems.clone(),
                ..base(EventKind::Rejected, None)
            },
            RunEvent::Delivery(delivery) => Notification {
                id: Some(delivery.id.clone()),
                detail: Some(delivery.kind.as_str().to_string()),
                messages: vec![delivery.message.clone()],
                ..base(EventKind::Delivery, Some(&delivery.key))
            },
            RunEvent::RevisionLoaded { .. } | RunEvent::InSync { .. } => return None,
        })
    }

    /// What makes two notifications "the same" for de-duplication: everything but the
    /// revision (a new commit that leaves the same drift is no news).
    fn fingerprint(&self) -> String {
        let fields: Vec<String> = self.fields.iter().map(ToString::to_string).collect();
        format!(
            "{}|{}|{}|{}|{}|{}",
            self.kind.as_str(),
            self.bucket
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            self.id.as_deref().unwrap_or(""),
            self.detail.as_deref().unwrap_or(""),
            fields.join(";"),
            self.messages.join(";"),
        )
    }

    /// The fingerprint prefix of `kind` notifications about this one's bucket and id.
    fn config_prefix(&self, kind: EventKind) -> Option<String> {
        Some(format!(
            "{}|{}|{}|",
            kind.as_str(),
            self.bucket.as_ref()?,
            self.id.as_deref()?
        ))
    }
}

/// Suppresses a notification sent within the window before.
///
/// # Guarantees
/// - A correction is never suppressed, and it forgets the drift of its configuration, so the
///   next drift of it is sent at once.
/// - Memory is bounded by the distinct notifications within one window (older entries are
///   swept on every call past the window).
#[derive(Debug)]
pub(crate) struct Deduplicator {
    window: Duration,
    sent: HashMap<String, Instant>,
    swept: Option<Instant>,
}

impl Deduplicator {
    /// Suppresses repeats within `window`; a zero window suppresses nothing.
    pub(crate) fn new(window: Duration) -> Self {
        Deduplicator {
            window,
            sent: HashMap::new(),
            swept: None,
        }
    }

    /// True when `notification` should be sent at `now`; remembers it when so.
    pub(crate) fn admit(&mut self, notification: &Notification, now: Instant) -> bool {
        self.sweep(now);
        if notification.kind == EventKind::Corrected {
            if let Some(prefix) = notification.config_prefix(EventKind::Drift) {
                self.sent.retain(|key, _| !key.starts_with(&prefix));
            }
            return true;
        }
        if notification.kind == EventKind::Delivery
            && notification.detail.as_deref() == Some("delivered")
        {
            // Reports arrive again: the next problem of this configuration is news at once.
            if let Some(prefix) = notification.config_prefix(EventKind::Delivery) {
                self.sent.retain(|key, _| !key.starts_with(&prefix));
            }
            return true;
        }
        if self.window.is_zero() {
            return true;
        }
        let key = notification.fingerprint();
        match self.sent.get(&key) {
            Some(at) if now.duration_since(*at) < self.window => false,
            _ => {
                self.sent.insert(key, now);
                true
            }
        }
    }

    fn sweep(&mut self, now: Instant) {
        if self
            .swept
            .is_some_and(|at| now.duration_since(at) < self.window)
        {
            return;
        }
        self.swept = Some(now);
        let window = self.window;
        self.sent.retain(|_, at| now.duration_since(*at) < window);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::DriftKind;
    use crate::model::Provider;
    use crate::reconcile::drift::DriftEvent;

    fn key() -> BucketKey {
        BucketKey {
            provider: Provider::COS,
            bucket: "logs-1250000000".into(),
            region: "ap-guangzhou".into(),
        }
    }

    fn drift(desired: &str) -> Notification {
        let event = RunEvent::Drift(DriftEvent {
            key: key(),
            id: "list1".into(),
            kind: DriftKind::Changed,
            fields: vec![FieldChange {
                path: "filter.prefix".into(),
                live: Some("a/".into()),
                desired: Some(desired.into()),
            }],
        });
        Notification::from_event(&event, "abc123").unwrap()
    }

    fn corrected() -> Notification {
        Notification {
            kind: EventKind::Corrected,
            id: Some("list1".into()),
            detail: Some("update".into()),
            bucket: Some(key()),
            ..drift("b/")
        }
    }

    #[test]
    fn drift_carries_bucket_id_kind_fields_and_revision() {
        let n = drift("b/");
        assert_eq!(n.kind, EventKind::Drift);
        assert_eq!(n.revision, "abc123");
        assert_eq!(n.detail.as_deref(), Some("changed"));
        assert_eq!(n.fields[0].to_string(), "filter.prefix: a/ -> b/");
    }

    #[test]
    fn the_same_drift_is_sent_once_per_window_and_a_different_one_at_once() {
        let mut dedup = Deduplicator::new(Duration::from_secs(60));
        let t0 = Instant::now();
        assert!(dedup.admit(&drift("b/"), t0));
        assert!(!dedup.admit(&drift("b/"), t0 + Duration::from_secs(30)));
        assert!(dedup.admit(&drift("c/"), t0 + Duration::from_secs(31)));
        assert!(dedup.admit(&drift("b/"), t0 + Duration::from_secs(61)));
    }

    #[test]
    fn a_correction_forgets_the_drift_so_a_recurrence_is_sent() {
        let mut dedup = Deduplicator::new(Duration::from_secs(60));
        let t0 = Instant::now();
        assert!(dedup.admit(&drift("b/"), t0));
        assert!(dedup.admit(&corrected(), t0));
        assert!(dedup.admit(&corrected(), t0));
        assert!(dedup.admit(&drift("b/"), t0 + Duration::from_secs(1)));
    }

    #[test]
    fn old_entries_are_swept() {
        let mut dedup = Deduplicator::new(Duration::from_secs(10));
        let t0 = Instant::now();
        for i in 0..50 {
            dedup.admit(&drift(&format!("{i}/")), t0);
        }
        dedup.admit(&drift("x/"), t0 + Duration::from_secs(11));
        assert_eq!(dedup.sent.len(), 1);
    }

    #[test]
    fn loaded_and_in_sync_events_are_not_notified() {
        let loaded = RunEvent::RevisionLoaded {
            revision: "r".into(),
            buckets: 1,
        };
        assert!(Notification::from_event(&loaded, "r").is_none());
    }

    fn delivery(kind: crate::reconcile::DeliveryEventKind) -> Notification {
        let event = RunEvent::Delivery(Box::new(crate::reconcile::DeliveryEvent {
            key: key(),
            id: "list1".into(),
            kind,
            message: "destination not ready: no grant; fix: add {}".into(),
        }));
        Notification::from_event(&event, "abc123").unwrap()
    }

    #[test]
    fn a_delivery_problem_is_sent_once_per_window_and_again_at_once_after_a_recovery() {
        use crate::reconcile::DeliveryEventKind::{Delivered, ReportOverdue};
        let mut dedup = Deduplicator::new(Duration::from_secs(3600));
        let t0 = Instant::now();
        let overdue = delivery(ReportOverdue);
        assert_eq!(overdue.kind, EventKind::Delivery);
        assert_eq!(overdue.detail.as_deref(), Some("report_overdue"));
        assert!(dedup.admit(&overdue, t0));
        assert!(!dedup.admit(&overdue, t0 + Duration::from_secs(1)));
        assert!(dedup.admit(&delivery(Delivered), t0 + Duration::from_secs(2)));
        assert!(dedup.admit(&overdue, t0 + Duration::from_secs(3)));
    }
}
