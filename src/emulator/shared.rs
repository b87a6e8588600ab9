//! State shared by every request of one emulator instance: configuration, store, faults in
//! force, statistics, and the operations on them that need a lock.

use std::collections::BTreeMap;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use rand::RngExt as _;

use super::bucket_index::BucketDefaults;
use super::bucket_ops::{self, BucketContext};
use super::call::Call;
use super::clock;
use super::config::EmulatorConfig;
use super::dialect::{EmulatedProvider, Failure};
use super::errors::ApiError;
use super::faults::{self, ErrorChoices, FaultAction, FaultConfig, FaultConfigError, Rolls};
use super::object_ops;
use super::objects::StoredObject;
use super::operations::{self, Outcome};
use super::persist;
use super::report::Deliveries;
use super::route::ApiRequest;
use super::state::Store;
use super::stats::Recorder;

/// Faults in force, with the remaining `fail_next` budget.
#[derive(Debug, Default)]
pub(crate) struct FaultState {
    pub(crate) config: FaultConfig,
    pub(crate) fail_next_left: u32,
}

/// What fault injection does to one request.
pub(crate) struct PlannedFault {
    pub(crate) latency: Duration,
    pub(crate) action: FaultAction,
    pub(crate) retry_after_secs: Option<u64>,
}

/// State shared by every request of one emulator instance.
pub(crate) struct Shared {
    pub(crate) config: EmulatorConfig,
    pub(crate) store: Mutex<Store>,
    pub(crate) faults: Mutex<FaultState>,
    pub(crate) stats: Mutex<Recorder>,
    counter: AtomicU64,
    /// How far the emulator's clock runs ahead of real time, in seconds; only grows.
    clock_offset: AtomicU64,
    /// Report delivery: schedules, attempts, roles allowed to write.
    pub(crate) deliveries: Mutex<Deliveries>,
    /// When this instance started (seconds since the epoch): the creation time listed for
    /// buckets that do not record one.
    started: u64,
}

/// Locks `mutex`, recovering from poisoning: every critical section leaves the data valid.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    pub(crate) fn new(config: EmulatorConfig) -> io::Result<Shared> {
        config
            .faults
            .validate()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let mut store = match &config.state_file {
            Some(path) => persist::load(path).map_err(io::Error::other)?,
            None => Store::default(),
        };
        let started = clock::unix_secs(SystemTime::now());
        if config.strict_buckets {
            store.strict = true;
            for (provider, bucket) in &config.buckets {
                if store.bucket(*provider, bucket).is_none()
                    && let Some(dialect) = super::dialects::of(*provider)
                {
                    let region = dialect.default_region(&config);
                    store.create_bucket(*provider, bucket, &region, started, None);
                }
            }
        }
        let faults = FaultState {
            fail_next_left: config.faults.fail_next,
            config: config.faults.clone(),
        };
        Ok(Shared {
            config,
            store: Mutex::new(store),
            faults: Mutex::new(faults),
            stats: Mutex::new(Recorder::default()),
            counter: AtomicU64::new(0),
            clock_offset: AtomicU64::new(0),
            deliveries: Mutex::new(Deliveries::default()),
            started,
        })
    }

    pub(crate) fn set_faults(&self, config: FaultConfig) -> Result<(), FaultConfigError> {
        config.validate()?;
        let mut faults = lock(&self.faults);
        faults.fail_next_left = config.fail_next;
        faults.config = config;
        Ok(())
    }

    /// What fault injection does to `request` of `dialect`.
    pub(crate) fn fault_action(
        &self,
        dialect: &dyn EmulatedProvider,
        request: &ApiRequest,
    ) -> PlannedFault {
        let mut faults = lock(&self.faults);
        if !faults.config.applies_to(request.provider, request.call) {
            return PlannedFault {
                latency: Duration::ZERO,
                action: FaultAction::None,
                retry_after_secs: None,
            };
        }
        let mut rng = rand::rng();
        let rolls = Rolls {
            reset: rng.random(),
            error: rng.random(),
            which_error: rng.random(),
            malformed: rng.random(),
        };
        let forced = faults.fail_next_left > 0;
        let errors = ErrorChoices {
            configured: dialect.injected_errors(&faults.config),
            fallback: || dialect.error(&Failure::Throttled),
        };
        let action = faults::decide(&faults.config, errors, request.call, forced, rolls);
        if forced && matches!(action, FaultAction::Error(_)) {
            faults.fail_next_left -= 1;
        }
        PlannedFault {
            latency: faults.config.latency,
            action,
            retry_after_secs: faults.config.retry_after_secs,
        }
    }

    /// Runs one call on the store by `dialect`'s rules at time `now`, persisting the store
    /// when it changed. A bucket a write brings into existence lives in the dialect's
    /// implied region.
    pub(crate) fn execute(
        &self,
        dialect: &dyn EmulatedProvider,
        request: &ApiRequest,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Outcome, ApiError> {
        let default_region = dialect.default_region(&self.config);
        let implied_region = dialect.implied_region(&self.config, request);
        let implied = BucketDefaults {
            region: &implied_region,
            created: clock::unix_secs(now),
        };
        let mut store = lock(&self.store);
        let outcome = match request.call {
            Call::Inventory(_) => {
                let outcome = operations::execute(dialect, &mut store, request, body)?;
                if outcome.changed {
                    store.note_bucket(request.provider, &request.bucket, implied);
                }
                outcome
            }
            Call::Object(call) => {
                object_ops::execute(dialect, &mut store, request, call, body, implied)?
            }
            Call::Bucket(call) => {
                let context = BucketContext {
                    config: &self.config,
                    implied,
                    listed: BucketDefaults {
                        region: &default_region,
                        created: self.started,
                    },
                };
                bucket_ops::execute(dialect, &mut store, request, call, body, context)?
            }
        };
        if outcome.changed
            && let Some(path) = &self.config.state_file
            && let Err(e) = persist::save(path, &store)
        {
            tracing::error!(error = %e, "emulator state not persisted");
            return Err(ApiError::new(
                500,
                "InternalError",
                "The emulator could not persist its state.",
            ));
        }
        Ok(outcome)
    }

    /// Stores `xml` as configuration `id` as it is, persisting the store when configured.
    pub(crate) fn store_raw(
        &self,
        dialect: &dyn EmulatedProvider,
        bucket: &str,
        id: &str,
        xml: String,
    ) -> Result<(), ApiError> {
        let mut store = lock(&self.store);
        store
            .put(dialect.provider(), bucket, id, xml, dialect.put_mode())
            .map_err(|e| operations::store_error(dialect, e))?;
        self.persist(&store)
    }

    pub(crate) fn record(&self, request: &ApiRequest, status: u16) {
        lock(&self.stats).record(request.provider, request.call, status);
    }

    /// The region the store records for the bucket `request` addresses, if any.
    pub(crate) fn bucket_region(&self, request: &ApiRequest) -> Option<String> {
        lock(&self.store)
            .bucket_region(request.provider, &request.bucket)
            .map(str::to_string)
    }

    /// Creates `bucket` of `dialect`'s provider in `region` (the dialect's default when
    /// `None`), or moves an existing one there (`None` keeps its region); `tags`, when given,
    /// replace its tags.
    /// Persists the store when configured. Returns whether the bucket is new.
    ///
    /// # Errors
    /// 500 when the store could not be persisted.
    pub(crate) fn create_bucket(
        &self,
        dialect: &dyn EmulatedProvider,
        bucket: &str,
        region: Option<&str>,
        tags: Option<BTreeMap<String, String>>,
    ) -> Result<bool, ApiError> {
        let now = clock::unix_secs(SystemTime::now());
        let mut store = lock(&self.store);
        let region = region
            .or_else(|| store.bucket_region(dialect.provider(), bucket))
            .map(str::to_string)
            .unwrap_or_else(|| dialect.default_region(&self.config));
        let is_new = store.create_bucket(dialect.provider(), bucket, &region, now, tags);
        self.persist(&store)?;
        Ok(is_new)
    }

    /// Removes `bucket` with its configurations and tags; returns whether it existed.
    ///
    /// # Errors
    /// 500 when the store could not be persisted.
    pub(crate) fn delete_bucket(
        &self,
        dialect: &dyn EmulatedProvider,
        bucket: &str,
    ) -> Result<bool, ApiError> {
        let mut store = lock(&self.store);
        let existed = store.delete_bucket(dialect.provider(), bucket);
        if existed {
            self.persist(&store)?;
        }
        Ok(existed)
    }

    fn persist(&self, store: &Store) -> Result<(), ApiError> {
        if let Some(path) = &self.config.state_file {
            persist::save(path, store)
                .map_err(|e| ApiError::new(500, "InternalError", format!("not persisted: {e}")))?;
        }
        Ok(())
    }

    /// The emulator's time: real time plus every advance so far. Report delivery runs on it;
    /// signature time checks keep using real time, as clients sign with real time.
    pub(crate) fn emulator_now(&self) -> SystemTime {
        SystemTime::now() + Duration::from_secs(self.clock_offset.load(Ordering::SeqCst))
    }

    /// Moves the emulator's clock forward by `by` (whole seconds), delivering what falls due
    /// on the way: first at the current time (so configurations made just before count from
    /// now), then at the new one. Returns the new time.
    pub(crate) fn advance_clock(&self, by: Duration) -> SystemTime {
        self.tick();
        self.clock_offset.fetch_add(by.as_secs(), Ordering::SeqCst);
        self.tick();
        self.emulator_now()
    }

    /// Delivers every report due at the emulator's current time.
    pub(crate) fn tick(&self) {
        let mut deliveries = lock(&self.deliveries);
        let mut store = lock(&self.store);
        let now = clock::unix_secs(self.emulator_now());
        if deliveries.tick(&mut store, &self.config, now)
            && let Err(e) = self.persist(&store)
        {
            tracing::error!(error = %e.message, "emulator state not persisted after a delivery");
        }
    }

    /// Writes object `key` into `bucket` of `dialect`'s provider as it is (creating the
    /// bucket when it is new), at the emulator's time.
    ///
    /// # Errors
    /// A bucket that does not exist under strict buckets; 500 when not persisted.
    pub(crate) fn put_object(
        &self,
        dialect: &dyn EmulatedProvider,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
    ) -> Result<(), ApiError> {
        let now = clock::unix_secs(self.emulator_now());
        let region = dialect.default_region(&self.config);
        let mut store = lock(&self.store);
        store
            .put_object(
                dialect.provider(),
                bucket,
                key,
                StoredObject::new(body, now),
                BucketDefaults {
                    region: &region,
                    created: now,
                },
            )
            .map_err(|e| operations::store_error(dialect, e))?;
        self.persist(&store)
    }

    /// A request id in `dialect`'s format, unique within this instance.
    pub(crate) fn next_request_id(
        &self,
        dialect: &dyn EmulatedProvider,
        now: SystemTime,
    ) -> String {
        let counter = self.counter.fetch_add(1, Ordering::Relaxed);
        dialect.request_id(now, counter, rand::rng().random())
    }
}
