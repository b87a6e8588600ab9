//! What the daemon tells an embedding program (the demo narrates these), besides its logs.

use crate::model::BucketKey;
use crate::plan::{Blocked, Change};

use super::drift::DriftEvent;

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
