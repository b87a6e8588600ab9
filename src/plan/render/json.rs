//! The machine-readable rendering of a plan (`--output json`).

use serde_json::{Value, json as j};

use crate::manifest::from_model::inventory_value;
use crate::model::{BucketKey, Readiness};
use crate::plan::{Change, DestinationFinding, Plan, PolicyCoverage};

/// Version of the JSON plan layout; bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// Renders `plan` as a JSON object:
///
/// ```text
/// { format_version: 1, revision, summary: {create, update, replace, delete, in_sync,
///   unmanaged, blocked, once, refused, failed},
///   changes:   [{action, provider, bucket, region, id, before, after, diff, refused,
///                overwrites_foreign}],
///   unmanaged: [{provider, bucket, region, id}],
///   blocked:   [{provider, bucket, region, id, held_back, unmodelled, way_out, live_xml}],
///   once:      [{provider, bucket, region, id, state: pending|pending_different|not_live}],
///   refused:   [{provider, bucket, region, deletes, live, reason}],
///   failures:  [{provider, bucket, region, message}],
///   // only when the manifests declare policies:
///   policies:  [{name, provider, file, mode, matched, to_change, in_sync, excluded,
///                unreadable, failed, gone, deferred, refused, listing_error,
///                buckets: {matched, to_change, deferred, gone, unreadable}}],
///   waves:     {limit, buckets, passes} | null,
///   skipped:   [{provider, bucket, region, id, policy, declared_by}] }
/// ```
///
/// A change of an id an observing policy owns carries `mode: "observe"`.
///
/// `before`/`after` are the normalized configurations in manifest form, `null` when absent;
/// `refused` on a change is true when its bucket's plan is refused and it will not be made;
/// `overwrites_foreign` is the unmodelled paths of the foreign configuration an opted-in
/// change overwrites (`null` otherwise). A `blocked` entry is a foreign live configuration a
/// change would have touched (`held_back`: the action), left alone.
/// Arrays are in bucket order, then id order.
pub fn json(plan: &Plan) -> Value {
    let mut changes = Vec::new();
    let mut unmanaged = Vec::new();
    let mut blocked = Vec::new();
    let mut once = Vec::new();
    let mut refused = Vec::new();
    let mut skipped = Vec::new();
    for bucket in &plan.buckets {
        for change in &bucket.changes {
            // `mode` only on observed changes, so plans without observe mode read as before.
            changes.push(change_entry(
                change,
                bucket.refusal.is_some(),
                bucket.observe,
            ));
        }
        for change in &bucket.observed {
            changes.push(change_entry(change, false, true));
        }
        for (id, policy, file) in &bucket.skipped {
            let mut entry = location(&bucket.key);
            entry["id"] = j!(id);
            entry["policy"] = j!(policy);
            entry["declared_by"] = j!(file.display().to_string());
            skipped.push(entry);
        }
        for o in &bucket.once {
            let mut entry = location(&bucket.key);
            entry["id"] = j!(o.id);
            entry["state"] = j!(o.state);
            once.push(entry);
        }
        for b in &bucket.blocked {
            let mut entry = location(&bucket.key);
            entry["id"] = j!(b.id);
            entry["held_back"] = j!(b.held_back);
            entry["unmodelled"] = j!(b.unmodelled);
            entry["way_out"] = j!(b.way_out());
            entry["live_xml"] = j!(b.raw_xml);
            blocked.push(entry);
        }
        for id in &bucket.unmanaged {
            let mut entry = location(&bucket.key);
            entry["id"] = j!(id);
            unmanaged.push(entry);
        }
        if let Some(refusal) = &bucket.refusal {
            let mut entry = location(&bucket.key);
            entry["deletes"] = j!(refusal.deletes);
            entry["live"] = j!(refusal.live);
            entry["reason"] = j!(refusal.reason);
            refused.push(entry);
        }
    }
    let failures: Vec<Value> = plan
        .failures
        .iter()
        .map(|f| {
            let mut entry = location(&f.key);
            entry["message"] = j!(f.message);
            entry
        })
        .collect();
    let mut out = j!({
        "format_version": FORMAT_VERSION,
        "revision": plan.revision,
        "summary": plan.summary(),
        "changes": changes,
        "unmanaged": unmanaged,
        "blocked": blocked,
        "once": once,
        "refused": refused,
        "failures": failures,
    });
    // Only with delivery checks, so plans without them read as before.
    if !plan.destinations.is_empty() {
        out["destinations"] = Value::Array(plan.destinations.iter().map(destination).collect());
    }
    // Only with policies, so plans without them read as before.
    if !plan.fleet.policies.is_empty() {
        out["policies"] = Value::Array(plan.fleet.policies.iter().map(policy).collect());
        out["waves"] = j!(plan.fleet.waves);
        out["skipped"] = j!(skipped);
    }
    out
}

/// One change; `observe` adds `mode: "observe"`.
fn change_entry(change: &Change, refused: bool, observe: bool) -> Value {
    let mut entry = location(&change.key);
    entry["action"] = j!(change.action);
    entry["id"] = j!(change.id);
    entry["before"] = change.before.as_ref().map_or(Value::Null, inventory_value);
    entry["after"] = change.after.as_ref().map_or(Value::Null, inventory_value);
    entry["diff"] = j!(change.diff());
    entry["refused"] = j!(refused);
    if observe {
        entry["mode"] = j!("observe");
    }
    entry["overwrites_foreign"] = change
        .overwrites
        .as_ref()
        .map_or(Value::Null, |f| j!(f.unmodelled));
    entry
}

/// One policy's coverage: counts and the buckets behind them.
fn policy(cov: &PolicyCoverage) -> Value {
    let keys = |keys: &[BucketKey]| -> Vec<Value> { keys.iter().map(location).collect() };
    j!({
        "name": cov.policy,
        "provider": cov.provider,
        "file": cov.origin.file.display().to_string(),
        "mode": cov.mode.as_str(),
        "matched": cov.matched.len(),
        "to_change": cov.to_change.len(),
        "in_sync": cov.in_sync,
        "excluded": cov.excluded,
        "unreadable": cov.unreadable.len(),
        "failed": cov.failed,
        "gone": cov.gone.len(),
        "deferred": cov.deferred.len(),
        "refused": cov.refusal,
        "listing_error": cov.listing_error,
        "buckets": {
            "matched": keys(&cov.matched),
            "to_change": keys(&cov.to_change),
            "deferred": keys(&cov.deferred),
            "gone": keys(&cov.gone),
            "unreadable": cov.unreadable.iter().map(|(key, reason)| {
                let mut entry = location(key);
                entry["reason"] = j!(reason);
                entry
            }).collect::<Vec<Value>>(),
        },
    })
}

fn location(key: &BucketKey) -> Value {
    j!({
        "provider": key.provider,
        "bucket": key.bucket,
        "region": key.region,
    })
}

/// One configuration's report destination: `state` and, when not ready, the problem and the
/// fix, or why it was not checked.
fn destination(finding: &DestinationFinding) -> Value {
    let mut entry = location(&finding.key);
    entry["id"] = j!(finding.id);
    entry["state"] = j!(finding.state());
    match &finding.readiness {
        Readiness::Ready => {}
        Readiness::NotReady { problem, fix } => {
            entry["problem"] = j!(problem);
            entry["fix"] = j!(fix);
        }
        Readiness::NotChecked { reason } => entry["reason"] = j!(reason),
    }
    entry
}
