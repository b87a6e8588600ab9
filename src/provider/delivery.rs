//! Delivery reads: the few object-API calls that tell whether a configuration's reports can
//! arrive and whether they do, on the configuration's destination bucket, beside
//! [`crate::provider::InventoryApi`] and [`crate::provider::discovery::DiscoveryApi`].

use crate::model::BucketKey;
use crate::provider::{BoxFuture, ProviderError};

/// One page of an object listing to ask for (the provider's `ListObjects`, version 1 with its
/// `marker`, which all three S3-family APIs serve).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectQuery<'a> {
    /// Only keys starting with this.
    pub prefix: &'a str,
    /// When given, keys with this after the prefix are rolled up into
    /// [`ObjectPage::common_prefixes`] (the usual `/`).
    pub delimiter: Option<&'a str>,
    /// Only keys (and common prefixes) after this one, in UTF-8 binary order: the previous
    /// page's [`ObjectPage::next_marker`], or a key chosen to skip what is known to be old.
    pub marker: Option<&'a str>,
    /// At most this many keys and common prefixes together (1–1000).
    pub max_keys: u32,
}

/// One object of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectEntry {
    /// The full key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
}

/// One page of an object listing, in UTF-8 binary key order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectPage {
    /// The objects of the page.
    pub objects: Vec<ObjectEntry>,
    /// With a delimiter: the rolled-up prefixes, each ending with the delimiter.
    pub common_prefixes: Vec<String>,
    /// Where the next page starts (`marker` of the next query) when the listing is truncated;
    /// `None` on the last page.
    pub next_marker: Option<String>,
}

/// The delivery reads invsync makes on a destination bucket: read-only, never a write.
///
/// Object-safe, like [`crate::provider::InventoryApi`]: clients are handed out as
/// `Arc<dyn DeliveryApi>` by the provider's table entry.
///
/// # Guarantees
/// - `list_objects` returns one page as the service answered it. A truncated answer without a
///   way to the next page, or a success body that is not the provider's object listing, is a
///   `Decode` error, never a short page. 404 `NoSuchBucket` is a `Service` error.
/// - `get_object` returns the object's bytes, at most `max_bytes` of them: a larger object is
///   an error, never a truncated read. 404 `NoSuchKey` is a `Service` error.
/// - `bucket_policy` returns the bucket's policy document as the service stored it, `None`
///   for the provider's documented "no policy" answer (404 `NoSuchBucketPolicy` or its
///   equivalent); any other error answer, 403 included, is an error: a policy that cannot be
///   read is reported as not checked, never as absent.
/// - Signing, retries (transport errors, 5xx, throttling), the rate limit per account and
///   region, the body size cap and the XML depth limit are the inventory calls'.
pub trait DeliveryApi: Send + Sync {
    /// One page of the objects of `bucket` matching `query`.
    fn list_objects<'a>(
        &'a self,
        bucket: &'a BucketKey,
        query: ObjectQuery<'a>,
    ) -> BoxFuture<'a, Result<ObjectPage, ProviderError>>;

    /// The bytes of object `key` of `bucket`, when at most `max_bytes`.
    fn get_object<'a>(
        &'a self,
        bucket: &'a BucketKey,
        key: &'a str,
        max_bytes: usize,
    ) -> BoxFuture<'a, Result<Vec<u8>, ProviderError>>;

    /// The bucket policy of `bucket`, `None` when it has none.
    fn bucket_policy<'a>(
        &'a self,
        bucket: &'a BucketKey,
    ) -> BoxFuture<'a, Result<Option<String>, ProviderError>>;
}

/// A shared client is a client: `Arc<dyn DeliveryApi>` goes wherever a `DeliveryApi` does.
impl<T: DeliveryApi + ?Sized> DeliveryApi for std::sync::Arc<T> {
    fn list_objects<'a>(
        &'a self,
        bucket: &'a BucketKey,
        query: ObjectQuery<'a>,
    ) -> BoxFuture<'a, Result<ObjectPage, ProviderError>> {
        (**self).list_objects(bucket, query)
    }

    fn get_object<'a>(
        &'a self,
        bucket: &'a BucketKey,
        key: &'a str,
        max_bytes: usize,
    ) -> BoxFuture<'a, Result<Vec<u8>, ProviderError>> {
        (**self).get_object(bucket, key, max_bytes)
    }

    fn bucket_policy<'a>(
        &'a self,
        bucket: &'a BucketKey,
    ) -> BoxFuture<'a, Result<Option<String>, ProviderError>> {
        (**self).bucket_policy(bucket)
    }
}
