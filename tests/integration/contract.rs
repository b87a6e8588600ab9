//! The provider contract: what `InventoryApi` promises (`src/provider/mod.rs`), written once and
//! run against every store: each provider's client against its emulator mode, and the
//! in-memory fake as each provider's stand-in. A new provider passes it by adding its case to
//! [`stores`].
//!
//! Configurations come from manifests, through the same registry `plan` uses, and the provider's
//! declared update strategy (not its name) says what a PUT on an existing id does.

use crate::support::cases::{COS, Case, OSS, S3};
use crate::support::e2e::{COS_ID, COS_KEY, Emulator, OSS_ID, OSS_KEY, S3_ID, S3_KEY};

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use invsync::emulator::FaultConfig;
use invsync::model::{BucketKey, Inventory, LiveConfig, Provider};
use invsync::provider::http::{HttpSettings, Transport};
use invsync::provider::memory::MemoryInventory;
use invsync::provider::registry::{self, ChangedConfig};
use invsync::provider::{
    CredentialSource, Credentials, ErrorKind, InventoryApi, Operation, StaticCredentials,
};
use invsync::reconcile::{ClientSettings, Clients};

/// Every store the contract runs against: one line each.
fn stores() -> Vec<Store> {
    vec![
        Store::emulated(&COS),
        Store::emulated(&OSS),
        Store::emulated(&S3),
        Store::memory(&COS),
        Store::memory(&OSS),
        Store::memory(&S3),
    ]
}

/// The test keys the emulator accepts, per provider.
fn keys(provider: Provider, secret_ok: bool) -> Credentials {
    let (id, secret) = match provider {
        Provider::Cos => (COS_ID, COS_KEY),
        Provider::Oss => (OSS_ID, OSS_KEY),
        Provider::S3 => (S3_ID, S3_KEY),
    };
    Credentials::new(id, if secret_ok { secret } else { "wrong-secret" })
}

enum Backend {
    Emulated(Emulator),
    Memory(MemoryInventory),
}

/// One provider's API behind `Arc<dyn InventoryApi>`, as the reconciler gets it.
struct Store {
    name: String,
    case: &'static Case,
    backend: Backend,
}

impl Store {
    fn emulated(case: &'static Case) -> Store {
        Store {
            name: format!("{} (emulator)", case.provider),
            case,
            backend: Backend::Emulated(Emulator::start()),
        }
    }

    fn memory(case: &'static Case) -> Store {
        let memory = MemoryInventory::new();
        let memory = match registry::spec(case.provider).changed_config {
            ChangedConfig::Update => memory,
            ChangedConfig::Replace => memory.create_only(),
        };
        Store {
            name: format!("{} (in-memory fake)", case.provider),
            case,
            backend: Backend::Memory(memory),
        }
    }

    /// A client built the way commands build them: the registry's, over one transport.
    fn api(&self, secret_ok: bool) -> Arc<dyn InventoryApi> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let transport = Transport::new(HttpSettings {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            ..HttpSettings::default()
        })
        .unwrap();
        let credentials: BTreeMap<Provider, Arc<dyn CredentialSource>> = Provider::ALL
            .into_iter()
            .map(|p| {
                let source: Arc<dyn CredentialSource> =
                    Arc::new(StaticCredentials(keys(p, secret_ok)));
                (p, source)
            })
            .collect();
        let settings = match &self.backend {
            Backend::Emulated(emulator) => {
                ClientSettings::default().with_endpoint_for_all(&emulator.endpoint())
            }
            Backend::Memory(_) => ClientSettings::default(),
        };
        let clients = Clients::new(settings, transport, credentials);
        let clients = match &self.backend {
            Backend::Memory(memory) => clients.with_memory(memory.clone()),
            Backend::Emulated(_) => clients,
        };
        clients.for_bucket(&self.bucket(), None).unwrap()
    }

    fn bucket(&self) -> BucketKey {
        BucketKey {
            provider: self.case.provider,
            bucket: self.case.bucket.into(),
            region: self.case.region.into(),
        }
    }

    /// Configurations `(id, prefix)` as a manifest declares them, read through the registry.
    fn inventories(&self, declared: &[(&str, &str)]) -> Vec<Inventory> {
        let yaml = self.case.manifest(false, declared);
        let mut buckets = invsync::manifest::parse_document_text(Path::new("contract.yaml"), &yaml)
            .unwrap_or_else(|e| panic!("{}: the contract manifest is valid: {e:?}", self.name));
        buckets.remove(0).inventories
    }

    fn inventory(&self, id: &str, prefix: &str) -> Inventory {
        self.inventories(&[(id, prefix)]).remove(0)
    }

    /// The next `n` requests of an emulated store (the test's PUTs) answer with the provider's
    /// throttling error.
    fn throttle_next_puts(&self, n: u32) {
        if let Backend::Emulated(emulator) = &self.backend {
            let faults = FaultConfig {
                fail_next: n,
                ..FaultConfig::default()
            };
            emulator.handle.set_faults(faults).unwrap();
        }
    }

    /// Requests of `operation` the backend answered (any status).
    fn calls(&self, operation: Operation) -> u64 {
        match &self.backend {
            Backend::Emulated(emulator) => {
                emulator.handle.stats().calls(self.case.provider, operation)
            }
            Backend::Memory(memory) => memory.calls(operation),
        }
    }
}

/// Runs `future` to completion on a runtime of its own (the emulator runs on another).
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// The normalized model of a live configuration, as plans compare them.
fn modelled(store: &Store, live: Option<LiveConfig>) -> Inventory {
    match live {
        Some(LiveConfig::Modelled(inventory)) => registry::normalize(&inventory),
        other => panic!(
            "{}: expected a modelled configuration, got {other:?}",
            store.name
        ),
    }
}

fn ids(live: &[LiveConfig]) -> Vec<String> {
    live.iter().map(|c| c.id().to_string()).collect()
}

#[test]
fn put_get_list_delete_round_trip_on_every_store() {
    for store in stores() {
        block_on(async {
            let api = store.api(true);
            let key = store.bucket();
            let wanted = store.inventory("contract-a", "logs/");

            api.put(&key, &wanted).await.unwrap();
            let read = modelled(&store, api.get(&key, "contract-a").await.unwrap());
            assert_eq!(read, registry::normalize(&wanted), "{}", store.name);
            let listed = api.list(&key).await.unwrap();
            assert_eq!(ids(&listed), ["contract-a"], "{}", store.name);

            api.delete(&key, "contract-a").await.unwrap();
            assert_eq!(
                api.get(&key, "contract-a").await.unwrap(),
                None,
                "{}",
                store.name
            );
            assert!(api.list(&key).await.unwrap().is_empty(), "{}", store.name);
        });
    }
}

#[test]
fn a_bucket_without_configurations_lists_empty_and_a_missing_id_gets_none() {
    for store in stores() {
        block_on(async {
            let api = store.api(true);
            let key = store.bucket();
            assert!(api.list(&key).await.unwrap().is_empty(), "{}", store.name);
            assert_eq!(
                api.get(&key, "absent").await.unwrap(),
                None,
                "{}",
                store.name
            );
        });
    }
}

#[test]
fn a_list_over_several_pages_returns_every_configuration_exactly_once() {
    for store in stores() {
        block_on(async {
            let api = store.api(true);
            let key = store.bucket();
            let declared: Vec<(String, String)> = (0..230)
                .rev()
                .map(|i| (format!("inv-{i:03}"), format!("p{i}/")))
                .collect();
            let pairs: Vec<(&str, &str)> = declared
                .iter()
                .map(|(id, prefix)| (id.as_str(), prefix.as_str()))
                .collect();
            for inventory in store.inventories(&pairs) {
                api.put(&key, &inventory).await.unwrap();
            }
            let lists_before = store.calls(Operation::List);

            let mut listed = ids(&api.list(&key).await.unwrap());
            listed.sort(); // the order of a listing is the provider's

            let mut expected: Vec<String> = declared.into_iter().map(|(id, _)| id).collect();
            expected.sort();
            assert_eq!(listed, expected, "{}", store.name);
            let pages = store.calls(Operation::List) - lists_before;
            if let Backend::Emulated(_) = store.backend {
                assert_eq!(
                    pages, 3,
                    "{}: 230 configurations are 3 pages of 100",
                    store.name
                );
            }
        });
    }
}

#[test]
fn a_put_on_an_existing_id_follows_the_providers_declared_update_strategy() {
    for store in stores() {
        block_on(async {
            let api = store.api(true);
            let key = store.bucket();
            api.put(&key, &store.inventory("contract-u", "old/"))
                .await
                .unwrap();
            let changed = store.inventory("contract-u", "new/");

            let result = api.put(&key, &changed).await;

            let live = modelled(&store, api.get(&key, "contract-u").await.unwrap());
            match registry::spec(store.case.provider).changed_config {
                ChangedConfig::Update => {
                    result.unwrap_or_else(|e| panic!("{}: {e}", store.name));
                    assert_eq!(live, registry::normalize(&changed), "{}", store.name);
                }
                ChangedConfig::Replace => {
                    let error = result.expect_err(&store.name);
                    assert_eq!(error.kind(), ErrorKind::Conflict, "{}: {error}", store.name);
                    let unchanged = registry::normalize(&store.inventory("contract-u", "old/"));
                    assert_eq!(
                        live, unchanged,
                        "{}: a refused PUT changes nothing",
                        store.name
                    );
                }
            }
        });
    }
}

#[test]
fn throttling_is_retried_until_the_write_goes_through() {
    for store in stores() {
        let Backend::Emulated(_) = store.backend else {
            continue; // the fake's injected failures stand for ones that outlasted the retries
        };
        block_on(async {
            let api = store.api(true);
            let key = store.bucket();
            store.throttle_next_puts(2);
            let puts_before = store.calls(Operation::Put);

            api.put(&key, &store.inventory("contract-t", "t/"))
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", store.name));

            assert_eq!(
                store.calls(Operation::Put) - puts_before,
                3,
                "{}: two throttled attempts, then the write",
                store.name
            );
            assert_eq!(
                ids(&api.list(&key).await.unwrap()),
                ["contract-t"],
                "{}",
                store.name
            );
        });
    }
}

#[test]
fn a_wrong_secret_is_permission_denied_and_not_retried() {
    for store in stores() {
        let Backend::Emulated(_) = store.backend else {
            continue; // the fake checks no signatures
        };
        block_on(async {
            let api = store.api(false);
            let lists_before = store.calls(Operation::List);

            let error = api.list(&store.bucket()).await.unwrap_err();

            assert_eq!(
                error.kind(),
                ErrorKind::PermissionDenied,
                "{}: {error}",
                store.name
            );
            assert_eq!(
                store.calls(Operation::List) - lists_before,
                1,
                "{}",
                store.name
            );
        });
    }
}
