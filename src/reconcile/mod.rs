//! Reconciling buckets: reading live state, planning against the manifests, writing the
//! difference.
//!
//! - [`clients`]: one client per provider and endpoint, dispatching [`InventoryApi`] calls.
//! - [`apply`]: one bucket's list → plan → write → confirm.
//! - [`once`]: `plan` and `apply` over every managed bucket with bounded concurrency.
//!
//! [`InventoryApi`]: crate::provider::InventoryApi

pub mod apply;
pub mod clients;
pub mod once;

pub use apply::{ApplySettings, BucketOutcome, BucketStatus, apply_bucket};
pub use clients::{ClientSettings, Clients, EnvCredentials, ProviderClient};
pub use once::{apply_all, plan_all};
