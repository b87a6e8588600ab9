//! The daemon's fleet discovery against the emulator: buckets created while it runs get their
//! inventory within one discovery interval, buckets deleted mid-run are dropped without an
//! error, and the coverage gauges follow.

use crate::support::cases;
use crate::support::daemon;
use crate::support::e2e;

use std::time::Duration;

use cases::OSS;
use daemon::{Daemon, MAX_WAIT, metric, wait_until};
use e2e::{Emulator, Manifests};
use invsync::emulator::{FaultConfig, InjectedError};
use invsync::model::Provider;

/// The policy: configuration `fleet-daily` on every OSS bucket named `fleet-*`, its report
/// prefix the bucket's name.
const POLICY: &str = "logs-fleet";

fn policy_manifest() -> String {
    policy_selecting("{names: [\"fleet-*\"]}")
}

/// The policy with `selector`.
fn policy_selecting(selector: &str) -> String {
    format!(
        "apiVersion: invsync/v1\nkind: InventoryPolicy\nmetadata: {{name: {POLICY}}}\nspec:\n  provider: oss\n  selector: {selector}\n  idPrefix: fleet-\n  inventories:\n    - id: fleet-daily\n      includedObjectVersions: Current\n      schedule: {{frequency: Daily}}\n      filter: {{prefix: \"${{bucket}}/\"}}\n      optionalFields: [Size, ETag]\n      destination:\n{}",
        OSS.destination_yaml()
    )
}

fn create(emulator: &Emulator, bucket: &str) {
    emulator
        .handle
        .create_bucket(Provider::OSS, bucket, Some(OSS.region), &[("team", "data")])
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

/// A strict-buckets emulator holding `buckets`, and a daemon running the policy with a
/// discovery every second.
fn start(buckets: &[&str]) -> (Emulator, Manifests, Daemon) {
    start_with(buckets, &policy_manifest(), |_| {}, |_| {})
}

/// [`start`] with `policy`, after `prepare` readied the emulator and `configure` the daemon.
fn start_with(
    buckets: &[&str],
    policy: &str,
    prepare: impl FnOnce(&Emulator),
    configure: impl FnOnce(&mut invsync::reconcile::RunConfig),
) -> (Emulator, Manifests, Daemon) {
    let emulator = Emulator::start_with(|config| config.strict_buckets = true);
    for bucket in buckets {
        create(&emulator, bucket);
    }
    prepare(&emulator);
    let manifests = Manifests::new();
    manifests.write("policy.yaml", policy);
    let daemon = Daemon::start(&emulator, manifests.path(), |config| {
        config.discover_interval = Duration::from_secs(1);
        configure(config);
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
    let live = emulator.handle.configs(Provider::OSS, "fleet-b").join("");
    assert!(live.contains("<Prefix>fleet-b/</Prefix>"), "{live}");
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
    // Discovery only at start: the resync that finds the bucket gone asks for the listing
    // that drops it.
    let (emulator, _manifests, daemon) = start_with(
        &["fleet-a", "fleet-b"],
        &policy_manifest(),
        |_| {},
        |config| {
            config.discover_interval = Duration::from_secs(3600);
        },
    );
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
    assert_eq!(
        metric(&text, r#"invsync_reconcile_errors_total{provider="oss"}"#),
        None,
        "a bucket gone is no reconcile error: {text}"
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

#[test]
fn a_policy_reaching_more_buckets_than_one_pass_allows_is_written_in_waves() {
    let buckets = ["fleet-a", "fleet-b", "fleet-c"];
    let (emulator, _manifests, daemon) = start_with(
        &buckets,
        &policy_manifest(),
        |_| {},
        |config| {
            config.max_policy_writes_per_pass = Some(1);
            // Passes far apart, so that the first one shows alone.
            config.discover_interval = Duration::from_secs(5);
        },
    );
    let written = || {
        buckets
            .iter()
            .filter(|b| configs(&emulator, b) == 1)
            .count()
    };
    assert!(
        wait_until(MAX_WAIT, || coverage(&daemon, "covered") == Some(1.0)),
        "{}",
        daemon.metrics_text()
    );
    assert_eq!(written(), 1, "one bucket in the first pass");
    assert_eq!(coverage(&daemon, "pending"), Some(2.0));
    assert!(
        wait_until(MAX_WAIT, || written() == 3),
        "the others in later passes: {}",
        daemon.metrics_text()
    );
    let (result, _) = daemon.stop();
    assert!(result.is_ok());
}

#[test]
fn buckets_whose_tags_are_refused_are_unreadable_and_never_written() {
    let refuse_tags = |emulator: &Emulator| {
        emulator
            .handle
            .set_faults(FaultConfig {
                error_rate: 1.0,
                oss_errors: vec![InjectedError {
                    status: 403,
                    code: "AccessDenied".into(),
                }],
                operations: vec!["get_tagging".into()],
                ..FaultConfig::default()
            })
            .unwrap();
    };
    let policy = policy_selecting("{names: [\"fleet-*\"], tags: {team: data}}");
    let (emulator, _manifests, daemon) =
        start_with(&["fleet-a", "fleet-b"], &policy, refuse_tags, |_| {});
    assert!(
        wait_until(MAX_WAIT, || coverage(&daemon, "unreadable") == Some(2.0)),
        "{}",
        daemon.metrics_text()
    );
    assert_eq!(coverage(&daemon, "covered"), Some(0.0));
    assert_eq!(
        configs(&emulator, "fleet-a") + configs(&emulator, "fleet-b"),
        0
    );
    assert!(daemon.is_running());
    let (result, _) = daemon.stop();
    assert!(result.is_ok());
}

/// Tag reads of OSS buckets so far.
fn tag_reads(emulator: &Emulator) -> u64 {
    emulator
        .handle
        .stats()
        .bucket_calls(Provider::OSS, invsync::emulator::BucketCall::GetTagging)
}

/// Bucket listing pages of OSS so far.
fn listing_pages(emulator: &Emulator) -> u64 {
    emulator
        .handle
        .stats()
        .bucket_calls(Provider::OSS, invsync::emulator::BucketCall::ListBuckets)
}

#[test]
fn with_a_tag_cache_steady_passes_list_without_reading_known_tags_and_a_new_bucket_is_read_at_once()
{
    let (emulator, _manifests, daemon) = start_with(
        &["fleet-a"],
        &policy_selecting("{names: [\"fleet-*\"], tags: {team: data}}"),
        |_| {},
        |config| {
            config.fleet =
                invsync::reconcile::fleet::FleetBinding::caching_tags(Duration::from_secs(3600))
        },
    );
    assert!(
        wait_until(MAX_WAIT, || configs(&emulator, "fleet-a") == 1),
        "{}",
        daemon.metrics_text()
    );
    let (tags, pages) = (tag_reads(&emulator), listing_pages(&emulator));
    assert!(
        wait_until(MAX_WAIT, || listing_pages(&emulator) >= pages + 2),
        "two more discovery passes"
    );
    assert_eq!(tag_reads(&emulator), tags, "known tags are not read again");

    create(&emulator, "fleet-b");
    assert!(
        wait_until(MAX_WAIT, || configs(&emulator, "fleet-b") == 1),
        "a new bucket is judged on its tags at once: {}",
        daemon.metrics_text()
    );
    assert_eq!(tag_reads(&emulator), tags + 1, "only the new bucket's tags");
    daemon.stop().0.unwrap();
}
