//! What every provider folder builds on, below the providers and above [`crate::model`].
//!
//! Field paths and diagnostics, the serde collection that reports every error of a manifest
//! section, the shared field checks, and the normalize helpers. Nothing here names a provider;
//! `manifest/` and `plan/` re-export these pieces where they always lived.

pub mod checks;
pub mod collect;
pub mod diagnostic;
pub mod field_path;
pub mod normalize;
pub(crate) mod serde_defaults;
pub mod spec;
pub mod storage_classes;
