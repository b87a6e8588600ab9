//! Reconciling buckets: reading live state, planning against the manifests, writing the
//! difference.
//!
//! - [`clients`]: one client per provider and endpoint, dispatching [`InventoryApi`] calls.
//! - [`apply`]: one bucket's list → plan → write → confirm.
//! - [`once`]: `plan` and `apply` over every managed bucket with bounded concurrency.
//! - [`drift`]: a bucket plan as structured drift events (logged at WARN, counted).
//! - [`bucket`]: one daemon reconcile of one bucket, returning its next [`Action`] or a
//!   [`ReconcileError`].
//! - [`error`]: the typed reconcile errors and the one [`error_policy`] mapping them to actions.
//! - [`revision`]: loading a manifests revision for the daemon; what changed since the last.
//! - [`settle`]: deletes, replacements and widened writes wait until the manifests revision is
//!   stable; [`grant`]: what a revision lets the daemon write on a bucket.
//! - [`runner`]: the daemon loop of `invsync run`; [`events`]: what it reports to embedders.
//!
//! [`InventoryApi`]: crate::provider::InventoryApi

pub mod apply;
pub mod bucket;
pub mod clients;
pub mod drift;
pub mod error;
pub mod events;
pub mod grant;
pub mod once;
pub mod revision;
pub mod runner;
pub mod settle;

pub use apply::{Applied, ApplySettings, BucketOutcome, BucketStatus, apply_bucket, apply_plan};
pub use bucket::{ReconcileContext, Reconciled, reconcile_bucket, reconcile_with};
pub use clients::{ClientSettings, Clients};
pub use error::{Action, ReconcileError, error_policy};
pub use events::RunEvent;
pub use grant::WriteGrant;
pub use once::{apply_all, plan_all};
pub use runner::{RunConfig, RunError, run};
pub use settle::{DEFAULT_SETTLE, SettleGate};

/// The daemon's "now": tokio's clock, so that paused time in tests moves the scheduler, the
/// settle gate and the timers together (outside tests it is the system's monotonic clock).
pub(crate) fn now() -> std::time::Instant {
    tokio::time::Instant::now().into_std()
}
