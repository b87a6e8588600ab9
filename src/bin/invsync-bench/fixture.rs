//! The benchmark's buckets and manifests: deterministic names, one manifest file per bucket.

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

/// Writes one manifest per bucket into `dir`.
pub fn write_manifests(dir: &Path, buckets: &[Bucket], configs: usize) -> std::io::Result<()> {
    for bucket in buckets {
        write_manifest(dir, bucket, configs, 0)?;
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
