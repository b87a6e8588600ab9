//! `serde` default and skip functions for the boolean fields of manifest sections.

/// Skips a `false` field when rendering: it is the default.
pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

/// Skips a `true` field when rendering: it is the default.
pub(crate) fn is_true(b: &bool) -> bool {
    *b
}

/// The default of a field that is on unless declared off.
pub(crate) fn default_true() -> bool {
    true
}
