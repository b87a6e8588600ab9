//! [`EmulatorHandle`]: a running background emulator, as tests and the demo drive it.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::dialect::EmulatedProvider;
use super::dialects;
use super::errors::ApiError;
use super::faults::{FaultConfig, FaultConfigError};
use super::route::ApiRequest;
use super::shared::{Shared, lock};
use super::stats::Stats;
use crate::model::{BucketKey, Inventory, Provider};

/// A running emulator started by [`super::spawn`]. Dropping it stops the server.
pub struct EmulatorHandle {
    addr: SocketAddr,
    pub(crate) shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl EmulatorHandle {
    pub(crate) fn new(
        addr: SocketAddr,
        shared: Arc<Shared>,
        shutdown: oneshot::Sender<()>,
        task: JoinHandle<io::Result<()>>,
    ) -> Self {
        EmulatorHandle {
            addr,
            shared,
            shutdown: Some(shutdown),
            task: Some(task),
        }
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, usable as `INVSYNC_COS_ENDPOINT` / `INVSYNC_OSS_ENDPOINT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Request counts so far.
    pub fn stats(&self) -> Stats {
        lock(&self.shared.stats).snapshot()
    }

    /// Forgets every request count.
    pub fn reset_stats(&self) {
        lock(&self.shared.stats).reset();
    }

    /// Replaces the faults in force (and restarts the `fail_next` budget).
    ///
    /// # Errors
    /// A rate outside 0..=1, a non-error status or an unknown operation name.
    pub fn set_faults(&self, faults: FaultConfig) -> Result<(), FaultConfigError> {
        self.shared.set_faults(faults)
    }

    /// Stores a configuration as a PUT with this body would (same validation and
    /// normalization, OSS create-only rule included), without signing or counting it.
    ///
    /// # Errors
    /// The answer a PUT would have got.
    pub fn seed_xml(&self, provider: Provider, bucket: &str, xml: &str) -> Result<(), ApiError> {
        let dialect = dialect_of(provider)?;
        let root = super::xmltree::Element::parse(xml.as_bytes())
            .map_err(|_| ApiError::malformed_xml())?;
        let id = root.child("Id").map(|e| e.text()).unwrap_or_default();
        let request = ApiRequest {
            provider,
            bucket: bucket.to_string(),
            region: None,
            call: super::call::Call::Inventory(crate::provider::Operation::Put),
            id: Some(id),
            token: None,
            path: "/".into(),
            params: Vec::new(),
            key: String::new(),
        };
        self.shared
            .execute(
                dialect,
                &request,
                xml.as_bytes(),
                std::time::SystemTime::now(),
            )
            .map(|_| ())
    }

    /// Stores `xml` as configuration `<Id>` of `bucket` without any schema check, so that the
    /// emulator can hold what a newer provider API writes and this crate does not model (a
    /// foreign configuration). Element order and content are kept; the declaration and
    /// layout whitespace are dropped. Not signed, not counted; persisted like a PUT.
    ///
    /// # Errors
    /// 400 `MalformedXML` when `xml` is not well-formed, the store's answer otherwise (e.g.
    /// 409 on OSS for an existing id).
    pub fn seed_raw(&self, provider: Provider, bucket: &str, xml: &str) -> Result<(), ApiError> {
        let dialect = dialect_of(provider)?;
        let root = super::xmltree::Element::parse(xml.as_bytes())
            .map_err(|_| ApiError::malformed_xml())?;
        let id = root.child("Id").map(|e| e.text()).unwrap_or_default();
        self.shared.store_raw(dialect, bucket, &id, root.to_xml())
    }

    /// Stores `inventory` in `bucket` as a client PUT would send it (the crate's own wire
    /// form), without signing or counting it. For demos and tests that need live state.
    ///
    /// # Errors
    /// The answer a PUT would have got (e.g. 409 on OSS for an existing id); a 400 when the
    /// inventory belongs to another provider.
    pub fn seed(&self, bucket: &BucketKey, inventory: &Inventory) -> Result<(), ApiError> {
        let wrong_provider = || {
            ApiError::invalid_argument(format!(
                "a {} inventory cannot be stored in {bucket}",
                inventory.provider()
            ))
        };
        let xml = dialect_of(bucket.provider)?
            .put_body(inventory)
            .ok_or_else(wrong_provider)?
            .map_err(ApiError::invalid_argument)?;
        self.seed_xml(bucket.provider, &bucket.bucket, &xml)
    }

    /// Does what the service does once a one-off inventory has run: the configurations of
    /// `bucket` its dialect says are done (OSS: `<Frequency>Once</Frequency>` with
    /// `<AutoDelete>true</AutoDelete>`) are deleted. Returns the ids deleted, in listing order.
    pub fn complete_once_runs(&self, provider: Provider, bucket: &str) -> Vec<String> {
        let Some(dialect) = dialects::of(provider) else {
            return Vec::new();
        };
        let done = dialect.completed_runs(&self.configs(provider, bucket));
        let mut store = lock(&self.shared.store);
        for id in &done {
            let _ = store.delete(provider, bucket, id);
        }
        done
    }

    /// Creates `bucket` in `region` (the provider's default region when `None`) with `tags`,
    /// as `PUT /_emulator/buckets/{provider}/{bucket}` does; an existing bucket moves to
    /// `region` (keeps its own when `None`) and its tags are replaced. Returns whether the
    /// bucket is new.
    ///
    /// # Errors
    /// A provider the emulator does not emulate; the store could not be persisted.
    pub fn create_bucket(
        &self,
        provider: Provider,
        bucket: &str,
        region: Option<&str>,
        tags: &[(&str, &str)],
    ) -> Result<bool, ApiError> {
        let tags = tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.shared
            .create_bucket(dialect_of(provider)?, bucket, region, Some(tags))
    }

    /// Removes `bucket` with its configurations and tags, as
    /// `DELETE /_emulator/buckets/{provider}/{bucket}` does; returns whether it existed.
    ///
    /// # Errors
    /// A provider the emulator does not emulate; the store could not be persisted.
    pub fn delete_bucket(&self, provider: Provider, bucket: &str) -> Result<bool, ApiError> {
        self.shared.delete_bucket(dialect_of(provider)?, bucket)
    }

    /// The stored configurations of a bucket as GET would serve them, in listing order.
    pub fn configs(&self, provider: Provider, bucket: &str) -> Vec<String> {
        let Some(dialect) = dialects::of(provider) else {
            return Vec::new();
        };
        let store = lock(&self.shared.store);
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let Ok(page) =
                store.list_page(provider, bucket, token.as_deref(), dialect.list_order())
            else {
                return all;
            };
            all.extend(page.items);
            match page.next_token {
                Some(next) => token = Some(next),
                None => return all,
            }
        }
    }

    /// The emulator's time (real time plus every advance so far).
    pub fn now(&self) -> std::time::SystemTime {
        self.shared.emulator_now()
    }

    /// The emulator's clock as a function, for code that must see the emulator's time (a
    /// daemon's delivery checks in tests).
    pub fn clock(&self) -> Arc<dyn Fn() -> std::time::SystemTime + Send + Sync> {
        let shared = Arc::clone(&self.shared);
        Arc::new(move || shared.emulator_now())
    }

    /// Moves the emulator's clock forward by `by` and delivers every inventory report that
    /// falls due on the way (see `POST /_emulator/clock`). Returns the new time.
    pub fn advance_clock(&self, by: std::time::Duration) -> std::time::SystemTime {
        self.shared.advance_clock(by)
    }

    /// Writes object `key` into `bucket` as it is (creating the bucket when new).
    ///
    /// # Errors
    /// A provider the emulator does not emulate; a bucket that does not exist under strict
    /// buckets.
    pub fn put_object(
        &self,
        provider: Provider,
        bucket: &str,
        key: &str,
        body: &[u8],
    ) -> Result<(), ApiError> {
        self.shared
            .put_object(dialect_of(provider)?, bucket, key, body.to_vec())
    }

    /// The bytes of object `key` in `bucket`, if it exists.
    pub fn object(&self, provider: Provider, bucket: &str, key: &str) -> Option<Vec<u8>> {
        lock(&self.shared.store)
            .bucket(provider, bucket)
            .and_then(|b| b.objects.get(key))
            .map(|o| o.body.clone())
    }

    /// The keys of `bucket`'s objects, in listing order.
    pub fn object_keys(&self, provider: Provider, bucket: &str) -> Vec<String> {
        lock(&self.shared.store)
            .bucket(provider, bucket)
            .map(|b| b.objects.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Sets (`Some`) or removes (`None`) `bucket`'s bucket policy, as it is (creating the
    /// bucket when new).
    ///
    /// # Errors
    /// As [`EmulatorHandle::put_object`].
    pub fn set_bucket_policy(
        &self,
        provider: Provider,
        bucket: &str,
        policy: Option<&str>,
    ) -> Result<(), ApiError> {
        let dialect = dialect_of(provider)?;
        let region = dialect.default_region(&self.shared.config);
        let now = super::clock::unix_secs(self.now());
        lock(&self.shared.store)
            .set_policy(
                provider,
                bucket,
                policy.map(str::to_string),
                super::bucket_index::BucketDefaults {
                    region: &region,
                    created: now,
                },
            )
            .map(|_| ())
            .map_err(|e| super::operations::store_error(dialect, e))
    }

    /// Marks (or unmarks) RAM role `acs:ram::{uid}:role/{role}` of `provider` as allowed to
    /// write inventory reports (OSS delivery).
    pub fn set_role_allowed(&self, provider: Provider, uid: &str, role: &str, allowed: bool) {
        lock(&self.shared.deliveries).set_role(provider, uid, role, allowed);
    }

    /// Every report delivery made or refused so far, in order.
    pub fn deliveries(&self) -> Vec<super::report::DeliveryRecord> {
        lock(&self.shared.deliveries).log.clone()
    }

    /// Stops accepting connections, lets in-flight requests finish and waits for the server.
    ///
    /// # Errors
    /// The server loop failed.
    pub async fn shutdown(mut self) -> io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(io::Error::other)?,
            None => Ok(()),
        }
    }
}

/// The dialect of `provider`; a 400 naming it when the emulator has none.
fn dialect_of(provider: Provider) -> Result<&'static dyn EmulatedProvider, ApiError> {
    dialects::of(provider).ok_or_else(|| {
        ApiError::invalid_argument(format!("the emulator does not emulate {provider}"))
    })
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
