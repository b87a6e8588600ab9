//! `invsync validate`: parse and validate every manifest offline, fleet policies (with
//! placeholder values for their templates) and endpoints against the operator's
//! `--allow-endpoint` list included.

use std::process::ExitCode;

use invsync::cli::ManifestArgs;
use invsync::manifest;

/// Prints every problem found (exit 1) or a one-line summary (exit 0).
pub(crate) fn run(args: &ManifestArgs) -> anyhow::Result<ExitCode> {
    let loaded = manifest::load_dir(&args.manifests).and_then(|desired| {
        manifest::check_endpoints(&desired, &args.endpoint_policy()).map(|()| desired)
    });
    match loaded {
        Ok(desired) => {
            let configs: usize = desired.buckets.values().map(|b| b.inventories.len()).sum();
            // Named only when there are some, so that a directory without policies reads as
            // before.
            let policies = match desired.policies.len() {
                0 => String::new(),
                1 => ", 1 fleet policy".to_string(),
                n => format!(", {n} fleet policies"),
            };
            super::output::println(&format!(
                "{}: {} buckets, {} inventory configurations{policies}, all valid (revision {})",
                args.manifests.display(),
                desired.buckets.len(),
                configs,
                desired.revision
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            super::print_manifest_errors(&errors);
            Ok(ExitCode::from(1))
        }
    }
}
