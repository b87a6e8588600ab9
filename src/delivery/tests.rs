//! The delivery checks against the in-memory fake: each path, and what each costs in calls.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use md5::{Digest, Md5};

use super::*;
use crate::model::{Frequency, IncludedObjectVersions, Provider, ReportSchedule, StampFormat};
use crate::provider::Operation;
use crate::provider::memory::MemoryInventory;
use crate::provider::s3::model::{S3Destination, S3Format, S3Inventory};

const DAY: Duration = Duration::from_secs(86_400);

/// 2026-12-08T12:00:00Z.
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_731_200)
}

fn source() -> BucketKey {
    BucketKey {
        provider: Provider::S3,
        bucket: "src".into(),
        region: "us-east-1".into(),
    }
}

fn dest() -> BucketKey {
    BucketKey {
        bucket: "dest".into(),
        ..source()
    }
}

fn inventory(id: &str) -> Inventory {
    Inventory::new(S3Inventory {
        id: id.into(),
        enabled: true,
        filter_prefix: None,
        destination: S3Destination {
            bucket: "arn:aws:s3:::dest".into(),
            account_id: Some("111122223333".into()),
            format: S3Format::Csv,
            prefix: Some("inv".into()),
            encryption: None,
        },
        frequency: Frequency::Daily,
        included_object_versions: IncludedObjectVersions::Current,
        optional_fields: Vec::new(),
    })
}

const GRANT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
  "Principal":{"Service":"s3.amazonaws.com"},"Action":"s3:PutObject",
  "Resource":["arn:aws:s3:::dest/*"],
  "Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::src"},
    "StringEquals":{"aws:SourceAccount":"111122223333","s3:x-amz-acl":"bucket-owner-full-control"}}}]}"#;

fn manifest(source: &str) -> String {
    format!(
        r#"{{"sourceBucket":"{source}","destinationBucket":"arn:aws:s3:::dest","version":"2016-11-30",
        "creationTimestamp":"1796688000000","fileFormat":"CSV","fileSchema":"Bucket, Key",
        "files":[{{"key":"inv/src/daily/data/a.csv.gz","size":10,"MD5checksum":"x"}}]}}"#
    )
}

/// Plants a report of `daily` stamped `at` with `manifest` and the checksum of `summed`.
fn deliver(store: &MemoryInventory, at: SystemTime, manifest: &str, summed: &str) {
    let folder = format!("inv/src/daily/{}/", stamp::format(StampFormat::Minute, at));
    store.put_object(
        &dest(),
        &format!("{folder}manifest.json"),
        manifest.as_bytes(),
    );
    let sum = hex::encode(Md5::digest(summed.as_bytes()));
    store.put_object(
        &dest(),
        &format!("{folder}manifest.checksum"),
        sum.as_bytes(),
    );
    store.put_object(
        &dest(),
        "inv/src/daily/data/a.csv.gz",
        b"Bucket,Key\n".to_vec(),
    );
}

fn run<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

fn ready(store: &MemoryInventory, cache: &PolicyCache, id: &str) -> Readiness {
    let api = store.delivery(Provider::S3);
    run(readiness(
        &api,
        cache,
        &source(),
        &ProviderBucketOptions::none(),
        &inventory(id),
    ))
}

fn health(store: &MemoryInventory, first_seen: SystemTime) -> DeliveryHealth {
    let api = store.delivery(Provider::S3);
    let config = inventory("daily");
    let subject = Configuration {
        source: &source(),
        options: &ProviderBucketOptions::none(),
        inventory: &config,
    };
    run(check(
        &api,
        &PolicyCache::new(),
        subject,
        first_seen,
        now(),
        DEFAULT_GRACE,
    ))
}

#[test]
fn a_granted_destination_is_ready_and_one_policy_read_serves_every_configuration() {
    let store = MemoryInventory::new();
    store.set_policy(&dest(), Some(GRANT));
    let cache = PolicyCache::new();
    assert_eq!(ready(&store, &cache, "daily"), Readiness::Ready);
    assert_eq!(ready(&store, &cache, "weekly"), Readiness::Ready);
    assert_eq!(store.calls(Operation::GetBucketPolicy), 1);
}

#[test]
fn a_destination_without_policy_is_not_ready_with_the_statement_to_add() {
    let store = MemoryInventory::new();
    store.add_destination(&dest());
    let readiness = ready(&store, &PolicyCache::new(), "daily");
    let Readiness::NotReady { fix: Some(fix), .. } = readiness else {
        panic!("expected not ready, got {readiness:?}");
    };
    assert!(fix.contains("s3.amazonaws.com"), "{fix}");
}

#[test]
fn a_policy_that_cannot_be_read_is_not_checked() {
    let store = MemoryInventory::new();
    store.set_policy(&dest(), Some(GRANT));
    store.fail_next(Some(Operation::GetBucketPolicy), 1, 403, "AccessDenied");
    assert!(matches!(
        ready(&store, &PolicyCache::new(), "daily"),
        Readiness::NotChecked { reason } if reason.contains("AccessDenied")
    ));
}

#[test]
fn a_missing_destination_bucket_is_not_ready() {
    let store = MemoryInventory::new();
    assert!(matches!(
        ready(&store, &PolicyCache::new(), "daily"),
        Readiness::NotReady { problem, .. } if problem.contains("dest does not exist")
    ));
}

#[test]
fn a_recent_valid_report_is_on_time_for_one_listing_and_two_reads() {
    let store = MemoryInventory::new();
    store.set_policy(&dest(), Some(GRANT));
    let made = now() - Duration::from_secs(12 * 3600);
    deliver(&store, now() - DAY * 3, &manifest("src"), &manifest("src"));
    deliver(&store, made, &manifest("src"), &manifest("src"));
    let health = health(&store, now() - DAY * 30);
    assert_eq!(health.state, DeliveryState::OnTime, "{health:?}");
    assert_eq!(health.readiness, Readiness::Ready);
    let last = health.last.unwrap();
    assert_eq!(last.folder, "inv/src/daily/2026-12-08T00-00Z/");
    assert_eq!((last.made_at, last.files), (made, 1));
    assert_eq!(health.next_due, Some(made + DAY + DEFAULT_GRACE));
    assert_eq!(store.calls(Operation::ListObjects), 1);
    assert_eq!(store.calls(Operation::GetObject), 2);
}

#[test]
fn a_new_configuration_without_reports_is_pending() {
    let store = MemoryInventory::new();
    store.set_policy(&dest(), Some(GRANT));
    let health = health(&store, now() - DAY);
    assert_eq!((health.state, health.last), (DeliveryState::Pending, None));
    assert_eq!(store.calls(Operation::GetObject), 0);
}

#[test]
fn a_tampered_manifest_is_invalid_and_not_replaced_by_an_older_report() {
    let store = MemoryInventory::new();
    store.add_destination(&dest());
    deliver(&store, now() - DAY * 2, &manifest("src"), &manifest("src"));
    deliver(
        &store,
        now() - DAY,
        &manifest("src").replace("10", "99"),
        &manifest("src"),
    );
    let health = health(&store, now() - DAY * 30);
    assert_eq!(health.state, DeliveryState::Invalid);
    assert_eq!(health.last, None);
    assert!(health.problem.unwrap().contains("checksum"));
}

#[test]
fn a_report_of_another_source_bucket_is_invalid() {
    let store = MemoryInventory::new();
    store.add_destination(&dest());
    deliver(
        &store,
        now() - DAY,
        &manifest("intruder"),
        &manifest("intruder"),
    );
    let health = health(&store, now() - DAY * 30);
    assert_eq!(health.state, DeliveryState::Invalid);
    assert!(health.problem.unwrap().contains("intruder"));
}

#[test]
fn only_an_old_report_is_overdue_after_a_second_listing_of_the_whole_folder() {
    let store = MemoryInventory::new();
    store.set_policy(&dest(), Some(GRANT));
    let made = now() - DAY * 10;
    deliver(&store, made, &manifest("src"), &manifest("src"));
    let health = health(&store, now() - DAY * 30);
    assert_eq!(health.state, DeliveryState::Overdue);
    assert_eq!(health.last.map(|d| d.made_at), Some(made));
    assert_eq!(store.calls(Operation::ListObjects), 2);
}

#[test]
fn no_report_long_after_first_seen_without_a_grant_is_overdue_and_says_why() {
    let store = MemoryInventory::new();
    store.add_destination(&dest());
    let health = health(&store, now() - DAY * 5);
    assert_eq!(health.state, DeliveryState::Overdue);
    assert!(matches!(health.readiness, Readiness::NotReady { .. }));
    assert!(health.problem.unwrap().contains("destination not ready"));
}

#[test]
fn a_listing_that_fails_is_unknown() {
    let store = MemoryInventory::new();
    store.set_policy(&dest(), Some(GRANT));
    store.fail_next(Some(Operation::ListObjects), 1, 403, "AccessDenied");
    assert_eq!(health(&store, now()).state, DeliveryState::Unknown);
}

#[test]
fn the_s3_layout_names_the_daily_folder() {
    let location = location(&source(), &inventory("daily")).unwrap();
    assert_eq!(location.folder, "inv/src/daily/");
    assert_eq!(location.schedule, ReportSchedule::Every(DAY));
}

#[test]
fn the_tracker_asks_once_per_period_again_at_next_due_and_after_a_change() {
    let mut tracker = DeliveryTracker::new();
    let config = inventory("daily");
    let daily = ReportSchedule::Every(DAY);
    let t0 = now();
    assert!(tracker.due(&source(), &config, daily, t0));
    assert_eq!(tracker.first_seen(&source(), &config, t0 + DAY), t0);
    let pending = DeliveryHealth {
        readiness: Readiness::Ready,
        state: DeliveryState::Pending,
        last: None,
        next_due: Some(t0 + Duration::from_secs(3600)),
        problem: None,
    };
    tracker.record(&source(), &config, t0, pending);
    assert!(!tracker.due(&source(), &config, daily, t0 + Duration::from_secs(60)));
    assert!(tracker.due(&source(), &config, daily, t0 + Duration::from_secs(3600)));
    let on_time = DeliveryHealth {
        state: DeliveryState::OnTime,
        next_due: Some(t0 + DAY * 3),
        ..tracker.health(&source(), "daily").unwrap().clone()
    };
    let t1 = t0 + Duration::from_secs(3600);
    tracker.record(&source(), &config, t1, on_time);
    assert!(!tracker.due(&source(), &config, daily, t1 + DAY - Duration::from_secs(1)));
    assert!(tracker.due(&source(), &config, daily, t1 + DAY));
    let mut changed = config.clone();
    *changed.enabled_mut() = false;
    assert!(tracker.due(&source(), &changed, daily, t1 + Duration::from_secs(1)));
    assert_eq!(
        tracker.first_seen(&source(), &changed, t1 + DAY),
        t1 + Duration::from_secs(1)
    );
}
