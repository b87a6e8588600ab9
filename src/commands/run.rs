//! `invsync run`: the daemon, with its HTTP endpoints and signal handling.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use invsync::cli::RunArgs;
use invsync::metrics::Metrics;
use invsync::model::Provider;
use invsync::provider::credentials_file::CredentialsFile;
use invsync::provider::{CredentialSource, EnvCredentials};
use invsync::reconcile::{RunConfig, run as run_daemon};
use invsync::scheduler::SchedulerConfig;
use invsync::server::{self, Readiness};
use invsync::watch;
use tokio::sync::{mpsc, oneshot};

/// Runs until SIGTERM / SIGINT, then finishes in-flight work (bounded) and exits 0.
///
/// # Errors
/// The manifests directory does not resolve to a directory (checked first, so that nothing
/// is served for a daemon that cannot work), the listen address cannot be bound, the HTTP
/// client cannot be built, or the manifests directory cannot be watched.
pub async fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let dir = &args.manifests.manifests;
    watch::resolve(dir).with_context(|| {
        format!(
            "--manifests {}: not a readable directory; nothing was served (check the path, or \
             the git-sync link it goes through)",
            dir.display()
        )
    })?;
    let metrics = Metrics::new();
    let (cos_credentials, oss_credentials) = credentials(args);
    let clients = super::build_clients(
        super::client_settings(&args.provider),
        cos_credentials,
        oss_credentials,
        Some(&metrics),
    )?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {} (--listen)", args.listen))?;
    tracing::info!(addr = %listener.local_addr()?, "serving /metrics, /healthz and /readyz");

    let mut config = RunConfig::new(&args.manifests.manifests, clients, metrics.clone());
    config.context.options = super::plan_options(&args.safety);
    config.context.dry_run = args.dry_run;
    config.schedule = SchedulerConfig {
        resync_interval: args.interval,
        ..SchedulerConfig::default()
    };
    config.concurrency = usize::from(args.provider.concurrency);
    config.debounce = args.debounce;
    config.shutdown_grace = args.shutdown_grace;
    config.full_pass = Some(hangups());
    let readiness: Readiness = config.readiness.clone();

    let (stop_server, server_stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(server::serve(listener, metrics, readiness, async {
        let _ = server_stopped.await;
    }));
    let result = run_daemon(config, termination()?).await;
    let _ = stop_server.send(());
    server.await.context("metrics server task")??;
    result.with_context(|| format!("--manifests {}", args.manifests.manifests.display()))?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Both providers' credentials: from `--credentials-file` when given, else from the standard
/// environment variables, read for every request either way (so rotation needs no restart).
fn credentials(args: &RunArgs) -> (Arc<dyn CredentialSource>, Arc<dyn CredentialSource>) {
    match &args.credentials_file {
        Some(path) => (
            Arc::new(CredentialsFile::cos(path)),
            Arc::new(CredentialsFile::oss(path)),
        ),
        None => (
            Arc::new(EnvCredentials(Provider::Cos)),
            Arc::new(EnvCredentials(Provider::Oss)),
        ),
    }
}

/// Completes on the first SIGTERM or SIGINT. The handlers are installed before this returns,
/// so a signal that arrives while the daemon starts up is not fatal.
///
/// # Errors
/// A signal handler cannot be installed.
pub fn termination() -> anyhow::Result<impl Future<Output = ()> + Send + 'static> {
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
