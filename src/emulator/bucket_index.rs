//! The store's buckets as the bucket listing, the tagging calls and the admin API see them:
//! create and delete in O(log n), tags, and listing pages in name order from a cursor in
//! O(page) (plus the buckets a region or tag filter skips). Pure.

use std::collections::BTreeMap;
use std::ops::Bound;

use super::state::{BucketState, Store, StoreError};
use crate::model::Provider;

/// Which buckets one listing page holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BucketFilter {
    /// Only names that start with this.
    pub prefix: String,
    /// Only names after this one (exclusive): the cursor of the previous page.
    pub after: Option<String>,
    /// Only buckets in this region.
    pub region: Option<String>,
    /// Only buckets with this tag (key and value).
    pub tag: Option<(String, String)>,
    /// Most buckets on the page.
    pub limit: usize,
}

/// One bucket of a listing page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListedBucket {
    pub name: String,
    pub region: String,
    /// Creation time, seconds since the Unix epoch.
    pub created: u64,
}

/// One listing page, in name order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BucketPage {
    pub buckets: Vec<ListedBucket>,
    /// More buckets match after the last one on this page.
    pub(crate) truncated: bool,
}

impl BucketPage {
    /// The cursor of the next page (the last name on this one), when truncated.
    pub(crate) fn next_marker(&self) -> Option<&str> {
        self.truncated
            .then(|| self.buckets.last().map(|b| b.name.as_str()))
            .flatten()
    }
}

/// What a bucket without a recorded region or creation time is listed with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BucketDefaults<'a> {
    pub region: &'a str,
    /// Seconds since the Unix epoch.
    pub created: u64,
}

impl Store {
    /// Creates `bucket` in `region`, or moves an existing one there (its configurations and
    /// creation time stay); `tags`, when given, replace its tags. Returns whether it is new.
    /// O(log n).
    pub(crate) fn create_bucket(
        &mut self,
        provider: Provider,
        bucket: &str,
        region: &str,
        created: u64,
        tags: Option<BTreeMap<String, String>>,
    ) -> bool {
        let buckets = self.buckets.entry(provider).or_default();
        let is_new = !buckets.contains_key(bucket);
        let state = buckets.entry(bucket.to_string()).or_default();
        state.region = Some(region.to_string());
        state.created.get_or_insert(created);
        if let Some(tags) = tags {
            state.tags = tags;
        }
        is_new
    }

    /// Removes `bucket` with its configurations and tags; returns whether it existed.
    pub(crate) fn delete_bucket(&mut self, provider: Provider, bucket: &str) -> bool {
        self.buckets
            .get_mut(&provider)
            .and_then(|b| b.remove(bucket))
            .is_some()
    }

    /// Records where and when a bucket that a write just implied lives, unless known.
    pub(crate) fn note_bucket(
        &mut self,
        provider: Provider,
        bucket: &str,
        defaults: BucketDefaults<'_>,
    ) {
        if let Some(state) = self
            .buckets
            .get_mut(&provider)
            .and_then(|b| b.get_mut(bucket))
        {
            state
                .region
                .get_or_insert_with(|| defaults.region.to_string());
            state.created.get_or_insert(defaults.created);
        }
    }

    /// The region of a bucket the store knows with one.
    pub(crate) fn bucket_region(&self, provider: Provider, bucket: &str) -> Option<&str> {
        self.bucket(provider, bucket)?.region.as_deref()
    }

    /// The tags of `bucket` (empty for a bucket without any).
    ///
    /// # Errors
    /// [`StoreError::NoSuchBucket`] under strict buckets.
    pub(crate) fn tags(
        &self,
        provider: Provider,
        bucket: &str,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        self.check_bucket(provider, bucket)?;
        Ok(self
            .bucket(provider, bucket)
            .map(|b| b.tags.clone())
            .unwrap_or_default())
    }

    /// Replaces the tags of `bucket`, which springs into existence (with `defaults`) unless
    /// buckets are strict.
    ///
    /// # Errors
    /// [`StoreError::NoSuchBucket`] under strict buckets.
    pub(crate) fn set_tags(
        &mut self,
        provider: Provider,
        bucket: &str,
        tags: BTreeMap<String, String>,
        defaults: BucketDefaults<'_>,
    ) -> Result<(), StoreError> {
        self.check_bucket(provider, bucket)?;
        self.bucket_mut(provider, bucket).tags = tags;
        self.note_bucket(provider, bucket, defaults);
        Ok(())
    }

    /// Removes the tags of `bucket` named in `keys`, or all of them; returns whether it had
    /// any tag.
    ///
    /// # Errors
    /// [`StoreError::NoSuchBucket`] under strict buckets.
    pub(crate) fn delete_tags(
        &mut self,
        provider: Provider,
        bucket: &str,
        keys: Option<&[String]>,
    ) -> Result<bool, StoreError> {
        self.check_bucket(provider, bucket)?;
        let Some(state) = self
            .buckets
            .get_mut(&provider)
            .and_then(|b| b.get_mut(bucket))
        else {
            return Ok(false);
        };
        let had = !state.tags.is_empty();
        match keys {
            Some(keys) => state.tags.retain(|k, _| !keys.contains(k)),
            None => state.tags.clear(),
        }
        Ok(had)
    }

    /// The page of `provider`'s buckets that `filter` selects, in name order.
    pub(crate) fn list_buckets(
        &self,
        provider: Provider,
        filter: &BucketFilter,
        defaults: BucketDefaults<'_>,
    ) -> BucketPage {
        let Some(buckets) = self.buckets.get(&provider) else {
            return BucketPage::default();
        };
        let start = match filter.after.as_deref() {
            Some(after) if after >= filter.prefix.as_str() => Bound::Excluded(after),
            _ => Bound::Included(filter.prefix.as_str()),
        };
        let matching = buckets
            .range::<str, _>((start, Bound::Unbounded))
            .take_while(|(name, _)| name.starts_with(&filter.prefix))
            .filter(|(_, state)| {
                filter
                    .tag
                    .as_ref()
                    .is_none_or(|(k, v)| state.tags.get(k) == Some(v))
            })
            .map(|(name, state)| listed(name, state, defaults))
            .filter(|b| filter.region.as_ref().is_none_or(|r| *r == b.region));
        let mut page: Vec<ListedBucket> = matching.take(filter.limit.saturating_add(1)).collect();
        let truncated = page.len() > filter.limit;
        page.truncate(filter.limit);
        BucketPage {
            buckets: page,
            truncated,
        }
    }

    fn bucket_mut(&mut self, provider: Provider, bucket: &str) -> &mut BucketState {
        self.buckets
            .entry(provider)
            .or_default()
            .entry(bucket.to_string())
            .or_default()
    }
}

fn listed(name: &str, state: &BucketState, defaults: BucketDefaults<'_>) -> ListedBucket {
    ListedBucket {
        name: name.to_string(),
        region: state
            .region
            .clone()
            .unwrap_or_else(|| defaults.region.to_string()),
        created: state.created.unwrap_or(defaults.created),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::state::PutMode;

    const DEFAULTS: BucketDefaults<'static> = BucketDefaults {
        region: "r0",
        created: 7,
    };

    fn filter(limit: usize) -> BucketFilter {
        BucketFilter {
            limit,
            ..BucketFilter::default()
        }
    }

    /// Every page of `provider`'s buckets under `base`, following the cursor.
    fn pages(store: &Store, provider: Provider, base: &BucketFilter) -> Vec<BucketPage> {
        let mut out = Vec::new();
        let mut query = base.clone();
        loop {
            let page = store.list_buckets(provider, &query, DEFAULTS);
            let next = page.next_marker().map(str::to_string);
            out.push(page);
            match next {
                Some(marker) => query.after = Some(marker),
                None => return out,
            }
        }
    }

    #[test]
    fn a_hundred_thousand_buckets_page_through_each_once_in_name_order() {
        let mut store = Store::default();
        let providers = [Provider::COS, Provider::OSS, Provider::S3];
        for i in 0..100_000u32 {
            let provider = providers[i as usize % 3];
            assert!(store.create_bucket(provider, &format!("b{i:06}"), "r1", 1, None));
        }
        let mut seen = 0;
        for provider in providers {
            let pages = pages(&store, provider, &filter(1000));
            let names: Vec<&str> = pages
                .iter()
                .flat_map(|p| p.buckets.iter().map(|b| b.name.as_str()))
                .collect();
            assert!(names.windows(2).all(|w| w[0] < w[1]), "in order, each once");
            assert!(pages.iter().all(|p| p.buckets.len() <= 1000));
            seen += names.len();
        }
        assert_eq!(seen, 100_000);
    }

    #[test]
    fn prefix_region_and_tag_filters_select_and_the_cursor_is_exclusive() {
        let mut store = Store::default();
        let tagged = BTreeMap::from([("team".to_string(), "data".to_string())]);
        store.create_bucket(Provider::S3, "logs-a", "eu-west-1", 1, Some(tagged));
        store.create_bucket(Provider::S3, "logs-b", "us-east-1", 2, None);
        store.create_bucket(Provider::S3, "logs-c", "eu-west-1", 3, None);
        store.create_bucket(Provider::S3, "other", "eu-west-1", 4, None);
        let names = |f: &BucketFilter| -> Vec<String> {
            pages(&store, Provider::S3, f)
                .into_iter()
                .flat_map(|p| p.buckets.into_iter().map(|b| b.name))
                .collect()
        };
        let prefix = BucketFilter {
            prefix: "logs-".into(),
            ..filter(1)
        };
        assert_eq!(names(&prefix), ["logs-a", "logs-b", "logs-c"]);
        let region = BucketFilter {
            region: Some("eu-west-1".into()),
            ..prefix.clone()
        };
        assert_eq!(names(&region), ["logs-a", "logs-c"]);
        let tag = BucketFilter {
            tag: Some(("team".into(), "data".into())),
            ..filter(10)
        };
        assert_eq!(names(&tag), ["logs-a"]);
        let after = BucketFilter {
            after: Some("logs-b".into()),
            ..filter(10)
        };
        assert_eq!(names(&after), ["logs-c", "other"]);
    }

    #[test]
    fn a_bucket_implied_by_a_write_is_listed_with_what_the_write_knew() {
        let mut store = Store::default();
        store
            .put(
                Provider::OSS,
                "implied",
                "a",
                "<x/>".into(),
                PutMode::CreateOnly,
            )
            .unwrap();
        let old = store.list_buckets(Provider::OSS, &filter(10), DEFAULTS);
        assert_eq!(
            (old.buckets[0].region.as_str(), old.buckets[0].created),
            ("r0", 7)
        );
        let noted = BucketDefaults {
            region: "cn-beijing",
            created: 9,
        };
        store.note_bucket(Provider::OSS, "implied", noted);
        store.note_bucket(Provider::OSS, "implied", DEFAULTS);
        let page = store.list_buckets(Provider::OSS, &filter(10), DEFAULTS);
        assert_eq!(
            page.buckets,
            vec![ListedBucket {
                name: "implied".into(),
                region: "cn-beijing".into(),
                created: 9
            }]
        );
    }

    #[test]
    fn tags_are_replaced_removed_by_key_or_all_and_deleting_a_bucket_forgets_it() {
        let mut store = Store::default();
        let tags = BTreeMap::from([
            ("a".to_string(), "1".to_string()),
            ("b".to_string(), "2".to_string()),
        ]);
        store.set_tags(Provider::COS, "t", tags, DEFAULTS).unwrap();
        assert!(
            store
                .delete_tags(Provider::COS, "t", Some(&["a".into()]))
                .unwrap()
        );
        assert_eq!(store.tags(Provider::COS, "t").unwrap().len(), 1);
        assert!(store.delete_tags(Provider::COS, "t", None).unwrap());
        assert!(!store.delete_tags(Provider::COS, "t", None).unwrap());
        assert!(store.delete_bucket(Provider::COS, "t"));
        assert!(!store.delete_bucket(Provider::COS, "t"));
        store.strict = true;
        assert_eq!(
            store.tags(Provider::COS, "t"),
            Err(StoreError::NoSuchBucket("t".into()))
        );
    }
}
