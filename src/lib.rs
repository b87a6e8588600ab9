//! invsync keeps object-storage bucket inventory configurations equal to what a directory of
//! YAML manifests declares.
//!
//! # Layout
//! Floors point down only, and no module imports in a circle (`tests/integration/layering.rs`
//! checks it): [`model`] ← [`provider::kit`] ← the provider folders ← [`provider::registry`] ←
//! [`manifest`], [`plan`], [`reconcile`], the commands.
//! - [`model`]: domain types (desired and live state, a configuration held without naming
//!   its provider, endpoints); imports no other module of the crate but its own.
//! - [`provider`]: [`provider::kit`] (field paths, diagnostics, shared checks, normalize
//!   helpers), the shared protocol pieces, and one folder per provider (manifest, normalization,
//!   credentials, endpoint, signed client of its inventory API), reached through the provider
//!   table [`provider::registry`].
//! - [`manifest`]: the manifest format; loading and validating a directory.
//! - [`plan`]: normalization, `plan(desired, live)` and its text / JSON / Markdown renderings.
//! - [`fleet`]: which discovered buckets a selector covers (name globs, exclusions, regions,
//!   tags); pure.
//! - [`delivery`]: whether a configuration's destination can receive its reports and whether
//!   they arrive (read-only calls on the destination).
//! - [`reconcile`]: plan and apply over live buckets; the daemon loop of `invsync run`.
//! - [`cli`]: command-line arguments; [`duration`]: the one bounded duration syntax of flags
//!   and configuration files.
//! - [`emulator`]: a local COS, OSS and S3 inventory API server.
//! - [`error_chain`]: an error and its causes on one line.
//! - [`guarded_file`]: the one way files are read: regular files only, bounded, never blocking.
//! - [`backoff`]: the one exponential backoff with full jitter behind every retry.
//! - [`scheduler`]: when each bucket is reconciled next (resync, forced runs, backoff); pure.
//! - [`watch`]: manifests directory watching, git-sync symlink swaps included.
//! - [`metrics`]: the daemon's Prometheus metric families.
//! - [`hooks`]: the push hook that triggers a manifest reload on git push.
//! - [`notify`]: drift notifications to webhooks.
//! - [`shard`]: which buckets one of several replicas owns.
//! - [`server`]: the daemon's `/metrics`, `/healthz` and `/readyz` endpoints.
//! - [`status`]: kstatus-style conditions of buckets and configurations, and the board
//!   `GET /status` serves.
//! - [`serve`]: serving a router within connection, time and size limits (every listener).

// No input reaches an `expect` or a `panic!`: errors are returned (tests may use both).
#![warn(clippy::expect_used, clippy::panic)]
// What stays public is documented: its contract, not its name again.
#![warn(missing_docs)]

pub mod backoff;
pub mod cli;
pub mod delivery;
pub mod duration;
pub mod emulator;
pub mod error_chain;
pub mod fleet;
pub mod guarded_file;
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
pub mod status;
pub mod watch;
