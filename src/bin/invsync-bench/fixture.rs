//! The benchmark's buckets and manifests: deterministic names, one manifest file per bucket,
//! in the generated style (every scenario) or as users write them (the `load` scenario too).

use std::fmt::{self, Write as _};
use std::path::Path;

use invsync::model::Provider;
use invsync::provider::registry;

/// The access key id of `provider` the emulator accepts and the child process signs with.
pub(crate) fn key_id(provider: Provider) -> String {
    let prefix = registry::spec(provider).example.key_id_prefix;
    format!("{prefix}bench{provider}accesskey00")
}

/// The secret of [`key_id`].
pub(crate) fn secret(provider: Provider) -> String {
    format!("{provider}-bench-secret-key")
}

/// One benchmark bucket.
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    pub provider: Provider,
    pub name: String,
    pub region: &'static str,
}

/// `count` buckets spread round-robin over `providers`, each provider's named and placed as
/// its examples are.
pub(crate) fn buckets(providers: &[Provider], count: usize) -> Vec<Bucket> {
    (0..count)
        .map(|i| {
            let provider = providers[i % providers.len()];
            let example = registry::spec(provider).example;
            Bucket {
                provider,
                name: (example.bucket)(i),
                region: example.region,
            }
        })
        .collect()
}

/// The manifest of `bucket` with `configs` configurations. Only configuration 0 carries
/// `generation` (in its filter prefix), so bumping it changes exactly one configuration.
pub(crate) fn manifest(bucket: &Bucket, configs: usize, generation: u32) -> String {
    let mut yaml = format!(
        "apiVersion: invsync/v1\nkind: BucketInventory\nmetadata:\n  name: {name}\nspec:\n  provider: {provider}\n  bucket: {name}\n  region: {region}\n  inventories:\n",
        name = bucket.name,
        provider = bucket.provider,
        region = bucket.region,
    );
    let destination = registry::spec(bucket.provider).example.destination;
    for c in 0..configs {
        let prefix = if c == 0 && generation > 0 {
            format!("data{c:03}/g{generation}/")
        } else {
            format!("data{c:03}/")
        };
        yaml.push_str(&format!(
            "    - id: inv{c:03}\n      includedObjectVersions: Current\n      schedule: {{frequency: Daily}}\n      filter: {{prefix: {prefix}}}\n      optionalFields: [Size, ETag]\n      destination:\n{destination}"
        ));
    }
    yaml
}

/// The manifest of `bucket` written the way the README's examples are: a comment heading the
/// file, trailing comments, `prune` and `enabled` booleans, quoted strings (single and double),
/// flow and block mappings, flow and block sequences.
pub(crate) fn readme_manifest(bucket: &Bucket, configs: usize) -> String {
    let mut yaml = String::new();
    // Writing to a `String` cannot fail.
    let _ = write_readme_manifest(&mut yaml, bucket, configs);
    yaml
}

fn write_readme_manifest(yaml: &mut String, bucket: &Bucket, configs: usize) -> fmt::Result {
    let (name, provider, region) = (&bucket.name, bucket.provider, bucket.region);
    writeln!(
        yaml,
        "# {name}: every inventory configuration of the bucket."
    )?;
    writeln!(yaml, "apiVersion: invsync/v1")?;
    writeln!(yaml, "kind: BucketInventory")?;
    writeln!(yaml, "metadata:")?;
    writeln!(yaml, "  name: \"{name}\"")?;
    writeln!(yaml, "spec:")?;
    writeln!(
        yaml,
        "  provider: {provider}                   # cos | oss | s3"
    )?;
    writeln!(yaml, "  bucket: {name}")?;
    writeln!(yaml, "  region: '{region}'")?;
    writeln!(
        yaml,
        "  prune: true                     # delete undeclared live configs"
    )?;
    let example = registry::spec(provider).example;
    yaml.push_str(example.readme_bucket_lines);
    writeln!(yaml, "  inventories:")?;
    for c in 0..configs {
        writeln!(
            yaml,
            "    - id: inv{c:03}                  # [A-Za-z0-9._-]"
        )?;
        writeln!(yaml, "      enabled: {}", c % 10 != 9)?;
        writeln!(yaml, "      includedObjectVersions: All # All | Current")?;
        yaml.push_str(&(example.readme_item)(c));
    }
    Ok(())
}

/// How the benchmark's manifests are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Block mappings, plain words and numbers, no comments: [`manifest`].
    Generated,
    /// As the README's examples are written: [`readme_manifest`].
    Readme,
}

/// Writes one manifest per bucket into `dir`, in `style`.
pub(crate) fn write_manifests(
    dir: &Path,
    buckets: &[Bucket],
    configs: usize,
    style: Style,
) -> std::io::Result<()> {
    for bucket in buckets {
        match style {
            Style::Generated => write_manifest(dir, bucket, configs, 0)?,
            Style::Readme => std::fs::write(
                dir.join(format!("{}.yaml", bucket.name)),
                readme_manifest(bucket, configs),
            )?,
        }
    }
    Ok(())
}

/// (Re)writes the manifest of one bucket.
pub(crate) fn write_manifest(
    dir: &Path,
    bucket: &Bucket,
    configs: usize,
    generation: u32,
) -> std::io::Result<()> {
    std::fs::write(
        dir.join(format!("{}.yaml", bucket.name)),
        manifest(bucket, configs, generation),
    )
}
