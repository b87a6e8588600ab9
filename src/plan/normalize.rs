//! Canonical form of inventory configurations, so that equal meaning compares equal.
//!
//! Both sides of a plan go through [`normalize`] before they are compared: the manifest side
//! (where users write fields in any order and sometimes spell "nothing" as `""`) and the live
//! side (where servers reorder lists and echo zero-value defaults). Wire-shape differences
//! (`<Filter><Prefix>` vs `<Filter><And><Prefix>`, `SSECOS` vs `SSE-COS`, boolean case) are
//! already gone by the time a value reaches the model; only value-level equivalences are
//! handled here, each provider's in its own `normalize.rs` (`src/provider/<p>/`).

use crate::model::Inventory;
use crate::provider::registry;

/// Returns the canonical form of `inventory`, as its provider defines it.
///
/// # Guarantees
/// - Idempotent: `normalize(&normalize(x)) == normalize(x)`.
/// - Two configurations the provider treats alike normalize to equal values, and their
///   manifest renderings are byte-identical.
/// - The id and the provider never change.
pub fn normalize(inventory: &Inventory) -> Inventory {
    registry::normalize(inventory)
}
