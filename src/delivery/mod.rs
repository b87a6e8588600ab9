//! Delivery health: whether a configuration's destination can receive its reports, and whether
//! they arrive, from read-only calls on the destination bucket.
//!
//! Provider-neutral, above the provider table: the provider says where reports go
//! ([`crate::provider::kit::spec::ProviderSpec::report_location`]) and what its destination
//! needs (`destination_readiness`); every call goes through a
//! [`crate::provider::delivery::DeliveryApi`] (`Clients::delivery` hands one out per provider).
//!
//! - [`readiness`]: the destination's policy read once per destination per [`PolicyCache`]
//!   (one per pass), judged by the provider's rule. For `plan`.
//! - [`newest_report`]: one listing of the recent delivery folders, then the newest report's
//!   `manifest.checksum` and `manifest.json`, validated.
//! - [`freshness`]: on time, pending, overdue, invalid or unknown, and when the next report is
//!   due. Pure.
//! - [`check`]: the three together for one configuration, as the daemon runs them when its
//!   [`DeliveryTracker`] says a configuration is due (at most once per schedule period).
//!
//! How the daemon drives them for one configuration, each pass (one [`PolicyCache`] per pass,
//! one [`DeliveryTracker`] for the process, `api` from `Clients::delivery`):
//!
//! ```text
//! let location = delivery::location(&bucket, &config)?;          // None: not checkable
//! if tracker.due(&bucket, &config, location.schedule, now) {
//!     let first_seen = tracker.first_seen(&bucket, &config, now);
//!     let subject = Configuration { source: &bucket, options: &options, inventory: &config };
//!     let health = delivery::check(api, &cache, subject, first_seen, now, DEFAULT_GRACE).await;
//!     tracker.record(&bucket, &config, now, health);
//! }
//! let shown = tracker.health(&bucket, config.id());              // for status and metrics
//! ```
//!
//! `plan` needs only [`readiness`] (one [`PolicyCache`] for the whole plan).
//!
//! Steady-state cost per configuration and schedule period: 1 policy read per destination per
//! pass for readiness (shared by every configuration delivering there); 1 LIST + 2 GET for the
//! report check.

mod freshness;
mod manifest;
mod newest;
mod readiness;
pub mod stamp;
mod tracker;

use std::time::{Duration, SystemTime};

pub use freshness::{DEFAULT_GRACE, freshness};
pub use newest::{MAX_CHECKSUM_BYTES, MAX_MANIFEST_BYTES, ReportLookup, newest_report};
pub use readiness::{PolicyCache, readiness};
pub use tracker::DeliveryTracker;

use crate::model::{
    BucketKey, DeliveryHealth, DeliveryState, Inventory, ProviderBucketOptions, Readiness,
    ReportLocation,
};
use crate::provider::delivery::DeliveryApi;
use crate::provider::registry;

/// One configuration of one source bucket, as the checks need it.
#[derive(Debug, Clone, Copy)]
pub struct Configuration<'a> {
    /// The source bucket.
    pub source: &'a BucketKey,
    /// The source bucket's provider options (S3's expected owner names the source account).
    pub options: &'a ProviderBucketOptions,
    /// The configuration.
    pub inventory: &'a Inventory,
}

/// Where `inventory` of `source` delivers its reports, by its provider's documented layout;
/// `None` when its destination cannot be named.
pub fn location(source: &BucketKey, inventory: &Inventory) -> Option<ReportLocation> {
    (registry::spec(source.provider).report_location)(source, inventory)
}

/// The delivery health of `config` as of `now`: its destination's readiness (through `cache`)
/// and its newest report judged against its schedule, the configuration first seen at
/// `first_seen`, allowing `grace` (usually [`DEFAULT_GRACE`]).
///
/// # Guarantees
/// Costs at most one policy read (none when `cache` has the destination), then the calls of
/// [`newest_report`]. A configuration whose destination cannot be named is `Unknown` and not
/// checked, with no call made.
pub async fn check(
    api: &dyn DeliveryApi,
    cache: &PolicyCache,
    config: Configuration<'_>,
    first_seen: SystemTime,
    now: SystemTime,
    grace: Duration,
) -> DeliveryHealth {
    let Some(location) = location(config.source, config.inventory) else {
        let reason = format!(
            "where configuration `{}` delivers its reports is not known",
            config.inventory.id()
        );
        return DeliveryHealth {
            readiness: Readiness::NotChecked {
                reason: reason.clone(),
            },
            state: DeliveryState::Unknown,
            last: None,
            next_due: None,
            problem: Some(reason),
        };
    };
    let readiness = readiness::readiness_at(
        api,
        cache,
        config.source,
        config.options,
        config.inventory,
        &location,
    )
    .await;
    let lookup = newest_report(api, &location, now).await;
    freshness(
        readiness,
        &lookup,
        location.schedule,
        first_seen,
        now,
        grace,
    )
}

#[cfg(test)]
mod tests;
