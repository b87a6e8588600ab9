//! Manifests: YAML files declaring the desired inventory configurations of buckets.
//!
//! `schema` holds the serde types of the format; `from_model` serializes the model back to it.

pub mod collect;
pub mod diagnostic;
pub mod from_model;
pub mod lines;
pub mod schema;
