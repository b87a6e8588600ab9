//! A bucket's objects and bucket policy in the store, and the listing rules every provider
//! shares (UTF-8 binary key order, prefix, delimiter roll-up, marker / start-after). Pure.

use std::collections::BTreeMap;

use super::bucket_index::BucketDefaults;
pub(crate) use super::state::StoredObject;
use super::state::{BucketState, Store, StoreError};
use crate::model::Provider;

/// Most keys one listing page holds (every provider: 1,000), and the default page size.
pub(crate) const MAX_KEYS: usize = 1000;

/// What a listing asks for, read from its query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ListQuery {
    pub(crate) prefix: String,
    /// Empty: no roll-up.
    pub(crate) delimiter: String,
    /// List only keys (and common prefixes) after this one (V1 `marker`, V2 `start-after` or
    /// the position a continuation token encodes).
    pub(crate) after: Option<String>,
    pub(crate) max_keys: usize,
}

/// One listing page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ObjectPage {
    /// Keys with their objects, in key order.
    pub(crate) contents: Vec<(String, StoredObject)>,
    /// Common prefixes, in order.
    pub(crate) prefixes: Vec<String>,
    /// More keys follow.
    pub(crate) truncated: bool,
    /// The last key or common prefix of the page: where the next page starts after.
    pub(crate) last: Option<String>,
}

impl ObjectPage {
    /// Contents and common prefixes together (V2 `KeyCount`).
    pub(crate) fn key_count(&self) -> usize {
        self.contents.len() + self.prefixes.len()
    }
}

/// Lists `objects` by `query`.
///
/// # Guarantees
/// - Keys come in byte order; a common prefix appears once, counts once toward `max_keys`,
///   and never again on a later page (a common prefix at or before `after` is skipped).
/// - `truncated` exactly when something is left after the page.
pub(crate) fn list(objects: &BTreeMap<String, StoredObject>, query: &ListQuery) -> ObjectPage {
    let mut page = ObjectPage::default();
    let after = query.after.as_deref().unwrap_or("");
    let start = if after.is_empty() {
        std::ops::Bound::Unbounded
    } else {
        std::ops::Bound::Excluded(after.to_string())
    };
    for (key, object) in objects.range((start, std::ops::Bound::Unbounded)) {
        let Some(rest) = key.strip_prefix(query.prefix.as_str()) else {
            if key.as_str() > query.prefix.as_str() && !query.prefix.is_empty() {
                break;
            }
            continue;
        };
        let item = match rest.find(query.delimiter.as_str()) {
            Some(at) if !query.delimiter.is_empty() => {
                let common = format!("{}{}", query.prefix, &rest[..at + query.delimiter.len()]);
                if common.as_str() <= after || page.prefixes.last() == Some(&common) {
                    continue;
                }
                Item::Prefix(common)
            }
            _ => Item::Key(key.clone(), object.clone()),
        };
        if page.key_count() >= query.max_keys {
            page.truncated = true;
            break;
        }
        match item {
            Item::Prefix(common) => {
                page.last = Some(common.clone());
                page.prefixes.push(common);
            }
            Item::Key(key, object) => {
                page.last = Some(key.clone());
                page.contents.push((key, object));
            }
        }
    }
    page
}

enum Item {
    Key(String, StoredObject),
    Prefix(String),
}

impl Store {
    /// The objects of a bucket (empty for one never written).
    ///
    /// # Errors
    /// [`StoreError::NoSuchBucket`] under strict buckets for a bucket that does not exist.
    pub(crate) fn objects(
        &self,
        provider: Provider,
        bucket: &str,
    ) -> Result<BTreeMap<String, StoredObject>, StoreError> {
        self.check_bucket(provider, bucket)?;
        Ok(self
            .bucket(provider, bucket)
            .map(|b| b.objects.clone())
            .unwrap_or_default())
    }

    /// Object `key` of a bucket, if it exists.
    ///
    /// # Errors
    /// As [`Store::objects`].
    pub(crate) fn object(
        &self,
        provider: Provider,
        bucket: &str,
        key: &str,
    ) -> Result<Option<StoredObject>, StoreError> {
        self.check_bucket(provider, bucket)?;
        Ok(self
            .bucket(provider, bucket)
            .and_then(|b| b.objects.get(key))
            .cloned())
    }

    /// Writes object `key`, creating the bucket (with `implied`) when it is new.
    ///
    /// # Errors
    /// As [`Store::objects`].
    pub(crate) fn put_object(
        &mut self,
        provider: Provider,
        bucket: &str,
        key: &str,
        object: StoredObject,
        implied: BucketDefaults<'_>,
    ) -> Result<(), StoreError> {
        self.check_bucket(provider, bucket)?;
        self.object_bucket_mut(provider, bucket)
            .objects
            .insert(key.to_string(), object);
        self.note_bucket(provider, bucket, implied);
        Ok(())
    }

    /// The bucket policy document, if one is set.
    ///
    /// # Errors
    /// As [`Store::objects`].
    pub(crate) fn policy(
        &self,
        provider: Provider,
        bucket: &str,
    ) -> Result<Option<String>, StoreError> {
        self.check_bucket(provider, bucket)?;
        Ok(self.bucket(provider, bucket).and_then(|b| b.policy.clone()))
    }

    /// Sets (`Some`) or removes (`None`) the bucket policy; returns whether one was set before.
    ///
    /// # Errors
    /// As [`Store::objects`].
    pub(crate) fn set_policy(
        &mut self,
        provider: Provider,
        bucket: &str,
        policy: Option<String>,
        implied: BucketDefaults<'_>,
    ) -> Result<bool, StoreError> {
        self.check_bucket(provider, bucket)?;
        if policy.is_none() && self.bucket(provider, bucket).is_none() {
            return Ok(false);
        }
        let state = self.object_bucket_mut(provider, bucket);
        let had = state.policy.is_some();
        state.policy = policy;
        self.note_bucket(provider, bucket, implied);
        Ok(had)
    }

    fn object_bucket_mut(&mut self, provider: Provider, bucket: &str) -> &mut BucketState {
        self.buckets
            .entry(provider)
            .or_default()
            .entry(bucket.to_string())
            .or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects(keys: &[&str]) -> BTreeMap<String, StoredObject> {
        keys.iter()
            .map(|k| (k.to_string(), StoredObject::new(k.as_bytes().to_vec(), 0)))
            .collect()
    }

    fn query(prefix: &str, delimiter: &str, after: Option<&str>, max_keys: usize) -> ListQuery {
        ListQuery {
            prefix: prefix.into(),
            delimiter: delimiter.into(),
            after: after.map(str::to_string),
            max_keys,
        }
    }

    fn keys(page: &ObjectPage) -> Vec<&str> {
        page.contents.iter().map(|(k, _)| k.as_str()).collect()
    }

    #[test]
    fn a_delimiter_rolls_keys_up_into_common_prefixes_counted_once() {
        let all = objects(&["a/1", "a/2", "b", "c/x/y", "d"]);
        let page = list(&all, &query("", "/", None, 1000));
        assert_eq!(keys(&page), ["b", "d"]);
        assert_eq!(page.prefixes, ["a/", "c/"]);
        assert!(!page.truncated);
    }

    #[test]
    fn paging_after_a_common_prefix_does_not_repeat_it() {
        let all = objects(&["a/1", "a/2", "b", "c/x"]);
        let first = list(&all, &query("", "/", None, 1));
        assert_eq!(
            (first.prefixes.clone(), first.truncated),
            (vec!["a/".to_string()], true)
        );
        let second = list(&all, &query("", "/", first.last.as_deref(), 1));
        assert_eq!((keys(&second), second.truncated), (vec!["b"], true));
        let third = list(&all, &query("", "/", second.last.as_deref(), 1));
        assert_eq!(
            (third.prefixes, third.truncated),
            (vec!["c/".to_string()], false)
        );
    }

    #[test]
    fn a_prefix_limits_the_listing_and_a_marker_starts_after_it() {
        let all = objects(&["p/1", "p/2", "p/3", "q"]);
        let page = list(&all, &query("p/", "", Some("p/1"), 1000));
        assert_eq!(keys(&page), ["p/2", "p/3"]);
    }
}
