//! `invsync import`: print a bucket's live configurations as a manifest.

use std::process::ExitCode;

use anyhow::bail;
use invsync::cli::ImportArgs;
use invsync::manifest::import::import;
use invsync::manifest::lines::FieldPath;
use invsync::model::{BucketKey, Provider, ProviderBucketOptions};
use invsync::provider::InventoryApi;
use invsync::provider::endpoint_policy::EndpointPolicy;
use invsync::provider::registry;
use serde_json::{Map, Value};

/// The manifest key `--expected-bucket-owner` sets.
const OWNER_KEY: &str = "expectedBucketOwner";

/// Prints the manifest to stdout; `plan` against it then reports the bucket in sync.
///
/// Exit codes: 0 printed (configurations it cannot express are comments), 1 the bucket could
/// not be read, or `--strict` and some configuration was left out.
pub(crate) async fn run(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let key = BucketKey {
        provider: args.provider,
        bucket: args.bucket.clone(),
        region: args.region.clone(),
    };
    let options = bucket_options(args)?;
    let client = super::clients(&args.provider_args, EndpointPolicy::default())?
        .for_bucket_with(&key, None, &options)?;
    let live = client.list(&key).await?;
    let name = args.name.clone().unwrap_or_else(|| args.bucket.clone());
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

/// The bucket-level options the flags give, checked by the bucket's provider as a manifest's
/// `spec` keys are.
///
/// # Errors
/// `--expected-bucket-owner` for a provider without that key, or a value it refuses.
fn bucket_options(args: &ImportArgs) -> anyhow::Result<ProviderBucketOptions> {
    let spec = registry::spec(args.provider);
    let mut keys = Map::new();
    if let Some(owner) = &args.expected_bucket_owner {
        if !spec.bucket_keys.contains(&OWNER_KEY) {
            let with: Vec<&str> = Provider::ALL
                .into_iter()
                .map(registry::spec)
                .filter(|s| s.bucket_keys.contains(&OWNER_KEY))
                .map(|s| s.name)
                .collect();
            bail!(
                "--expected-bucket-owner: {} buckets have no expected owner; it applies to \
                 --provider {}",
                spec.short_title(),
                with.join(", ")
            );
        }
        keys.insert(OWNER_KEY.into(), Value::String(owner.clone()));
    }
    (spec.parse_bucket_options)(&keys, &FieldPath::root().key("spec")).map_err(|errors| {
        let reasons: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
        anyhow::anyhow!("--expected-bucket-owner: {}", reasons.join("; "))
    })
}
