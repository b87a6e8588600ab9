//! The one discovery client of the S3-family APIs: [`DiscoveryApi`] over the same signed
//! HTTP as the inventory calls, for any [`Dialect`].
//!
//! Where each call goes:
//! - the bucket listing goes to the provider's **service endpoint** (no bucket in the host):
//!   S3 `https://s3.{region}.amazonaws.com/` (`us-east-1` unless the filter names a region,
//!   which S3 requires for `bucket-region`), COS `https://service.cos.myqcloud.com/` (or
//!   `cos.{region}.myqcloud.com` for one region), OSS `https://oss-{region}.aliyuncs.com/`
//!   (`cn-hangzhou` unless the filter names one); with an endpoint override, to the root of
//!   that endpoint, signed for the same host and region;
//! - a bucket's tags go to the bucket's **regional endpoint**, addressed as its inventory
//!   calls are (virtual-hosted or path style, the endpoint override honoured).

use std::sync::Arc;

use super::{Client, Dialect};
use crate::model::{BucketKey, DiscoveredBucket, Endpoint};
use crate::provider::discovery::{ACCOUNT, BucketFilter, BucketTags, DiscoveryApi};

use crate::provider::paginate::{self, Page};
use crate::provider::request::InventoryCall;
use crate::provider::{BoxFuture, Operation, ProviderError};

impl<D: Dialect> Client<D> {
    /// The client as a discovery client, sending to `endpoint` when given, as the registry
    /// hands them out.
    pub(crate) fn shared_discovery(self, endpoint: Option<Endpoint>) -> Arc<dyn DiscoveryApi> {
        Arc::new(match endpoint {
            Some(endpoint) => self.with_endpoint(endpoint),
            None => self,
        })
    }

    /// One page of the bucket listing; `token` is the previous page's.
    async fn bucket_page(
        &self,
        filter: &BucketFilter,
        token: Option<&str>,
    ) -> Result<Page<DiscoveredBucket>, ProviderError> {
        let account = account_key::<D>(filter);
        let params = D::BUCKET_LISTING.params(filter, token);
        let call = InventoryCall::ListBuckets { params: &params };
        let raw = self.send(&account, &call).await?;
        D::read_bucket_page(raw.status, &raw.headers, &raw.body)
            .map_err(|f| f.into_error(D::PROVIDER, Operation::ListBuckets, &account))
    }

    async fn all_buckets(
        &self,
        filter: &BucketFilter,
    ) -> Result<Vec<DiscoveredBucket>, ProviderError> {
        let buckets = paginate::list_pages(
            D::PROVIDER,
            Operation::ListBuckets,
            ACCOUNT,
            |token| async move { self.bucket_page(filter, token.as_deref()).await },
        )
        .await?;
        Ok(buckets.into_iter().filter(|b| filter.admits(b)).collect())
    }

    async fn tags_of(&self, bucket: &str, region: &str) -> Result<BucketTags, ProviderError> {
        let key = BucketKey {
            provider: D::PROVIDER,
            bucket: bucket.to_string(),
            region: region.to_string(),
        };
        let raw = self.send(&key, &InventoryCall::GetBucketTags).await?;
        D::read_tags(raw.status, &raw.headers, &raw.body)
            .map_err(|f| f.into_error(D::PROVIDER, Operation::GetBucketTags, &key))
    }
}

/// The key a listing is sent under: the account (named so in errors), at the region of the
/// service endpoint the filter asks for, which is also the region its rate counts against.
fn account_key<D: Dialect>(filter: &BucketFilter) -> BucketKey {
    BucketKey {
        provider: D::PROVIDER,
        bucket: ACCOUNT.to_string(),
        region: D::BUCKET_LISTING.endpoint_region(filter).to_string(),
    }
}

impl<D: Dialect> DiscoveryApi for Client<D> {
    fn list_buckets<'a>(
        &'a self,
        filter: &'a BucketFilter,
    ) -> BoxFuture<'a, Result<Vec<DiscoveredBucket>, ProviderError>> {
        Box::pin(self.all_buckets(filter))
    }

    fn bucket_tags<'a>(
        &'a self,
        bucket: &'a str,
        region: &'a str,
    ) -> BoxFuture<'a, Result<BucketTags, ProviderError>> {
        Box::pin(self.tags_of(bucket, region))
    }
}
