//! The daemon's side of fleet policies: what a discovery pass hands back ([`Discovery`]), what
//! expanding a revision with it gives ([`Expansion`]), and the [`FleetBinding`] that runs both.
//!
//! The daemon never looks inside a snapshot: it keeps the latest good one as a [`FleetView`]
//! and asks it to expand each revision put in force. Listing buckets and matching selectors
//! belong to [`crate::fleet`]; this module only carries their results into the daemon loop.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use super::clients::Clients;
use crate::fleet::{self, FleetSnapshot, TagCache};
use crate::metrics::PolicyCounts;
use crate::model::{BucketKey, DesiredState, Provider};
use crate::plan::PolicyCoverage;
use crate::provider::BoxFuture;

/// A discovery pass's picture of the fleet: expands a revision over the buckets it saw.
pub trait FleetView: Send + Sync {
    /// `revision`'s explicit buckets plus every policy materialized on every bucket it
    /// selects, with per-policy coverage. Pure.
    fn expand(&self, revision: &DesiredState) -> Expansion;
}

/// The effective desired state of a revision over one snapshot.
#[derive(Debug, Clone, Default)]
pub struct Expansion {
    /// Explicit buckets and policy-made ones; what the daemon schedules.
    pub desired: DesiredState,
    /// Per policy: matched, excluded and unreadable buckets.
    pub coverage: Vec<PolicyCoverage>,
    /// Conflicts (two policies declaring one id on one bucket, …), each naming the files;
    /// an expansion with any is not put in force.
    pub errors: Vec<String>,
}

/// How one discovery pass went.
#[derive(Clone)]
pub struct Discovery {
    /// What was seen; used only when no listing failed.
    pub view: Arc<dyn FleetView>,
    /// Providers whose bucket listing succeeded.
    pub listed: BTreeSet<Provider>,
    /// Providers whose bucket listing failed (after the transport's retries), with why. Any
    /// entry makes the whole pass a failure: the previous snapshot stays in force.
    pub failed: BTreeMap<Provider, String>,
}

impl Discovery {
    /// True when every listing succeeded.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty()
    }
}

/// Runs one discovery pass for a revision's policies through the daemon's clients.
pub type Discover =
    Arc<dyn Fn(Arc<DesiredState>, Clients) -> BoxFuture<'static, Discovery> + Send + Sync>;

/// What the daemon needs of fleet policies.
#[derive(Clone)]
pub struct FleetBinding {
    /// True when a revision declares a policy (and so needs discovery).
    pub has_policies: fn(&DesiredState) -> bool,
    /// One discovery pass.
    pub discover: Discover,
}

impl FleetBinding {
    /// The binding of [`crate::fleet`]: a revision needs discovery when it declares an
    /// `InventoryPolicy`; a pass is [`fleet::discover`] over its policies, failed when any
    /// account's listing failed.
    pub fn standard() -> Self {
        FleetBinding {
            has_policies: |revision| !revision.policies.is_empty(),
            discover: Arc::new(|revision, clients| {
                Box::pin(async move {
                    let snapshot = fleet::discover(&revision.policies, |provider, options| {
                        clients.discovery(provider, options)
                    })
                    .await;
                    discovery_of(snapshot)
                })
            }),
        }
    }

    /// [`FleetBinding::standard`], reusing each bucket's tags across passes for `ttl`
    /// ([`TagCache`]): a steady pass reads the listing pages and only the tags of buckets new
    /// or not read for `ttl`.
    pub fn caching_tags(ttl: Duration) -> Self {
        let cache = TagCache::new(ttl);
        FleetBinding {
            has_policies: |revision| !revision.policies.is_empty(),
            discover: Arc::new(move |revision, clients| {
                let cache = cache.clone();
                Box::pin(async move {
                    let snapshot = fleet::discover_cached(
                        &revision.policies,
                        |provider, options| clients.discovery(provider, options),
                        Some(&cache),
                    )
                    .await;
                    discovery_of(snapshot)
                })
            }),
        }
    }
}

/// How the listings of `snapshot` went, per provider.
fn discovery_of(snapshot: FleetSnapshot) -> Discovery {
    let mut listed = BTreeSet::new();
    let mut failed = BTreeMap::new();
    for (index, (provider, _)) in snapshot.listings.iter().enumerate() {
        match snapshot.listing_errors.get(&index) {
            Some(reason) => {
                failed.insert(*provider, reason.clone());
            }
            None => {
                listed.insert(*provider);
            }
        }
    }
    Discovery {
        view: Arc::new(snapshot),
        listed,
        failed,
    }
}

impl FleetView for FleetSnapshot {
    fn expand(&self, revision: &DesiredState) -> Expansion {
        let expanded = fleet::expand(revision, self);
        Expansion {
            desired: expanded.desired,
            coverage: expanded.coverage,
            errors: expanded.errors.iter().map(ToString::to_string).collect(),
        }
    }
}

/// The `invsync_policy_buckets` counts of `coverage`, `in_sync` telling which matched buckets
/// are in sync.
pub fn counts(coverage: &PolicyCoverage, in_sync: impl Fn(&BucketKey) -> bool) -> PolicyCounts {
    let covered = coverage.matched.iter().filter(|k| in_sync(k)).count();
    PolicyCounts {
        covered: covered as u64,
        pending: (coverage.matched.len() - covered) as u64,
        excluded: coverage.excluded as u64,
        unreadable: coverage.unreadable.len() as u64,
    }
}
