//! One status model, kstatus-style: `Ready`, `Reconciling` and `Stalled` conditions on every
//! bucket and configuration, derived from reconciles, plans and delivery health.
//!
//! The semantics are kstatus's (sigs.k8s.io/cli-utils `pkg/kstatus`): `Ready` is normal-true
//! (current and healthy); `Reconciling` and `Stalled` are abnormal-true (the controller is
//! working towards the spec; it cannot progress without a person). Every object lists the
//! three, in that order, each with a CamelCase reason, a message, the time its status last
//! changed and the manifests revision it was observed at.
//!
//! # Layout
//! - [`condition`]: the condition type, and stamping transition times.
//! - [`sync`]: what a reconcile or a plan says of a bucket and its configurations.
//! - [`derive`](derive()): conditions from that and delivery health (pure).
//! - [`view`]: the JSON document of `GET /status`; [`board`]: the daemon's shared board;
//!   [`http`]: its routes.
//! - [`plan_json`]: conditions in `invsync plan --output json`; [`time`]: RFC 3339, ages.
//! - [`client`]: reading a daemon's `/status`; [`table`]: the table `invsync status` prints.
//!
//! # Situations
//! A configuration (`T` True, `F` False, `U` Unknown; the reason is shared by the conditions
//! that are not plain `False`):
//!
//! | situation | Ready | Reconciling | Stalled | reason |
//! |---|---|---|---|---|
//! | in sync, no delivery checked | T | F | F | `InSync` |
//! | in sync, newest report valid and on time | T | F | F | `Delivered` (message: last delivery, next due) |
//! | in sync, destination ready, no report yet, none late | T | F | F | `AwaitingFirstReport` |
//! | drifted, a write pending (plan) or retried | F | T | F | `Drifted` |
//! | writes held until the manifests settle | F | T | F | `Drifted` |
//! | observe mode, drifted | F | F | F | `DriftObserved` |
//! | blocked by a foreign configuration | F | F | T | `BlockedByForeign` (message: the way out) |
//! | plan refused by the deletion limits | F | F | T | `PlanRefused` |
//! | write failed, transient (5xx, throttled, timeout) | F | T | F | `RetryingAfterError` |
//! | write refused (403, invalid request) | F | F | T | `WriteRefused` |
//! | perpetual diff: written, never stored | F | F | T | `NotConverging` |
//! | destination not ready | F | F | T | `DestinationNotReady` (message: the fix) |
//! | report overdue | F | F | F | `ReportOverdue` |
//! | newest report invalid (bad checksum, …) | F | F | F | `ReportInvalid` |
//! | reports could not be looked at | U | F | F | `ReportsNotChecked` |
//! | destination not checked, no report yet | U | F | F | `DestinationNotChecked` |
//! | live state could not be read | U | F | F | `NotChecked` |
//! | `Once`: live as declared / live but different / not live (ran, or never started) | T / F / T | F | F | `InSync`… / `OnceDiffers` / `OnceNotLive` |
//!
//! Failed writes are split the way [`crate::reconcile::error_policy`] treats them: what the
//! daemon retries with backoff on its own is `Reconciling` (`RetryingAfterError`); what it
//! stops retrying until the manifests change (refusals, perpetual diffs, refused plans) is
//! `Stalled`. A destination not ready is `Stalled` (only a person can add the policy); an
//! overdue or invalid report is only not `Ready`, since nothing in invsync works on it.
//! Delivery decides only for a configuration in sync: a drift or failure comes first.
//!
//! A bucket carries its own fault when its reconcile failed (`RetryingAfterError`,
//! `BucketNotFound`, `ListFailed`: Reconciling; `RequestRefused`, `PlanRefused`,
//! `NotConverging`: Stalled); otherwise the worst of its configurations (Stalled, then
//! Reconciling, then Ready `False`, then `Unknown`) names its reason, the configuration's id
//! prefixing the message; with every configuration ready it is Ready `InSync`.

pub mod board;
pub mod client;
pub mod condition;
pub mod derive;
pub mod http;
pub mod plan_json;
pub mod sync;
pub mod table;
pub mod time;
pub mod view;

#[cfg(test)]
mod board_tests;
#[cfg(test)]
mod derive_tests;

pub use board::StatusBoard;
pub use condition::{Condition, ConditionStatus, ConditionType};
pub use derive::derive;
pub use sync::{BucketSync, ConfigSync, Fault};
pub use view::{BucketStatus, ConfigStatus, DeliveryView, ReadinessView, StatusDocument};
