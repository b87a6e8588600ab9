//! AWS S3: wire types, SigV4 requests, answers and credentials of the bucket inventory API
//! (2006-03-01).
//!
//! # Layout
//! - [`model`]: [`S3Inventory`] and the value lists of the API.
//! - [`manifest`]: the YAML spec types, their validation and the way back for `import`.
//! - [`normalize`]: the canonical form plans compare.
//! - [`xml`]: wire types of the XML bodies (shared with the emulator); [`convert`]: wire
//!   types to and from the model.
//! - [`endpoint`]: bucket URLs (virtual-hosted or path style), endpoint override, default
//!   endpoint allowlist.
//! - [`request`]: one SigV4-signed inventory call as plain data; [`response`]: answers to
//!   results.
//! - [`signer`]: the SigV4 stages as pure functions (the emulator verifies requests with them).
//! - [`credentials`]: the standard AWS credential chain, cached and refreshed before expiry.

pub mod convert;
pub mod credentials;
pub mod endpoint;
pub mod manifest;
pub mod model;
pub mod normalize;
pub mod request;
pub mod response;
pub mod signer;
pub mod xml;

pub use model::{S3Destination, S3Encryption, S3Inventory};
