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
    // The destinations of the test manifests do not exist: delivery is another test's.
    let daemon = Process::start_with(&emulator, &manifests, &["--delivery-checks", "off"], &[]);
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

/// The delivery health the checks record, as `GET /status` serves it: state, last delivery,
/// next due, and the destination's readiness with its fix.
#[test]
fn recorded_delivery_health_is_served_with_the_fix_and_marks_the_configuration_stalled() {
    use std::time::{Duration, UNIX_EPOCH};

    use invsync::metrics::Metrics;
    use invsync::model::{BucketKey, DeliveryHealth, DeliveryState, Provider, Readiness};
    use invsync::plan::BucketPlan;
    use invsync::reconcile::{Applied, Reconciled};
    use invsync::serve::Limits;
    use invsync::server::{self, Readiness as Ready};
    use invsync::status::StatusBoard;

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let metrics = Metrics::new();
    let board = StatusBoard::new().with_metrics(metrics.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = runtime.spawn(server::serve_with(
        listener,
        metrics.clone(),
        Ready::new(),
        invsync::status::http::router(board.clone()),
        Limits::ENDPOINTS,
        async {
            let _ = stopped.await;
        },
    ));

    let key = BucketKey {
        provider: Provider::S3,
        bucket: "logs".into(),
        region: "us-east-1".into(),
    };
    let reconciled = Reconciled {
        result: Ok(Applied::InSync),
        plan: Some(BucketPlan {
            key: key.clone(),
            changes: Vec::new(),
            in_sync: vec!["daily".into()],
            unmanaged: Vec::new(),
            blocked: Vec::new(),
            once: Vec::new(),
            refusal: None,
            observe: false,
            observed: Vec::new(),
            skipped: Vec::new(),
        }),
        written: Vec::new(),
        failures: Vec::new(),
    };
    let now = UNIX_EPOCH + Duration::from_secs(1_796_000_000);
    board.set_revision("abc");
    board.record_reconcile(&key, &reconciled, "abc", now);
    let statement =
        r#"{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"s3:PutObject"}"#;
    board.record_delivery(
        &key,
        "daily",
        DeliveryHealth {
            readiness: Readiness::NotReady {
                problem: "bucket policy grants s3.amazonaws.com no s3:PutObject on dest/inv/*"
                    .into(),
                fix: Some(statement.into()),
            },
            state: DeliveryState::Overdue,
            last: None,
            next_due: Some(now),
            problem: Some("no report arrived".into()),
        },
        now,
    );

    let (code, body) = get(&addr, "/status/s3/logs");
    assert_eq!(code, 200, "{body}");
    let bucket: Value = serde_json::from_str(&body).unwrap();
    let config = &bucket["configurations"][0];
    assert_eq!(config["delivery"]["state"], "overdue");
    assert!(config["delivery"]["lastDelivered"].is_null());
    assert_eq!(config["delivery"]["nextDue"], "2026-11-30T00:53:20Z");
    assert_eq!(config["delivery"]["readiness"]["state"], "not_ready");
    assert_eq!(config["delivery"]["readiness"]["fix"], statement);
    assert_eq!(
        ready_reason(&config["conditions"]),
        ("False".into(), "DestinationNotReady".into())
    );
    assert_eq!(config["conditions"][2]["status"], "True", "Stalled");
    assert!(
        config["conditions"][0]["message"]
            .as_str()
            .unwrap()
            .contains(statement)
    );
    let scrape = get(&addr, "/metrics").1;
    assert!(
        scrape.contains(
            r#"invsync_report_delivery_state{provider="s3",bucket="logs",config="daily",state="overdue"} 1"#
        ),
        "{scrape}"
    );

    board.remove(&key);
    assert_eq!(get(&addr, "/status/s3/logs").0, 404);
    let _ = stop.send(());
    runtime.block_on(served).unwrap().unwrap();
}
