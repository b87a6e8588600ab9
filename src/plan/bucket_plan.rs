//! Planning one bucket: compare its declared configurations with its live ones.

use std::collections::BTreeMap;

use super::change::{Action, Blocked, Change, OnceState, OnceStatus};
use super::normalize::normalize;
use super::safety::{PlanOptions, Refusal};
use crate::model::{BucketKey, BucketMode, DesiredBucket, ForeignConfig, Inventory, LiveConfig};
use crate::provider::registry::{self, ChangedConfig};

/// What it takes to make one bucket match its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketPlan {
    /// The bucket.
    pub key: BucketKey,
    /// Writes to carry out, sorted by id.
    pub changes: Vec<Change>,
    /// Ids of declared configurations that already match, sorted.
    pub in_sync: Vec<String>,
    /// Ids of live configurations the manifest does not declare, left alone because the
    /// bucket does not prune; sorted.
    pub unmanaged: Vec<String>,
    /// Foreign live configurations a change would have touched, held back because the write
    /// would lose what invsync cannot express; sorted by id.
    pub blocked: Vec<Blocked>,
    /// Declared `Once` configurations this run does not start (not named by `--run-once`),
    /// sorted by id.
    pub once: Vec<OnceStatus>,
    /// Set when the deletes exceed the mass-delete limits: the changes are listed so the user
    /// sees them, but none of them may be carried out.
    pub refusal: Option<Refusal>,
    /// The bucket is in observe mode: the changes are drift to report, never to carry out.
    pub observe: bool,
    /// Changes of ids an observing policy declares or owns, on a bucket that otherwise
    /// enforces: drift to report, never to carry out; sorted by id.
    pub observed: Vec<Change>,
    /// Ids a policy declares here that the bucket's own manifest declares too, which wins:
    /// `(id, policy, the manifest file)`; sorted.
    pub skipped: Vec<(String, String, std::path::PathBuf)>,
}

impl BucketPlan {
    /// True when nothing remains to be written (unmanaged and blocked configurations aside).
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
/// - `plan_bucket(d, &all_modelled(d.inventories), _)` has no changes and no unmanaged
///   configurations.
/// - Every id appears in exactly one of `changes`, `observed`, `in_sync`, `unmanaged`,
///   `blocked` and `once`.
/// - A declared `Once` configuration is created, updated or replaced only when
///   `options.run_once` names it; otherwise it is reported in `once`.
/// - An undeclared live configuration is deleted only when [`DesiredBucket::prunes`] its id
///   (the bucket prunes, or a pruning policy owns the id); a change of an id
///   [`DesiredBucket::observes`] goes to `observed` (unless the whole bucket observes, which
///   `observe` says), never to `changes`.
/// - A foreign live configuration is never the subject of a change, unless it is declared
///   with `overwriteForeign: true`: then it is updated (COS) or replaced (OSS), and the change
///   carries it in [`Change::overwrites`]. A foreign configuration is never deleted.
///
/// # Assumptions
/// Ids are unique on each side (manifest validation and the providers guarantee it); should
/// one repeat, its first occurrence counts and the rest are ignored.
pub fn plan_bucket(
    desired: &DesiredBucket,
    live: &[LiveConfig],
    options: &PlanOptions,
) -> BucketPlan {
    let desired_by_id = by_id(&desired.inventories);
    let mut live_by_id = live_by_id(live);
    let live_count = live_by_id.len();
    let key = desired.key.clone();
    let changed_action = match registry::spec(key.provider).changed_config {
        ChangedConfig::Update => Action::Update,
        ChangedConfig::Replace => Action::Replace,
    };
    let change = |action, id: &str, before: Option<Inventory>, after: Option<Inventory>| Change {
        action,
        key: key.clone(),
        id: id.to_string(),
        before,
        after,
        overwrites: None,
    };
    let block = |held_back, foreign: &ForeignConfig| Blocked {
        key: key.clone(),
        id: foreign.id.clone(),
        held_back,
        unmodelled: foreign.unmodelled.clone(),
        raw_xml: foreign.raw_xml.clone(),
    };

    let mut changes = Vec::new();
    let mut in_sync = Vec::new();
    let mut unmanaged = Vec::new();
    let mut blocked = Vec::new();
    let mut once = Vec::new();
    for (id, wanted) in desired_by_id {
        let held_once = registry::runs_once(&wanted) && !options.run_once.contains(id);
        let once_status = |state| OnceStatus {
            key: key.clone(),
            id: id.to_string(),
            state,
        };
        match live_by_id.remove(id) {
            None if held_once => once.push(once_status(OnceState::NotLive)),
            Some(Live::Modelled(found)) if held_once => {
                once.push(once_status(if found == wanted {
                    OnceState::Pending
                } else {
                    OnceState::PendingDifferent
                }))
            }
            None => changes.push(change(Action::Create, id, None, Some(wanted))),
            Some(Live::Modelled(found)) if found == wanted => in_sync.push(id.to_string()),
            Some(Live::Modelled(found)) => {
                changes.push(change(changed_action, id, Some(found), Some(wanted)))
            }
            // A held `Once` configuration is never written, not even over a foreign one.
            Some(Live::Foreign(foreign))
                if desired.overwrite_foreign.contains(id) && !held_once =>
            {
                changes.push(Change {
                    overwrites: Some(foreign.clone()),
                    ..change(changed_action, id, None, Some(wanted))
                })
            }
            Some(Live::Foreign(foreign)) => blocked.push(block(changed_action, foreign)),
        }
    }
    for (id, found) in live_by_id {
        match found {
            _ if !desired.prunes(id) => unmanaged.push(id.to_string()),
            Live::Modelled(found) => changes.push(change(Action::Delete, id, Some(found), None)),
            Live::Foreign(foreign) => blocked.push(block(Action::Delete, foreign)),
        }
    }
    changes.sort_by(|a, b| a.id.cmp(&b.id));
    blocked.sort_by(|a, b| a.id.cmp(&b.id));
    let observe = desired.mode == BucketMode::Observe;
    let (observed, changes): (Vec<Change>, Vec<Change>) = changes
        .into_iter()
        .partition(|c| !observe && desired.observes(&c.id));
    let mut skipped: Vec<(String, String, std::path::PathBuf)> = desired
        .policies
        .iter()
        .flat_map(|share| {
            share
                .skipped
                .iter()
                .map(|(id, origin)| (id.clone(), share.policy.clone(), origin.file.clone()))
        })
        .collect();
    skipped.sort();

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
        blocked,
        once,
        refusal,
        observe,
        observed,
        skipped,
    }
}

/// A live configuration as the plan compares it: normalized, or foreign.
#[allow(clippy::large_enum_variant)] // short-lived, one per id; see `LiveConfig`
enum Live<'a> {
    Modelled(Inventory),
    Foreign(&'a ForeignConfig),
}

/// Live configurations by id, modelled ones normalized, first occurrence winning.
fn live_by_id(live: &[LiveConfig]) -> BTreeMap<&str, Live<'_>> {
    let mut map = BTreeMap::new();
    for config in live {
        map.entry(config.id()).or_insert_with(|| match config {
            LiveConfig::Modelled(inventory) => Live::Modelled(normalize(inventory)),
            LiveConfig::Foreign(foreign) => Live::Foreign(foreign),
        });
    }
    map
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
