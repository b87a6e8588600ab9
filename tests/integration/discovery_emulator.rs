//! Discovery end to end against the in-process emulator, for every provider of the registry:
//! the client from the table's `discover` lists thousands of buckets through the provider's
//! own paging, reads tags and each provider's "no tags" answer; and `invsync import
//! --all-buckets` adopts a fleet whose manifests then plan in sync.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use invsync::emulator::BucketCall;
use invsync::model::{BucketKey, Provider, ProviderBucketOptions};
use invsync::provider::discovery::{BucketFilter, DiscoveryApi};
use invsync::provider::http::{HttpSettings, Transport};
use invsync::provider::registry::{ClientParts, spec};
use invsync::provider::{Credentials, StaticCredentials};
use invsync::reconcile::ClientSettings;

use crate::support::cases::plan_json;
use crate::support::e2e::{self, Emulator, Manifests, assert_exit, invsync, stderr, stdout};
use crate::support::emulator_support::http;
use crate::support::full_configs::every_field;

/// More buckets than one page of any provider's listing (S3 and OSS 1,000 a page as the client
/// asks, COS 2,000 by default).
const FLEET: usize = 2_100;

/// A bucket name every provider accepts (COS wants the `-APPID` suffix).
fn name(i: usize) -> String {
    format!("fleet-{i:04}-1250000000")
}

/// The test credentials of `provider`, as the e2e emulator knows them (listed in the order
/// of `Provider::ALL`).
fn credentials(provider: Provider) -> Credentials {
    const KEYS: [(&str, &str); 3] = [
        (e2e::COS_ID, e2e::COS_KEY),
        (e2e::OSS_ID, e2e::OSS_KEY),
        (e2e::S3_ID, e2e::S3_KEY),
    ];
    let at = Provider::ALL.iter().position(|p| *p == provider).unwrap();
    Credentials::new(KEYS[at].0, KEYS[at].1)
}

/// `provider`'s discovery client from the registry, sending to the emulator.
fn discover(provider: Provider, emulator: &Emulator) -> Arc<dyn DiscoveryApi> {
    let _ = http(); // installs the crypto provider
    let settings = ClientSettings {
        http: HttpSettings {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            ..HttpSettings::default()
        },
        ..ClientSettings::default()
    };
    (spec(provider).discover)(ClientParts {
        transport: Transport::new(settings.http.clone()).expect("transport builds"),
        credentials: Arc::new(StaticCredentials(credentials(provider))),
        endpoint: Some(emulator.endpoint().parse().unwrap()),
        options: &ProviderBucketOptions::none(),
        settings: &settings,
    })
}

#[test]
fn every_provider_lists_a_fleet_across_pages_each_bucket_once_with_its_region() {
    for provider in Provider::ALL {
        let emulator = Emulator::start();
        let region = spec(provider).region_example;
        for i in 0..FLEET {
            let created = emulator
                .handle
                .create_bucket(provider, &name(i), Some(region), &[]);
            assert!(created.unwrap());
        }
        let client = discover(provider, &emulator);
        let buckets = emulator
            .block_on(client.list_buckets(&BucketFilter::default()))
            .unwrap_or_else(|e| panic!("{provider}: {e}"));
        let names: BTreeSet<&str> = buckets.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(buckets.len(), FLEET, "{provider}");
        assert_eq!(names.len(), FLEET, "{provider}: each bucket once");
        assert!(buckets.iter().all(|b| b.region == region), "{provider}");
        let pages = emulator
            .handle
            .stats()
            .bucket_calls(provider, BucketCall::ListBuckets);
        assert!(
            (2..=3).contains(&pages),
            "{provider}: {pages} listing pages"
        );

        let filter = BucketFilter {
            prefix: Some("fleet-000".into()),
            region: None,
        };
        let few = emulator.block_on(client.list_buckets(&filter)).unwrap();
        assert_eq!(few.len(), 10, "{provider}");
    }
}

#[test]
fn every_provider_reads_tags_and_its_no_tags_answer_is_an_empty_set() {
    for provider in Provider::ALL {
        let emulator = Emulator::start();
        let region = spec(provider).region_example;
        let handle = &emulator.handle;
        handle
            .create_bucket(
                provider,
                &name(1),
                Some(region),
                &[("team", "data"), ("env", "")],
            )
            .unwrap();
        handle
            .create_bucket(provider, &name(2), Some(region), &[])
            .unwrap();
        let client = discover(provider, &emulator);
        let tags = emulator
            .block_on(client.bucket_tags(&name(1), region))
            .unwrap_or_else(|e| panic!("{provider}: {e}"));
        assert_eq!(
            tags.get("team").map(String::as_str),
            Some("data"),
            "{provider}"
        );
        assert_eq!(tags.get("env").map(String::as_str), Some(""), "{provider}");
        let none = emulator
            .block_on(client.bucket_tags(&name(2), region))
            .unwrap_or_else(|e| panic!("{provider}: no tags must read as empty: {e}"));
        assert!(none.is_empty(), "{provider}");
    }
}

#[test]
fn an_imported_fleet_plans_in_sync_for_every_provider() {
    for provider in Provider::ALL {
        let emulator = Emulator::start();
        let region = spec(provider).region_example;
        let handle = &emulator.handle;
        for i in 0..4 {
            let tags: &[(&str, &str)] = if i == 3 { &[("inventory", "off")] } else { &[] };
            handle
                .create_bucket(provider, &name(i), Some(region), tags)
                .unwrap();
        }
        // Buckets 0 and 1 hold a configuration with every field, 2 none, 3 one but is
        // excluded by the selector.
        for (i, id) in [(0, "fleet"), (1, "other"), (3, "fleet")] {
            let key = BucketKey {
                provider,
                bucket: name(i),
                region: region.to_string(),
            };
            handle.seed(&key, &every_field(provider, id)).unwrap();
        }
        let manifests = Manifests::new();
        let out = manifests.path().to_str().unwrap();
        let import = invsync(
            &emulator,
            &[
                "import",
                "--provider",
                provider.as_str(),
                "--all-buckets",
                "--out",
                out,
                "--match",
                "fleet-*",
                "--exclude",
                "*-0003-*",
            ],
        );
        assert_exit(&import, 0);
        let err = stderr(&import);
        assert!(
            err.lines().any(|l| l.contains(&name(2))
                && l.ends_with("no inventory configurations; no manifest written")),
            "{provider}: {err}"
        );
        assert!(
            err.contains("4 bucket(s) listed, 3 selected: 2 manifest(s) written"),
            "{provider}: {err}"
        );
        let printed = stdout(&import);
        let written: Vec<&str> = printed.lines().collect();
        assert_eq!(written.len(), 2, "{provider}: {written:?}");
        let (code, plan) = plan_json(&emulator, &manifests);
        assert_eq!(
            code, 0,
            "{provider}: the imported fleet plans in sync: {plan}"
        );

        // A tag selector reads the tags and picks the one tagged bucket.
        let tagged = Manifests::new();
        let import = invsync(
            &emulator,
            &[
                "import",
                "--provider",
                provider.as_str(),
                "--all-buckets",
                "--out",
                tagged.path().to_str().unwrap(),
                "--tag",
                "inventory=off",
            ],
        );
        assert_exit(&import, 0);
        assert!(
            stdout(&import)
                .trim()
                .ends_with(&format!("{}.yaml", name(3))),
            "{provider}: {}",
            stdout(&import)
        );
    }
}
