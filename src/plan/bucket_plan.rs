//! Planning one bucket: compare its declared configurations with its live ones.

use std::collections::BTreeMap;

use super::change::{Action, Change};
use super::normalize::normalize;
use super::safety::{PlanOptions, Refusal};
use crate::model::{BucketKey, BucketMode, DesiredBucket, Inventory, Provider};

/// What it takes to make one bucket match its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketPlan {
    pub key: BucketKey,
    /// Writes to carry out, sorted by id.
    pub changes: Vec<Change>,
    /// Ids of declared configurations that already match, sorted.
    pub in_sync: Vec<String>,
    /// Ids of live configurations the manifest does not declare, left alone because the
    /// bucket does not prune; sorted.
    pub unmanaged: Vec<String>,
    /// Set when the deletes exceed the mass-delete limits: the changes are listed so the user
    /// sees them, but none of them may be carried out.
    pub refusal: Option<Refusal>,
    /// The bucket is in observe mode: the changes are drift to report, never to carry out.
    pub observe: bool,
}

impl BucketPlan {
    /// True when live state already matches the manifest (unmanaged configurations aside).
    pub fn is_converged(&self) -> bool {
        self.changes.is_empty()
    }

    /// Number of changes with the given action.
    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }
}

/// Plans one bucket: normalizes both sides and compares them by id.
///
/// # Guarantees
/// - Pure and total: never panics, whatever `live` holds.
/// - `plan_bucket(d, &d.inventories, _)` has no changes and no unmanaged configurations.
/// - Every id appears in exactly one of `changes`, `in_sync` and `unmanaged`.
///
/// # Assumptions
/// Ids are unique on each side (manifest validation and the providers guarantee it); should
/// one repeat, its first occurrence counts and the rest are ignored.
pub fn plan_bucket(
    desired: &DesiredBucket,
    live: &[Inventory],
    options: &PlanOptions,
) -> BucketPlan {
    let desired_by_id = by_id(&desired.inventories);
    let mut live_by_id = by_id(live);
    let live_count = live_by_id.len();
    let key = desired.key.clone();
    let changed_action = match key.provider {
        Provider::Cos => Action::Update,
        Provider::Oss => Action::Replace,
    };
    let change = |action, id: &str, before: Option<Inventory>, after: Option<Inventory>| Change {
        action,
        key: key.clone(),
        id: id.to_string(),
        before,
        after,
    };

    let mut changes = Vec::new();
    let mut in_sync = Vec::new();
    let mut unmanaged = Vec::new();
    for (id, wanted) in desired_by_id {
        match live_by_id.remove(id) {
            None => changes.push(change(Action::Create, id, None, Some(wanted))),
            Some(found) if found == wanted => in_sync.push(id.to_string()),
            Some(found) => changes.push(change(changed_action, id, Some(found), Some(wanted))),
        }
    }
    for (id, found) in live_by_id {
        if desired.prune {
            changes.push(change(Action::Delete, id, Some(found), None));
        } else {
            unmanaged.push(id.to_string());
        }
    }
    changes.sort_by(|a, b| a.id.cmp(&b.id));

    let deletes = changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .count();
    let refusal = options.check_deletes(deletes, live_count);
    BucketPlan {
        key: desired.key.clone(),
        changes,
        in_sync,
        unmanaged,
        refusal,
        observe: desired.mode == BucketMode::Observe,
    }
}

/// Normalized configurations by id, first occurrence winning.
fn by_id(inventories: &[Inventory]) -> BTreeMap<&str, Inventory> {
    let mut map = BTreeMap::new();
    for inventory in inventories {
        map.entry(inventory.id())
            .or_insert_with(|| normalize(inventory));
    }
    map
}
