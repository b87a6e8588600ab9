//! Sharded replicas: which buckets one replica of a StatefulSet owns.
//!
//! # Guarantees
//! - Every bucket is owned by exactly one of `count` replicas, and the owner depends only on
//!   the bucket's provider, region and name and on `count` (a stable hash: SHA-256, then
//!   jump consistent hashing), never on the process, the platform or the Rust version.
//! - Growing from `n` to `n + 1` replicas moves only about `1/(n+1)` of the buckets (the
//!   property of jump consistent hashing).

use std::fmt;

use sha2::{Digest, Sha256};

use crate::model::BucketKey;

/// One replica's share of the buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u32,
    count: u32,
}

/// Why a shard cannot be determined.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ShardError {
    /// `--shard-count` is zero.
    #[error("--shard-count (INVSYNC_SHARD_COUNT) must be at least 1")]
    ZeroCount,
    /// The index is not below the count.
    #[error("--shard-index {index} is out of range for --shard-count {count}; use 0..={}", count - 1)]
    OutOfRange {
        /// `--shard-index` as given.
        index: u32,
        /// `--shard-count` as given (at least 1).
        count: u32,
    },
    /// Sharded, but no index given and none in the host name.
    #[error(
        "--shard-count {count} needs --shard-index (INVSYNC_SHARD_INDEX), or a StatefulSet pod name ending in its ordinal (HOSTNAME `{hostname}` has none)"
    )]
    NoIndex {
        /// `--shard-count` as given (more than 1).
        count: u32,
        /// The host name searched for an ordinal (`HOSTNAME`).
        hostname: String,
    },
}

impl Shard {
    /// The only shard of an unsharded deployment: owns every bucket.
    pub(crate) const SINGLE: Shard = Shard { index: 0, count: 1 };

    /// Shard `index` of `count`.
    ///
    /// # Errors
    /// A zero count or an index not below it.
    pub fn new(index: u32, count: u32) -> Result<Shard, ShardError> {
        if count == 0 {
            return Err(ShardError::ZeroCount);
        }
        if index >= count {
            return Err(ShardError::OutOfRange { index, count });
        }
        Ok(Shard { index, count })
    }

    /// The shard from the flags, the index defaulting to the ordinal at the end of `hostname`
    /// (a StatefulSet pod `invsync-2` is shard 2) when there is more than one shard.
    ///
    /// # Errors
    /// See [`ShardError`].
    pub fn resolve(index: Option<u32>, count: u32, hostname: &str) -> Result<Shard, ShardError> {
        let index = match index {
            Some(index) => index,
            None if count <= 1 => 0,
            None => ordinal(hostname).ok_or_else(|| ShardError::NoIndex {
                count,
                hostname: hostname.to_string(),
            })?,
        };
        Shard::new(index, count)
    }

    /// This replica's index, in `0..count`.
    pub fn index(self) -> u32 {
        self.index
    }

    /// How many replicas share the buckets (at least 1; 1 means unsharded).
    pub fn count(self) -> u32 {
        self.count
    }

    /// True when this replica reconciles `key`.
    pub(crate) fn owns(self, key: &BucketKey) -> bool {
        self.count == 1 || shard_of(key, self.count) == self.index
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The ordinal of a StatefulSet pod name: the digits after its last `-`.
fn ordinal(hostname: &str) -> Option<u32> {
    let (_, digits) = hostname.trim().rsplit_once('-')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The shard owning `key` among `count` (≥ 1).
pub(crate) fn shard_of(key: &BucketKey, count: u32) -> u32 {
    let digest = Sha256::new()
        .chain_update(key.provider.as_str())
        .chain_update([0])
        .chain_update(&key.region)
        .chain_update([0])
        .chain_update(&key.bucket)
        .finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    jump(u64::from_be_bytes(first), count)
}

/// Jump consistent hash (Lamping and Veach, "A Fast, Minimal Memory, Consistent Hash
/// Algorithm", 2014), as published.
fn jump(mut key: u64, buckets: u32) -> u32 {
    let (mut b, mut j): (i64, i64) = (-1, 0);
    while j < i64::from(buckets) {
        b = j;
        key = key.wrapping_mul(2_862_933_555_777_941_757).wrapping_add(1);
        j = ((b + 1) as f64 * ((1u64 << 31) as f64 / ((key >> 33) + 1) as f64)) as i64;
    }
    b as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Provider;

    fn key(bucket: &str) -> BucketKey {
        BucketKey {
            provider: Provider::COS,
            bucket: bucket.to_string(),
            region: "ap-guangzhou".to_string(),
        }
    }

    #[test]
    fn the_index_defaults_to_the_statefulset_ordinal() {
        assert_eq!(Shard::resolve(None, 3, "invsync-2"), Shard::new(2, 3));
        assert_eq!(Shard::resolve(Some(1), 3, "invsync-2"), Shard::new(1, 3));
        assert_eq!(Shard::resolve(None, 1, "laptop"), Ok(Shard::SINGLE));
        assert_eq!(
            Shard::resolve(None, 3, "laptop"),
            Err(ShardError::NoIndex {
                count: 3,
                hostname: "laptop".into()
            })
        );
        assert_eq!(
            Shard::resolve(None, 3, "invsync-3"),
            Err(ShardError::OutOfRange { index: 3, count: 3 })
        );
        assert_eq!(Shard::new(0, 0), Err(ShardError::ZeroCount));
    }

    #[test]
    fn every_bucket_has_exactly_one_owner_and_the_shares_are_balanced() {
        let shards: Vec<Shard> = (0..4).map(|i| Shard::new(i, 4).unwrap()).collect();
        let mut sizes = [0usize; 4];
        for i in 0..4000 {
            let k = key(&format!("b{i}-1250000000"));
            let owners: Vec<u32> = shards
                .iter()
                .filter(|s| s.owns(&k))
                .map(|s| s.index)
                .collect();
            assert_eq!(owners.len(), 1);
            sizes[owners[0] as usize] += 1;
        }
        assert!(sizes.iter().all(|n| (850..1150).contains(n)), "{sizes:?}");
    }

    #[test]
    fn the_owner_is_stable_across_builds() {
        // Golden values: a change here would move buckets between running replicas.
        let owners: Vec<u32> = ["a-1250000000", "b-1250000000", "c-1250000000", "logs"]
            .iter()
            .map(|b| shard_of(&key(b), 5))
            .collect();
        assert_eq!(owners, GOLDEN);
    }

    /// Cross-checked with an independent Python implementation of the same steps (hashlib's
    /// SHA-256 and the paper's jump function).
    const GOLDEN: [u32; 4] = [2, 1, 4, 0];

    #[test]
    fn growing_the_count_moves_only_a_share_of_the_buckets() {
        let moved = (0..3000)
            .filter(|i| {
                let k = key(&format!("b{i}"));
                shard_of(&k, 4) != shard_of(&k, 5)
            })
            .count();
        // About 1/5 move; a modulo hash would move about 4/5.
        assert!((450..750).contains(&moved), "{moved}");
    }
}
