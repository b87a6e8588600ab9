//! Drift: how a bucket's live configurations differ from its manifest, as structured events.
//!
//! [`drift_events`] turns a [`BucketPlan`] into one [`DriftEvent`] per differing configuration
//! (pure); [`report`] logs each at WARN and counts it in `invsync_drift_events_total`.

use std::fmt;

use serde_json::Value;

use crate::manifest::from_model::inventory_value;
use crate::metrics::{ConfigCounts, DriftKind, Metrics};
use crate::model::{BucketKey, Inventory};
use crate::plan::{Action, BucketPlan};

/// One field that differs between the live and the desired configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// Manifest field path, e.g. `filter.prefix` or `optionalFields`.
    pub path: String,
    /// The live value in manifest form (`None` when the live side lacks the field).
    pub live: Option<String>,
    /// The desired value in manifest form (`None` when the manifest lacks the field).
    pub desired: Option<String>,
}

impl fmt::Display for FieldChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(absent)".to_string());
        write!(
            f,
            "{}: {} -> {}",
            self.path,
            show(&self.live),
            show(&self.desired)
        )
    }
}

/// One live configuration that differs from the manifests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftEvent {
    /// The bucket.
    pub key: BucketKey,
    /// The inventory configuration's id.
    pub id: String,
    /// Missing, changed or unmanaged.
    pub kind: DriftKind,
    /// The differing fields of a `changed` configuration; empty for the other kinds.
    pub fields: Vec<FieldChange>,
}

impl DriftEvent {
    /// The field changes joined as `a: x -> y; b: …`, empty when there are none.
    pub fn field_summary(&self) -> String {
        self.fields
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The drift a plan reveals, in the plan's id order: a create is a `missing` configuration,
/// an update or replace a `changed` one, and a delete (prune) or an undeclared configuration
/// left alone an `unmanaged` one.
pub(crate) fn drift_events(plan: &BucketPlan) -> Vec<DriftEvent> {
    let mut events: Vec<DriftEvent> = plan
        .changes
        .iter()
        .map(|change| {
            let kind = match change.action {
                Action::Create => DriftKind::Missing,
                Action::Update | Action::Replace => DriftKind::Changed,
                Action::Delete => DriftKind::Unmanaged,
            };
            let fields = match (&change.before, &change.after) {
                (Some(live), Some(desired)) => field_changes(live, desired),
                _ => Vec::new(),
            };
            DriftEvent {
                key: plan.key.clone(),
                id: change.id.clone(),
                kind,
                fields,
            }
        })
        .collect();
    events.extend(plan.unmanaged.iter().map(|id| DriftEvent {
        key: plan.key.clone(),
        id: id.clone(),
        kind: DriftKind::Unmanaged,
        fields: Vec::new(),
    }));
    events
}

/// Logs every foreign configuration a change would have touched at WARN (provider, bucket,
/// id, the write held back, the unmodelled paths, the way out, revision). Counted by the
/// `blocked` state of `invsync_configs` (see [`plan_counts`]), not as drift events.
pub(crate) fn report_blocked(plan: &BucketPlan, revision: &str) {
    for blocked in &plan.blocked {
        tracing::warn!(
            provider = %blocked.key.provider,
            bucket = %blocked.key.bucket,
            id = %blocked.id,
            held_back = %blocked.held_back,
            unmodelled = %blocked.unmodelled.join(", "),
            way_out = blocked.way_out(),
            revision,
            "blocked: live configuration holds what invsync does not model; left alone"
        );
    }
}

/// Logs every event at WARN (provider, bucket, id, kind, field diff, revision) and counts it.
pub fn report(events: &[DriftEvent], revision: &str, metrics: &Metrics) {
    for event in events {
        tracing::warn!(
            provider = %event.key.provider,
            bucket = %event.key.bucket,
            id = %event.id,
            kind = %event.kind,
            diff = %event.field_summary(),
            revision,
            "drift"
        );
        metrics.record_drift(event.key.provider, event.kind);
    }
}

/// The `invsync_configs` counts of one bucket as its plan shows it: declared, declared and
/// equal, and anything that differs (changes plus undeclared configurations left alone).
pub(crate) fn plan_counts(plan: &BucketPlan, declared: usize) -> ConfigCounts {
    ConfigCounts {
        managed: declared as u64,
        // A `Once` configuration left alone is as declared: pending, or done.
        in_sync: (plan.in_sync.len() + plan.once.len()) as u64,
        drifted: (plan.changes.len() + plan.unmanaged.len() + plan.blocked.len()) as u64,
        blocked: plan.blocked.len() as u64,
    }
}

/// The fields whose manifest-form values differ, by dotted path (lists compared whole).
pub(crate) fn field_changes(live: &Inventory, desired: &Inventory) -> Vec<FieldChange> {
    let mut out = Vec::new();
    compare(
        "",
        Some(&explicit(live)),
        Some(&explicit(desired)),
        &mut out,
    );
    out
}

/// The manifest form with `enabled` always present: the manifest form leaves out its default
/// (`true`), and `enabled: false -> (absent)` would not say what changed.
fn explicit(inventory: &Inventory) -> Value {
    let mut value = inventory_value(inventory);
    if let Value::Object(fields) = &mut value {
        fields.entry("enabled").or_insert(Value::Bool(true));
    }
    value
}

fn compare(path: &str, live: Option<&Value>, desired: Option<&Value>, out: &mut Vec<FieldChange>) {
    match (live, desired) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                compare(&child, a.get(key), b.get(key), out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(FieldChange {
            path: path.to_string(),
            live: a.map(Value::to_string),
            desired: b.map(Value::to_string),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        DesiredBucket, Frequency, IncludedObjectVersions, Origin, Provider, ReportFormat,
        all_modelled,
    };
    use crate::plan::{PlanOptions, plan_bucket};
    use crate::provider::cos::model::{CosDestination, CosFilter, CosInventory, CosSchedule};

    fn cos(id: &str, prefix: &str, enabled: bool) -> Inventory {
        Inventory::new(CosInventory {
            id: id.to_string(),
            enabled,
            included_object_versions: IncludedObjectVersions::Current,
            schedule: CosSchedule {
                frequency: Frequency::Daily,
                monthly_date: None,
            },
            filter: CosFilter {
                prefix: Some(prefix.to_string()),
                ..CosFilter::default()
            },
            optional_fields: vec!["Size".to_string()],
            destination: CosDestination {
                bucket: "qcs::cos:ap-guangzhou::inv-1250000000".to_string(),
                account_id: None,
                prefix: None,
                format: ReportFormat::Csv,
                sse_cos: false,
            },
        })
    }

    fn bucket(prune: bool, inventories: Vec<Inventory>) -> DesiredBucket {
        DesiredBucket {
            overwrite_foreign: Default::default(),
            key: BucketKey {
                provider: Provider::COS,
                bucket: "b-1250000000".into(),
                region: "ap-guangzhou".into(),
            },
            name: "b".into(),
            prune,
            mode: Default::default(),
            endpoint: None,
            options: Default::default(),
            origin: Origin::default(),
            inventories,
            policies: Vec::new(),
        }
    }

    #[test]
    fn missing_changed_and_unmanaged_configs_become_one_event_each() {
        let desired = bucket(false, vec![cos("a", "x/", true), cos("b", "y/", true)]);
        let live = all_modelled([cos("b", "y/", false), cos("c", "z/", true)]);
        let events = drift_events(&plan_bucket(&desired, &live, &PlanOptions::default()));
        let kinds: Vec<(&str, DriftKind)> =
            events.iter().map(|e| (e.id.as_str(), e.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("a", DriftKind::Missing),
                ("b", DriftKind::Changed),
                ("c", DriftKind::Unmanaged)
            ]
        );
        assert_eq!(events[1].field_summary(), "enabled: false -> true");
    }

    #[test]
    fn pruned_configs_are_unmanaged_drift_and_in_sync_ones_are_none() {
        let desired = bucket(true, vec![cos("a", "x/", true)]);
        let live = all_modelled([cos("a", "x/", true), cos("old", "z/", true)]);
        let plan = plan_bucket(&desired, &live, &PlanOptions::default());
        let events = drift_events(&plan);
        assert_eq!(events.len(), 1);
        assert_eq!(
            (events[0].id.as_str(), events[0].kind),
            ("old", DriftKind::Unmanaged)
        );
        assert_eq!(
            plan_counts(&plan, 1),
            ConfigCounts {
                managed: 1,
                in_sync: 1,
                drifted: 1,
                blocked: 0
            }
        );
    }

    #[test]
    fn nested_fields_are_named_by_their_manifest_path() {
        let changes = field_changes(&cos("a", "logs/", true), &cos("a", "logs/v2/", true));
        assert_eq!(
            changes,
            [FieldChange {
                path: "filter.prefix".into(),
                live: Some("\"logs/\"".into()),
                desired: Some("\"logs/v2/\"".into()),
            }]
        );
    }
}
