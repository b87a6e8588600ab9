//! Discovery for the policies of one revision: list each account's buckets once and read tags
//! only where a selector needs them. The only I/O of [`crate::fleet`].

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::stream;

use super::tag_cache::TagCache;
use crate::error_chain::Chain;
use crate::model::{DiscoveredBucket, InventoryPolicy, Provider, ProviderBucketOptions};
use crate::provider::discovery::{BucketFilter, BucketTags, DiscoveryApi};

/// Tag reads in flight at once; the transport's rate limit per account and region still
/// applies beneath.
const TAG_CONCURRENCY: usize = 8;

/// What discovery saw for the policies of one revision.
///
/// # Guarantees
/// A bucket is in exactly one place: [`buckets`](Self::buckets) (tags read when some selector
/// of its provider needed them and its name and region passed that selector, `None`
/// otherwise), [`unreadable`](Self::unreadable) or [`gone`](Self::gone).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FleetSnapshot {
    /// Every listed bucket, by provider, in listing order.
    pub buckets: BTreeMap<Provider, Vec<SeenBucket>>,
    /// Listed buckets whose tags could not be read (403, a region out of reach, …).
    pub unreadable: Vec<UnreadableBucket>,
    /// Listed buckets that no longer existed when their tags were read.
    pub gone: Vec<(Provider, DiscoveredBucket)>,
    /// The accounts listed: provider and the bucket-level options the listing was made with
    /// (an S3 profile names another account). [`SeenBucket::listing`] indexes this.
    pub listings: Vec<(Provider, ProviderBucketOptions)>,
    /// Listings that failed, by index into [`listings`](Self::listings), with why.
    pub listing_errors: BTreeMap<usize, String>,
}

/// One listed bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenBucket {
    /// The bucket as the listing gave it: name and region.
    pub bucket: DiscoveredBucket,
    /// Its tags, read only when a selector needed them.
    pub tags: Option<BTreeMap<String, String>>,
    /// Index of the listing (the account) it came from, into [`FleetSnapshot::listings`].
    pub listing: usize,
}

/// A listed bucket whose tags could not be read: reported, never guessed at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableBucket {
    /// The provider whose listing gave the bucket.
    pub provider: Provider,
    /// The bucket as the listing gave it: name and region.
    pub bucket: DiscoveredBucket,
    /// The error, cause chain included.
    pub reason: String,
    /// Index of the listing it came from.
    pub listing: usize,
}

impl FleetSnapshot {
    /// The index of the listing of `provider` made with `options`, if any.
    pub fn listing_of(&self, provider: Provider, options: &ProviderBucketOptions) -> Option<usize> {
        self.listings
            .iter()
            .position(|(p, o)| *p == provider && o == options)
    }
}

/// Lists the buckets (and tags only where a selector needs them) for every provider a policy
/// names, once per account (provider and bucket-level options).
///
/// # Guarantees
/// Never fails as a whole: a failed listing is in [`FleetSnapshot::listing_errors`], a bucket
/// whose tags cannot be read in [`FleetSnapshot::unreadable`], a bucket gone since the listing
/// in [`FleetSnapshot::gone`]. One listing covers all policies of an account: narrowed by the
/// selector's own filter only when a single policy uses it.
///
/// `connect` hands out the discovery client of a provider with an account's bucket-level
/// options (the daemon's and the commands' `Clients::discovery`), so that this module needs
/// nothing of the reconcile floor above it.
pub async fn discover<F>(policies: &[InventoryPolicy], connect: F) -> FleetSnapshot
where
    F: Fn(Provider, &ProviderBucketOptions) -> Arc<dyn DiscoveryApi>,
{
    discover_cached(policies, connect, None).await
}

/// [`discover`], reusing the tags `cache` holds from earlier passes while fresh and keeping
/// those it reads (the daemon's passes; `plan` and `apply` read every tag they need).
pub async fn discover_cached<F>(
    policies: &[InventoryPolicy],
    connect: F,
    cache: Option<&TagCache>,
) -> FleetSnapshot
where
    F: Fn(Provider, &ProviderBucketOptions) -> Arc<dyn DiscoveryApi>,
{
    let mut snapshot = FleetSnapshot::default();
    let mut users: Vec<Vec<&InventoryPolicy>> = Vec::new();
    for policy in policies {
        match snapshot.listing_of(policy.provider, &policy.options) {
            Some(i) => users[i].push(policy),
            None => {
                snapshot
                    .listings
                    .push((policy.provider, policy.options.clone()));
                users.push(vec![policy]);
            }
        }
    }
    for (index, users) in users.iter().enumerate() {
        let (provider, options) = &snapshot.listings[index];
        let provider = *provider;
        let api = connect(provider, options);
        let filter = match users.as_slice() {
            [one] => one.selector.listing_filter(),
            _ => BucketFilter::default(),
        };
        let listed = match api.list_buckets(&filter).await {
            Ok(listed) => listed,
            Err(error) => {
                snapshot
                    .listing_errors
                    .insert(index, Chain(&error).to_string());
                continue;
            }
        };
        let needs_tags = |bucket: &DiscoveredBucket| {
            users.iter().any(|p| {
                p.selector.needs_tags()
                    && p.selector.verdict_without_tags(bucket) == crate::fleet::Verdict::Selected
            })
        };
        if let Some(cache) = cache {
            cache.retain(provider, &listed.iter().map(|b| b.name.as_str()).collect());
        }
        let read: Vec<(DiscoveredBucket, TagRead)> = stream::iter(listed)
            .map(|bucket| {
                let api = &api;
                let wanted = needs_tags(&bucket);
                async move {
                    if !wanted {
                        return (bucket, TagRead::NotNeeded);
                    }
                    if let Some(tags) = cache.and_then(|c| c.fresh(provider, &bucket.name)) {
                        return (bucket, TagRead::Read(tags));
                    }
                    let read = match api.bucket_tags(&bucket.name, &bucket.region).await {
                        Ok(tags) => {
                            if let Some(cache) = cache {
                                cache.store(provider, &bucket.name, &tags);
                            }
                            TagRead::Read(tags)
                        }
                        Err(error) if error.is_missing_bucket() => TagRead::Gone,
                        Err(error) => TagRead::Failed(Chain(&error).to_string()),
                    };
                    (bucket, read)
                }
            })
            .buffered(TAG_CONCURRENCY)
            .collect()
            .await;
        let seen = snapshot.buckets.entry(provider).or_default();
        for (bucket, read) in read {
            let tags = match read {
                TagRead::Gone => {
                    snapshot.gone.push((provider, bucket));
                    continue;
                }
                TagRead::Failed(reason) => {
                    snapshot.unreadable.push(UnreadableBucket {
                        provider,
                        bucket,
                        reason,
                        listing: index,
                    });
                    continue;
                }
                TagRead::Read(tags) => Some(tags),
                TagRead::NotNeeded => None,
            };
            seen.push(SeenBucket {
                bucket,
                tags,
                listing: index,
            });
        }
    }
    snapshot
}

/// What became of one listed bucket's tags.
enum TagRead {
    /// No selector of its account needs them.
    NotNeeded,
    Read(BucketTags),
    /// The bucket no longer exists.
    Gone,
    /// Any other error, cause chain included.
    Failed(String),
}
