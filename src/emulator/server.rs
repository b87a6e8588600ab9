//! The HTTP server: `serve(listener, config, shutdown)` for the CLI, `spawn(config)` for tests
//! and the demo, and the request pipeline (route → faults → auth → Content-MD5 → operation).

use std::collections::BTreeSet;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Response, header};
use rand::RngExt as _;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::api::{self, Outcome};
use super::config::EmulatorConfig;
use super::errors::{ApiError, ErrorContext};
use super::faults::{self, FaultAction, FaultConfig, FaultConfigError, Rolls};
use super::reply::{self, ReplyContext};
use super::route::{self, ApiRequest, strip_port};
use super::state::Store;
use super::stats::{Recorder, STATUS_CONNECTION_RESET, Stats};
use super::{auth, control, persist};
use crate::model::{BucketKey, Inventory, Provider};
use crate::provider::cos::xml as cos_xml;
use crate::provider::oss::xml as oss_xml;

/// Largest request body read; inventory configurations are a few KiB.
const MAX_BODY_BYTES: usize = 1 << 20;

/// Faults in force, with the remaining `fail_next` budget.
#[derive(Debug, Default)]
pub(crate) struct FaultState {
    pub(crate) config: FaultConfig,
    pub(crate) fail_next_left: u32,
}

/// What fault injection does to one request.
struct PlannedFault {
    latency: std::time::Duration,
    action: FaultAction,
    retry_after_secs: Option<u64>,
}

/// State shared by every request of one emulator instance.
pub(crate) struct Shared {
    pub(crate) config: EmulatorConfig,
    pub(crate) store: Mutex<Store>,
    pub(crate) faults: Mutex<FaultState>,
    pub(crate) stats: Mutex<Recorder>,
    counter: AtomicU64,
}

/// Locks `mutex`, recovering from poisoning: every critical section leaves the data valid.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    fn new(config: EmulatorConfig) -> io::Result<Shared> {
        config
            .faults
            .validate()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let mut store = match &config.state_file {
            Some(path) => persist::load(path).map_err(io::Error::other)?,
            None => Store::default(),
        };
        if config.strict_buckets {
            store.strict = Some(config.buckets.iter().cloned().collect::<BTreeSet<_>>());
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
        })
    }

    pub(crate) fn set_faults(&self, config: FaultConfig) -> Result<(), FaultConfigError> {
        config.validate()?;
        let mut faults = lock(&self.faults);
        faults.fail_next_left = config.fail_next;
        faults.config = config;
        Ok(())
    }

    fn fault_action(&self, request: &ApiRequest) -> PlannedFault {
        let mut faults = lock(&self.faults);
        if !faults
            .config
            .applies_to(request.provider, request.operation)
        {
            return PlannedFault {
                latency: std::time::Duration::ZERO,
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
        let action = faults::decide(
            &faults.config,
            request.provider,
            request.operation,
            forced,
            rolls,
        );
        if forced && matches!(action, FaultAction::Error(_)) {
            faults.fail_next_left -= 1;
        }
        PlannedFault {
            latency: faults.config.latency,
            action,
            retry_after_secs: faults.config.retry_after_secs,
        }
    }

    /// Runs one operation on the store, persisting the store when it changed.
    pub(crate) fn execute(&self, request: &ApiRequest, body: &[u8]) -> Result<Outcome, ApiError> {
        let mut store = lock(&self.store);
        let outcome = api::execute(&mut store, request, body)?;
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

    fn record(&self, request: &ApiRequest, status: u16) {
        lock(&self.stats).record(request.provider, request.operation, status);
    }

    fn next_request_id(&self, provider: Provider, now: SystemTime) -> String {
        let counter = self.counter.fetch_add(1, Ordering::Relaxed);
        reply::request_id(provider, now, counter, rand::rng().random())
    }
}

/// Serves the emulated COS and OSS inventory APIs (and `/_emulator/*`) on `listener` until
/// `shutdown` completes, then finishes in-flight requests and returns.
///
/// # Errors
/// The state file cannot be loaded, the fault configuration is invalid, or accepting
/// connections fails.
pub async fn serve(
    listener: TcpListener,
    config: EmulatorConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let shared = Arc::new(Shared::new(config)?);
    serve_shared(listener, shared, shutdown).await
}

async fn serve_shared(
    listener: TcpListener,
    shared: Arc<Shared>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let app = Router::new()
        .nest("/_emulator", control::router())
        .fallback(handle_api)
        .with_state(shared);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Starts an emulator on `127.0.0.1:0` in the background.
///
/// # Errors
/// As [`serve`], plus failure to bind.
pub async fn spawn(config: EmulatorConfig) -> io::Result<EmulatorHandle> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared::new(config)?);
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(serve_shared(listener, Arc::clone(&shared), async {
        let _ = rx.await;
    }));
    Ok(EmulatorHandle {
        addr,
        shared,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// A running emulator started by [`spawn`]. Dropping it stops the server.
pub struct EmulatorHandle {
    addr: SocketAddr,
    pub(crate) shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl EmulatorHandle {
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
        let root = super::xmltree::Element::parse(xml.as_bytes())
            .map_err(|_| ApiError::malformed_xml())?;
        let id = root.child("Id").map(|e| e.text()).unwrap_or_default();
        let request = ApiRequest {
            provider,
            bucket: bucket.to_string(),
            region: None,
            operation: crate::provider::Operation::Put,
            id: Some(id),
            token: None,
            path: "/".into(),
            params: Vec::new(),
        };
        self.shared.execute(&request, xml.as_bytes()).map(|_| ())
    }

    /// Stores `inventory` in `bucket` as a client PUT would send it (the crate's own wire
    /// form), without signing or counting it. For demos and tests that need live state.
    ///
    /// # Errors
    /// The answer a PUT would have got (e.g. 409 on OSS for an existing id); a 400 when the
    /// inventory belongs to the other provider.
    pub fn seed(&self, bucket: &BucketKey, inventory: &Inventory) -> Result<(), ApiError> {
        let xml = match inventory {
            Inventory::Cos(cos) if bucket.provider == Provider::Cos => {
                cos_xml::to_string(&cos_xml::InventoryConfiguration::from(cos))
                    .map_err(|e| ApiError::invalid_argument(e.to_string()))?
            }
            Inventory::Oss(oss) if bucket.provider == Provider::Oss => {
                oss_xml::InventoryConfiguration::from(oss).to_xml()
            }
            _ => {
                return Err(ApiError::invalid_argument(format!(
                    "a {} inventory cannot be stored in {bucket}",
                    inventory.provider()
                )));
            }
        };
        self.seed_xml(bucket.provider, &bucket.bucket, &xml)
    }

    /// The stored configurations of a bucket as GET would serve them, in listing order.
    pub fn configs(&self, provider: Provider, bucket: &str) -> Vec<String> {
        let store = lock(&self.shared.store);
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let Ok(page) = store.list_page(provider, bucket, token.as_deref()) else {
                return all;
            };
            all.extend(page.items);
            match page.next_token {
                Some(next) => token = Some(next),
                None => return all,
            }
        }
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

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// What the request looked like on the wire, for authentication.
pub(crate) struct WireRequest<'a> {
    pub(crate) method: &'a str,
    /// The Host header as sent (port included).
    pub(crate) host: &'a str,
    pub(crate) headers: &'a HeaderMap,
}

async fn handle_api(State(shared): State<Arc<Shared>>, request: Request) -> Response<Body> {
    let now = SystemTime::now();
    let (parts, body) = request.into_parts();
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_default();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let method = parts.method.as_str().to_string();

    let request = match route::route(&method, &host, &path, &query) {
        Ok(request) => request,
        Err(e) => {
            let request_id = shared.next_request_id(e.provider, now);
            let ctx = ReplyContext {
                provider: e.provider,
                request_id: &request_id,
                now,
            };
            let error = ApiError::new(e.status, e.code, e.message)
                .with_ec(super::errors::ec::NOT_IMPLEMENTED);
            let where_ = ErrorContext {
                request_id: &request_id,
                host: strip_port(&host),
                path: &path,
                bucket: e.bucket.as_deref(),
            };
            return reply::error(&ctx, &error, &where_);
        }
    };
    let request_id = shared.next_request_id(request.provider, now);
    let ctx = ReplyContext {
        provider: request.provider,
        request_id: &request_id,
        now,
    };
    let where_ = ErrorContext {
        request_id: &request_id,
        host: strip_port(&host),
        path: &path,
        bucket: Some(&request.bucket),
    };

    let PlannedFault {
        latency,
        action,
        retry_after_secs,
    } = shared.fault_action(&request);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match &action {
        FaultAction::Reset => {
            shared.record(&request, STATUS_CONNECTION_RESET);
            return reply::connection_reset(&ctx);
        }
        FaultAction::Error(error) => {
            shared.record(&request, error.status);
            let mut response = reply::error(&ctx, error, &where_);
            if let Some(secs) = retry_after_secs {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, secs.into());
            }
            return response;
        }
        FaultAction::None | FaultAction::Malformed => {}
    }

    let result = async {
        let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
            .await
            .map_err(|_| {
                ApiError::new(
                    400,
                    "EntityTooLarge",
                    "Your proposed upload exceeds the maximum allowed size.",
                )
            })?;
        let wire = WireRequest {
            method: &method,
            host: &host,
            headers: &parts.headers,
        };
        auth::authenticate(&shared.config, &request, &wire, now)?;
        auth::check_content_md5(
            request.provider,
            &parts.headers,
            &body,
            shared.config.require_content_md5
                && request.operation == crate::provider::Operation::Put,
        )?;
        shared.execute(&request, &body)
    }
    .await;

    let status = match &result {
        Ok(outcome) => outcome.success.status,
        Err(error) => error.status,
    };
    tracing::debug!(
        provider = %request.provider,
        operation = %request.operation,
        bucket = %request.bucket,
        status,
        request_id = %request_id,
        "emulator request"
    );
    match result {
        Ok(outcome) => {
            let status = outcome.success.status;
            shared.record(&request, status);
            match (&action, &outcome.success.body) {
                (FaultAction::Malformed, Some(body)) => reply::malformed(&ctx, status, body),
                _ => reply::success(&ctx, status, outcome.success.body),
            }
        }
        Err(error) => {
            shared.record(&request, error.status);
            reply::error(&ctx, &error, &where_)
        }
    }
}
