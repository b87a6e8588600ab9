//! The canonical form of an S3 inventory configuration, so that equal meaning compares equal.

use super::model::{BUCKET_ARN_PREFIX, S3Inventory};
use crate::model::Inventory;
use crate::provider::kit::normalize::{blank_to_none, in_shape, sort_dedup};

/// The table's `normalize`: [`normalize_s3`] for an S3 configuration; another provider's is
/// returned unchanged.
pub(crate) fn normalize(inventory: &Inventory) -> Inventory {
    in_shape(inventory, normalize_s3)
}

/// Returns the canonical form of `inventory`.
///
/// # Guarantees
/// - Idempotent: `normalize_s3(&normalize_s3(x)) == normalize_s3(x)`.
/// - The id never changes.
///
/// Optional fields are sorted and deduplicated (S3 treats them as a set); `Some("")` is `None`
/// for the filter prefix, the destination prefix and account id (an empty element is an
/// absent one); a bare destination bucket name becomes its ARN in the standard partition,
/// which is what the wire carries.
pub(crate) fn normalize_s3(inventory: &S3Inventory) -> S3Inventory {
    let mut s = inventory.clone();
    sort_dedup(&mut s.optional_fields);
    blank_to_none(&mut s.filter_prefix);
    let d = &mut s.destination;
    blank_to_none(&mut d.prefix);
    blank_to_none(&mut d.account_id);
    if !d.bucket.starts_with("arn:") {
        d.bucket = format!("{BUCKET_ARN_PREFIX}{}", d.bucket);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::s3::convert::tests::{full_inventory, inventory_strategy};
    use proptest::prelude::*;

    #[test]
    fn optional_fields_compare_as_a_set() {
        let mut a = full_inventory();
        a.optional_fields = vec!["Size".into(), "ETag".into(), "Size".into()];
        let mut b = full_inventory();
        b.optional_fields = vec!["ETag".into(), "Size".into()];
        assert_eq!(normalize_s3(&a), normalize_s3(&b));
        assert_eq!(normalize_s3(&a).optional_fields, ["ETag", "Size"]);
    }

    #[test]
    fn blank_prefixes_and_account_are_absent() {
        let mut a = full_inventory();
        a.filter_prefix = Some(String::new());
        a.destination.prefix = Some(String::new());
        a.destination.account_id = Some(String::new());
        let n = normalize_s3(&a);
        assert_eq!(n.filter_prefix, None);
        assert_eq!(n.destination.prefix, None);
        assert_eq!(n.destination.account_id, None);
    }

    #[test]
    fn a_bare_destination_bucket_equals_its_arn() {
        let mut a = full_inventory();
        a.destination.bucket = "inventory-dest".into();
        assert_eq!(normalize_s3(&a), normalize_s3(&full_inventory()));
        let mut cn = full_inventory();
        cn.destination.bucket = "arn:aws-cn:s3:::inventory-dest".into();
        assert_eq!(
            normalize_s3(&cn).destination.bucket,
            "arn:aws-cn:s3:::inventory-dest"
        );
    }

    proptest! {
        #[test]
        fn normalizing_twice_changes_nothing(mut inv in inventory_strategy(), blank in any::<bool>(), repeat in any::<bool>()) {
            if blank {
                inv.filter_prefix = Some(String::new());
                inv.destination.account_id = Some(String::new());
            }
            if repeat {
                inv.optional_fields.extend(inv.optional_fields.clone());
            }
            let once = normalize_s3(&inv);
            prop_assert_eq!(normalize_s3(&once), once.clone());
            prop_assert_eq!(once.id, inv.id);
        }
    }
}
