//! The canonical form of an OSS configuration (see [`crate::plan::normalize`]).

use crate::model::Inventory;
use crate::provider::kit::normalize::{blank_to_none, in_shape, sort_dedup, zero_to_none};
use crate::provider::oss::model::OssInventory;

/// The `Bucket` prefix every OSS destination carries on the wire.
pub(crate) const OSS_DESTINATION_BUCKET_PREFIX: &str = "acs:oss:::";

/// The OSS storage class that means "every class"; also the server's default.
pub(crate) const OSS_STORAGE_CLASS_ALL: &str = "All";

/// The table's `normalize`: [`normalize_oss`] for an OSS configuration, anything else
/// unchanged.
pub(crate) fn normalize(inventory: &Inventory) -> Inventory {
    in_shape(inventory, normalize_oss)
}

/// Optional fields (periodic and incremental) sorted and deduplicated; storage classes sorted
/// and deduplicated, and a list naming `All` is empty (both select every class); `Some("")` is
/// `None` for the filter and destination prefixes; zero timestamps and size bounds are `None`
/// (the server echoes a filter of zero-value defaults, and 0 is outside every valid range); a
/// destination bucket without the `acs:oss:::` prefix gets it (oss2 strips it on read, the API
/// requires it).
pub(crate) fn normalize_oss(o: &OssInventory) -> OssInventory {
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
