//! Fleets: which of an account's buckets a policy covers, and what the policy then declares on
//! each.
//!
//! Pure but for [`discover`]: listing the buckets and reading their tags belong to the provider
//! clients ([`crate::provider::discovery::DiscoveryApi`]); [`expand`] and [`rollout`] only
//! decide.
//!
//! # Layout
//! - [`glob`]: bucket-name patterns with `*` and `?` (model data, re-exported).
//! - [`selector`]: [`BucketSelector`], name globs, exclusions, regions and tags, in the shape a
//!   manifest spells it (model data, re-exported).
//! - [`discover`](mod@discover): [`FleetSnapshot`], what the accounts' listings showed.
//! - [`expand`](mod@expand): [`Expanded`], every policy materialized on every bucket it selects.
//! - [`rollout`]: coverage after planning, waves, and the fleet-wide mass-delete guard.
//! - [`tag_cache`]: [`TagCache`], bucket tags reused across the daemon's discovery passes.

pub mod discover;
pub mod expand;
pub mod rollout;
pub mod tag_cache;

#[cfg(test)]
mod expand_tests;

pub use crate::model::{glob, selector};

pub use discover::{FleetSnapshot, SeenBucket, UnreadableBucket, discover, discover_cached};
pub use expand::{Expanded, expand};
pub use glob::{Glob, GlobError};
pub use rollout::{DEFAULT_MAX_POLICY_WRITES_PER_PASS, RolloutOptions, report, this_pass};
pub use selector::{BucketSelector, SelectorError, Verdict};
pub use tag_cache::TagCache;
