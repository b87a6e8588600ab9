//! Drift notifications against a local receiver: payloads per format, retries, a dead
//! receiver that never slows the sender, de-duplication, and the daemon end to end.

use crate::support::cases;
use crate::support::daemon;
use crate::support::e2e;
use crate::support::process;
use crate::support::receiver;

use std::time::{Duration, Instant};

use cases::COS;
use daemon::{MAX_WAIT, wait_until};
use e2e::{COS_KEY, Emulator, Manifests, OSS_KEY};
use invsync::metrics::{DriftKind, Metrics};
use invsync::model::{BucketKey, Provider};
use invsync::notify::{
    self, DeliverySettings, EventKind, Format, NotifyConfig, Webhook, WebhookUrl,
};
use invsync::reconcile::RunEvent;
use invsync::reconcile::drift::{DriftEvent, FieldChange};
use process::Process;
use receiver::Receiver;
use tokio::sync::mpsc::UnboundedSender;

fn fast() -> DeliverySettings {
    DeliverySettings {
        queue: 4,
        max_attempts: 3,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(50),
        request_timeout: Duration::from_millis(500),
    }
}

fn webhook(name: &str, url: &str, format: Format) -> Webhook {
    Webhook {
        name: name.to_string(),
        url: WebhookUrl::parse(url).unwrap(),
        format,
        events: EventKind::ALL.to_vec(),
    }
}

fn drift(id: &str, desired: &str) -> RunEvent {
    RunEvent::Drift(DriftEvent {
        key: BucketKey {
            provider: Provider::COS,
            bucket: "logs-1250000000".into(),
            region: "ap-guangzhou".into(),
        },
        id: id.into(),
        kind: DriftKind::Changed,
        fields: vec![FieldChange {
            path: "filter.prefix".into(),
            live: Some("old/".into()),
            desired: Some(desired.into()),
        }],
    })
}

/// A notifier on its own runtime.
struct Notifier {
    events: UnboundedSender<RunEvent>,
    metrics: Metrics,
    _runtime: tokio::runtime::Runtime,
}

impl Notifier {
    fn start(webhooks: Vec<Webhook>, window: Duration, settings: DeliverySettings) -> Notifier {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let metrics = Metrics::new();
        let config = NotifyConfig {
            webhooks,
            dedup_window: window,
        };
        let (events, _task) = runtime
            .block_on(async { notify::spawn(config, settings, metrics.clone()) })
            .unwrap();
        events
            .send(RunEvent::RevisionLoaded {
                revision: "abc123".into(),
                buckets: 1,
            })
            .unwrap();
        Notifier {
            events,
            metrics,
            _runtime: runtime,
        }
    }

    fn send(&self, event: RunEvent) {
        self.events.send(event).unwrap();
    }
}

#[test]
fn each_format_gets_its_own_payload_with_the_field_diff() {
    let receiver = Receiver::start();
    let notifier = Notifier::start(
        vec![
            webhook("json", &receiver.url("/json"), Format::Json),
            webhook("slack", &receiver.url("/slack"), Format::Slack),
            webhook("teams", &receiver.url("/teams"), Format::Teams),
            webhook("chat", &receiver.url("/chat"), Format::GoogleChat),
        ],
        Duration::from_secs(60),
        fast(),
    );
    notifier.send(drift("list1", "new/"));
    assert!(wait_until(MAX_WAIT, || receiver.received().len() == 4));
    let received = receiver.received();
    let body = |path: &str| -> serde_json::Value {
        let r = received.iter().find(|r| r.path == path).unwrap();
        assert_eq!(r.headers["content-type"], "application/json");
        serde_json::from_str(&r.body).unwrap()
    };
    let json = body("/json");
    assert_eq!(json["event"], "drift");
    assert_eq!(json["bucket"], "logs-1250000000");
    assert_eq!(json["id"], "list1");
    assert_eq!(json["revision"], "abc123");
    assert_eq!(json["fields"][0]["desired"], "new/");
    let diff = "filter.prefix: old/ -> new/";
    assert!(body("/slack")["blocks"].to_string().contains(diff));
    assert!(body("/teams")["text"].as_str().unwrap().contains(diff));
    assert!(body("/chat")["text"].as_str().unwrap().contains(diff));
}

#[test]
fn failed_deliveries_are_retried_with_backoff_until_they_succeed() {
    let receiver = Receiver::start();
    receiver.script(&[503, 500]);
    let notifier = Notifier::start(
        vec![webhook("hook", &receiver.url("/h"), Format::Json)],
        Duration::from_secs(60),
        fast(),
    );
    notifier.send(drift("list1", "new/"));
    assert!(wait_until(MAX_WAIT, || {
        notifier
            .metrics
            .encode()
            .contains(r#"invsync_notifications_total{webhook="hook",outcome="sent"} 1"#)
    }));
    let bodies = receiver.json();
    assert_eq!(bodies.len(), 3, "two failures, then success");
    assert!(bodies.iter().all(|b| b == &bodies[0]));
}

#[test]
fn a_client_error_is_not_retried() {
    let receiver = Receiver::start();
    receiver.script(&[404]);
    let notifier = Notifier::start(
        vec![webhook("hook", &receiver.url("/h"), Format::Json)],
        Duration::from_secs(60),
        fast(),
    );
    notifier.send(drift("list1", "new/"));
    assert!(wait_until(MAX_WAIT, || {
        notifier
            .metrics
            .encode()
            .contains(r#"invsync_notifications_total{webhook="hook",outcome="failed"} 1"#)
    }));
    assert_eq!(receiver.received().len(), 1);
}

#[test]
fn a_dead_webhook_never_blocks_the_sender_and_its_queue_stays_bounded() {
    // A port that refuses connections, and a receiver that hangs past the POST timeout.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}/hook", dead.local_addr().unwrap());
    drop(dead);
    let slow = Receiver::start();
    slow.delay(Duration::from_secs(5));
    let live = Receiver::start();
    let notifier = Notifier::start(
        vec![
            webhook("dead", &dead_url, Format::Json),
            webhook("slow", &slow.url("/h"), Format::Json),
            webhook("live", &live.url("/h"), Format::Json),
        ],
        Duration::from_secs(60),
        fast(),
    );
    let started = Instant::now();
    for i in 0..50 {
        notifier.send(drift(&format!("list{i}"), "new/"));
    }
    assert!(
        started.elapsed() < Duration::from_millis(50),
        "{:?}",
        started.elapsed()
    );
    // The healthy webhook is not held up by the others; with a queue of 4 it gets at least
    // the first few while the rest are dropped.
    assert!(wait_until(MAX_WAIT, || live.received().len() >= 4));
    assert!(wait_until(MAX_WAIT, || {
        let text = notifier.metrics.encode();
        text.contains(r#"invsync_notifications_total{webhook="dead",outcome="dropped"}"#)
            && text.contains(r#"invsync_notifications_total{webhook="slow",outcome="dropped"}"#)
    }));
    assert!(slow.received().len() <= 2, "{}", slow.received().len());
}

#[test]
fn the_same_drift_is_sent_once_until_it_is_corrected_or_changes() {
    let receiver = Receiver::start();
    let notifier = Notifier::start(
        vec![webhook("hook", &receiver.url("/h"), Format::Json)],
        Duration::from_secs(3600),
        fast(),
    );
    for _ in 0..5 {
        notifier.send(drift("list1", "new/"));
    }
    notifier.send(drift("list1", "newer/"));
    assert!(wait_until(MAX_WAIT, || receiver.received().len() == 2));
    std::thread::sleep(Duration::from_millis(200));
    let bodies = receiver.json();
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert_eq!(bodies[1]["fields"][0]["desired"], "newer/");
    assert!(
        notifier
            .metrics
            .encode()
            .contains(r#"invsync_notifications_total{webhook="hook",outcome="deduplicated"} 4"#)
    );
}

#[test]
fn the_daemon_posts_drift_and_correction_without_secrets_or_the_webhook_token() {
    let emulator = Emulator::start();
    COS.seed(&emulator, "logs", "logs/", false);
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(false, &[("logs", "logs/")]));
    let receiver = Receiver::start();
    let token = "T0001/B0001/webhooktokenSECRET";
    let url = receiver.url(&format!("/services/{token}"));
    // Two webhooks in the variable's comma-separated form.
    let hooks = format!("{},slack={url}", receiver.url("/generic"));
    let process = Process::start_with(
        &emulator,
        &manifests,
        &[],
        &[("INVSYNC_NOTIFY_WEBHOOKS", hooks.as_str())],
    );
    assert!(wait_until(MAX_WAIT, || {
        let generic = receiver
            .received()
            .iter()
            .filter(|r| r.path == "/generic")
            .count();
        generic >= 2
    }));
    let generic: Vec<serde_json::Value> = receiver
        .received()
        .iter()
        .filter(|r| r.path == "/generic")
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    assert_eq!(generic[0]["event"], "drift");
    assert_eq!(generic[0]["fields"][0]["path"], "enabled");
    assert_eq!(generic[1]["event"], "corrected");
    assert_eq!(generic[1]["id"], "logs");
    assert!(
        generic[0]["revision"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    let all: String = receiver.received().iter().map(|r| r.body.clone()).collect();
    assert!(
        !all.contains(COS_KEY) && !all.contains(OSS_KEY),
        "no credentials in payloads"
    );
    assert!(wait_until(MAX_WAIT, || {
        receiver.received().iter().any(|r| r.path.ends_with(token))
    }));
    process.wait_for_log("posting notifications");
    let logs = format!("{:?}", process.logs.lock().unwrap());
    assert!(!logs.contains(token), "the webhook token is never logged");
}

#[test]
fn the_daemon_posts_a_blocked_foreign_configuration_once_with_what_it_does_not_model() {
    let emulator = Emulator::start();
    // Live: an undeclared configuration holding an element no provider API has yet; the
    // manifest prunes, so deleting it would be the plan, and that delete is held back.
    let foreign = COS.live_xml("future", "future/", true).replace(
        "</InventoryConfiguration>",
        "<FutureFeature><Mode>Streaming</Mode></FutureFeature></InventoryConfiguration>",
    );
    emulator
        .handle
        .seed_raw(COS.provider, COS.bucket, &foreign)
        .expect("seeding a foreign configuration");
    let seeded = COS.live_config(&emulator, "future");
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(true, &[("logs", "logs/")]));
    let receiver = Receiver::start();
    let url = receiver.url("/generic");
    let _process = Process::start_with(
        &emulator,
        &manifests,
        &[],
        &[("INVSYNC_NOTIFY_WEBHOOKS", url.as_str())],
    );
    let blocked = || -> Vec<serde_json::Value> {
        receiver
            .json()
            .into_iter()
            .filter(|body| body["event"] == "blocked")
            .collect()
    };
    assert!(wait_until(MAX_WAIT, || !blocked().is_empty()));
    // Further resyncs find it again; de-duplication keeps it to one notification.
    std::thread::sleep(Duration::from_millis(2500));
    let blocked = blocked();
    assert_eq!(blocked.len(), 1, "{blocked:?}");
    assert_eq!(blocked[0]["id"], "future");
    let text = blocked[0].to_string();
    assert!(text.contains("FutureFeature"), "{text}");
    assert!(text.contains("delete held back"), "{text}");
    assert_eq!(
        COS.live_config(&emulator, "future"),
        seeded,
        "the foreign configuration is untouched"
    );
}

/// The token part of every webhook URL below; it must never be printed.
const TOKEN: &str = "T00/B00/XXXXwebhookTOKENxxxx";

/// A directory with one valid manifest, for daemons that must fail before reading it.
fn some_manifests() -> Manifests {
    let manifests = Manifests::new();
    manifests.write("cos.yaml", &COS.manifest(false, &[("logs", "logs/")]));
    manifests
}

/// Asserts a start that failed with exit 1, mentions `expected` and never the token.
fn failed_without_token(result: (Option<i32>, String), expected: &str) {
    let (code, output) = result;
    assert_eq!(code, Some(1), "{output}");
    assert!(output.contains(expected), "{output}");
    assert!(!output.contains("XXXXwebhookTOKEN"), "{output}");
}

/// `invsync run --notify-config FILE`, which must fail at start.
fn start_with_notify_config(
    manifests: &Manifests,
    file: &std::path::Path,
) -> (Option<i32>, String) {
    process::run_start_failure(manifests, &["--notify-config", file.to_str().unwrap()], &[])
}

#[test]
fn a_webhook_flag_without_a_scheme_is_refused_without_printing_the_url() {
    let manifests = some_manifests();
    for value in [
        format!("hooks.slack.example/services/{TOKEN}?x"),
        format!("hooks.slack.example/services/{TOKEN}?x=1"),
        format!("slack=hooks.slack.example/services/{TOKEN}?x=1"),
        format!("slack:x=https://hooks.slack.example/services/{TOKEN}"),
    ] {
        failed_without_token(
            process::run_start_failure(&manifests, &["--notify-webhook", &value], &[]),
            "--notify-webhook #1",
        );
        failed_without_token(
            process::run_start_failure(&manifests, &[], &[("INVSYNC_NOTIFY_WEBHOOKS", &value)]),
            "--notify-webhook #1",
        );
    }
}

#[test]
fn a_malformed_notify_config_names_file_line_and_field_but_never_the_url() {
    let manifests = some_manifests();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notify.yaml");
    let url = format!("https://hooks.slack.com/services/{TOKEN}");
    for (text, expected) in [
        // YAML syntax error next to the URL.
        (
            format!("webhooks:\n  - url: {url}\n    format: [slack\n"),
            "invalid YAML",
        ),
        // Unknown key.
        (
            format!("webhooks:\n  - url: {url}\n    fromat: slack\n"),
            "line 3: webhooks[0].fromat: unknown field",
        ),
        // Bad format: the URL where the format belongs.
        (
            format!("webhooks:\n  - url: x\n    format: {url}\n"),
            "line 3: webhooks[0].format: is not one of",
        ),
        // The URL where a webhook mapping belongs.
        (format!("webhooks:\n  - {url}\n"), "line 2: webhooks[0]"),
        // A URL without a scheme.
        (
            format!("webhooks:\n  - url: hooks.slack.com/services/{TOKEN}\n"),
            "webhooks[0].url: the webhook URL is not a URL",
        ),
    ] {
        std::fs::write(&file, &text).unwrap();
        let result = start_with_notify_config(&manifests, &file);
        assert!(result.1.contains("notify.yaml"), "{}", result.1);
        failed_without_token(result, expected);
    }
}

#[test]
fn a_fifo_or_a_device_as_notify_config_or_url_file_fails_the_start_at_once() {
    let manifests = some_manifests();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    e2e::mkfifo(&fifo);
    failed_without_token(
        start_with_notify_config(&manifests, &fifo),
        "is a FIFO, not a regular file",
    );
    let config = dir.path().join("notify.yaml");
    for (url_file, expected) in [
        (fifo.to_str().unwrap(), "is a FIFO, not a regular file"),
        ("/dev/zero", "is a character device, not a regular file"),
    ] {
        std::fs::write(
            &config,
            format!("webhooks:\n  - name: team\n    urlFile: {url_file}\n"),
        )
        .unwrap();
        let started = Instant::now();
        let result = start_with_notify_config(&manifests, &config);
        assert!(result.1.contains("webhooks[0].urlFile"), "{}", result.1);
        failed_without_token(result, expected);
        assert!(started.elapsed() < MAX_WAIT);
    }
}
