//! `invsync run` as a process: credentials file, HTTP endpoints, JSON drift logs, SIGTERM.

use crate::support::cases;
use crate::support::e2e;
use crate::support::process;

use std::io::Write;
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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

/// Sends `head` to `addr` one byte per second from a thread, until `done` or the head ends.
fn slow_client(addr: String, done: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let Ok(mut stream) = TcpStream::connect(&addr) else {
            return;
        };
        let head = b"POST /hooks/git HTTP/1.1\r\nHost: slow\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaa";
        for byte in head {
            if done.load(Ordering::SeqCst) || stream.write_all(&[*byte]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    })
}

#[test]
fn sigterm_with_slow_clients_on_both_ports_exits_within_the_shutdown_grace() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(false, &[("logs", "logs/")]));
    let secret = tempfile::tempdir().unwrap();
    let secret_file = secret.path().join("secret");
    std::fs::write(&secret_file, "slow-client-secret\n").unwrap();
    let mut process = Process::start_with(
        &emulator,
        &manifests,
        &[
            "--hook-listen",
            "127.0.0.1:0",
            "--hook-secret-file",
            secret_file.to_str().unwrap(),
            "--shutdown-grace",
            "2s",
        ],
        &[],
    );
    let metrics = process.address();
    let hook = process.wait_for_log("serving the push hook POST /hooks/git")["addr"]
        .as_str()
        .unwrap()
        .to_string();
    wait_ready(&metrics);
    let done = Arc::new(AtomicBool::new(false));
    let clients = [
        slow_client(metrics, Arc::clone(&done)),
        slow_client(hook, Arc::clone(&done)),
    ];
    std::thread::sleep(Duration::from_secs(2));

    process.signal("TERM");
    let (code, took) = process.wait_exit();
    done.store(true, Ordering::SeqCst);
    for client in clients {
        client.join().unwrap();
    }
    assert_eq!(code, Some(0));
    // The grace is 2 s; the clients would go on for about a minute.
    assert!(took < Duration::from_secs(8), "exited after {took:?}");
}
