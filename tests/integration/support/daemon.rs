//! The daemon loop run in-process against an emulator: start it with a tiny interval, watch
//! its metrics and events, stop it.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use invsync::metrics::Metrics;
use invsync::model::Provider;
use invsync::provider::http::{HttpSettings, Transport};
use invsync::provider::{CredentialSource, Credentials, StaticCredentials};
use invsync::reconcile::{ClientSettings, Clients, RunConfig, RunError, RunEvent, SettleGate, run};
use invsync::scheduler::SchedulerConfig;
use invsync::server::Readiness;
use tokio::sync::{mpsc, oneshot};

use super::e2e::{COS_ID, COS_KEY, Emulator, OSS_ID, OSS_KEY, S3_ID, S3_KEY};

/// Upper bound of every wait; the tests' own promptness assertions are much tighter.
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(20);

/// A daemon running on its own runtime until stopped.
pub(crate) struct Daemon {
    pub metrics: Metrics,
    pub readiness: Readiness,
    pub full_pass: mpsc::UnboundedSender<()>,
    events: mpsc::UnboundedReceiver<RunEvent>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), RunError>>>,
    runtime: tokio::runtime::Runtime,
}

/// Clients for the emulator with the test credentials, counting calls in `metrics`.
pub(crate) fn clients(emulator: &Emulator, metrics: &Metrics) -> Clients {
    let http = HttpSettings {
        request_timeout: Duration::from_secs(5),
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        ..HttpSettings::default()
    };
    let settings = ClientSettings {
        http: http.clone(),
        ..ClientSettings::default()
    }
    .with_endpoint_for_all(&emulator.endpoint().parse().unwrap());
    let transport = Transport::new(http)
        .unwrap()
        .with_observer(Arc::new(metrics.clone()));
    Clients::new(
        settings,
        transport,
        BTreeMap::from([
            (
                Provider::COS,
                Arc::new(StaticCredentials(Credentials::new(COS_ID, COS_KEY)))
                    as Arc<dyn CredentialSource>,
            ),
            (
                Provider::OSS,
                Arc::new(StaticCredentials(Credentials::new(OSS_ID, OSS_KEY))),
            ),
            (
                Provider::S3,
                Arc::new(StaticCredentials(Credentials::new(S3_ID, S3_KEY))),
            ),
        ]),
    )
}

impl Daemon {
    /// Starts the daemon on `manifests` with a 1 s resync interval, 50 ms backoff base,
    /// 100 ms debounce and no settle wait, after `configure` adjusted the configuration.
    pub(crate) fn start(
        emulator: &Emulator,
        manifests: &Path,
        configure: impl FnOnce(&mut RunConfig),
    ) -> Daemon {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let metrics = Metrics::new();
        let mut config = RunConfig::new(manifests, clients(emulator, &metrics), metrics.clone());
        config.schedule = SchedulerConfig {
            resync_interval: Duration::from_secs(1),
            backoff_base: Duration::from_millis(50),
            backoff_cap: Duration::from_secs(1),
            ..SchedulerConfig::default()
        };
        config.debounce = Duration::from_millis(100);
        config.shutdown_grace = Duration::from_secs(5);
        // No settle wait (the on-disk check stays), so prune tests stay fast; the settle tests
        // set their own window.
        config.context.settle = SettleGate::new(Duration::ZERO);
        let (full_pass, full_pass_rx) = mpsc::unbounded_channel();
        let (events_tx, events) = mpsc::unbounded_channel();
        config.full_pass = Some(full_pass_rx);
        config.events = Some(events_tx);
        configure(&mut config);
        let readiness = config.readiness.clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = runtime.spawn(run(config, async {
            let _ = stopped.await;
        }));
        Daemon {
            metrics,
            readiness,
            full_pass,
            events,
            stop: Some(stop),
            task: Some(task),
            runtime,
        }
    }

    /// True while the daemon loop has not returned.
    pub(crate) fn is_running(&self) -> bool {
        self.task.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// The metrics text as `/metrics` serves it.
    pub(crate) fn metrics_text(&self) -> String {
        self.metrics.encode()
    }

    /// Every event sent so far.
    pub(crate) fn drain_events(&mut self) -> Vec<RunEvent> {
        let mut all = Vec::new();
        while let Ok(event) = self.events.try_recv() {
            all.push(event);
        }
        all
    }

    /// Requests shutdown and returns how the loop ended and how long it took.
    pub(crate) fn stop(mut self) -> (Result<(), RunError>, Duration) {
        let started = Instant::now();
        let _ = self.stop.take().unwrap().send(());
        let task = self.task.take().unwrap();
        let result = self.runtime.block_on(task).expect("daemon task");
        (result, started.elapsed())
    }
}

/// Polls `condition` every 10 ms until it holds or `limit` passes; returns whether it held.
pub(crate) fn wait_until(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The value of the metric line starting with `series` (e.g. `invsync_manifest_valid`), if any.
pub(crate) fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|line| line.starts_with(series) && line[series.len()..].starts_with(' '))
        .and_then(|line| line[series.len()..].trim().parse().ok())
}
