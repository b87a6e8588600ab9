//! What the daemon tells an embedding program (the demo narrates these), besides its logs.

use crate::model::{BucketKey, DeliveryHealth};
use crate::plan::{Blocked, Change};

use super::drift::DriftEvent;
use super::outcome::Reconciled;

/// Keeps a record of every bucket's latest reconcile besides the metrics (the status board of
/// `crate::status`), without the daemon knowing what it shows.
///
/// # Guarantees
/// The daemon calls it from its loop, in order: [`OutcomeSink::revision_loaded`] when a
/// revision comes into force, [`OutcomeSink::reconciled`] after each reconcile of a bucket
/// still managed, [`OutcomeSink::removed`] when a bucket stops being managed here, and
/// [`OutcomeSink::delivery_checked`] whenever a configuration's delivery was checked.
/// Implementations must return quickly (no I/O, no waiting on a lock held across I/O).
pub trait OutcomeSink: Send + Sync {
    /// `revision` is now in force.
    fn revision_loaded(&self, revision: &str);
    /// A reconcile of `key` at `revision` ended with `reconciled`.
    fn reconciled(&self, key: &BucketKey, reconciled: &Reconciled, revision: &str);
    /// `key` is no longer managed by this daemon (dropped from the manifests, discovery or
    /// this replica's shard).
    fn removed(&self, key: &BucketKey);
    /// The delivery checks found `health` for configuration `id` of `key`.
    fn delivery_checked(&self, key: &BucketKey, id: &str, health: DeliveryHealth);
}

/// One thing the daemon did or found. Sent in the order it happened.
#[derive(Debug, Clone)]
pub enum RunEvent {
    /// A manifests revision loaded and is now in force.
    RevisionLoaded {
        /// The revision's id: the git commit (git-sync), else the manifests' own revision.
        revision: String,
        /// How many buckets its manifests declare.
        buckets: usize,
    },
    /// A manifests revision was rejected whole; the previous one (if any) stays in force.
    RevisionRejected {
        /// The rejected revision's id; `None` when the directory did not resolve.
        revision: Option<String>,
        /// One line per problem found, each naming its file.
        problems: Vec<String>,
    },
    /// A live configuration differs from the manifests.
    Drift(DriftEvent),
    /// A change was written.
    Corrected(Box<Change>),
    /// A bucket's reconcile failed; it is retried with backoff.
    BucketFailed {
        /// The bucket.
        key: BucketKey,
        /// The error, with its cause chain.
        reason: String,
    },
    /// A bucket's plan was refused (deletion limits); nothing is written until a person acts.
    BucketBlocked {
        /// The bucket.
        key: BucketKey,
        /// Which limit the plan exceeds, and the flag that lifts it.
        reason: String,
    },
    /// A change would have written over a foreign live configuration (one holding what
    /// invsync does not model); it is held back until a person acts.
    ForeignBlocked(Box<Blocked>),
    /// A configuration's reports stopped arriving as they should, or arrive again (sent once
    /// per change of [`DeliveryEventKind`]).
    Delivery(Box<DeliveryEvent>),
    /// Every managed bucket matches its manifest (sent once each time this becomes true).
    InSync {
        /// The revision in force.
        revision: String,
        /// How many inventory configurations its manifests declare, over all buckets.
        configs: usize,
        /// How many buckets its manifests declare.
        buckets: usize,
    },
}

/// What changed about a configuration's report delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryEventKind {
    /// The destination does not let the inventory service write reports.
    DestinationNotReady,
    /// No valid report arrived in time.
    ReportOverdue,
    /// The newest report failed validation and is not trusted.
    ReportInvalid,
    /// A valid report arrived again after one of the above.
    Delivered,
}

impl DeliveryEventKind {
    /// The snake_case name notifications carry.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryEventKind::DestinationNotReady => "destination_not_ready",
            DeliveryEventKind::ReportOverdue => "report_overdue",
            DeliveryEventKind::ReportInvalid => "report_invalid",
            DeliveryEventKind::Delivered => "delivered",
        }
    }
}

/// A change in one configuration's report delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryEvent {
    /// The source bucket.
    pub key: BucketKey,
    /// The configuration id.
    pub id: String,
    /// What changed.
    pub kind: DeliveryEventKind,
    /// What is wrong and the fix, or when the report came.
    pub message: String,
}
