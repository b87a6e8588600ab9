//! invsync keeps object-storage bucket inventory configurations equal to what a directory of
//! YAML manifests declares.
//!
//! # Layout
//! - [`model`]: provider-neutral domain types (desired and live state).
//! - [`manifest`]: the manifest format; loading and validating a directory.
//! - [`plan`]: normalization, `plan(desired, live)` and its text / JSON / Markdown renderings.
//! - [`provider`]: one folder per provider (model, manifest, normalization, credentials,
//!   endpoint, signed client of its inventory API), reached through the provider table
//!   [`provider::registry`].
//! - [`reconcile`]: plan and apply over live buckets; the daemon loop of `invsync run`.
//! - [`cli`]: command-line arguments.
//! - [`emulator`]: a local COS + OSS inventory API server.
//! - [`error_chain`]: an error and its causes on one line.
//! - [`backoff`]: the one exponential backoff with full jitter behind every retry.
//! - [`scheduler`]: when each bucket is reconciled next (resync, forced runs, backoff); pure.
//! - [`watch`]: manifests directory watching, git-sync symlink swaps included.
//! - [`metrics`]: the daemon's Prometheus metric families.
//! - [`hooks`]: the push hook that triggers a manifest reload on git push.
//! - [`notify`]: drift notifications to webhooks.
//! - [`shard`]: which buckets one of several replicas owns.
//! - [`server`]: the daemon's `/metrics`, `/healthz` and `/readyz` endpoints.
//! - [`serve`]: serving a router within connection, time and size limits (every listener).

pub mod backoff;
pub mod cli;
pub mod emulator;
pub mod error_chain;
pub mod hooks;
pub mod manifest;
pub mod metrics;
pub mod model;
pub mod notify;
pub mod plan;
pub mod provider;
pub mod reconcile;
pub mod scheduler;
pub mod serve;
pub mod server;
pub mod shard;
pub mod watch;
