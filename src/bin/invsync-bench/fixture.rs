//! The benchmark's buckets and manifests: deterministic names, one manifest file per bucket,
//! in the generated style (every scenario) or as users write them (the `load` scenario too).

use std::fmt::{self, Write as _};
use std::path::Path;

use invsync::model::Provider;

/// COS credentials the emulator accepts and the child process signs with.
pub const COS_ID: &str = "AKIDbenchsecretid000000000000000000";
pub const COS_KEY: &str = "cos-bench-secret-key";
/// OSS credentials the emulator accepts and the child process signs with.
pub const OSS_ID: &str = "LTAIbenchaccesskey00";
pub const OSS_KEY: &str = "oss-bench-secret-key";
/// S3 credentials the emulator accepts and the child process signs with.
pub const S3_ID: &str = "AKIABENCHACCESSKEY00";
pub const S3_KEY: &str = "s3-bench-secret-key";

/// One benchmark bucket.
#[derive(Debug, Clone)]
pub struct Bucket {
    pub provider: Provider,
    pub name: String,
    pub region: &'static str,
}

/// `count` buckets spread round-robin over `providers`.
pub fn buckets(providers: &[Provider], count: usize) -> Vec<Bucket> {
    (0..count)
        .map(|i| {
            let provider = providers[i % providers.len()];
            match provider {
                Provider::Cos => Bucket {
                    provider,
                    name: format!("bench{i:05}-1250000000"),
                    region: "ap-guangzhou",
                },
                Provider::Oss => Bucket {
                    provider,
                    name: format!("bench{i:05}"),
                    region: "cn-hangzhou",
                },
                Provider::S3 => Bucket {
                    provider,
                    name: format!("bench{i:05}"),
                    region: "us-east-1",
                },
            }
        })
        .collect()
}

/// The manifest of `bucket` with `configs` configurations. Only configuration 0 carries
/// `generation` (in its filter prefix), so bumping it changes exactly one configuration.
pub fn manifest(bucket: &Bucket, configs: usize, generation: u32) -> String {
    let mut yaml = format!(
        "apiVersion: invsync/v1\nkind: BucketInventory\nmetadata:\n  name: {name}\nspec:\n  provider: {provider}\n  bucket: {name}\n  region: {region}\n  inventories:\n",
        name = bucket.name,
        provider = bucket.provider,
        region = bucket.region,
    );
    let destination = match bucket.provider {
        Provider::Cos => {
            "        bucket: qcs::cos:ap-guangzhou::inventory-1250000000\n        format: CSV\n"
        }
        Provider::Oss => {
            "        bucket: acs:oss:::inventory-dest\n        accountId: \"1000000000000000\"\n        roleArn: acs:ram::1000000000000000:role/AliyunOSSRole\n        format: CSV\n"
        }
        Provider::S3 => {
            "        bucket: arn:aws:s3:::inventory-dest\n        accountId: \"111122223333\"\n        format: CSV\n"
        }
    };
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
pub fn readme_manifest(bucket: &Bucket, configs: usize) -> String {
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
    if provider == Provider::S3 {
        writeln!(yaml, "  expectedBucketOwner: \"111122223333\"   # optional")?;
    }
    writeln!(yaml, "  inventories:")?;
    for c in 0..configs {
        writeln!(
            yaml,
            "    - id: inv{c:03}                  # [A-Za-z0-9._-]"
        )?;
        writeln!(yaml, "      enabled: {}", c % 10 != 9)?;
        writeln!(yaml, "      includedObjectVersions: All # All | Current")?;
        match provider {
            Provider::Cos => {
                let day = c % 28 + 1;
                writeln!(
                    yaml,
                    "      schedule: {{frequency: Monthly, monthlyDate: {day}}}"
                )?;
                writeln!(yaml, "      filter:")?;
                writeln!(yaml, "        prefix: \"data{c:03}/\"")?;
                writeln!(yaml, "        tags: [{{key: team, value: \"18\"}}]")?;
                writeln!(
                    yaml,
                    "        period: {{startTime: 1568688761, endTime: 1568688762}}"
                )?;
                writeln!(
                    yaml,
                    "      optionalFields: [Size, LastModifiedDate, ETag, StorageClass, Tag]"
                )?;
                writeln!(yaml, "      destination:")?;
                writeln!(
                    yaml,
                    "        bucket: qcs::cos:ap-guangzhou::inventory-1250000000"
                )?;
                writeln!(yaml, "        accountId: \"100000000001\"")?;
                writeln!(yaml, "        prefix: list{c:03}")?;
                writeln!(yaml, "        format: CSV")?;
                writeln!(yaml, "        encryption: SSE-COS")?;
            }
            Provider::Oss => {
                writeln!(yaml, "      schedule:")?;
                writeln!(yaml, "        frequency: Weekly")?;
                writeln!(
                    yaml,
                    "      filter: {{prefix: 'data{c:03}/', storageClass: [Standard, IA]}}"
                )?;
                writeln!(yaml, "      optionalFields:")?;
                for field in ["Size", "LastModifiedDate", "ETag"] {
                    writeln!(yaml, "        - {field}")?;
                }
                writeln!(yaml, "      destination:")?;
                writeln!(yaml, "        bucket: acs:oss:::inventory-dest")?;
                writeln!(yaml, "        accountId: \"1000000000000000\"")?;
                writeln!(
                    yaml,
                    "        roleArn: \"acs:ram::1000000000000000:role/AliyunOSSRole\""
                )?;
                writeln!(yaml, "        prefix: list{c:03}")?;
                writeln!(yaml, "        format: CSV")?;
                writeln!(
                    yaml,
                    "        encryption: {{SSE-KMS: {{keyId: \"key-{c:03}\"}}}}"
                )?;
            }
            Provider::S3 => {
                writeln!(
                    yaml,
                    "      schedule: {{frequency: Daily}}      # Daily | Weekly"
                )?;
                writeln!(yaml, "      filter: {{prefix: \"data{c:03}/\"}}")?;
                writeln!(
                    yaml,
                    "      optionalFields: [Size, LastModifiedDate, StorageClass, ETag]"
                )?;
                writeln!(yaml, "      destination:")?;
                writeln!(
                    yaml,
                    "        bucket: arn:aws:s3:::inventory-dest   # or the bare name"
                )?;
                writeln!(yaml, "        accountId: \"111122223333\"")?;
                writeln!(yaml, "        prefix: inventory")?;
                writeln!(
                    yaml,
                    "        format: Parquet                 # CSV | ORC | Parquet"
                )?;
                writeln!(yaml, "        encryption: SSE-S3")?;
            }
        }
    }
    Ok(())
}

/// How the benchmark's manifests are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Block mappings, plain words and numbers, no comments: [`manifest`].
    Generated,
    /// As the README's examples are written: [`readme_manifest`].
    Readme,
}

/// Writes one manifest per bucket into `dir`, in `style`.
pub fn write_manifests(
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
pub fn write_manifest(
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
