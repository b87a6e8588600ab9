//! Plans: what to create, update, replace or delete so that live state matches the manifests.
//!
//! Everything here is pure: [`plan`] and [`plan_bucket`] take desired and already-read live
//! state and return a [`Plan`] value; [`render`] turns it into text, JSON or Markdown. Reading
//! live state and carrying plans out belong to the reconciler.
//!
//! # Layout
//! - [`normalize`](normalize()): canonical form, so equal meaning compares equal.
//! - [`plan_bucket`]: one bucket's [`BucketPlan`]; [`safety`] refuses mass deletes.
//! - [`render`]: text (terminal), JSON (`--output json`), Markdown (PR comments).
//! - [`destinations`]: the report destinations' readiness, as the plan shows it.

mod bucket_plan;
mod change;
pub mod coverage;
pub mod destinations;
pub(crate) mod normalize;
pub mod render;
pub mod safety;

use std::collections::BTreeMap;

pub use bucket_plan::{BucketPlan, plan_bucket};
pub use change::{Action, Blocked, Change, OnceState, OnceStatus};
pub use coverage::{FleetReport, PolicyCoverage, Waves};
pub use destinations::DestinationFinding;
pub use normalize::normalize;
pub use safety::{PlanOptions, Refusal};

use crate::model::{BucketKey, DesiredState, LiveConfig};

/// A managed bucket whose live state could not be read, so it has no plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketFailure {
    /// The bucket.
    pub key: BucketKey,
    /// What went wrong, for people (the provider's code, message and request id).
    pub message: String,
    /// The provider said the bucket does not exist (deleted since it was listed or declared).
    pub gone: bool,
}

/// The plan for every managed bucket at one revision of the manifests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The manifests revision the plan was computed from.
    pub revision: String,
    /// Sorted by key.
    pub buckets: Vec<BucketPlan>,
    /// Sorted by key.
    pub failures: Vec<BucketFailure>,
    /// Coverage of every fleet policy; empty when the manifests declare none.
    pub fleet: FleetReport,
    /// The report destination of every declared configuration that was checked, sorted by
    /// bucket then id; empty when delivery checks are off.
    pub destinations: Vec<DestinationFinding>,
}

/// Counts over a whole plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Summary {
    /// Configurations to create (declared, not live).
    pub create: usize,
    /// Configurations to update in place (providers whose PUT replaces).
    pub update: usize,
    /// Configurations to delete and create again (providers whose PUT only creates).
    pub replace: usize,
    /// Live configurations to delete (undeclared, on a bucket that prunes).
    pub delete: usize,
    /// Declared configurations that already match.
    pub in_sync: usize,
    /// Live, undeclared configurations on buckets that do not prune.
    pub unmanaged: usize,
    /// Foreign live configurations a change would have touched, held back.
    pub blocked: usize,
    /// Declared `Once` configurations not started by this run (pending or not live).
    pub once: usize,
    /// Buckets whose plan is refused by the mass-delete guard.
    pub refused: usize,
    /// Buckets whose live state could not be read.
    pub failed: usize,
}

impl Summary {
    /// Number of changes of every action.
    pub fn changes(&self) -> usize {
        self.create + self.update + self.replace + self.delete
    }
}

impl Plan {
    /// Assembles a plan, sorting buckets and failures by key.
    pub fn new(
        revision: impl Into<String>,
        mut buckets: Vec<BucketPlan>,
        mut failures: Vec<BucketFailure>,
    ) -> Plan {
        buckets.sort_by(|a, b| a.key.cmp(&b.key));
        failures.sort_by(|a, b| a.key.cmp(&b.key));
        Plan {
            revision: revision.into(),
            buckets,
            failures,
            fleet: FleetReport::default(),
            destinations: Vec::new(),
        }
    }

    /// Counts of changes by action, in-sync and unmanaged configurations, refused and failed
    /// buckets. Changes of refused buckets are counted with their action too.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for bucket in &self.buckets {
            s.create += bucket.count(Action::Create);
            s.update += bucket.count(Action::Update);
            s.replace += bucket.count(Action::Replace);
            s.delete += bucket.count(Action::Delete);
            s.in_sync += bucket.in_sync.len();
            s.unmanaged += bucket.unmanaged.len();
            s.blocked += bucket.blocked.len();
            s.once += bucket.once.len();
            s.refused += usize::from(bucket.refusal.is_some());
        }
        s.failed = self.failures.len();
        s
    }

    /// True when any bucket has a change pending (refused ones included).
    pub fn has_changes(&self) -> bool {
        self.buckets.iter().any(|b| !b.changes.is_empty())
    }

    /// True when live state differs from the manifests: a change is pending (observed drift
    /// included), or a foreign configuration blocks one. This is what `--detailed-exitcode` reports as 2.
    pub fn is_out_of_sync(&self) -> bool {
        self.buckets
            .iter()
            .any(|b| !b.changes.is_empty() || !b.blocked.is_empty() || !b.observed.is_empty())
    }

    /// Every change of every bucket, in bucket then id order.
    pub fn changes(&self) -> impl Iterator<Item = &Change> {
        self.buckets.iter().flat_map(|b| b.changes.iter())
    }
}

/// Plans every managed bucket of `desired`.
///
/// `live` holds, per bucket, its live configurations or the reason they could not be read.
/// A managed bucket missing from `live`, or whose read failed, becomes a [`BucketFailure`];
/// entries for buckets no manifest names are ignored (unmanaged buckets are never touched).
pub fn plan(
    desired: &DesiredState,
    live: &BTreeMap<BucketKey, Result<Vec<LiveConfig>, String>>,
    options: &PlanOptions,
) -> Plan {
    let mut buckets = Vec::new();
    let mut failures = Vec::new();
    for (key, bucket) in &desired.buckets {
        match live.get(key) {
            Some(Ok(inventories)) => buckets.push(plan_bucket(bucket, inventories, options)),
            Some(Err(message)) => failures.push(BucketFailure {
                key: key.clone(),
                message: message.clone(),
                gone: false,
            }),
            None => failures.push(BucketFailure {
                key: key.clone(),
                message: "live state was not read".to_string(),
                gone: false,
            }),
        }
    }
    Plan::new(desired.revision.clone(), buckets, failures)
}
