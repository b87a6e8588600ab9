//! Is the inventory delivered? Against the emulator: `plan` shows a destination without the
//! service's grant as not ready, with the statement to add, and `apply
//! --require-ready-destination` writes nothing there; the daemon, on the emulator's clock,
//! finds that destination's report overdue, and the configuration `Ready` with its last
//! delivery once the grant is added and the next report arrives, reading each configuration's
//! reports once per schedule period, not once per pass.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use invsync::delivery::DEFAULT_GRACE;
use invsync::emulator::ObjectCall;
use invsync::model::Provider;
use invsync::provider::Operation;
use invsync::reconcile::DeliveryWatch;
use invsync::status::{ConfigStatus, StatusBoard};
use serde_json::Value;

use crate::support::daemon::{Daemon, MAX_WAIT, metric, wait_until};
use crate::support::e2e::{Emulator, Manifests, assert_exit, invsync, stdout};

const DAY: Duration = Duration::from_secs(86_400);

const MANIFEST: &str = r#"apiVersion: invsync/v1
kind: BucketInventory
metadata: {name: logs}
spec:
  provider: s3
  bucket: logs-src
  region: us-east-1
  expectedBucketOwner: "123456789012"
  inventories:
    - id: daily
      includedObjectVersions: Current
      schedule: {frequency: Daily}
      destination:
        bucket: arn:aws:s3:::inventory-reports
        accountId: "123456789012"
        prefix: inv
        format: CSV
"#;

/// The destination bucket policy S3's inventory documentation asks for, for this source.
const GRANT: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"InventoryExamplePolicy",
  "Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"s3:PutObject",
  "Resource":["arn:aws:s3:::inventory-reports/*"],
  "Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::logs-src"},
  "StringEquals":{"aws:SourceAccount":"123456789012","s3:x-amz-acl":"bucket-owner-full-control"}}}]}"#;

/// The emulator with the source (one object) and an empty destination without a policy.
fn fleet() -> (Emulator, Manifests) {
    let emulator = Emulator::start();
    for bucket in ["logs-src", "inventory-reports"] {
        emulator
            .handle
            .create_bucket(Provider::S3, bucket, Some("us-east-1"), &[])
            .unwrap();
    }
    emulator
        .handle
        .put_object(Provider::S3, "logs-src", "logs/a.txt", b"hello")
        .unwrap();
    let manifests = Manifests::new();
    manifests.write("s3/logs.yaml", MANIFEST);
    (emulator, manifests)
}

fn grant(emulator: &Emulator) {
    emulator
        .handle
        .set_bucket_policy(Provider::S3, "inventory-reports", Some(GRANT))
        .unwrap();
}

fn plan_destinations(emulator: &Emulator, manifests: &Manifests) -> Vec<Value> {
    let dir = manifests.path().to_str().unwrap();
    let output = invsync(emulator, &["plan", "--manifests", dir, "--output", "json"]);
    assert_exit(&output, 0);
    let plan: Value = serde_json::from_slice(&output.stdout).unwrap();
    plan["destinations"].as_array().cloned().unwrap_or_default()
}

#[test]
fn plan_shows_a_destination_without_the_grant_as_not_ready_with_the_statement_and_ready_once_added()
{
    let (emulator, manifests) = fleet();
    let dir = manifests.path().to_str().unwrap();

    let output = invsync(&emulator, &["plan", "--manifests", dir]);
    assert_exit(&output, 0);
    let text = stdout(&output);
    assert!(
        text.contains("s3://logs-src") && text.contains("daily: destination not ready:"),
        "{text}"
    );
    for part in ["s3.amazonaws.com", "s3:PutObject", "arn:aws:s3:::logs-src"] {
        assert!(
            text.contains(part),
            "the statement to add names {part}: {text}"
        );
    }
    let found = plan_destinations(&emulator, &manifests);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["state"], "not_ready");
    assert!(
        found[0]["fix"]
            .as_str()
            .unwrap()
            .contains("aws:SourceAccount")
    );
    assert_eq!(
        emulator
            .handle
            .stats()
            .object_calls(Provider::S3, ObjectCall::GetPolicy),
        2,
        "one policy read per plan"
    );

    grant(&emulator);
    let found = plan_destinations(&emulator, &manifests);
    assert_eq!(found[0]["state"], "ready", "{found:?}");
    let output = invsync(&emulator, &["plan", "--manifests", dir]);
    assert!(
        !stdout(&output).contains("destination not"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn apply_requiring_a_ready_destination_writes_nothing_until_the_grant_is_there() {
    let (emulator, manifests) = fleet();
    let dir = manifests.path().to_str().unwrap();
    let strict = ["apply", "--manifests", dir, "--require-ready-destination"];

    let output = invsync(&emulator, &strict);
    assert_exit(&output, 1);
    assert!(
        stdout(&output).contains("nothing written: a configuration's destination is not ready"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        emulator.handle.stats().calls(Provider::S3, Operation::Put),
        0
    );
    assert!(emulator.handle.configs(Provider::S3, "logs-src").is_empty());

    grant(&emulator);
    assert_exit(&invsync(&emulator, &strict), 0);
    assert_eq!(emulator.handle.configs(Provider::S3, "logs-src").len(), 1);
}

/// The configuration's status on `board`, once there is one with delivery health.
fn config_status(board: &StatusBoard) -> Option<ConfigStatus> {
    let bucket = board.bucket("s3", "logs-src")?;
    bucket
        .configurations
        .into_iter()
        .find(|c| c.id == "daily" && c.delivery.is_some())
}

fn delivery_state(board: &StatusBoard) -> Option<String> {
    config_status(board).and_then(|c| c.delivery.map(|d| d.state))
}

fn ready_reason(board: &StatusBoard) -> Option<(String, String)> {
    let ready = config_status(board)?.conditions.into_iter().next()?;
    Some((format!("{:?}", ready.status), ready.reason))
}

#[test]
fn the_daemon_finds_the_report_overdue_without_the_grant_and_delivered_once_it_is_added() {
    let (emulator, manifests) = fleet();
    let clock = emulator.handle.clock();
    let slot: Arc<Mutex<Option<StatusBoard>>> = Arc::default();
    let board_slot = Arc::clone(&slot);
    let daemon = Daemon::start(&emulator, manifests.path(), move |config| {
        let board = StatusBoard::new().with_metrics(config.context.metrics.clone());
        *board_slot.lock().unwrap() = Some(board.clone());
        config.outcomes = Some(Arc::new(board));
        config.delivery = Some(DeliveryWatch::new(DEFAULT_GRACE).with_clock(clock));
    });
    let board = slot.lock().unwrap().clone().unwrap();
    let series = |state: &str| {
        format!(
            r#"invsync_report_delivery_state{{provider="s3",bucket="logs-src",config="daily",state="{state}"}}"#
        )
    };

    // Written, then checked at once: no report yet, none late, the destination not ready.
    assert!(
        wait_until(MAX_WAIT, || delivery_state(&board).as_deref()
            == Some("pending")),
        "{:?}",
        board.snapshot()
    );
    let status = config_status(&board).unwrap();
    let delivery = status.delivery.unwrap();
    assert_eq!(delivery.readiness.state, "not_ready");
    assert_eq!(
        ready_reason(&board).unwrap().1,
        "DestinationNotReady",
        "{:?}",
        status.conditions
    );

    // Four days on, the service was refused every day: the report is overdue.
    emulator.handle.advance_clock(4 * DAY);
    assert!(
        wait_until(MAX_WAIT, || delivery_state(&board).as_deref()
            == Some("overdue")),
        "{:?}",
        board.snapshot()
    );
    assert!(
        wait_until(MAX_WAIT, || metric(
            &daemon.metrics_text(),
            &series("overdue")
        ) == Some(1.0)),
        "{}",
        daemon.metrics_text()
    );
    assert!(
        emulator
            .handle
            .object_keys(Provider::S3, "inventory-reports")
            .is_empty()
    );

    // The grant is added; the next day's report arrives and is found, valid.
    grant(&emulator);
    emulator.handle.advance_clock(DAY);
    assert!(
        wait_until(MAX_WAIT, || delivery_state(&board).as_deref()
            == Some("on_time")),
        "{:?}",
        board.snapshot()
    );
    let (status, reason) = ready_reason(&board).unwrap();
    assert_eq!((status.as_str(), reason.as_str()), ("True", "Delivered"));
    let delivered = config_status(&board).unwrap().delivery.unwrap();
    assert!(delivered.last_delivered.is_some() && delivered.next_due.is_some());
    let text = daemon.metrics_text();
    assert_eq!(metric(&text, &series("on_time")), Some(1.0), "{text}");
    assert_eq!(metric(&text, &series("overdue")), Some(0.0), "{text}");
    let age = r#"invsync_report_age_seconds{provider="s3",bucket="logs-src",config="daily"}"#;
    assert!(metric(&text, age).is_some(), "{text}");

    // Steady state: resyncs keep listing the inventory, but the reports are not read again
    // before a schedule period has passed.
    emulator.handle.reset_stats();
    let lists = |e: &Emulator| e.handle.stats().calls(Provider::S3, Operation::List);
    assert!(wait_until(MAX_WAIT, || lists(&emulator) >= 3));
    let stats = emulator.handle.stats();
    for call in [
        ObjectCall::GetPolicy,
        ObjectCall::ListObjects,
        ObjectCall::GetObject,
    ] {
        assert_eq!(
            stats.object_calls(Provider::S3, call),
            0,
            "{call:?}: {stats:?}"
        );
    }
    daemon.stop().0.unwrap();
}
