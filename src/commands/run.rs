//! `invsync run`: the daemon, with its HTTP endpoints and signal handling.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use invsync::cli::RunArgs;
use invsync::hooks::{self, HookSecret};
use invsync::metrics::Metrics;
use invsync::model::Provider;
use invsync::notify::{self, DeliverySettings, NotifyConfig};
use invsync::provider::CredentialSource;
use invsync::provider::registry;
use invsync::reconcile::fleet::FleetBinding;
use invsync::reconcile::{DeliveryWatch, RunConfig, SettleGate, run as run_daemon};
use invsync::scheduler::SchedulerConfig;
use invsync::serve::Limits;
use invsync::server::{self, Readiness};
use invsync::shard::Shard;
use invsync::status::{self, StatusBoard};
use invsync::watch;
use tokio::sync::{mpsc, watch as flag};

/// Runs until SIGTERM / SIGINT, then finishes in-flight work (bounded) and exits 0. The
/// listeners stop accepting at the signal too, and their requests in progress get the same
/// `--shutdown-grace`, so a slow client cannot hold the process past it.
///
/// # Errors
/// The manifests directory does not resolve to a directory (checked first, so that nothing
/// is served for a daemon that cannot work), the listen address cannot be bound, the HTTP
/// client cannot be built, or the manifests directory cannot be watched.
pub(crate) async fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let dir = &args.manifests.manifests;
    watch::resolve(dir).with_context(|| {
        format!(
            "--manifests {}: not a readable directory; nothing was served (check the path, or \
             the git-sync link it goes through)",
            dir.display()
        )
    })?;
    let metrics = Metrics::new();
    let clients = super::build_clients(
        super::client_settings(&args.provider, args.manifests.endpoint_policy()),
        credentials(args),
        Some(&metrics),
    )?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {} (--listen)", args.listen))?;
    tracing::info!(addr = %listener.local_addr()?, "serving /metrics, /healthz and /readyz");

    let mut config = RunConfig::new(&args.manifests.manifests, clients, metrics.clone());
    config.context.options = super::plan_options(&args.safety);
    config.context.dry_run = args.dry_run;
    config.context.settle = SettleGate::new(args.settle);
    config.schedule = SchedulerConfig {
        resync_interval: args.interval,
        ..SchedulerConfig::default()
    };
    config.discover_interval = args.discover_interval;
    config.fleet = FleetBinding::caching_tags(args.tag_refresh_interval);
    config.max_policy_writes_per_pass =
        Some(usize::try_from(args.fleet.max_policy_writes_per_pass).unwrap_or(usize::MAX));
    config.concurrency = usize::from(args.provider.concurrency);
    config.debounce = args.debounce;
    config.shutdown_grace = args.shutdown_grace;
    config.full_pass = Some(hangups());
    let notify = NotifyConfig::from_sources(
        &args.notify.notify_webhooks,
        args.notify.notify_config.as_deref(),
        args.notify.notify_dedup_window,
    )?;
    let mut dispatcher = None;
    if !notify.webhooks.is_empty() {
        let names: Vec<&str> = notify.webhooks.iter().map(|w| w.name.as_str()).collect();
        tracing::info!(webhooks = ?names, "posting notifications");
        let (events, task) = notify::spawn(notify, DeliverySettings::default(), metrics.clone())?;
        config.events = Some(events);
        dispatcher = Some(task);
    }
    let readiness: Readiness = config.readiness.clone();
    let mut board = StatusBoard::new().with_metrics(metrics.clone());
    if let Some(events) = &config.events {
        board = board.with_events(events.clone());
    }
    config.outcomes = Some(Arc::new(board.clone()));
    if args.delivery_checks {
        config.delivery = Some(DeliveryWatch::new(args.report_grace));
    }

    config.reload_window = args.hook.hook_reload_window;
    let hostname = std::env::var("HOSTNAME").unwrap_or_default();
    config.shard = Shard::resolve(args.shard_index, args.shard_count, &hostname)?;
    metrics.set_shard(config.shard.index(), config.shard.count());
    let terminated = terminated_signal()?;
    let mut hook_server = None;
    if let Some(addr) = args.hook.hook_listen {
        let path = args
            .hook
            .hook_secret_file
            .as_deref()
            .context("--hook-listen needs --hook-secret-file")?;
        let secret = HookSecret::from_file(path)?;
        let hook_listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr} (--hook-listen)"))?;
        tracing::info!(addr = %hook_listener.local_addr()?, "serving the push hook POST /hooks/git");
        let (trigger, requests) = mpsc::unbounded_channel();
        config.reload_requests = Some(requests);
        hook_server = Some(tokio::spawn(hooks::serve(
            hook_listener,
            secret,
            trigger,
            metrics.clone(),
            Limits::HOOK.with_shutdown_grace(args.shutdown_grace),
            stopped(terminated.clone()),
        )));
    }

    let server = tokio::spawn(server::serve_with(
        listener,
        metrics,
        readiness,
        status::http::router(board),
        Limits::ENDPOINTS.with_shutdown_grace(args.shutdown_grace),
        stopped(terminated.clone()),
    ));
    let result = run_daemon(config, stopped(terminated)).await;
    if let Some(task) = dispatcher {
        // The daemon dropped its sender; give queued notifications a moment, not the full
        // retry schedule of a dead webhook.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), task).await;
    }
    if let Some(hook_server) = hook_server {
        hook_server.await.context("push hook task")??;
    }
    server.await.context("metrics server task")??;
    result.with_context(|| format!("--manifests {}", args.manifests.manifests.display()))?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Every provider's credentials: from `--credentials-file` when given, else from the standard
/// environment variables, read for every call either way (so rotation needs no restart).
fn credentials(args: &RunArgs) -> BTreeMap<Provider, Arc<dyn CredentialSource>> {
    registry::credentials_for_all(args.credentials_file.as_deref())
}

/// Completes on the first SIGTERM or SIGINT. The handlers are installed before this returns,
/// so a signal that arrives while the daemon starts up is not fatal.
///
/// # Errors
/// A signal handler cannot be installed.
pub(crate) fn termination() -> anyhow::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate =
            signal(SignalKind::terminate()).context("installing a SIGTERM handler")?;
        let mut interrupt =
            signal(SignalKind::interrupt()).context("installing a SIGINT handler")?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => tracing::info!(signal = "SIGTERM", "shutdown requested"),
                _ = interrupt.recv() => tracing::info!(signal = "SIGINT", "shutdown requested"),
            }
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// A flag that turns true on the first SIGTERM or SIGINT, for every part that stops then.
///
/// # Errors
/// A signal handler cannot be installed.
fn terminated_signal() -> anyhow::Result<flag::Receiver<bool>> {
    let termination = termination()?;
    let (sender, receiver) = flag::channel(false);
    tokio::spawn(async move {
        termination.await;
        let _ = sender.send(true);
    });
    Ok(receiver)
}

/// Completes once `terminated` is true.
async fn stopped(mut terminated: flag::Receiver<bool>) {
    let _ = terminated.wait_for(|t| *t).await;
}

/// One message per SIGHUP (a full pass); never fires where there are no such signals.
fn hangups() -> mpsc::UnboundedReceiver<()> {
    let (sender, receiver) = mpsc::unbounded_channel();
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hangup) = signal(SignalKind::hangup()) else {
            tracing::warn!("cannot install a SIGHUP handler; full passes only on schedule");
            return;
        };
        while hangup.recv().await.is_some() {
            if sender.send(()).is_err() {
                return;
            }
        }
    });
    #[cfg(not(unix))]
    drop(sender);
    receiver
}
