//! Value-level helpers each provider's `normalize.rs` builds its canonical form from.

use crate::model::{Inventory, ProviderInventory};

/// Sorts and deduplicates: lists the providers treat as sets.
pub(crate) fn sort_dedup<T: Ord>(items: &mut Vec<T>) {
    items.sort();
    items.dedup();
}

/// `Some("")` is `None`: an empty value means "not set" to the providers.
pub(crate) fn blank_to_none(value: &mut Option<String>) {
    if value.as_deref() == Some("") {
        *value = None;
    }
}

/// `Some(0)` is `None`: servers echo zero-value defaults for unset numbers.
pub(crate) fn zero_to_none<T: Default + PartialEq>(value: &mut Option<T>) {
    if value.as_ref() == Some(&T::default()) {
        *value = None;
    }
}

/// A provider's table `normalize` from its function on its own shape: a configuration of
/// another provider is returned unchanged.
pub(crate) fn in_shape<T: ProviderInventory>(
    inventory: &Inventory,
    canonical: fn(&T) -> T,
) -> Inventory {
    match inventory.downcast_ref::<T>() {
        Some(configuration) => Inventory::new(canonical(configuration)),
        None => inventory.clone(),
    }
}
