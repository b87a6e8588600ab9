//! Expansion: every policy materialized on every bucket it selects, merged with the buckets the
//! manifests declare one by one. Pure.

use std::collections::{BTreeMap, BTreeSet};

use super::discover::FleetSnapshot;
use crate::manifest::Diagnostic;
use crate::manifest::lines::FieldPath;
use crate::manifest::template::{self, TemplateValues};
use crate::model::selector::Verdict;
use crate::model::{
    BucketKey, BucketMode, DesiredBucket, DesiredState, DiscoveredBucket, Inventory,
    InventoryPolicy, PolicyShare, Provider,
};
use crate::plan::PolicyCoverage;
use crate::provider::registry;

/// The effective desired state of one revision and what each policy covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    /// The explicit buckets, plus every selected bucket with its policies' configurations;
    /// `policies` as loaded.
    pub desired: DesiredState,
    /// One per policy, sorted by name; the plan-side counts are filled by
    /// [`super::rollout::report`].
    pub coverage: Vec<PolicyCoverage>,
    /// Two policies declaring one id on one bucket (naming both files), or a policy item its
    /// provider refuses once a bucket's values are filled in. Nothing may be written while any
    /// is present.
    pub errors: Vec<Diagnostic>,
}

/// The effective desired state: explicit buckets plus every policy materialized on every
/// selected bucket, and per-policy coverage; conflicts are diagnostics naming both files.
///
/// # Guarantees
/// - A policy adds only ids it declares; an id the bucket's own manifest declares stays the
///   manifest's, and the policy's is recorded in [`PolicyShare::skipped`].
/// - A bucket no manifest declares gets `prune: false` and `mode: enforce`: only its policies'
///   own prune and mode apply, to their own ids ([`DesiredBucket::prunes`],
///   [`DesiredBucket::observes`]).
/// - A bucket whose tags could not be read is never selected: it is `unreadable` in coverage.
///   A bucket gone since the listing is `gone`, not an error.
/// - Pure and deterministic: the same inputs give the same output, in key order.
pub fn expand(desired: &DesiredState, snapshot: &FleetSnapshot) -> Expanded {
    let mut out = desired.clone();
    let mut errors = Vec::new();
    let mut coverage = Vec::new();
    // The explicit buckets by provider and name: a discovered bucket is the same bucket
    // whatever region a manifest spells.
    let explicit: BTreeMap<(Provider, String), BucketKey> = desired
        .buckets
        .keys()
        .map(|k| ((k.provider, k.bucket.clone()), k.clone()))
        .collect();
    for policy in &desired.policies {
        let mut cov = PolicyCoverage {
            policy: policy.name.clone(),
            provider: Some(policy.provider),
            mode: policy.mode,
            origin: policy.origin.clone(),
            ..PolicyCoverage::default()
        };
        let Some(listing) = snapshot.listing_of(policy.provider, &policy.options) else {
            cov.listing_error = Some("the account's buckets were not listed".into());
            coverage.push(cov);
            continue;
        };
        if let Some(error) = snapshot.listing_errors.get(&listing) {
            cov.listing_error = Some(error.clone());
            coverage.push(cov);
            continue;
        }
        let seen = snapshot.buckets.get(&policy.provider).into_iter().flatten();
        let no_tags = BTreeMap::new();
        for seen in seen.filter(|s| s.listing == listing) {
            let verdict = match (&seen.tags, policy.selector.needs_tags()) {
                (Some(tags), _) => policy.selector.verdict(&seen.bucket, tags),
                (None, false) => policy.selector.verdict(&seen.bucket, &no_tags),
                // Tags were not read: only when the name or region already refuses it.
                (None, true) => policy.selector.verdict_without_tags(&seen.bucket),
            };
            if verdict != Verdict::Selected {
                cov.excluded += 1;
                continue;
            }
            let key = explicit
                .get(&(policy.provider, seen.bucket.name.clone()))
                .cloned()
                .unwrap_or_else(|| seen.bucket.key(policy.provider));
            match materialize(policy, &seen.bucket, &key) {
                Ok(inventories) => {
                    merge(&mut out, key.clone(), policy, inventories, &mut errors);
                    cov.matched.push(key);
                }
                Err(found) => errors.extend(found),
            }
        }
        for other in snapshot
            .unreadable
            .iter()
            .filter(|u| u.listing == listing && u.provider == policy.provider)
        {
            if policy.selector.verdict_without_tags(&other.bucket) == Verdict::Selected {
                cov.unreadable
                    .push((other.bucket.key(policy.provider), other.reason.clone()));
            } else {
                cov.excluded += 1;
            }
        }
        for (provider, bucket) in &snapshot.gone {
            if *provider == policy.provider
                && policy.selector.verdict_without_tags(bucket) == Verdict::Selected
            {
                cov.gone.push(bucket.key(*provider));
            }
        }
        cov.matched.sort();
        coverage.push(cov);
    }
    coverage.sort_by(|a, b| a.policy.cmp(&b.policy));
    errors.sort();
    Expanded {
        desired: out,
        coverage,
        errors,
    }
}

/// The policy's items filled in for `bucket` and validated by its provider for its region.
///
/// # Errors
/// Every problem, as diagnostics at the policy's file naming the bucket.
fn materialize(
    policy: &InventoryPolicy,
    bucket: &DiscoveredBucket,
    key: &BucketKey,
) -> Result<Vec<Inventory>, Vec<Diagnostic>> {
    let entry = registry::spec(policy.provider);
    let values = TemplateValues {
        bucket: &key.bucket,
        region: &key.region,
        provider: policy.provider,
    };
    let mut inventories = Vec::with_capacity(policy.inventories.len());
    let mut problems = Vec::new();
    for (i, item) in policy.inventories.iter().enumerate() {
        let path = FieldPath::root().key("spec").key("inventories").index(i);
        let parsed = template::render(item, &values, &path)
            .and_then(|rendered| (entry.parse_inventory)(&key.region, &rendered, &path).result);
        match parsed {
            Ok(inventory) => inventories.push(inventory),
            Err(found) => problems.extend(found),
        }
    }
    if problems.is_empty() {
        return Ok(inventories);
    }
    Err(problems
        .into_iter()
        .map(|e| Diagnostic {
            file: policy.origin.file.clone(),
            line: policy.origin.line,
            document: Some(policy.origin.document),
            path: e.path.to_string(),
            message: format!(
                "policy `{}` on {} bucket `{}` ({}): {}",
                policy.name, policy.provider, bucket.name, key.region, e.message
            ),
            hint: e.hint,
        })
        .collect())
}

/// Adds `policy`'s configurations to the bucket `key`, creating it when no manifest declares
/// it, and records the share.
fn merge(
    out: &mut DesiredState,
    key: BucketKey,
    policy: &InventoryPolicy,
    inventories: Vec<Inventory>,
    errors: &mut Vec<Diagnostic>,
) {
    let bucket = out
        .buckets
        .entry(key.clone())
        .or_insert_with(|| DesiredBucket {
            key,
            name: policy.name.clone(),
            prune: false,
            mode: BucketMode::Enforce,
            endpoint: None,
            options: policy.options.clone(),
            origin: policy.origin.clone(),
            inventories: Vec::new(),
            overwrite_foreign: BTreeSet::new(),
            policies: Vec::new(),
        });
    let mut share = PolicyShare {
        policy: policy.name.clone(),
        origin: policy.origin.clone(),
        id_prefix: policy.id_prefix.clone(),
        prune: policy.prune,
        mode: policy.mode,
        ids: BTreeSet::new(),
        skipped: Vec::new(),
    };
    for inventory in inventories {
        let id = inventory.id().to_string();
        if let Some(other) = bucket.declared_by_policy(&id) {
            errors.push(Diagnostic {
                file: policy.origin.file.clone(),
                line: policy.origin.line,
                document: Some(policy.origin.document),
                path: "spec.inventories".into(),
                message: format!(
                    "policy `{}` and policy `{}` ({}) both declare id `{id}` on {} bucket `{}`",
                    policy.name, other.policy, other.origin, bucket.key.provider, bucket.key.bucket
                ),
                hint: Some("one id on one bucket has one owner: rename it in one policy".into()),
            });
            continue;
        }
        if bucket.inventories.iter().any(|i| i.id() == id) {
            // Only the bucket's own manifest can have declared it: it wins.
            share.skipped.push((id, bucket.origin.clone()));
            continue;
        }
        if policy.overwrite_foreign.contains(&id) {
            bucket.overwrite_foreign.insert(id.clone());
        }
        share.ids.insert(id);
        bucket.inventories.push(inventory);
    }
    bucket.policies.push(share);
}
