//! The pieces of a report's keys and manifest every provider's layout is written with:
//! prefix joins, folder stamps, MD5 hex, data file names, reading a configuration's XML. A leaf:
//! the delivery engine (`super`) and the provider dialects both build on it.

use std::time::{Duration, UNIX_EPOCH};

use crate::emulator::clock;
use crate::emulator::xmltree::Element;
use crate::provider::kit::layout::join_prefix;

/// Joins a destination prefix and the rest of a report key: `prefix/rest`, or `rest` when
/// the prefix is empty; a prefix that already ends in `/` gets no second one.
pub(crate) fn join(prefix: &str, rest: &str) -> String {
    join_prefix(Some(prefix), rest)
}

/// `YYYY-MM-DDTHH-MMZ`, the S3 and OSS folder stamp.
pub(crate) fn minute_stamp(secs: u64) -> String {
    let iso = clock::iso8601(UNIX_EPOCH + Duration::from_secs(secs));
    format!("{}-{}Z", &iso[..13], &iso[14..16])
}

/// `YYYYMMDD`, the COS folder stamp.
pub(crate) fn day_stamp(secs: u64) -> String {
    let iso = clock::iso8601(UNIX_EPOCH + Duration::from_secs(secs));
    format!("{}{}{}", &iso[..4], &iso[5..7], &iso[8..10])
}

/// MD5 of `bytes`, lower-case hex.
pub(crate) fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    hex::encode(Md5::digest(bytes))
}

/// A data file name derived from what the report is about (stable across runs, unique per
/// configuration and period), shaped like a UUID.
pub(crate) fn data_name(source: &str, id: &str, stamp: u64) -> String {
    let h = md5_hex(format!("{source}/{id}/{stamp}").as_bytes());
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The text of `root`'s descendant at `path` (`a/b/c`), when present.
pub(crate) fn text_at(root: &Element, path: &str) -> Option<String> {
    let mut node = root;
    for name in path.split('/') {
        node = node.child(name)?;
    }
    Some(node.text())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_have_the_documented_shapes() {
        // 2016-11-06T21:32:00Z
        assert_eq!(minute_stamp(1_478_467_920), "2016-11-06T21-32Z");
        assert_eq!(day_stamp(1_478_467_920), "20161106");
    }

    #[test]
    fn an_empty_prefix_adds_no_slash_and_a_slashed_one_no_second() {
        assert_eq!(join("", "a"), "a");
        assert_eq!(join("p", "a"), "p/a");
        assert_eq!(join("p/", "a"), "p/a");
    }
}
