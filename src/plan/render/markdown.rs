//! The pull-request comment rendering of a plan, bounded in size.
//!
//! Code hosts cap comment length (GitHub at 65536 characters), so the caller passes a byte
//! budget and whole sections are dropped, last first, to stay under it.

use std::fmt::Write;

use super::{fleet, plan_summary_line, sign};
use crate::plan::{BucketPlan, Change, Plan};

/// Renders `plan` as Markdown of at most `max_bytes` bytes.
///
/// Layout: a title, the summary sentence and a table of counts; failures; then per bucket a
/// heading (with its refusal and unmanaged configurations) and per change a collapsed
/// `<details>` holding a ```` ```diff ```` block.
///
/// # Guarantees
/// - `markdown(plan, n).len() <= n` for every `n`.
/// - When everything does not fit, trailing sections are left out whole (a change is shown
///   completely or not at all) and the text ends with a note saying how many changes were
///   left out. Only when even the title and summary do not fit is the text cut mid-section
///   (at a character boundary).
pub fn markdown(plan: &Plan, max_bytes: usize) -> String {
    let header = header(plan);
    let sections = sections(plan);
    let full_len = header.len() + sections.iter().map(|s| s.text.len()).sum::<usize>();
    if full_len <= max_bytes {
        return sections.iter().fold(header, |out, s| out + &s.text);
    }

    let total_changes: usize = sections.iter().map(|s| s.changes).sum();
    // The note can only get shorter as fewer changes are omitted, so reserving room for the
    // longest one keeps every outcome within the budget.
    let budget = max_bytes.saturating_sub(omission_note(total_changes, total_changes).len());
    let mut out = header;
    if out.len() > budget {
        truncate_at_char_boundary(&mut out, max_bytes);
        return out;
    }
    let mut shown = 0;
    for section in &sections {
        if out.len() + section.text.len() > budget {
            break;
        }
        out += &section.text;
        shown += section.changes;
    }
    out += &omission_note(total_changes - shown, total_changes);
    out
}

/// A unit of output that is kept or dropped whole.
struct Section {
    text: String,
    /// Changes the section shows.
    changes: usize,
}

fn header(plan: &Plan) -> String {
    let s = plan.summary();
    let mut out = String::from("### invsync plan\n\n");
    let _ = writeln!(
        out,
        "Revision `{}`: **{}**\n",
        code_safe(&plan.revision),
        plan_summary_line(plan)
    );
    out += "| create | update | replace | delete | in sync | unmanaged | blocked | refused buckets | failed buckets |\n";
    out += "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        s.create,
        s.update,
        s.replace,
        s.delete,
        s.in_sync,
        s.unmanaged,
        s.blocked,
        s.refused,
        s.failed
    );
    if !plan.fleet.policies.is_empty() {
        let _ = writeln!(out, "\n{}\n", escape_html(&fleet::totals_line(&plan.fleet)));
        out += "| policy | provider | matched | to change | in sync | excluded | unreadable |\n";
        out += "|---|---|---:|---:|---:|---:|---:|\n";
        for cov in &plan.fleet.policies {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} | {} |",
                code_safe(&cov.policy),
                cov.provider.map_or("?", |p| p.as_str()),
                cov.matched.len(),
                cov.to_change.len(),
                cov.in_sync,
                cov.excluded,
                cov.unreadable.len()
            );
        }
        for cov in &plan.fleet.policies {
            if let Some(error) = &cov.listing_error {
                let _ = writeln!(
                    out,
                    "\n> **Policy `{}`:** the bucket listing failed: {}",
                    code_safe(&cov.policy),
                    escape_html(error)
                );
            }
            for line in fleet::detail_lines(cov) {
                let _ = writeln!(
                    out,
                    "\n> **Policy `{}`:** {}",
                    code_safe(&cov.policy),
                    escape_html(&line)
                );
            }
        }
    }
    out
}

fn sections(plan: &Plan) -> Vec<Section> {
    let mut sections = Vec::new();
    if !plan.failures.is_empty() {
        let mut text = String::from("\n#### Could not read live state\n\n");
        for failure in &plan.failures {
            let _ = writeln!(
                text,
                "- `{}`: {}",
                failure.key,
                escape_html(&failure.message)
            );
        }
        sections.push(Section { text, changes: 0 });
    }
    if let Some(text) = destinations_section(plan) {
        sections.push(Section { text, changes: 0 });
    }
    for bucket in &plan.buckets {
        if bucket.changes.is_empty()
            && bucket.unmanaged.is_empty()
            && bucket.blocked.is_empty()
            && bucket.once.is_empty()
            && bucket.refusal.is_none()
            && bucket.observed.is_empty()
            && bucket.skipped.is_empty()
        {
            continue;
        }
        sections.push(Section {
            text: bucket_heading(bucket),
            changes: 0,
        });
        for change in &bucket.changes {
            sections.push(Section {
                text: change_section(change),
                changes: 1,
            });
        }
    }
    sections
}

fn bucket_heading(bucket: &BucketPlan) -> String {
    let mut out = format!("\n#### `{}`\n\n", bucket.key);
    if bucket.observe && !bucket.changes.is_empty() {
        out += "> **Observe mode:** the drift below is reported, never corrected.\n\n";
    }
    if let Some(refusal) = &bucket.refusal {
        let _ = writeln!(
            out,
            "> **Refused:** {}; none of the changes below will be made unless mass deletes are allowed.\n",
            escape_html(&refusal.reason)
        );
    }
    for change in &bucket.observed {
        let _ = writeln!(
            out,
            "- observed `{} {}`: a policy in observe mode owns it, never written\n",
            escape_html(sign(change.action)),
            code_safe(&change.id)
        );
    }
    for (id, policy, file) in &bucket.skipped {
        let _ = writeln!(
            out,
            "- `{}`: declared by `{}`, policy `{}` skipped\n",
            code_safe(id),
            code_safe(&file.display().to_string()),
            code_safe(policy)
        );
    }
    if !bucket.unmanaged.is_empty() {
        out += "Unmanaged (prune is off, left alone): ";
        let ids: Vec<String> = bucket
            .unmanaged
            .iter()
            .map(|id| format!("`{id}`"))
            .collect();
        out += &ids.join(", ");
        out += "\n\n";
    }
    for once in &bucket.once {
        let _ = writeln!(
            out,
            "- once `{}`: {}\n",
            code_safe(&once.id),
            escape_html(&once.state.describe().replace("ID", &once.id))
        );
    }
    for blocked in &bucket.blocked {
        let paths: Vec<String> = blocked
            .unmodelled
            .iter()
            .map(|p| format!("`{}`", code_safe(p)))
            .collect();
        let _ = writeln!(
            out,
            "> **Blocked** `{}` ({} held back): invsync does not model {}. Way out: {}.\n",
            code_safe(&blocked.id),
            blocked.held_back,
            paths.join(", "),
            escape_html(blocked.way_out())
        );
    }
    out
}

fn change_section(change: &Change) -> String {
    let diff = change.diff();
    let fence = fence_for(&diff);
    format!(
        "<details><summary><code>{} {} {}</code></summary>\n\n{fence}diff\n{diff}{fence}\n\n</details>\n",
        escape_html(sign(change.action)),
        change.action,
        escape_html(&change.id),
    )
}

fn omission_note(omitted: usize, total: usize) -> String {
    format!(
        "\n_Output truncated to fit: {omitted} of {total} changes omitted. \
         Run `invsync plan` for the full plan._\n"
    )
}

/// A backtick fence longer than any backtick run in `body`, so the body cannot close it.
fn fence_for(body: &str) -> String {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Keeps an inline code span intact whatever the text holds.
fn code_safe(s: &str) -> String {
    s.replace('`', "'")
}

fn truncate_at_char_boundary(s: &mut String, max_bytes: usize) {
    if s.len() > max_bytes {
        let mut end = max_bytes;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

/// The configurations whose report destination is not ready or was not checked, with the fix
/// in a code block; `None` when every destination is ready.
fn destinations_section(plan: &Plan) -> Option<String> {
    let mut text = String::new();
    for finding in &plan.destinations {
        let Some(headline) = finding.headline() else {
            continue;
        };
        let _ = writeln!(
            text,
            "- `{}` `{}`: {}",
            finding.key,
            code_safe(&finding.id),
            escape_html(&headline)
        );
        if let Some(fix) = finding.fix() {
            let _ = writeln!(text, "\n  ```json\n{}\n  ```", indent_lines(fix, "  "));
        }
    }
    (!text.is_empty()).then(|| format!("\n#### Report destinations\n\n{text}"))
}

/// `text` with `prefix` before every line.
fn indent_lines(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|line| format!("{prefix}{line}"))
        .collect::<Vec<_>>()
        .join("\n")
}
