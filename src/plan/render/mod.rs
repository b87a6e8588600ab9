//! Renderings of a [`Plan`](super::Plan): terminal text, JSON, and size-bounded Markdown.
//!
//! All three show the same facts; none can show a secret, because the model holds none.

mod fleet;
mod json;
mod markdown;
mod text;

pub use json::{FORMAT_VERSION, json};
pub use markdown::markdown;
pub use text::{text, text_summary_first};

use super::{Action, Plan, Summary, destinations};

/// The sign a change is listed with, Terraform style.
fn sign(action: Action) -> &'static str {
    match action {
        Action::Create => "+",
        Action::Update => "~",
        Action::Replace => "-/+",
        Action::Delete => "-",
    }
}

/// The closing sentence of text and Markdown plans, e.g.
/// `Plan: 1 to create, 2 to update, 0 to replace, 1 to delete; 7 in sync.` or
/// `No changes. 12 configurations in sync.`, followed by what else needs attention.
fn summary_line(s: &Summary) -> String {
    let mut line = if s.changes() == 0 {
        format!(
            "No changes. {} in sync.",
            plural(s.in_sync, "configuration", "configurations")
        )
    } else {
        format!(
            "Plan: {} to create, {} to update, {} to replace, {} to delete; {} in sync.",
            s.create, s.update, s.replace, s.delete, s.in_sync
        )
    };
    if s.unmanaged > 0 {
        line += &format!(" {} unmanaged (prune is off).", s.unmanaged);
    }
    if s.once > 0 {
        line += &format!(" {} once, not started by this run.", s.once);
    }
    if s.blocked > 0 {
        line += &format!(" {} blocked (foreign: not modelled by invsync).", s.blocked);
    }
    if s.refused > 0 {
        line += &format!(" {} refused.", plural(s.refused, "bucket", "buckets"));
    }
    if s.failed > 0 {
        line += &format!(" {} failed.", plural(s.failed, "bucket", "buckets"));
    }
    line
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// [`summary_line`] of `plan`, with its report destinations that are not ready or were not
/// checked.
fn plan_summary_line(plan: &Plan) -> String {
    let mut line = summary_line(&plan.summary());
    let (not_ready, not_checked) = destinations::counts(&plan.destinations);
    if not_ready > 0 {
        line += &format!(
            " Report destination not ready for {}.",
            plural(not_ready, "configuration", "configurations")
        );
    }
    if not_checked > 0 {
        line += &format!(
            " Report destination not checked for {}.",
            plural(not_checked, "configuration", "configurations")
        );
    }
    line
}
