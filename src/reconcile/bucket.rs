//! The one reconcile contract: `reconcile(bucket, context)` lists, plans and writes what the
//! bucket's mode and the settle gate allow, and returns what it did. `apply` runs it once per
//! bucket; the daemon runs it on every pass and derives when to look again from its result.

use std::sync::Arc;

use super::apply::{ApplySettings, apply_plan};
use super::clients::Clients;
use super::error::ReconcileError;
use super::outcome::{Applied, Reconciled};
use super::settle::{self, SettleGate, Stability};
use super::waves::WaveBudget;
use crate::metrics::Metrics;
use crate::model::{BucketMode, DesiredBucket};
use crate::plan::{PlanOptions, plan_bucket};
use crate::provider::InventoryApi;

/// What a reconcile needs besides the bucket; cheap to clone into a task.
#[derive(Clone)]
pub struct ReconcileContext {
    /// The provider clients, one per provider, endpoint and credentials.
    pub clients: Clients,
    /// Where the daemon's observers ([`super::report`]) count; a reconcile itself records
    /// nothing.
    pub metrics: Metrics,
    /// Deletion limits and the `Once` configurations this run may start.
    pub options: PlanOptions,
    /// How many read-backs confirm the writes, and the pauses between them.
    pub settings: ApplySettings,
    /// Observe only: list and plan, never write.
    pub dry_run: bool,
    /// Holds deletes, replacements and writes the settled revision did not allow until the
    /// revision in force has settled ([`SettleGate::unguarded`] for a one-shot `apply`).
    pub settle: SettleGate,
    /// The wave this bucket's writes draw on when a fleet policy makes it ([`WaveBudget`]);
    /// `None` for a bucket its own manifest declares.
    pub wave: Option<WaveBudget>,
}

/// Reconciles `desired` once through the context's client for its provider and endpoint.
/// `revision` is the manifests revision `desired` comes from (what the settle gate checks).
///
/// # Guarantees
/// - Observing only (a dry-run context, or a bucket in observe mode), only LIST requests are
///   sent and the result is [`Applied::InSync`] or [`Applied::Observed`].
/// - Otherwise what differs is written and confirmed as [`apply_plan`] guarantees, except that
///   writes waiting for `revision` to settle ([`super::settle`]) are left out: what the settled
///   revision allowed is written and the result is [`Applied::Held`] with the time to wait.
/// - A bucket with a [`WaveBudget`] writes only when it gets a share of the pass; otherwise
///   nothing is written and the result is [`Applied::Held`] for one pass.
/// - Nothing is logged, counted or announced about the outcome here: callers observe the
///   returned record (the daemon through [`super::report::observed`], `apply` by printing it).
///
/// # Errors
/// Never panics on provider errors: a missing client, a failed LIST, a refused plan, failed
/// writes or a read-back that does not match are the record's `result`
/// ([`ReconcileError`]); the daemon turns it into its next action with
/// [`super::requeue::next_action`].
pub async fn reconcile(
    desired: &DesiredBucket,
    context: &ReconcileContext,
    revision: &str,
) -> Reconciled {
    match context.clients.for_desired(desired) {
        Ok(client) => reconcile_with(&client, desired, context, revision).await,
        Err(error) => Reconciled::failed(ReconcileError::Client {
            source: Arc::new(error),
        }),
    }
}

/// [`reconcile`] through `api` instead of the context's clients (an in-memory
/// [`crate::provider::memory::MemoryInventory`] in tests). Same guarantees and errors.
pub async fn reconcile_with<A: InventoryApi>(
    api: &A,
    desired: &DesiredBucket,
    context: &ReconcileContext,
    revision: &str,
) -> Reconciled {
    let live = match api.list(&desired.key).await {
        Ok(live) => live,
        Err(error) => {
            return Reconciled::failed(ReconcileError::ListLive {
                source: Arc::new(error),
            });
        }
    };
    let plan = plan_bucket(desired, &live, &context.options);
    if context.dry_run || desired.mode == BucketMode::Observe {
        let result = match plan.changes.len() {
            0 => Applied::InSync,
            pending => Applied::Observed(pending),
        };
        return Reconciled {
            result: Ok(result),
            plan: Some(plan),
            written: Vec::new(),
            failures: Vec::new(),
        };
    }
    if let Some(wave) = &context.wave
        && !plan.changes.is_empty()
        && plan.refusal.is_none()
        && !wave.try_take()
    {
        // This pass's wave is full: the bucket is written in a later one.
        return Reconciled {
            result: Ok(Applied::Held(wave.pass())),
            plan: Some(plan),
            written: Vec::new(),
            failures: Vec::new(),
        };
    }
    let settled = context.settle.settled_grant(desired);
    let hold = if settle::must_settle(&plan, desired, &settled) && plan.refusal.is_none() {
        context.settle.check(revision, super::now()).await
    } else {
        Stability::Settled
    };
    let Stability::Hold(wait) = hold else {
        return apply_plan(api, desired, plan, &context.options, &context.settings).await;
    };
    // What the settled revision allowed goes ahead now; the rest stays drift until this
    // revision settles.
    let interim = match settle::within_settled(desired, &plan, &settled) {
        Some(interim) => {
            let interim_plan = plan_bucket(&interim, &live, &context.options);
            apply_plan(
                api,
                &interim,
                interim_plan,
                &context.options,
                &context.settings,
            )
            .await
        }
        None => Reconciled {
            result: Ok(Applied::Observed(plan.changes.len())),
            plan: None,
            written: Vec::new(),
            failures: Vec::new(),
        },
    };
    Reconciled {
        result: interim.result.map(|_| Applied::Held(wait)),
        plan: Some(plan),
        written: interim.written,
        failures: interim.failures,
    }
}
