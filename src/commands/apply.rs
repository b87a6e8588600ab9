//! `invsync apply`: plan, then carry the plan out bucket by bucket.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::process::ExitCode;

use invsync::cli::ApplyArgs;
use invsync::error_chain::Chain;
use invsync::fleet;
use invsync::metrics::Metrics;
use invsync::model::{BucketKey, DesiredBucket, DesiredState, Readiness};
use invsync::plan::{DestinationFinding, FleetReport};
use invsync::provider::registry;
use invsync::reconcile::{
    Applied, ApplySettings, ReconcileContext, ReconcileError, Reconciled, SettleGate, apply_all,
};

/// Exit codes: 0 every managed bucket converged, 1 anything else (invalid manifests — in which
/// case nothing is written at all —, conflicting policies — likewise —, a `--run-once` id no
/// manifest declares as `Once`, a refused plan, a failed read or write, a perpetual diff, a
/// failed bucket listing or an unreadable selected bucket, a policy's refused deletes). A wave
/// rollout with passes left is not a failure: the report says to run apply again. A
/// destination that is not ready is reported with its fix and, by default, still written; with
/// `--require-ready-destination` its bucket is not written and the run fails.
pub(crate) async fn run(args: &ApplyArgs) -> anyhow::Result<ExitCode> {
    let policy = args.manifests.endpoint_policy();
    let Some(desired) = super::load_or_report(&args.manifests.manifests, &policy) else {
        return Ok(ExitCode::from(1));
    };
    if desired.policies.is_empty() && !refuse_undeclared_once(&desired, &args.run_once) {
        return Ok(ExitCode::from(1));
    }
    let clients = super::clients(&args.provider, policy)?;
    let mut options = super::plan_options(&args.safety);
    options.run_once = args.run_once.iter().cloned().collect();
    // With policies, the fleet is planned first (discovery, expansion, waves, the fleet-wide
    // delete guard) and this pass carries out only what the rollout allows.
    let (desired, fleet) = if desired.policies.is_empty() {
        (desired, FleetReport::default())
    } else {
        let Some(planned) = super::fleet_run::plan_fleet(
            &clients,
            desired,
            &options,
            &args.fleet,
            usize::from(args.provider.concurrency),
        )
        .await
        else {
            return Ok(ExitCode::from(1));
        };
        let pass = fleet::this_pass(&planned.expanded.desired, &planned.plan.fleet);
        if !refuse_undeclared_once(&pass, &args.run_once) {
            return Ok(ExitCode::from(1));
        }
        (pass, planned.plan.fleet)
    };
    let destinations = if args.delivery.delivery_checks {
        let buckets = desired.buckets.values().collect();
        super::destinations::check(&clients, buckets, usize::from(args.provider.concurrency)).await
    } else {
        Vec::new()
    };
    let mut desired = desired;
    let held = if args.require_ready_destination {
        hold_not_ready(&mut desired, &destinations)
    } else {
        Vec::new()
    };
    // The daemon's reconcile, run once: nothing waits for the manifests to settle and nothing
    // is exported, so the metrics stay unread.
    let context = ReconcileContext {
        clients,
        metrics: Metrics::new(),
        options,
        settings: ApplySettings::default(),
        dry_run: false,
        settle: SettleGate::unguarded(),
        wave: None,
    };
    let outcomes = apply_all(&context, &desired, usize::from(args.provider.concurrency)).await;

    let mut out = String::new();
    let mut all_converged = true;
    let (mut written, mut in_sync, mut converged, mut observed) = (0, 0, 0, 0);
    let mut gone = 0;
    for (key, outcome) in &outcomes {
        // A bucket only policies cover, deleted since it was listed: nothing to converge.
        if outcome
            .result
            .as_ref()
            .is_err_and(ReconcileError::is_missing_bucket)
            && desired
                .buckets
                .get(key)
                .is_some_and(DesiredBucket::only_policies)
        {
            gone += 1;
            let _ = writeln!(out, "{key}: gone since it was listed; nothing to do");
            continue;
        }
        all_converged &= outcome.is_settled();
        written += outcome.written.len();
        match outcome.result {
            Ok(Applied::InSync) => in_sync += 1,
            Ok(Applied::Converged) => converged += 1,
            Ok(Applied::Observed(_)) => observed += 1,
            // Only the daemon's settle gate holds writes.
            Ok(Applied::Held(_)) | Err(_) => {}
        }
        describe(&mut out, &key.to_string(), outcome);
    }
    all_converged &= held.is_empty();
    let failed = outcomes.len() - in_sync - converged - observed - gone + held.len();
    all_converged &= describe_fleet(&mut out, &fleet);
    describe_destinations(&mut out, &destinations, &held);
    let observed_note = if observed > 0 {
        format!(", {observed} drifted in observe mode (not written)")
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "\nApply {}: {written} configurations written; {converged} buckets converged, {in_sync} already in sync{observed_note}, {failed} not converged (revision {}).",
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

/// Takes out of `desired` every bucket with a configuration whose destination is not ready
/// (`--require-ready-destination`): nothing is written to it. Returns those buckets.
fn hold_not_ready(
    desired: &mut DesiredState,
    destinations: &[DestinationFinding],
) -> Vec<BucketKey> {
    let held: BTreeSet<BucketKey> = destinations
        .iter()
        .filter(|f| matches!(f.readiness, Readiness::NotReady { .. }))
        .map(|f| f.key.clone())
        .collect();
    for key in &held {
        desired.buckets.remove(key);
    }
    held.into_iter().collect()
}

/// The destinations part of the apply report: every configuration whose destination is not
/// ready or was not checked, with the fix, and the buckets held back for it.
fn describe_destinations(
    out: &mut String,
    destinations: &[DestinationFinding],
    held: &[BucketKey],
) {
    for finding in destinations {
        if let Some(headline) = finding.headline() {
            let _ = writeln!(out, "{} {}: {headline}", finding.key, finding.id);
            for line in finding.fix().unwrap_or_default().lines() {
                let _ = writeln!(out, "      {line}");
            }
        }
    }
    for key in held {
        let _ = writeln!(
            out,
            "{key}: nothing written: a configuration's destination is not ready (--require-ready-destination)"
        );
    }
}

/// False, after saying so on stderr, when `--run-once` names an id no bucket of `desired`
/// declares as a `Once` configuration.
fn refuse_undeclared_once(desired: &DesiredState, run_once: &[String]) -> bool {
    let undeclared = undeclared_once(desired, run_once);
    if !undeclared.is_empty() {
        eprintln!(
            "invsync: --run-once {}: no manifest declares a `frequency: Once` configuration with this id; nothing was written",
            undeclared.join(", ")
        );
    }
    undeclared.is_empty()
}

/// The policies' part of the apply report: refused deletes, unreadable buckets, failed
/// listings (each makes the run incomplete) and the passes a wave rollout still needs (which
/// does not). Returns false when the run is incomplete.
fn describe_fleet(out: &mut String, fleet: &FleetReport) -> bool {
    let mut complete = true;
    for cov in &fleet.policies {
        if let Some(error) = &cov.listing_error {
            complete = false;
            let _ = writeln!(
                out,
                "policy {}: FAILED, the bucket listing failed: {error}",
                cov.policy
            );
        }
        for (key, reason) in &cov.unreadable {
            complete = false;
            let _ = writeln!(
                out,
                "policy {}: {key} not read, so not covered: {reason}",
                cov.policy
            );
        }
        if let Some(refusal) = &cov.refusal {
            complete = false;
            let _ = writeln!(
                out,
                "policy {}: deletes REFUSED, none made: {refusal}",
                cov.policy
            );
        }
        for key in &cov.gone {
            let _ = writeln!(
                out,
                "policy {}: {key} is gone since it was listed; nothing to do",
                cov.policy
            );
        }
    }
    if let Some(waves) = fleet.waves.filter(|w| w.passes > 1) {
        let _ = writeln!(
            out,
            "Rollout: {} of {} buckets written through policies this pass (--max-policy-writes-per-pass {}); {} more passes remain: run apply again.",
            waves.limit.min(waves.buckets),
            waves.buckets,
            waves.limit,
            fleet.passes_remaining()
        );
    }
    complete
}

/// The ids in `run_once` that no bucket declares as a `Once` configuration.
fn undeclared_once<'a>(desired: &DesiredState, run_once: &'a [String]) -> Vec<&'a str> {
    run_once
        .iter()
        .filter(|id| {
            !desired.buckets.values().any(|b| {
                b.inventories
                    .iter()
                    .any(|i| i.id() == id.as_str() && registry::runs_once(i))
            })
        })
        .map(String::as_str)
        .collect()
}

fn describe(out: &mut String, bucket: &str, outcome: &Reconciled) {
    let status = match &outcome.result {
        Ok(Applied::InSync) => "in sync".to_string(),
        Ok(Applied::Converged) => "converged".to_string(),
        Err(ReconcileError::PlanRefused { reason }) => {
            format!("REFUSED, nothing written: {reason}")
        }
        Err(ReconcileError::PerpetualDiff { ids }) => format!(
            "PERPETUAL DIFF: the provider keeps {} different from what was written",
            ids.join(", ")
        ),
        // The writes that failed are listed below, each with its cause.
        Err(error @ ReconcileError::Apply { .. }) => format!("FAILED: {error}"),
        Err(error) => format!("FAILED: {}", error.reason()),
        Ok(Applied::Observed(pending)) => {
            format!("observe mode, {pending} changes reported and not written")
        }
        Ok(Applied::Held(_)) => "held until the manifests settle".to_string(),
    };
    let _ = writeln!(out, "{bucket}: {status}");
    for change in &outcome.written {
        let _ = writeln!(out, "  {} {}", change.action.as_str(), change.id);
    }
    for (change, error) in &outcome.failures {
        let _ = writeln!(
            out,
            "  {} {} failed: {}",
            change.action.as_str(),
            change.id,
            Chain(error.as_ref())
        );
    }
    if let Some(plan) = &outcome.plan {
        for id in &plan.unmanaged {
            let _ = writeln!(out, "  unmanaged {id} (left alone: prune is off)");
        }
        for once in &plan.once {
            let _ = writeln!(
                out,
                "  once {}: {}",
                once.id,
                once.state.describe().replace("ID", &once.id)
            );
        }
        for blocked in &plan.blocked {
            let _ = writeln!(
                out,
                "  blocked {} (left alone: invsync does not model {}; {})",
                blocked.id,
                blocked.unmodelled.join(", "),
                blocked.way_out()
            );
        }
    }
}
