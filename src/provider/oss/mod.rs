//! Alibaba Cloud OSS: V1 and V4 signers, wire types and client of the bucket inventory API.
//!
//! # Layout
//! - [`signer_v1`], [`signer_v4`]: pure signers with every stage exposed (shared with the
//!   emulator, which verifies received requests with them).
//! - [`encoding`], [`date`]: the percent-encoding and date formats the signers rely on.
//! - [`xml`]: wire types of the XML bodies (shared with the emulator); [`convert`]: wire types
//!   to and from [`crate::model::OssInventory`].
//! - [`endpoint`]: bucket URLs (virtual-hosted or path style), endpoint override and
//!   credentials from the environment.
//! - [`request`]: one signed inventory call as plain data; [`response`]: answers to results.
//! - [`client`]: [`OssClient`], the [`crate::provider::InventoryApi`] implementation.

pub mod client;
pub mod convert;
pub mod date;
pub mod encoding;
pub mod endpoint;
pub mod request;
pub mod response;
pub mod signer_v1;
pub mod signer_v4;
pub mod xml;

pub use client::{Clock, OssClient};
pub use request::SignatureVersion;
