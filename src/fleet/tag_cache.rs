//! Bucket tags read by earlier discovery passes, reused for a while: a fleet's steady
//! discovery pass then costs its listing pages, not one tag read per bucket.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;

use crate::model::Provider;
use crate::provider::discovery::BucketTags;

/// Each bucket's tags, by provider and bucket name, with when they were read.
type Entries = BTreeMap<(Provider, String), (Instant, BucketTags)>;

/// Tags of listed buckets, each kept for [`TagCache::ttl`] after it was read.
///
/// # Guarantees
/// - A bucket never seen before, or whose tags were read longer than the ttl ago, is read
///   again: a bucket created later is judged on its tags at once, and a tag changed on a
///   known bucket is seen within the ttl (a zero ttl reads every bucket on every pass).
/// - Only tags that were read successfully are kept; a bucket no longer listed is forgotten.
/// - Cheap to clone: clones share the entries. The clock is tokio's, so paused time in tests
///   moves it.
#[derive(Debug, Clone)]
pub struct TagCache {
    ttl: Duration,
    entries: Arc<Mutex<Entries>>,
}

impl TagCache {
    /// A cache keeping each bucket's tags for `ttl`.
    pub fn new(ttl: Duration) -> Self {
        TagCache {
            ttl,
            entries: Arc::default(),
        }
    }

    /// How long tags are reused.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn lock(&self) -> MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The tags of `bucket` when they were read less than the ttl ago.
    pub(crate) fn fresh(&self, provider: Provider, bucket: &str) -> Option<BucketTags> {
        let entries = self.lock();
        let (read_at, tags) = entries.get(&(provider, bucket.to_string()))?;
        (read_at.elapsed() < self.ttl).then(|| tags.clone())
    }

    /// Keeps `tags`, read now, for `bucket`.
    pub(crate) fn store(&self, provider: Provider, bucket: &str, tags: &BucketTags) {
        self.lock().insert(
            (provider, bucket.to_string()),
            (Instant::now(), tags.clone()),
        );
    }

    /// Forgets the buckets of `provider` not in `listed`.
    pub(crate) fn retain(&self, provider: Provider, listed: &BTreeSet<&str>) {
        self.lock()
            .retain(|(p, bucket), _| *p != provider || listed.contains(bucket.as_str()));
    }

    /// How many buckets' tags are kept.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// True when no tags are kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(value: &str) -> BucketTags {
        BTreeMap::from([("inventory".to_string(), value.to_string())])
    }

    #[tokio::test(start_paused = true)]
    async fn tags_are_reused_within_the_ttl_and_read_again_after_it() {
        let cache = TagCache::new(Duration::from_secs(60));
        assert_eq!(cache.fresh(Provider::S3, "logs"), None, "never read");
        cache.store(Provider::S3, "logs", &tags("on"));
        tokio::time::advance(Duration::from_secs(59)).await;
        assert_eq!(cache.fresh(Provider::S3, "logs"), Some(tags("on")));
        assert_eq!(
            cache.fresh(Provider::OSS, "logs"),
            None,
            "another provider's"
        );
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(cache.fresh(Provider::S3, "logs"), None, "stale");
    }

    #[tokio::test(start_paused = true)]
    async fn a_zero_ttl_reuses_nothing_and_unlisted_buckets_are_forgotten() {
        let cache = TagCache::new(Duration::ZERO);
        cache.store(Provider::S3, "logs", &tags("on"));
        assert_eq!(cache.fresh(Provider::S3, "logs"), None);

        let cache = TagCache::new(Duration::from_secs(60));
        cache.store(Provider::S3, "logs", &tags("on"));
        cache.store(Provider::S3, "gone", &tags("on"));
        cache.store(Provider::OSS, "gone", &tags("on"));
        cache.retain(Provider::S3, &BTreeSet::from(["logs"]));
        assert_eq!(cache.len(), 2);
        assert!(cache.fresh(Provider::S3, "gone").is_none());
        assert!(
            cache.fresh(Provider::OSS, "gone").is_some(),
            "other providers untouched"
        );
    }
}
