//! The bucket-level options `invsync import` takes from flags, for one bucket or a fleet.

use anyhow::bail;
use invsync::cli::ImportArgs;
use invsync::manifest::lines::FieldPath;
use invsync::model::{Provider, ProviderBucketOptions};
use invsync::provider::registry;
use serde_json::{Map, Value};

/// The manifest key `--expected-bucket-owner` sets.
const OWNER_KEY: &str = "expectedBucketOwner";

/// The bucket-level options the flags give, checked by the bucket's provider as a manifest's
/// `spec` keys are.
///
/// # Errors
/// `--expected-bucket-owner` for a provider without that key, or a value it refuses.
pub(crate) fn bucket_options(args: &ImportArgs) -> anyhow::Result<ProviderBucketOptions> {
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
