//! The report destinations of a desired state, checked with read-only calls before `plan`
//! shows them and `apply` writes.

use futures_util::{StreamExt, stream};
use invsync::delivery::{self, PolicyCache};
use invsync::model::DesiredState;
use invsync::plan::DestinationFinding;
use invsync::reconcile::Clients;

/// The readiness of the destination of every enabled configuration of `desired`, sorted by
/// bucket then id; `concurrency` buckets at a time.
///
/// One bucket policy read per destination bucket for the whole run, whatever the number of
/// configurations delivering there; a disabled configuration is due no report and is left out.
pub(crate) async fn check(
    clients: &Clients,
    desired: &DesiredState,
    concurrency: usize,
) -> Vec<DestinationFinding> {
    let cache = PolicyCache::new();
    let cache = &cache;
    let per_bucket = stream::iter(&desired.buckets)
        .map(|(key, bucket)| async move {
            let api = clients.delivery(key.provider, &bucket.options);
            let mut findings = Vec::new();
            for inventory in bucket.inventories.iter().filter(|i| i.enabled()) {
                let readiness =
                    delivery::readiness(&*api, cache, key, &bucket.options, inventory).await;
                findings.push(DestinationFinding {
                    key: key.clone(),
                    id: inventory.id().to_string(),
                    readiness,
                });
            }
            findings
        })
        .buffered(concurrency.max(1));
    per_bucket.concat().await
}
