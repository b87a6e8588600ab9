//! Carrying out one bucket's plan: write what differs, confirm by reading back.

use std::sync::Arc;
use std::time::Duration;

use tracing::warn;

use super::error::ReconcileError;
use super::outcome::{Applied, Reconciled};
use crate::backoff::{Backoff, Jitter};
use crate::model::{DesiredBucket, Inventory};
use crate::plan::{Action, BucketPlan, Change, PlanOptions, plan_bucket};
use crate::provider::{InventoryApi, Operation, ProviderError};

/// How hard [`apply_plan`] tries before it reports a bucket as not converged.
#[derive(Debug, Clone)]
pub struct ApplySettings {
    /// Read-backs after the writes before a remaining difference counts as a perpetual diff.
    pub confirm_attempts: u32,
    /// Pauses between read-backs, without jitter: they wait for the provider to show what was
    /// written, not to spread load.
    pub confirm_backoff: Backoff,
    /// Extra attempts at re-creating an OSS configuration deleted for replacement, on top of the
    /// transport's own retries. The configuration is reported missing until one succeeds.
    pub recreate_attempts: u32,
    /// Pauses between re-create attempts, with full jitter drawn from `jitter`.
    pub recreate_backoff: Backoff,
    /// The randomness of the re-create backoff (tests pin it).
    pub jitter: Jitter,
}

impl Default for ApplySettings {
    /// Read-backs 200 ms then 400 ms apart (inventory writes show up within a second on both
    /// providers); re-creates up to 5 times from 500 ms doubling, capped at 8 s, so a replaced
    /// configuration is missing for seconds, not minutes, while a failing server is not hammered.
    fn default() -> Self {
        ApplySettings {
            confirm_attempts: 3,
            confirm_backoff: Backoff::new(Duration::from_millis(200), Duration::from_secs(5)),
            recreate_attempts: 5,
            recreate_backoff: Backoff::new(Duration::from_millis(500), Duration::from_secs(8)),
            jitter: Jitter::random(),
        }
    }
}

/// Carries out `plan` (made by [`plan_bucket`] from a fresh listing of `desired`'s bucket)
/// and confirms it by reading the bucket back.
///
/// # Guarantees
/// - Only configurations that differ are written; an observed or refused plan writes nothing.
/// - Deletions of undeclared configurations run first (they free room under the provider's
///   per-bucket limit), then creates, updates and replacements, in id order.
/// - A replacement (OSS) deletes and re-creates; a failed re-create is retried with backoff and,
///   if it still fails, reported as a failure so that the next run creates it again.
///
/// # Errors
/// Never returns early on a failed write: every change is attempted and every failure is in
/// the record's `failures`; the result names the first one ([`ReconcileError::Apply`]), a
/// refused plan, or a read-back that does not match.
pub async fn apply_plan<A: InventoryApi>(
    api: &A,
    desired: &DesiredBucket,
    plan: BucketPlan,
    options: &PlanOptions,
    settings: &ApplySettings,
) -> Reconciled {
    let unwritten = |plan, result| Reconciled {
        result,
        plan: Some(plan),
        written: Vec::new(),
        failures: Vec::new(),
    };
    if plan.observe && !plan.changes.is_empty() {
        let pending = plan.changes.len();
        return unwritten(plan, Ok(Applied::Observed(pending)));
    }
    if let Some(refusal) = &plan.refusal {
        let reason = refusal.reason.clone();
        return unwritten(plan, Err(ReconcileError::PlanRefused { reason }));
    }
    if plan.changes.is_empty() && !plan.observed.is_empty() {
        // Only an observing policy's ids differ: drift to report.
        let pending = plan.observed.len();
        return unwritten(plan, Ok(Applied::Observed(pending)));
    }
    if plan.changes.is_empty() {
        return unwritten(plan, Ok(Applied::InSync));
    }

    let mut written = Vec::new();
    let mut failures = Vec::new();
    for change in ordered(&plan.changes) {
        match execute(api, change, settings).await {
            Ok(()) => written.push(change.clone()),
            Err(error) => failures.push((change.clone(), Arc::new(error))),
        }
    }

    let result = match failures.first() {
        None => confirm(api, desired, options, settings, &written).await,
        Some((change, error)) => Err(ReconcileError::Apply {
            id: change.id.clone(),
            failed: failures.len(),
            total: plan.changes.len(),
            source: Arc::clone(error),
        }),
    };
    Reconciled {
        result,
        plan: Some(plan),
        written,
        failures,
    }
}

/// Deletes first, then everything else, each group in id order (the plan's order).
fn ordered(changes: &[Change]) -> impl Iterator<Item = &Change> {
    let deletes = changes.iter().filter(|c| c.action == Action::Delete);
    let others = changes.iter().filter(|c| c.action != Action::Delete);
    deletes.chain(others)
}

async fn execute<A: InventoryApi>(
    api: &A,
    change: &Change,
    settings: &ApplySettings,
) -> Result<(), ProviderError> {
    match change.action {
        Action::Create | Action::Update => api.put(&change.key, desired_of(change)?).await,
        Action::Delete => api.delete(&change.key, &change.id).await,
        Action::Replace => {
            // Checked before the delete, so a replace never stops half-way for want of it.
            let desired = desired_of(change)?;
            api.delete(&change.key, &change.id).await?;
            recreate(api, change, desired, settings).await
        }
    }
}

/// Re-creates a configuration that was just deleted for replacement, retrying with backoff:
/// until this succeeds the configuration is missing from the bucket.
async fn recreate<A: InventoryApi>(
    api: &A,
    change: &Change,
    desired: &Inventory,
    settings: &ApplySettings,
) -> Result<(), ProviderError> {
    let mut attempt = 1;
    loop {
        match api.put(&change.key, desired).await {
            Ok(()) => return Ok(()),
            Err(error) if attempt >= settings.recreate_attempts.max(1) => return Err(error),
            Err(error) => {
                let delay = settings
                    .recreate_backoff
                    .next_delay(attempt - 1, &settings.jitter);
                warn!(
                    provider = %change.key.provider,
                    bucket = %change.key.bucket,
                    id = %change.id,
                    attempt,
                    delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    error = %error,
                    "re-create after delete failed; configuration is missing until it succeeds"
                );
                tokio::time::sleep(delay).await;
                attempt += 1;
            }
        }
    }
}

/// The configuration a create, update or replace writes; the plan always gives one, and a
/// change without it is refused before any write.
fn desired_of(change: &Change) -> Result<&Inventory, ProviderError> {
    change.after.as_ref().ok_or_else(|| ProviderError::Request {
        provider: change.key.provider,
        operation: Operation::Put,
        bucket: change.key.bucket.clone(),
        message: format!("{}: the plan gives no configuration to write", change.id),
        source: None,
    })
}

/// Reads the bucket back until it plans clean, or gives up and names the ids that still differ.
async fn confirm<A: InventoryApi>(
    api: &A,
    desired: &DesiredBucket,
    options: &PlanOptions,
    settings: &ApplySettings,
    written: &[Change],
) -> Result<Applied, ReconcileError> {
    let mut status = Err(ReconcileError::ChangedDuringApply { count: 0 });
    for attempt in 1..=settings.confirm_attempts.max(1) {
        if attempt > 1 {
            tokio::time::sleep(settings.confirm_backoff.ceiling(attempt - 2)).await;
        }
        status = match api.list(&desired.key).await {
            Ok(live) => {
                let replan = plan_bucket(desired, &live, options);
                if replan.changes.is_empty() {
                    return Ok(Applied::Converged);
                }
                let stuck: Vec<String> = replan
                    .changes
                    .iter()
                    .filter(|c| written.iter().any(|w| w.id == c.id))
                    .map(|c| c.id.clone())
                    .collect();
                if stuck.is_empty() {
                    Err(ReconcileError::ChangedDuringApply {
                        count: replan.changes.len(),
                    })
                } else {
                    Err(ReconcileError::PerpetualDiff { ids: stuck })
                }
            }
            Err(error) => Err(ReconcileError::ReadBack {
                source: Arc::new(error),
            }),
        };
    }
    status
}
