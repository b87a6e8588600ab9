//! Normalization golden cases: spellings a provider treats alike normalize to one value, whose
//! manifest rendering is compared with `tests/golden/normalize/<case>.yaml`.

use crate::support::fixtures;
use crate::support::golden;

use fixtures::{cos_inventory, oss_inventory};
use golden::assert_golden;
use invsync::manifest::from_model::inventory_yaml;
use invsync::model::Inventory;
use invsync::plan::normalize;

/// Asserts every variant normalizes to the same value, which is idempotent and matches the
/// golden rendering.
fn assert_equivalent(case: &str, variants: &[Inventory]) {
    let canonical = normalize(&variants[0]);
    for (i, variant) in variants.iter().enumerate() {
        assert_eq!(normalize(variant), canonical, "variant {i} of {case}");
    }
    assert_eq!(normalize(&canonical), canonical, "{case} is idempotent");
    assert_golden(
        &format!("normalize/{case}.yaml"),
        &inventory_yaml(&canonical),
    );
}

#[test]
fn cos_optional_fields_and_tags_compare_as_sets() {
    assert_equivalent(
        "cos_optional_field_order",
        &[
            cos_inventory("list1")
                .tag("b", "2")
                .tag("a", "1")
                .fields(&["Tag", "Size", "ETag", "Size"])
                .build(),
            cos_inventory("list1")
                .tag("a", "1")
                .tag("b", "2")
                .tag("a", "1")
                .fields(&["ETag", "Size", "Tag"])
                .build(),
        ],
    );
}

#[test]
fn cos_empty_strings_and_an_unbounded_period_are_absent() {
    assert_equivalent(
        "cos_empty_vs_absent",
        &[
            cos_inventory("list1").build(),
            cos_inventory("list1")
                .prefix("")
                .storage_class("")
                .period(None, None)
                .account_id("")
                .dest_prefix("")
                .build(),
        ],
    );
}

#[test]
fn cos_half_open_period_is_kept() {
    let inventory = cos_inventory("list1")
        .period(Some(1568688761), None)
        .build();
    assert_eq!(normalize(&inventory), inventory);
    assert_equivalent("cos_half_open_period", &[inventory]);
}

#[test]
fn oss_storage_classes_compare_as_sets() {
    assert_equivalent(
        "oss_storage_class_order",
        &[
            oss_inventory("report1")
                .storage_classes(&["Standard", "IA"])
                .fields(&["Size", "LastModifiedDate", "ETag"])
                .build(),
            oss_inventory("report1")
                .storage_classes(&["IA", "Standard", "IA"])
                .fields(&["ETag", "LastModifiedDate", "Size", "ETag"])
                .build(),
        ],
    );
}

#[test]
fn oss_storage_class_all_is_the_default() {
    assert_equivalent(
        "oss_storage_class_all",
        &[
            oss_inventory("report1").build(),
            oss_inventory("report1").storage_classes(&["All"]).build(),
            oss_inventory("report1")
                .storage_classes(&["IA", "All"])
                .build(),
        ],
    );
}

#[test]
fn oss_zero_bounds_and_empty_strings_are_absent() {
    assert_equivalent(
        "oss_zero_bounds",
        &[
            oss_inventory("report1").build(),
            oss_inventory("report1")
                .modified_between(Some(0), Some(0))
                .size_between(Some(0), Some(0))
                .prefix("")
                .dest_prefix("")
                .build(),
        ],
    );
}

#[test]
fn oss_nonzero_bounds_are_kept() {
    let inventory = oss_inventory("report1")
        .modified_between(Some(1637883649), Some(1638347592))
        .size_between(Some(1024), Some(1048576))
        .build();
    assert_eq!(normalize(&inventory), inventory);
    assert_equivalent("oss_bounds", &[inventory]);
}

#[test]
fn oss_destination_bucket_gets_the_acs_prefix() {
    assert_equivalent(
        "oss_acs_prefix",
        &[
            oss_inventory("report1")
                .dest_bucket("acs:oss:::dest-bucket")
                .build(),
            oss_inventory("report1").dest_bucket("dest-bucket").build(),
        ],
    );
}

#[test]
fn different_meanings_stay_different() {
    assert_ne!(
        normalize(&cos_inventory("list1").prefix("a/").build()),
        normalize(&cos_inventory("list1").prefix("b/").build())
    );
    assert_ne!(
        normalize(&oss_inventory("r").storage_classes(&["IA"]).build()),
        normalize(&oss_inventory("r").build())
    );
    assert_ne!(
        normalize(&oss_inventory("r").size_between(Some(1), None).build()),
        normalize(&oss_inventory("r").build())
    );
}
