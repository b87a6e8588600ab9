//! `invsync import`: print a bucket's live configurations as a manifest.

use std::process::ExitCode;

use invsync::cli::ImportArgs;
use invsync::manifest::import::import;
use invsync::model::BucketKey;
use invsync::provider::InventoryApi;
use invsync::provider::endpoint_policy::EndpointPolicy;

/// Prints the manifest to stdout; `plan` against it then reports the bucket in sync.
///
/// Exit codes: 0 printed (configurations it cannot express are comments), 1 the bucket could
/// not be read, or `--strict` and some configuration was left out.
pub async fn run(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let key = BucketKey {
        provider: args.provider,
        bucket: args.bucket.clone(),
        region: args.region.clone(),
    };
    let client =
        super::clients(&args.provider_args, EndpointPolicy::default())?.for_bucket(&key, None)?;
    let live = client.list(&key).await?;
    let name = args.name.clone().unwrap_or_else(|| args.bucket.clone());
    let imported = import(&key, &name, &live);
    super::output::print(&imported.yaml)?;
    if imported.left_out > 0 {
        eprintln!(
            "invsync: {} configuration(s) could not be expressed as a manifest; see the comments",
            imported.left_out
        );
        if args.strict {
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}
