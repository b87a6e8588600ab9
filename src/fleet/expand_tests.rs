//! The rules of expansion and rollout, on manifests loaded from a temporary directory and a
//! snapshot written by hand.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::discover::{FleetSnapshot, SeenBucket, UnreadableBucket};
use super::expand::{Expanded, expand};
use super::rollout::{RolloutOptions, report, this_pass};
use crate::manifest::load_dir;
use crate::model::{
    BucketKey, DesiredState, DiscoveredBucket, Inventory, LiveConfig, Provider, all_modelled,
};
use crate::plan::{Action, Plan, PlanOptions, plan_bucket};

/// Writes `files` into a fresh directory and loads it.
fn load(files: &[(&str, &str)]) -> Result<DesiredState, String> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "invsync-fleet-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let loaded = load_dir(&dir).map_err(|e| e.to_string());
    std::fs::remove_dir_all(&dir).unwrap();
    loaded
}

/// An S3 policy named `name` owning `prefix`, declaring `ids`, with extra `spec` lines.
fn policy(name: &str, prefix: &str, ids: &[&str], extra: &str) -> String {
    let items: String = ids
        .iter()
        .map(|id| {
            format!(
                "    - id: {id}\n      includedObjectVersions: Current\n      schedule: {{frequency: Daily}}\n      \
                 destination: {{bucket: \"arn:aws:s3:::inventory-${{region}}\", prefix: \"${{bucket}}/\", format: CSV}}\n"
            )
        })
        .collect();
    format!(
        "apiVersion: invsync/v1\nkind: InventoryPolicy\nmetadata: {{name: {name}}}\nspec:\n  provider: s3\n  \
         selector: {{names: [\"logs-*\"], exclude: [\"*-tmp\"]}}\n  idPrefix: {prefix}\n{extra}  inventories:\n{items}"
    )
}

/// An explicit S3 bucket `bucket` declaring `ids` (destination `explicit/`).
fn bucket(bucket: &str, ids: &[&str], extra: &str) -> String {
    let items: String = ids
        .iter()
        .map(|id| {
            format!(
                "    - id: {id}\n      includedObjectVersions: All\n      schedule: {{frequency: Weekly}}\n      \
                 destination: {{bucket: \"arn:aws:s3:::explicit\", prefix: explicit/, format: CSV}}\n"
            )
        })
        .collect();
    format!(
        "apiVersion: invsync/v1\nkind: BucketInventory\nmetadata: {{name: {bucket}}}\nspec:\n  provider: s3\n  \
         bucket: {bucket}\n  region: us-east-1\n{extra}  inventories:\n{items}"
    )
}

fn seen(name: &str, tags: Option<&[(&str, &str)]>) -> SeenBucket {
    SeenBucket {
        bucket: discovered(name),
        tags: tags.map(|t| {
            t.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        }),
        listing: 0,
    }
}

fn discovered(name: &str) -> DiscoveredBucket {
    DiscoveredBucket {
        name: name.into(),
        region: "us-east-1".into(),
        created: None,
    }
}

/// One S3 account listing `buckets`, listed with the bucket options S3 policies load with.
fn snapshot(buckets: Vec<SeenBucket>) -> FleetSnapshot {
    let any = load(&[("p.yaml", &policy("p", "p-", &["p-1"], ""))]).unwrap();
    FleetSnapshot {
        buckets: BTreeMap::from([(Provider::S3, buckets)]),
        listings: vec![(Provider::S3, any.policies[0].options.clone())],
        ..FleetSnapshot::default()
    }
}

fn key(name: &str) -> BucketKey {
    discovered(name).key(Provider::S3)
}

fn ids(inventories: &[Inventory]) -> Vec<&str> {
    inventories.iter().map(Inventory::id).collect()
}

/// Plans every bucket of `expanded` against `live` (none where not given) and reports.
fn plan_fleet(
    expanded: &Expanded,
    live: &BTreeMap<BucketKey, Vec<LiveConfig>>,
    options: &RolloutOptions,
) -> Plan {
    let buckets = expanded
        .desired
        .buckets
        .values()
        .map(|b| {
            let found = live.get(&b.key).cloned().unwrap_or_default();
            plan_bucket(b, &found, &options.plan)
        })
        .collect();
    let mut plan = Plan::new("r", buckets, Vec::new());
    report(&mut plan, expanded, options);
    plan
}

#[test]
fn a_policy_is_materialized_on_every_selected_bucket_with_its_own_values() {
    let desired = load(&[(
        "fleet.yaml",
        &policy("logs-fleet", "fleet-", &["fleet-daily"], ""),
    )])
    .unwrap();
    assert!(desired.buckets.is_empty());
    let expanded = expand(
        &desired,
        &snapshot(vec![
            seen("logs-a", None),
            seen("logs-tmp", None),
            seen("data-x", None),
        ]),
    );
    assert!(expanded.errors.is_empty(), "{:?}", expanded.errors);
    let keys: Vec<&BucketKey> = expanded.desired.buckets.keys().collect();
    assert_eq!(keys, [&key("logs-a")]);
    let logs_a = &expanded.desired.buckets[&key("logs-a")];
    assert_eq!(ids(&logs_a.inventories), ["fleet-daily"]);
    let shown = format!("{:?}", logs_a.inventories[0]);
    assert!(shown.contains("logs-a/"), "{shown}");
    assert!(shown.contains("inventory-us-east-1"), "{shown}");
    assert!(!logs_a.prune);
    let coverage = &expanded.coverage[0];
    assert_eq!(coverage.matched, [key("logs-a")]);
    assert_eq!(coverage.excluded, 2);
}

#[test]
fn an_explicit_bucket_wins_for_the_same_id_and_the_plan_names_its_file() {
    let desired = load(&[
        (
            "fleet.yaml",
            &policy("logs-fleet", "fleet-", &["fleet-daily", "fleet-weekly"], ""),
        ),
        (
            "logs-a.yaml",
            &bucket("logs-a", &["fleet-daily", "own"], ""),
        ),
    ])
    .unwrap();
    let expanded = expand(&desired, &snapshot(vec![seen("logs-a", None)]));
    let logs_a = &expanded.desired.buckets[&key("logs-a")];
    assert_eq!(
        ids(&logs_a.inventories),
        ["fleet-daily", "own", "fleet-weekly"]
    );
    // The manifest's own version of fleet-daily, not the policy's.
    assert!(format!("{:?}", logs_a.inventories[0]).contains("explicit/"));
    let share = &logs_a.policies[0];
    assert_eq!(share.skipped.len(), 1);
    assert_eq!(share.skipped[0].0, "fleet-daily");
    assert!(share.skipped[0].1.file.ends_with("logs-a.yaml"));
    let plan = plan_bucket(logs_a, &[], &PlanOptions::default());
    assert_eq!(plan.skipped.len(), 1);
    assert_eq!(plan.skipped[0].1, "logs-fleet");
}

#[test]
fn a_pruning_policy_deletes_only_its_own_prefix() {
    let desired = load(&[(
        "fleet.yaml",
        &policy("logs-fleet", "fleet-", &["fleet-daily"], "  prune: true\n"),
    )])
    .unwrap();
    let old = load(&[("fleet.yaml", &policy("old", "fleet-", &["fleet-old"], ""))]).unwrap();
    let other = load(&[("a.yaml", &bucket("logs-a", &["manual"], ""))]).unwrap();
    let snap = snapshot(vec![seen("logs-a", None)]);
    let expanded = expand(&desired, &snap);
    let mut live = expand(&old, &snap).desired.buckets[&key("logs-a")]
        .inventories
        .clone();
    live.extend(other.buckets[&key("logs-a")].inventories.clone());
    let plan = plan_bucket(
        &expanded.desired.buckets[&key("logs-a")],
        &all_modelled(live),
        &PlanOptions::default(),
    );
    let changes: Vec<(Action, &str)> = plan
        .changes
        .iter()
        .map(|c| (c.action, c.id.as_str()))
        .collect();
    assert_eq!(
        changes,
        [
            (Action::Create, "fleet-daily"),
            (Action::Delete, "fleet-old")
        ]
    );
    assert_eq!(plan.unmanaged, ["manual"]);
}

#[test]
fn an_observing_policy_is_observed_even_on_a_bucket_whose_manifest_enforces() {
    let desired = load(&[
        (
            "fleet.yaml",
            &policy(
                "logs-fleet",
                "fleet-",
                &["fleet-daily"],
                "  mode: observe\n",
            ),
        ),
        (
            "logs-a.yaml",
            &bucket("logs-a", &["own"], "  prune: true\n"),
        ),
    ])
    .unwrap();
    let expanded = expand(&desired, &snapshot(vec![seen("logs-a", None)]));
    let plan = plan_bucket(
        &expanded.desired.buckets[&key("logs-a")],
        &[],
        &PlanOptions::default(),
    );
    let written: Vec<&str> = plan.changes.iter().map(|c| c.id.as_str()).collect();
    let observed: Vec<&str> = plan.observed.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(written, ["own"]);
    assert_eq!(observed, ["fleet-daily"]);
    assert!(!plan.observe);
}

#[test]
fn a_bucket_whose_tags_cannot_be_read_is_unreadable_never_selected() {
    let tagged = policy("logs-fleet", "fleet-", &["fleet-daily"], "")
        .replace("exclude: [\"*-tmp\"]", "tags: {team: data}");
    let desired = load(&[("fleet.yaml", &tagged)]).unwrap();
    let mut snap = snapshot(vec![
        seen("logs-a", Some(&[("team", "data")])),
        seen("logs-b", Some(&[("team", "web")])),
    ]);
    snap.unreadable.push(UnreadableBucket {
        provider: Provider::S3,
        bucket: discovered("logs-denied"),
        reason: "HTTP 403 AccessDenied".into(),
        listing: 0,
    });
    snap.gone.push((Provider::S3, discovered("logs-gone")));
    let expanded = expand(&desired, &snap);
    let keys: Vec<&BucketKey> = expanded.desired.buckets.keys().collect();
    assert_eq!(keys, [&key("logs-a")]);
    let coverage = &expanded.coverage[0];
    assert_eq!(coverage.excluded, 1);
    assert_eq!(coverage.unreadable.len(), 1);
    assert_eq!(coverage.unreadable[0].0, key("logs-denied"));
    assert_eq!(coverage.gone, [key("logs-gone")]);
    assert!(expanded.errors.is_empty());
}

#[test]
fn two_policies_of_one_provider_with_overlapping_prefixes_are_an_error_naming_both_files() {
    let error = load(&[
        ("a.yaml", &policy("a", "fleet-", &["fleet-daily"], "")),
        ("b.yaml", &policy("b", "fleet-x", &["fleet-xdaily"], "")),
    ])
    .unwrap_err();
    assert!(error.contains("b.yaml"), "{error}");
    assert!(error.contains("a.yaml"), "{error}");
    assert!(error.contains("overlaps"), "{error}");
}

#[test]
fn a_policy_id_outside_its_prefix_or_an_unknown_variable_is_refused_offline() {
    let outside = load(&[("a.yaml", &policy("a", "fleet-", &["daily"], ""))]).unwrap_err();
    assert!(
        outside.contains("does not start with idPrefix `fleet-`"),
        "{outside}"
    );
    let unknown = policy("a", "fleet-", &["fleet-daily"], "").replace("${bucket}/", "${account}/");
    let error = load(&[("a.yaml", &unknown)]).unwrap_err();
    assert!(error.contains("spec.inventories[0]"), "{error}");
    assert!(
        error.contains("unknown template variable `${account}`"),
        "{error}"
    );
    // Both problems of one item are reported, not only the first.
    let both = unknown.replace("id: fleet-daily", "id: daily");
    let error = load(&[("a.yaml", &both)]).unwrap_err();
    assert!(error.contains("unknown template variable"), "{error}");
    assert!(error.contains("does not start with idPrefix"), "{error}");
}

#[test]
fn a_rollout_larger_than_the_limit_goes_in_waves_in_key_order() {
    let desired = load(&[(
        "fleet.yaml",
        &policy("logs-fleet", "fleet-", &["fleet-daily"], ""),
    )])
    .unwrap();
    let expanded = expand(
        &desired,
        &snapshot(vec![
            seen("logs-c", None),
            seen("logs-a", None),
            seen("logs-b", None),
        ]),
    );
    let options = RolloutOptions {
        max_writes_per_pass: 2,
        ..RolloutOptions::default()
    };
    let plan = plan_fleet(&expanded, &BTreeMap::new(), &options);
    let waves = plan.fleet.waves.unwrap();
    assert_eq!((waves.buckets, waves.passes), (3, 2));
    assert_eq!(plan.fleet.passes_remaining(), 1);
    assert_eq!(plan.fleet.policies[0].deferred, [key("logs-c")]);
    assert_eq!(plan.fleet.policies[0].to_change.len(), 3);
    let pass = this_pass(&expanded.desired, &plan.fleet);
    let keys: Vec<&BucketKey> = pass.buckets.keys().collect();
    assert_eq!(keys, [&key("logs-a"), &key("logs-b")]);
}

#[test]
fn mass_deletion_through_a_policy_is_refused_and_this_pass_prunes_nothing() {
    let names: Vec<String> = (0..12).map(|i| format!("logs-{i:02}")).collect();
    let desired = load(&[(
        "fleet.yaml",
        &policy("logs-fleet", "fleet-", &["fleet-daily"], "  prune: true\n"),
    )])
    .unwrap();
    let old = load(&[(
        "fleet.yaml",
        &policy("old", "fleet-", &["fleet-daily", "fleet-old"], ""),
    )])
    .unwrap();
    let snap = snapshot(names.iter().map(|n| seen(n, None)).collect());
    let expanded = expand(&desired, &snap);
    let live: BTreeMap<BucketKey, Vec<LiveConfig>> = expand(&old, &snap)
        .desired
        .buckets
        .into_iter()
        .map(|(k, b)| (k, all_modelled(b.inventories)))
        .collect();
    let plan = plan_fleet(&expanded, &live, &RolloutOptions::default());
    // One delete per bucket passes the bucket guard; twelve across the policy do not.
    assert!(plan.buckets.iter().all(|b| b.refusal.is_none()));
    let refusal = plan.fleet.policies[0].refusal.as_deref().unwrap();
    assert!(refusal.contains("12"), "{refusal}");
    let pass = this_pass(&expanded.desired, &plan.fleet);
    for bucket in pass.buckets.values() {
        let replanned = plan_bucket(bucket, &live[&bucket.key], &PlanOptions::default());
        assert!(replanned.changes.is_empty(), "{:?}", replanned.changes);
        assert_eq!(replanned.unmanaged, ["fleet-old"]);
    }
}

#[test]
fn a_policy_bucket_gone_before_its_read_is_an_ordinary_outcome_not_a_failure() {
    let desired = load(&[(
        "fleet.yaml",
        &policy("logs-fleet", "fleet-", &["fleet-daily"], ""),
    )])
    .unwrap();
    let expanded = expand(
        &desired,
        &snapshot(vec![seen("logs-a", None), seen("logs-b", None)]),
    );
    let read = plan_bucket(
        &expanded.desired.buckets[&key("logs-a")],
        &[],
        &PlanOptions::default(),
    );
    let failure = crate::plan::BucketFailure {
        key: key("logs-b"),
        message: "HTTP 404 NoSuchBucket".into(),
        gone: true,
    };
    let mut plan = Plan::new("r", vec![read], vec![failure]);
    report(&mut plan, &expanded, &RolloutOptions::default());
    assert!(plan.failures.is_empty());
    assert_eq!(plan.fleet.policies[0].gone, [key("logs-b")]);
    assert_eq!(plan.fleet.policies[0].to_change, [key("logs-a")]);
    let pass = this_pass(&expanded.desired, &plan.fleet);
    let keys: Vec<&BucketKey> = pass.buckets.keys().collect();
    assert_eq!(keys, [&key("logs-a")]);
}
