//! The fleet scenario's buckets and policies: `--buckets` buckets round-robin over the
//! providers, created in the emulator with an `inventory` tag (`on`, or `off` for the tagged-out
//! share), and one `InventoryPolicy` per provider (a policy names one provider) selecting
//! `bench*` buckets tagged `inventory: on`.

use std::path::Path;

use anyhow::Context;
use invsync::model::Provider;
use invsync::provider::registry;

use crate::Emulator;
use crate::fixture::Bucket;

/// The tag every fleet bucket carries; the policies select the value [`TAG_ON`].
pub(crate) const TAG_KEY: &str = "inventory";
/// The tag value of a covered bucket.
pub(crate) const TAG_ON: &str = "on";
/// The tag value of a bucket tagged out of the fleet.
pub(crate) const TAG_OFF: &str = "off";
/// The one configuration id each policy declares.
pub(crate) const POLICY_ID: &str = "fleet-daily";

/// One fleet bucket and whether its tag puts it in the fleet.
#[derive(Debug, Clone)]
pub(crate) struct FleetBucket {
    pub bucket: Bucket,
    pub covered: bool,
}

/// `count` buckets round-robin over `providers`; bucket `i` is tagged out when
/// `i % 100 < percent_out` would put it in the first `percent_out` of every hundred, spread
/// evenly so each provider has its share.
pub(crate) fn fleet(providers: &[Provider], count: usize, percent_out: usize) -> Vec<FleetBucket> {
    crate::fixture::buckets(providers, count)
        .into_iter()
        .enumerate()
        .map(|(i, bucket)| FleetBucket {
            bucket,
            covered: !tagged_out(i, percent_out),
        })
        .collect()
}

/// Whether bucket `i` is tagged out: `percent_out` of every hundred consecutive buckets, at
/// evenly spaced positions (so the share holds per provider too).
fn tagged_out(i: usize, percent_out: usize) -> bool {
    let slot = i % 100;
    // Bucket slot s is out when the running count of outs steps up at s.
    (slot + 1) * percent_out / 100 != slot * percent_out / 100
}

/// Creates every bucket in the emulator with its `inventory` tag.
pub(crate) fn create(emulator: &Emulator, buckets: &[FleetBucket]) -> anyhow::Result<()> {
    for fleet_bucket in buckets {
        create_one(emulator, fleet_bucket)?;
    }
    Ok(())
}

/// Creates one bucket in the emulator with its `inventory` tag, as the admin API does.
pub(crate) fn create_one(emulator: &Emulator, fleet_bucket: &FleetBucket) -> anyhow::Result<()> {
    let FleetBucket { bucket, covered } = fleet_bucket;
    let value = if *covered { TAG_ON } else { TAG_OFF };
    emulator
        .handle
        .create_bucket(
            bucket.provider,
            &bucket.name,
            Some(bucket.region),
            &[(TAG_KEY, value)],
        )
        .map_err(|e| anyhow::anyhow!("{e:?}"))
        .with_context(|| format!("creating {} {}", bucket.provider, bucket.name))?;
    Ok(())
}

/// The policy of `provider`: every `bench*` bucket tagged `inventory: on` gets one daily
/// inventory written under its own name.
pub(crate) fn policy(provider: Provider) -> String {
    let example = registry::spec(provider).example;
    format!(
        "apiVersion: invsync/v1\nkind: InventoryPolicy\nmetadata:\n  name: fleet-{provider}\nspec:\n  provider: {provider}\n  selector:\n    names: [\"bench*\"]\n    tags: {{{TAG_KEY}: \"{TAG_ON}\"}}\n  idPrefix: fleet-\n  inventories:\n    - id: {POLICY_ID}\n      includedObjectVersions: Current\n      schedule: {{frequency: Daily}}\n      optionalFields: [Size, ETag]\n      destination:\n        prefix: \"${{bucket}}/\"\n{destination}",
        destination = example.destination,
    )
}

/// Writes one policy file per provider into `dir`.
pub(crate) fn write_policies(dir: &Path, providers: &[Provider]) -> std::io::Result<()> {
    for &provider in providers {
        std::fs::write(dir.join(format!("fleet-{provider}.yaml")), policy(provider))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tagged_out_share_is_exact_per_hundred_and_spread_out() {
        for percent in [0, 1, 10, 33, 50, 100] {
            let out = (0..100).filter(|&i| tagged_out(i, percent)).count();
            assert_eq!(out, percent, "{percent} %");
        }
        let out: Vec<usize> = (0..100).filter(|&i| tagged_out(i, 10)).collect();
        assert_eq!(out, [9, 19, 29, 39, 49, 59, 69, 79, 89, 99]);
    }
}
