//! Reconciling against the in-memory provider with paused tokio time: retries, backoff and the
//! steady-state cost, with no HTTP and no real sleeps.

use std::sync::Arc;
use std::time::{Duration, Instant};

use invsync::backoff::{Backoff, Jitter};
use invsync::duration::MAX_DURATION;
use invsync::metrics::Metrics;
use invsync::model::{
    BucketKey, DesiredBucket, Frequency, IncludedObjectVersions, Inventory, Provider, ReportFormat,
};
use invsync::plan::PlanOptions;
use invsync::provider::http::{HttpSettings, Transport};
use invsync::provider::memory::MemoryInventory;
use invsync::provider::oss::model::{OssDestination, OssFilter, OssInventory};
use invsync::provider::{CredentialSource, Credentials, ErrorKind, Operation, StaticCredentials};
use invsync::reconcile::{
    Action, Applied, ApplySettings, ClientSettings, Clients, ReconcileContext, ReconcileError,
    RunConfig, SettleGate, WaveBudget, error_policy, next_action, reconcile_with, run,
};
use invsync::scheduler::{BucketScheduler, SchedulerConfig};

fn key() -> BucketKey {
    BucketKey {
        provider: Provider::OSS,
        bucket: "examplebucket".into(),
        region: "cn-hangzhou".into(),
    }
}

fn inventory(id: &str, prefix: &str) -> Inventory {
    Inventory::new(OssInventory {
        id: id.into(),
        enabled: true,
        included_object_versions: IncludedObjectVersions::Current,
        frequency: Frequency::Weekly,
        day_of_month: None,
        auto_delete: false,
        incremental: None,
        filter: OssFilter {
            prefix: Some(prefix.into()),
            ..OssFilter::default()
        },
        optional_fields: vec!["Size".into()],
        destination: OssDestination {
            bucket: "acs:oss:::dest-bucket".into(),
            account_id: "1000000000000000".into(),
            role_arn: "acs:ram::1000000000000000:role/AliyunOSSRole".into(),
            prefix: None,
            format: ReportFormat::Csv,
            encryption: None,
        },
    })
}

fn desired(inventories: Vec<Inventory>) -> DesiredBucket {
    DesiredBucket {
        key: key(),
        name: "examplebucket".into(),
        prune: false,
        mode: Default::default(),
        endpoint: None,
        options: Default::default(),
        origin: Default::default(),
        inventories,
        overwrite_foreign: Default::default(),
        policies: Vec::new(),
    }
}

/// Apply settings whose re-create backoff is 500 ms doubling, jitter pinned at one half.
fn settings() -> ApplySettings {
    ApplySettings {
        recreate_backoff: Backoff::new(Duration::from_millis(500), Duration::from_secs(8)),
        jitter: Jitter::fixed(0.5),
        ..ApplySettings::default()
    }
}

fn clients() -> Clients {
    let credentials: Arc<dyn CredentialSource> =
        Arc::new(StaticCredentials(Credentials::new("id", "secret")));
    Clients::new(
        ClientSettings::default(),
        Transport::new(HttpSettings::default()).unwrap(),
        Provider::ALL
            .into_iter()
            .map(|p| (p, credentials.clone()))
            .collect(),
    )
}

fn context() -> ReconcileContext {
    ReconcileContext {
        clients: clients(),
        metrics: Metrics::new(),
        options: PlanOptions::default(),
        settings: settings(),
        dry_run: false,
        settle: SettleGate::default(),
        wave: None,
    }
}

/// The context `invsync apply` runs the same reconcile in: nothing waits to settle.
fn apply_context(settings: ApplySettings) -> ReconcileContext {
    ReconcileContext {
        settings,
        settle: SettleGate::unguarded(),
        ..context()
    }
}

#[tokio::test(start_paused = true)]
async fn a_steady_state_costs_one_list_and_no_writes() {
    let api = MemoryInventory::new().create_only();
    api.insert(&key(), inventory("logs", "logs/"));
    let bucket = desired(vec![inventory("logs", "logs/")]);

    let reconciled = reconcile_with(&api, &bucket, &context(), "r1").await;

    assert!(matches!(reconciled.result, Ok(Applied::InSync)));
    assert_eq!(next_action(&reconciled.result, 1), Action::Resync);
    assert!(reconciled.is_in_sync());
    assert!(reconciled.drift().is_empty());
    assert_eq!(api.calls(Operation::List), 1);
    assert_eq!(api.calls(Operation::Get), 0);
    assert_eq!(api.writes(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_failing_recreate_is_retried_after_the_jittered_backoff_until_it_succeeds() {
    let api = MemoryInventory::new().create_only();
    api.insert(&key(), inventory("logs", "old/"));
    api.fail_next(Some(Operation::Put), 2, 503, "SlowDown");
    let bucket = desired(vec![inventory("logs", "logs/")]);

    let started = tokio::time::Instant::now();
    let outcome = reconcile_with(&api, &bucket, &apply_context(settings()), "r1").await;

    assert!(
        matches!(outcome.result, Ok(Applied::Converged)),
        "{outcome:?}"
    );
    // Half of 500 ms, then half of 1 s: the pinned jitter times the doubling ceiling.
    assert_eq!(started.elapsed(), Duration::from_millis(250 + 500));
    assert_eq!(api.calls(Operation::Delete), 1);
    assert_eq!(api.calls(Operation::Put), 3);
    assert_eq!(
        api.configs(&key()),
        invsync::model::all_modelled([inventory("logs", "logs/")])
    );
}

#[tokio::test(start_paused = true)]
async fn a_recreate_that_keeps_failing_reports_the_write_and_leaves_the_config_missing() {
    let api = MemoryInventory::new().create_only();
    api.insert(&key(), inventory("logs", "old/"));
    api.fail_next(Some(Operation::Put), 100, 503, "SlowDown");
    let bucket = desired(vec![inventory("logs", "logs/")]);
    let settings = ApplySettings {
        recreate_attempts: 3,
        ..settings()
    };

    let started = tokio::time::Instant::now();
    let outcome = reconcile_with(&api, &bucket, &apply_context(settings), "r1").await;

    let Err(error @ ReconcileError::Apply { .. }) = &outcome.result else {
        panic!("expected a write failure: {outcome:?}");
    };
    assert_eq!(error.kind(), Some(ErrorKind::Throttled));
    assert_eq!(error_policy(error, 1), Action::Backoff);
    assert_eq!(outcome.failures.len(), 1);
    assert_eq!(api.calls(Operation::Put), 3);
    assert_eq!(started.elapsed(), Duration::from_millis(250 + 500));
    assert!(
        api.ids(&key()).is_empty(),
        "deleted for replacement, not back"
    );
}

/// Maps paused tokio time onto the `std` instants the scheduler takes.
struct PausedClock {
    std: Instant,
    tokio: tokio::time::Instant,
}

impl PausedClock {
    fn new() -> Self {
        PausedClock {
            std: Instant::now(),
            tokio: tokio::time::Instant::now(),
        }
    }

    fn now(&self) -> Instant {
        self.std + self.tokio.elapsed()
    }

    async fn sleep_until(&self, at: Instant) {
        tokio::time::sleep_until(self.tokio + (at - self.std)).await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_bucket_backs_off_after_503s_and_recovers_under_the_error_policy() {
    let api = MemoryInventory::new().create_only();
    api.insert(&key(), inventory("logs", "logs/"));
    api.fail_next(Some(Operation::List), 3, 503, "SlowDown");
    let bucket = desired(vec![inventory("logs", "logs/")]);
    let context = context();
    let schedule = SchedulerConfig {
        resync_interval: Duration::from_secs(300),
        jitter: 0.0,
        backoff_base: Duration::from_secs(1),
        backoff_cap: Duration::from_secs(300),
    };
    let mut scheduler = BucketScheduler::new(schedule, || 0.5);
    let clock = PausedClock::new();
    scheduler.insert(key(), clock.now());

    // The daemon's loop, step by step: take what is due, reconcile, ask the policy on failure.
    let mut runs = Vec::new();
    let mut kinds = Vec::new();
    for _ in 0..5 {
        let due = scheduler
            .next_due(clock.now())
            .expect("the bucket is scheduled");
        clock.sleep_until(due).await;
        let now = clock.now();
        assert_eq!(scheduler.take_due(now, 1), [key()]);
        runs.push(now - clock.std);
        let reconciled = reconcile_with(&api, &bucket, &context, "r1").await;
        if let Err(error) = &reconciled.result {
            kinds.push(error.kind());
        }
        let failures = scheduler.failures(&key()).unwrap() + 1;
        let action = next_action(&reconciled.result, failures);
        scheduler.finish(&key(), clock.now(), action);
    }

    let seconds: Vec<u64> = runs.iter().map(Duration::as_secs).collect();
    // Three failures back off 1 s, 2 s, 4 s; the fourth run succeeds and the next one is the
    // resync 300 s later.
    assert_eq!(seconds, [0, 1, 3, 7, 307]);
    assert_eq!(kinds, [Some(ErrorKind::Throttled); 3]);
    assert_eq!(scheduler.failures(&key()), Some(0));
    assert_eq!(api.calls(Operation::List), 5);
    assert_eq!(api.writes(), 0);
}

/// A manifests directory declaring the OSS bucket of [`key`] with one `logs` inventory, and
/// the in-memory provider already holding exactly that configuration.
fn manifests_in_sync() -> (tempfile::TempDir, MemoryInventory) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bucket.yaml"),
        "apiVersion: invsync/v1\nkind: BucketInventory\nmetadata:\n  name: examplebucket\n\
         spec:\n  provider: oss\n  bucket: examplebucket\n  region: cn-hangzhou\n  inventories:\n\
         \x20   - id: logs\n      includedObjectVersions: Current\n      schedule: {frequency: Weekly}\n\
         \x20     destination:\n        bucket: acs:oss:::dest-bucket\n        accountId: \"1000000000000000\"\n\
         \x20       roleArn: acs:ram::1000000000000000:role/AliyunOSSRole\n        format: CSV\n",
    )
    .unwrap();
    let desired = invsync::manifest::load_dir(dir.path()).expect("valid manifest");
    let api = MemoryInventory::new().create_only();
    for inventory in &desired.buckets[&key()].inventories {
        api.insert(&key(), inventory.clone());
    }
    (dir, api)
}

/// The real daemon loop (`runner::run`) over `api`: resync every 300 s without jitter,
/// backoff 1 s doubling.
fn start_daemon(
    dir: &std::path::Path,
    api: &MemoryInventory,
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let mut config = RunConfig::new(dir, clients().with_memory(api.clone()), Metrics::new());
    config.schedule = SchedulerConfig {
        resync_interval: Duration::from_secs(300),
        jitter: 0.0,
        backoff_base: Duration::from_secs(1),
        backoff_cap: Duration::from_secs(300),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let daemon = tokio::spawn(async move {
        run(config, async {
            let _ = stopped.await;
        })
        .await
        .expect("the daemon runs");
    });
    (stop, daemon)
}

/// The whole seconds (since the start) at which each LIST of `api` happened, sampled every
/// quarter second (offset by an eighth, so no sample coincides with a due time) for `seconds`.
async fn list_times(api: &MemoryInventory, seconds: u64) -> Vec<u64> {
    let start = tokio::time::Instant::now();
    let mut times = Vec::new();
    let mut seen = 0;
    tokio::time::sleep(Duration::from_millis(125)).await;
    while start.elapsed() < Duration::from_secs(seconds) {
        let calls = api.calls(Operation::List);
        let new = usize::try_from(calls - seen).unwrap();
        times.extend(std::iter::repeat_n(start.elapsed().as_secs(), new));
        seen = calls;
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    times
}

#[tokio::test(start_paused = true)]
async fn the_daemon_backs_off_after_503s_and_recovers_at_the_policys_times() {
    let (dir, api) = manifests_in_sync();
    api.fail_next(Some(Operation::List), 3, 503, "SlowDown");
    let (stop, daemon) = start_daemon(dir.path(), &api);

    let times = list_times(&api, 610).await;

    // Three throttled LISTs back off 1 s, 2 s and 4 s (error_policy: Backoff; the scheduler's
    // doubling from 1 s); the fourth succeeds, and the bucket is read again every 300 s.
    assert_eq!(times, [0, 1, 3, 7, 307, 607]);
    assert_eq!(api.calls(Operation::Get), 0);
    assert_eq!(api.writes(), 0);
    stop.send(()).unwrap();
    daemon.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn the_daemon_in_steady_state_lists_each_bucket_once_per_resync_and_never_writes() {
    let (dir, api) = manifests_in_sync();
    let (stop, daemon) = start_daemon(dir.path(), &api);

    let times = list_times(&api, 910).await;

    assert_eq!(times, [0, 300, 600, 900]);
    assert_eq!(api.calls(Operation::Get), 0);
    assert_eq!(api.writes(), 0);
    stop.send(()).unwrap();
    daemon.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn the_longest_accepted_durations_never_overflow_the_daemons_timers() {
    let (dir, api) = manifests_in_sync();
    let mut config = RunConfig::new(
        dir.path(),
        clients().with_memory(api.clone()),
        Metrics::new(),
    );
    config.schedule.resync_interval = MAX_DURATION;
    config.debounce = MAX_DURATION;
    config.shutdown_grace = MAX_DURATION;
    config.reload_window = MAX_DURATION;
    config.context.settle = SettleGate::new(MAX_DURATION);
    let (push, pushes) = tokio::sync::mpsc::unbounded_channel();
    config.reload_requests = Some(pushes);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let daemon = tokio::spawn(run(config, async {
        let _ = stopped.await;
    }));

    tokio::time::sleep(Duration::from_secs(1)).await;
    // A push with no new revision: reloads are retried until the window ends, a year away.
    push.send(()).unwrap();
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert!(!daemon.is_finished(), "the daemon is still running");
    assert_eq!(api.calls(Operation::List), 1);
    stop.send(()).unwrap();
    daemon.await.expect("no panic").expect("the daemon runs");
}

#[tokio::test(start_paused = true)]
async fn a_policy_bucket_beyond_the_passs_wave_is_held_for_the_next_pass_unwritten() {
    let pass = Duration::from_secs(300);
    let wave = WaveBudget::new(1, pass);
    let context = ReconcileContext {
        wave: Some(wave.clone()),
        ..context()
    };
    let first = MemoryInventory::new();
    let second = MemoryInventory::new();
    let bucket = desired(vec![inventory("fleet-logs", "logs/")]);

    let written = reconcile_with(&first, &bucket, &context, "r1").await;
    let held = reconcile_with(&second, &bucket, &context, "r1").await;

    assert!(matches!(written.result, Ok(Applied::Converged)));
    assert_eq!(held.result.as_ref().ok(), Some(&Applied::Held(pass)));
    assert_eq!(next_action(&held.result, 1), Action::RequeueAfter(pass));
    assert_eq!(second.writes(), 0, "nothing written beyond the wave");
    assert!(
        held.plan.is_some_and(|p| p.changes.len() == 1),
        "still planned"
    );

    wave.refill();
    let next_pass = reconcile_with(&second, &bucket, &context, "r1").await;
    assert!(matches!(next_pass.result, Ok(Applied::Converged)));
}

#[tokio::test(start_paused = true)]
async fn a_policy_bucket_in_sync_takes_no_share_of_the_wave() {
    let wave = WaveBudget::new(1, Duration::from_secs(300));
    let context = ReconcileContext {
        wave: Some(wave.clone()),
        ..context()
    };
    let api = MemoryInventory::new();
    api.insert(&key(), inventory("fleet-logs", "logs/"));
    let bucket = desired(vec![inventory("fleet-logs", "logs/")]);

    let reconciled = reconcile_with(&api, &bucket, &context, "r1").await;

    assert!(matches!(reconciled.result, Ok(Applied::InSync)));
    assert!(wave.try_take(), "the share is still there");
}
