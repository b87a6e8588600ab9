//! The Markdown rendering stays within its byte budget by dropping whole sections.

use crate::support::fixtures;

use fixtures::{cos_bucket, cos_inventory};
use invsync::plan::{Plan, PlanOptions, plan_bucket, render};

fn plan_creating(count: usize, prefix: &str) -> Plan {
    let mut desired = cos_bucket();
    for i in 0..count {
        desired = desired.declares(cos_inventory(&format!("list{i:02}")).prefix(prefix).build());
    }
    let bucket = plan_bucket(&desired.build(), &[], &PlanOptions::default());
    Plan::new("rev", vec![bucket], vec![])
}

#[test]
fn plan_within_budget_is_rendered_whole_without_a_note() {
    let plan = plan_creating(3, "logs/");
    let text = render::markdown(&plan, 65_536);
    assert_eq!(text.matches("<details>").count(), 3);
    assert!(!text.contains("omitted"), "{text}");
}

#[test]
fn oversized_plan_drops_whole_changes_and_counts_them() {
    let plan = plan_creating(30, "logs/");
    let full = render::markdown(&plan, usize::MAX);
    let budget = full.len() / 2;
    let text = render::markdown(&plan, budget);
    assert!(text.len() <= budget, "{} > {budget}", text.len());
    let shown = text.matches("<details>").count();
    assert_eq!(
        shown,
        text.matches("</details>").count(),
        "no change is cut in half"
    );
    assert!(shown > 0 && shown < 30, "{shown} shown");
    let note = format!("{} of 30 changes omitted", 30 - shown);
    assert!(text.contains(&note), "missing {note:?} in:\n{text}");
    assert!(text.starts_with("### invsync plan\n"));
}

#[test]
fn budget_smaller_than_the_header_still_holds() {
    let plan = plan_creating(2, "logs/");
    for budget in [0, 1, 10, 100] {
        assert!(render::markdown(&plan, budget).len() <= budget);
    }
}

#[test]
fn diff_fence_outgrows_backticks_in_the_content() {
    let plan = plan_creating(1, "a```b/");
    let text = render::markdown(&plan, 65_536);
    assert!(text.contains("````diff\n"), "{text}");
}
