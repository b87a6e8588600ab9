//! The emulator's data: buckets per provider (region, creation time, tags) and their
//! inventory configurations, written and listed by the rules each call names. Pure; the
//! server wraps it in a lock and persists it. Bucket listing and tags: `bucket_index`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::report::layout::md5_hex;
use super::token;
use crate::model::Provider;

/// Most configurations a bucket may hold (every provider documents 1,000).
pub(crate) const MAX_CONFIGS_PER_BUCKET: usize = 1000;

/// Configurations per LIST page (every provider).
pub(crate) const PAGE_SIZE: usize = 100;

/// One stored object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredObject {
    /// The object's bytes.
    pub(crate) body: Vec<u8>,
    /// Last modification, seconds since the Unix epoch (the emulator's clock).
    pub(crate) modified: u64,
    /// MD5 of `body`, lower-case hex (the ETag of a simple upload, unquoted).
    pub(crate) md5: String,
}

impl StoredObject {
    /// An object holding `body`, modified at `modified`.
    pub(crate) fn new(body: Vec<u8>, modified: u64) -> Self {
        let md5 = md5_hex(&body);
        StoredObject {
            body,
            modified,
            md5,
        }
    }
}

/// One stored configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredConfig {
    /// Creation sequence number within the bucket; a COS upsert keeps it, so the config keeps
    /// its place in creation-order listings.
    pub(crate) seq: u64,
    /// The `InventoryConfiguration` element as it will be served, compact, no declaration.
    pub xml: String,
}

/// One bucket: its configurations keyed by id, and what the bucket listing and the tagging
/// calls serve.
///
/// A bucket implied by a write (no strict buckets) gets its region and creation time from
/// that write; a state file written before buckets had them reads with neither, and the
/// bucket is listed in its provider's default region at the emulator's start time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BucketState {
    pub configs: BTreeMap<String, StoredConfig>,
    pub next_seq: u64,
    /// The bucket's region, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Creation time, seconds since the Unix epoch, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<u64>,
    /// The bucket's tags, key → value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// The bucket's objects, key → object.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) objects: BTreeMap<String, StoredObject>,
    /// The bucket policy document, as PUT.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) policy: Option<String>,
}

/// How a PUT treats an id that already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PutMode {
    /// Replace in place (the configuration keeps its place in creation order).
    Upsert,
    /// Refuse with [`StoreError::AlreadyExists`].
    CreateOnly,
}

/// The order LIST serves a bucket's configurations in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListOrder {
    /// Creation order; a replaced configuration keeps its place.
    Creation,
    /// By id.
    Id,
}

/// Why a store operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum StoreError {
    #[error("bucket {0} does not exist")]
    NoSuchBucket(String),
    #[error("configuration {0} already exists")]
    AlreadyExists(String),
    #[error("bucket already holds {MAX_CONFIGS_PER_BUCKET} configurations")]
    TooManyConfigurations,
    #[error("continuation token is not one this server issued")]
    InvalidToken,
}

/// One LIST page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Page {
    /// Served XML of each configuration, in listing order.
    pub items: Vec<String>,
    /// Token for the next page; `Some` exactly when the listing is truncated.
    pub(crate) next_token: Option<String>,
}

/// All buckets of every provider.
///
/// # Guarantees
/// - Listings follow the [`ListOrder`] asked for; tokens are issued for that order.
/// - Tokens stay valid across writes: a page starts at the first config at or after the
///   cursor, so deleting the config a token points at skips nothing else.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Store {
    pub buckets: BTreeMap<Provider, BTreeMap<String, BucketState>>,
    /// Only the buckets in `buckets` exist (404 `NoSuchBucket` for others); otherwise a
    /// bucket springs into existence on its first write.
    #[serde(skip)]
    pub strict: bool,
}

impl Store {
    /// Refuses a bucket that does not exist under strict buckets.
    pub(crate) fn check_bucket(&self, provider: Provider, bucket: &str) -> Result<(), StoreError> {
        if self.strict && self.bucket(provider, bucket).is_none() {
            return Err(StoreError::NoSuchBucket(bucket.to_string()));
        }
        Ok(())
    }

    pub(crate) fn bucket(&self, provider: Provider, bucket: &str) -> Option<&BucketState> {
        self.buckets.get(&provider)?.get(bucket)
    }

    /// Stores `xml` as configuration `id`. Returns whether an existing config was replaced.
    pub(crate) fn put(
        &mut self,
        provider: Provider,
        bucket: &str,
        id: &str,
        xml: String,
        mode: PutMode,
    ) -> Result<bool, StoreError> {
        self.check_bucket(provider, bucket)?;
        let state = self
            .buckets
            .entry(provider)
            .or_default()
            .entry(bucket.to_string())
            .or_default();
        if let Some(existing) = state.configs.get_mut(id) {
            return match mode {
                PutMode::Upsert => {
                    existing.xml = xml;
                    Ok(true)
                }
                PutMode::CreateOnly => Err(StoreError::AlreadyExists(id.to_string())),
            };
        }
        if state.configs.len() >= MAX_CONFIGS_PER_BUCKET {
            return Err(StoreError::TooManyConfigurations);
        }
        let seq = state.next_seq;
        state.next_seq += 1;
        state
            .configs
            .insert(id.to_string(), StoredConfig { seq, xml });
        Ok(false)
    }

    /// The served XML of configuration `id`, `None` when it does not exist.
    pub(crate) fn get(
        &self,
        provider: Provider,
        bucket: &str,
        id: &str,
    ) -> Result<Option<String>, StoreError> {
        self.check_bucket(provider, bucket)?;
        Ok(self
            .bucket(provider, bucket)
            .and_then(|b| b.configs.get(id))
            .map(|c| c.xml.clone()))
    }

    /// Removes configuration `id`; returns whether it existed.
    pub(crate) fn delete(
        &mut self,
        provider: Provider,
        bucket: &str,
        id: &str,
    ) -> Result<bool, StoreError> {
        self.check_bucket(provider, bucket)?;
        Ok(self
            .buckets
            .get_mut(&provider)
            .and_then(|b| b.get_mut(bucket))
            .and_then(|b| b.configs.remove(id))
            .is_some())
    }

    /// Number of configurations in a bucket (0 for one never written).
    pub(crate) fn count(&self, provider: Provider, bucket: &str) -> usize {
        self.bucket(provider, bucket).map_or(0, |b| b.configs.len())
    }

    /// The page starting at `token` (`None` or empty: the first page).
    pub(crate) fn list_page(
        &self,
        provider: Provider,
        bucket: &str,
        token: Option<&str>,
        order: ListOrder,
    ) -> Result<Page, StoreError> {
        self.check_bucket(provider, bucket)?;
        let cursor = match token.filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => Some(token::decode(t).ok_or(StoreError::InvalidToken)?),
        };
        let mut entries: Vec<(ListKey, &StoredConfig)> = self
            .bucket(provider, bucket)
            .map(|b| {
                b.configs
                    .iter()
                    .map(|(id, c)| (ListKey::of(order, id, c), c))
                    .collect()
            })
            .unwrap_or_default();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let start = match cursor {
            None => 0,
            Some(cursor) => {
                let cursor = ListKey::parse(order, &cursor).ok_or(StoreError::InvalidToken)?;
                entries.partition_point(|(key, _)| *key < cursor)
            }
        };
        let rest = &entries[start..];
        let items = rest
            .iter()
            .take(PAGE_SIZE)
            .map(|(_, c)| c.xml.clone())
            .collect();
        let next_token = rest
            .get(PAGE_SIZE)
            .map(|(key, _)| token::encode(&key.cursor()));
        Ok(Page { items, next_token })
    }
}

/// Listing position of a configuration: creation sequence or id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum ListKey {
    Seq(u64),
    Id(String),
}

impl ListKey {
    fn of(order: ListOrder, id: &str, config: &StoredConfig) -> Self {
        match order {
            ListOrder::Creation => ListKey::Seq(config.seq),
            ListOrder::Id => ListKey::Id(id.to_string()),
        }
    }

    fn parse(order: ListOrder, cursor: &str) -> Option<Self> {
        match order {
            ListOrder::Creation => cursor.parse().ok().map(ListKey::Seq),
            ListOrder::Id => Some(ListKey::Id(cursor.to_string())),
        }
    }

    fn cursor(&self) -> String {
        match self {
            ListKey::Seq(seq) => seq.to_string(),
            ListKey::Id(id) => id.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The order each provider's dialect lists in.
    fn order(provider: Provider) -> ListOrder {
        match provider {
            Provider::COS => ListOrder::Creation,
            _ => ListOrder::Id,
        }
    }

    fn xml(id: &str, v: &str) -> String {
        format!("<InventoryConfiguration><Id>{id}</Id><V>{v}</V></InventoryConfiguration>")
    }

    fn all_pages(store: &Store, provider: Provider) -> Vec<Vec<String>> {
        let mut pages = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = store
                .list_page(provider, "b", token.as_deref(), order(provider))
                .unwrap();
            pages.push(page.items);
            match page.next_token {
                Some(t) => token = Some(t),
                None => return pages,
            }
        }
    }

    #[test]
    fn cos_put_replaces_in_place_and_lists_in_creation_order() {
        let mut store = Store::default();
        for id in ["b", "a", "c"] {
            assert!(
                !store
                    .put(Provider::COS, "b", id, xml(id, "1"), PutMode::Upsert)
                    .unwrap()
            );
        }
        assert!(
            store
                .put(Provider::COS, "b", "a", xml("a", "2"), PutMode::Upsert)
                .unwrap()
        );
        let pages = all_pages(&store, Provider::COS);
        assert_eq!(
            pages,
            vec![vec![xml("b", "1"), xml("a", "2"), xml("c", "1")]]
        );
    }

    #[test]
    fn oss_put_is_create_only_and_lists_by_id() {
        let mut store = Store::default();
        for id in ["b", "a"] {
            store
                .put(Provider::OSS, "b", id, xml(id, "1"), PutMode::CreateOnly)
                .unwrap();
        }
        assert_eq!(
            store.put(Provider::OSS, "b", "a", xml("a", "2"), PutMode::CreateOnly),
            Err(StoreError::AlreadyExists("a".into()))
        );
        assert_eq!(
            all_pages(&store, Provider::OSS),
            vec![vec![xml("a", "1"), xml("b", "1")]]
        );
    }

    #[test]
    fn listing_250_configs_takes_three_pages_of_at_most_100() {
        let mut store = Store::default();
        for i in 0..250 {
            let id = format!("ID-{i}");
            store
                .put(Provider::COS, "b", &id, xml(&id, "x"), PutMode::Upsert)
                .unwrap();
        }
        let pages = all_pages(&store, Provider::COS);
        assert_eq!(
            pages.iter().map(Vec::len).collect::<Vec<_>>(),
            [100, 100, 50]
        );
        assert_eq!(pages[1][0], xml("ID-100", "x"));
    }

    #[test]
    fn a_token_survives_deletion_of_the_config_it_points_at() {
        let mut store = Store::default();
        for i in 0..150 {
            let id = format!("id{i:03}");
            store
                .put(Provider::OSS, "b", &id, xml(&id, "x"), PutMode::CreateOnly)
                .unwrap();
        }
        let first = store
            .list_page(Provider::OSS, "b", None, ListOrder::Id)
            .unwrap();
        store.delete(Provider::OSS, "b", "id100").unwrap();
        let second = store
            .list_page(
                Provider::OSS,
                "b",
                first.next_token.as_deref(),
                ListOrder::Id,
            )
            .unwrap();
        assert_eq!(second.items.len(), 49);
        assert_eq!(second.items[0], xml("id101", "x"));
        assert_eq!(second.next_token, None);
    }

    #[test]
    fn an_empty_token_means_the_first_page_and_a_bad_one_is_refused() {
        let mut store = Store::default();
        store
            .put(Provider::COS, "b", "a", xml("a", "1"), PutMode::Upsert)
            .unwrap();
        assert_eq!(
            store
                .list_page(Provider::COS, "b", Some(""), ListOrder::Creation)
                .unwrap()
                .items
                .len(),
            1
        );
        assert_eq!(
            store.list_page(Provider::COS, "b", Some("garbage"), ListOrder::Creation),
            Err(StoreError::InvalidToken)
        );
        assert_eq!(
            store.list_page(
                Provider::COS,
                "b",
                Some(&token::encode("x")),
                ListOrder::Creation
            ),
            Err(StoreError::InvalidToken)
        );
    }

    #[test]
    fn the_thousand_and_first_config_is_refused_but_replacing_one_is_not() {
        let mut store = Store::default();
        for i in 0..MAX_CONFIGS_PER_BUCKET {
            let id = format!("{i}");
            store
                .put(Provider::COS, "b", &id, xml(&id, "x"), PutMode::Upsert)
                .unwrap();
        }
        assert_eq!(
            store.put(Provider::COS, "b", "new", xml("new", "x"), PutMode::Upsert),
            Err(StoreError::TooManyConfigurations)
        );
        assert!(
            store
                .put(Provider::COS, "b", "7", xml("7", "y"), PutMode::Upsert)
                .unwrap()
        );
    }

    #[test]
    fn strict_stores_know_only_listed_buckets() {
        let mut store = Store {
            strict: true,
            ..Store::default()
        };
        store
            .buckets
            .entry(Provider::COS)
            .or_default()
            .insert("known".to_string(), BucketState::default());
        assert!(
            store
                .put(Provider::COS, "known", "a", xml("a", "1"), PutMode::Upsert)
                .is_ok()
        );
        assert_eq!(
            store.put(Provider::COS, "other", "a", xml("a", "1"), PutMode::Upsert),
            Err(StoreError::NoSuchBucket("other".into()))
        );
        assert!(store.get(Provider::OSS, "known", "a").is_err());
    }
}
