//! Property tests of normalization, planning and rendering over valid model values.

use crate::support::arbitrary;

use std::collections::BTreeSet;

use invsync::manifest::from_model::inventory_yaml;
use invsync::model::{Inventory, LiveConfig, all_modelled};
use invsync::plan::{Action, Plan, PlanOptions, normalize, plan_bucket, render};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_bucket_planned_against_its_own_declarations_has_no_changes(
        desired in arbitrary::desired_bucket(),
    ) {
        let live = all_modelled(desired.inventories.clone());
        let plan = plan_bucket(&desired, &live, &PlanOptions::default());
        prop_assert!(plan.changes.is_empty(), "{:?}", plan.changes);
        prop_assert!(plan.unmanaged.is_empty());
        prop_assert!(plan.refusal.is_none());
        prop_assert!(plan.is_converged());
        prop_assert_eq!(plan.in_sync.len() + plan.once.len(), desired.inventories.len());
    }

    #[test]
    fn live_state_echoed_in_canonical_form_and_any_order_is_in_sync(
        (desired, live) in arbitrary::desired_bucket().prop_flat_map(|d| {
            let echoed: Vec<Inventory> = d.inventories.iter().map(normalize).collect();
            (Just(d), Just(echoed).prop_shuffle())
        }),
    ) {
        let plan = plan_bucket(&desired, &all_modelled(live), &PlanOptions::default());
        prop_assert!(plan.changes.is_empty(), "{:?}", plan.changes);
    }

    #[test]
    fn normalize_is_idempotent(inventory in arbitrary::inventory()) {
        let once = normalize(&inventory);
        prop_assert_eq!(normalize(&once), once.clone());
        prop_assert_eq!(once.id(), inventory.id());
        prop_assert_eq!(once.provider(), inventory.provider());
    }

    #[test]
    fn normalized_equal_configs_render_identically(inventory in arbitrary::inventory()) {
        let canonical = normalize(&inventory);
        prop_assert_eq!(inventory_yaml(&normalize(&canonical)), inventory_yaml(&canonical));
    }

    #[test]
    fn plan_accounts_for_every_id_exactly_once_on_arbitrary_live_sets(
        desired in arbitrary::desired_bucket(),
        live in arbitrary::arbitrary_live(),
        max_deletes in 0usize..12,
        max_delete_percent in 0u8..=100,
        allow_mass_delete in any::<bool>(),
    ) {
        let options = PlanOptions {
            max_deletes, max_delete_percent, allow_mass_delete, ..PlanOptions::default()
        };
        let plan = plan_bucket(&desired, &live, &options);

        let declared: BTreeSet<&str> = desired.inventories.iter().map(Inventory::id).collect();
        let live_ids: BTreeSet<&str> = live.iter().map(LiveConfig::id).collect();
        let mut seen = BTreeSet::new();
        for id in plan.changes.iter().map(|c| c.id.as_str())
            .chain(plan.in_sync.iter().map(String::as_str))
            .chain(plan.unmanaged.iter().map(String::as_str))
            .chain(plan.blocked.iter().map(|b| b.id.as_str()))
            .chain(plan.once.iter().map(|o| o.id.as_str()))
        {
            prop_assert!(seen.insert(id), "{} listed twice", id);
        }
        let all: BTreeSet<&str> = declared.union(&live_ids).copied().collect();
        prop_assert_eq!(seen, all);

        let ids: Vec<&str> = plan.changes.iter().map(|c| c.id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        prop_assert_eq!(ids, sorted);
        for change in &plan.changes {
            match change.action {
                Action::Create => prop_assert!(change.before.is_none() && change.after.is_some()),
                Action::Delete => {
                    prop_assert!(desired.prune);
                    prop_assert!(change.before.is_some() && change.after.is_none());
                }
                Action::Update | Action::Replace if change.overwrites.is_some() => {
                    prop_assert!(change.before.is_none() && change.after.is_some());
                    prop_assert!(desired.overwrite_foreign.contains(&change.id));
                    prop_assert!(!change.diff().is_empty());
                }
                Action::Update | Action::Replace => {
                    prop_assert!(change.before.is_some() && change.after.is_some());
                    prop_assert_ne!(&change.before, &change.after);
                    prop_assert!(!change.diff().is_empty());
                }
            }
        }
        if !desired.prune {
            prop_assert!(plan.refusal.is_none());
        }
        if allow_mass_delete {
            prop_assert!(plan.refusal.is_none());
        }

        let plan = Plan::new("r", vec![plan], vec![]);
        let _ = render::text(&plan, true);
        let _ = render::json(&plan);
    }

    #[test]
    fn a_foreign_configuration_is_never_in_a_write_unless_its_declaration_opts_in(
        desired in arbitrary::desired_bucket(),
        live in arbitrary::arbitrary_live(),
        allow_mass_delete in any::<bool>(),
    ) {
        let options = PlanOptions { allow_mass_delete, ..PlanOptions::default() };
        let plan = plan_bucket(&desired, &live, &options);
        // The first occurrence of an id is the one planned.
        let mut first: Vec<&LiveConfig> = Vec::new();
        for config in &live {
            if !first.iter().any(|c| c.id() == config.id()) {
                first.push(config);
            }
        }
        for foreign in first.iter().filter_map(|c| c.foreign()) {
            let declared = desired.inventories.iter().any(|i| i.id() == foreign.id);
            // A `Once` configuration the run does not start is never written, opted in or not.
            let held_once = desired
                .inventories
                .iter()
                .find(|i| i.id() == foreign.id)
                .is_some_and(invsync::provider::registry::runs_once);
            let opted_in =
                declared && desired.overwrite_foreign.contains(&foreign.id) && !held_once;
            let writes: Vec<&invsync::plan::Change> =
                plan.changes.iter().filter(|c| c.id == foreign.id).collect();
            if opted_in {
                prop_assert_eq!(writes.len(), 1);
                prop_assert_ne!(writes[0].action, Action::Delete);
                prop_assert_eq!(writes[0].overwrites.as_ref(), Some(foreign));
            } else {
                prop_assert!(writes.is_empty(), "foreign {} written: {:?}", foreign.id, writes);
                let blocked = plan.blocked.iter().any(|b| b.id == foreign.id);
                let blocked = blocked || plan.once.iter().any(|o| o.id == foreign.id);
                let unmanaged = plan.unmanaged.contains(&foreign.id);
                prop_assert!(blocked != unmanaged);
                prop_assert_eq!(unmanaged, !declared && !desired.prune);
            }
        }
    }

    #[test]
    fn a_once_configuration_is_written_only_when_the_run_names_it(
        desired in arbitrary::desired_bucket(),
        live in arbitrary::arbitrary_live(),
        run_all in any::<bool>(),
    ) {
        let once_ids: BTreeSet<String> = desired
            .inventories
            .iter()
            .filter(|i| {
                i.downcast_ref::<invsync::provider::oss::model::OssInventory>()
                    .is_some_and(|o| o.frequency == invsync::model::Frequency::Once)
            })
            .map(|i| i.id().to_string())
            .collect();
        let options = PlanOptions {
            run_once: if run_all { once_ids.clone() } else { BTreeSet::new() },
            allow_mass_delete: true,
            ..PlanOptions::default()
        };
        let plan = plan_bucket(&desired, &live, &options);
        for change in &plan.changes {
            if once_ids.contains(&change.id) {
                prop_assert!(run_all, "{} written without --run-once", change.id);
            }
        }
        if run_all {
            prop_assert!(plan.once.is_empty());
        }
    }

    #[test]
    fn markdown_never_exceeds_its_bound(
        desired in arbitrary::desired_bucket(),
        live in arbitrary::arbitrary_live(),
        max_bytes in 0usize..6000,
    ) {
        let plan = Plan::new(
            "r",
            vec![plan_bucket(&desired, &live, &PlanOptions::default())],
            vec![],
        );
        let bounded = render::markdown(&plan, max_bytes);
        prop_assert!(bounded.len() <= max_bytes, "{} > {}", bounded.len(), max_bytes);
        let full = render::markdown(&plan, usize::MAX);
        if full.len() <= max_bytes {
            prop_assert_eq!(bounded, full);
        } else {
            // Either whole sections were cut and a note says so, or not even the header fit.
            prop_assert!(
                bounded.ends_with("for the full plan._\n") || full.starts_with(&bounded),
                "{}", bounded
            );
        }
    }
}
