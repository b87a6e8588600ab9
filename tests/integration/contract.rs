//! The contract every inventory store keeps, written once against `InventoryApi`.
//!
//! Each provider runs it twice: its client (built through the registry's `connect`, as the
//! reconciler builds it) against the in-process emulator, and the in-memory fake set up with
//! the provider's declared update strategy. Behaviour that differs between providers is asserted
//! from the provider's spec (`changed_config`), never from its name. A new provider passes the
//! suite by adding one line to `providers!` at the bottom (and its configuration with every
//! optional field to `support::full_configs`).

use std::sync::Arc;
use std::time::Duration;

use invsync::emulator::{EmulatorConfig, EmulatorHandle, FaultConfig};
use invsync::model::{BucketKey, Inventory, LiveConfig, Provider, ProviderBucketOptions};
use invsync::provider::http::{HttpSettings, Transport};
use invsync::provider::memory::MemoryInventory;
use invsync::provider::registry::{ChangedConfig, ClientParts, spec};
use invsync::provider::{Credentials, ErrorKind, InventoryApi, Operation, StaticCredentials};
use invsync::reconcile::ClientSettings;

use crate::support::emulator_support::{http, start_with};
use crate::support::full_configs::every_field;

/// The key id and secret the emulator accepts for every provider.
const KEY_ID: &str = "AKIDcontractSuite00000000000000000";
const SECRET: &str = "contractSuiteSecret0000000000000000";
/// A bucket name every provider accepts (COS wants the `-APPID` suffix).
const BUCKET: &str = "contract-1250000000";
/// More than one LIST page (the services answer at most 100 configurations per page).
const MANY: usize = 150;

/// A store under contract.
#[derive(Debug, Clone, Copy)]
enum Store {
    /// The provider's client against a fresh in-process emulator.
    Emulated(Provider),
    /// The in-memory fake, refusing a PUT of an existing id when the provider's spec says so.
    Memory(Provider),
}

/// An open store: the client under test, its bucket, and the emulator behind it if any.
struct Opened {
    api: Arc<dyn InventoryApi>,
    bucket: BucketKey,
    emulator: Option<EmulatorHandle>,
}

impl Store {
    fn provider(self) -> Provider {
        match self {
            Store::Emulated(provider) | Store::Memory(provider) => provider,
        }
    }

    async fn open(self) -> Opened {
        let provider = self.provider();
        let bucket = BucketKey {
            provider,
            bucket: BUCKET.into(),
            region: spec(provider).region_example.into(),
        };
        match self {
            Store::Emulated(_) => {
                let emulator = start_with(emulator_config()).await;
                let api = connect(provider, &emulator.endpoint(), SECRET);
                Opened {
                    api,
                    bucket,
                    emulator: Some(emulator),
                }
            }
            Store::Memory(_) => {
                let memory = match spec(provider).changed_config {
                    ChangedConfig::Update => MemoryInventory::new(),
                    ChangedConfig::Replace => MemoryInventory::new().create_only(),
                };
                Opened {
                    api: Arc::new(memory),
                    bucket,
                    emulator: None,
                }
            }
        }
    }
}

/// An emulator accepting [`KEY_ID`] for every provider, under each provider's own credential
/// variable names.
fn emulator_config() -> EmulatorConfig {
    EmulatorConfig::from_vars(|name| {
        Provider::ALL.into_iter().find_map(|provider| {
            let vars = spec(provider).credential_vars;
            match name {
                _ if name == vars.id => Some(KEY_ID.to_string()),
                _ if name == vars.secret => Some(SECRET.to_string()),
                _ => None,
            }
        })
    })
}

/// `provider`'s client from the registry, sending to `endpoint` with `secret`, retrying fast.
fn connect(provider: Provider, endpoint: &str, secret: &str) -> Arc<dyn InventoryApi> {
    let _ = http(); // installs the crypto provider
    let settings = ClientSettings {
        http: HttpSettings {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            ..HttpSettings::default()
        },
        ..ClientSettings::default()
    };
    (spec(provider).connect)(ClientParts {
        transport: Transport::new(settings.http.clone()).expect("transport builds"),
        credentials: Arc::new(StaticCredentials(Credentials::new(KEY_ID, secret))),
        endpoint: Some(endpoint.parse().expect("emulator endpoint is a URL")),
        options: &ProviderBucketOptions::none(),
        settings: &settings,
    })
}

/// A valid configuration `id` of `provider` (every optional field set); `variant` changes its
/// filter prefix, a value a reconcile would want to write again.
fn simple(provider: Provider, id: &str, variant: u8) -> Inventory {
    let mut inventory = every_field(provider, id);
    *inventory.filter_prefix_mut() = Some(format!("v{variant}/"));
    inventory
}

/// `live` read back, in the provider's normal form (what a plan compares).
fn normalized(provider: Provider, live: &LiveConfig) -> Inventory {
    let inventory = live
        .modelled()
        .unwrap_or_else(|| panic!("{provider}: {} read back as foreign", live.id()));
    (spec(provider).normalize)(inventory)
}

fn assert_reads_back(provider: Provider, live: Option<LiveConfig>, written: &Inventory) {
    let live = live.unwrap_or_else(|| panic!("{provider}: {} is missing", written.id()));
    assert_eq!(
        normalized(provider, &live),
        (spec(provider).normalize)(written),
        "{provider}: {} changed on the way",
        written.id()
    );
}

/// The ids listed, sorted: the contract is "each configuration once", not an order (COS lists
/// in creation order, OSS, S3 and the fake by id).
fn ids(configs: &[LiveConfig]) -> Vec<String> {
    let mut ids: Vec<String> = configs.iter().map(|c| c.id().to_string()).collect();
    ids.sort();
    ids
}

async fn put_get_list_delete_round_trips(store: Store) {
    let Opened {
        api,
        bucket,
        emulator: _emulator,
    } = store.open().await;
    let provider = store.provider();
    let (a, b) = (simple(provider, "a", 1), simple(provider, "b", 2));
    api.put(&bucket, &b).await.unwrap();
    api.put(&bucket, &a).await.unwrap();
    assert_reads_back(provider, api.get(&bucket, "a").await.unwrap(), &a);
    let listed = api.list(&bucket).await.unwrap();
    assert_eq!(ids(&listed), ["a", "b"], "{store:?}");
    api.delete(&bucket, "a").await.unwrap();
    assert_eq!(api.get(&bucket, "a").await.unwrap(), None, "{store:?}");
    assert_eq!(ids(&api.list(&bucket).await.unwrap()), ["b"], "{store:?}");
}

async fn an_empty_bucket_lists_nothing(store: Store) {
    let Opened {
        api,
        bucket,
        emulator: _emulator,
    } = store.open().await;
    assert_eq!(api.list(&bucket).await.unwrap(), [], "{store:?}");
}

async fn listing_beyond_one_page_returns_each_configuration_once(store: Store) {
    let Opened {
        api,
        bucket,
        emulator: _emulator,
    } = store.open().await;
    let provider = store.provider();
    let mut written: Vec<String> = (0..MANY).map(|i| format!("inv-{i:03}")).collect();
    // Written against id order, so a store that lists by id must sort.
    for id in written.iter().rev() {
        api.put(&bucket, &simple(provider, id, 1)).await.unwrap();
    }
    written.sort();
    assert_eq!(ids(&api.list(&bucket).await.unwrap()), written, "{store:?}");
}

async fn get_of_a_missing_id_is_none_and_delete_of_it_succeeds(store: Store) {
    let Opened {
        api,
        bucket,
        emulator: _emulator,
    } = store.open().await;
    api.put(&bucket, &simple(store.provider(), "present", 1))
        .await
        .unwrap();
    assert_eq!(api.get(&bucket, "absent").await.unwrap(), None, "{store:?}");
    api.delete(&bucket, "absent").await.unwrap();
    assert_eq!(ids(&api.list(&bucket).await.unwrap()), ["present"]);
}

async fn a_changed_configuration_is_written_as_the_spec_declares(store: Store) {
    let Opened {
        api,
        bucket,
        emulator: _emulator,
    } = store.open().await;
    let provider = store.provider();
    let (old, new) = (simple(provider, "c", 1), simple(provider, "c", 2));
    api.put(&bucket, &old).await.unwrap();
    match spec(provider).changed_config {
        ChangedConfig::Update => api.put(&bucket, &new).await.unwrap(),
        ChangedConfig::Replace => {
            let error = api.put(&bucket, &new).await.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Conflict, "{store:?}: {error}");
            assert_reads_back(provider, api.get(&bucket, "c").await.unwrap(), &old);
            api.delete(&bucket, "c").await.unwrap();
            api.put(&bucket, &new).await.unwrap();
        }
    }
    assert_reads_back(provider, api.get(&bucket, "c").await.unwrap(), &new);
    assert_eq!(ids(&api.list(&bucket).await.unwrap()), ["c"], "{store:?}");
}

async fn every_optional_field_round_trips_unchanged_after_normalization(store: Store) {
    let Opened {
        api,
        bucket,
        emulator: _emulator,
    } = store.open().await;
    let provider = store.provider();
    let full = every_field(provider, "full");
    api.put(&bucket, &full).await.unwrap();
    assert_reads_back(provider, api.get(&bucket, "full").await.unwrap(), &full);
    let listed = api.list(&bucket).await.unwrap();
    assert_reads_back(provider, listed.into_iter().next(), &full);
}

/// Stores behind a wire: the provider's throttling answer is retried, not returned.
async fn a_throttling_answer_is_retried(store: Store) {
    let Opened {
        api,
        bucket,
        emulator,
    } = store.open().await;
    let emulator = emulator.expect("an emulated store");
    let provider = store.provider();
    // With no error list, each provider's injected error is its own throttling answer.
    emulator
        .set_faults(FaultConfig {
            fail_next: 1,
            operations: vec!["put".into()],
            providers: vec![provider],
            ..FaultConfig::default()
        })
        .unwrap();
    let inventory = simple(provider, "t", 1);
    api.put(&bucket, &inventory).await.unwrap();
    assert_eq!(
        emulator.stats().count(provider, Operation::Put, 503),
        1,
        "{store:?}: one throttled answer"
    );
    assert_reads_back(provider, api.get(&bucket, "t").await.unwrap(), &inventory);
}

/// Stores behind a wire: a wrong secret is refused once and reported as such.
async fn a_wrong_secret_is_permission_denied_and_not_retried(store: Store) {
    let Opened {
        bucket, emulator, ..
    } = store.open().await; // its client holds the right secret
    let emulator = emulator.expect("an emulated store");
    let provider = store.provider();
    let api = connect(provider, &emulator.endpoint(), "not-the-secret");
    let error = api.get(&bucket, "any").await.unwrap_err();
    assert_eq!(
        error.kind(),
        ErrorKind::PermissionDenied,
        "{store:?}: {error}"
    );
    let error = api
        .put(&bucket, &simple(provider, "w", 1))
        .await
        .unwrap_err();
    assert_eq!(
        error.kind(),
        ErrorKind::PermissionDenied,
        "{store:?}: {error}"
    );
    let stats = emulator.stats();
    assert_eq!(stats.count(provider, Operation::Get, 403), 1, "{store:?}");
    assert_eq!(stats.count(provider, Operation::Put, 403), 1, "{store:?}");
    assert!(
        !format!("{error:?}").contains("not-the-secret"),
        "{store:?}"
    );
}

/// One `#[tokio::test]` per contract for `$store`.
macro_rules! contracts {
    ($store:expr; $($contract:ident),+ $(,)?) => {$(
        #[tokio::test]
        async fn $contract() {
            super::super::$contract($store).await
        }
    )+};
}

/// Each provider's two stores: its emulated client keeps every contract, the fake every
/// contract that does not need a wire.
macro_rules! providers {
    ($($name:ident => $provider:expr),+ $(,)?) => {$(
        mod $name {
            use super::*;

            mod emulator {
                use super::*;
                contracts!(Store::Emulated($provider);
                    put_get_list_delete_round_trips,
                    an_empty_bucket_lists_nothing,
                    listing_beyond_one_page_returns_each_configuration_once,
                    get_of_a_missing_id_is_none_and_delete_of_it_succeeds,
                    a_changed_configuration_is_written_as_the_spec_declares,
                    every_optional_field_round_trips_unchanged_after_normalization,
                    a_throttling_answer_is_retried,
                    a_wrong_secret_is_permission_denied_and_not_retried,
                );
            }

            mod memory {
                use super::*;
                contracts!(Store::Memory($provider);
                    put_get_list_delete_round_trips,
                    an_empty_bucket_lists_nothing,
                    listing_beyond_one_page_returns_each_configuration_once,
                    get_of_a_missing_id_is_none_and_delete_of_it_succeeds,
                    a_changed_configuration_is_written_as_the_spec_declares,
                    every_optional_field_round_trips_unchanged_after_normalization,
                );
            }
        }
    )+};
}

providers! {
    cos => Provider::COS,
    oss => Provider::OSS,
    s3 => Provider::S3,
}
