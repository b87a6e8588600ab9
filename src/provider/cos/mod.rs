//! Tencent Cloud COS: signer, wire types and client of the bucket inventory API.

pub mod convert;
pub mod signer;
pub mod xml;
