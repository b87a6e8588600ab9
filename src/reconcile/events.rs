//! What the daemon tells an embedding program (the demo narrates these), besides its logs.

use crate::model::BucketKey;
use crate::plan::Change;

use super::drift::DriftEvent;

/// One thing the daemon did or found. Sent in the order it happened.
#[derive(Debug, Clone)]
pub enum RunEvent {
    /// A manifests revision loaded and is now in force.
    RevisionLoaded { revision: String, buckets: usize },
    /// A manifests revision was rejected whole; the previous one (if any) stays in force.
    RevisionRejected {
        revision: Option<String>,
        problems: Vec<String>,
    },
    /// A live configuration differs from the manifests.
    Drift(DriftEvent),
    /// A change was written.
    Corrected(Box<Change>),
    /// A bucket's reconcile failed; it is retried with backoff.
    BucketFailed { key: BucketKey, reason: String },
    /// A bucket's plan was refused (deletion limits); nothing is written until a person acts.
    BucketBlocked { key: BucketKey, reason: String },
    /// Every managed bucket matches its manifest (sent once each time this becomes true).
    InSync {
        revision: String,
        configs: usize,
        buckets: usize,
    },
}
