//! Destination readiness: reads the destination's bucket policy (once per destination per
//! pass) and hands it to the provider's rule.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::model::{BucketKey, Inventory, ProviderBucketOptions, Readiness, ReportLocation};
use crate::provider::delivery::DeliveryApi;
use crate::provider::kit::spec::DestinationCheck;
use crate::provider::registry;

/// What one policy read came to, kept for the rest of the pass.
#[derive(Debug, Clone)]
enum PolicyRead {
    /// The policy text, `None` for the provider's "no policy" answer.
    Read(Option<String>),
    /// The bucket does not exist.
    NoBucket,
    /// The read failed (403, transport, unreadable answer): why.
    Failed(String),
}

/// The destination policies read during one pass, keyed by destination bucket, so that one
/// read serves every configuration that delivers there. Make one per pass and drop it after:
/// a policy changed since is read again on the next pass.
///
/// # Guarantees
/// Shared between concurrent checks; two checks that both miss the cache at once may both
/// read the policy, and each result is kept.
#[derive(Debug, Default)]
pub struct PolicyCache {
    reads: Mutex<BTreeMap<BucketKey, PolicyRead>>,
}

impl PolicyCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many destinations were read.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True before the first read.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<BucketKey, PolicyRead>> {
        self.reads.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn read(&self, api: &dyn DeliveryApi, bucket: &BucketKey) -> PolicyRead {
        if let Some(read) = self.lock().get(bucket) {
            return read.clone();
        }
        let read = match api.bucket_policy(bucket).await {
            Ok(policy) => PolicyRead::Read(policy),
            Err(e) if e.is_missing_bucket() => PolicyRead::NoBucket,
            Err(e) => PolicyRead::Failed(crate::error_chain::Chain(&e).to_string()),
        };
        self.lock().insert(bucket.clone(), read.clone());
        read
    }
}

/// Whether `inventory` of `source` can deliver its reports to its destination.
///
/// # Guarantees
/// - One `bucket_policy` read per destination per `cache`, whatever the number of
///   configurations delivering there.
/// - A destination that does not exist (404 `NoSuchBucket`) is `NotReady`; a policy that
///   cannot be read (403, no answer, an unreadable answer) is `NotChecked`, never `Ready`; a
///   configuration whose destination the provider cannot name is `NotChecked`.
/// - Otherwise the provider's documented rule decides from the policy text.
pub async fn readiness(
    api: &dyn DeliveryApi,
    cache: &PolicyCache,
    source: &BucketKey,
    options: &ProviderBucketOptions,
    inventory: &Inventory,
) -> Readiness {
    let spec = registry::spec(source.provider);
    let Some(location) = (spec.report_location)(source, inventory) else {
        return Readiness::NotChecked {
            reason: format!(
                "where configuration `{}` delivers its reports is not known",
                inventory.id()
            ),
        };
    };
    readiness_at(api, cache, source, options, inventory, &location).await
}

/// [`readiness`] for a configuration whose report location is already known.
pub(crate) async fn readiness_at(
    api: &dyn DeliveryApi,
    cache: &PolicyCache,
    source: &BucketKey,
    options: &ProviderBucketOptions,
    inventory: &Inventory,
    location: &ReportLocation,
) -> Readiness {
    let destination = &location.destination;
    match cache.read(api, destination).await {
        PolicyRead::NoBucket => Readiness::NotReady {
            problem: format!(
                "destination bucket {} does not exist in {}",
                destination.bucket, destination.region
            ),
            fix: Some(format!(
                "create bucket {} in {}, or point the configuration at an existing bucket",
                destination.bucket, destination.region
            )),
        },
        PolicyRead::Failed(why) => Readiness::NotChecked {
            reason: format!(
                "the policy of destination bucket {} could not be read: {why}",
                destination.bucket
            ),
        },
        PolicyRead::Read(policy) => {
            let spec = registry::spec(source.provider);
            (spec.destination_readiness)(&DestinationCheck {
                source,
                options,
                inventory,
                location,
                policy: policy.as_deref(),
            })
        }
    }
}
