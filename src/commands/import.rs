//! `invsync import`: print a bucket's live configurations as a manifest.

use std::process::ExitCode;

use anyhow::bail;
use invsync::cli::ImportArgs;
use invsync::manifest::import::import;
use invsync::model::BucketKey;
use invsync::provider::InventoryApi;
use invsync::provider::endpoint_policy::EndpointPolicy;

/// Prints the manifest to stdout; `plan` against it then reports the bucket in sync. With
/// `--all-buckets`, writes one manifest per selected bucket instead ([`super::import_all`]).
///
/// Exit codes: 0 printed (configurations it cannot express are comments), 1 the bucket could
/// not be read, or `--strict` and some configuration was left out.
pub(crate) async fn run(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    if args.all_buckets {
        return super::import_all::run(args).await;
    }
    let (Some(bucket), [region]) = (&args.bucket, args.region.as_slice()) else {
        bail!("--region: give exactly one region with --bucket (several only with --all-buckets)");
    };
    let key = BucketKey {
        provider: args.provider,
        bucket: bucket.clone(),
        region: region.clone(),
    };
    let options = super::import_options::bucket_options(args)?;
    let client = super::clients(&args.provider_args, EndpointPolicy::default())?
        .for_bucket_with(&key, None, &options)?;
    let live = client.list(&key).await?;
    let name = args.name.clone().unwrap_or_else(|| bucket.clone());
    let imported = import(&key, &name, &options, &live);
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
