//! One pass over every managed bucket: `plan_all` for `invsync plan`, `apply_all` for
//! `invsync apply`. Buckets are independent: one failing never stops the others.

use futures_util::StreamExt;
use futures_util::stream;

use super::apply::{ApplySettings, BucketOutcome, BucketStatus, apply_bucket};
use super::clients::Clients;
use crate::model::{BucketKey, DesiredState};
use crate::plan::{BucketFailure, Plan, PlanOptions, plan_bucket};
use crate::provider::InventoryApi;

/// Reads every managed bucket (one LIST per page, no GETs) and plans it.
///
/// A bucket whose live state cannot be read is a `failure` of the plan, not an error of the
/// whole call. At most `concurrency` buckets are read at once.
pub async fn plan_all(
    clients: &Clients,
    desired: &DesiredState,
    options: &PlanOptions,
    concurrency: usize,
) -> Plan {
    let results: Vec<_> = stream::iter(desired.buckets.values())
        .map(|bucket| async move {
            let live = match clients.for_bucket(&bucket.key, bucket.endpoint.as_deref()) {
                Ok(client) => client.list(&bucket.key).await,
                Err(error) => Err(error),
            };
            (bucket, live)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;

    let mut buckets = Vec::new();
    let mut failures = Vec::new();
    for (bucket, live) in results {
        match live {
            Ok(live) => buckets.push(plan_bucket(bucket, &live, options)),
            Err(error) => failures.push(BucketFailure {
                key: bucket.key.clone(),
                message: format!("{error:#}"),
            }),
        }
    }
    buckets.sort_by(|a, b| a.key.cmp(&b.key));
    failures.sort_by(|a, b| a.key.cmp(&b.key));
    Plan {
        revision: desired.revision.clone(),
        buckets,
        failures,
    }
}

/// Applies every managed bucket, at most `concurrency` at once, and returns the outcomes in
/// bucket order.
pub async fn apply_all(
    clients: &Clients,
    desired: &DesiredState,
    options: &PlanOptions,
    settings: &ApplySettings,
    concurrency: usize,
) -> Vec<(BucketKey, BucketOutcome)> {
    let mut outcomes: Vec<_> = stream::iter(desired.buckets.values())
        .map(|bucket| async move {
            let outcome = match clients.for_bucket(&bucket.key, bucket.endpoint.as_deref()) {
                Ok(client) => apply_bucket(&client, bucket, options, settings).await,
                Err(error) => BucketOutcome {
                    plan: None,
                    written: Vec::new(),
                    failures: Vec::new(),
                    status: BucketStatus::Failed(format!("{error:#}")),
                },
            };
            (bucket.key.clone(), outcome)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    outcomes.sort_by(|a, b| a.0.cmp(&b.0));
    outcomes
}
