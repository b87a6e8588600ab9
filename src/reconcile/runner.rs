//! The daemon loop of `invsync run`: reconcile on start, on manifest change, on SIGHUP and on
//! each bucket's own timer (resync or backoff), until shutdown.
//!
//! # Guarantees
//! - One reconcile of a bucket at a time; at most `concurrency` at once; a failing bucket backs
//!   off on its own ([`BucketScheduler`]) while the others keep going.
//! - A manifests change reconciles only the buckets whose desired state changed (and new
//!   ones); a bucket no longer named is dropped from scheduling, never deleted from.
//! - A revision that fails to load or validate is rejected whole: nothing is written on its
//!   behalf, the last good revision stays in force, the error is logged and counted
//!   (`invsync_manifest_errors_total`, `invsync_manifest_valid 0`), and the next change is
//!   loaded as usual. A revision that could not be *read* for a reason that passes by itself
//!   (out of descriptors, an I/O hiccup: [`RevisionError::is_transient`]) is loaded again
//!   with [`LOAD_RETRY`] backoff until it loads or fails for a reason that needs an edit.
//! - A delete or replacement, and any write the last settled revision did not allow (observe
//!   → enforce, prune turned on, an `overwriteForeign` opt-in, a newly named bucket), is
//!   written only for a revision that has settled ([`super::settle`]); other creates and
//!   updates of a new revision go ahead at once.
//! - Readiness is set after the first pass over every bucket of the first good revision,
//!   whether each reconcile succeeded or not.
//! - On shutdown no new reconcile starts; those in flight get `shutdown_grace` to finish and
//!   are abandoned after it.
//! - A revision declaring fleet policies is expanded over the latest discovery
//!   ([`super::fleet`]): the fleet is listed at start, every `discover_interval` ± 10 %, at
//!   once after a push to the hook, a SIGHUP or a new revision ([`DiscoverySchedule`]). A
//!   bucket a pass finds is scheduled at once; one it no longer finds is dropped from the
//!   schedule (logged at INFO), never deleted from. A pass in which a listing failed changes
//!   nothing: the previous snapshot stays in force and the pass is retried with backoff. An
//!   expansion with conflicts is not put in force. Buckets a policy newly reaches are writes
//!   the settled revision did not grant, held like a newly named bucket ([`super::grant`]);
//!   policy buckets written per pass are bounded by `max_policy_writes_per_pass`
//!   ([`WaveBudget`]).

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};
use tracing::{error, info, warn};

use super::apply::ApplySettings;
use super::bucket::{ReconcileContext, reconcile};
use super::clients::Clients;
use super::delivery::DeliveryWatch;
use super::discovery::{DEFAULT_DISCOVER_INTERVAL, DiscoverySchedule};
use super::error::ReconcileError;
use super::events::{OutcomeSink, RunEvent};
use super::fleet::{Discovery, FleetBinding, FleetView};
use super::outcome::Reconciled;
use super::report;
use super::requeue::next_action;
use super::revision::{self, Revision, RevisionDiff, RevisionError};
use super::settle::SettleGate;
use super::views::BucketViews;
use super::waves::WaveBudget;
use crate::backoff::{Backoff, Jitter};
use crate::fleet::DEFAULT_MAX_POLICY_WRITES_PER_PASS;
use crate::manifest::ParseCache;
use crate::metrics::{Metrics, PolicyCounts};
use crate::model::{BucketKey, DeliveryHealth, DesiredState, Provider};
use crate::plan::{PlanOptions, PolicyCoverage};
use crate::provider::endpoint_policy::EndpointPolicy;
use crate::scheduler::{Action, BucketScheduler, SchedulerConfig};
use crate::server::Readiness;
use crate::shard::Shard;
use crate::watch::{DEFAULT_DEBOUNCE, ManifestWatcher, WatchError};

/// How long in-flight reconciles may run after a shutdown request: under Kubernetes' default
/// 30 s termination grace period, so the process still exits on its own.
pub(crate) const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// How long a push-triggered reload waits for the revision to change (git-sync's fetch).
pub(crate) const DEFAULT_RELOAD_WINDOW: Duration = Duration::from_secs(30);

/// Pause between reloads while waiting for the revision to change.
const RELOAD_RETRY: Duration = Duration::from_millis(500);

/// Backoff between loads of a revision that could not be read for a transient reason: a
/// descriptor shortage clears within seconds once connections close, and 30 s keeps an edit
/// made meanwhile within one short wait of being applied once it does.
pub(crate) const LOAD_RETRY: Backoff =
    Backoff::new(Duration::from_secs(1), Duration::from_secs(30));

/// Loads one revision of the manifests directory ([`revision::load`], or a stand-in in tests).
type Loader = Box<
    dyn FnMut(&Path, &mut ParseCache, &EndpointPolicy) -> Result<Revision, RevisionError> + Send,
>;

/// Manifest problems logged one by one per rejected revision; the rest are only counted.
const LOGGED_PROBLEMS: usize = 20;

/// Everything the daemon loop needs.
pub struct RunConfig {
    /// The manifests directory; it or a parent may be a git-sync symlink.
    pub manifests: PathBuf,
    /// Clients, metrics, plan safety limits, apply settings and the dry-run switch.
    pub context: ReconcileContext,
    /// Set after the first full pass.
    pub readiness: Readiness,
    /// Resync interval, jitter and backoff.
    pub schedule: SchedulerConfig,
    /// Buckets reconciled at the same time.
    pub concurrency: usize,
    /// Quiet time that ends a burst of manifest file events.
    pub debounce: Duration,
    /// Time in-flight reconciles get after shutdown is requested.
    pub shutdown_grace: Duration,
    /// Each message forces a full pass (SIGHUP).
    pub full_pass: Option<mpsc::UnboundedReceiver<()>>,
    /// Receives a [`RunEvent`] for everything found and done.
    pub events: Option<mpsc::UnboundedSender<RunEvent>>,
    /// Keeps the latest reconcile of every bucket (the status board).
    pub outcomes: Option<Arc<dyn OutcomeSink>>,
    /// Looks at the reports of the configurations of buckets in sync, at most once per
    /// schedule period each, and tells [`RunConfig::outcomes`] what it found; `None`: no
    /// delivery checks.
    pub delivery: Option<DeliveryWatch>,
    /// Each message reloads the manifests at once (push hook); when the revision has not
    /// changed yet (git-sync still fetching), the reload is retried until `reload_window` ends.
    pub reload_requests: Option<mpsc::UnboundedReceiver<()>>,
    /// How long a requested reload is retried while the revision stays the same.
    pub reload_window: Duration,
    /// The buckets this replica owns; the others are left to their replicas.
    pub shard: Shard,
    /// Time between two discoveries of the fleet (± 10 %), when a revision has policies.
    pub discover_interval: Duration,
    /// Buckets written through fleet policies per discovery pass; `None`: no limit.
    pub max_policy_writes_per_pass: Option<usize>,
    /// Discovery and expansion of fleet policies.
    pub fleet: FleetBinding,
}

impl RunConfig {
    /// Defaults: 5 min ± 10 % resync and discovery, backoff 1 s doubling to 5 min, 8 buckets
    /// at once, [`DEFAULT_MAX_POLICY_WRITES_PER_PASS`] policy buckets written per pass,
    /// [`DEFAULT_DEBOUNCE`], [`DEFAULT_SHUTDOWN_GRACE`], writes enabled, deletes and
    /// replacements after [`super::DEFAULT_SETTLE`].
    pub fn new(manifests: impl Into<PathBuf>, clients: Clients, metrics: Metrics) -> Self {
        RunConfig {
            manifests: manifests.into(),
            context: ReconcileContext {
                clients,
                metrics,
                options: PlanOptions::default(),
                settings: ApplySettings::default(),
                dry_run: false,
                settle: SettleGate::default(),
                wave: None,
            },
            readiness: Readiness::new(),
            schedule: SchedulerConfig::default(),
            concurrency: 8,
            debounce: DEFAULT_DEBOUNCE,
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
            full_pass: None,
            events: None,
            outcomes: None,
            delivery: None,
            reload_requests: None,
            reload_window: DEFAULT_RELOAD_WINDOW,
            shard: Shard::SINGLE,
            discover_interval: DEFAULT_DISCOVER_INTERVAL,
            max_policy_writes_per_pass: Some(DEFAULT_MAX_POLICY_WRITES_PER_PASS),
            fleet: FleetBinding::standard(),
        }
    }
}

/// Why the daemon could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The manifests directory cannot be watched (missing, or the watch limit is reached).
    #[error("cannot watch the manifests directory")]
    Watch(#[from] WatchError),
}

/// Runs the daemon until `shutdown` completes, then finishes in-flight work (bounded).
///
/// An invalid first revision does not stop the daemon: it waits, not ready, for a valid one.
///
/// # Errors
/// Only when the manifests directory cannot be watched at start.
pub async fn run(
    mut config: RunConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), RunError> {
    let mut watcher = ManifestWatcher::new(&config.manifests, config.debounce)?;
    let mut full_pass = config.full_pass.take();
    let mut reload_requests = config.reload_requests.take();
    info!(
        shard = %config.shard,
        manifests = %config.manifests.display(),
        interval_s = config.schedule.resync_interval.as_secs_f64(),
        discover_interval_s = config.discover_interval.as_secs_f64(),
        dry_run = config.context.dry_run,
        "daemon started"
    );
    let mut daemon = Daemon::new(config);
    daemon.reload(super::now());
    tokio::pin!(shutdown);
    loop {
        daemon.start_discovery(super::now());
        daemon.start_due();
        // At the concurrency limit a due bucket has to wait for a running one, not for a timer
        // that has already expired (which would spin).
        let next = if daemon.tasks.len() >= daemon.concurrency {
            None
        } else {
            daemon.scheduler.next_due(super::now())
        };
        tokio::select! {
            () = &mut shutdown => break,
            () = watcher.changed() => daemon.reload(super::now()),
            Some(()) = recv(&mut full_pass) => {
                info!("full pass requested");
                daemon.reload(super::now());
                daemon.discovery.request(super::now());
                daemon.scheduler.schedule_all_now();
            }
            Some(()) = recv(&mut reload_requests) => daemon.request_reload(super::now()),
            () = sleep_until(daemon.load_retry.as_ref().map(|r| r.at)) => {
                daemon.reload(super::now());
            }
            () = sleep_until(daemon.pending_reload.as_ref().map(|p| p.retry_at)) => {
                daemon.retry_reload(super::now());
            }
            joined = discovery_joined(&mut daemon.discovering) => {
                daemon.discovering = None;
                daemon.discovery_joined(joined, super::now());
            }
            () = sleep_until(daemon.discovery.next_due()) => {}
            Some(joined) = daemon.tasks.join_next(), if !daemon.tasks.is_empty() => {
                match joined {
                    Ok(finished) => daemon.finish(finished),
                    Err(error) => error!(%error, "reconcile task ended abnormally"),
                }
            }
            () = sleep_until(next) => {}
        }
    }
    if let Some(pass) = daemon.discovering.take() {
        // A listing only feeds the next schedule, which will not come.
        pass.abort();
    }
    daemon.drain().await;
    Ok(())
}

async fn recv(receiver: &mut Option<mpsc::UnboundedReceiver<()>>) -> Option<()> {
    match receiver {
        Some(receiver) => receiver.recv().await,
        None => std::future::pending().await,
    }
}

/// The running discovery pass's result; never completes when none runs.
async fn discovery_joined(
    task: &mut Option<JoinHandle<Discovery>>,
) -> Result<Discovery, tokio::task::JoinError> {
    match task {
        Some(task) => task.await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await,
        None => std::future::pending().await,
    }
}

/// A reconcile task's record, with what the gauges need of the bucket it reconciled.
struct Finished {
    key: BucketKey,
    /// Configurations the reconciled revision declared for the bucket.
    declared: usize,
    /// The revision the reconcile ran at.
    revision: String,
    reconciled: Reconciled,
    /// What the delivery checks found after it, by configuration id (only those due).
    delivery: Vec<(String, DeliveryHealth)>,
}

/// What changed the set of managed buckets (for the logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cause {
    /// A new manifests revision.
    Revision,
    /// A discovery pass found buckets appear or disappear.
    Discovery,
}

/// A requested reload that has not seen a new revision yet.
struct PendingReload {
    /// The revision in force when the reload was requested.
    since: String,
    retry_at: Instant,
    until: Instant,
}

/// A load to try again after a transient read failure.
#[derive(Debug, Clone, Copy)]
struct LoadRetry {
    /// Failed loads in a row, minus one.
    attempt: u32,
    at: Instant,
}

struct Daemon {
    manifests: PathBuf,
    load: Loader,
    load_retry: Option<LoadRetry>,
    load_jitter: Jitter,
    reload_window: Duration,
    pending_reload: Option<PendingReload>,
    shard: Shard,
    context: ReconcileContext,
    readiness: Readiness,
    concurrency: usize,
    shutdown_grace: Duration,
    events: Option<mpsc::UnboundedSender<RunEvent>>,
    outcomes: Option<Arc<dyn OutcomeSink>>,
    delivery: Option<DeliveryWatch>,
    scheduler: BucketScheduler<BucketKey>,
    /// The last good revision's id and desired state.
    revision: String,
    desired: Arc<DesiredState>,
    views: BucketViews,
    /// Buckets of the first good revision not yet reconciled once; `None` before that revision
    /// and after readiness.
    first_pass: Option<BTreeSet<BucketKey>>,
    /// An [`RunEvent::InSync`] was sent and nothing drifted since.
    announced: bool,
    /// The latest load was rejected: the next good one is announced even if it equals the
    /// revision in force.
    rejected: bool,
    tasks: JoinSet<Finished>,
    /// Parsed manifest files by contents, so a reload parses only what changed.
    parse_cache: ParseCache,
    fleet: FleetBinding,
    discovery: DiscoverySchedule,
    discovery_jitter: Jitter,
    /// The discovery pass running, if any.
    discovering: Option<JoinHandle<Discovery>>,
    /// The revision the running pass lists for.
    discovering_for: Arc<DesiredState>,
    /// The latest complete discovery; `None` before the first or without policies.
    view: Option<Arc<dyn FleetView>>,
    /// The last good revision as loaded, before expansion and sharding.
    base: Arc<DesiredState>,
    /// Per policy, what the expansion in force covers (this replica's buckets only).
    coverage: Vec<PolicyCoverage>,
    /// Buckets a policy writes to: their writes draw on `wave`.
    policy_buckets: BTreeSet<BucketKey>,
    /// For each policy bucket, the indexes of the policies in `coverage` that matched it.
    policies_of: BTreeMap<BucketKey, Vec<usize>>,
    /// `invsync_policy_buckets` as last set, by policy, kept up to date bucket by bucket.
    policy_counts: BTreeMap<String, PolicyCounts>,
    wave: Option<WaveBudget>,
}

impl Daemon {
    fn new(config: RunConfig) -> Self {
        Daemon {
            manifests: config.manifests,
            load: Box::new(revision::load),
            load_retry: None,
            load_jitter: Jitter::random(),
            reload_window: config.reload_window,
            pending_reload: None,
            shard: config.shard,
            context: config.context,
            readiness: config.readiness,
            concurrency: config.concurrency.max(1),
            shutdown_grace: config.shutdown_grace,
            events: config.events,
            outcomes: config.outcomes,
            delivery: config.delivery,
            scheduler: BucketScheduler::new(config.schedule, rand::random::<f64>),
            revision: String::new(),
            desired: Arc::new(DesiredState::default()),
            views: BucketViews::default(),
            first_pass: None,
            announced: false,
            rejected: false,
            tasks: JoinSet::new(),
            parse_cache: ParseCache::default(),
            fleet: config.fleet,
            discovery: DiscoverySchedule::new(config.discover_interval),
            discovery_jitter: Jitter::random(),
            discovering: None,
            discovering_for: Arc::new(DesiredState::default()),
            view: None,
            base: Arc::new(DesiredState::default()),
            coverage: Vec::new(),
            policy_buckets: BTreeSet::new(),
            policies_of: BTreeMap::new(),
            policy_counts: BTreeMap::new(),
            wave: config
                .max_policy_writes_per_pass
                .map(|limit| WaveBudget::new(limit, config.discover_interval)),
        }
    }

    fn emit(&self, event: RunEvent) {
        if let Some(events) = &self.events {
            // A receiver that went away wants no more events; the daemon goes on regardless.
            let _ = events.send(event);
        }
    }

    /// Loads the current revision; on success makes it the one in force and schedules what
    /// changed, on failure keeps the last good one.
    fn reload(&mut self, now: Instant) {
        let metrics = &self.context.metrics;
        let started = std::time::Instant::now();
        let mut loaded = match (self.load)(
            &self.manifests,
            &mut self.parse_cache,
            self.context.clients.endpoint_policy(),
        ) {
            Ok(loaded) => loaded,
            Err(rejected) => {
                metrics.record_manifest_load(false);
                self.rejected = true;
                let retrying = self.load_retry.is_some();
                self.load_retry = rejected.is_transient().then(|| {
                    let attempt = self.load_retry.map_or(0, |r| r.attempt.saturating_add(1));
                    LoadRetry {
                        attempt,
                        at: now + LOAD_RETRY.next_delay(attempt, &self.load_jitter),
                    }
                });
                match self.load_retry {
                    // Reported when it began; each retry only says it is still going on.
                    Some(retry) if retrying => warn!(
                        error = %rejected,
                        attempt = retry.attempt,
                        retry_in_s = retry.at.saturating_duration_since(now).as_secs_f64(),
                        "manifests still cannot be read; retrying"
                    ),
                    _ => self.reject(rejected),
                }
                return;
            }
        };
        self.load_retry = None;
        let base = Arc::new(std::mem::take(&mut loaded.desired));
        let policies = (self.fleet.has_policies)(&base);
        if !policies {
            self.discovery.disable();
            self.view = None;
        }
        let expansion = self.expand(&base);
        if !expansion.errors.is_empty() {
            self.context.metrics.record_manifest_load(false);
            self.rejected = true;
            self.reject_expansion(Some(&loaded.id), expansion.errors);
            return;
        }
        let metrics = &self.context.metrics;
        metrics.record_manifest_load(true);
        metrics.set_revision(&loaded.id);
        let (effective, coverage) = self.sharded(expansion);
        loaded.desired = effective;
        let first = self.first_pass.is_none() && !self.readiness.is_ready();
        let diff = revision::diff(&self.desired, &loaded.desired);
        let recovered = std::mem::take(&mut self.rejected);
        let new_revision = loaded.id != self.revision;
        self.base = base;
        self.set_coverage(coverage);
        self.update_policy_gauges();
        if policies {
            self.discovery.enable(now);
            if new_revision {
                // Its selectors may reach providers or regions the last pass did not list.
                self.discovery.request(now);
            }
        }
        if diff.is_empty() && !new_revision && !recovered {
            return;
        }
        info!(
            revision = %loaded.id,
            buckets = loaded.desired.buckets.len(),
            added = diff.added.len(),
            changed = diff.changed.len(),
            removed = diff.removed.len(),
            load_ms = started.elapsed().as_millis(),
            "manifests revision in force"
        );
        let desired = Arc::new(loaded.desired);
        self.context.settle.revision_in_force(
            &self.manifests,
            &loaded.id,
            &desired.revision,
            loaded.atomic,
            now,
            desired.clone(),
        );
        self.apply_diff(&diff, now, Cause::Revision);
        self.revision = loaded.id;
        self.desired = desired;
        if first {
            self.first_pass = Some(self.desired.buckets.keys().cloned().collect());
            // A replica owning no bucket is ready at once.
            self.check_first_pass();
        }
        if !diff.is_empty() {
            self.announced = false;
        }
        self.update_gauges();
        if let Some(outcomes) = &self.outcomes {
            outcomes.revision_loaded(&self.revision);
        }
        self.emit(RunEvent::RevisionLoaded {
            revision: self.revision.clone(),
            buckets: self.desired.buckets.len(),
        });
    }

    /// Reloads now; if the revision is still the same, keeps retrying for the reload window.
    /// Lists the fleet again too: the push may be about a bucket created for a policy.
    fn request_reload(&mut self, now: Instant) {
        let since = self.revision.clone();
        self.reload(now);
        self.discovery.request(now);
        // A rejected revision is reported once, not once per retry.
        self.pending_reload = (self.revision == since && !self.rejected).then(|| PendingReload {
            since,
            retry_at: now + RELOAD_RETRY,
            until: now + self.reload_window,
        });
    }

    fn retry_reload(&mut self, now: Instant) {
        let Some(pending) = self.pending_reload.take() else {
            return;
        };
        self.reload(now);
        if self.revision != pending.since || self.rejected {
            return;
        }
        if now < pending.until {
            self.pending_reload = Some(PendingReload {
                retry_at: now + RELOAD_RETRY,
                ..pending
            });
        } else {
            info!(revision = %self.revision, "requested reload found no new revision");
        }
    }

    fn reject(&self, rejected: RevisionError) {
        let (revision, problems) = match &rejected {
            RevisionError::Invalid { revision, errors } => (
                revision.clone(),
                errors
                    .diagnostics
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>(),
            ),
            RevisionError::Resolve { source, .. } => (None, vec![source.to_string()]),
        };
        error!(
            revision = revision.as_deref().unwrap_or(""),
            in_force = %self.revision,
            retry_in_s = self
                .load_retry
                .map(|r| r.at.saturating_duration_since(super::now()).as_secs_f64()),
            problems = problems.len(),
            error = %rejected,
            "manifests revision rejected; nothing is written for it and the last good revision stays in force"
        );
        for problem in problems.iter().take(LOGGED_PROBLEMS) {
            error!(problem = %problem, "manifest problem");
        }
        self.emit(RunEvent::RevisionRejected { revision, problems });
    }

    fn apply_diff(&mut self, diff: &RevisionDiff, now: Instant, cause: Cause) {
        for key in &diff.removed {
            match cause {
                Cause::Revision => {
                    info!(provider = %key.provider, bucket = %key.bucket, "bucket no longer managed; its configurations are left as they are")
                }
                Cause::Discovery => {
                    info!(provider = %key.provider, bucket = %key.bucket, "bucket no longer found by discovery; dropped from the schedule")
                }
            }
            self.scheduler.remove(key);
            self.views.remove(key);
            self.context
                .metrics
                .remove_bucket(key.provider, &key.bucket);
            if let Some(outcomes) = &self.outcomes {
                outcomes.removed(key);
            }
            if let Some(pending) = &mut self.first_pass {
                pending.remove(key);
            }
        }
        for key in &diff.added {
            if cause == Cause::Discovery {
                info!(provider = %key.provider, bucket = %key.bucket, "bucket found by discovery; scheduled");
            }
            self.scheduler.insert(key.clone(), now);
        }
        for key in &diff.changed {
            self.scheduler.schedule_now(key);
        }
        if let Some(watch) = &self.delivery {
            watch.retain(&self.desired);
        }
        self.check_first_pass();
    }

    /// Starts a reconcile task for every bucket that is due, within the concurrency limit.
    fn start_due(&mut self) {
        let now = super::now();
        for key in self.scheduler.take_due(now, self.concurrency) {
            let Some(bucket) = self.desired.buckets.get(&key).cloned() else {
                // Cannot happen: scheduled keys follow the desired state. Drop it safely.
                self.scheduler.finish(&key, now, Action::Resync);
                self.scheduler.remove(&key);
                continue;
            };
            let mut context = self.context.clone();
            if self.policy_buckets.contains(&key) {
                context.wave.clone_from(&self.wave);
            }
            let revision = self.revision.clone();
            let watch = self.delivery.clone();
            self.tasks.spawn(async move {
                let observed = report::observed(
                    &context,
                    &bucket,
                    &revision,
                    reconcile(&bucket, &context, &revision),
                );
                let reconciled = AssertUnwindSafe(observed)
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|_| Reconciled::failed(ReconcileError::Panicked));
                let delivery = match &watch {
                    Some(watch) => {
                        let checks = watch.check_due(&bucket, &reconciled, &context.clients);
                        AssertUnwindSafe(checks)
                            .catch_unwind()
                            .await
                            .unwrap_or_default()
                    }
                    None => Vec::new(),
                };
                Finished {
                    declared: bucket.inventories.len(),
                    key: bucket.key,
                    revision,
                    reconciled,
                    delivery,
                }
            });
        }
    }

    /// Records how a reconcile ended, schedules the bucket's next one ([`next_action`]) and
    /// announces what it found and did.
    fn finish(&mut self, finished: Finished) {
        let Finished {
            key,
            declared,
            revision,
            reconciled,
            delivery,
        } = finished;
        let failures = self.scheduler.failures(&key).unwrap_or(0) + 1;
        let action = next_action(&reconciled.result, failures);
        self.scheduler.finish(&key, super::now(), action);
        for event in reconciled.drift() {
            self.emit(RunEvent::Drift(event));
        }
        for change in &reconciled.written {
            self.emit(RunEvent::Corrected(Box::new(change.clone())));
        }
        for blocked in reconciled.foreign() {
            self.emit(RunEvent::ForeignBlocked(Box::new(blocked.clone())));
        }
        let gone = self
            .desired
            .buckets
            .get(&key)
            .is_some_and(|bucket| report::is_gone(bucket, &reconciled));
        if gone {
            // Dropped as soon as a listing confirms it.
            self.discovery.request(super::now());
        } else if let Err(error) = &reconciled.result {
            let (key, reason) = (key.clone(), error.reason());
            self.emit(if error.is_blocked() {
                RunEvent::BucketBlocked { key, reason }
            } else {
                RunEvent::BucketFailed { key, reason }
            });
        }
        if let Some(pending) = &mut self.first_pass {
            pending.remove(&key);
        }
        self.check_first_pass();
        if !self.desired.buckets.contains_key(&key) {
            return;
        }
        if let Some(outcomes) = &self.outcomes {
            outcomes.reconciled(&key, &reconciled, &revision);
            for (id, health) in delivery {
                outcomes.delivery_checked(&key, &id, health);
            }
        }
        let in_sync = reconciled.is_in_sync();
        let policy_bucket = self.policy_buckets.contains(&key);
        let before = self
            .views
            .record(key.clone(), in_sync, reconciled.counts(declared));
        if !in_sync {
            self.announced = false;
        }
        self.update_gauges();
        let was_in_sync = before.is_some_and(|v| v.in_sync);
        if policy_bucket && was_in_sync != in_sync {
            self.shift_policy_bucket(&key, in_sync);
        }
        self.announce_in_sync();
    }

    fn check_first_pass(&mut self) {
        if self.first_pass.as_ref().is_some_and(BTreeSet::is_empty) {
            self.first_pass = None;
            self.readiness.set_ready();
            info!(revision = %self.revision, "first full reconcile done; ready");
        }
    }

    fn update_gauges(&self) {
        for provider in Provider::ALL {
            self.context
                .metrics
                .set_configs(provider, self.views.totals(provider));
        }
    }

    fn announce_in_sync(&mut self) {
        // Cheap refusals first: this runs after every bucket's reconcile.
        if self.announced || self.views.in_sync_count() < self.desired.buckets.len() {
            return;
        }
        let all = !self.desired.buckets.is_empty()
            && self
                .desired
                .buckets
                .keys()
                .all(|k| self.views.get(k).is_some_and(|v| v.in_sync));
        if !all || self.announced {
            return;
        }
        self.announced = true;
        let configs: usize = self
            .desired
            .buckets
            .values()
            .map(|b| b.inventories.len())
            .sum();
        let buckets = self.desired.buckets.len();
        info!(revision = %self.revision, configs, buckets, "all managed buckets in sync");
        self.emit(RunEvent::InSync {
            revision: self.revision.clone(),
            configs,
            buckets,
        });
    }

    /// Lets in-flight reconciles finish within the grace period, then abandons the rest.
    async fn drain(&mut self) {
        info!(in_flight = self.tasks.len(), "shutting down");
        let grace = self.shutdown_grace;
        let finished = tokio::time::timeout(grace, async {
            while let Some(joined) = self.tasks.join_next().await {
                if let Ok(finished) = joined {
                    self.finish(finished);
                }
            }
        })
        .await;
        if finished.is_err() {
            warn!(
                abandoned = self.tasks.len(),
                grace_s = grace.as_secs_f64(),
                "shutdown grace period over; abandoning in-flight reconciles"
            );
            self.tasks.abort_all();
        }
    }
}

#[path = "runner_fleet.rs"]
mod fleet_side;

#[cfg(test)]
#[path = "runner_tests.rs"]
mod tests;
