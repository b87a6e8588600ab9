//! The in-memory fake's delivery reads: destination buckets with objects and a policy, from
//! the fake's state.

use std::collections::BTreeMap;

use super::{Failure, MemoryInventory};
use crate::model::{BucketKey, Provider};
use crate::provider::delivery::{DeliveryApi, ObjectEntry, ObjectPage, ObjectQuery};
use crate::provider::{BoxFuture, Operation, ProviderError};

/// One destination bucket of the fake.
#[derive(Debug, Clone, Default)]
pub(super) struct Destination {
    objects: BTreeMap<String, Vec<u8>>,
    policy: Option<String>,
}

impl MemoryInventory {
    /// Adds an empty destination bucket without a policy, without counting a call.
    pub fn add_destination(&self, bucket: &BucketKey) {
        self.lock().destinations.entry(bucket.clone()).or_default();
    }

    /// Stores object `key` in destination `bucket` (added when new), without counting a call.
    pub fn put_object(&self, bucket: &BucketKey, key: &str, bytes: impl Into<Vec<u8>>) {
        self.lock()
            .destinations
            .entry(bucket.clone())
            .or_default()
            .objects
            .insert(key.to_string(), bytes.into());
    }

    /// Sets (or, with `None`, removes) destination `bucket`'s policy (the bucket is added
    /// when new), without counting a call.
    pub fn set_policy(&self, bucket: &BucketKey, policy: Option<&str>) {
        self.lock()
            .destinations
            .entry(bucket.clone())
            .or_default()
            .policy = policy.map(str::to_string);
    }

    /// `provider`'s view of this store's destination buckets as [`DeliveryApi`].
    pub fn delivery(&self, provider: Provider) -> MemoryDelivery {
        MemoryDelivery {
            store: self.clone(),
            provider,
        }
    }
}

/// One provider's destination buckets of a [`MemoryInventory`].
///
/// # Guarantees
/// - `list_objects` pages as ListObjects version 1 does: keys after `marker` with the prefix,
///   in byte order, rolled up at the delimiter, at most `max_keys` keys and prefixes, and a
///   truncated page's `next_marker` is its last key or prefix.
/// - A bucket it does not know is 404 `NoSuchBucket` for every call; a missing object 404
///   `NoSuchKey`; a bucket without a policy `None`; an object over `max_bytes` an error.
/// - Calls are counted and injected failures returned as for the inventory calls.
#[derive(Debug, Clone)]
pub struct MemoryDelivery {
    store: MemoryInventory,
    provider: Provider,
}

impl MemoryDelivery {
    fn key(&self, bucket: &BucketKey) -> BucketKey {
        BucketKey {
            provider: self.provider,
            ..bucket.clone()
        }
    }

    /// Runs `read` on the destination after counting the call; an unknown bucket is 404
    /// `NoSuchBucket`.
    fn with_destination<T>(
        &self,
        operation: Operation,
        bucket: &BucketKey,
        read: impl FnOnce(&Destination) -> Result<T, Failure>,
    ) -> Result<T, ProviderError> {
        let key = self.key(bucket);
        let mut state = self.store.lock();
        state.call(operation, &key)?;
        let found = state
            .destinations
            .get(&key)
            .ok_or_else(|| service(404, "NoSuchBucket"))
            .and_then(read);
        found.map_err(|f| f.into_error(operation, &key))
    }

    fn page(
        &self,
        bucket: &BucketKey,
        query: ObjectQuery<'_>,
    ) -> Result<ObjectPage, ProviderError> {
        self.with_destination(Operation::ListObjects, bucket, |d| {
            Ok(list(&d.objects, query))
        })
    }

    fn object(
        &self,
        bucket: &BucketKey,
        key: &str,
        max_bytes: usize,
    ) -> Result<Vec<u8>, ProviderError> {
        self.with_destination(Operation::GetObject, bucket, |d| match d.objects.get(key) {
            None => Err(service(404, "NoSuchKey")),
            Some(bytes) if bytes.len() > max_bytes => Err(Failure::Unreadable),
            Some(bytes) => Ok(bytes.clone()),
        })
    }

    fn policy(&self, bucket: &BucketKey) -> Result<Option<String>, ProviderError> {
        self.with_destination(Operation::GetBucketPolicy, bucket, |d| Ok(d.policy.clone()))
    }
}

fn service(status: u16, code: &str) -> Failure {
    Failure::Service {
        status,
        code: code.to_string(),
    }
}

/// ListObjects version 1 over `objects` (see [`MemoryDelivery`]'s guarantees).
fn list(objects: &BTreeMap<String, Vec<u8>>, query: ObjectQuery<'_>) -> ObjectPage {
    let mut page = ObjectPage::default();
    let limit = usize::try_from(query.max_keys.max(1)).unwrap_or(usize::MAX);
    let mut last: Option<String> = None;
    let after = query.marker.unwrap_or("");
    for (key, bytes) in
        objects.range::<str, _>((std::ops::Bound::Excluded(after), std::ops::Bound::Unbounded))
    {
        let Some(rest) = key.strip_prefix(query.prefix) else {
            continue;
        };
        let rolled = query.delimiter.filter(|d| !d.is_empty()).and_then(|d| {
            rest.find(d)
                .map(|at| format!("{}{}", query.prefix, &rest[..at + d.len()]))
        });
        if let Some(prefix) = &rolled
            && (page.common_prefixes.last() == Some(prefix) || prefix.as_str() <= after)
        {
            continue;
        }
        if page.objects.len() + page.common_prefixes.len() == limit {
            page.next_marker = last;
            return page;
        }
        match rolled {
            Some(prefix) => {
                last = Some(prefix.clone());
                page.common_prefixes.push(prefix);
            }
            None => {
                last = Some(key.clone());
                page.objects.push(ObjectEntry {
                    key: key.clone(),
                    size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
                });
            }
        }
    }
    page
}

impl DeliveryApi for MemoryDelivery {
    fn list_objects<'a>(
        &'a self,
        bucket: &'a BucketKey,
        query: ObjectQuery<'a>,
    ) -> BoxFuture<'a, Result<ObjectPage, ProviderError>> {
        Box::pin(async move { self.page(bucket, query) })
    }

    fn get_object<'a>(
        &'a self,
        bucket: &'a BucketKey,
        key: &'a str,
        max_bytes: usize,
    ) -> BoxFuture<'a, Result<Vec<u8>, ProviderError>> {
        Box::pin(async move { self.object(bucket, key, max_bytes) })
    }

    fn bucket_policy<'a>(
        &'a self,
        bucket: &'a BucketKey,
    ) -> BoxFuture<'a, Result<Option<String>, ProviderError>> {
        Box::pin(async move { self.policy(bucket) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dest() -> BucketKey {
        BucketKey {
            provider: Provider::S3,
            bucket: "dest".into(),
            region: "us-east-1".into(),
        }
    }

    fn run<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    fn query<'a>(marker: Option<&'a str>, max_keys: u32) -> ObjectQuery<'a> {
        ObjectQuery {
            prefix: "inv/",
            delimiter: Some("/"),
            marker,
            max_keys,
        }
    }

    #[test]
    fn a_delimited_listing_rolls_up_folders_and_pages_after_the_marker() {
        let store = MemoryInventory::new();
        for key in ["inv/a/1", "inv/a/2", "inv/b/1", "inv/c", "other/x"] {
            store.put_object(&dest(), key, "x");
        }
        let api = store.delivery(Provider::S3);
        let first = run(api.list_objects(&dest(), query(None, 2))).unwrap();
        assert_eq!(first.common_prefixes, ["inv/a/", "inv/b/"]);
        assert_eq!(first.next_marker.as_deref(), Some("inv/b/"));
        let second = run(api.list_objects(&dest(), query(Some("inv/b/"), 2))).unwrap();
        assert!(second.common_prefixes.is_empty());
        assert_eq!(second.objects[0].key, "inv/c");
        assert_eq!(second.next_marker, None);
        assert_eq!(store.calls(Operation::ListObjects), 2);
    }

    #[test]
    fn objects_policies_and_missing_buckets_answer_as_the_services_do() {
        let store = MemoryInventory::new();
        store.put_object(&dest(), "k", "hello");
        let api = store.delivery(Provider::S3);
        assert_eq!(run(api.get_object(&dest(), "k", 5)).unwrap(), b"hello");
        assert!(run(api.get_object(&dest(), "k", 4)).is_err());
        assert!(
            run(api.get_object(&dest(), "nope", 5))
                .unwrap_err()
                .is_not_found()
        );
        assert_eq!(run(api.bucket_policy(&dest())).unwrap(), None);
        store.set_policy(&dest(), Some("{}"));
        assert_eq!(
            run(api.bucket_policy(&dest())).unwrap().as_deref(),
            Some("{}")
        );
        let other = BucketKey {
            bucket: "gone".into(),
            ..dest()
        };
        assert!(
            run(api.bucket_policy(&other))
                .unwrap_err()
                .is_missing_bucket()
        );
    }
}
