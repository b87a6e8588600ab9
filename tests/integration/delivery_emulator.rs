//! Delivery checks end to end: the real delivery client from each provider's table entry,
//! against the in-process emulator on its own clock. Without the destination's grant nothing
//! is delivered, the destination is not ready and the report turns overdue, until the grant is
//! added and the next report arrives; with it, the next
//! scheduled report is found, valid, for one listing and two reads; a tampered manifest is
//! reported and never trusted.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use invsync::delivery::{self, Configuration, DEFAULT_GRACE, PolicyCache};
use invsync::emulator::{EmulatorHandle, ObjectCall};
use invsync::model::{
    BucketKey, DeliveryHealth, DeliveryState, Frequency, IncludedObjectVersions, Inventory,
    Provider, ProviderBucketOptions, Readiness, ReportFormat,
};
use invsync::provider::cos::model::{CosDestination, CosFilter, CosInventory, CosSchedule};
use invsync::provider::delivery::DeliveryApi;
use invsync::provider::http::{HttpSettings, Transport};
use invsync::provider::oss::model::{OssDestination, OssFilter, OssInventory};
use invsync::provider::registry::{ClientParts, spec};
use invsync::provider::s3::model::{S3Destination, S3Format, S3Inventory};
use invsync::provider::{Credentials, StaticCredentials};
use invsync::reconcile::ClientSettings;

use crate::support::e2e::{self, Emulator};
use crate::support::emulator_support::http;

const DAY: Duration = Duration::from_secs(86_400);

/// One provider's case: its buckets, a daily configuration delivering into `dest`, and how to
/// grant the service the destination.
struct Case {
    provider: Provider,
    source: &'static str,
    dest: &'static str,
    region: &'static str,
    credentials: (&'static str, &'static str),
    inventory: fn() -> Inventory,
    grant: fn(&EmulatorHandle),
}

fn s3_inventory() -> Inventory {
    Inventory::new(S3Inventory {
        id: "daily".into(),
        enabled: true,
        filter_prefix: None,
        destination: S3Destination {
            bucket: "arn:aws:s3:::inventory-reports".into(),
            account_id: Some("123456789012".into()),
            format: S3Format::Csv,
            prefix: Some("inv".into()),
            encryption: None,
        },
        frequency: Frequency::Daily,
        included_object_versions: IncludedObjectVersions::Current,
        optional_fields: Vec::new(),
    })
}

fn cos_inventory() -> Inventory {
    Inventory::new(CosInventory {
        id: "daily".into(),
        enabled: true,
        included_object_versions: IncludedObjectVersions::Current,
        schedule: CosSchedule {
            frequency: Frequency::Daily,
            monthly_date: None,
        },
        filter: CosFilter::default(),
        optional_fields: Vec::new(),
        destination: CosDestination {
            bucket: "qcs::cos:ap-guangzhou::dest-1250000000".into(),
            account_id: Some("100000000001".into()),
            prefix: Some("reports".into()),
            format: ReportFormat::Csv,
            sse_cos: false,
        },
    })
}

fn oss_inventory() -> Inventory {
    Inventory::new(OssInventory {
        id: "daily".into(),
        enabled: true,
        included_object_versions: IncludedObjectVersions::All,
        frequency: Frequency::Daily,
        day_of_month: None,
        auto_delete: false,
        filter: OssFilter::default(),
        optional_fields: Vec::new(),
        destination: OssDestination {
            bucket: "acs:oss:::dest".into(),
            account_id: "1000000000000000".into(),
            role_arn: "acs:ram::1000000000000000:role/AliyunOSSRole".into(),
            prefix: Some("reports".into()),
            format: ReportFormat::Csv,
            encryption: None,
        },
        incremental: None,
    })
}

const S3_GRANT: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"InventoryExamplePolicy",
  "Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"s3:PutObject",
  "Resource":["arn:aws:s3:::inventory-reports/*"],
  "Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::src"},
  "StringEquals":{"aws:SourceAccount":"123456789012","s3:x-amz-acl":"bucket-owner-full-control"}}}]}"#;

const COS_GRANT: &str = r#"{"Statement":[{"Principal":{"qcs":["qcs::cam::uin/100000000001:service/cos"]},
  "Effect":"allow","Action":["name/cos:PutObject"],
  "Resource":["qcs::cos:ap-guangzhou:uid/1250000000:dest-1250000000/*"]}],"version":"2.0"}"#;

fn cases() -> [Case; 3] {
    [
        Case {
            provider: Provider::COS,
            source: "src-1250000000",
            dest: "dest-1250000000",
            region: "ap-guangzhou",
            credentials: (e2e::COS_ID, e2e::COS_KEY),
            inventory: cos_inventory,
            grant: |emulator| {
                emulator
                    .set_bucket_policy(Provider::COS, "dest-1250000000", Some(COS_GRANT))
                    .unwrap();
            },
        },
        Case {
            provider: Provider::OSS,
            source: "src",
            dest: "dest",
            region: "cn-hangzhou",
            credentials: (e2e::OSS_ID, e2e::OSS_KEY),
            inventory: oss_inventory,
            grant: |emulator| {
                emulator.set_role_allowed(Provider::OSS, "1000000000000000", "AliyunOSSRole", true);
            },
        },
        Case {
            provider: Provider::S3,
            source: "src",
            dest: "inventory-reports",
            region: "us-east-1",
            credentials: (e2e::S3_ID, e2e::S3_KEY),
            inventory: s3_inventory,
            grant: |emulator| {
                emulator
                    .set_bucket_policy(Provider::S3, "inventory-reports", Some(S3_GRANT))
                    .unwrap();
            },
        },
    ]
}

/// `provider`'s delivery client from the registry, sending to the emulator.
fn client(case: &Case, emulator: &Emulator) -> Arc<dyn DeliveryApi> {
    let _ = http(); // installs the crypto provider
    let settings = ClientSettings {
        http: HttpSettings {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            ..HttpSettings::default()
        },
        ..ClientSettings::default()
    };
    let (id, key) = case.credentials;
    (spec(case.provider).deliver)(ClientParts {
        transport: Transport::new(settings.http.clone()).expect("transport builds"),
        credentials: Arc::new(StaticCredentials(Credentials::new(id, key))),
        endpoint: Some(emulator.endpoint().parse().unwrap()),
        options: &ProviderBucketOptions::none(),
        settings: &settings,
    })
}

fn source(case: &Case) -> BucketKey {
    BucketKey {
        provider: case.provider,
        bucket: case.source.into(),
        region: case.region.into(),
    }
}

/// Sets up the source (with one object and the configuration) and an empty destination.
fn seed(case: &Case, emulator: &Emulator) {
    let handle = &emulator.handle;
    handle
        .create_bucket(case.provider, case.source, Some(case.region), &[])
        .unwrap();
    handle
        .create_bucket(case.provider, case.dest, Some(case.region), &[])
        .unwrap();
    handle
        .put_object(case.provider, case.source, "logs/a.txt", b"hello")
        .unwrap();
    handle.seed(&source(case), &(case.inventory)()).unwrap();
}

fn check(case: &Case, emulator: &Emulator, first_seen: SystemTime) -> DeliveryHealth {
    let api = client(case, emulator);
    let inventory = (case.inventory)();
    let config = Configuration {
        source: &source(case),
        options: &ProviderBucketOptions::none(),
        inventory: &inventory,
    };
    let now = emulator.handle.now();
    emulator.block_on(delivery::check(
        api.as_ref(),
        &PolicyCache::new(),
        config,
        first_seen,
        now,
        DEFAULT_GRACE,
    ))
}

#[test]
fn without_the_grant_nothing_arrives_the_report_turns_overdue_and_the_grant_recovers_it() {
    for case in cases() {
        let emulator = Emulator::start();
        seed(&case, &emulator);
        let first_seen = emulator.handle.now();
        emulator.handle.advance_clock(DAY);
        let early = check(&case, &emulator, first_seen);
        assert_eq!(
            early.state,
            DeliveryState::Pending,
            "{}: {early:?}",
            case.provider
        );
        emulator.handle.advance_clock(DAY * 3);
        let late = check(&case, &emulator, first_seen);
        assert_eq!(
            late.state,
            DeliveryState::Overdue,
            "{}: {late:?}",
            case.provider
        );
        assert_eq!(late.last, None);
        if case.provider != Provider::OSS {
            // OSS's grant is the RAM role's, which the OSS API does not show.
            assert!(
                matches!(&late.readiness, Readiness::NotReady { fix: Some(_), .. }),
                "{}: {:?}",
                case.provider,
                late.readiness
            );
        }
        (case.grant)(&emulator.handle);
        emulator.handle.advance_clock(DAY);
        let recovered = check(&case, &emulator, first_seen);
        assert_eq!(recovered.readiness, Readiness::Ready, "{}", case.provider);
        assert_eq!(
            recovered.state,
            DeliveryState::OnTime,
            "{}: {recovered:?}",
            case.provider
        );
    }
}

#[test]
fn with_the_grant_the_next_report_is_found_valid_for_one_listing_and_two_reads() {
    for case in cases() {
        let emulator = Emulator::start();
        seed(&case, &emulator);
        (case.grant)(&emulator.handle);
        let first_seen = emulator.handle.now();
        emulator.handle.advance_clock(DAY);
        emulator.handle.reset_stats();
        let health = check(&case, &emulator, first_seen);
        assert_eq!(health.readiness, Readiness::Ready, "{}", case.provider);
        assert_eq!(
            health.state,
            DeliveryState::OnTime,
            "{}: {health:?}",
            case.provider
        );
        let last = health.last.unwrap();
        assert_eq!(last.files, 1, "{}", case.provider);
        assert!(last.made_at <= emulator.handle.now());
        let stats = emulator.handle.stats();
        let calls = |call| stats.object_calls(case.provider, call);
        assert_eq!(
            (
                calls(ObjectCall::GetPolicy),
                calls(ObjectCall::ListObjects),
                calls(ObjectCall::GetObject)
            ),
            (1, 1, 2),
            "{}: one policy read, one listing, the checksum and the manifest",
            case.provider
        );
        assert_eq!(stats.total, 4, "{}: nothing else", case.provider);
    }
}

#[test]
fn a_tampered_manifest_is_reported_never_trusted() {
    for case in cases() {
        let emulator = Emulator::start();
        seed(&case, &emulator);
        (case.grant)(&emulator.handle);
        let first_seen = emulator.handle.now();
        emulator.handle.advance_clock(DAY);
        let found = check(&case, &emulator, first_seen).last.unwrap();
        let key = format!("{}manifest.json", found.folder);
        let mut manifest = emulator
            .handle
            .object(case.provider, case.dest, &key)
            .unwrap();
        manifest.extend_from_slice(b"\n");
        emulator
            .handle
            .put_object(case.provider, case.dest, &key, &manifest)
            .unwrap();
        let health = check(&case, &emulator, first_seen);
        assert_eq!(health.state, DeliveryState::Invalid, "{}", case.provider);
        assert_eq!(health.last, None);
        assert!(
            health.problem.unwrap().contains("checksum"),
            "{}",
            case.provider
        );
    }
}
