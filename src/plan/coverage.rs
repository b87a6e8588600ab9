//! Fleet coverage: what each policy matched, and what the plan makes of it (to change, in
//! sync, excluded, unreadable, waiting for a later wave).

use serde::Serialize;

use crate::model::{BucketKey, BucketMode, Origin, Provider};

/// One policy's buckets at one revision.
///
/// Filled in two steps: expansion sets what discovery saw (`matched`, `excluded`,
/// `unreadable`, `gone`, `listing_error`); the fleet report
/// (`crate::fleet::rollout`) adds what the plan says of each matched bucket.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyCoverage {
    /// The policy's `metadata.name`.
    pub policy: String,
    /// The policy's `spec.provider`; `None` only in a default value, before expansion.
    pub provider: Option<Provider>,
    /// The policy's `spec.mode`: `observe` writes nothing on its buckets.
    pub mode: BucketMode,
    /// The manifest document that declares the policy.
    pub origin: Origin,
    /// Selected buckets the policy is materialized on, sorted.
    pub matched: Vec<BucketKey>,
    /// Buckets listed but not selected (name, exclusion, region or tags).
    pub excluded: usize,
    /// Buckets whose tags (needed by the selector) could not be read, with why; never guessed
    /// at, never written.
    pub unreadable: Vec<(BucketKey, String)>,
    /// Buckets listed, then gone by the time they were read: an ordinary outcome.
    pub gone: Vec<BucketKey>,
    /// The account's bucket listing failed: nothing is known of this policy's buckets.
    pub listing_error: Option<String>,
    /// Matched buckets where the policy's configurations differ from live state, sorted.
    pub to_change: Vec<BucketKey>,
    /// Matched buckets where they all match.
    pub in_sync: usize,
    /// Matched buckets whose live state could not be read.
    pub failed: usize,
    /// Of `to_change`, the buckets left for a later pass by the wave limit.
    pub deferred: Vec<BucketKey>,
    /// Set when the policy's deletes across the fleet pass the mass-delete limits: none of them
    /// is carried out.
    pub refusal: Option<String>,
}

/// How a policy rollout larger than the per-pass limit is spread over passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Waves {
    /// `--max-policy-writes-per-pass`.
    pub limit: usize,
    /// Buckets policies would write to, over every pass.
    pub buckets: usize,
    /// Passes needed, this one included (`ceil(buckets / limit)`); 1 when nothing waits.
    pub passes: usize,
}

/// What the plan says of the fleet: every policy's coverage and the waves.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FleetReport {
    /// Sorted by policy name.
    pub policies: Vec<PolicyCoverage>,
    /// `None` when no policy writes anything.
    pub waves: Option<Waves>,
}

impl FleetReport {
    /// Passes left after this one.
    pub fn passes_remaining(&self) -> usize {
        self.waves.map_or(0, |w| w.passes.saturating_sub(1))
    }
}
