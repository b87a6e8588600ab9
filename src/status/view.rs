//! The status document as `GET /status` serves it and `invsync status` reads it.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::condition::{Condition, ConditionStatus, ConditionType, find, rfc3339_opt};
use crate::model::{DeliveryHealth, Readiness};

/// Every bucket the daemon reconciles, at the revision in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusDocument {
    /// The manifests revision in force.
    pub revision: String,
    /// Sorted by provider, then bucket.
    pub buckets: Vec<BucketStatus>,
}

/// One bucket's conditions and its configurations'.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketStatus {
    /// `cos`, `oss` or `s3`.
    pub provider: String,
    /// The bucket's name.
    pub bucket: String,
    /// Its region.
    pub region: String,
    /// `Ready`, `Reconciling`, `Stalled`, in that order.
    pub conditions: Vec<Condition>,
    /// Sorted by id.
    pub configurations: Vec<ConfigStatus>,
}

/// One configuration's conditions and delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigStatus {
    /// The configuration id.
    pub id: String,
    /// `Ready`, `Reconciling`, `Stalled`, in that order.
    pub conditions: Vec<Condition>,
    /// What the delivery checks found; `null` before they ran.
    pub delivery: Option<DeliveryView>,
}

/// A configuration's delivery health in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    /// `on_time`, `pending`, `overdue`, `invalid` or `unknown`.
    pub state: String,
    /// When the newest valid report was made.
    #[serde(with = "rfc3339_opt")]
    pub last_delivered: Option<SystemTime>,
    /// When the next report is due.
    #[serde(with = "rfc3339_opt")]
    pub next_due: Option<SystemTime>,
    /// What is wrong with the reports, when something is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Whether the destination lets the service write reports.
    pub readiness: ReadinessView,
}

/// A destination's readiness in JSON: `state` is `ready`, `not_ready` (with `problem` and
/// `fix`) or `not_checked` (with `reason`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadinessView {
    /// `ready`, `not_ready` or `not_checked`.
    pub state: String,
    /// What is missing (`not_ready`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Why the check could not be made (`not_checked`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What to add or change (`not_ready`), e.g. the bucket policy statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl DeliveryView {
    /// The view of `health`.
    pub fn of(health: &DeliveryHealth) -> DeliveryView {
        let readiness = match &health.readiness {
            Readiness::Ready => ReadinessView {
                state: "ready".into(),
                problem: None,
                reason: None,
                fix: None,
            },
            Readiness::NotReady { problem, fix } => ReadinessView {
                state: "not_ready".into(),
                problem: Some(problem.clone()),
                reason: None,
                fix: fix.clone(),
            },
            Readiness::NotChecked { reason } => ReadinessView {
                state: "not_checked".into(),
                problem: None,
                reason: Some(reason.clone()),
                fix: None,
            },
        };
        DeliveryView {
            state: health.state.as_str().into(),
            last_delivered: health.last.as_ref().map(|d| d.made_at),
            next_due: health.next_due,
            problem: health.problem.clone(),
            readiness,
        }
    }
}

impl BucketStatus {
    /// True when the bucket and every configuration of it are `Ready` `True`.
    pub fn is_ready(&self) -> bool {
        is_ready(&self.conditions)
            && self
                .configurations
                .iter()
                .all(|config| is_ready(&config.conditions))
    }
}

impl StatusDocument {
    /// True when every bucket [`BucketStatus::is_ready`].
    pub fn is_ready(&self) -> bool {
        self.buckets.iter().all(BucketStatus::is_ready)
    }
}

/// True when `conditions` hold `Ready` `True`.
pub fn is_ready(conditions: &[Condition]) -> bool {
    find(conditions, ConditionType::Ready).is_some_and(|c| c.status == ConditionStatus::True)
}
