//! OSS `Once` inventories end to end: never created by `apply` or the daemon on their own,
//! started only by `apply --run-once ID`, reported pending while live and not live once the
//! service has run and auto-deleted them, and never started again by a daemon restart.
//! Monthly and IncrementalInventory configurations are created, drifted and corrected.

use crate::support::cases;
use crate::support::daemon;
use crate::support::e2e;

use std::time::Duration;

use cases::{OSS, apply, plan_json, summary};
use daemon::{Daemon, MAX_WAIT, metric, wait_until};
use e2e::{Emulator, Manifests, assert_exit, invsync, stderr, stdout};
use invsync::model::Provider;
use invsync::provider::Operation;

const DESTINATION: &str = "      destination:\n        bucket: acs:oss:::inventory-dest\n        accountId: \"1000000000000000\"\n        roleArn: acs:ram::1000000000000000:role/AliyunOSSRole\n        format: CSV\n";

/// An OSS manifest with a Daily `logs`, a Once `snapshot` (auto-deleted after its run), a
/// Monthly `monthly` on `day` and an incremental inventory on `realtime` every `seconds`.
fn manifest(day: u8, seconds: u64) -> String {
    format!(
        "apiVersion: invsync/v1\nkind: BucketInventory\nmetadata:\n  name: once\nspec:\n  provider: oss\n  bucket: {bucket}\n  region: {region}\n  inventories:\n\
         \x20   - id: logs\n      includedObjectVersions: Current\n      schedule: {{frequency: Daily}}\n{DESTINATION}\
         \x20   - id: snapshot\n      includedObjectVersions: All\n      schedule: {{frequency: Once, autoDelete: true}}\n      optionalFields: [Size, ObjectAcl, Crc64]\n{DESTINATION}\
         \x20   - id: monthly\n      includedObjectVersions: Current\n      schedule: {{frequency: Monthly, dayOfMonth: {day}}}\n      optionalFields: [TaggingCount, ObjectType]\n{DESTINATION}\
         \x20   - id: realtime\n      includedObjectVersions: Current\n      schedule: {{frequency: Weekly}}\n      incrementalInventory:\n        frequencySeconds: {seconds}\n        optionalFields: [SequenceNumber, RecordType, Requester]\n{DESTINATION}",
        bucket = OSS.bucket,
        region = OSS.region,
    )
}

fn puts(emulator: &Emulator) -> u64 {
    emulator.handle.stats().calls(Provider::OSS, Operation::Put)
}

fn once_state(plan: &serde_json::Value) -> String {
    plan["once"][0]["state"].as_str().unwrap_or("").to_string()
}

#[test]
fn apply_never_starts_a_once_inventory_until_run_once_names_it() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("oss.yaml", &manifest(3, 600));

    let output = apply(&emulator, &manifests);
    assert_exit(&output, 0);
    assert!(
        stdout(&output).contains("once snapshot: not live"),
        "{}",
        stdout(&output)
    );
    assert_eq!(OSS.live_ids(&emulator), ["logs", "monthly", "realtime"]);
    let (code, plan) = plan_json(&emulator, &manifests);
    assert_eq!(
        code, 0,
        "a Once config that is not live is as declared: {plan}"
    );
    assert_eq!(once_state(&plan), "not_live");
    assert_eq!(summary(&plan, "in_sync"), 3);

    let dir = manifests.path().to_str().unwrap();
    let output = invsync(
        &emulator,
        &["apply", "--manifests", dir, "--run-once", "snapshot"],
    );
    assert_exit(&output, 0);
    let live = OSS.live_config(&emulator, "snapshot");
    assert!(live.contains("<Frequency>Once</Frequency>"), "{live}");
    assert!(live.contains("<AutoDelete>true</AutoDelete>"), "{live}");
    let (code, plan) = plan_json(&emulator, &manifests);
    assert_eq!(code, 0);
    assert_eq!(once_state(&plan), "pending");

    // The service runs it and deletes it; nothing brings it back.
    assert_eq!(
        emulator
            .handle
            .complete_once_runs(Provider::OSS, OSS.bucket),
        ["snapshot"]
    );
    let before = puts(&emulator);
    assert_exit(&apply(&emulator, &manifests), 0);
    assert_eq!(puts(&emulator), before, "no write after the run");
    assert_eq!(once_state(&plan_json(&emulator, &manifests).1), "not_live");
}

#[test]
fn run_once_of_an_id_no_manifest_declares_as_once_writes_nothing() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("oss.yaml", &manifest(3, 600));
    let dir = manifests.path().to_str().unwrap();
    for id in ["logs", "nope"] {
        let output = invsync(&emulator, &["apply", "--manifests", dir, "--run-once", id]);
        assert_exit(&output, 1);
        assert!(
            stderr(&output).contains("--run-once"),
            "{}",
            stderr(&output)
        );
    }
    assert_eq!(emulator.handle.stats().total, 0, "not even a read");
}

#[test]
fn monthly_and_incremental_configs_are_created_drifted_and_corrected() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("oss.yaml", &manifest(3, 600));
    assert_exit(&apply(&emulator, &manifests), 0);
    let monthly = OSS.live_config(&emulator, "monthly");
    assert!(monthly.contains("<DayOfMonth>3</DayOfMonth>"), "{monthly}");
    let realtime = OSS.live_config(&emulator, "realtime");
    assert!(
        realtime.contains("<IncrementalInventory><IsEnabled>true</IsEnabled><Schedule><Frequency>600</Frequency></Schedule>"),
        "{realtime}"
    );

    manifests.write("oss.yaml", &manifest(17, 900));
    let (code, plan) = plan_json(&emulator, &manifests);
    assert_eq!(code, 2);
    let ids: Vec<&str> = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["monthly", "realtime"]);
    let diff = plan["changes"][1]["diff"].as_str().unwrap();
    assert!(
        diff.contains("-  frequencySeconds: 600") && diff.contains("+  frequencySeconds: 900"),
        "{diff}"
    );

    assert_exit(&apply(&emulator, &manifests), 0);
    assert!(
        OSS.live_config(&emulator, "monthly")
            .contains("<DayOfMonth>17</DayOfMonth>")
    );
    assert!(
        OSS.live_config(&emulator, "realtime")
            .contains("<Frequency>900</Frequency>")
    );
    assert_eq!(plan_json(&emulator, &manifests).0, 0);
}

#[test]
fn the_daemon_never_creates_a_once_inventory_not_even_after_a_restart() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("oss.yaml", &manifest(3, 600));
    let dir = manifests.path().to_str().unwrap();
    assert_exit(
        &invsync(
            &emulator,
            &["apply", "--manifests", dir, "--run-once", "snapshot"],
        ),
        0,
    );
    assert_eq!(
        emulator
            .handle
            .complete_once_runs(Provider::OSS, OSS.bucket),
        ["snapshot"]
    );
    let before = puts(&emulator);

    for _ in 0..2 {
        let daemon = Daemon::start(&emulator, manifests.path(), |config| {
            config.schedule.resync_interval = Duration::from_millis(200);
        });
        assert!(wait_until(MAX_WAIT, || daemon.readiness.is_ready()));
        // A few resyncs, each of which would re-create a missing ordinary configuration.
        let lists = emulator
            .handle
            .stats()
            .calls(Provider::OSS, Operation::List);
        assert!(wait_until(MAX_WAIT, || {
            emulator
                .handle
                .stats()
                .calls(Provider::OSS, Operation::List)
                >= lists + 3
        }));
        let text = daemon.metrics_text();
        assert_eq!(
            metric(&text, "invsync_configs{provider=\"oss\",state=\"drifted\"}"),
            Some(0.0),
            "{text}"
        );
        let (result, _) = daemon.stop();
        result.unwrap();
        assert_eq!(puts(&emulator), before, "the daemon wrote");
        assert!(!OSS.live_ids(&emulator).contains(&"snapshot".to_string()));
    }
}
