//! A bucket as an account's bucket listing names it: provider-neutral data.

use serde::{Deserialize, Serialize};

use super::{BucketKey, Provider};

/// One bucket of an account, as the provider's bucket listing returned it.
///
/// Plain data: the provider client has already read the listing's wire form (S3
/// `BucketRegion`, COS `Location`, OSS `Region`) into these fields.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DiscoveredBucket {
    /// The bucket's name (COS: `name-appid`).
    pub name: String,
    /// The region id the bucket lives in, as its manifests spell it (`us-east-1`,
    /// `ap-guangzhou`, `cn-hangzhou`).
    pub region: String,
    /// When the bucket was created, as the provider wrote it (ISO 8601), when it said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
}

impl DiscoveredBucket {
    /// The key of this bucket of `provider`.
    pub fn key(&self, provider: Provider) -> BucketKey {
        BucketKey {
            provider,
            bucket: self.name.clone(),
            region: self.region.clone(),
        }
    }
}

/// What a bucket listing is narrowed to. The client sends what its provider can filter on
/// (S3: `prefix`, `bucket-region`; OSS: `prefix`; COS: the region's service host) and
/// applies the whole filter to what comes back, so every provider honours it alike.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BucketFilter {
    /// Only buckets whose name starts with this.
    pub prefix: Option<String>,
    /// Only buckets in this region.
    pub region: Option<String>,
}

impl BucketFilter {
    /// True when `bucket` passes the filter.
    pub(crate) fn admits(&self, bucket: &DiscoveredBucket) -> bool {
        self.prefix
            .as_deref()
            .is_none_or(|p| bucket.name.starts_with(p))
            && self.region.as_deref().is_none_or(|r| bucket.region == r)
    }
}
