//! `invsync schema`: the JSON Schema of the manifest format.

use std::process::ExitCode;

/// Prints the schema to stdout.
pub(crate) fn run() -> anyhow::Result<ExitCode> {
    let schema = invsync::manifest::json_schema();
    super::output::println(&serde_json::to_string_pretty(&schema)?)?;
    Ok(ExitCode::SUCCESS)
}
