//! `invsync emulator`: serve the local COS + OSS + S3 inventory API until SIGINT/SIGTERM.

use std::process::ExitCode;

use anyhow::Context;
use invsync::cli::EmulatorArgs;
use invsync::emulator::{self, EmulatorConfig};

/// Prints `listening on http://ADDR` on stdout once bound, then serves.
pub(crate) async fn run(args: &EmulatorArgs) -> anyhow::Result<ExitCode> {
    let mut config = EmulatorConfig::from_env();
    config.state_file = args.state.clone();
    config.strict_buckets = args.strict_buckets;
    config.require_content_md5 = args.require_content_md5;
    config.s3_region = args.s3_region.clone();
    if args.s3_account_id.len() != 12 || !args.s3_account_id.bytes().all(|b| b.is_ascii_digit()) {
        anyhow::bail!(
            "--s3-account-id: expected a 12-digit AWS account id, got {:?}",
            args.s3_account_id
        );
    }
    config.s3_account_id = args.s3_account_id.clone();
    for spec in &args.buckets {
        let bucket = emulator::config::parse_bucket_spec(spec)
            .map_err(|message| anyhow::anyhow!("--bucket: {message}"))?;
        config.buckets.push(bucket);
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    super::output::println(&format!("listening on http://{addr}"))?;
    emulator::serve(listener, config, shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

/// Resolves on the first SIGINT or SIGTERM.
pub(crate) async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("installing a SIGTERM handler");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
