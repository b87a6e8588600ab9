//! The in-memory fake's discovery: one provider's buckets and tags, from the fake's state.

use super::{Failure, MemoryInventory};
use crate::model::{BucketKey, DiscoveredBucket, Provider};
use crate::provider::discovery::{ACCOUNT, BucketFilter, BucketTags, DiscoveryApi};
use crate::provider::{BoxFuture, ErrorKind, Operation, ProviderError};

/// A bucket added with [`MemoryInventory::add_bucket`].
#[derive(Debug, Clone, Default)]
pub(super) struct Added {
    created: Option<String>,
    tags: BucketTags,
}

impl MemoryInventory {
    /// Adds a bucket of `key.provider` to the account's listing with `tags`, without counting
    /// a call. Buckets that only hold configurations are listed too, without tags.
    pub fn add_bucket(&self, key: &BucketKey, tags: BucketTags) {
        self.lock().discovered.insert(
            key.clone(),
            Added {
                created: Some("2026-01-01T00:00:00Z".to_string()),
                tags,
            },
        );
    }

    /// `provider`'s view of this store as [`DiscoveryApi`].
    pub fn discovery(&self, provider: Provider) -> MemoryDiscovery {
        MemoryDiscovery {
            store: self.clone(),
            provider,
        }
    }
}

/// One provider's buckets of a [`MemoryInventory`].
///
/// # Guarantees
/// - `list_buckets` lists the added buckets and those holding configurations, in name order,
///   filtered as the filter says.
/// - `bucket_tags` of a bucket it does not know is 404 `NoSuchBucket`; of a known bucket
///   without tags, an empty map.
/// - Calls are counted and injected failures returned as for the inventory calls.
#[derive(Debug, Clone)]
pub struct MemoryDiscovery {
    store: MemoryInventory,
    provider: Provider,
}

impl MemoryDiscovery {
    fn buckets(&self, filter: &BucketFilter) -> Result<Vec<DiscoveredBucket>, ProviderError> {
        let account = BucketKey {
            provider: self.provider,
            bucket: ACCOUNT.to_string(),
            region: String::new(),
        };
        let mut state = self.store.lock();
        state.call(Operation::ListBuckets, &account)?;
        let added = state.discovered.iter().map(|(k, a)| (k, a.created.clone()));
        let implied = state.buckets.keys().map(|k| (k, None));
        let mut found: Vec<DiscoveredBucket> = Vec::new();
        for (key, created) in added.chain(implied) {
            if key.provider != self.provider || found.iter().any(|b| b.name == key.bucket) {
                continue;
            }
            found.push(DiscoveredBucket {
                name: key.bucket.clone(),
                region: key.region.clone(),
                created,
            });
        }
        found.retain(|b| filter.admits(b));
        found.sort();
        Ok(found)
    }

    fn tags(&self, bucket: &str, region: &str) -> Result<BucketTags, ProviderError> {
        let key = BucketKey {
            provider: self.provider,
            bucket: bucket.to_string(),
            region: region.to_string(),
        };
        let mut state = self.store.lock();
        state.call(Operation::GetBucketTags, &key)?;
        if let Some(added) = state.discovered.get(&key) {
            return Ok(added.tags.clone());
        }
        if state.buckets.contains_key(&key) {
            return Ok(BucketTags::new());
        }
        Err(Failure::of_kind(ErrorKind::NotFound).into_error(Operation::GetBucketTags, &key))
    }
}

impl DiscoveryApi for MemoryDiscovery {
    fn list_buckets<'a>(
        &'a self,
        filter: &'a BucketFilter,
    ) -> BoxFuture<'a, Result<Vec<DiscoveredBucket>, ProviderError>> {
        Box::pin(async move { self.buckets(filter) })
    }

    fn bucket_tags<'a>(
        &'a self,
        bucket: &'a str,
        region: &'a str,
    ) -> BoxFuture<'a, Result<BucketTags, ProviderError>> {
        Box::pin(async move { self.tags(bucket, region) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(provider: Provider, bucket: &str, region: &str) -> BucketKey {
        BucketKey {
            provider,
            bucket: bucket.into(),
            region: region.into(),
        }
    }

    fn run<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn one_providers_added_buckets_are_listed_with_their_tags_and_counted() {
        let store = MemoryInventory::new();
        let tags = BucketTags::from([("team".to_string(), "data".to_string())]);
        store.add_bucket(&key(Provider::S3, "b-2", "eu-west-1"), tags.clone());
        store.add_bucket(&key(Provider::S3, "b-1", "us-east-1"), BucketTags::new());
        store.add_bucket(&key(Provider::OSS, "o-1", "cn-hangzhou"), BucketTags::new());
        let s3 = store.discovery(Provider::S3);
        let names: Vec<String> = run(s3.list_buckets(&BucketFilter::default()))
            .unwrap()
            .into_iter()
            .map(|b| b.name)
            .collect();
        assert_eq!(names, ["b-1", "b-2"]);
        assert_eq!(run(s3.bucket_tags("b-2", "eu-west-1")).unwrap(), tags);
        let missing = run(s3.bucket_tags("nope", "eu-west-1")).unwrap_err();
        assert!(missing.is_not_found(), "{missing}");
        assert_eq!(store.calls(Operation::ListBuckets), 1);
        assert_eq!(store.calls(Operation::GetBucketTags), 2);
    }

    #[test]
    fn an_injected_failure_fails_the_listing() {
        let store = MemoryInventory::new();
        store.fail_next(Some(Operation::ListBuckets), 1, 403, "AccessDenied");
        let err = run(store
            .discovery(Provider::COS)
            .list_buckets(&BucketFilter::default()))
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied);
        assert!(err.to_string().contains("on the account"), "{err}");
    }
}
