//! One daemon reconcile of one bucket: observe (and, unless dry-run, correct), report drift and
//! metrics, and return the decision the scheduler acts on.

use std::time::{Duration, Instant, SystemTime};

use tracing::Instrument;

use super::apply::{ApplySettings, BucketStatus, apply_plan};
use super::clients::Clients;
use super::drift::{self, DriftEvent};
use super::settle::{self, SettleGate, Stability};
use crate::metrics::{ConfigCounts, Metrics};
use crate::model::{BucketMode, DesiredBucket};
use crate::plan::{Blocked, BucketPlan, Change, PlanOptions, plan_bucket};
use crate::provider::InventoryApi;
use crate::scheduler::Outcome;

/// How a reconcile ended, as the scheduler needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Live state matches (or, in dry-run mode, was observed): check again after the resync
    /// interval.
    Resync,
    /// Something failed or was refused: retry with this bucket's own backoff.
    Backoff(String),
    /// Written, but the provider keeps storing something else (a perpetual diff): an error,
    /// yet retried only after the resync interval so that it is not re-written in a loop.
    Stuck(String),
    /// Creates and updates written; deletes and replacements wait for the manifests revision
    /// to settle: reconcile again after this long.
    Settle(Duration),
}

impl Decision {
    /// The scheduler's view of the decision.
    pub fn outcome(&self) -> Outcome {
        match self {
            Decision::Resync | Decision::Stuck(_) => Outcome::Success,
            Decision::Backoff(_) => Outcome::Failure,
            Decision::Settle(wait) => Outcome::After(*wait),
        }
    }

    /// Why the reconcile did not succeed, if it did not.
    pub fn failure(&self) -> Option<&str> {
        match self {
            Decision::Resync | Decision::Settle(_) => None,
            Decision::Backoff(reason) | Decision::Stuck(reason) => Some(reason),
        }
    }
}

/// What one reconcile found and did.
#[derive(Debug, Clone)]
pub struct Reconciled {
    pub decision: Decision,
    /// Drift found before any write (empty when live state could not be read).
    pub drift: Vec<DriftEvent>,
    /// Changes written (always empty in dry-run mode).
    pub corrected: Vec<Change>,
    /// The bucket's configuration counts after this reconcile, when live state was read.
    pub counts: Option<ConfigCounts>,
    /// True when live state matches the manifest now (in dry-run mode: it already did).
    pub in_sync: bool,
    /// The plan was refused by the deletion limits: the failure is a block awaiting a person.
    pub blocked: bool,
    /// Writes held back because they would overwrite or delete a foreign live configuration.
    pub foreign: Vec<Blocked>,
}

/// What a reconcile needs besides the bucket; cheap to clone into a task.
#[derive(Clone)]
pub struct ReconcileContext {
    pub clients: Clients,
    pub metrics: Metrics,
    pub options: PlanOptions,
    pub settings: ApplySettings,
    /// Observe only: list and plan, never write.
    pub dry_run: bool,
    /// Holds deletes and replacements until the revision in force has settled.
    pub settle: SettleGate,
}

/// Reconciles `desired` once, inside a span carrying provider, bucket and revision.
///
/// # Guarantees
/// - In dry-run mode, and for a bucket in observe mode, only LIST requests are sent.
/// - Every drifted configuration is logged at WARN and counted before anything is written;
///   every correction is logged at INFO (by [`apply_plan`]); the duration is observed, a failure counted, a success stamped.
/// - Never panics on provider errors: they become [`Decision::Backoff`].
pub async fn reconcile_bucket(
    context: &ReconcileContext,
    desired: &DesiredBucket,
    revision: &str,
) -> Reconciled {
    let span = tracing::info_span!(
        "reconcile",
        provider = %desired.key.provider,
        bucket = %desired.key.bucket,
        revision,
    );
    async {
        let started = Instant::now();
        let reconciled = observe_or_correct(context, desired, revision).await;
        let metrics = &context.metrics;
        let provider = desired.key.provider;
        metrics.observe_reconcile(provider, started.elapsed());
        let failed = reconciled.decision.failure().is_some();
        metrics.record_bucket_outcome(provider, &desired.key.bucket, failed);
        match &reconciled.decision {
            Decision::Resync => {
                metrics.set_bucket_success(provider, &desired.key.bucket, SystemTime::now());
                tracing::debug!(in_sync = reconciled.in_sync, "reconciled");
            }
            Decision::Settle(wait) => {
                tracing::info!(
                    wait_ms = wait.as_millis(),
                    "deletes and replacements wait for the manifests to settle"
                );
            }
            Decision::Backoff(reason) => {
                metrics.record_reconcile_error(provider);
                tracing::error!(error = %reason, "reconcile failed; retrying with backoff");
            }
            Decision::Stuck(reason) => {
                metrics.record_reconcile_error(provider);
                tracing::error!(error = %reason, "not converged; retrying after the resync interval");
            }
        }
        reconciled
    }
    .instrument(span)
    .await
}

/// Lists once, plans, reports the drift (before any write, so logs read cause then effect),
/// then corrects it unless in dry-run mode.
async fn observe_or_correct(
    context: &ReconcileContext,
    desired: &DesiredBucket,
    revision: &str,
) -> Reconciled {
    let client = match context.clients.for_desired(desired) {
        Ok(client) => client,
        Err(error) => return Reconciled::failed(format!("{error:#}")),
    };
    let live = match client.list(&desired.key).await {
        Ok(live) => live,
        Err(error) => return Reconciled::failed(format!("{error:#}")),
    };
    let plan = plan_bucket(desired, &live, &context.options);
    let drift = drift::drift_events(&plan);
    drift::report(&drift, revision, &context.metrics);
    drift::report_blocked(&plan, revision);
    let declared = desired.inventories.len();
    if context.dry_run || desired.mode == BucketMode::Observe {
        return Reconciled {
            decision: Decision::Resync,
            drift,
            corrected: Vec::new(),
            counts: Some(drift::plan_counts(&plan, declared)),
            in_sync: plan.changes.is_empty(),
            blocked: false,
            foreign: plan.blocked.clone(),
        };
    }
    let hold = if settle::is_destructive(&plan) && plan.refusal.is_none() {
        context.settle.check(revision, Instant::now()).await
    } else {
        Stability::Settled
    };
    if let Stability::Hold(wait) = hold {
        // Creates and updates now; the deletes and replacements stay drift until it settles.
        let interim = settle::without_destructive(desired, &plan);
        let interim_plan = plan_bucket(&interim, &live, &context.options);
        let outcome = apply_plan(
            &client,
            &interim,
            interim_plan,
            &context.options,
            &context.settings,
        )
        .await;
        return Reconciled {
            decision: decision_of(&outcome.status, Decision::Settle(wait)),
            drift,
            corrected: outcome.written,
            counts: Some(drift::plan_counts(&plan, declared)),
            in_sync: false,
            blocked: false,
            foreign: plan.blocked.clone(),
        };
    }
    let foreign = plan.blocked.clone();
    let outcome = apply_plan(&client, desired, plan, &context.options, &context.settings).await;
    let in_sync = outcome.is_converged();
    let counts = outcome.plan.as_ref().map(|plan| {
        if in_sync {
            converged_counts(plan, declared)
        } else {
            drift::plan_counts(plan, declared)
        }
    });
    Reconciled {
        decision: decision_of(&outcome.status, Decision::Resync),
        drift,
        corrected: outcome.written,
        counts,
        in_sync,
        blocked: matches!(outcome.status, BucketStatus::Refused(_)),
        foreign,
    }
}

/// The decision for an apply that ended in `status`; `done` when it converged (or, in observe
/// mode, was only reported).
fn decision_of(status: &BucketStatus, done: Decision) -> Decision {
    match status {
        BucketStatus::InSync | BucketStatus::Converged | BucketStatus::Observed(_) => done,
        BucketStatus::Refused(reason) => Decision::Backoff(format!("plan refused: {reason}")),
        BucketStatus::PerpetualDiff(ids) => {
            Decision::Stuck(format!("perpetual diff on {}", ids.join(", ")))
        }
        BucketStatus::Failed(reason) => Decision::Backoff(reason.clone()),
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

impl Reconciled {
    /// A reconcile that could not read live state.
    pub(crate) fn failed(reason: String) -> Reconciled {
        Reconciled {
            decision: Decision::Backoff(reason),
            drift: Vec::new(),
            corrected: Vec::new(),
            counts: None,
            in_sync: false,
            blocked: false,
            foreign: Vec::new(),
        }
    }
}
