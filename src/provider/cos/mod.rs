//! Tencent Cloud COS: signer, wire types and client of the bucket inventory API.
//!
//! - [`signer`]: the pure `q-sign-algorithm=sha1` signature, also used by the emulator.
//! - [`xml`]: wire types of the inventory XML bodies, shared with the emulator.
//! - [`convert`]: wire types ⇄ [`crate::model::CosInventory`].
//! - [`endpoint`]: virtual host, endpoint override and credentials from the environment.
//! - [`request`]: one signed inventory call as plain data; [`response`]: answers to results.
//! - [`client`]: [`CosClient`], the [`crate::provider::InventoryApi`] implementation.

pub mod client;
pub mod convert;
pub mod endpoint;
pub mod request;
pub mod response;
pub mod signer;
pub mod xml;

pub use client::CosClient;
