//! Canonical form of inventory configurations, so that equal meaning compares equal.
//!
//! Both sides of a plan go through [`normalize`] before they are compared: the manifest side
//! (where users write fields in any order and sometimes spell "nothing" as `""`) and the live
//! side (where servers reorder lists and echo zero-value defaults). Wire-shape differences
//! (`<Filter><Prefix>` vs `<Filter><And><Prefix>`, `SSECOS` vs `SSE-COS`, boolean case) are
//! already gone by the time a value reaches the model; only value-level equivalences are
//! handled here.

use crate::model::{CosInventory, Inventory, OssInventory};

/// The `Bucket` prefix every OSS destination carries on the wire.
pub const OSS_DESTINATION_BUCKET_PREFIX: &str = "acs:oss:::";

/// The OSS storage class that means "every class"; also the server's default.
pub const OSS_STORAGE_CLASS_ALL: &str = "All";

/// Returns the canonical form of `inventory`.
///
/// # Guarantees
/// - Idempotent: `normalize(&normalize(x)) == normalize(x)`.
/// - Two configurations the provider treats alike normalize to equal values, and their
///   manifest renderings are byte-identical.
/// - The id and the provider never change.
///
/// COS: optional fields and filter tags sorted and deduplicated; `Some("")` is `None` for the
/// filter prefix and storage class and the destination account id and prefix; a period with
/// neither bound is no period.
///
/// OSS: optional fields (periodic and incremental) sorted and deduplicated; storage classes sorted and deduplicated, and a
/// list naming `All` is empty (both select every class); `Some("")` is `None` for the filter and
/// destination prefixes; zero timestamps and size bounds are `None` (the server echoes a filter
/// of zero-value defaults, and 0 is outside every valid range); a destination bucket without the
/// `acs:oss:::` prefix gets it (oss2 strips it on read, the API requires it).
pub fn normalize(inventory: &Inventory) -> Inventory {
    match inventory {
        Inventory::Cos(c) => Inventory::Cos(normalize_cos(c)),
        Inventory::Oss(o) => Inventory::Oss(normalize_oss(o)),
    }
}

fn normalize_cos(c: &CosInventory) -> CosInventory {
    let mut c = c.clone();
    sort_dedup(&mut c.optional_fields);
    sort_dedup(&mut c.filter.tags);
    blank_to_none(&mut c.filter.prefix);
    blank_to_none(&mut c.filter.storage_class);
    if c.filter
        .period
        .is_some_and(|p| p.start_time.is_none() && p.end_time.is_none())
    {
        c.filter.period = None;
    }
    blank_to_none(&mut c.destination.account_id);
    blank_to_none(&mut c.destination.prefix);
    c
}

fn normalize_oss(o: &OssInventory) -> OssInventory {
    let mut o = o.clone();
    sort_dedup(&mut o.optional_fields);
    if let Some(incremental) = &mut o.incremental {
        sort_dedup(&mut incremental.optional_fields);
    }
    let f = &mut o.filter;
    blank_to_none(&mut f.prefix);
    zero_to_none(&mut f.last_modify_begin_time_stamp);
    zero_to_none(&mut f.last_modify_end_time_stamp);
    zero_to_none(&mut f.lower_size_bound);
    zero_to_none(&mut f.upper_size_bound);
    // An empty element in a comma list (`"IA,"`) selects nothing extra.
    f.storage_classes.retain(|s| !s.is_empty());
    if f.storage_classes.iter().any(|s| s == OSS_STORAGE_CLASS_ALL) {
        f.storage_classes.clear();
    }
    sort_dedup(&mut f.storage_classes);
    blank_to_none(&mut o.destination.prefix);
    if !o
        .destination
        .bucket
        .starts_with(OSS_DESTINATION_BUCKET_PREFIX)
    {
        o.destination.bucket = format!("{OSS_DESTINATION_BUCKET_PREFIX}{}", o.destination.bucket);
    }
    o
}

fn sort_dedup<T: Ord>(items: &mut Vec<T>) {
    items.sort();
    items.dedup();
}

fn blank_to_none(value: &mut Option<String>) {
    if value.as_deref() == Some("") {
        *value = None;
    }
}

fn zero_to_none<T: Default + PartialEq>(value: &mut Option<T>) {
    if value.as_ref() == Some(&T::default()) {
        *value = None;
    }
}
