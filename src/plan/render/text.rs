//! The terminal rendering of a plan: per bucket, one line per change with its diff indented.

use std::fmt::Write;

use super::{fleet, plan_summary_line, sign};
use crate::plan::{Action, BucketPlan, Plan};

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const MAGENTA: &str = "\x1b[35m";
const CYAN: &str = "\x1b[36m";

/// Indentation of diff lines under their change line.
const DIFF_INDENT: &str = "      ";

/// Renders `plan` for a terminal; ANSI colours only when `color`.
///
/// Buckets with nothing to report (every configuration in sync) are left out; the closing
/// summary line counts them. Updates and replaces show their diff; creates and deletes do not
/// (the JSON and Markdown renderings carry the whole documents).
pub fn text(plan: &Plan, color: bool) -> String {
    let paint = painter(color);
    let mut out = details(plan, &paint);
    out += &paint(BOLD, &plan_summary_line(plan));
    out.push('\n');
    out
}

/// [`text`] for a CI log (stdout not a terminal): the summary line first, so that a collapsed
/// log still says what the plan does, then the details. An in-sync plan is the one line.
pub fn text_summary_first(plan: &Plan, color: bool) -> String {
    let paint = painter(color);
    let mut out = paint(BOLD, &plan_summary_line(plan));
    out.push('\n');
    let details = details(plan, &paint);
    if !details.is_empty() {
        out.push('\n');
        out += details.trim_end_matches('\n');
        out.push('\n');
    }
    out
}

fn painter(color: bool) -> impl Fn(&str, &str) -> String {
    move |code: &str, s: &str| {
        if color {
            format!("{code}{s}{RESET}")
        } else {
            s.to_string()
        }
    }
}

/// The sections of buckets with news and of failures, each followed by a blank line.
fn details(plan: &Plan, paint: &dyn Fn(&str, &str) -> String) -> String {
    let mut out = String::new();
    for bucket in plan.buckets.iter().filter(|b| has_news(b)) {
        bucket_section(&mut out, bucket, paint);
        out.push('\n');
    }
    if !plan.failures.is_empty() {
        let _ = writeln!(out, "{}", paint(BOLD, "Could not read live state:"));
        for failure in &plan.failures {
            let _ = writeln!(
                out,
                "  {} {}: {}",
                paint(RED, "x"),
                failure.key,
                failure.message
            );
        }
        out.push('\n');
    }
    destinations_section(&mut out, plan, paint);
    if !plan.fleet.policies.is_empty() {
        let _ = writeln!(out, "{}", paint(BOLD, &fleet::totals_line(&plan.fleet)));
        for cov in &plan.fleet.policies {
            let _ = writeln!(out, "  {}", fleet::policy_line(cov));
            for line in fleet::detail_lines(cov) {
                let _ = writeln!(out, "{DIFF_INDENT}{line}");
            }
        }
        out.push('\n');
    }
    out
}

fn has_news(bucket: &BucketPlan) -> bool {
    !bucket.changes.is_empty()
        || !bucket.unmanaged.is_empty()
        || !bucket.blocked.is_empty()
        || !bucket.once.is_empty()
        || bucket.refusal.is_some()
        || !bucket.observed.is_empty()
        || !bucket.skipped.is_empty()
}

fn bucket_section(out: &mut String, bucket: &BucketPlan, paint: &dyn Fn(&str, &str) -> String) {
    let _ = writeln!(out, "{}", paint(BOLD, &bucket.key.to_string()));
    if bucket.observe && !bucket.changes.is_empty() {
        let _ = writeln!(
            out,
            "  {} observe mode: the drift below is reported, never corrected",
            paint(CYAN, "~")
        );
    }
    if let Some(refusal) = &bucket.refusal {
        let _ = writeln!(
            out,
            "  {} refused: {}; none of the changes below will be made unless mass deletes are allowed",
            paint(RED, "!"),
            refusal.reason
        );
    }
    for change in &bucket.changes {
        let code = action_color(change.action);
        let _ = writeln!(
            out,
            "  {} {} {}",
            paint(code, sign(change.action)),
            paint(code, change.action.as_str()),
            change.id
        );
        if matches!(change.action, Action::Update | Action::Replace) {
            for line in change.diff().lines() {
                let _ = writeln!(out, "{DIFF_INDENT}{}", paint_diff_line(line, paint));
            }
        }
    }
    for change in &bucket.observed {
        let _ = writeln!(
            out,
            "  {} {} {} (observed: a policy in observe mode owns it, never written)",
            paint(CYAN, sign(change.action)),
            paint(CYAN, change.action.as_str()),
            change.id
        );
    }
    for (id, policy, file) in &bucket.skipped {
        let _ = writeln!(
            out,
            "  {} {id}: declared by {}, policy {policy} skipped",
            paint(CYAN, "="),
            file.display()
        );
    }
    for id in &bucket.unmanaged {
        let _ = writeln!(out, "  {} {id} (prune is off)", paint(CYAN, "! unmanaged"));
    }
    for once in &bucket.once {
        let _ = writeln!(
            out,
            "  {} {}: {}",
            paint(CYAN, "o once"),
            once.id,
            once.state.describe().replace("ID", &once.id)
        );
    }
    for blocked in &bucket.blocked {
        let _ = writeln!(
            out,
            "  {} {} ({} held back: invsync does not model {})",
            paint(RED, "# blocked"),
            blocked.id,
            blocked.held_back,
            blocked.unmodelled.join(", ")
        );
        let _ = writeln!(out, "{DIFF_INDENT}way out: {}", blocked.way_out());
    }
}

fn action_color(action: Action) -> &'static str {
    match action {
        Action::Create => GREEN,
        Action::Update => YELLOW,
        Action::Replace => MAGENTA,
        Action::Delete => RED,
    }
}

fn paint_diff_line(line: &str, paint: &dyn Fn(&str, &str) -> String) -> String {
    if line.starts_with("---") || line.starts_with("+++") {
        paint(BOLD, line)
    } else if line.starts_with("@@") {
        paint(CYAN, line)
    } else if line.starts_with('+') {
        paint(GREEN, line)
    } else if line.starts_with('-') {
        paint(RED, line)
    } else {
        line.to_string()
    }
}

/// The configurations whose report destination is not ready or was not checked, each with the
/// fix when the check could say; nothing when every destination is ready.
fn destinations_section(out: &mut String, plan: &Plan, paint: &dyn Fn(&str, &str) -> String) {
    let findings: Vec<_> = plan
        .destinations
        .iter()
        .filter_map(|f| f.headline().map(|line| (f, line)))
        .collect();
    if findings.is_empty() {
        return;
    }
    let _ = writeln!(out, "{}", paint(BOLD, "Report destinations:"));
    for (finding, headline) in findings {
        let mark = match finding.fix() {
            Some(_) => paint(RED, "!"),
            None => paint(YELLOW, "?"),
        };
        let _ = writeln!(out, "  {mark} {} {}: {headline}", finding.key, finding.id);
        if let Some(fix) = finding.fix() {
            let _ = writeln!(out, "{DIFF_INDENT}fix:");
            for line in fix.lines() {
                let _ = writeln!(out, "{DIFF_INDENT}  {line}");
            }
        }
    }
    out.push('\n');
}
