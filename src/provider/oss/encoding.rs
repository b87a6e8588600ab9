//! The percent-encoding and query rules OSS signs with: those of every V4-style signer.

pub use crate::provider::encoding::{
    canonical_header_lines, decode_query, encode_query, uri_encode, uri_encode_path,
};
