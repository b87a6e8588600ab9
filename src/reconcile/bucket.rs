//! One daemon reconcile of one bucket: observe (and, unless dry-run, correct), report drift and
//! metrics, and return the action the scheduler takes next, or the error that
//! [`super::error_policy`] turns into one.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use tracing::Instrument;

use super::apply::{Applied, ApplySettings, BucketStatus, apply_plan};
use super::clients::Clients;
use super::drift::{self, DriftEvent};
use super::error::{Action, ReconcileError};
use super::settle::{self, SettleGate, Stability};
use crate::metrics::{ConfigCounts, Metrics};
use crate::model::{BucketMode, DesiredBucket};
use crate::plan::{Blocked, BucketPlan, Change, PlanOptions, plan_bucket};
use crate::provider::InventoryApi;

/// What one reconcile found and did.
#[derive(Debug, Clone)]
pub struct Reconciled {
    /// The action after a success ([`Action::Resync`] or [`Action::RequeueAfter`]), or why
    /// the reconcile did not succeed (the runner asks [`super::error_policy`] what to do).
    pub result: Result<Action, ReconcileError>,
    /// Drift found before any write (empty when live state could not be read).
    pub drift: Vec<DriftEvent>,
    /// Changes written (always empty in dry-run mode).
    pub corrected: Vec<Change>,
    /// The bucket's configuration counts after this reconcile, when live state was read.
    pub counts: Option<ConfigCounts>,
    /// True when live state matches the manifest now (in dry-run mode: it already did).
    pub in_sync: bool,
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
    /// Holds deletes, replacements and writes the settled revision did not allow until the
    /// revision in force has settled.
    pub settle: SettleGate,
}

/// Reconciles `desired` once, inside a span carrying provider, bucket and revision.
///
/// # Guarantees
/// - In dry-run mode, and for a bucket in observe mode, only LIST requests are sent.
/// - Every drifted configuration is logged at WARN and counted before anything is written;
///   every correction is logged at INFO (by [`apply_plan`]); the duration is observed, a failure counted, a success stamped.
/// - Never panics on provider errors: they become a [`ReconcileError`] in the result.
pub async fn reconcile_bucket(
    context: &ReconcileContext,
    desired: &DesiredBucket,
    revision: &str,
) -> Reconciled {
    let reconcile = async {
        match context.clients.for_desired(desired) {
            Ok(client) => observe_or_correct(&client, context, desired, revision).await,
            Err(error) => Reconciled::failed(ReconcileError::Client {
                source: Arc::new(error),
            }),
        }
    };
    reported(context, desired, revision, reconcile).await
}

/// [`reconcile_bucket`] through `api` instead of the context's clients (an in-memory
/// [`crate::provider::memory::MemoryInventory`] in tests). Same guarantees.
pub async fn reconcile_with<A: InventoryApi>(
    api: &A,
    context: &ReconcileContext,
    desired: &DesiredBucket,
    revision: &str,
) -> Reconciled {
    let reconcile = observe_or_correct(api, context, desired, revision);
    reported(context, desired, revision, reconcile).await
}

/// Runs `reconcile` inside the bucket's span, then observes its duration and logs and counts
/// how it ended.
async fn reported(
    context: &ReconcileContext,
    desired: &DesiredBucket,
    revision: &str,
    reconcile: impl Future<Output = Reconciled>,
) -> Reconciled {
    let span = tracing::info_span!(
        "reconcile",
        provider = %desired.key.provider,
        bucket = %desired.key.bucket,
        revision,
    );
    async {
        let started = Instant::now();
        let reconciled = reconcile.await;
        let metrics = &context.metrics;
        let provider = desired.key.provider;
        metrics.observe_reconcile(provider, started.elapsed());
        let failed = reconciled.result.is_err();
        metrics.record_bucket_outcome(provider, &desired.key.bucket, failed);
        match &reconciled.result {
            Ok(Action::RequeueAfter(wait)) => {
                tracing::info!(
                    wait_ms = wait.as_millis(),
                    "some writes wait for the manifests to settle"
                );
            }
            Ok(_) => {
                metrics.set_bucket_success(provider, &desired.key.bucket, SystemTime::now());
                tracing::debug!(in_sync = reconciled.in_sync, "reconciled");
            }
            Err(error @ ReconcileError::PerpetualDiff { .. }) => {
                metrics.record_reconcile_error(provider);
                tracing::error!(error = %error.reason(), "not converged; retrying after the resync interval");
            }
            Err(error) => {
                metrics.record_reconcile_error(provider);
                let kind = error.kind().map(|k| k.as_str()).unwrap_or("");
                tracing::error!(error = %error.reason(), kind, "reconcile failed; retrying with backoff");
            }
        }
        reconciled
    }
    .instrument(span)
    .await
}

/// Lists once, plans, reports the drift (before any write, so logs read cause then effect),
/// then corrects it unless in dry-run mode.
async fn observe_or_correct<A: InventoryApi>(
    client: &A,
    context: &ReconcileContext,
    desired: &DesiredBucket,
    revision: &str,
) -> Reconciled {
    let live = match client.list(&desired.key).await {
        Ok(live) => live,
        Err(error) => {
            return Reconciled::failed(ReconcileError::ListLive {
                source: Arc::new(error),
            });
        }
    };
    let plan = plan_bucket(desired, &live, &context.options);
    let drift = drift::drift_events(&plan);
    drift::report(&drift, revision, &context.metrics);
    drift::report_blocked(&plan, revision);
    let declared = desired.inventories.len();
    if context.dry_run || desired.mode == BucketMode::Observe {
        return Reconciled {
            result: Ok(Action::Resync),
            drift,
            corrected: Vec::new(),
            counts: Some(drift::plan_counts(&plan, declared)),
            in_sync: plan.changes.is_empty(),
            foreign: plan.blocked.clone(),
        };
    }
    let settled = context.settle.settled_grant(desired);
    let hold = if settle::must_settle(&plan, &settled) && plan.refusal.is_none() {
        context.settle.check(revision, super::now()).await
    } else {
        Stability::Settled
    };
    if let Stability::Hold(wait) = hold {
        // What the settled revision allowed goes ahead now; the rest stays drift until this
        // revision settles.
        let (status, corrected) = match settle::within_settled(desired, &plan, &settled) {
            Some(interim) => {
                let interim_plan = plan_bucket(&interim, &live, &context.options);
                let outcome = apply_plan(
                    client,
                    &interim,
                    interim_plan,
                    &context.options,
                    &context.settings,
                )
                .await;
                (outcome.status, outcome.written)
            }
            None => (Ok(Applied::Observed(plan.changes.len())), Vec::new()),
        };
        return Reconciled {
            result: result_of(status, Action::RequeueAfter(wait)),
            drift,
            corrected,
            counts: Some(drift::plan_counts(&plan, declared)),
            in_sync: false,
            foreign: plan.blocked.clone(),
        };
    }
    let foreign = plan.blocked.clone();
    let outcome = apply_plan(client, desired, plan, &context.options, &context.settings).await;
    let in_sync = outcome.is_converged();
    let counts = outcome.plan.as_ref().map(|plan| {
        if in_sync {
            converged_counts(plan, declared)
        } else {
            drift::plan_counts(plan, declared)
        }
    });
    Reconciled {
        result: result_of(outcome.status, Action::Resync),
        drift,
        corrected: outcome.written,
        counts,
        in_sync,
        foreign,
    }
}

/// The result of a reconcile whose apply ended in `status`: `done` when it converged (or, in
/// observe mode, was only reported).
fn result_of(status: BucketStatus, done: Action) -> Result<Action, ReconcileError> {
    status.map(|_| done)
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
    pub(crate) fn failed(error: ReconcileError) -> Reconciled {
        Reconciled {
            result: Err(error),
            drift: Vec::new(),
            corrected: Vec::new(),
            counts: None,
            in_sync: false,
            foreign: Vec::new(),
        }
    }
}
