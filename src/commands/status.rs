//! `invsync status`: print the conditions a running daemon serves at `/status`.

use std::process::ExitCode;
use std::time::SystemTime;

use invsync::cli::{StatusArgs, StatusOutput};
use invsync::status::client::StatusSource;
use invsync::status::{StatusDocument, table};

/// Exit codes: 0 every bucket and configuration shown is `Ready`, 2 something is not (False
/// or Unknown), 1 an error (bad `--from`/`--bucket`, the daemon unreachable, a bucket it does
/// not list; the message names the URL and the fix).
pub(crate) async fn run(args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let source = StatusSource::parse(&args.from)?;
    let document = match &args.bucket {
        Some(bucket) => {
            let status = source.bucket(bucket).await?;
            match args.output {
                StatusOutput::Json => {
                    super::output::print(&(serde_json::to_string_pretty(&status)? + "\n"))?
                }
                StatusOutput::Table => {
                    let document = StatusDocument {
                        revision: status
                            .conditions
                            .first()
                            .map(|c| c.observed_revision.clone())
                            .unwrap_or_default(),
                        buckets: vec![status.clone()],
                    };
                    super::output::print(&table::table(&document, SystemTime::now()))?;
                }
            }
            return Ok(exit_code(status.is_ready()));
        }
        None => source.document().await?,
    };
    let rendered = match args.output {
        StatusOutput::Json => serde_json::to_string_pretty(&document)? + "\n",
        StatusOutput::Table => table::table(&document, SystemTime::now()),
    };
    super::output::print(&rendered)?;
    Ok(exit_code(document.is_ready()))
}

fn exit_code(ready: bool) -> ExitCode {
    if ready {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
