//! The status board: what it lists, the delivery events it sends and the series it keeps.

use std::time::{Duration, SystemTime};

use tokio::sync::mpsc;

use super::board::StatusBoard;
use super::condition::ConditionStatus;
use crate::metrics::Metrics;
use crate::model::{BucketKey, Delivery, DeliveryHealth, DeliveryState, Provider, Readiness};
use crate::plan::BucketPlan;
use crate::reconcile::{Applied, DeliveryEventKind, Reconciled, RunEvent};

fn key(bucket: &str) -> BucketKey {
    BucketKey {
        provider: Provider::S3,
        bucket: bucket.into(),
        region: "us-east-1".into(),
    }
}

fn t(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_000_000 + secs)
}

fn in_sync(bucket: &str, ids: &[&str]) -> Reconciled {
    Reconciled {
        result: Ok(Applied::InSync),
        plan: Some(BucketPlan {
            key: key(bucket),
            changes: Vec::new(),
            in_sync: ids.iter().map(|s| s.to_string()).collect(),
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
    }
}

fn health(readiness: Readiness, state: DeliveryState) -> DeliveryHealth {
    DeliveryHealth {
        readiness,
        state,
        last: Some(Delivery {
            folder: "inv/".into(),
            made_at: t(0),
            files: 1,
        }),
        next_due: Some(t(86_400)),
        problem: None,
    }
}

fn not_ready() -> Readiness {
    Readiness::NotReady {
        problem: "no grant".into(),
        fix: Some("{\"Effect\":\"Allow\"}".into()),
    }
}

fn kinds(events: &mut mpsc::UnboundedReceiver<RunEvent>) -> Vec<DeliveryEventKind> {
    let mut kinds = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let RunEvent::Delivery(delivery) = event {
            kinds.push(delivery.kind);
        }
    }
    kinds
}

#[test]
fn the_snapshot_lists_reconciled_buckets_sorted_with_the_revision_in_force() {
    let board = StatusBoard::new();
    board.set_revision("r2");
    board.record_reconcile(&key("zeta"), &in_sync("zeta", &["b", "a"]), "r2", t(0));
    board.record_reconcile(&key("alpha"), &in_sync("alpha", &[]), "r1", t(0));
    let document = board.snapshot();
    assert_eq!(document.revision, "r2");
    let names: Vec<&str> = document.buckets.iter().map(|b| b.bucket.as_str()).collect();
    assert_eq!(names, ["alpha", "zeta"]);
    let ids: Vec<&str> = document.buckets[1]
        .configurations
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(document.buckets[0].conditions[0].observed_revision, "r1");
    assert!(board.bucket("s3", "zeta").is_some());
    assert!(board.bucket("cos", "zeta").is_none());
    board.remove(&key("zeta"));
    assert_eq!(board.snapshot().buckets.len(), 1);
}

#[test]
fn health_recorded_before_the_first_reconcile_shows_from_then_on() {
    let board = StatusBoard::new();
    board.record_delivery(
        &key("logs"),
        "daily",
        health(Readiness::Ready, DeliveryState::Overdue),
        t(0),
    );
    assert!(board.snapshot().buckets.is_empty());
    board.record_reconcile(&key("logs"), &in_sync("logs", &["daily"]), "r1", t(1));
    let status = board.bucket("s3", "logs").expect("listed");
    assert_eq!(
        status.configurations[0].conditions[0].reason,
        "ReportOverdue"
    );
}

#[test]
fn a_transition_time_stays_while_a_new_reconcile_finds_the_same() {
    let board = StatusBoard::new();
    board.record_reconcile(&key("logs"), &in_sync("logs", &["daily"]), "r1", t(0));
    board.record_reconcile(&key("logs"), &in_sync("logs", &["daily"]), "r2", t(300));
    let status = board.bucket("s3", "logs").expect("listed");
    assert_eq!(status.conditions[0].last_transition_time, t(0));
    assert_eq!(status.conditions[0].observed_revision, "r2");
    board.record_delivery(
        &key("logs"),
        "daily",
        health(not_ready(), DeliveryState::Overdue),
        t(600),
    );
    let status = board.bucket("s3", "logs").expect("listed");
    assert_eq!(status.conditions[0].status, ConditionStatus::False);
    assert_eq!(status.conditions[0].last_transition_time, t(600));
}

#[test]
fn delivery_events_are_sent_once_per_change_and_recovery_only_after_a_problem() {
    let (sender, mut events) = mpsc::unbounded_channel();
    let board = StatusBoard::new().with_events(sender);
    let logs = key("logs");
    board.record_reconcile(&logs, &in_sync("logs", &["daily"]), "r1", t(0));
    let on_time = || health(Readiness::Ready, DeliveryState::OnTime);
    board.record_delivery(&logs, "daily", on_time(), t(1));
    assert_eq!(kinds(&mut events), [], "on time from the start is no news");
    board.record_delivery(
        &logs,
        "daily",
        health(not_ready(), DeliveryState::Pending),
        t(2),
    );
    board.record_delivery(
        &logs,
        "daily",
        health(not_ready(), DeliveryState::Pending),
        t(3),
    );
    board.record_delivery(
        &logs,
        "daily",
        health(not_ready(), DeliveryState::Overdue),
        t(4),
    );
    assert_eq!(kinds(&mut events), [DeliveryEventKind::DestinationNotReady]);
    board.record_delivery(
        &logs,
        "daily",
        health(Readiness::Ready, DeliveryState::Overdue),
        t(5),
    );
    board.record_delivery(
        &logs,
        "daily",
        health(Readiness::Ready, DeliveryState::Invalid),
        t(6),
    );
    board.record_delivery(&logs, "daily", on_time(), t(7));
    board.record_delivery(&logs, "daily", on_time(), t(8));
    assert_eq!(
        kinds(&mut events),
        [
            DeliveryEventKind::ReportOverdue,
            DeliveryEventKind::ReportInvalid,
            DeliveryEventKind::Delivered
        ]
    );
}

#[test]
fn a_delivery_event_carries_the_fix() {
    let (sender, mut events) = mpsc::unbounded_channel();
    let board = StatusBoard::new().with_events(sender);
    let logs = key("logs");
    board.record_reconcile(&logs, &in_sync("logs", &["daily"]), "r1", t(0));
    board.record_delivery(
        &logs,
        "daily",
        health(not_ready(), DeliveryState::Pending),
        t(1),
    );
    let Ok(RunEvent::Delivery(event)) = events.try_recv() else {
        panic!("no delivery event")
    };
    assert_eq!(event.id, "daily");
    assert!(
        event.message.contains("{\"Effect\":\"Allow\"}"),
        "{}",
        event.message
    );
}

#[test]
fn series_of_configurations_no_longer_listed_and_of_removed_buckets_are_dropped() {
    let metrics = Metrics::new();
    let board = StatusBoard::new().with_metrics(metrics.clone());
    let logs = key("logs");
    board.record_reconcile(&logs, &in_sync("logs", &["daily", "weekly"]), "r1", t(0));
    for id in ["daily", "weekly"] {
        board.record_delivery(
            &logs,
            id,
            health(Readiness::Ready, DeliveryState::OnTime),
            t(1),
        );
    }
    let series = |text: &str, config: &str| {
        text.lines()
            .filter(|l| {
                l.starts_with("invsync_report_") && l.contains(&format!("config=\"{config}\""))
            })
            .count()
    };
    let text = metrics.encode();
    assert_eq!(series(&text, "daily"), 6, "{text}");
    board.record_reconcile(&logs, &in_sync("logs", &["daily"]), "r2", t(2));
    let text = metrics.encode();
    assert_eq!(series(&text, "weekly"), 0, "{text}");
    assert_eq!(series(&text, "daily"), 6, "{text}");
    board.remove(&logs);
    assert_eq!(series(&metrics.encode(), "daily"), 0);
}
