//! `invsync apply`: plan, then carry the plan out bucket by bucket.

use std::fmt::Write as _;
use std::process::ExitCode;

use invsync::cli::ApplyArgs;
use invsync::reconcile::{ApplySettings, BucketOutcome, BucketStatus, apply_all};

/// Exit codes: 0 every managed bucket converged, 1 anything else (invalid manifests — in which
/// case nothing is written at all —, a refused plan, a failed read or write, a perpetual diff).
pub async fn run(args: &ApplyArgs) -> anyhow::Result<ExitCode> {
    let Some(desired) = super::load_or_report(&args.manifests.manifests) else {
        return Ok(ExitCode::from(1));
    };
    let clients = super::clients(&args.provider)?;
    let options = super::plan_options(&args.safety);
    let outcomes = apply_all(
        &clients,
        &desired,
        &options,
        &ApplySettings::default(),
        usize::from(args.provider.concurrency),
    )
    .await;

    let mut out = String::new();
    let mut all_converged = true;
    let (mut written, mut in_sync, mut converged) = (0, 0, 0);
    for (key, outcome) in &outcomes {
        all_converged &= outcome.is_converged();
        written += outcome.written.len();
        match outcome.status {
            BucketStatus::InSync => in_sync += 1,
            BucketStatus::Converged => converged += 1,
            _ => {}
        }
        describe(&mut out, &key.to_string(), outcome);
    }
    let failed = outcomes.len() - in_sync - converged;
    let _ = writeln!(
        out,
        "\nApply {}: {written} configurations written; {converged} buckets converged, {in_sync} already in sync, {failed} not converged (revision {}).",
        if all_converged {
            "complete"
        } else {
            "incomplete"
        },
        desired.revision
    );
    super::output::print(&out)?;
    Ok(if all_converged {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn describe(out: &mut String, bucket: &str, outcome: &BucketOutcome) {
    let status = match &outcome.status {
        BucketStatus::InSync => "in sync".to_string(),
        BucketStatus::Converged => "converged".to_string(),
        BucketStatus::Refused(reason) => format!("REFUSED, nothing written: {reason}"),
        BucketStatus::PerpetualDiff(ids) => format!(
            "PERPETUAL DIFF: the provider keeps {} different from what was written",
            ids.join(", ")
        ),
        BucketStatus::Failed(reason) => format!("FAILED: {reason}"),
    };
    let _ = writeln!(out, "{bucket}: {status}");
    for change in &outcome.written {
        let _ = writeln!(out, "  {} {}", change.action.as_str(), change.id);
    }
    for (change, error) in &outcome.failures {
        let _ = writeln!(
            out,
            "  {} {} failed: {error}",
            change.action.as_str(),
            change.id
        );
    }
    if let Some(plan) = &outcome.plan {
        for id in &plan.unmanaged {
            let _ = writeln!(out, "  unmanaged {id} (left alone: prune is off)");
        }
    }
}
