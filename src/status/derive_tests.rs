//! One test per row of the situations table in the module doc of [`super`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::condition::{ConditionStatus as S, ConditionType};
use super::derive::derive;
use super::sync::{BucketSync, ConfigSync};
use super::view::BucketStatus;
use crate::model::{BucketKey, Delivery, DeliveryHealth, DeliveryState, Provider, Readiness};
use crate::plan::{Action, BucketPlan, Change, OnceState};
use crate::provider::{Operation, ProviderError};
use crate::reconcile::{Applied, ReconcileError, Reconciled};

fn key() -> BucketKey {
    BucketKey {
        provider: Provider::S3,
        bucket: "logs".into(),
        region: "us-east-1".into(),
    }
}

fn t(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_000_000 + secs)
}

fn one(sync: ConfigSync, health: Option<DeliveryHealth>) -> BucketStatus {
    let sync = BucketSync {
        fault: None,
        configs: BTreeMap::from([("daily".to_string(), sync)]),
    };
    let health: BTreeMap<String, DeliveryHealth> = health
        .into_iter()
        .map(|h| ("daily".to_string(), h))
        .collect();
    derive(&key(), &sync, &health, None, "rev1", t(0))
}

/// (Ready, Reconciling, Stalled) statuses and the Ready reason of the configuration, and the
/// same of the bucket.
fn summary(status: &BucketStatus) -> ([S; 3], String, [S; 3], String) {
    let of = |conditions: &[super::Condition]| {
        let statuses = [
            conditions[0].status,
            conditions[1].status,
            conditions[2].status,
        ];
        assert_eq!(
            conditions.iter().map(|c| c.type_).collect::<Vec<_>>(),
            ConditionType::ALL
        );
        (statuses, conditions[0].reason.clone())
    };
    let (config, config_reason) = of(&status.configurations[0].conditions);
    let (bucket, bucket_reason) = of(&status.conditions);
    (config, config_reason, bucket, bucket_reason)
}

fn health(readiness: Readiness, state: DeliveryState, last: Option<u64>) -> DeliveryHealth {
    DeliveryHealth {
        readiness,
        state,
        last: last.map(|at| Delivery {
            folder: "inv/logs/daily/2026-12-01T00-00Z/".into(),
            made_at: t(at),
            files: 1,
        }),
        next_due: Some(t(86_400)),
        problem: match state {
            DeliveryState::Overdue => Some("no report since the last one".into()),
            DeliveryState::Invalid => Some("manifest.checksum does not match".into()),
            _ => None,
        },
    }
}

fn ready_config(status: &BucketStatus) -> &super::Condition {
    &status.configurations[0].conditions[0]
}

#[test]
fn in_sync_without_delivery_checks_is_ready_in_sync() {
    let (config, reason, bucket, bucket_reason) = summary(&one(ConfigSync::InSync, None));
    assert_eq!(
        (config, reason.as_str()),
        ([S::True, S::False, S::False], "InSync")
    );
    assert_eq!(
        (bucket, bucket_reason.as_str()),
        ([S::True, S::False, S::False], "InSync")
    );
}

#[test]
fn in_sync_and_delivered_on_time_is_ready_delivered_with_the_time() {
    let status = one(
        ConfigSync::InSync,
        Some(health(Readiness::Ready, DeliveryState::OnTime, Some(10))),
    );
    let (config, reason, bucket, _) = summary(&status);
    assert_eq!(
        (config, reason.as_str()),
        ([S::True, S::False, S::False], "Delivered")
    );
    assert_eq!(bucket[0], S::True);
    assert!(
        ready_config(&status).message.contains("2026-"),
        "{}",
        ready_config(&status).message
    );
    let delivery = status.configurations[0]
        .delivery
        .as_ref()
        .expect("delivery shown");
    assert_eq!(delivery.state, "on_time");
    assert_eq!(delivery.readiness.state, "ready");
    assert_eq!(delivery.last_delivered, Some(t(10)));
}

#[test]
fn in_sync_awaiting_the_first_report_is_ready() {
    let status = one(
        ConfigSync::InSync,
        Some(health(Readiness::Ready, DeliveryState::Pending, None)),
    );
    assert_eq!(summary(&status).1, "AwaitingFirstReport");
    assert_eq!(summary(&status).0, [S::True, S::False, S::False]);
}

#[test]
fn drifted_is_reconciling_and_not_ready() {
    let (config, reason, bucket, bucket_reason) =
        summary(&one(ConfigSync::Drifted { action: "update" }, None));
    assert_eq!(
        (config, reason.as_str()),
        ([S::False, S::True, S::False], "Drifted")
    );
    assert_eq!(
        (bucket, bucket_reason.as_str()),
        ([S::False, S::True, S::False], "Drifted")
    );
}

#[test]
fn held_writes_are_reconciling() {
    let (config, reason, ..) = summary(&one(ConfigSync::Held { action: "delete" }, None));
    assert_eq!(
        (config, reason.as_str()),
        ([S::False, S::True, S::False], "Drifted")
    );
}

#[test]
fn observe_mode_with_drift_is_not_ready_and_not_reconciling() {
    let (config, reason, bucket, _) =
        summary(&one(ConfigSync::Observed { action: "create" }, None));
    assert_eq!(
        (config, reason.as_str()),
        ([S::False, S::False, S::False], "DriftObserved")
    );
    assert_eq!(bucket, [S::False, S::False, S::False]);
}

#[test]
fn blocked_by_a_foreign_configuration_is_stalled_with_the_way_out() {
    let status = one(
        ConfigSync::Blocked {
            unmodelled: vec!["IncrementalInventory".into()],
            way_out: "upgrade invsync",
        },
        None,
    );
    let (config, reason, bucket, bucket_reason) = summary(&status);
    assert_eq!(
        (config, reason.as_str()),
        ([S::False, S::False, S::True], "BlockedByForeign")
    );
    assert_eq!(
        (bucket, bucket_reason.as_str()),
        ([S::False, S::False, S::True], "BlockedByForeign")
    );
    assert!(status.conditions[2].message.starts_with("daily: "));
    assert!(status.conditions[2].message.contains("upgrade invsync"));
}

#[test]
fn a_refused_plan_is_stalled() {
    let (config, reason, ..) = summary(&one(
        ConfigSync::Refused {
            reason: "would delete 11".into(),
        },
        None,
    ));
    assert_eq!(
        (config, reason.as_str()),
        ([S::False, S::False, S::True], "PlanRefused")
    );
}

#[test]
fn a_transient_write_failure_is_reconciling_with_backoff() {
    let (config, reason, ..) = summary(&one(
        ConfigSync::Failed {
            reason: "503".into(),
            refused: false,
        },
        None,
    ));
    assert_eq!(
        (config, reason.as_str()),
        ([S::False, S::True, S::False], "RetryingAfterError")
    );
}

#[test]
fn a_refused_write_is_stalled() {
    let (config, reason, ..) = summary(&one(
        ConfigSync::Failed {
            reason: "403".into(),
            refused: true,
        },
        None,
    ));
    assert_eq!(
        (config, reason.as_str()),
        ([S::False, S::False, S::True], "WriteRefused")
    );
}

#[test]
fn a_perpetual_diff_is_stalled_not_converging() {
    let (config, reason, ..) = summary(&one(ConfigSync::NotConverging, None));
    assert_eq!(
        (config, reason.as_str()),
        ([S::False, S::False, S::True], "NotConverging")
    );
}

#[test]
fn a_destination_not_ready_is_stalled_with_the_fix_in_the_message() {
    let status = one(
        ConfigSync::InSync,
        Some(health(
            Readiness::NotReady {
                problem: "bucket policy grants s3.amazonaws.com no s3:PutObject".into(),
                fix: Some("{\"Effect\":\"Allow\"}".into()),
            },
            DeliveryState::Overdue,
            None,
        )),
    );
    let (config, reason, bucket, _) = summary(&status);
    assert_eq!(
        (config, reason.as_str()),
        ([S::False, S::False, S::True], "DestinationNotReady")
    );
    assert_eq!(bucket, [S::False, S::False, S::True]);
    assert!(
        ready_config(&status)
            .message
            .contains("{\"Effect\":\"Allow\"}")
    );
    let readiness = &status.configurations[0]
        .delivery
        .as_ref()
        .unwrap()
        .readiness;
    assert_eq!(readiness.state, "not_ready");
    assert!(readiness.fix.is_some());
}

#[test]
fn an_overdue_report_is_not_ready_report_overdue() {
    let status = one(
        ConfigSync::InSync,
        Some(health(Readiness::Ready, DeliveryState::Overdue, Some(0))),
    );
    let (config, reason, bucket, bucket_reason) = summary(&status);
    assert_eq!(
        (config, reason.as_str()),
        ([S::False, S::False, S::False], "ReportOverdue")
    );
    assert_eq!(
        (bucket, bucket_reason.as_str()),
        ([S::False, S::False, S::False], "ReportOverdue")
    );
    assert!(ready_config(&status).message.contains("last delivered at"));
}

#[test]
fn an_invalid_report_is_not_ready_report_invalid() {
    let status = one(
        ConfigSync::InSync,
        Some(health(Readiness::Ready, DeliveryState::Invalid, Some(0))),
    );
    assert_eq!(summary(&status).1, "ReportInvalid");
    assert!(ready_config(&status).message.contains("checksum"));
}

#[test]
fn reports_not_looked_at_are_unknown() {
    let status = one(
        ConfigSync::InSync,
        Some(health(
            Readiness::NotChecked {
                reason: "403 on the policy".into(),
            },
            DeliveryState::Unknown,
            None,
        )),
    );
    let (config, reason, bucket, _) = summary(&status);
    assert_eq!(
        (config, reason.as_str()),
        ([S::Unknown, S::False, S::False], "ReportsNotChecked")
    );
    assert_eq!(bucket[0], S::Unknown);
}

#[test]
fn a_destination_not_checked_without_reports_yet_is_unknown_never_ready() {
    let status = one(
        ConfigSync::InSync,
        Some(health(
            Readiness::NotChecked {
                reason: "403 on the policy".into(),
            },
            DeliveryState::Pending,
            None,
        )),
    );
    assert_eq!(summary(&status).0[0], S::Unknown);
    assert_eq!(summary(&status).1, "DestinationNotChecked");
}

#[test]
fn unread_live_state_is_unknown() {
    let (config, reason, ..) = summary(&one(
        ConfigSync::Unread {
            reason: "timeout".into(),
        },
        None,
    ));
    assert_eq!(
        (config, reason.as_str()),
        ([S::Unknown, S::False, S::False], "NotChecked")
    );
}

#[test]
fn once_configurations_follow_their_state() {
    assert_eq!(
        summary(&one(ConfigSync::Once(OnceState::Pending), None)).0[0],
        S::True
    );
    assert_eq!(
        summary(&one(ConfigSync::Once(OnceState::PendingDifferent), None)).1,
        "OnceDiffers"
    );
    assert_eq!(
        summary(&one(ConfigSync::Once(OnceState::NotLive), None)).0[0],
        S::True
    );
}

#[test]
fn a_drift_comes_before_delivery_health() {
    let status = one(
        ConfigSync::Drifted { action: "update" },
        Some(health(Readiness::Ready, DeliveryState::Overdue, Some(0))),
    );
    assert_eq!(summary(&status).1, "Drifted");
}

#[test]
fn the_worst_configuration_names_the_bucket_reason() {
    let sync = BucketSync {
        fault: None,
        configs: BTreeMap::from([
            ("a".to_string(), ConfigSync::Drifted { action: "create" }),
            ("b".to_string(), ConfigSync::InSync),
            ("c".to_string(), ConfigSync::NotConverging),
        ]),
    };
    let status = derive(&key(), &sync, &BTreeMap::new(), None, "rev1", t(0));
    assert_eq!(status.conditions[0].reason, "NotConverging");
    assert_eq!(status.conditions[2].status, S::True);
    assert!(status.conditions[2].message.starts_with("c: "));
}

#[test]
fn a_transition_time_changes_only_when_the_status_changes() {
    let sync = |state| BucketSync {
        fault: None,
        configs: BTreeMap::from([("daily".to_string(), state)]),
    };
    let none = BTreeMap::new();
    let first = derive(&key(), &sync(ConfigSync::InSync), &none, None, "r1", t(0));
    let again = derive(
        &key(),
        &sync(ConfigSync::InSync),
        &none,
        Some(&first),
        "r2",
        t(60),
    );
    assert_eq!(again.conditions[0].last_transition_time, t(0));
    assert_eq!(
        again.configurations[0].conditions[0].last_transition_time,
        t(0)
    );
    assert_eq!(again.conditions[0].observed_revision, "r2");
    let drifted = derive(
        &key(),
        &sync(ConfigSync::Drifted { action: "update" }),
        &none,
        Some(&again),
        "r3",
        t(120),
    );
    assert_eq!(drifted.conditions[0].last_transition_time, t(120));
    assert_eq!(
        drifted.conditions[2].last_transition_time,
        t(0),
        "Stalled stayed False"
    );
}

fn plan(changes: Vec<Change>, in_sync: &[&str]) -> BucketPlan {
    BucketPlan {
        key: key(),
        changes,
        in_sync: in_sync.iter().map(|s| s.to_string()).collect(),
        unmanaged: vec!["theirs".into()],
        blocked: Vec::new(),
        once: Vec::new(),
        refusal: None,
        observe: false,
        observed: Vec::new(),
        skipped: Vec::new(),
    }
}

fn change(id: &str) -> Change {
    Change {
        action: Action::Update,
        key: key(),
        id: id.into(),
        before: None,
        after: None,
        overwrites: None,
    }
}

#[test]
fn a_converged_reconcile_makes_its_writes_in_sync_and_lists_no_unmanaged_ids() {
    let reconciled = Reconciled {
        result: Ok(Applied::Converged),
        plan: Some(plan(vec![change("a")], &["b"])),
        written: vec![change("a")],
        failures: Vec::new(),
    };
    let sync = BucketSync::from_reconciled(&reconciled, &[]);
    assert_eq!(sync.fault, None);
    assert_eq!(
        sync.configs.keys().collect::<Vec<_>>(),
        ["a", "b"],
        "unmanaged ids are not invsync's"
    );
    assert!(sync.configs.values().all(|s| *s == ConfigSync::InSync));
}

#[test]
fn a_failed_write_is_told_by_its_error_kind() {
    let refused = Arc::new(request_error());
    let reconciled = Reconciled {
        result: Err(ReconcileError::Apply {
            id: "a".into(),
            failed: 1,
            total: 1,
            source: Arc::clone(&refused),
        }),
        plan: Some(plan(vec![change("a")], &[])),
        written: Vec::new(),
        failures: vec![(change("a"), refused)],
    };
    let sync = BucketSync::from_reconciled(&reconciled, &[]);
    assert!(matches!(
        sync.configs["a"],
        ConfigSync::Failed { refused: true, .. }
    ));
    let fault = sync.fault.expect("the bucket carries the fault");
    assert!(fault.stalled);
    assert_eq!(fault.reason, "RequestRefused");
}

#[test]
fn an_unread_bucket_keeps_its_known_ids_as_unknown() {
    let error = ProviderError::Transport {
        provider: Provider::S3,
        operation: Operation::List,
        bucket: "logs".into(),
        message: "connection failed".into(),
        source: None,
    };
    let reconciled = Reconciled::failed(ReconcileError::ListLive {
        source: Arc::new(error),
    });
    let known = vec!["daily".to_string()];
    let sync = BucketSync::from_reconciled(&reconciled, &known);
    assert!(matches!(sync.configs["daily"], ConfigSync::Unread { .. }));
    let status = derive(&key(), &sync, &BTreeMap::new(), None, "r", t(0));
    assert_eq!(
        status.conditions[1].status,
        S::True,
        "retrying: Reconciling"
    );
    assert_eq!(status.conditions[0].reason, "RetryingAfterError");
}

#[test]
fn a_plan_in_observe_mode_reports_drift_observed() {
    let mut observed = plan(vec![change("a")], &[]);
    observed.observe = true;
    let sync = BucketSync::from_plan(&observed);
    assert_eq!(sync.configs["a"], ConfigSync::Observed { action: "update" });
}

/// An error of the kind the daemon stops retrying (a request that cannot be built).
fn request_error() -> ProviderError {
    ProviderError::Request {
        provider: Provider::S3,
        operation: Operation::Put,
        bucket: "logs".into(),
        message: "no credentials".into(),
        source: None,
    }
}
