//! The crate's own OSS client (`OssClient`, V1 and V4) against the emulator, and state seeded
//! through the handle from domain values.

use crate::support::emulator_support;

use std::sync::Arc;
use std::time::Duration;

use emulator_support::*;
use invsync::emulator::{FaultConfig, InjectedError};
use invsync::model::{
    BucketKey, Frequency, IncludedObjectVersions, Inventory, LiveConfig, Provider, ReportFormat,
    all_modelled,
};
use invsync::provider::http::{HttpSettings, Transport};
use invsync::provider::oss::model::{OssDestination, OssEncryption, OssFilter, OssInventory};
use invsync::provider::oss::{OssClient, SignatureVersion};
use invsync::provider::{Credentials, InventoryApi, Operation, StaticCredentials};

fn client(endpoint: &str, secret: &str, version: SignatureVersion) -> OssClient {
    let _ = http(); // installs the crypto provider
    let settings = HttpSettings {
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        ..HttpSettings::default()
    };
    OssClient::new(
        Transport::new(settings).unwrap(),
        Arc::new(StaticCredentials(Credentials::new(OSS_ID, secret))),
    )
    .with_signature_version(version)
    .with_endpoint(endpoint.parse().unwrap())
}

fn bucket() -> BucketKey {
    BucketKey {
        provider: Provider::OSS,
        bucket: "clientbucket".into(),
        region: OSS_REGION.into(),
    }
}

fn inventory(id: &str, prefix: &str) -> Inventory {
    Inventory::new(OssInventory {
        id: id.into(),
        enabled: false,
        included_object_versions: IncludedObjectVersions::Current,
        frequency: Frequency::Weekly,
        day_of_month: None,
        auto_delete: false,
        incremental: None,
        filter: OssFilter {
            prefix: Some(prefix.into()),
            last_modify_begin_time_stamp: Some(1_637_883_649),
            last_modify_end_time_stamp: Some(1_638_347_592),
            lower_size_bound: Some(1024),
            upper_size_bound: Some(1_048_576),
            storage_classes: vec!["IA".into(), "Standard".into()],
        },
        optional_fields: vec!["Size".into(), "ETag".into()],
        destination: OssDestination {
            bucket: "acs:oss:::dest".into(),
            account_id: "1000000000000000".into(),
            role_arn: "acs:ram::1000000000000000:role/AliyunOSSRole".into(),
            prefix: Some("reports/".into()),
            format: ReportFormat::Csv,
            encryption: Some(OssEncryption::SseKms {
                key_id: "key-1".into(),
            }),
        },
    })
}

#[tokio::test]
async fn the_client_round_trips_configs_through_the_emulator_with_both_signatures() {
    for version in [SignatureVersion::V1, SignatureVersion::V4] {
        let emulator = start().await;
        let client = client(&emulator.endpoint(), OSS_KEY, version);
        let key = bucket();
        assert!(
            client.list(&key).await.unwrap().is_empty(),
            "404 NoSuchInventory is empty"
        );
        let mut written: Vec<Inventory> = (0..150)
            .map(|i| inventory(&format!("inv-{i:03}"), "logs/"))
            .collect();
        for inv in written.iter().rev() {
            client.put(&key, inv).await.unwrap();
        }
        written.sort_by(|a, b| a.id().cmp(b.id()));
        assert_eq!(
            client.list(&key).await.unwrap(),
            all_modelled(written.clone()),
            "{version:?}"
        );

        let again = client.put(&key, &written[0]).await.unwrap_err();
        assert_eq!(again.service().map(|e| e.status), Some(409));
        assert_eq!(
            client.get(&key, "inv-003").await.unwrap(),
            Some(LiveConfig::Modelled(written[3].clone()))
        );
        client.delete(&key, "inv-003").await.unwrap();
        assert_eq!(client.get(&key, "inv-003").await.unwrap(), None);
    }
}

#[tokio::test]
async fn the_client_retries_qps_limits_and_reports_signature_errors() {
    let emulator = start().await;
    let key = bucket();
    emulator
        .set_faults(FaultConfig {
            fail_next: 1,
            oss_errors: vec![InjectedError {
                status: 503,
                code: "TotalQpsLimitExceeded".into(),
            }],
            ..FaultConfig::default()
        })
        .unwrap();
    let good = client(&emulator.endpoint(), OSS_KEY, SignatureVersion::V4);
    good.put(&key, &inventory("r", "p/")).await.unwrap();
    assert_eq!(
        emulator.stats().count(Provider::OSS, Operation::Put, 503),
        1
    );

    let bad = client(&emulator.endpoint(), "wrong-secret", SignatureVersion::V1);
    let error = bad.get(&key, "r").await.unwrap_err();
    let service = error.service().expect("a service error");
    assert_eq!(
        (service.status, service.code.as_str()),
        (403, "SignatureDoesNotMatch")
    );
    assert_eq!(service.ec, "0002-00000040");
}

#[tokio::test]
async fn seeded_domain_configs_are_what_the_client_reads_back() {
    let emulator = start().await;
    let key = bucket();
    emulator.seed(&key, &inventory("seeded", "s/")).unwrap();
    let cos_key = BucketKey {
        provider: Provider::COS,
        ..key.clone()
    };
    assert!(
        emulator.seed(&cos_key, &inventory("x", "s/")).is_err(),
        "provider mismatch"
    );
    let client = client(&emulator.endpoint(), OSS_KEY, SignatureVersion::V4);
    assert_eq!(
        client.list(&key).await.unwrap(),
        all_modelled([inventory("seeded", "s/")])
    );
}
