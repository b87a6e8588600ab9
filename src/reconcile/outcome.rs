//! What one reconcile of a bucket did: [`Applied`] (how it ended) inside [`Reconciled`].

use std::sync::Arc;
use std::time::Duration;

use super::drift::{self, DriftEvent};
use super::error::ReconcileError;
use crate::metrics::ConfigCounts;
use crate::plan::{Blocked, BucketPlan, Change};
use crate::provider::ProviderError;

/// How a reconcile that did not fail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Nothing to do: live state already matched.
    InSync,
    /// Writes were made and a read-back confirmed the bucket matches.
    Converged,
    /// Observe only (observe mode, or a dry-run daemon) with this many changes pending;
    /// nothing was written.
    Observed(usize),
    /// Some writes wait for the manifests revision to settle (what the settled revision
    /// allowed was written): look again after this long.
    Held(Duration),
}

/// What one reconcile of a bucket found and did: the one record `apply` prints and the daemon
/// reports.
///
/// On a failure, what is listed in `failures` did not happen; what is in `written` did.
#[derive(Debug)]
pub struct Reconciled {
    /// How it ended, or why it did not succeed.
    pub result: Result<Applied, ReconcileError>,
    /// The plan made from the listing (`None` when live state could not be read). When writes
    /// are held, the whole plan, including what waits.
    pub plan: Option<BucketPlan>,
    /// Changes written.
    pub written: Vec<Change>,
    /// Changes whose write failed, with why.
    pub failures: Vec<(Change, Arc<ProviderError>)>,
}

impl Reconciled {
    /// A reconcile that failed before any plan was made (no client, no listing).
    pub fn failed(error: ReconcileError) -> Reconciled {
        Reconciled {
            result: Err(error),
            plan: None,
            written: Vec::new(),
            failures: Vec::new(),
        }
    }

    /// True when the bucket matches its manifest now (observing only: it already did).
    pub fn is_in_sync(&self) -> bool {
        matches!(self.result, Ok(Applied::InSync | Applied::Converged))
    }

    /// True when the bucket got what its mode asks for: in sync, observed without a write, or
    /// written as far as the manifests allow yet.
    pub fn is_settled(&self) -> bool {
        self.result.is_ok()
    }

    /// The drift found before any write, one event per differing configuration.
    pub fn drift(&self) -> Vec<DriftEvent> {
        self.plan
            .as_ref()
            .map(drift::drift_events)
            .unwrap_or_default()
    }

    /// Writes held back because they would overwrite or delete a foreign live configuration.
    pub fn foreign(&self) -> &[Blocked] {
        self.plan.as_ref().map_or(&[], |plan| &plan.blocked)
    }

    /// The bucket's configuration counts after this reconcile, when live state was read.
    pub fn counts(&self, declared: usize) -> Option<ConfigCounts> {
        let plan = self.plan.as_ref()?;
        Some(if matches!(self.result, Ok(Applied::Converged)) {
            converged_counts(plan, declared)
        } else {
            drift::plan_counts(plan, declared)
        })
    }
}

/// Counts after a confirmed apply: every declared configuration matches, except foreign ones
/// held back; undeclared ones left alone (prune off) and blocked ones still differ.
fn converged_counts(plan: &BucketPlan, declared: usize) -> ConfigCounts {
    let blocked = plan.blocked.len() as u64;
    let blocked_declared = plan
        .blocked
        .iter()
        .filter(|b| b.held_back != crate::plan::Action::Delete)
        .count() as u64;
    ConfigCounts {
        managed: declared as u64,
        in_sync: declared as u64 - blocked_declared,
        drifted: plan.unmanaged.len() as u64 + blocked,
        blocked,
    }
}
