//! Alibaba Cloud OSS: V1 and V4 signers, wire types and client of the bucket inventory API.

pub mod addressing;
pub mod convert;
pub mod date;
pub mod encoding;
pub mod request;
pub mod response;
pub mod signer_v1;
pub mod signer_v4;
pub mod xml;
