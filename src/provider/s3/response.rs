//! Reads S3 answers: the configuration reader of the S3 dialect; its answers are read by the
//! shared rules of [`crate::provider::response`] (`reference/s3-api.md` §1, §3, §4). A bucket
//! without configurations is a 200 page with `IsTruncated` false and no configuration; GET of a
//! missing configuration is 404 `NoSuchConfiguration`; PUT answers 204 (S3-compatible servers
//! often 200).

use super::model::S3Inventory;
use super::xml;
use crate::model::{Inventory, Provider};
use crate::provider::document::ConfigReader;

/// Reads one S3 configuration: every element the wire types know, every value the model
/// holds, or foreign.
pub const READER: ConfigReader<'static> = ConfigReader {
    provider: Provider::S3,
    known: xml::KNOWN_ELEMENTS,
    convert: convert_config,
};

fn convert_config(raw: &str) -> Result<Inventory, Vec<String>> {
    let wire: xml::InventoryConfiguration =
        xml::from_str(raw).map_err(|e| vec![format!("(unreadable: {})", e.message())])?;
    S3Inventory::try_from(&wire)
        .map(Inventory::new)
        .map_err(|e| vec![e.unmodelled_path()])
}

#[cfg(test)]
#[path = "response_tests.rs"]
mod tests;
