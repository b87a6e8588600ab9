//! Value-level helpers each provider's `normalize.rs` builds its canonical form from.

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
