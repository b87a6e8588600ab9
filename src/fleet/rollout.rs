//! After planning: what each policy's buckets need, the waves a large rollout is spread over,
//! and the fleet-wide mass-delete guard. Pure.

use std::collections::{BTreeMap, BTreeSet};

use super::expand::Expanded;
use crate::model::{BucketKey, BucketMode, DesiredBucket, DesiredState};
use crate::plan::{Action, BucketPlan, FleetReport, Plan, PlanOptions, Waves};

/// Default of `--max-policy-writes-per-pass`: buckets written through policies in one pass.
pub const DEFAULT_MAX_POLICY_WRITES_PER_PASS: usize = 100;

/// Limits of a policy rollout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutOptions {
    /// Most buckets one pass writes to through policies (at least 1).
    pub max_writes_per_pass: usize,
    /// The mass-delete limits, applied to each policy's deletes across the fleet as the bucket
    /// guard applies them to one bucket's.
    pub plan: PlanOptions,
}

impl Default for RolloutOptions {
    fn default() -> Self {
        RolloutOptions {
            max_writes_per_pass: DEFAULT_MAX_POLICY_WRITES_PER_PASS,
            plan: PlanOptions::default(),
        }
    }
}

/// Fills `plan.fleet` from `expanded`'s coverage and the plan's buckets, and takes out of
/// `plan.failures` the buckets only policies declare that turned out gone (an ordinary outcome).
///
/// # Guarantees
/// - A matched bucket is counted once per policy: to change (a change, observed drift or a
///   blocked configuration on an id the policy declares or owns), failed, or in sync.
/// - The buckets policies write to are taken in key order; those past
///   `max_writes_per_pass` are `deferred` and `waves.passes` says how many passes it takes.
/// - A policy whose deletes across the fleet pass the mass-delete limits gets a `refusal`.
pub fn report(plan: &mut Plan, expanded: &Expanded, options: &RolloutOptions) {
    let desired = &expanded.desired;
    let gone: BTreeSet<BucketKey> = plan
        .failures
        .iter()
        .filter(|f| {
            f.gone
                && desired
                    .buckets
                    .get(&f.key)
                    .is_some_and(DesiredBucket::only_policies)
        })
        .map(|f| f.key.clone())
        .collect();
    plan.failures.retain(|f| !gone.contains(&f.key));
    let plans: BTreeMap<&BucketKey, &BucketPlan> =
        plan.buckets.iter().map(|b| (&b.key, b)).collect();
    let failed: BTreeSet<&BucketKey> = plan.failures.iter().map(|f| &f.key).collect();

    let mut writes: BTreeSet<BucketKey> = BTreeSet::new();
    let mut policies = expanded.coverage.clone();
    for cov in &mut policies {
        let (mut deletes, mut live) = (0, 0);
        let matched = std::mem::take(&mut cov.matched);
        for key in &matched {
            if gone.contains(key) {
                cov.gone.push(key.clone());
                continue;
            }
            if failed.contains(key) {
                cov.failed += 1;
                continue;
            }
            let (Some(bucket_plan), Some(bucket)) = (plans.get(key), desired.buckets.get(key))
            else {
                cov.failed += 1;
                continue;
            };
            let Some(share) = bucket.policies.iter().find(|s| s.policy == cov.policy) else {
                continue;
            };
            let mine = |id: &str| share.covers(id);
            let changed = bucket_plan.changes.iter().any(|c| mine(&c.id))
                || bucket_plan.observed.iter().any(|c| mine(&c.id))
                || bucket_plan.blocked.iter().any(|b| mine(&b.id));
            if changed {
                cov.to_change.push(key.clone());
            } else {
                cov.in_sync += 1;
            }
            let writable = bucket_plan.refusal.is_none() && !bucket_plan.observe;
            if writable && bucket_plan.changes.iter().any(|c| mine(&c.id)) {
                writes.insert(key.clone());
            }
            deletes += bucket_plan
                .changes
                .iter()
                .filter(|c| c.action == Action::Delete && mine(&c.id))
                .count();
            live += bucket_plan
                .changes
                .iter()
                .filter(|c| c.before.is_some() && mine(&c.id))
                .count()
                + bucket_plan.in_sync.iter().filter(|id| mine(id)).count();
        }
        cov.matched = matched;
        cov.gone.sort();
        cov.refusal = options
            .plan
            .check_deletes(deletes, live)
            .map(|r| format!("{} across the policy's buckets", r.reason));
    }

    let limit = options.max_writes_per_pass.max(1);
    let deferred: BTreeSet<&BucketKey> = writes.iter().skip(limit).collect();
    for cov in &mut policies {
        cov.deferred = cov
            .to_change
            .iter()
            .filter(|k| deferred.contains(k))
            .cloned()
            .collect();
    }
    plan.fleet = FleetReport {
        policies,
        waves: (!writes.is_empty()).then(|| Waves {
            limit,
            buckets: writes.len(),
            passes: writes.len().div_ceil(limit),
        }),
    };
}

/// The desired state this pass carries out: buckets deferred to a later wave keep only what
/// their own manifests declare in force (a bucket only policies declare is left out, as is
/// one gone since it was listed), and a policy whose deletes are refused prunes nothing.
///
/// # Guarantees
/// Never adds a write: every change of the result's plan is one of `desired`'s plan.
pub fn this_pass(desired: &DesiredState, fleet: &FleetReport) -> DesiredState {
    let deferred: BTreeSet<&BucketKey> = fleet.policies.iter().flat_map(|c| &c.deferred).collect();
    let refused: BTreeSet<&str> = fleet
        .policies
        .iter()
        .filter(|c| c.refusal.is_some())
        .map(|c| c.policy.as_str())
        .collect();
    let gone: BTreeSet<&BucketKey> = fleet.policies.iter().flat_map(|c| &c.gone).collect();
    let mut pass = desired.clone();
    pass.buckets.retain(|key, bucket| {
        !((deferred.contains(key) || gone.contains(key)) && bucket.only_policies())
    });
    for (key, bucket) in &mut pass.buckets {
        for share in &mut bucket.policies {
            if refused.contains(share.policy.as_str()) {
                share.prune = false;
            }
            if deferred.contains(key) {
                share.mode = BucketMode::Observe;
            }
        }
    }
    pass
}
