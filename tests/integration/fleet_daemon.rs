//! The daemon's fleet discovery against the emulator: buckets created while it runs get their
//! inventory within one discovery interval, buckets deleted mid-run are dropped without an
//! error, and the coverage gauges follow.

use crate::support::cases;
use crate::support::daemon;
use crate::support::e2e;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use cases::OSS;
use daemon::{Daemon, MAX_WAIT, metric, wait_until};
use e2e::{Emulator, Manifests};
use invsync::manifest::parse_document_text;
use invsync::model::{DesiredState, DiscoveredBucket, Provider};
use invsync::plan::PolicyCoverage;
use invsync::provider::discovery::{BucketFilter, DiscoveryApi};
use invsync::reconcile::fleet::{Discovery, Expansion, FleetBinding, FleetView};

/// The policy the stand-in fleet applies: one OSS configuration on every `fleet-*` bucket.
const POLICY: &str = "fleet-logs";

/// Every listed bucket gets configuration `fleet-daily`, as a policy on `fleet-*` would give it.
struct EveryFleetBucket(Vec<DiscoveredBucket>);

impl FleetView for EveryFleetBucket {
    fn expand(&self, revision: &DesiredState) -> Expansion {
        let mut desired = revision.clone();
        let mut coverage = PolicyCoverage {
            policy: POLICY.into(),
            ..PolicyCoverage::default()
        };
        for seen in &self.0 {
            let yaml = OSS
                .manifest(false, &[("fleet-daily", "logs/")])
                .replace(OSS.bucket, &seen.name)
                .replace(OSS.region, &seen.region);
            let bucket = parse_document_text(Path::new("policy.yaml"), &yaml)
                .unwrap()
                .remove(0);
            coverage.matched.push(bucket.key.clone());
            desired.buckets.insert(bucket.key.clone(), bucket);
        }
        Expansion {
            desired,
            coverage: vec![coverage],
            errors: Vec::new(),
        }
    }
}

/// Discovery through the daemon's own OSS listing client, narrowed to `fleet-*`.
fn oss_fleet() -> FleetBinding {
    FleetBinding {
        has_policies: |_| true,
        discover: Arc::new(|_, clients| {
            Box::pin(async move {
                let api = clients.discovery(Provider::OSS, &Default::default());
                let filter = BucketFilter {
                    prefix: Some("fleet-".into()),
                    region: None,
                };
                let (seen, listed, failed) = match api.list_buckets(&filter).await {
                    Ok(seen) => (seen, BTreeSet::from([Provider::OSS]), BTreeMap::new()),
                    Err(error) => (
                        Vec::new(),
                        BTreeSet::new(),
                        BTreeMap::from([(Provider::OSS, error.to_string())]),
                    ),
                };
                Discovery {
                    view: Arc::new(EveryFleetBucket(seen)),
                    listed,
                    failed,
                }
            })
        }),
    }
}

fn create(emulator: &Emulator, bucket: &str) {
    emulator
        .handle
        .create_bucket(Provider::OSS, bucket, Some(OSS.region), &[])
        .unwrap();
}

fn configs(emulator: &Emulator, bucket: &str) -> usize {
    emulator.handle.configs(Provider::OSS, bucket).len()
}

fn coverage(daemon: &Daemon, state: &str) -> Option<f64> {
    metric(
        &daemon.metrics_text(),
        &format!(r#"invsync_policy_buckets{{policy="{POLICY}",state="{state}"}}"#),
    )
}

/// A strict-buckets emulator holding `buckets` and the explicitly declared one, and a daemon
/// discovering every second.
fn start(buckets: &[&str]) -> (Emulator, Manifests, Daemon) {
    let emulator = Emulator::start_with(|config| config.strict_buckets = true);
    for bucket in buckets.iter().chain([&OSS.bucket]) {
        create(&emulator, bucket);
    }
    let manifests = Manifests::new();
    manifests.write("explicit.yaml", &OSS.manifest(false, &[]));
    let daemon = Daemon::start(&emulator, manifests.path(), |config| {
        config.discover_interval = Duration::from_secs(1);
        config.fleet = oss_fleet();
    });
    (emulator, manifests, daemon)
}

#[test]
fn a_bucket_created_while_the_daemon_runs_gets_its_inventory_within_one_discovery_interval() {
    let (emulator, _manifests, daemon) = start(&["fleet-a"]);
    assert!(
        wait_until(MAX_WAIT, || configs(&emulator, "fleet-a") == 1),
        "the bucket present at start converges"
    );

    create(&emulator, "fleet-b");
    create(&emulator, "other-c");

    assert!(
        wait_until(MAX_WAIT, || configs(&emulator, "fleet-b") == 1),
        "a bucket created later is covered: {}",
        daemon.metrics_text()
    );
    assert!(
        wait_until(MAX_WAIT, || coverage(&daemon, "covered") == Some(2.0)),
        "{}",
        daemon.metrics_text()
    );
    assert_eq!(coverage(&daemon, "pending"), Some(0.0));
    assert_eq!(configs(&emulator, "other-c"), 0, "outside the fleet");
    let text = daemon.metrics_text();
    assert!(
        metric(
            &text,
            r#"invsync_discovery_runs_total{provider="oss",result="success"}"#
        )
        .is_some_and(|runs| runs >= 2.0),
        "{text}"
    );
    assert!(
        metric(
            &text,
            r#"invsync_discovery_last_success_timestamp_seconds{provider="oss"}"#
        )
        .is_some_and(|at| at > 1.7e9),
        "{text}"
    );
    let (result, _) = daemon.stop();
    assert!(result.is_ok());
}

#[test]
fn a_bucket_deleted_mid_run_is_dropped_without_an_error_exit() {
    let (emulator, _manifests, daemon) = start(&["fleet-a", "fleet-b"]);
    assert!(
        wait_until(MAX_WAIT, || coverage(&daemon, "covered") == Some(2.0)),
        "{}",
        daemon.metrics_text()
    );

    emulator
        .handle
        .delete_bucket(Provider::OSS, "fleet-b")
        .unwrap();

    assert!(
        wait_until(MAX_WAIT, || coverage(&daemon, "covered") == Some(1.0)
            && coverage(&daemon, "pending") == Some(0.0)),
        "the deleted bucket leaves the coverage: {}",
        daemon.metrics_text()
    );
    let text = daemon.metrics_text();
    assert_eq!(
        metric(
            &text,
            r#"invsync_bucket_consecutive_failures{provider="oss",bucket="fleet-b"}"#
        ),
        None,
        "its series is dropped with it: {text}"
    );
    assert!(daemon.is_running());
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        configs(&emulator, "fleet-a"),
        1,
        "the other bucket is untouched"
    );
    let (result, _) = daemon.stop();
    assert!(result.is_ok(), "{result:?}");
}
