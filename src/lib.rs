//! invsync keeps object-storage bucket inventory configurations equal to what a directory of
//! YAML manifests declares.
//!
//! # Layout
//! - [`model`]: provider-neutral domain types (desired and live state).
//! - [`manifest`]: the manifest format; loading and validating a directory.
//! - [`plan`]: normalization, `plan(desired, live)` and its text / JSON / Markdown renderings.
//! - [`provider`]: signed HTTP clients of the COS and OSS inventory APIs.
//! - [`reconcile`]: plan and apply over live buckets.
//! - [`cli`]: command-line arguments.
//! - [`emulator`]: a local COS + OSS inventory API server.

pub mod cli;
pub mod emulator;
pub mod manifest;
pub mod model;
pub mod plan;
pub mod reconcile;
pub mod provider;
