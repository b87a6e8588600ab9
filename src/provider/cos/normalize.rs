//! The canonical form of a COS configuration (see [`crate::plan::normalize`]).

use crate::model::Inventory;
use crate::provider::cos::model::CosInventory;
use crate::provider::kit::normalize::{blank_to_none, in_shape, sort_dedup};

/// The table's `normalize`: [`normalize_cos`] for a COS configuration, anything else unchanged.
pub(crate) fn normalize(inventory: &Inventory) -> Inventory {
    in_shape(inventory, normalize_cos)
}

/// Optional fields and filter tags sorted and deduplicated; `Some("")` is `None` for the
/// filter prefix and storage class and the destination account id and prefix; a period with
/// neither bound is no period.
pub(crate) fn normalize_cos(c: &CosInventory) -> CosInventory {
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
