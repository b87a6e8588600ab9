//! The `invsync` command.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use invsync::emulator::{self, EmulatorConfig};
use invsync::model::Provider;

#[derive(Parser)]
#[command(name = "invsync", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Local COS + OSS inventory API.
    Emulator {
        /// Address to listen on.
        #[arg(
            long,
            env = "INVSYNC_EMULATOR_LISTEN",
            default_value = "127.0.0.1:9000"
        )]
        listen: SocketAddr,
        /// Persist configurations to this file.
        #[arg(long, env = "INVSYNC_EMULATOR_STATE")]
        state: Option<PathBuf>,
        /// Answer 404 NoSuchBucket for buckets not given with --bucket.
        #[arg(long)]
        strict_buckets: bool,
        /// A bucket that exists with --strict-buckets: `cos:NAME` or `oss:NAME`.
        #[arg(long = "bucket", value_parser = emulator::config::parse_bucket_spec)]
        buckets: Vec<(Provider, String)>,
        /// Refuse PUT without Content-MD5.
        #[arg(long)]
        require_content_md5: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Emulator {
            listen,
            state,
            strict_buckets,
            buckets,
            require_content_md5,
        } => {
            let config = EmulatorConfig {
                state_file: state,
                strict_buckets,
                buckets,
                require_content_md5,
                ..EmulatorConfig::from_env()
            };
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("cannot listen on {listen}"))?;
            println!("emulator listening on http://{}", listener.local_addr()?);
            emulator::serve(listener, config, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("emulator failed")?;
            Ok(())
        }
    }
}
