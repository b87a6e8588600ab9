//! The one nesting limit of every XML body invsync reads, from a server or from a client.
//!
//! A body nesting hundreds of thousands of elements is a few megabytes, and any recursive code
//! over it (building, walking, writing or dropping an element tree) would overflow the stack
//! and abort the process, taking every bucket down with one hostile or broken endpoint. So
//! every reader refuses such a body before building anything: [`super::xmltree::Element::parse`]
//! counts depth while it reads, and [`super::wire::from_bytes`] runs [`check`] before serde
//! sees the body.
//!
//! # Guarantees
//! - Every element tree and wire value read from bytes is at most [`MAX_DEPTH`] elements deep,
//!   so recursion over it is bounded by construction.
//! - [`check`] is iterative, reads each byte once and allocates nothing per level.

use quick_xml::Reader;
use quick_xml::events::Event;

/// The deepest nesting any XML body may have, counting the root as level 1.
///
/// The deepest real inventory body, an S3 list holding a KMS-encrypted destination
/// (`ListInventoryConfigurationsResult/InventoryConfiguration/Destination/S3BucketDestination/
/// Encryption/SSE-KMS/KeyId`), is 7 levels; the limit leaves ample room for vendor additions
/// and matches the manifest loader's YAML nesting limit.
pub const MAX_DEPTH: usize = 64;

/// A body nesting elements deeper than [`MAX_DEPTH`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("elements nest more than {MAX_DEPTH} levels deep, the limit for an XML body")]
pub struct TooDeep;

/// Checks that no element of `text` is nested deeper than [`MAX_DEPTH`].
///
/// Only depth is checked: a body that is not well-formed passes when its start tags do not go
/// too deep, and the parser that reads it next reports the syntax error.
///
/// # Errors
/// [`TooDeep`] as soon as a start tag opens level `MAX_DEPTH + 1`.
pub fn check(text: &str) -> Result<(), TooDeep> {
    let mut reader = Reader::from_str(text);
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(TooDeep);
                }
            }
            Ok(Event::Empty(_)) if depth >= MAX_DEPTH => return Err(TooDeep),
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize, leaf: &str) -> String {
        format!("{}{leaf}{}", "<a>".repeat(levels), "</a>".repeat(levels))
    }

    #[test]
    fn nesting_up_to_the_limit_passes_and_one_more_level_is_refused() {
        assert_eq!(check(&nested(MAX_DEPTH, "")), Ok(()));
        assert_eq!(check(&nested(MAX_DEPTH - 1, "<b/>")), Ok(()));
        assert_eq!(check(&nested(MAX_DEPTH + 1, "")), Err(TooDeep));
        assert_eq!(check(&nested(MAX_DEPTH, "<b/>")), Err(TooDeep));
    }

    #[test]
    fn siblings_do_not_add_up() {
        let body = format!("<r>{}</r>", nested(MAX_DEPTH - 1, "").repeat(1000));
        assert_eq!(check(&body), Ok(()));
    }

    #[test]
    fn a_deep_body_is_refused_even_unclosed_or_broken() {
        assert_eq!(check(&"<a>".repeat(300_000)), Err(TooDeep));
        assert_eq!(check(&format!("{}<", "<x:a>".repeat(100))), Err(TooDeep));
        assert_eq!(check("<a><b></a>"), Ok(()), "syntax is left to the parser");
    }
}
