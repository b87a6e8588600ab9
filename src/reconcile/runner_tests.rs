//! The daemon loop's handling of revisions that could not be read, with a stand-in loader.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::manifest::ManifestErrors;
use crate::provider::http::{HttpSettings, Transport};
use crate::provider::{CredentialSource, Credentials, StaticCredentials};
use crate::reconcile::ClientSettings;
use crate::reconcile::fleet::Expansion;

fn daemon() -> Daemon {
    let credentials: Arc<dyn CredentialSource> =
        Arc::new(StaticCredentials(Credentials::new("id", "secret")));
    let clients = Clients::new(
        ClientSettings::default(),
        Transport::new(HttpSettings::default()).unwrap(),
        Provider::ALL
            .into_iter()
            .map(|p| (p, credentials.clone()))
            .collect(),
    );
    let mut daemon = Daemon::new(RunConfig::new("manifests", clients, Metrics::new()));
    daemon.load_jitter = Jitter::fixed(1.0);
    daemon
}

fn rejected(transient: bool) -> RevisionError {
    RevisionError::Invalid {
        revision: None,
        errors: ManifestErrors {
            diagnostics: Vec::new(),
            transient,
        },
    }
}

/// A loader failing with `failures` in turn, then loading revision `r2`; counts its calls.
fn loader(mut failures: Vec<RevisionError>, calls: Arc<AtomicUsize>) -> Loader {
    failures.reverse();
    Box::new(move |_, _, _| {
        calls.fetch_add(1, Ordering::SeqCst);
        match failures.pop() {
            Some(failure) => Err(failure),
            None => Ok(Revision {
                id: "r2".into(),
                desired: DesiredState::default(),
                atomic: false,
            }),
        }
    })
}

#[tokio::test]
async fn a_read_that_failed_for_want_of_descriptors_is_retried_with_backoff_until_it_loads() {
    let calls = Arc::new(AtomicUsize::new(0));
    let mut daemon = daemon();
    let emfile = || RevisionError::Resolve {
        path: "manifests".into(),
        source: std::io::Error::from_raw_os_error(libc::EMFILE),
    };
    daemon.load = loader(vec![emfile(), rejected(true)], Arc::clone(&calls));
    let start = Instant::now();
    daemon.reload(start);
    let first = daemon.load_retry.expect("a retry is scheduled");
    assert_eq!(first.at, start + Duration::from_secs(1));
    daemon.reload(first.at);
    let second = daemon.load_retry.expect("still retrying");
    assert_eq!(second.at, first.at + Duration::from_secs(2), "backs off");
    daemon.reload(second.at);
    assert!(daemon.load_retry.is_none());
    assert_eq!(daemon.revision, "r2");
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn an_invalid_revision_waits_for_a_change_instead_of_a_retry() {
    let calls = Arc::new(AtomicUsize::new(0));
    let mut daemon = daemon();
    daemon.load = loader(vec![rejected(true), rejected(false)], Arc::clone(&calls));
    let start = Instant::now();
    daemon.reload(start);
    let retry = daemon.load_retry.expect("a retry is scheduled");
    daemon.reload(retry.at);
    assert!(
        daemon.load_retry.is_none(),
        "an invalid manifest needs an edit"
    );
    assert_eq!(daemon.revision, "");
}

#[test]
fn descriptor_and_io_shortages_are_transient_and_missing_or_forbidden_files_are_not() {
    use crate::manifest::walk::is_transient;
    for code in [libc::EMFILE, libc::ENFILE, libc::ENOMEM, libc::EIO] {
        assert!(
            is_transient(&std::io::Error::from_raw_os_error(code)),
            "{code}"
        );
    }
    for code in [libc::ENOENT, libc::EACCES, libc::ENOTDIR] {
        assert!(
            !is_transient(&std::io::Error::from_raw_os_error(code)),
            "{code}"
        );
    }
}

/// An OSS bucket `name` declaring one configuration, as a policy would make it.
fn policy_bucket(name: &str) -> crate::model::DesiredBucket {
    let yaml = format!(
        "apiVersion: invsync/v1\nkind: BucketInventory\nmetadata: {{name: {name}}}\nspec:\n  provider: oss\n  bucket: {name}\n  region: cn-hangzhou\n  inventories:\n    - id: fleet-a\n      includedObjectVersions: Current\n      schedule: {{frequency: Daily}}\n      destination: {{bucket: \"acs:oss:::dest\", accountId: \"1000000000000000\", roleArn: \"acs:ram::1000000000000000:role/R\", format: CSV}}\n"
    );
    crate::manifest::parse_document_text(Path::new("p.yaml"), &yaml)
        .unwrap_or_else(|e| panic!("{e:?}"))
        .remove(0)
}

/// A fleet of `names`, covered by one policy `logs` that excludes one more bucket; a bucket
/// named `conflict` makes the expansion fail.
struct Fleet(Vec<&'static str>);

impl FleetView for Fleet {
    fn expand(&self, revision: &DesiredState) -> Expansion {
        let mut desired = revision.clone();
        let mut coverage = PolicyCoverage {
            policy: "logs".into(),
            excluded: 1,
            ..PolicyCoverage::default()
        };
        for name in &self.0 {
            let bucket = policy_bucket(name);
            coverage.matched.push(bucket.key.clone());
            desired.buckets.insert(bucket.key.clone(), bucket);
        }
        let errors = if self.0.contains(&"conflict") {
            vec!["policies a.yaml and b.yaml both declare fleet-a on conflict".into()]
        } else {
            Vec::new()
        };
        Expansion {
            desired,
            coverage: vec![coverage],
            errors,
        }
    }
}

fn seen(names: &[&'static str]) -> Discovery {
    Discovery {
        view: Arc::new(Fleet(names.to_vec())),
        listed: [Provider::OSS].into(),
        failed: BTreeMap::new(),
    }
}

fn failed() -> Discovery {
    Discovery {
        failed: [(
            Provider::OSS,
            "503 ServiceUnavailable after 5 attempts".into(),
        )]
        .into(),
        listed: BTreeSet::new(),
        ..seen(&[])
    }
}

/// A daemon whose revision declares policies and whose discovery passes return `passes` in
/// turn (then empty, complete ones), with the interval's jitter pinned to its middle.
fn fleet_daemon(passes: Vec<Discovery>, interval: Duration) -> Daemon {
    let mut config = RunConfig::new(
        "manifests",
        daemon().context.clients.clone(),
        Metrics::new(),
    );
    config.discover_interval = interval;
    let passes = Arc::new(std::sync::Mutex::new(passes));
    config.fleet = FleetBinding {
        has_policies: |_| true,
        discover: Arc::new(move |_, _| {
            let next = {
                let mut passes = passes.lock().unwrap();
                (!passes.is_empty()).then(|| passes.remove(0))
            };
            Box::pin(async move { next.unwrap_or_else(|| seen(&[])) })
        }),
    };
    let mut daemon = Daemon::new(config);
    daemon.load = loader(Vec::new(), Arc::new(AtomicUsize::new(0)));
    daemon.discovery_jitter = Jitter::fixed(0.5);
    daemon
}

fn buckets(daemon: &Daemon) -> Vec<String> {
    daemon
        .desired
        .buckets
        .keys()
        .map(|k| k.bucket.to_string())
        .collect()
}

/// Runs the pass that is due now to its end, as the daemon loop does.
async fn run_due_pass(daemon: &mut Daemon) -> bool {
    daemon.start_discovery(super::super::now());
    let Some(task) = daemon.discovering.take() else {
        return false;
    };
    let joined = task.await;
    daemon.discovery_joined(joined, super::super::now());
    true
}

#[tokio::test(start_paused = true)]
async fn discovery_runs_at_start_then_every_interval_and_schedules_what_it_finds() {
    let interval = Duration::from_secs(60);
    let mut daemon = fleet_daemon(
        vec![seen(&["logs-a"]), seen(&["logs-a", "logs-b"])],
        interval,
    );
    daemon.reload(super::super::now());
    assert!(run_due_pass(&mut daemon).await, "due at start");
    assert_eq!(buckets(&daemon), ["logs-a"]);
    assert!(daemon.scheduler.next_due(super::super::now()).is_some());
    tokio::time::advance(interval - Duration::from_secs(1)).await;
    assert!(!run_due_pass(&mut daemon).await, "not before the interval");
    tokio::time::advance(Duration::from_secs(1)).await;
    assert!(run_due_pass(&mut daemon).await, "due after the interval");
    assert_eq!(buckets(&daemon), ["logs-a", "logs-b"]);
    let due = daemon.scheduler.take_due(super::super::now(), 10);
    assert_eq!(due.len(), 2, "the new bucket is due at once: {due:?}");
}

/// A daemon after a discovery pass seeing `first`, then one interval later one seeing `second`.
async fn after_two_passes(first: &[&'static str], second: &[&'static str]) -> Daemon {
    let mut daemon = fleet_daemon(vec![seen(first), seen(second)], Duration::from_secs(1));
    daemon.reload(super::super::now());
    run_due_pass(&mut daemon).await;
    tokio::time::advance(Duration::from_secs(2)).await;
    run_due_pass(&mut daemon).await;
    daemon
}

#[tokio::test(start_paused = true)]
async fn a_bucket_no_longer_found_is_dropped_from_the_schedule() {
    let daemon = after_two_passes(&["logs-a", "logs-b"], &["logs-a"]).await;
    assert_eq!(buckets(&daemon), ["logs-a"]);
    assert_eq!(daemon.scheduler.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_failed_discovery_keeps_the_previous_buckets_and_is_retried_with_backoff() {
    let interval = Duration::from_secs(300);
    let mut daemon = fleet_daemon(
        vec![
            seen(&["logs-a", "logs-b"]),
            failed(),
            failed(),
            seen(&["logs-a"]),
        ],
        interval,
    );
    daemon.reload(super::super::now());
    run_due_pass(&mut daemon).await;
    tokio::time::advance(interval * 2).await;
    run_due_pass(&mut daemon).await;
    assert_eq!(buckets(&daemon), ["logs-a", "logs-b"], "nothing dropped");
    let now = super::super::now();
    assert_eq!(
        daemon.discovery.next_due(),
        Some(now + Duration::from_secs(1))
    );
    tokio::time::advance(Duration::from_secs(1)).await;
    run_due_pass(&mut daemon).await;
    let now = super::super::now();
    assert_eq!(
        daemon.discovery.next_due(),
        Some(now + Duration::from_secs(2)),
        "backs off"
    );
    tokio::time::advance(Duration::from_secs(2)).await;
    run_due_pass(&mut daemon).await;
    assert_eq!(
        buckets(&daemon),
        ["logs-a"],
        "the next complete pass counts"
    );
    let text = daemon.context.metrics.encode();
    assert!(
        text.contains(r#"invsync_discovery_runs_total{provider="oss",result="failure"} 2"#),
        "{text}"
    );
    assert!(
        text.contains(r#"invsync_discovery_runs_total{provider="oss",result="success"} 2"#),
        "{text}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_push_to_the_hook_lists_the_fleet_at_once() {
    let interval = Duration::from_secs(300);
    let mut daemon = fleet_daemon(vec![seen(&[]), seen(&["logs-new"])], interval);
    daemon.reload(super::super::now());
    run_due_pass(&mut daemon).await;
    tokio::time::advance(Duration::from_secs(5)).await;
    daemon.request_reload(super::super::now());
    assert!(run_due_pass(&mut daemon).await, "no wait for the interval");
    assert_eq!(buckets(&daemon), ["logs-new"]);
}

#[tokio::test(start_paused = true)]
async fn conflicting_policies_over_a_new_bucket_change_nothing() {
    let daemon = after_two_passes(&["logs-a"], &["logs-a", "conflict"]).await;
    assert_eq!(buckets(&daemon), ["logs-a"]);
}

#[tokio::test(start_paused = true)]
async fn policy_gauges_count_matched_buckets_pending_until_in_sync() {
    let mut daemon = fleet_daemon(vec![seen(&["logs-a", "logs-b"])], Duration::from_secs(60));
    daemon.reload(super::super::now());
    run_due_pass(&mut daemon).await;
    let gauge = |daemon: &Daemon, state: &str| {
        let text = daemon.context.metrics.encode();
        let prefix = format!(r#"invsync_policy_buckets{{policy="logs",state="{state}"}} "#);
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix).map(str::to_owned))
            .unwrap_or_else(|| panic!("{prefix} missing from {text}"))
    };
    assert_eq!(gauge(&daemon, "pending"), "2");
    assert_eq!(gauge(&daemon, "covered"), "0");
    assert_eq!(gauge(&daemon, "excluded"), "1");
    let key = policy_bucket("logs-a").key;
    daemon.scheduler.take_due(super::super::now(), 10);
    daemon.finish(Finished {
        key,
        declared: 1,
        revision: String::new(),
        delivery: Vec::new(),
        reconciled: Reconciled {
            result: Ok(crate::reconcile::Applied::InSync),
            plan: None,
            written: Vec::new(),
            failures: Vec::new(),
        },
    });
    assert_eq!(gauge(&daemon, "covered"), "1");
    assert_eq!(gauge(&daemon, "pending"), "1");
}

#[tokio::test(start_paused = true)]
async fn policy_buckets_draw_on_the_wave_and_explicit_ones_do_not() {
    let mut daemon = fleet_daemon(vec![seen(&["logs-a"])], Duration::from_secs(60));
    daemon.wave = Some(WaveBudget::new(1, Duration::from_secs(60)));
    daemon.reload(super::super::now());
    run_due_pass(&mut daemon).await;
    assert!(daemon.policy_buckets.contains(&policy_bucket("logs-a").key));
    assert!(
        !daemon
            .policy_buckets
            .contains(&policy_bucket("explicit").key)
    );
}

#[tokio::test(start_paused = true)]
async fn a_revision_without_policies_stops_discovery_and_drops_the_coverage() {
    let mut daemon = after_two_passes(&["logs-a"], &["logs-a"]).await;
    daemon.fleet.has_policies = |_| false;
    daemon.load = Box::new(|_, _, _| {
        Ok(Revision {
            id: "r3".into(),
            desired: DesiredState::default(),
            atomic: false,
        })
    });
    daemon.reload(super::super::now());
    assert!(
        buckets(&daemon).is_empty(),
        "the policy's buckets are dropped"
    );
    assert_eq!(daemon.discovery.next_due(), None, "no more discovery");
    let text = daemon.context.metrics.encode();
    assert!(!text.contains("invsync_policy_buckets{"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn a_pass_listed_for_policies_no_longer_in_force_is_set_aside_for_a_new_one() {
    let mut daemon = fleet_daemon(
        vec![seen(&["logs-a"]), seen(&["logs-b"])],
        Duration::from_secs(60),
    );
    daemon.reload(super::super::now());
    daemon.start_discovery(super::super::now());
    let task = daemon.discovering.take().unwrap();
    // The policies changed while the pass ran.
    let mut edited = (*daemon.base).clone();
    edited.policies = vec![policy_of("other")];
    daemon.base = Arc::new(edited);
    daemon.discovery_joined(task.await, super::super::now());
    assert!(
        buckets(&daemon).is_empty(),
        "nothing taken from the stale pass"
    );
    assert!(run_due_pass(&mut daemon).await, "a new pass is due at once");
    assert_eq!(buckets(&daemon), ["logs-b"]);
}

fn policy_of(name: &str) -> crate::model::InventoryPolicy {
    crate::model::InventoryPolicy {
        name: name.into(),
        provider: Provider::OSS,
        selector: Default::default(),
        id_prefix: "fleet-".into(),
        prune: false,
        mode: Default::default(),
        options: crate::model::ProviderBucketOptions::none(),
        inventories: Vec::new(),
        overwrite_foreign: Default::default(),
        origin: Default::default(),
    }
}

#[tokio::test]
async fn a_reconcile_held_for_a_later_wave_still_stamps_the_bucket_as_looked_at() {
    let daemon = daemon();
    let bucket = policy_bucket("logs-a");
    let held = async {
        Reconciled {
            result: Ok(crate::reconcile::Applied::Held(Duration::from_secs(300))),
            plan: None,
            written: Vec::new(),
            failures: Vec::new(),
        }
    };
    report::observed(&daemon.context, &bucket, "r", held).await;
    let text = daemon.context.metrics.encode();
    assert!(
        text.contains(
            r#"invsync_bucket_last_success_timestamp_seconds{provider="oss",bucket="logs-a"}"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"invsync_bucket_consecutive_failures{provider="oss",bucket="logs-a"} 0"#),
        "{text}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_bucket_left_out_of_a_wave_is_looked_at_as_soon_as_the_next_pass_refills_it() {
    let interval = Duration::from_secs(60);
    let mut daemon = fleet_daemon(vec![seen(&["logs-a"]), seen(&["logs-a"])], interval);
    daemon.reload(super::super::now());
    run_due_pass(&mut daemon).await;
    let key = policy_bucket("logs-a").key;
    assert_eq!(
        daemon.scheduler.take_due(super::super::now(), 10),
        std::slice::from_ref(&key)
    );
    daemon.finish(Finished {
        key: key.clone(),
        declared: 1,
        revision: String::new(),
        delivery: Vec::new(),
        reconciled: Reconciled {
            result: Ok(crate::reconcile::Applied::Held(interval * 2)),
            plan: None,
            written: Vec::new(),
            failures: Vec::new(),
        },
    });
    tokio::time::advance(interval).await;
    assert!(
        daemon
            .scheduler
            .take_due(super::super::now(), 10)
            .is_empty()
    );
    run_due_pass(&mut daemon).await;
    assert_eq!(
        daemon.scheduler.take_due(super::super::now(), 10),
        [key],
        "due with the new pass, not after its own wait"
    );
}
