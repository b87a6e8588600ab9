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
