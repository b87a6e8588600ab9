//! The fleet scenario's floor: the CPU time this process takes to parse, with the crate's own
//! XML reader ([`Element::parse`], which every answer reader of the clients starts with), the
//! bodies one daemon pass reads: the bucket-listing pages, one tags answer per tag read and
//! one LIST answer per covered bucket.
//!
//! The LIST bodies are the emulator's stored configurations of each covered bucket wrapped in
//! a listing root, so they are the bytes the daemon read; the listing pages and tags answers
//! are written here in the documented shapes (`ListAllMyBucketsResult/Buckets/Bucket` with
//! name, creation date and region; `Tagging/TagSet/Tag`), one listing page per page the
//! emulator served, with the same buckets.

use std::time::Duration;

use anyhow::{Context, ensure};
use invsync::model::Provider;
use invsync::provider::xmltree::Element;

use crate::Emulator;
use crate::fleet_fixture::{FleetBucket, TAG_KEY, TAG_OFF, TAG_ON};

/// Shortest CPU time a floor measurement may take: small fleets are parsed again until then.
const MIN_FLOOR_CPU: Duration = Duration::from_millis(50);

/// The bodies of one pass, built once and parsed by [`Bodies::parse`].
pub(crate) struct Bodies {
    pub listing_pages: Vec<String>,
    pub tags: Vec<String>,
    pub lists: Vec<String>,
}

/// What parsing [`Bodies`] costs on this thread, per pass.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Floor {
    /// Listing pages and tags answers: what a discovery pass reads.
    pub discovery: Duration,
    /// The LIST answers: what a resync pass reads.
    pub lists: Duration,
    /// Bytes of all bodies.
    pub bytes: u64,
}

impl Bodies {
    /// The bodies of one pass over `buckets`: `pages` listing pages per provider (in the order
    /// of `pages`), a tags answer for every bucket and a LIST answer for every covered one.
    pub(crate) fn build(
        emulator: &Emulator,
        buckets: &[FleetBucket],
        pages: &[(Provider, u64)],
    ) -> anyhow::Result<Bodies> {
        let mut listing_pages = Vec::new();
        for &(provider, count) in pages {
            let of_provider: Vec<&FleetBucket> = buckets
                .iter()
                .filter(|b| b.bucket.provider == provider)
                .collect();
            let count = usize::try_from(count.max(1))?;
            let per_page = of_provider.len().div_ceil(count).max(1);
            for page in of_provider.chunks(per_page) {
                listing_pages.push(listing_page(page));
            }
        }
        let tags = buckets
            .iter()
            .map(|b| tags_body(if b.covered { TAG_ON } else { TAG_OFF }))
            .collect();
        let mut lists = Vec::new();
        for b in buckets.iter().filter(|b| b.covered) {
            let configs = emulator.handle.configs(b.bucket.provider, &b.bucket.name);
            ensure!(
                !configs.is_empty(),
                "{} {} has no configuration to list",
                b.bucket.provider,
                b.bucket.name
            );
            lists.push(format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListInventoryConfigurationsResult>{}<IsTruncated>false</IsTruncated></ListInventoryConfigurationsResult>",
                configs.concat()
            ));
        }
        Ok(Bodies {
            listing_pages,
            tags,
            lists,
        })
    }

    /// Parses every body on this thread, timing this thread's CPU, repeated until the whole
    /// takes [`MIN_FLOOR_CPU`]; the time per pass.
    pub(crate) fn parse(&self) -> anyhow::Result<Floor> {
        let bytes = [&self.listing_pages, &self.tags, &self.lists]
            .iter()
            .flat_map(|bodies| bodies.iter())
            .map(|b| b.len() as u64)
            .sum();
        let mut passes = 0u32;
        let mut discovery = Duration::ZERO;
        let mut lists = Duration::ZERO;
        while passes == 0 || discovery + lists < MIN_FLOOR_CPU {
            let start = crate::load::thread_cpu()?;
            for body in &self.listing_pages {
                let tree = Element::parse(body.as_bytes()).context("a listing page")?;
                ensure!(tree.child("Buckets").is_some(), "a listing page");
            }
            for body in &self.tags {
                let tree = Element::parse(body.as_bytes()).context("a tags answer")?;
                ensure!(tree.child("TagSet").is_some(), "a tags answer");
            }
            let middle = crate::load::thread_cpu()?;
            for body in &self.lists {
                let tree = Element::parse(body.as_bytes()).context("a LIST answer")?;
                ensure!(
                    tree.child("InventoryConfiguration").is_some(),
                    "a LIST answer"
                );
            }
            let end = crate::load::thread_cpu()?;
            discovery += middle.saturating_sub(start);
            lists += end.saturating_sub(middle);
            passes += 1;
        }
        Ok(Floor {
            discovery: discovery / passes,
            lists: lists / passes,
            bytes,
        })
    }
}

/// One listing page naming `buckets`, in the documented `ListAllMyBucketsResult` shape.
fn listing_page(buckets: &[&FleetBucket]) -> String {
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListAllMyBucketsResult><Owner><ID>1250000000</ID><DisplayName>1250000000</DisplayName></Owner><Buckets>",
    );
    for b in buckets {
        body.push_str(&format!(
            "<Bucket><Name>{}</Name><CreationDate>2026-12-08T01:00:00.000Z</CreationDate><BucketRegion>{}</BucketRegion></Bucket>",
            b.bucket.name, b.bucket.region
        ));
    }
    body.push_str("</Buckets><IsTruncated>false</IsTruncated></ListAllMyBucketsResult>");
    body
}

/// A tags answer holding the one `inventory` tag.
fn tags_body(value: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Tagging><TagSet><Tag><Key>{TAG_KEY}</Key><Value>{value}</Value></Tag></TagSet></Tagging>"
    )
}
