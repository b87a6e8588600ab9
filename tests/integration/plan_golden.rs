//! Golden plans: each case renders as text (summary last, for a terminal; summary first, for a
//! CI log), JSON and Markdown and is compared with `tests/golden/plan/<case>.{txt,log.txt,json,md}`.

use crate::support::fixtures;
use crate::support::golden;

use fixtures::{cos_bucket, cos_inventory, key, oss_bucket, oss_inventory};
use golden::assert_golden;
use invsync::model::{DesiredBucket, Inventory, LiveConfig, Provider, all_modelled};
use invsync::plan::{Action, BucketFailure, Plan, PlanOptions, plan_bucket, render};

const REVISION: &str = "4f2c9e1d0b7a";

/// When the golden plans are made: every condition's transition time.
fn plan_time() -> std::time::SystemTime {
    std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_796_000_000)
}

fn plan_of(cases: &[(DesiredBucket, Vec<Inventory>)], failures: Vec<BucketFailure>) -> Plan {
    let buckets = cases
        .iter()
        .map(|(desired, live)| {
            plan_bucket(
                desired,
                &all_modelled(live.clone()),
                &PlanOptions::default(),
            )
        })
        .collect();
    Plan::new(REVISION, buckets, failures)
}

fn assert_renderings(case: &str, plan: &Plan) {
    assert_golden(&format!("plan/{case}.txt"), &render::text(plan, false));
    assert_golden(
        &format!("plan/{case}.log.txt"),
        &render::text_summary_first(plan, false),
    );
    // As `invsync plan --output json` prints it: with each bucket's conditions.
    let json = serde_json::to_string_pretty(&invsync::status::plan_json::json(plan, plan_time()))
        .unwrap()
        + "\n";
    assert_golden(&format!("plan/{case}.json"), &json);
    assert_golden(&format!("plan/{case}.md"), &render::markdown(plan, 65_536));
}

fn actions(plan: &Plan) -> Vec<(Action, &str)> {
    plan.changes().map(|c| (c.action, c.id.as_str())).collect()
}

#[test]
fn declared_configs_missing_live_are_created() {
    let desired = cos_bucket()
        .declares(
            cos_inventory("list1")
                .monthly(15)
                .prefix("logs/")
                .tag("age", "18")
                .period(Some(1568688761), Some(1568688762))
                .fields(&["Size", "LastModifiedDate", "ETag", "StorageClass", "Tag"])
                .account_id("100000000001")
                .dest_prefix("list1")
                .sse_cos()
                .build(),
        )
        .declares(cos_inventory("list2").weekly().build())
        .build();
    let plan = plan_of(&[(desired, vec![])], vec![]);
    assert_eq!(
        actions(&plan),
        [(Action::Create, "list1"), (Action::Create, "list2")]
    );
    assert_renderings("create", &plan);
}

#[test]
fn changed_cos_config_is_updated_and_equal_ones_stay_in_sync() {
    let desired = cos_bucket()
        .declares(
            cos_inventory("list1")
                .prefix("logs/")
                .fields(&["Size", "ETag"])
                .build(),
        )
        .declares(cos_inventory("list2").weekly().build())
        .build();
    let live = vec![
        cos_inventory("list1")
            .prefix("logs/2024/")
            .fields(&["ETag", "Size", "StorageClass"])
            .disabled()
            .build(),
        cos_inventory("list2").weekly().build(),
    ];
    let plan = plan_of(&[(desired, live)], vec![]);
    assert_eq!(actions(&plan), [(Action::Update, "list1")]);
    assert_eq!(plan.buckets[0].in_sync, ["list2"]);
    assert_renderings("update", &plan);
}

#[test]
fn undeclared_live_config_is_deleted_when_prune() {
    let desired = cos_bucket()
        .prune()
        .declares(cos_inventory("list1").build())
        .build();
    let live = vec![
        cos_inventory("list1").build(),
        cos_inventory("old").prefix("tmp/").build(),
    ];
    let plan = plan_of(&[(desired, live)], vec![]);
    assert_eq!(actions(&plan), [(Action::Delete, "old")]);
    assert!(plan.buckets[0].refusal.is_none());
    assert_renderings("delete_with_prune", &plan);
}

#[test]
fn undeclared_live_config_is_reported_unmanaged_without_prune() {
    let desired = cos_bucket()
        .declares(cos_inventory("list1").build())
        .build();
    let live = vec![
        cos_inventory("list1").build(),
        cos_inventory("manual").build(),
    ];
    let plan = plan_of(&[(desired, live)], vec![]);
    assert!(!plan.has_changes());
    assert_eq!(plan.buckets[0].unmanaged, ["manual"]);
    assert_renderings("unmanaged_without_prune", &plan);
}

/// A live OSS configuration from a newer API (`Hourly` is not a frequency invsync knows; the
/// element is invented) as the provider client reads it.
fn foreign(id: &str) -> LiveConfig {
    LiveConfig::Foreign(invsync::model::ForeignConfig {
        provider: Provider::OSS,
        id: id.to_string(),
        raw_xml: format!(
            "<InventoryConfiguration><Id>{id}</Id><Schedule><Frequency>Hourly</Frequency>\
             </Schedule><FutureFeature><On>true</On></FutureFeature></InventoryConfiguration>"
        ),
        unmodelled: vec!["FutureFeature".into(), "Schedule/Frequency=Hourly".into()],
    })
}

#[test]
fn foreign_live_configs_are_blocked_while_their_neighbours_change() {
    let desired = oss_bucket()
        .prune()
        .declares(oss_inventory("declared-foreign").build())
        .declares(oss_inventory("report1").prefix("new/").build())
        .build();
    let mut live = vec![foreign("declared-foreign"), foreign("undeclared-foreign")];
    live.extend(all_modelled([oss_inventory("report1")
        .prefix("old/")
        .build()]));
    let plan = Plan::new(
        REVISION,
        vec![plan_bucket(&desired, &live, &PlanOptions::default())],
        vec![],
    );
    assert_eq!(actions(&plan), [(Action::Replace, "report1")]);
    let blocked: Vec<(&str, Action)> = plan.buckets[0]
        .blocked
        .iter()
        .map(|b| (b.id.as_str(), b.held_back))
        .collect();
    assert_eq!(
        blocked,
        [
            ("declared-foreign", Action::Replace),
            ("undeclared-foreign", Action::Delete)
        ]
    );
    assert_eq!(plan.summary().blocked, 2);
    assert!(plan.is_out_of_sync());
    assert_renderings("blocked_foreign", &plan);
}

#[test]
fn a_declaration_opting_in_overwrites_a_foreign_config_and_only_that_one() {
    let mut desired = oss_bucket()
        .declares(oss_inventory("declared-foreign").build())
        .declares(oss_inventory("kept-foreign").build())
        .build();
    desired.overwrite_foreign.insert("declared-foreign".into());
    let live = vec![foreign("declared-foreign"), foreign("kept-foreign")];
    let plan = Plan::new(
        REVISION,
        vec![plan_bucket(&desired, &live, &PlanOptions::default())],
        vec![],
    );
    assert_eq!(actions(&plan), [(Action::Replace, "declared-foreign")]);
    let change = plan.changes().next().unwrap();
    assert!(change.before.is_none());
    assert!(change.overwrites.is_some());
    assert_eq!(plan.buckets[0].blocked[0].id, "kept-foreign");
    assert_renderings("overwrite_foreign", &plan);
}

#[test]
fn only_blocked_configs_leave_a_plan_without_changes_yet_out_of_sync() {
    let desired = oss_bucket()
        .declares(oss_inventory("declared-foreign").build())
        .build();
    let plan = Plan::new(
        REVISION,
        vec![plan_bucket(
            &desired,
            &[foreign("declared-foreign")],
            &PlanOptions::default(),
        )],
        vec![],
    );
    assert!(!plan.has_changes());
    assert!(plan.is_out_of_sync());
}

#[test]
fn once_configs_are_reported_pending_or_not_live_and_never_written_without_run_once() {
    let desired = oss_bucket()
        .declares(oss_inventory("snapshot-done").once(true).build())
        .declares(oss_inventory("snapshot-running").once(true).build())
        .build();
    let live = vec![oss_inventory("snapshot-running").once(true).build()];
    let plan = plan_of(&[(desired, live)], vec![]);
    assert!(!plan.has_changes());
    assert!(!plan.is_out_of_sync());
    let states: Vec<(&str, invsync::plan::OnceState)> = plan.buckets[0]
        .once
        .iter()
        .map(|o| (o.id.as_str(), o.state))
        .collect();
    assert_eq!(
        states,
        [
            ("snapshot-done", invsync::plan::OnceState::NotLive),
            ("snapshot-running", invsync::plan::OnceState::Pending)
        ]
    );
    assert_renderings("once", &plan);
}

#[test]
fn live_state_equal_after_normalization_is_in_sync() {
    let cos = cos_bucket()
        .declares(
            cos_inventory("list1")
                .fields(&["Size", "ETag"])
                .tag("b", "2")
                .tag("a", "1")
                .fields(&["Tag", "Size", "ETag"])
                .build(),
        )
        .declares(cos_inventory("list2").build())
        .build();
    let cos_live = vec![
        cos_inventory("list2").prefix("").account_id("").build(),
        cos_inventory("list1")
            .tag("a", "1")
            .tag("b", "2")
            .fields(&["ETag", "Size", "Tag"])
            .period(None, None)
            .build(),
    ];
    let oss = oss_bucket()
        .declares(
            oss_inventory("report1")
                .storage_classes(&["Standard", "IA"])
                .fields(&["Size", "ETag"])
                .build(),
        )
        .build();
    let oss_live = vec![
        oss_inventory("report1")
            .storage_classes(&["IA", "Standard"])
            .fields(&["ETag", "Size"])
            .modified_between(Some(0), Some(0))
            .size_between(Some(0), Some(0))
            .prefix("")
            .build(),
    ];
    let plan = plan_of(&[(oss, oss_live), (cos, cos_live)], vec![]);
    assert!(!plan.has_changes());
    assert_eq!(plan.summary().in_sync, 3);
    assert_renderings("in_sync", &plan);
}

#[test]
fn changed_oss_config_is_replaced() {
    let desired = oss_bucket()
        .declares(
            oss_inventory("report1")
                .weekly()
                .prefix("data/")
                .storage_classes(&["Standard", "IA"])
                .fields(&["Size", "LastModifiedDate"])
                .dest_bucket("dest-bucket")
                .sse_kms("key-1")
                .build(),
        )
        .build();
    let live = vec![
        oss_inventory("report1")
            .weekly()
            .prefix("data/")
            .storage_classes(&["All"])
            .fields(&["LastModifiedDate", "Size"])
            .sse_oss()
            .build(),
    ];
    let plan = plan_of(&[(desired, live)], vec![]);
    assert_eq!(actions(&plan), [(Action::Replace, "report1")]);
    assert_renderings("oss_replace", &plan);
}

#[test]
fn mass_delete_is_refused_but_listed() {
    let desired = cos_bucket()
        .prune()
        .declares(cos_inventory("keep").build())
        .build();
    let live: Vec<Inventory> = ["a", "b", "c", "keep"]
        .iter()
        .map(|id| cos_inventory(id).build())
        .collect();
    let plan = plan_of(&[(desired, live)], vec![]);
    let refusal = plan.buckets[0].refusal.as_ref().expect("3 of 4 is refused");
    assert_eq!((refusal.deletes, refusal.live), (3, 4));
    assert_eq!(plan.summary().refused, 1);
    assert_eq!(plan.summary().delete, 3);
    assert_renderings("refusal", &plan);
}

#[test]
fn buckets_are_ordered_and_unreadable_ones_reported_as_failures() {
    let cos = cos_bucket()
        .declares(cos_inventory("list1").build())
        .build();
    let oss = oss_bucket()
        .declares(oss_inventory("report1").build())
        .build();
    let failure = BucketFailure {
        key: key(Provider::OSS, "unreadable", "cn-beijing"),
        message: "ListBucketInventory: AccessDenied: You have no right to access this object. (request id 5C3D9175B6FC201293AD4890)".to_string(),
        gone: false,
    };
    let plan = plan_of(
        &[(oss, vec![]), (cos, vec![cos_inventory("list1").build()])],
        vec![failure],
    );
    assert_eq!(plan.buckets[0].key.provider, Provider::COS);
    assert_eq!(plan.summary().failed, 1);
    assert_renderings("mixed_with_failure", &plan);
}
