//! `GET /status` of a running `invsync run` against the emulator, and `invsync status`
//! reading it.

use crate::support::cases::COS;
use crate::support::e2e::{self, Emulator, Manifests, assert_exit, stderr, stdout};
use crate::support::process::{MAX_WAIT, Process, get, wait_ready};

use serde_json::Value;

/// Polls `GET /status` until `accept` takes the document.
fn status_until(addr: &str, accept: impl Fn(&Value) -> bool) -> Value {
    let deadline = std::time::Instant::now() + MAX_WAIT;
    loop {
        let (code, body) = get(addr, "/status");
        assert_eq!(code, 200, "{body}");
        let document: Value = serde_json::from_str(&body).expect("JSON");
        if accept(&document) {
            return document;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "status never matched: {document:#}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn ready_reason(conditions: &Value) -> (String, String) {
    let ready = &conditions[0];
    assert_eq!(ready["type"], "Ready");
    (
        ready["status"].as_str().unwrap_or_default().to_string(),
        ready["reason"].as_str().unwrap_or_default().to_string(),
    )
}

#[test]
fn a_converged_daemon_serves_ready_conditions_and_status_exits_0() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(false, &[("logs", "logs/")]));
    let daemon = Process::start(&emulator, &manifests);
    let addr = daemon.address();
    wait_ready(&addr);

    let document = status_until(&addr, |d| {
        d["buckets"][0]["conditions"][0]["status"] == "True"
    });
    let bucket = &document["buckets"][0];
    assert_eq!(bucket["provider"], "cos");
    assert_eq!(bucket["bucket"], COS.bucket);
    assert_eq!(bucket["region"], COS.region);
    assert_eq!(
        ready_reason(&bucket["conditions"]),
        ("True".into(), "InSync".into())
    );
    let types: Vec<&str> = bucket["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["Ready", "Reconciling", "Stalled"]);
    let config = &bucket["configurations"][0];
    assert_eq!(config["id"], "logs");
    assert_eq!(
        ready_reason(&config["conditions"]),
        ("True".into(), "InSync".into())
    );
    assert!(
        config["delivery"].is_null(),
        "no delivery check ran: {config}"
    );
    let observed = bucket["conditions"][0]["observedRevision"]
        .as_str()
        .unwrap();
    assert_eq!(observed, document["revision"].as_str().unwrap());
    assert!(
        bucket["conditions"][0]["lastTransitionTime"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );

    let (code, body) = get(&addr, &format!("/status/cos/{}", COS.bucket));
    assert_eq!(code, 200, "{body}");
    let one: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(one["configurations"][0]["id"], "logs");
    let (code, body) = get(&addr, "/status/cos/not-managed-1250000000");
    assert_eq!(code, 404);
    let error: Value = serde_json::from_str(&body).unwrap();
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("cos/not-managed-1250000000")
    );

    let from = format!("http://{addr}");
    let table = e2e::invsync(&emulator, &["status", "--from", &from]);
    assert_exit(&table, 0);
    let text = stdout(&table);
    assert!(text.contains("PROVIDER  BUCKET"), "{text}");
    let row = text
        .lines()
        .find(|l| l.contains(" logs "))
        .unwrap_or_else(|| panic!("no row for logs:\n{text}"));
    assert!(row.contains("True") && row.contains("InSync"), "{row}");

    let json = e2e::invsync(&emulator, &["status", "--from", &from, "--output", "json"]);
    assert_exit(&json, 0);
    let printed: Value = serde_json::from_str(&stdout(&json)).expect("JSON as served");
    assert_eq!(printed["buckets"][0]["bucket"], COS.bucket);

    let bucket_arg = format!("cos/{}", COS.bucket);
    let one = e2e::invsync(
        &emulator,
        &["status", "--from", &from, "--bucket", &bucket_arg],
    );
    assert_exit(&one, 0);
    let missing = e2e::invsync(
        &emulator,
        &["status", "--from", &from, "--bucket", "cos/nope-1250000000"],
    );
    assert_exit(&missing, 1);
    assert!(stderr(&missing).contains("404"), "{}", stderr(&missing));
}

#[test]
fn a_dry_run_daemon_with_drift_reports_drift_observed_and_status_exits_2() {
    let emulator = Emulator::start();
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(false, &[("logs", "logs/")]));
    let daemon = Process::start_with(&emulator, &manifests, &["--dry-run"], &[]);
    let addr = daemon.address();
    wait_ready(&addr);

    let document = status_until(&addr, |d| d["buckets"][0]["configurations"][0].is_object());
    let bucket = &document["buckets"][0];
    assert_eq!(
        ready_reason(&bucket["configurations"][0]["conditions"]),
        ("False".into(), "DriftObserved".into())
    );
    assert_eq!(
        bucket["conditions"][1]["status"], "False",
        "not Reconciling"
    );

    let from = format!("http://{addr}");
    let output = e2e::invsync(&emulator, &["status", "--from", &from]);
    assert_exit(&output, 2);
    assert!(
        stdout(&output).contains("DriftObserved"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn status_without_a_daemon_names_the_url_and_the_fix() {
    let emulator = Emulator::start();
    // A port nothing listens on: bind one, then let it go.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let from = format!("http://{}", free.local_addr().unwrap());
    drop(free);
    let output = e2e::invsync(&emulator, &["status", "--from", &from]);
    assert_exit(&output, 1);
    let message = stderr(&output);
    assert!(message.contains(&from), "{message}");
    assert!(message.contains("--from"), "{message}");

    let https = e2e::invsync(&emulator, &["status", "--from", "https://127.0.0.1:9464"]);
    assert_exit(&https, 1);
    assert!(
        stderr(&https).contains("only http://"),
        "{}",
        stderr(&https)
    );
}
