//! Provider-specific reconcile behaviour end to end: COS filter shapes, OSS replacement
//! (create-only PUT) and its failure handling, OSS empty buckets.

use crate::support::cases;
use crate::support::e2e;

use cases::{COS, OSS, apply, plan_json, summary};
use e2e::{Emulator, Manifests, assert_exit, invsync, stdout};
use invsync::emulator::{FaultConfig, InjectedError};
use invsync::model::Provider;
use invsync::provider::Operation;

#[test]
fn cos_config_served_in_the_and_filter_shape_plans_in_sync() {
    let emulator = Emulator::start();
    let and_shape = COS.live_xml("logs", "logs/", true).replace(
        "<Filter><Prefix>logs/</Prefix></Filter>",
        "<Filter><And><Prefix>logs/</Prefix></And></Filter>",
    );
    assert!(and_shape.contains("<And>"));
    emulator
        .handle
        .seed_xml(Provider::COS, COS.bucket, &and_shape)
        .unwrap();
    let manifests = Manifests::new();
    manifests.write("bucket.yaml", &COS.manifest(false, &[("logs", "logs/")]));

    let (code, plan) = plan_json(&emulator, &manifests);
    assert_eq!(code, 0, "no perpetual diff: {plan}");
    assert_eq!(summary(&plan, "in_sync"), 1);
}

#[test]
fn cos_update_is_a_single_put_that_replaces_in_place() {
    let emulator = Emulator::start();
    COS.seed(&emulator, "logs", "old/", true);
    let manifests = Manifests::new();
    manifests.write("bucket.yaml", &COS.manifest(false, &[("logs", "logs/")]));
    emulator.handle.reset_stats();

    assert_exit(&apply(&emulator, &manifests), 0);
    assert_eq!(COS.calls(&emulator, Operation::Put), 1);
    assert_eq!(COS.calls(&emulator, Operation::Delete), 0);
}

#[test]
fn oss_changed_config_is_replaced_by_delete_then_create() {
    let emulator = Emulator::start();
    OSS.seed(&emulator, "logs", "old/", true);
    let manifests = Manifests::new();
    manifests.write("bucket.yaml", &OSS.manifest(false, &[("logs", "logs/")]));

    let (code, plan) = plan_json(&emulator, &manifests);
    assert_eq!(code, 2);
    assert_eq!(plan["changes"][0]["action"], "replace");
    assert_eq!(summary(&plan, "replace"), 1);
    let text = invsync(
        &emulator,
        &["plan", "--manifests", manifests.path().to_str().unwrap()],
    );
    assert!(stdout(&text).contains("replace"), "{}", stdout(&text));

    emulator.handle.reset_stats();
    assert_exit(&apply(&emulator, &manifests), 0);
    assert_eq!(OSS.calls(&emulator, Operation::Delete), 1);
    assert_eq!(OSS.calls(&emulator, Operation::Put), 1);
    assert!(
        OSS.live_config(&emulator, "logs")
            .contains("<Prefix>logs/</Prefix>")
    );
    assert_eq!(plan_json(&emulator, &manifests).0, 0);
}

/// Makes the next `count` OSS PUTs fail with 503.
fn fail_next_oss_puts(emulator: &Emulator, count: u32) {
    emulator
        .handle
        .set_faults(FaultConfig {
            fail_next: count,
            oss_errors: vec![InjectedError {
                status: 503,
                code: "ServiceUnavailable".into(),
            }],
            operations: vec!["put".into()],
            providers: vec![Provider::OSS],
            ..FaultConfig::default()
        })
        .unwrap();
}

#[test]
fn oss_recreate_failing_after_the_delete_is_retried_until_the_config_is_back() {
    let emulator = Emulator::start();
    OSS.seed(&emulator, "logs", "old/", true);
    let manifests = Manifests::new();
    manifests.write("bucket.yaml", &OSS.manifest(false, &[("logs", "logs/")]));
    // Two transport attempts per PUT: the first PUT fails for good, the re-create retry succeeds.
    fail_next_oss_puts(&emulator, 2);

    let output = invsync(
        &emulator,
        &[
            "apply",
            "--manifests",
            manifests.path().to_str().unwrap(),
            "--max-attempts",
            "2",
        ],
    );
    assert_exit(&output, 0);
    let stats = emulator.handle.stats();
    assert_eq!(
        stats.count(Provider::OSS, Operation::Put, 503),
        2,
        "{stats:?}"
    );
    assert_eq!(
        stats.count(Provider::OSS, Operation::Put, 200),
        1,
        "{stats:?}"
    );
    assert!(
        OSS.live_config(&emulator, "logs")
            .contains("<Prefix>logs/</Prefix>")
    );
}

#[test]
fn oss_config_whose_recreate_keeps_failing_is_reported_missing_and_restored_next_time() {
    let emulator = Emulator::start();
    OSS.seed(&emulator, "logs", "old/", true);
    let manifests = Manifests::new();
    manifests.write("bucket.yaml", &OSS.manifest(false, &[("logs", "logs/")]));
    fail_next_oss_puts(&emulator, 1000);

    let output = invsync(
        &emulator,
        &[
            "apply",
            "--manifests",
            manifests.path().to_str().unwrap(),
            "--max-attempts",
            "1",
        ],
    );
    assert_exit(&output, 1);
    assert!(stdout(&output).contains("logs"), "{}", stdout(&output));
    assert!(
        OSS.live_ids(&emulator).is_empty(),
        "deleted for replacement, not yet back"
    );

    emulator.handle.set_faults(FaultConfig::default()).unwrap();
    let (code, plan) = plan_json(&emulator, &manifests);
    assert_eq!(code, 2);
    assert_eq!(summary(&plan, "create"), 1, "reported missing: {plan}");
    assert_exit(&apply(&emulator, &manifests), 0);
    assert_eq!(OSS.live_ids(&emulator), ["logs"]);
}

#[test]
fn oss_empty_bucket_plans_cleanly() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("bucket.yaml", &OSS.manifest(true, &[]));
    let (code, plan) = plan_json(&emulator, &manifests);
    assert_eq!(code, 0, "{plan}");
    assert_eq!(plan["summary"]["failed"], 0);
    assert_eq!(OSS.calls(&emulator, Operation::List), 1);
}

#[test]
fn cos_and_oss_buckets_mix_freely_in_one_directory() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(false, &[("logs", "logs/")]));
    manifests.write("nested/oss.yml", &OSS.manifest(false, &[("logs", "logs/")]));
    assert_exit(&apply(&emulator, &manifests), 0);
    assert_eq!(COS.live_ids(&emulator), ["logs"]);
    assert_eq!(OSS.live_ids(&emulator), ["logs"]);
    assert_eq!(plan_json(&emulator, &manifests).0, 0);
}

#[test]
fn mass_delete_is_refused_whole_unless_allowed() {
    let emulator = Emulator::start();
    for i in 0..12 {
        COS.seed(&emulator, &format!("old-{i:02}"), "old/", true);
    }
    let manifests = Manifests::new();
    manifests.write("bucket.yaml", &COS.manifest(true, &[("logs", "logs/")]));
    emulator.handle.reset_stats();

    let refused = apply(&emulator, &manifests);
    assert_exit(&refused, 1);
    assert!(stdout(&refused).contains("REFUSED"), "{}", stdout(&refused));
    let stats = emulator.handle.stats();
    assert_eq!(
        stats.calls(Provider::COS, Operation::Delete),
        0,
        "{stats:?}"
    );
    assert_eq!(
        stats.calls(Provider::COS, Operation::Put),
        0,
        "refused whole: {stats:?}"
    );

    let allowed = invsync(
        &emulator,
        &[
            "apply",
            "--manifests",
            manifests.path().to_str().unwrap(),
            "--allow-mass-delete",
        ],
    );
    assert_exit(&allowed, 0);
    assert_eq!(COS.live_ids(&emulator), ["logs"]);
}
