//! Planning a whole desired state: every managed bucket gets a plan or a failure.

use crate::support::fixtures;

use std::collections::BTreeMap;

use fixtures::{cos_bucket, cos_inventory, key, oss_bucket, oss_inventory};
use invsync::model::{BucketKey, DesiredState, LiveConfig, Provider, all_modelled};
use invsync::plan::{PlanOptions, Summary, plan, render};

fn state() -> DesiredState {
    let cos = cos_bucket()
        .declares(cos_inventory("list1").build())
        .declares(cos_inventory("list2").build())
        .build();
    let oss = oss_bucket()
        .declares(oss_inventory("report1").build())
        .build();
    DesiredState {
        revision: "abc".to_string(),
        buckets: [(cos.key.clone(), cos), (oss.key.clone(), oss)].into(),
        policies: Vec::new(),
    }
}

#[test]
fn unread_or_failed_buckets_become_failures_and_unmanaged_buckets_are_ignored() {
    let desired = state();
    let cos_key = key(Provider::COS, fixtures::COS_BUCKET, fixtures::COS_REGION);
    let stranger = key(Provider::COS, "not-managed-1250000000", "ap-beijing");
    let mut live: BTreeMap<BucketKey, Result<Vec<LiveConfig>, String>> = BTreeMap::new();
    live.insert(
        cos_key.clone(),
        Ok(all_modelled([cos_inventory("list1").build()])),
    );
    live.insert(stranger, Ok(all_modelled([cos_inventory("x").build()])));

    let result = plan(&desired, &live, &PlanOptions::default());
    assert_eq!(result.revision, "abc");
    assert_eq!(result.buckets.len(), 1);
    assert_eq!(result.buckets[0].key, cos_key);
    assert_eq!(result.failures.len(), 1);
    assert_eq!(result.failures[0].key.provider, Provider::OSS);
    assert_eq!(
        result.summary(),
        Summary {
            create: 1,
            in_sync: 1,
            failed: 1,
            ..Summary::default()
        }
    );
    assert!(result.has_changes());
}

#[test]
fn read_error_message_is_kept() {
    let desired = state();
    let live = desired
        .buckets
        .keys()
        .map(|k| (k.clone(), Err("AccessDenied".to_string())))
        .collect();
    let result = plan(&desired, &live, &PlanOptions::default());
    assert!(result.buckets.is_empty());
    assert!(result.failures.iter().all(|f| f.message == "AccessDenied"));
    assert!(!result.has_changes());
}

#[test]
fn text_has_ansi_colours_only_when_asked() {
    let desired = state();
    let live = desired
        .buckets
        .keys()
        .map(|k| (k.clone(), Ok(vec![])))
        .collect();
    let result = plan(&desired, &live, &PlanOptions::default());
    assert!(render::text(&result, true).contains("\x1b[32m"));
    assert!(!render::text(&result, false).contains('\x1b'));
}

#[test]
fn a_held_once_configuration_is_never_written_over_a_foreign_one_even_with_overwrite_foreign() {
    let mut bucket = oss_bucket()
        .declares(oss_inventory("snapshot").once(true).build())
        .build();
    bucket.overwrite_foreign.insert("snapshot".into());
    let live = [LiveConfig::Foreign(invsync::model::ForeignConfig {
        provider: Provider::OSS,
        id: "snapshot".into(),
        raw_xml:
            "<InventoryConfiguration><Id>snapshot</Id><FutureFeature/></InventoryConfiguration>"
                .into(),
        unmodelled: vec!["FutureFeature".into()],
    })];
    let held = invsync::plan::plan_bucket(&bucket, &live, &PlanOptions::default());
    assert!(held.changes.is_empty(), "{:?}", held.changes);
    assert_eq!(held.blocked.len(), 1);
    let run = PlanOptions {
        run_once: ["snapshot".to_string()].into(),
        ..PlanOptions::default()
    };
    let started = invsync::plan::plan_bucket(&bucket, &live, &run);
    assert_eq!(started.changes.len(), 1, "--run-once overwrites it");
}
