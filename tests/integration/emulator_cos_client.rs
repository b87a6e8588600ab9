//! The crate's own COS client (`CosClient`) against the emulator: two independently written
//! halves of the same protocol must agree, including pagination, 404s and retries.

use crate::support::emulator_support;

use std::sync::Arc;
use std::time::Duration;

use emulator_support::*;
use invsync::emulator::{FaultConfig, InjectedError};
use invsync::model::{
    BucketKey, Frequency, IncludedObjectVersions, Inventory, LiveConfig, Provider, ReportFormat,
    all_modelled,
};
use invsync::provider::cos::CosClient;
use invsync::provider::cos::model::{CosDestination, CosFilter, CosInventory, CosSchedule, CosTag};
use invsync::provider::http::{HttpSettings, Transport};
use invsync::provider::{Credentials, InventoryApi, Operation, StaticCredentials};

fn client(endpoint: &str, secret: &str) -> CosClient {
    let _ = http(); // installs the crypto provider
    let settings = HttpSettings {
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
        ..HttpSettings::default()
    };
    CosClient::new(
        Transport::new(settings).unwrap(),
        Arc::new(StaticCredentials(Credentials::new(COS_ID, secret))),
    )
    .with_endpoint(endpoint.parse().unwrap())
}

fn bucket() -> BucketKey {
    BucketKey {
        provider: Provider::COS,
        bucket: "clientbucket-1250000000".into(),
        region: COS_REGION.into(),
    }
}

fn inventory(id: &str, prefix: &str) -> Inventory {
    Inventory::new(CosInventory {
        id: id.into(),
        enabled: true,
        included_object_versions: IncludedObjectVersions::All,
        schedule: CosSchedule {
            frequency: Frequency::Monthly,
            monthly_date: Some(15),
        },
        filter: CosFilter {
            prefix: Some(prefix.into()),
            tags: vec![CosTag {
                key: "age".into(),
                value: "18".into(),
            }],
            storage_class: None,
            period: None,
        },
        optional_fields: vec!["Size".into(), "Tag".into()],
        destination: CosDestination {
            bucket: "qcs::cos:ap-guangzhou::dest-1250000000".into(),
            account_id: Some("100000000001".into()),
            prefix: Some("reports".into()),
            format: ReportFormat::Csv,
            sse_cos: true,
        },
    })
}

#[tokio::test]
async fn the_client_round_trips_configs_through_the_emulator_across_pages() {
    let emulator = start().await;
    let client = client(&emulator.endpoint(), COS_KEY);
    let key = bucket();
    assert!(client.list(&key).await.unwrap().is_empty());
    let written: Vec<Inventory> = (0..230)
        .map(|i| inventory(&format!("inv-{i}"), "logs/"))
        .collect();
    for inv in &written {
        client.put(&key, inv).await.unwrap();
    }
    emulator.reset_stats();
    let live = client.list(&key).await.unwrap();
    assert_eq!(
        live,
        all_modelled(written.clone()),
        "creation order, every field round-trips"
    );
    assert_eq!(
        emulator.stats().calls(Provider::COS, Operation::List),
        3,
        "⌈230/100⌉ LISTs"
    );

    assert_eq!(
        client.get(&key, "inv-7").await.unwrap(),
        Some(LiveConfig::Modelled(written[7].clone()))
    );
    client
        .put(&key, &inventory("inv-7", "changed/"))
        .await
        .unwrap();
    assert_eq!(
        client.get(&key, "inv-7").await.unwrap(),
        Some(LiveConfig::Modelled(inventory("inv-7", "changed/")))
    );
    client.delete(&key, "inv-7").await.unwrap();
    assert_eq!(client.get(&key, "inv-7").await.unwrap(), None);
}

#[tokio::test]
async fn the_client_retries_injected_throttling_and_reports_signature_errors() {
    let emulator = start().await;
    let key = bucket();
    emulator
        .set_faults(FaultConfig {
            fail_next: 2,
            cos_errors: vec![InjectedError {
                status: 503,
                code: "SlowDown".into(),
            }],
            ..FaultConfig::default()
        })
        .unwrap();
    let good = client(&emulator.endpoint(), COS_KEY);
    good.put(&key, &inventory("r", "p/")).await.unwrap();
    assert_eq!(
        emulator.stats().count(Provider::COS, Operation::Put, 503),
        2
    );
    assert_eq!(
        emulator.stats().count(Provider::COS, Operation::Put, 200),
        1
    );

    let bad = client(&emulator.endpoint(), "wrong-secret");
    let error = bad.list(&key).await.unwrap_err();
    let service = error.service().expect("a service error");
    assert_eq!(
        (service.status, service.code.as_str()),
        (403, "SignatureDoesNotMatch")
    );
    assert!(!service.request_id.is_empty());
    assert_eq!(
        emulator.stats().count(Provider::COS, Operation::List, 403),
        1,
        "4xx is not retried"
    );
}
