//! Serving the emulator: `serve(listener, config, shutdown)` for the CLI and `spawn(config)`
//! for tests and the demo.

use std::future::Future;
use std::io;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::config::EmulatorConfig;
use super::control;
use super::handle::EmulatorHandle;
use super::pipeline;
use super::shared::Shared;
use crate::model::Provider;
use crate::provider::CredentialVars;
use crate::serve::{self as limited, Limits};

/// Serves the emulated COS, OSS and S3 inventory APIs (and `/_emulator/*`) on `listener` until
/// `shutdown` completes, then finishes in-flight requests (within [`Limits::EMULATOR`]'s
/// grace) and returns. Connections, heads, bodies and request times are bounded by
/// [`Limits::EMULATOR`].
///
/// # Errors
/// The state file cannot be loaded, the fault configuration is invalid, or accepting
/// connections fails.
pub async fn serve(
    listener: TcpListener,
    config: EmulatorConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    for provider in Provider::ALL {
        if !config.has_credentials(provider) {
            let vars = CredentialVars::of(provider);
            tracing::warn!(
                provider = provider.as_str(),
                hint = %format_args!("{} / {}", vars.id, vars.secret),
                "no emulator credentials for this provider: every request to it is refused"
            );
        }
    }
    let shared = Arc::new(Shared::new(config)?);
    serve_shared(listener, shared, shutdown).await
}

async fn serve_shared(
    listener: TcpListener,
    shared: Arc<Shared>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let ticker = tokio::spawn(tick_forever(Arc::clone(&shared)));
    let app = Router::new()
        .nest("/_emulator", control::router())
        .fallback(pipeline::handle_api)
        .with_state(shared);
    let served = limited::serve(listener, app, Limits::EMULATOR, shutdown).await;
    ticker.abort();
    served
}

/// How often report delivery looks at the clock while real time passes (advancing the
/// clock delivers at once).
const TICK: std::time::Duration = std::time::Duration::from_secs(5);

/// Delivers reports as real time passes.
async fn tick_forever(shared: Arc<Shared>) {
    let mut interval = tokio::time::interval(TICK);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        interval.tick().await;
        let worker = Arc::clone(&shared);
        if tokio::task::spawn_blocking(move || worker.tick())
            .await
            .is_err()
        {
            return;
        }
    }
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
    Ok(EmulatorHandle::new(addr, shared, tx, task))
}
