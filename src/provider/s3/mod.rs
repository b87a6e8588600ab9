//! AWS S3: bucket inventory configurations (API version 2006-03-01).

pub mod signer;
