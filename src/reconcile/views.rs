//! What the daemon remembers of each bucket's latest reconcile, with the sums its gauges and
//! the in-sync announcement need kept up to date as buckets change, so that recording one
//! bucket costs the same at 10 buckets as at 100,000.

use std::collections::BTreeMap;

use crate::metrics::ConfigCounts;
use crate::model::{BucketKey, Provider};

/// The latest reconcile of one bucket, as the gauges and the in-sync announcement need it.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct BucketView {
    /// Its configuration counts, once a reconcile read them.
    pub counts: Option<ConfigCounts>,
    /// Its latest reconcile left it in sync.
    pub in_sync: bool,
}

/// Every bucket's [`BucketView`], with per-provider sums of their counts and the number in
/// sync.
///
/// # Guarantees
/// [`BucketViews::totals`] and [`BucketViews::in_sync_count`] always equal what a walk over
/// every view would give.
#[derive(Debug, Default)]
pub(super) struct BucketViews {
    views: BTreeMap<BucketKey, BucketView>,
    totals: BTreeMap<Provider, ConfigCounts>,
    in_sync: usize,
}

impl BucketViews {
    /// The view of `key`, when it was reconciled.
    pub(super) fn get(&self, key: &BucketKey) -> Option<&BucketView> {
        self.views.get(key)
    }

    /// Records `key`'s latest reconcile: `in_sync`, and its counts when it read them (else
    /// the last counts stay). Returns the view before, `None` the first time.
    pub(super) fn record(
        &mut self,
        key: BucketKey,
        in_sync: bool,
        counts: Option<ConfigCounts>,
    ) -> Option<BucketView> {
        let provider = key.provider;
        let before = self.views.get(&key).copied();
        if let Some(old) = before {
            self.forget(provider, old);
        }
        let view = BucketView {
            counts: counts.or(before.and_then(|b| b.counts)),
            in_sync,
        };
        self.count(provider, view);
        self.views.insert(key, view);
        before
    }

    /// Forgets `key`.
    pub(super) fn remove(&mut self, key: &BucketKey) {
        if let Some(old) = self.views.remove(key) {
            self.forget(key.provider, old);
        }
    }

    /// The sum of the counts of `provider`'s buckets.
    pub(super) fn totals(&self, provider: Provider) -> ConfigCounts {
        self.totals.get(&provider).copied().unwrap_or_default()
    }

    /// How many buckets' latest reconcile left them in sync.
    pub(super) fn in_sync_count(&self) -> usize {
        self.in_sync
    }

    fn count(&mut self, provider: Provider, view: BucketView) {
        self.in_sync += usize::from(view.in_sync);
        if let Some(c) = view.counts {
            let total = self.totals.entry(provider).or_default();
            total.managed += c.managed;
            total.in_sync += c.in_sync;
            total.drifted += c.drifted;
            total.blocked += c.blocked;
        }
    }

    fn forget(&mut self, provider: Provider, view: BucketView) {
        self.in_sync -= usize::from(view.in_sync);
        if let Some(c) = view.counts {
            let total = self.totals.entry(provider).or_default();
            total.managed -= c.managed;
            total.in_sync -= c.in_sync;
            total.drifted -= c.drifted;
            total.blocked -= c.blocked;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(provider: Provider, bucket: &str) -> BucketKey {
        BucketKey {
            provider,
            bucket: bucket.into(),
            region: "r".into(),
        }
    }

    fn counts(managed: u64, in_sync: u64) -> ConfigCounts {
        ConfigCounts {
            managed,
            in_sync,
            drifted: managed - in_sync,
            blocked: 0,
        }
    }

    /// The sums a walk over `views` gives.
    fn walked(views: &BucketViews, provider: Provider) -> (ConfigCounts, usize) {
        let mut total = ConfigCounts::default();
        for (k, v) in &views.views {
            if let (true, Some(c)) = (k.provider == provider, v.counts) {
                total.managed += c.managed;
                total.in_sync += c.in_sync;
                total.drifted += c.drifted;
                total.blocked += c.blocked;
            }
        }
        (total, views.views.values().filter(|v| v.in_sync).count())
    }

    #[test]
    fn the_sums_follow_every_record_and_removal() {
        let mut views = BucketViews::default();
        let (a, b, c) = (
            key(Provider::COS, "a"),
            key(Provider::COS, "b"),
            key(Provider::S3, "c"),
        );
        assert!(views.record(a.clone(), false, Some(counts(3, 1))).is_none());
        views.record(b.clone(), true, Some(counts(2, 2)));
        views.record(c.clone(), true, None);
        let before = views.record(a.clone(), true, Some(counts(3, 3))).unwrap();
        assert!(!before.in_sync);
        // A reconcile that read nothing keeps the last counts.
        views.record(b.clone(), false, None);
        views.remove(&c);
        views.remove(&c);
        for provider in [Provider::COS, Provider::S3] {
            let (total, in_sync) = walked(&views, provider);
            assert_eq!(views.totals(provider), total, "{provider}");
            assert_eq!(views.in_sync_count(), in_sync);
        }
        assert_eq!(views.totals(Provider::COS).managed, 5);
        assert_eq!(views.in_sync_count(), 1);
    }
}
