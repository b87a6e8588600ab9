//! `invsync run` as a process: credentials file, HTTP endpoints, JSON drift logs, SIGTERM.

use crate::support::cases;
use crate::support::e2e;
use crate::support::process;

use std::time::Duration;

use cases::COS;
use e2e::{COS_KEY, Emulator, Manifests, OSS_KEY};
use invsync::emulator::FaultConfig;
use process::{Process, get, wait_ready};

#[test]
fn metrics_expose_drift_and_api_calls_and_drift_is_logged_as_structured_json() {
    let emulator = Emulator::start();
    COS.seed(&emulator, "logs", "logs/", false);
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(false, &[("logs", "logs/")]));
    let mut process = Process::start(&emulator, &manifests);
    let addr = process.address();
    assert_eq!(get(&addr, "/healthz").0, 200);
    wait_ready(&addr);

    let (status, metrics) = get(&addr, "/metrics");
    assert_eq!(status, 200);
    for series in [
        r#"invsync_drift_events_total{provider="cos",kind="changed"} 1"#,
        r#"invsync_api_calls_total{provider="cos",operation="list",status="200"}"#,
        r#"invsync_api_calls_total{provider="cos",operation="put",status="200"} 1"#,
        "invsync_manifest_valid 1",
        "invsync_revision_info{revision=\"sha256:",
    ] {
        assert!(metrics.contains(series), "{series} missing from\n{metrics}");
    }
    assert!(
        COS.live_config(&emulator, "logs")
            .contains("<IsEnabled>true</IsEnabled>")
    );

    let drift = process.wait_for_log("drift");
    assert_eq!(drift["level"], "WARN");
    assert_eq!(drift["provider"], "cos");
    assert_eq!(drift["bucket"], COS.bucket);
    assert_eq!(drift["id"], "logs");
    assert_eq!(drift["kind"], "changed");
    assert_eq!(drift["diff"], "enabled: false -> true");
    assert!(
        drift["revision"].as_str().unwrap().starts_with("sha256:"),
        "{drift}"
    );
    let corrected = process.wait_for_log("corrected");
    assert_eq!(corrected["level"], "INFO");
    assert_eq!(corrected["span"]["bucket"], COS.bucket, "{corrected}");
    let logs = format!("{:?}", process.logs.lock().unwrap());
    assert!(
        !logs.contains(COS_KEY) && !logs.contains(OSS_KEY),
        "no secret in logs"
    );

    process.signal("TERM");
    assert_eq!(process.wait_exit().0, Some(0));
}

#[test]
fn sigterm_during_reconciles_exits_zero_promptly() {
    let emulator = Emulator::start();
    emulator
        .handle
        .set_faults(FaultConfig {
            latency: Duration::from_millis(300),
            ..FaultConfig::default()
        })
        .unwrap();
    let manifests = Manifests::new();
    manifests.write(
        "cos.yaml",
        &COS.manifest(false, &[("logs", "logs/"), ("more", "more/")]),
    );
    let mut process = Process::start(&emulator, &manifests);
    let addr = process.address();
    assert_eq!(get(&addr, "/healthz").0, 200);
    std::thread::sleep(Duration::from_millis(200));

    process.signal("TERM");
    let (code, took) = process.wait_exit();
    assert_eq!(code, Some(0));
    assert!(took < Duration::from_secs(5), "exited after {took:?}");
    process.wait_for_log("stopped");
}
