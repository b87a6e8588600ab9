//! `spec.mode: observe`: a bucket's drift is planned, logged, counted and sent as events, and
//! never written, while the other buckets converge as usual.

use crate::support::cases;
use crate::support::daemon;
use crate::support::e2e;

use std::time::Duration;

use cases::{COS, OSS, apply, plan_json};
use daemon::{Daemon, MAX_WAIT, metric, wait_until};
use e2e::{Emulator, Manifests, assert_exit, invsync, stdout};
use invsync::manifest::parse_document_text;
use invsync::model::{BucketMode, Provider};
use invsync::provider::Operation;
use invsync::reconcile::RunEvent;

/// `case`'s manifest with `mode: observe` under `spec`.
fn observed(manifest: String) -> String {
    manifest.replace("  prune:", "  mode: observe\n  prune:")
}

/// COS enforced, OSS observed; both drifted the same way (one config disabled, one missing,
/// one stray with prune on).
fn drifted(emulator: &Emulator) -> Manifests {
    let manifests = Manifests::new();
    let inventories = [("logs", "logs/"), ("uploads", "uploads/")];
    manifests.write("cos.yaml", &COS.manifest(true, &inventories));
    manifests.write("oss.yaml", &observed(OSS.manifest(true, &inventories)));
    for case in [&COS, &OSS] {
        case.seed(emulator, "logs", "logs/", false);
        case.seed(emulator, "stray", "tmp/", true);
    }
    manifests
}

fn oss_writes(emulator: &Emulator) -> u64 {
    OSS.calls(emulator, Operation::Put) + OSS.calls(emulator, Operation::Delete)
}

#[test]
fn mode_defaults_to_enforce_and_accepts_observe() {
    let parse = |text: &str| parse_document_text(std::path::Path::new("m.yaml"), text).unwrap();
    let enforced = parse(&COS.manifest(false, &[("logs", "logs/")]));
    assert_eq!(enforced[0].mode, BucketMode::Enforce);
    let observing = parse(&observed(COS.manifest(false, &[("logs", "logs/")])));
    assert_eq!(observing[0].mode, BucketMode::Observe);
}

#[test]
fn an_unknown_mode_is_an_error_naming_the_field_and_the_choices() {
    let manifests = Manifests::new();
    manifests.write(
        "cos.yaml",
        &COS.manifest(false, &[("logs", "logs/")])
            .replace("  prune:", "  mode: watch\n  prune:"),
    );
    let emulator = Emulator::start();
    let output = invsync(
        &emulator,
        &[
            "validate",
            "--manifests",
            manifests.path().to_str().unwrap(),
        ],
    );
    assert_exit(&output, 1);
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("spec.mode"), "{text}");
    assert!(
        text.contains("`enforce`") && text.contains("`observe`"),
        "{text}"
    );
}

#[test]
fn plan_marks_the_observed_bucket_in_every_format() {
    let emulator = Emulator::start();
    let manifests = drifted(&emulator);
    let (code, plan) = plan_json(&emulator, &manifests);
    assert_eq!(code, 2);
    for change in plan["changes"].as_array().unwrap() {
        let mode = if change["provider"] == "oss" {
            serde_json::json!("observe")
        } else {
            serde_json::Value::Null
        };
        assert_eq!(change["mode"], mode, "{change}");
    }
    let dir = manifests.path().to_str().unwrap();
    let text = stdout(&invsync(&emulator, &["plan", "--manifests", dir]));
    let oss_section = text.split("oss://").nth(1).unwrap();
    assert!(
        oss_section.contains("observe mode: the drift below is reported, never corrected"),
        "{text}"
    );
    let cos_section = text.split("cos://").nth(1).unwrap();
    assert!(
        !cos_section
            .split("oss://")
            .next()
            .unwrap()
            .contains("observe mode")
    );
    let markdown = stdout(&invsync(
        &emulator,
        &["plan", "--manifests", dir, "--output", "markdown"],
    ));
    assert!(markdown.contains("> **Observe mode:**"), "{markdown}");
}

#[test]
fn apply_writes_nothing_to_an_observed_bucket_while_the_others_converge() {
    let emulator = Emulator::start();
    let manifests = drifted(&emulator);
    let output = apply(&emulator, &manifests);
    assert_exit(&output, 0);
    let out = stdout(&output);
    assert!(
        out.contains("observe mode, 3 changes reported and not written"),
        "{out}"
    );
    assert!(
        out.contains("1 drifted in observe mode (not written)"),
        "{out}"
    );

    assert_eq!(oss_writes(&emulator), 0);
    assert_eq!(OSS.live_ids(&emulator), ["logs", "stray"]);
    assert!(
        OSS.live_config(&emulator, "logs")
            .contains("<IsEnabled>false</IsEnabled>")
    );
    assert_eq!(COS.live_ids(&emulator), ["logs", "uploads"]);
    assert!(
        COS.live_config(&emulator, "logs")
            .contains("<IsEnabled>true</IsEnabled>")
    );
}

#[test]
fn the_daemon_reports_an_observed_buckets_drift_and_never_corrects_it() {
    let emulator = Emulator::start();
    let manifests = drifted(&emulator);
    let mut daemon = Daemon::start(&emulator, manifests.path(), |_| {});
    assert!(wait_until(MAX_WAIT, || daemon.readiness.is_ready()));
    // At least two more resyncs of the observed bucket.
    std::thread::sleep(Duration::from_millis(2500));

    assert_eq!(oss_writes(&emulator), 0);
    assert_eq!(OSS.live_ids(&emulator), ["logs", "stray"]);
    assert_eq!(COS.live_ids(&emulator), ["logs", "uploads"]);
    let text = daemon.metrics_text();
    for kind in ["changed", "missing", "unmanaged"] {
        let series = format!(r#"invsync_drift_events_total{{provider="oss",kind="{kind}"}}"#);
        assert!(
            metric(&text, &series).unwrap_or(0.0) >= 2.0,
            "{series} in\n{text}"
        );
    }
    assert_eq!(
        metric(&text, r#"invsync_configs{provider="oss",state="drifted"}"#),
        Some(3.0)
    );
    assert_eq!(
        metric(&text, r#"invsync_configs{provider="cos",state="drifted"}"#),
        Some(0.0)
    );
    let events = daemon.drain_events();
    let oss_drift = events
        .iter()
        .filter(|e| matches!(e, RunEvent::Drift(d) if d.key.provider == Provider::OSS))
        .count();
    assert!(oss_drift >= 6, "{events:?}");
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, RunEvent::Corrected(c) if c.key.provider == Provider::OSS))
    );
    daemon.stop().0.unwrap();
}
