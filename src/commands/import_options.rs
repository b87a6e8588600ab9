//! The bucket-level options `invsync import` takes from flags, for one bucket or a fleet.

use anyhow::bail;
use invsync::cli::ImportArgs;
use invsync::manifest::lines::FieldPath;
use invsync::model::{Provider, ProviderBucketOptions};
use invsync::provider::registry;
use serde_json::{Map, Value};

/// A flag that sets a bucket-level key.
struct Flagged<'a> {
    flag: &'static str,
    /// The manifest key it sets.
    key: &'static str,
    /// What the key is, for messages.
    what: &'static str,
    value: &'a String,
}

/// The flags given that set a bucket-level key.
fn flagged(args: &ImportArgs) -> Vec<Flagged<'_>> {
    [
        (
            "--expected-bucket-owner",
            "expectedBucketOwner",
            "expected owner",
            args.expected_bucket_owner.as_ref(),
        ),
        ("--profile", "profile", "AWS profile", args.profile.as_ref()),
    ]
    .into_iter()
    .filter_map(|(flag, key, what, value)| {
        value.map(|value| Flagged {
            flag,
            key,
            what,
            value,
        })
    })
    .collect()
}

/// The bucket-level options the flags give, checked by the bucket's provider as a manifest's
/// `spec` keys are.
///
/// # Errors
/// A flag for a provider without its key, or a value the provider refuses, naming the flag.
pub(crate) fn bucket_options(args: &ImportArgs) -> anyhow::Result<ProviderBucketOptions> {
    let spec = registry::spec(args.provider);
    let flagged = flagged(args);
    let mut keys = Map::new();
    for given in &flagged {
        if !spec.bucket_keys.contains(&given.key) {
            let with: Vec<&str> = Provider::ALL
                .into_iter()
                .map(registry::spec)
                .filter(|s| s.bucket_keys.contains(&given.key))
                .map(|s| s.name)
                .collect();
            bail!(
                "{}: {} buckets have no {}; it applies to --provider {}",
                given.flag,
                spec.short_title(),
                given.what,
                with.join(", ")
            );
        }
        keys.insert(given.key.into(), Value::String(given.value.clone()));
    }
    let at = FieldPath::root().key("spec");
    (spec.parse_bucket_options)(&keys, &at).map_err(|errors| {
        let reasons: Vec<String> = errors
            .iter()
            .map(|e| {
                let flag = flagged
                    .iter()
                    .find(|given| e.path == at.key(given.key))
                    .map_or("import", |given| given.flag);
                format!("{flag}: {}", e.message)
            })
            .collect();
        anyhow::anyhow!("{}", reasons.join("; "))
    })
}
