//! The report destinations of declared buckets, checked with read-only calls before `plan`
//! shows them and `apply` writes.

use futures_util::{StreamExt, stream};
use invsync::delivery::{self, PolicyCache};
use invsync::error_chain::Chain;
use invsync::model::{DesiredBucket, Readiness};
use invsync::plan::DestinationFinding;
use invsync::reconcile::Clients;

/// The readiness of the destination of every enabled configuration of `buckets`, in their
/// order then by id; `concurrency` buckets at a time.
///
/// One bucket policy read per destination bucket for the whole run, whatever the number of
/// configurations delivering there; a disabled configuration is due no report and is left out.
/// Calls go where the source bucket's calls go; a refused `spec.endpoint` makes its
/// configurations not checked.
pub(crate) async fn check(
    clients: &Clients,
    buckets: Vec<&DesiredBucket>,
    concurrency: usize,
) -> Vec<DestinationFinding> {
    let cache = PolicyCache::new();
    let cache = &cache;
    let per_bucket = stream::iter(buckets)
        .map(|bucket| async move {
            let key = &bucket.key;
            let api = clients.delivery_for(bucket);
            let mut findings = Vec::new();
            for inventory in bucket.inventories.iter().filter(|i| i.enabled()) {
                let readiness = match &api {
                    Ok(api) => {
                        delivery::readiness(&**api, cache, key, &bucket.options, inventory).await
                    }
                    Err(e) => Readiness::NotChecked {
                        reason: Chain(e).to_string(),
                    },
                };
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
