//! The daemon loop's side of fleet policies: expanding revisions over the latest discovery,
//! running discovery passes and taking their results, and the coverage gauges.

use std::sync::Arc;
use std::time::Instant;

use tokio::task::JoinError;
use tracing::{error, info, warn};

use super::{Cause, Daemon, LOGGED_PROBLEMS};
use crate::model::{BucketKey, DesiredState};
use crate::plan::PolicyCoverage;
use crate::reconcile::events::RunEvent;
use crate::reconcile::fleet::{self, Discovery, Expansion};
use crate::reconcile::revision;

impl Daemon {
    /// `base` expanded over the latest discovery; `base` itself when it has no policy or no
    /// discovery has completed yet.
    pub(super) fn expand(&self, base: &DesiredState) -> Expansion {
        match &self.view {
            Some(view) if (self.fleet.has_policies)(base) => view.expand(base),
            _ => Expansion {
                desired: base.clone(),
                ..Expansion::default()
            },
        }
    }

    /// The part of `expansion` this replica owns: its buckets and its policies' coverage.
    pub(super) fn sharded(&self, expansion: Expansion) -> (DesiredState, Vec<PolicyCoverage>) {
        let Expansion {
            mut desired,
            mut coverage,
            ..
        } = expansion;
        let shard = self.shard;
        desired.buckets.retain(|key, _| shard.owns(key));
        for policy in &mut coverage {
            policy.matched.retain(|key| shard.owns(key));
        }
        (desired, coverage)
    }

    pub(super) fn set_coverage(&mut self, coverage: Vec<PolicyCoverage>) {
        self.policy_buckets = coverage
            .iter()
            .flat_map(|policy| policy.matched.iter().cloned())
            .collect();
        self.policies_of.clear();
        for (index, policy) in coverage.iter().enumerate() {
            for key in &policy.matched {
                self.policies_of.entry(key.clone()).or_default().push(index);
            }
        }
        self.coverage = coverage;
    }

    /// Sets `invsync_policy_buckets` from the coverage in force and the latest reconciles
    /// (a walk over every matched bucket: after a discovery or a new revision).
    pub(super) fn update_policy_gauges(&mut self) {
        self.policy_counts = self
            .coverage
            .iter()
            .map(|policy| {
                let in_sync = |key: &BucketKey| self.views.get(key).is_some_and(|v| v.in_sync);
                (policy.policy.clone(), fleet::counts(policy, in_sync))
            })
            .collect();
        self.context.metrics.set_policy_buckets(&self.policy_counts);
    }

    /// Moves policy bucket `key` between `covered` and `pending` of every policy that matched
    /// it, now that its reconcile left it `in_sync` (or no longer): the cost of one bucket,
    /// not of the fleet.
    pub(super) fn shift_policy_bucket(&mut self, key: &BucketKey, in_sync: bool) {
        for &index in self.policies_of.get(key).map_or(&[][..], Vec::as_slice) {
            let Some(policy) = self.coverage.get(index) else {
                continue;
            };
            let Some(counts) = self.policy_counts.get_mut(&policy.policy) else {
                continue;
            };
            let (from, to) = if in_sync {
                (&mut counts.pending, &mut counts.covered)
            } else {
                (&mut counts.covered, &mut counts.pending)
            };
            *from = from.saturating_sub(1);
            *to += 1;
        }
        self.context.metrics.set_policy_buckets(&self.policy_counts);
    }

    /// Reports an expansion that cannot be put in force (policies in conflict over the
    /// discovered buckets); what is in force stays.
    pub(super) fn reject_expansion(&self, revision: Option<&str>, problems: Vec<String>) {
        error!(
            revision = revision.unwrap_or(&self.revision),
            in_force = %self.revision,
            problems = problems.len(),
            "fleet policies conflict over the discovered buckets; nothing is written for them and the state in force stays"
        );
        for problem in problems.iter().take(LOGGED_PROBLEMS) {
            error!(problem = %problem, "fleet policy problem");
        }
        self.emit(RunEvent::RevisionRejected {
            revision: revision.map(str::to_owned),
            problems,
        });
    }

    /// Starts a discovery pass if one is due and none runs.
    pub(super) fn start_discovery(&mut self, now: Instant) {
        if self.discovering.is_some() || !self.discovery.take_due(now) {
            return;
        }
        let discover = self.fleet.discover.clone();
        let (base, clients) = (self.base.clone(), self.context.clients.clone());
        self.discovering_for = base.clone();
        self.discovering = Some(tokio::spawn(async move { discover(base, clients).await }));
    }

    /// Takes a finished discovery pass: a complete one is expanded with the revision in force
    /// and its buckets scheduled; a failed one changes nothing and is retried with backoff.
    pub(super) fn discovery_joined(&mut self, joined: Result<Discovery, JoinError>, now: Instant) {
        let discovery = match joined {
            Ok(discovery) => discovery,
            Err(error) => {
                error!(%error, "discovery task ended abnormally");
                self.discovery
                    .finish(now, false, self.discovery_jitter.draw());
                return;
            }
        };
        let metrics = &self.context.metrics;
        let at = std::time::SystemTime::now();
        for provider in &discovery.listed {
            metrics.record_discovery(*provider, true, at);
        }
        for (provider, reason) in &discovery.failed {
            metrics.record_discovery(*provider, false, at);
            warn!(provider = %provider, error = %reason, "bucket listing failed");
        }
        let complete = discovery.is_complete();
        let next = self
            .discovery
            .finish(now, complete, self.discovery_jitter.draw());
        if !complete {
            warn!(
                failures = self.discovery.failures(),
                retry_in_s = next.as_secs_f64(),
                "discovery failed; the previous one stays in force and is retried"
            );
            return;
        }
        if !(self.fleet.has_policies)(&self.base) {
            return;
        }
        if self.discovering_for.policies != self.base.policies {
            // Listed for other policies than those in force, which may name other accounts;
            // the pass their revision requested follows at once.
            self.discovery.request(now);
            return;
        }
        if let Some(wave) = &self.wave {
            wave.refill();
        }
        let previous = self.view.replace(discovery.view);
        let expansion = self.expand(&self.base);
        if !expansion.errors.is_empty() {
            self.view = previous;
            self.reject_expansion(None, expansion.errors);
            return;
        }
        let (effective, coverage) = self.sharded(expansion);
        let diff = revision::diff(&self.desired, &effective);
        self.set_coverage(coverage);
        let desired = Arc::new(effective);
        self.context
            .settle
            .revision_expanded(&self.revision, desired.clone());
        self.apply_diff(&diff, now, Cause::Discovery);
        self.desired = desired;
        if !diff.is_empty() {
            self.announced = false;
            info!(
                revision = %self.revision,
                buckets = self.desired.buckets.len(),
                added = diff.added.len(),
                changed = diff.changed.len(),
                removed = diff.removed.len(),
                "fleet discovery changed the managed buckets"
            );
        }
        self.update_gauges();
        self.update_policy_gauges();
        if self.wave.is_some() {
            // A new pass: the policy buckets not in sync (those the last wave left out among
            // them) are looked at now, not at the end of their own wait.
            let pending: Vec<BucketKey> = self
                .policy_buckets
                .iter()
                .filter(|key| !self.views.get(key).is_some_and(|v| v.in_sync))
                .cloned()
                .collect();
            for key in &pending {
                self.scheduler.schedule_now(key);
            }
        }
    }
}
