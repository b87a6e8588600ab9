//! One pass over every managed bucket: `plan_all` for `invsync plan`, `apply_all` for
//! `invsync apply`. Buckets are independent: one failing never stops the others.

use std::collections::{BTreeMap, VecDeque};

use futures_util::StreamExt;
use futures_util::stream;

use super::bucket::{ReconcileContext, reconcile};
use super::clients::Clients;
use super::outcome::Reconciled;
use super::report::log_writes;
use crate::error_chain::Chain;
use crate::model::{BucketKey, DesiredBucket, DesiredState, Provider};
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
    // Each bucket is planned as soon as it is read, so its live configurations are dropped
    // right away instead of all buckets' being held at once.
    let results: Vec<_> = stream::iter(interleaved(desired))
        .map(|bucket| async move {
            let live = match clients.for_desired(bucket) {
                Ok(client) => client.list(&bucket.key).await,
                Err(error) => Err(error),
            };
            live.map(|live| plan_bucket(bucket, &live, options))
                .map_err(|error| BucketFailure {
                    key: bucket.key.clone(),
                    message: Chain(&error).to_string(),
                    gone: error.is_missing_bucket(),
                })
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;

    let mut buckets = Vec::new();
    let mut failures = Vec::new();
    for result in results {
        match result {
            Ok(plan) => buckets.push(plan),
            Err(failure) => failures.push(failure),
        }
    }
    Plan::new(desired.revision.clone(), buckets, failures)
}

/// Applies every managed bucket: runs the one [`reconcile`] of each, at most `concurrency` at
/// once, logs its writes ([`log_writes`]) and returns the records in bucket order.
///
/// `context` is `apply`'s: writes enabled and an [unguarded](super::SettleGate::unguarded)
/// settle gate, so each bucket is reconciled exactly as the daemon would once its revision has
/// settled.
pub async fn apply_all(
    context: &ReconcileContext,
    desired: &DesiredState,
    concurrency: usize,
) -> Vec<(BucketKey, Reconciled)> {
    let revision = desired.revision.as_str();
    let mut outcomes: Vec<_> = stream::iter(interleaved(desired))
        .map(|bucket| async move {
            let reconciled = reconcile(bucket, context, revision).await;
            log_writes(bucket, &reconciled);
            (bucket.key.clone(), reconciled)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    outcomes.sort_by(|a, b| a.0.cmp(&b.0));
    outcomes
}

/// The buckets in the order they are worked on: round-robin over (provider, region), so that
/// with a request-rate limit per account and region every limit is in use at once (in key
/// order, all COS buckets would come before any OSS bucket and the OSS limit would idle).
/// Within a (provider, region) the key order is kept. Results are sorted afterwards.
pub(crate) fn interleaved(desired: &DesiredState) -> Vec<&DesiredBucket> {
    let mut groups: BTreeMap<(Provider, &str), VecDeque<&DesiredBucket>> = BTreeMap::new();
    for bucket in desired.buckets.values() {
        groups
            .entry((bucket.key.provider, bucket.key.region.as_str()))
            .or_default()
            .push_back(bucket);
    }
    let mut order = Vec::with_capacity(desired.buckets.len());
    while order.len() < desired.buckets.len() {
        for queue in groups.values_mut() {
            if let Some(bucket) = queue.pop_front() {
                order.push(bucket);
            }
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Origin;

    fn state(keys: &[(Provider, &str, &str)]) -> DesiredState {
        let buckets = keys
            .iter()
            .map(|(provider, bucket, region)| {
                let key = BucketKey {
                    provider: *provider,
                    bucket: bucket.to_string(),
                    region: region.to_string(),
                };
                let desired = DesiredBucket {
                    overwrite_foreign: Default::default(),
                    key: key.clone(),
                    name: bucket.to_string(),
                    prune: false,
                    mode: Default::default(),
                    endpoint: None,
                    options: Default::default(),
                    origin: Origin {
                        file: "m.yaml".into(),
                        document: 0,
                        line: None,
                    },
                    inventories: Vec::new(),
                    policies: Vec::new(),
                };
                (key, desired)
            })
            .collect();
        DesiredState {
            revision: "r".into(),
            buckets,
            policies: Vec::new(),
        }
    }

    #[test]
    fn buckets_are_worked_on_round_robin_over_provider_and_region() {
        let desired = state(&[
            (Provider::COS, "a-1250000000", "ap-guangzhou"),
            (Provider::COS, "b-1250000000", "ap-guangzhou"),
            (Provider::COS, "c-1250000000", "ap-guangzhou"),
            (Provider::COS, "d-1250000000", "ap-beijing"),
            (Provider::OSS, "e", "cn-hangzhou"),
            (Provider::OSS, "f", "cn-hangzhou"),
        ]);
        let order: Vec<&str> = interleaved(&desired)
            .iter()
            .map(|b| b.name.as_str())
            .collect();
        assert_eq!(
            order,
            [
                "d-1250000000",
                "a-1250000000",
                "e",
                "b-1250000000",
                "f",
                "c-1250000000"
            ]
        );
    }
}
