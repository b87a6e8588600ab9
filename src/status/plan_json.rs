//! Conditions in `invsync plan --output json`: what each bucket's plan says, as status would.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde_json::Value;

use super::derive::derive;
use super::sync::BucketSync;
use super::view::BucketStatus;
use crate::model::{BucketKey, DeliveryHealth, DeliveryState, Readiness};
use crate::plan::{Plan, render};

/// The status of every bucket of `plan` (read or not), sorted by provider and bucket, with
/// `now` as every transition time and the plan's revision as the observed one. Plans read no
/// reports: a configuration in sync whose destination is ready (or was not checked) is `Ready`
/// `InSync`; one whose destination is not ready, or could not be checked, says so, its
/// reports `unknown`.
pub fn plan_statuses(plan: &Plan, now: SystemTime) -> Vec<BucketStatus> {
    let none = BTreeMap::new();
    let health = destination_health(plan);
    let mut statuses: Vec<(_, BucketStatus)> = plan
        .buckets
        .iter()
        .map(|bucket| {
            let sync = BucketSync::from_plan(bucket);
            let health = health.get(&bucket.key).unwrap_or(&none);
            let status = derive(&bucket.key, &sync, health, None, &plan.revision, now);
            (bucket.key.clone(), status)
        })
        .chain(plan.failures.iter().map(|failure| {
            let sync = BucketSync::from_failure(failure);
            let status = derive(&failure.key, &sync, &none, None, &plan.revision, now);
            (failure.key.clone(), status)
        }))
        .collect();
    statuses.sort_by(|a, b| a.0.cmp(&b.0));
    statuses.into_iter().map(|(_, status)| status).collect()
}

/// The plan's destination findings that are not `Ready`, as delivery health whose reports
/// were not looked at, by bucket and configuration id.
fn destination_health(plan: &Plan) -> BTreeMap<BucketKey, BTreeMap<String, DeliveryHealth>> {
    let mut health: BTreeMap<BucketKey, BTreeMap<String, DeliveryHealth>> = BTreeMap::new();
    for finding in &plan.destinations {
        if finding.readiness == Readiness::Ready {
            continue;
        }
        health.entry(finding.key.clone()).or_default().insert(
            finding.id.clone(),
            DeliveryHealth {
                readiness: finding.readiness.clone(),
                state: DeliveryState::Unknown,
                last: None,
                next_due: None,
                problem: None,
            },
        );
    }
    health
}

/// [`render::json`] of `plan` with one more array, `buckets`: each bucket's
/// [`BucketStatus`] (`provider`, `bucket`, `region`, `conditions`, `configurations`), as
/// [`plan_statuses`] makes them at `now`.
pub fn json(plan: &Plan, now: SystemTime) -> Value {
    let mut value = render::json(plan);
    let statuses = serde_json::to_value(plan_statuses(plan, now)).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert("buckets".to_string(), statuses);
    }
    value
}
