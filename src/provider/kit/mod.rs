//! What every provider folder builds on, below the providers and above [`crate::model`].
//!
//! Field paths and diagnostics, the serde collection that reports every error of a manifest
//! section, the shared field checks, the normalize helpers and the shapes of a provider's table
//! entry ([`spec::ProviderSpec`]). Nothing here names a provider folder or the registry (`tests/integration/layering.rs`
//! checks it); `manifest/` re-exports the manifest pieces under their old paths.

pub mod checks;
pub(crate) mod civil;
pub mod collect;
pub mod diagnostic;
pub mod example;
pub(crate) mod field_path;
pub(crate) mod layout;
pub mod normalize;
pub(crate) mod policy;
pub(crate) mod serde_defaults;
pub mod spec;
pub mod storage_classes;
