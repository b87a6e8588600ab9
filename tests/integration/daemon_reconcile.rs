//! The daemon loop against the emulator: convergence on start, on manifest edits, on
//! out-of-band drift and on SIGHUP; dry-run; injected faults.

use crate::support::cases;
use crate::support::daemon;
use crate::support::e2e;

use std::time::{Duration, Instant};

use cases::{COS, OSS};
use daemon::{Daemon, MAX_WAIT, metric, wait_until};
use e2e::{Emulator, Manifests};
use invsync::emulator::FaultConfig;
use invsync::model::Provider;
use invsync::provider::Operation;

/// Writes `name` the way editors and git do: a new file renamed over the old one.
fn replace_file(manifests: &Manifests, name: &str, text: &str) {
    let staging = manifests.path().parent().unwrap().join(format!(
        ".{}-{name}.tmp",
        manifests.path().file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&staging, text).unwrap();
    std::fs::rename(&staging, manifests.path().join(name)).unwrap();
}

fn writes(emulator: &Emulator) -> u64 {
    let stats = emulator.handle.stats();
    [Provider::COS, Provider::OSS]
        .into_iter()
        .map(|p| stats.calls(p, Operation::Put) + stats.calls(p, Operation::Delete))
        .sum()
}

/// A COS and an OSS bucket, converged, with a resync interval too long to interfere.
fn ready_with_two_buckets_and_no_resync(emulator: &Emulator) -> (Manifests, Daemon) {
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(false, &[("logs", "logs/")]));
    manifests.write("oss.yaml", &OSS.manifest(false, &[("report", "data/")]));
    let daemon = Daemon::start(emulator, manifests.path(), |config| {
        config.schedule.resync_interval = Duration::from_secs(600);
    });
    assert!(wait_until(MAX_WAIT, || daemon.readiness.is_ready()));
    (manifests, daemon)
}

#[test]
fn daemon_converges_on_start_and_then_becomes_ready() {
    let emulator = Emulator::start();
    COS.seed(&emulator, "logs", "logs/", false);
    COS.seed(&emulator, "handmade", "tmp/", true);
    let manifests = Manifests::new();
    manifests.write(
        "cos.yaml",
        &COS.manifest(false, &[("logs", "logs/"), ("uploads", "uploads/")]),
    );
    manifests.write("oss.yaml", &OSS.manifest(false, &[("report", "data/")]));

    let daemon = Daemon::start(&emulator, manifests.path(), |_| {});
    assert!(
        wait_until(MAX_WAIT, || daemon.readiness.is_ready()),
        "never ready"
    );

    assert_eq!(
        COS.live_ids(&emulator),
        ["handmade", "logs", "uploads"],
        "unmanaged left alone"
    );
    assert!(
        COS.live_config(&emulator, "logs")
            .contains("<IsEnabled>true</IsEnabled>")
    );
    assert_eq!(OSS.live_ids(&emulator), ["report"]);
    let text = daemon.metrics_text();
    for (series, at_least) in [
        (
            r#"invsync_drift_events_total{provider="cos",kind="changed"}"#,
            1.0,
        ),
        (
            r#"invsync_drift_events_total{provider="cos",kind="missing"}"#,
            1.0,
        ),
        (
            r#"invsync_drift_events_total{provider="cos",kind="unmanaged"}"#,
            1.0,
        ),
        (
            r#"invsync_drift_events_total{provider="oss",kind="missing"}"#,
            1.0,
        ),
        (r#"invsync_configs{provider="cos",state="in_sync"}"#, 2.0),
    ] {
        let value = metric(&text, series).unwrap_or_else(|| panic!("{series} in\n{text}"));
        assert!(value >= at_least, "{series} = {value}");
    }
    assert!(
        text.contains("invsync_bucket_last_success_timestamp_seconds{"),
        "{text}"
    );
    let (result, _) = daemon.stop();
    result.unwrap();
}

#[test]
fn a_manifest_edit_converges_within_a_second_and_touches_only_that_bucket() {
    let emulator = Emulator::start();
    let (manifests, daemon) = ready_with_two_buckets_and_no_resync(&emulator);
    // Let the watcher settle after the initial reads, then count only what the edit causes.
    std::thread::sleep(Duration::from_millis(300));
    emulator.handle.reset_stats();

    replace_file(
        &manifests,
        "cos.yaml",
        &COS.manifest(false, &[("logs", "logs/v2/")]),
    );
    let written = Instant::now();
    assert!(
        wait_until(MAX_WAIT, || COS
            .live_config(&emulator, "logs")
            .contains("<Prefix>logs/v2/</Prefix>")),
        "edit never applied"
    );
    let took = written.elapsed();
    assert!(took < Duration::from_secs(1), "converged after {took:?}");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(COS.calls(&emulator, Operation::Put), 1);
    assert_eq!(
        emulator
            .handle
            .stats()
            .calls(Provider::OSS, Operation::List),
        0,
        "unchanged bucket not read"
    );
    daemon.stop().0.unwrap();
}

#[test]
fn out_of_band_drift_is_reverted_within_one_interval() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(false, &[("logs", "logs/")]));
    let daemon = Daemon::start(&emulator, manifests.path(), |_| {});
    assert!(wait_until(MAX_WAIT, || daemon.readiness.is_ready()));

    COS.seed(&emulator, "logs", "elsewhere/", false);
    let drifted = Instant::now();
    assert!(wait_until(MAX_WAIT, || COS
        .live_config(&emulator, "logs")
        .contains("<Prefix>logs/</Prefix>")));
    let took = drifted.elapsed();
    // Nothing but the periodic resync looks at the bucket again: the next one is at most one
    // interval (1 s + 10 % jitter) away. The bound leaves a loaded test machine room for the
    // reconcile itself while staying far below the daemon's default interval.
    assert!(took < Duration::from_secs(5), "reverted after {took:?}");
    // The drift is counted when the reconcile that wrote returns, a moment after the write.
    let changed = || {
        metric(
            &daemon.metrics_text(),
            r#"invsync_drift_events_total{provider="cos",kind="changed"}"#,
        )
    };
    assert!(
        wait_until(MAX_WAIT, || changed().is_some()),
        "{}",
        daemon.metrics_text()
    );
    assert_eq!(changed(), Some(1.0));
    daemon.stop().0.unwrap();
}

#[test]
fn a_full_pass_request_reads_every_bucket_at_once() {
    let emulator = Emulator::start();
    let (_manifests, daemon) = ready_with_two_buckets_and_no_resync(&emulator);
    emulator.handle.reset_stats();
    daemon.full_pass.send(()).unwrap();
    assert!(wait_until(Duration::from_secs(2), || {
        let stats = emulator.handle.stats();
        stats.calls(Provider::COS, Operation::List) >= 1
            && stats.calls(Provider::OSS, Operation::List) >= 1
    }));
    daemon.stop().0.unwrap();
}

#[test]
fn dry_run_reports_drift_and_writes_nothing() {
    let emulator = Emulator::start();
    COS.seed(&emulator, "logs", "logs/", false);
    let manifests = Manifests::new();
    manifests.write(
        "cos.yaml",
        &COS.manifest(true, &[("logs", "logs/"), ("uploads", "uploads/")]),
    );
    COS.seed(&emulator, "stray", "tmp/", true);
    let daemon = Daemon::start(&emulator, manifests.path(), |config| {
        config.context.dry_run = true
    });
    assert!(wait_until(MAX_WAIT, || daemon.readiness.is_ready()));
    // Two more resyncs.
    std::thread::sleep(Duration::from_millis(2500));

    assert_eq!(writes(&emulator), 0);
    assert_eq!(COS.live_ids(&emulator), ["logs", "stray"]);
    assert!(
        COS.live_config(&emulator, "logs")
            .contains("<IsEnabled>false</IsEnabled>")
    );
    let text = daemon.metrics_text();
    for kind in ["changed", "missing", "unmanaged"] {
        let series = format!(r#"invsync_drift_events_total{{provider="cos",kind="{kind}"}}"#);
        assert!(
            metric(&text, &series).unwrap_or(0.0) >= 2.0,
            "{series} in\n{text}"
        );
    }
    assert_eq!(
        metric(&text, r#"invsync_configs{provider="cos",state="drifted"}"#),
        Some(3.0)
    );
    daemon.stop().0.unwrap();
}

#[test]
fn thirty_percent_of_requests_failing_never_stops_the_daemon() {
    let emulator = Emulator::start();
    emulator
        .handle
        .set_faults(FaultConfig {
            error_rate: 0.3,
            // The first requests are refused for certain, so the run is never lucky.
            fail_next: 2,
            ..FaultConfig::default()
        })
        .unwrap();
    let manifests = Manifests::new();
    let ids: Vec<(String, &str)> = (0..4).map(|i| (format!("inv-{i}"), "data/")).collect();
    let declared: Vec<(&str, &str)> = ids.iter().map(|(id, p)| (id.as_str(), *p)).collect();
    manifests.write("cos.yaml", &COS.manifest(false, &declared));
    manifests.write("oss.yaml", &OSS.manifest(false, &declared));
    let daemon = Daemon::start(&emulator, manifests.path(), |_| {});

    assert!(wait_until(MAX_WAIT, || {
        COS.live_ids(&emulator).len() == 4 && OSS.live_ids(&emulator).len() == 4
    }));
    assert!(wait_until(MAX_WAIT, || daemon.readiness.is_ready()));
    // Keep resyncing under faults for a while.
    std::thread::sleep(Duration::from_secs(3));
    assert!(daemon.is_running());
    let text = daemon.metrics_text();
    assert!(
        text.contains(r#"status="503""#),
        "faults were injected:\n{text}"
    );
    let (result, _) = daemon.stop();
    result.unwrap();
}

#[test]
fn buckets_are_reconciled_at_most_concurrency_at_a_time() {
    let emulator = Emulator::start();
    emulator
        .handle
        .set_faults(FaultConfig {
            latency: Duration::from_millis(100),
            ..FaultConfig::default()
        })
        .unwrap();
    let manifests = Manifests::new();
    for i in 0..3 {
        let yaml = COS
            .manifest(false, &[("logs", "logs/")])
            .replace(COS.bucket, &format!("bucket{i}-1250000000"));
        manifests.write(&format!("b{i}.yaml"), &yaml);
    }
    let timed = |concurrency: usize| {
        emulator.handle.reset_stats();
        let started = Instant::now();
        let daemon = Daemon::start(&emulator, manifests.path(), |config| {
            config.concurrency = concurrency;
            config.schedule.resync_interval = Duration::from_secs(600);
        });
        assert!(wait_until(MAX_WAIT, || daemon.readiness.is_ready()));
        let took = started.elapsed();
        daemon.stop().0.unwrap();
        took
    };
    // One LIST of 100 ms per in-sync bucket after the first run created the configurations.
    timed(3);
    let one_at_a_time = timed(1);
    let all_at_once = timed(3);
    assert!(
        one_at_a_time >= Duration::from_millis(300),
        "{one_at_a_time:?}"
    );
    assert!(
        all_at_once < one_at_a_time,
        "{all_at_once:?} vs {one_at_a_time:?}"
    );
}
