//! COS, OSS and S3 buckets in one manifests directory, through the real binary against
//! `invsync emulator`: plan, apply, the steady state's cost, import, and the daemon.

use crate::support::cases;
use crate::support::e2e;
use crate::support::process;

use cases::{COS, OSS, S3, apply, plan_json, plan_json_with, summary};
use e2e::{Emulator, Manifests, assert_exit, invsync, stdout};
use invsync::model::Provider;
use invsync::provider::Operation;
use process::{Process, get};

/// One manifest per provider, two configurations each.
fn mixed() -> Manifests {
    let manifests = Manifests::new();
    for case in [&COS, &OSS, &S3] {
        manifests.write(
            &format!("{}.yaml", case.provider.as_str()),
            &case.manifest(false, &[("logs", "logs/"), ("media", "media/")]),
        );
    }
    manifests
}

#[test]
fn a_mixed_directory_is_planned_applied_and_then_costs_one_list_per_bucket() {
    let emulator = Emulator::start();
    let manifests = mixed();

    let (code, plan) = plan_json(&emulator, &manifests);
    assert_eq!(code, 2, "changes pending: {plan}");
    assert_eq!(summary(&plan, "create"), 6, "{plan}");
    let providers: Vec<&str> = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["provider"].as_str().unwrap())
        .collect();
    assert_eq!(
        providers.iter().filter(|p| **p == "s3").count(),
        2,
        "{plan}"
    );

    assert_exit(&apply(&emulator, &manifests), 0);
    assert_eq!(S3.live_ids(&emulator), ["logs", "media"]);

    emulator.handle.reset_stats();
    let (code, plan) = plan_json_with(&emulator, &manifests, &["--delivery-checks", "off"]);
    assert_eq!(code, 0, "in sync after apply: {plan}");
    let stats = emulator.handle.stats();
    for provider in [Provider::COS, Provider::OSS, Provider::S3] {
        assert_eq!(stats.calls(provider, Operation::List), 1, "{stats:?}");
    }
    assert_eq!(
        stats.total, 3,
        "no GET, PUT or DELETE in steady state: {stats:?}"
    );
}

#[test]
fn an_imported_s3_bucket_plans_in_sync_next_to_cos_and_oss() {
    let emulator = Emulator::start();
    let manifests = mixed();
    assert_exit(&apply(&emulator, &manifests), 0);

    let import = invsync(
        &emulator,
        &[
            "import",
            "--provider",
            "s3",
            "--bucket",
            S3.bucket,
            "--region",
            S3.region,
        ],
    );
    assert_exit(&import, 0);
    manifests.write("s3.yaml", &stdout(&import));
    let (code, plan) = plan_json(&emulator, &manifests);
    assert_eq!(code, 0, "the imported manifest plans in sync: {plan}");
}

#[test]
fn the_daemon_corrects_s3_drift_logs_it_and_counts_it_by_provider() {
    let emulator = Emulator::start();
    let manifests = mixed();
    assert_exit(&apply(&emulator, &manifests), 0);
    // Changed out of band: disabled and another prefix.
    S3.seed(&emulator, "logs", "old/", false);

    let process = Process::start(&emulator, &manifests);
    let drift = process.wait_for_log("drift");
    assert_eq!(drift["provider"], "s3", "{drift}");
    assert_eq!(drift["id"], "logs", "{drift}");
    assert_eq!(drift["kind"], "changed", "{drift}");
    let corrected = process.wait_for_log("corrected");
    assert_eq!(corrected["span"]["provider"], "s3", "{corrected}");
    assert!(
        cases::element(&S3.live_config(&emulator, "logs"), "Prefix").contains("logs/"),
        "the declared prefix is back"
    );

    let (status, metrics) = get(&process.address(), "/metrics");
    assert_eq!(status, 200);
    assert!(
        metrics.contains("invsync_drift_events_total{provider=\"s3\",kind=\"changed\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics
            .contains("invsync_api_calls_total{provider=\"s3\",operation=\"put\",status=\"204\"}"),
        "{metrics}"
    );
}
