//! Fleets: which of an account's buckets a policy covers.
//!
//! Pure, like [`crate::plan`]: listing the buckets and reading their tags belong to the
//! provider clients ([`crate::provider::discovery::DiscoveryApi`]); this module only decides.
//!
//! # Layout
//! - [`glob`]: bucket-name patterns with `*` and `?`.
//! - [`selector`]: [`BucketSelector`], name globs, exclusions, regions and tags, in the shape a
//!   manifest spells it.

pub(crate) mod glob;
pub mod selector;

pub use glob::{Glob, GlobError};
pub use selector::{BucketSelector, SelectorError, Verdict};
