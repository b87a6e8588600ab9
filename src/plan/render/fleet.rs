//! The fleet part of every rendering: one line per policy with its coverage, and the totals.

use crate::plan::{FleetReport, PolicyCoverage};

/// `policy NAME (PROVIDER, FILE): 12 matched, 3 to change, 9 in sync, 4 excluded, 1
/// unreadable`, plus what else holds: gone buckets, failed reads, observe mode, deferred
/// buckets, a listing that failed.
pub(crate) fn policy_line(cov: &PolicyCoverage) -> String {
    let provider = cov.provider.map_or("?", |p| p.as_str());
    let mut line = format!(
        "policy {} ({provider}, {}): ",
        cov.policy,
        cov.origin.file.display()
    );
    if let Some(error) = &cov.listing_error {
        line += &format!("the bucket listing failed, nothing is known of its buckets: {error}");
        return line;
    }
    line += &format!(
        "{} matched, {} to change, {} in sync, {} excluded, {} unreadable",
        cov.matched.len() - cov.gone.iter().filter(|g| cov.matched.contains(g)).count(),
        cov.to_change.len(),
        cov.in_sync,
        cov.excluded,
        cov.unreadable.len()
    );
    if cov.failed > 0 {
        line += &format!(", {} not read", cov.failed);
    }
    if !cov.gone.is_empty() {
        line += &format!(", {} gone since listed", cov.gone.len());
    }
    if cov.mode == crate::model::BucketMode::Observe {
        line += "; observe mode, nothing is written";
    }
    if !cov.deferred.is_empty() {
        line += &format!("; {} wait for a later pass", cov.deferred.len());
    }
    line
}

/// Why each unreadable bucket was not read, and a policy's refused deletes: detail lines.
pub(crate) fn detail_lines(cov: &PolicyCoverage) -> Vec<String> {
    let mut lines: Vec<String> = cov
        .unreadable
        .iter()
        .map(|(key, reason)| format!("unreadable {key}: {reason}"))
        .collect();
    if let Some(refusal) = &cov.refusal {
        lines.push(format!(
            "refused: {refusal}; none of this policy's deletes will be made unless mass deletes are allowed"
        ));
    }
    lines
}

/// `Policies: 2; 20 buckets matched, 3 to change, 17 in sync, 6 excluded, 1 unreadable.`
/// and, for a rollout over several passes, how many remain.
pub(crate) fn totals_line(fleet: &FleetReport) -> String {
    let sum = |f: fn(&PolicyCoverage) -> usize| fleet.policies.iter().map(f).sum::<usize>();
    let mut line = format!(
        "Policies: {}; {} buckets matched, {} to change, {} in sync, {} excluded, {} unreadable.",
        fleet.policies.len(),
        sum(|c| c.matched.len() - c.gone.iter().filter(|g| c.matched.contains(g)).count()),
        sum(|c| c.to_change.len()),
        sum(|c| c.in_sync),
        sum(|c| c.excluded),
        sum(|c| c.unreadable.len()),
    );
    if let Some(waves) = fleet.waves.filter(|w| w.passes > 1) {
        line += &format!(
            " Rollout in waves of at most {} buckets: {} buckets to write, {} passes ({} remaining after this one).",
            waves.limit,
            waves.buckets,
            waves.passes,
            fleet.passes_remaining()
        );
    }
    line
}
