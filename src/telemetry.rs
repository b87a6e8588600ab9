//! Logging: human-readable or JSON lines on stderr, filtered by `RUST_LOG` (default `info`, or
//! what the command asks for).

use std::io::IsTerminal;

use invsync::cli::LogFormat;
use tracing_subscriber::EnvFilter;

/// aws-config logs at WARN every source of its credential chain that fails (instance metadata
/// off EC2, on every command); invsync reports a chain that gives no credentials itself, once,
/// with the chain's cause, so only aws-config's errors are shown unless `RUST_LOG` names it.
const AWS_CONFIG_FILTER: &str = "aws_config=error";

/// Installs the global subscriber. Logs go to stderr so that stdout carries only command output
/// (plans, schemas, manifests).
/// `default_filter` applies when `RUST_LOG` is unset or invalid.
pub(crate) fn init(format: LogFormat, default_filter: &str) {
    let mut filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let asked_for_aws_config =
        std::env::var("RUST_LOG").is_ok_and(|directives| directives.contains("aws_config"));
    if !asked_for_aws_config && let Ok(directive) = AWS_CONFIG_FILTER.parse() {
        filter = filter.add_directive(directive);
    }
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}
