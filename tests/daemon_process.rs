//! `invsync run` as a process: credentials file, HTTP endpoints, JSON drift logs, SIGTERM.

#[path = "support/cases.rs"]
mod cases;
#[path = "support/e2e.rs"]
mod e2e;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cases::COS;
use e2e::{COS_ID, COS_KEY, Emulator, Manifests, OSS_ID, OSS_KEY, bin};
use invsync::emulator::FaultConfig;
use serde_json::Value;

const MAX_WAIT: Duration = Duration::from_secs(20);

/// A running `invsync run` whose stderr (JSON log lines) is collected.
struct Process {
    child: Child,
    logs: Arc<Mutex<Vec<Value>>>,
    _credentials: tempfile::TempDir,
}

impl Process {
    fn start(emulator: &Emulator, manifests: &Manifests) -> Process {
        let credentials = tempfile::tempdir().unwrap();
        let file = credentials.path().join("credentials");
        std::fs::write(
            &file,
            format!(
                "TENCENTCLOUD_SECRET_ID={COS_ID}\nTENCENTCLOUD_SECRET_KEY=\"{COS_KEY}\"\nALIBABA_CLOUD_ACCESS_KEY_ID={OSS_ID}\nALIBABA_CLOUD_ACCESS_KEY_SECRET={OSS_KEY}\n"
            ),
        )
        .unwrap();
        let mut child = Command::new(bin())
            .args(["run", "--manifests"])
            .arg(manifests.path())
            .args([
                "--listen",
                "127.0.0.1:0",
                "--interval",
                "1s",
                "--log-format",
                "json",
            ])
            .arg("--credentials-file")
            .arg(&file)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("INVSYNC_COS_ENDPOINT", emulator.endpoint())
            .env("INVSYNC_OSS_ENDPOINT", emulator.endpoint())
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = Arc::clone(&logs);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let value = serde_json::from_str(&line).unwrap_or(Value::String(line));
                sink.lock().unwrap().push(value);
            }
        });
        Process {
            child,
            logs,
            _credentials: credentials,
        }
    }

    /// The first log event with this message.
    fn wait_for_log(&self, message: &str) -> Value {
        let deadline = Instant::now() + MAX_WAIT;
        while Instant::now() < deadline {
            if let Some(found) = self
                .logs
                .lock()
                .unwrap()
                .iter()
                .find(|v| v["message"] == message)
            {
                return found.clone();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("no `{message}` log in {:#?}", self.logs.lock().unwrap());
    }

    fn address(&self) -> String {
        let event = self.wait_for_log("serving /metrics, /healthz and /readyz");
        event["addr"].as_str().unwrap().to_string()
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the exit; returns the code and how long it took.
    fn wait_exit(&mut self) -> (Option<i32>, Duration) {
        let started = Instant::now();
        while started.elapsed() < MAX_WAIT {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status.code(), started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        panic!("invsync run did not exit");
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET path` over HTTP/1.1; returns the status and the body.
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn wait_ready(addr: &str) {
    let deadline = Instant::now() + MAX_WAIT;
    while get(addr, "/readyz").0 != 200 {
        assert!(Instant::now() < deadline, "never ready");
        std::thread::sleep(Duration::from_millis(20));
    }
}

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
