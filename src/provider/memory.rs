//! An in-memory [`InventoryApi`] for reconcile tests and benchmarks: no HTTP, no clock.
//!
//! [`MemoryInventory`] keeps configurations per bucket, counts every call per operation, fails
//! the next calls on request (by status and code, or by [`ErrorKind`]) and, when asked, refuses
//! a PUT of an existing id with 409 the way OSS does. Clones share one state, so a test keeps a
//! handle to inspect what the code under test did. [`MemoryInventory::discovery`] serves one
//! provider's bucket listing and tags from the same state ([`MemoryDiscovery`]);
//! [`MemoryInventory::delivery`] its destination buckets' objects and policies
//! ([`MemoryDelivery`]).

mod delivery;
mod discovery;

pub use delivery::MemoryDelivery;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use super::{BoxFuture, ErrorKind, InventoryApi, Operation, ProviderError, ServiceError};
use crate::model::{BucketKey, Inventory, LiveConfig};

/// A failure waiting for its call.
#[derive(Debug, Clone)]
enum Failure {
    /// The provider answers with this status and code.
    Service { status: u16, code: String },
    /// No answer (what the transport reports after its retries).
    Transport,
    /// A 2xx answer that is not the documented document.
    Unreadable,
    /// The request cannot be built.
    Configuration,
}

impl Failure {
    fn of_kind(kind: ErrorKind) -> Failure {
        let service = |status: u16, code: &str| Failure::Service {
            status,
            code: code.to_string(),
        };
        match kind {
            ErrorKind::Transient => Failure::Transport,
            ErrorKind::Throttled => service(503, "SlowDown"),
            ErrorKind::NotFound => service(404, "NoSuchBucket"),
            ErrorKind::Conflict => service(409, "InventoryAlreadyExist"),
            ErrorKind::PermissionDenied => service(403, "AccessDenied"),
            ErrorKind::InvalidRequest => service(400, "InvalidArgument"),
            ErrorKind::Unreadable => Failure::Unreadable,
            ErrorKind::Configuration => Failure::Configuration,
        }
    }

    fn into_error(self, operation: Operation, bucket: &BucketKey) -> ProviderError {
        let (provider, bucket) = (bucket.provider, bucket.bucket.clone());
        match self {
            Failure::Service { status, code } => ProviderError::Service {
                provider,
                operation,
                bucket,
                error: Box::new(ServiceError {
                    status,
                    message: format!("injected {code}"),
                    code,
                    request_id: "memory".to_string(),
                    ec: String::new(),
                }),
            },
            Failure::Transport => ProviderError::Transport {
                provider,
                operation,
                bucket,
                message: "connection failed (injected)".to_string(),
                source: None,
            },
            Failure::Unreadable => ProviderError::Decode {
                provider,
                operation,
                bucket,
                message: "injected unreadable body".to_string(),
                source: None,
            },
            Failure::Configuration => ProviderError::Request {
                provider,
                operation,
                bucket,
                message: "injected request error".to_string(),
                source: None,
            },
        }
    }
}

#[derive(Debug, Default)]
struct State {
    buckets: BTreeMap<BucketKey, BTreeMap<String, LiveConfig>>,
    calls: BTreeMap<Operation, u64>,
    /// Failures for the next calls, in order; `None` matches any operation.
    failures: VecDeque<(Option<Operation>, Failure)>,
    create_only: bool,
    /// Buckets added for discovery, with their creation time and tags.
    discovered: BTreeMap<BucketKey, discovery::Added>,
    /// Destination buckets, with their objects and policies.
    destinations: BTreeMap<BucketKey, delivery::Destination>,
}

impl State {
    /// Counts the call, then takes the first pending failure meant for `operation`.
    fn call(&mut self, operation: Operation, bucket: &BucketKey) -> Result<(), ProviderError> {
        *self.calls.entry(operation).or_default() += 1;
        let position = self
            .failures
            .iter()
            .position(|(only, _)| only.is_none_or(|o| o == operation));
        match position.and_then(|at| self.failures.remove(at)) {
            Some((_, failure)) => Err(failure.into_error(operation, bucket)),
            None => Ok(()),
        }
    }
}

/// An in-memory inventory API. See the [module docs](self).
///
/// # Guarantees
/// - `list` returns a bucket's configurations in id order; an unknown bucket is empty.
/// - `get` of a missing id is `None`; `delete` of a missing id succeeds (as both providers).
/// - Every call is counted, failed ones included, before any injected failure is returned.
/// - A failed call changes nothing.
#[derive(Debug, Clone, Default)]
pub struct MemoryInventory {
    state: Arc<Mutex<State>>,
}

impl MemoryInventory {
    /// An empty store where PUT creates or replaces (COS behaviour).
    pub fn new() -> Self {
        Self::default()
    }

    /// The same store, but a PUT of an id that exists fails with 409 (OSS behaviour).
    pub fn create_only(self) -> Self {
        self.lock().create_only = true;
        self
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock leaves consistent data behind.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores `inventory` in `bucket` as a live configuration, without counting a call.
    pub fn insert(&self, bucket: &BucketKey, inventory: Inventory) {
        self.insert_live(bucket, LiveConfig::Modelled(inventory));
    }

    /// Stores any live configuration (a foreign one too), without counting a call.
    pub fn insert_live(&self, bucket: &BucketKey, config: LiveConfig) {
        self.lock()
            .buckets
            .entry(bucket.clone())
            .or_default()
            .insert(config.id().to_string(), config);
    }

    /// The configurations of `bucket` in id order.
    pub fn configs(&self, bucket: &BucketKey) -> Vec<LiveConfig> {
        self.lock()
            .buckets
            .get(bucket)
            .map(|configs| configs.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The ids of `bucket`'s configurations in order.
    pub fn ids(&self, bucket: &BucketKey) -> Vec<String> {
        self.lock()
            .buckets
            .get(bucket)
            .map(|configs| configs.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Calls of `operation` so far, failed ones included.
    pub fn calls(&self, operation: Operation) -> u64 {
        self.lock().calls.get(&operation).copied().unwrap_or(0)
    }

    /// Writes (PUT and DELETE) so far.
    pub fn writes(&self) -> u64 {
        self.calls(Operation::Put) + self.calls(Operation::Delete)
    }

    /// The next `n` calls of `operation` (of any operation when `None`) fail with the
    /// provider answer `status` `code`.
    pub fn fail_next(&self, operation: Option<Operation>, n: usize, status: u16, code: &str) {
        let failure = Failure::Service {
            status,
            code: code.to_string(),
        };
        self.lock()
            .failures
            .extend(std::iter::repeat_n((operation, failure), n));
    }

    #[cfg(test)]
    /// The next `n` calls of `operation` (of any operation when `None`) fail with an error
    /// of `kind`.
    pub(crate) fn fail_next_with(&self, operation: Option<Operation>, n: usize, kind: ErrorKind) {
        let failure = Failure::of_kind(kind);
        self.lock()
            .failures
            .extend(std::iter::repeat_n((operation, failure), n));
    }

    #[cfg(test)]
    /// Injected failures not yet consumed.
    pub(crate) fn pending_failures(&self) -> usize {
        self.lock().failures.len()
    }
}

impl InventoryApi for MemoryInventory {
    fn list<'a>(
        &'a self,
        bucket: &'a BucketKey,
    ) -> BoxFuture<'a, Result<Vec<LiveConfig>, ProviderError>> {
        Box::pin(async move {
            self.lock().call(Operation::List, bucket)?;
            Ok(self.configs(bucket))
        })
    }

    fn get<'a>(
        &'a self,
        bucket: &'a BucketKey,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<LiveConfig>, ProviderError>> {
        Box::pin(async move {
            let mut state = self.lock();
            state.call(Operation::Get, bucket)?;
            Ok(state.buckets.get(bucket).and_then(|c| c.get(id)).cloned())
        })
    }

    fn put<'a>(
        &'a self,
        bucket: &'a BucketKey,
        inventory: &'a Inventory,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let mut state = self.lock();
            state.call(Operation::Put, bucket)?;
            let create_only = state.create_only;
            let configs = state.buckets.entry(bucket.clone()).or_default();
            if create_only && configs.contains_key(inventory.id()) {
                return Err(
                    Failure::of_kind(ErrorKind::Conflict).into_error(Operation::Put, bucket)
                );
            }
            configs.insert(
                inventory.id().to_string(),
                LiveConfig::Modelled(inventory.clone()),
            );
            Ok(())
        })
    }

    fn delete<'a>(
        &'a self,
        bucket: &'a BucketKey,
        id: &'a str,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let mut state = self.lock();
            state.call(Operation::Delete, bucket)?;
            if let Some(configs) = state.buckets.get_mut(bucket) {
                configs.remove(id);
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Frequency, IncludedObjectVersions, Provider, ReportFormat, all_modelled};
    use crate::provider::oss::model::{OssDestination, OssFilter, OssInventory};

    fn key() -> BucketKey {
        BucketKey {
            provider: Provider::OSS,
            bucket: "b".into(),
            region: "cn-hangzhou".into(),
        }
    }

    fn oss(id: &str) -> Inventory {
        Inventory::new(OssInventory {
            id: id.into(),
            enabled: true,
            included_object_versions: IncludedObjectVersions::Current,
            frequency: Frequency::Weekly,
            day_of_month: None,
            auto_delete: false,
            incremental: None,
            filter: OssFilter::default(),
            optional_fields: vec![],
            destination: OssDestination {
                bucket: "acs:oss:::dest".into(),
                account_id: "100".into(),
                role_arn: "acs:ram::100:role/r".into(),
                prefix: None,
                format: ReportFormat::Csv,
                encryption: None,
            },
        })
    }

    #[tokio::test]
    async fn writes_are_listed_back_in_id_order_and_every_call_is_counted() {
        let api = MemoryInventory::new();
        api.put(&key(), &oss("b")).await.unwrap();
        api.put(&key(), &oss("a")).await.unwrap();
        assert_eq!(
            api.list(&key()).await.unwrap(),
            all_modelled([oss("a"), oss("b")])
        );
        api.delete(&key(), "a").await.unwrap();
        assert_eq!(api.get(&key(), "a").await.unwrap(), None);
        assert_eq!(api.ids(&key()), ["b"]);
        assert_eq!(
            [
                Operation::List,
                Operation::Get,
                Operation::Put,
                Operation::Delete
            ]
            .map(|op| api.calls(op)),
            [1, 1, 2, 1]
        );
    }

    #[tokio::test]
    async fn injected_failures_hit_the_next_matching_calls_only_and_change_nothing() {
        let api = MemoryInventory::new();
        api.fail_next(Some(Operation::Put), 2, 503, "SlowDown");
        api.list(&key()).await.unwrap();
        for _ in 0..2 {
            let error = api.put(&key(), &oss("a")).await.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Throttled);
        }
        assert!(api.ids(&key()).is_empty());
        api.put(&key(), &oss("a")).await.unwrap();
        assert_eq!(api.calls(Operation::Put), 3);
        assert_eq!(api.pending_failures(), 0);
    }

    #[tokio::test]
    async fn every_kind_can_be_injected() {
        let kinds = [
            ErrorKind::Transient,
            ErrorKind::Throttled,
            ErrorKind::NotFound,
            ErrorKind::Conflict,
            ErrorKind::PermissionDenied,
            ErrorKind::InvalidRequest,
            ErrorKind::Unreadable,
            ErrorKind::Configuration,
        ];
        let api = MemoryInventory::new();
        for kind in kinds {
            api.fail_next_with(None, 1, kind);
            assert_eq!(api.list(&key()).await.unwrap_err().kind(), kind);
        }
    }

    #[tokio::test]
    async fn a_create_only_store_refuses_to_overwrite_an_existing_id_with_409() {
        let api = MemoryInventory::new().create_only();
        api.put(&key(), &oss("a")).await.unwrap();
        let error = api.put(&key(), &oss("a")).await.unwrap_err();
        assert_eq!(error.service().map(|e| e.status), Some(409));
        let cos_style = MemoryInventory::new();
        cos_style.put(&key(), &oss("a")).await.unwrap();
        cos_style.put(&key(), &oss("a")).await.unwrap();
    }
}
