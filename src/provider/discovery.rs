//! Discovery: the account's buckets and one bucket's tags, the reads a fleet selector needs,
//! beside the inventory calls of [`crate::provider::InventoryApi`].

use std::collections::BTreeMap;

pub use crate::model::BucketFilter;
use crate::model::DiscoveredBucket;
use crate::provider::{BoxFuture, ProviderError};

/// One bucket's tags, key to value (a key without a value maps to `""`).
pub type BucketTags = BTreeMap<String, String>;

/// The name errors of the bucket listing give as their bucket: the listing is the account's.
pub const ACCOUNT: &str = "the account";

/// The discovery reads invsync needs from a provider.
///
/// Object-safe, like [`crate::provider::InventoryApi`]: clients are handed out as
/// `Arc<dyn DiscoveryApi>` by the provider's table entry
/// ([`crate::provider::kit::spec::ProviderSpec::discover`]).
///
/// # Guarantees
/// - `list_buckets` returns every bucket of the account that passes `filter`, following all
///   pages, each once, in the provider's order. A success body that is not the provider's
///   bucket listing (an HTML page, an `<Error>` document, a bucket without a name or region)
///   is a `Decode` error, never a short list.
/// - `bucket_tags` returns the bucket's tags; the provider's documented answer for a bucket
///   without tags (S3 and COS: 404 `NoSuchTagSet`; OSS: an empty `<Tagging>`) is an empty
///   map. Any other error answer, 404 `NoSuchBucket` and 403 included, is an error: a bucket
///   whose tags cannot be read is reported, never guessed at.
/// - Signing, retries (transport errors, 5xx, throttling), the rate limit per account and
///   region, the body size cap and the XML depth limit are the inventory calls'.
pub trait DiscoveryApi: Send + Sync {
    /// Every bucket of the account that passes `filter`.
    fn list_buckets<'a>(
        &'a self,
        filter: &'a BucketFilter,
    ) -> BoxFuture<'a, Result<Vec<DiscoveredBucket>, ProviderError>>;

    /// The tags of `bucket` in `region`.
    fn bucket_tags<'a>(
        &'a self,
        bucket: &'a str,
        region: &'a str,
    ) -> BoxFuture<'a, Result<BucketTags, ProviderError>>;
}

/// A shared client is a client: `Arc<dyn DiscoveryApi>` goes wherever a `DiscoveryApi` does.
impl<T: DiscoveryApi + ?Sized> DiscoveryApi for std::sync::Arc<T> {
    fn list_buckets<'a>(
        &'a self,
        filter: &'a BucketFilter,
    ) -> BoxFuture<'a, Result<Vec<DiscoveredBucket>, ProviderError>> {
        (**self).list_buckets(filter)
    }

    fn bucket_tags<'a>(
        &'a self,
        bucket: &'a str,
        region: &'a str,
    ) -> BoxFuture<'a, Result<BucketTags, ProviderError>> {
        (**self).bucket_tags(bucket, region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(name: &str, region: &str) -> DiscoveredBucket {
        DiscoveredBucket {
            name: name.into(),
            region: region.into(),
            created: None,
        }
    }

    #[test]
    fn a_filter_admits_by_prefix_and_region_and_an_empty_one_admits_all() {
        let filter = BucketFilter {
            prefix: Some("logs-".into()),
            region: Some("eu-west-1".into()),
        };
        assert!(filter.admits(&bucket("logs-a", "eu-west-1")));
        assert!(!filter.admits(&bucket("logs-a", "us-east-1")));
        assert!(!filter.admits(&bucket("data-a", "eu-west-1")));
        assert!(BucketFilter::default().admits(&bucket("x", "y")));
    }
}
