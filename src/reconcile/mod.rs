//! Reconciling buckets: reading live state, planning against the manifests, writing the
//! difference.
//!
//! - [`clients`]: one client per provider and endpoint, dispatching [`InventoryApi`] calls.
//! - [`bucket`]: the one reconcile of one bucket (list → plan → write what the mode and the
//!   settle gate allow), run once per bucket by `apply` and on every pass by the daemon.
//! - [`outcome`]: what a reconcile did ([`Reconciled`]) and how it ended ([`Applied`]).
//! - [`apply`]: carrying out a plan: write → confirm.
//! - [`report`]: the daemon's observers around a reconcile: span, logs, drift, metrics.
//! - [`once`]: `plan` and `apply` over every managed bucket with bounded concurrency.
//! - [`drift`]: a bucket plan as structured drift events (logged at WARN, counted).
//! - [`error`]: what went wrong ([`ReconcileError`]), and the one [`error_policy`] for failures;
//!   [`requeue`]: [`next_action`], when the daemon looks again ([`Action`]).
//! - [`revision`]: loading a manifests revision for the daemon; what changed since the last.
//! - [`settle`]: deletes, replacements and widened writes wait until the manifests revision is
//!   stable; [`grant`]: what a revision lets the daemon write on a bucket.
//! - [`runner`]: the daemon loop of `invsync run`; [`events`]: what it reports to embedders;
//!   [`delivery`]: the reports of buckets in sync looked at, once per schedule period each.
//! - [`fleet`]: fleet policies as the daemon sees them (discovery results, expansions);
//!   [`discovery`]: when the fleet is listed again; [`waves`]: how many policy buckets one
//!   pass may write to.
//!
//! [`InventoryApi`]: crate::provider::InventoryApi

pub mod apply;
pub mod bucket;
pub mod clients;
pub mod delivery;
pub(crate) mod discovery;
pub mod drift;
pub mod error;
pub mod events;
pub mod fleet;
pub(crate) mod grant;
pub mod once;
pub mod outcome;
pub mod report;
pub(crate) mod requeue;
pub mod revision;
pub mod runner;
pub mod settle;
mod views;
pub mod waves;

pub use apply::{ApplySettings, apply_plan};
pub use bucket::{ReconcileContext, reconcile, reconcile_with};
pub use clients::{ClientSettings, Clients};
pub use delivery::DeliveryWatch;
pub use error::{Action, ReconcileError, error_policy};
pub use events::{DeliveryEvent, DeliveryEventKind, OutcomeSink, RunEvent};
pub use once::{apply_all, plan_all};
pub use outcome::{Applied, Reconciled};
pub use requeue::next_action;
pub use runner::{RunConfig, RunError, run};
pub use settle::{DEFAULT_SETTLE, SettleGate};
pub use waves::WaveBudget;

/// The daemon's "now": tokio's clock, so that paused time in tests moves the scheduler, the
/// settle gate and the timers together (outside tests it is the system's monotonic clock).
pub(crate) fn now() -> std::time::Instant {
    tokio::time::Instant::now().into_std()
}
