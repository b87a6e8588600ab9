//! `invsync import`: print a bucket's live configurations as a manifest.

use std::process::ExitCode;

use invsync::cli::{ImportArgs, ProviderArg};
use invsync::manifest::from_model::bucket_yaml;
use invsync::model::{BucketKey, DesiredBucket, Origin, Provider};
use invsync::plan::normalize;
use invsync::provider::InventoryApi;

/// Prints the manifest to stdout; `plan` against it then reports the bucket in sync.
pub async fn run(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let key = BucketKey {
        provider: match args.provider {
            ProviderArg::Cos => Provider::Cos,
            ProviderArg::Oss => Provider::Oss,
        },
        bucket: args.bucket.clone(),
        region: args.region.clone(),
    };
    let client = super::clients(&args.provider_args)?.for_bucket(&key, None)?;
    let mut inventories: Vec<_> = client.list(&key).await?.iter().map(normalize).collect();
    inventories.sort_by(|a, b| a.id().cmp(b.id()));
    let bucket = DesiredBucket {
        name: args.name.clone().unwrap_or_else(|| args.bucket.clone()),
        key,
        prune: false,
        endpoint: None,
        origin: Origin::default(),
        inventories,
    };
    super::output::print(&bucket_yaml(&bucket))?;
    Ok(ExitCode::SUCCESS)
}
