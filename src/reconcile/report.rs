//! Observing a reconcile from outside: its span, and the logs, drift reports and metrics made
//! from the record it returns.

use std::time::{Instant, SystemTime};

use tracing::{Instrument, info, warn};

use super::bucket::ReconcileContext;
use super::drift;
use super::error::ReconcileError;
use super::outcome::{Applied, Reconciled};
use crate::error_chain::Chain;
use crate::model::DesiredBucket;

/// Runs `reconcile` (of `desired`, from `revision`) inside a span carrying provider, bucket and
/// revision, then reports what it did.
///
/// # Guarantees
/// - Every drifted configuration is logged at WARN and counted, before the writes are logged;
///   every write is logged ([`log_writes`]).
/// - The duration is observed, the outcome recorded per bucket, a failure counted, a success
///   stamped. A bucket only policies cover found deleted is logged at INFO, neither failure
///   nor success ([`is_gone`]). A reconcile with writes held (for the settle gate, or for a later policy wave)
///   is no failure and is stamped: its live state was read and the bucket is watched.
pub async fn observed(
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
        if let Some(plan) = &reconciled.plan {
            drift::report(&drift::drift_events(plan), revision, metrics);
            drift::report_blocked(plan, revision);
        }
        log_writes(desired, &reconciled);
        metrics.observe_reconcile(provider, started.elapsed());
        let gone = is_gone(desired, &reconciled);
        let failed = reconciled.result.is_err() && !gone;
        metrics.record_bucket_outcome(provider, &desired.key.bucket, failed);
        match &reconciled.result {
            Err(_) if gone => {
                info!("bucket gone since discovery listed it; dropped with the next discovery");
            }
            Ok(Applied::Held(wait)) => {
                // Live state was read and what may be written now was: the bucket is watched,
                // even while a policy rollout holds its writes for hours of waves.
                metrics.set_bucket_success(provider, &desired.key.bucket, SystemTime::now());
                info!(
                    wait_ms = wait.as_millis(),
                    "some writes are held: the manifests are settling or this pass's policy wave is full"
                );
            }
            Ok(_) => {
                metrics.set_bucket_success(provider, &desired.key.bucket, SystemTime::now());
                tracing::debug!(in_sync = reconciled.is_in_sync(), "reconciled");
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

/// True when `desired` is a bucket only fleet policies cover and `reconciled` found it deleted:
/// an ordinary outcome of a fleet changing, not a failure.
pub(crate) fn is_gone(desired: &DesiredBucket, reconciled: &Reconciled) -> bool {
    desired.only_policies()
        && reconciled
            .result
            .as_ref()
            .is_err_and(ReconcileError::is_missing_bucket)
}

/// Logs each write of `reconciled` (INFO when made, WARN when it failed) and a perpetual diff
/// (WARN), as `apply` and the daemon both report them.
pub(crate) fn log_writes(desired: &DesiredBucket, reconciled: &Reconciled) {
    for change in &reconciled.written {
        info!(
            provider = %change.key.provider,
            bucket = %change.key.bucket,
            id = %change.id,
            action = change.action.as_str(),
            "corrected"
        );
    }
    for (change, error) in &reconciled.failures {
        warn!(
            provider = %change.key.provider,
            bucket = %change.key.bucket,
            id = %change.id,
            action = change.action.as_str(),
            kind = %error.kind(),
            error = %Chain(error.as_ref()),
            "write failed"
        );
    }
    if let Err(ReconcileError::PerpetualDiff { ids }) = &reconciled.result {
        warn!(
            provider = %desired.key.provider,
            bucket = %desired.key.bucket,
            ids = ?ids,
            "perpetual diff: the provider keeps these configurations different from what was written"
        );
    }
}
