//! Reads every provider's delivery answers: the object listing, an object, the bucket policy.
//!
//! Pure functions of `(status, headers, body)`, as [`crate::provider::discovery_response`] is
//! for discovery, with the same rules for what is not an answer:
//! - a listing must be a complete `<ListBucketResult>` document (ListObjects version 1, which
//!   S3, COS and OSS all answer alike) no deeper than the XML depth limit; an HTML page, an
//!   `<Error>` document, another root or a cut-short body is a [`Failure::Body`], never an
//!   empty page;
//! - a truncated page names where the next starts: `<NextMarker>`, or, when the service leaves
//!   it out (S3 and OSS do without a delimiter), the last key of the page; with a delimiter the
//!   last key may sort before a rolled-up prefix, so a truncated page without `<NextMarker>`
//!   is then a [`Failure::Decode`];
//! - an object is its bytes, refused over the caller's cap;
//! - a policy is its text (UTF-8, refused over [`MAX_POLICY_BYTES`]); the dialect's documented
//!   "no policy" answer is `None`; every other error status is a [`Failure::Service`].

use reqwest::header::HeaderMap;

use super::ServiceError;
use super::delivery::{ObjectEntry, ObjectPage};
use super::document::read_document;
use super::response::{ErrorShape, Failure, flag, is_success, service_error};
use super::xmltree::{Element, Node};

/// The root element of every provider's object listing.
pub(crate) const LIST_OBJECTS_ROOT: &str = "ListBucketResult";

/// The largest bucket policy read: S3 allows 20 KB, COS and OSS less; four times that leaves
/// room for whitespace and still bounds what a hostile body can make the JSON reader do.
pub(crate) const MAX_POLICY_BYTES: usize = 80 * 1024;

/// Reads one page of an object listing (see the module documentation for the rules);
/// `delimiter` is the one the request sent.
///
/// # Errors
/// [`Failure::Service`] for an error status, [`Failure::Body`] for a body that is not a
/// `<ListBucketResult>`, [`Failure::Decode`] for an object without a key or with a size that
/// is not a number, or a truncated page without a way to the next.
pub(crate) fn object_page(
    errors: &ErrorShape,
    delimiter: Option<&str>,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<ObjectPage, Failure> {
    if !is_success(status) {
        return Err(Failure::Service(service_error(
            errors, status, headers, body,
        )));
    }
    let doc = read_document(body, LIST_OBJECTS_ROOT).map_err(Failure::Body)?;
    let mut page = ObjectPage::default();
    for child in &doc.children {
        match child.name.as_str() {
            "Contents" => page.objects.push(read_object(child.raw)?),
            "CommonPrefixes" => {
                let element = parse(child.raw, "CommonPrefixes")?;
                for prefix in elements(&element, "Prefix") {
                    page.common_prefixes.push(prefix.text());
                }
            }
            _ => {}
        }
    }
    let truncated = flag(&doc, "IsTruncated")?.unwrap_or(false);
    if truncated {
        page.next_marker = match doc.text_of("NextMarker") {
            Some(marker) => Some(marker),
            None if delimiter.is_none() => match page.objects.last() {
                Some(last) => Some(last.key.clone()),
                None => {
                    return Err(Failure::Decode(
                        "IsTruncated is true on a page without objects or NextMarker".to_string(),
                    ));
                }
            },
            None => {
                return Err(Failure::Decode(
                    "IsTruncated is true but NextMarker is missing on a listing with a delimiter"
                        .to_string(),
                ));
            }
        };
    }
    Ok(page)
}

/// One `<Contents>` of a listing: its key (untrimmed: a key may end with a space) and size.
fn read_object(raw: &str) -> Result<ObjectEntry, Failure> {
    let element = parse(raw, "Contents")?;
    let key = element
        .child("Key")
        .map(Element::text)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| Failure::Decode("a <Contents> of the listing has no <Key>".to_string()))?;
    let size = match element.child("Size").map(|s| s.text().trim().to_string()) {
        None => 0,
        Some(text) => text.parse::<u64>().map_err(|_| {
            Failure::Decode(format!("object `{key}` has <Size> `{text}`, not a number"))
        })?,
    };
    Ok(ObjectEntry { key, size })
}

/// Reads an object answer: a success is the body, when at most `max_bytes`.
///
/// # Errors
/// [`Failure::Service`] for an error status (404 `NoSuchKey` included), [`Failure::Decode`]
/// for a body over `max_bytes`.
pub(crate) fn object(
    errors: &ErrorShape,
    max_bytes: usize,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Vec<u8>, Failure> {
    if !is_success(status) {
        return Err(Failure::Service(service_error(
            errors, status, headers, body,
        )));
    }
    if body.len() > max_bytes {
        return Err(Failure::Decode(format!(
            "the object is {} bytes, more than the {max_bytes} read at most",
            body.len()
        )));
    }
    Ok(body.to_vec())
}

/// Reads a policy answer: a success is the policy's text; an error answer that
/// `means_no_policy` is `None`; any other error status is the service's error.
///
/// # Errors
/// [`Failure::Service`] for another error status, [`Failure::Decode`] for a body that is
/// empty, not UTF-8, or over [`MAX_POLICY_BYTES`].
pub(crate) fn bucket_policy(
    means_no_policy: impl Fn(&ServiceError) -> bool,
    errors: &ErrorShape,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<String>, Failure> {
    if !is_success(status) {
        let error = service_error(errors, status, headers, body);
        if means_no_policy(&error) {
            return Ok(None);
        }
        return Err(Failure::Service(error));
    }
    if body.len() > MAX_POLICY_BYTES {
        return Err(Failure::Decode(format!(
            "the bucket policy is {} bytes, more than the {MAX_POLICY_BYTES} read at most",
            body.len()
        )));
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| Failure::Decode("the bucket policy is not UTF-8".to_string()))?;
    if text.trim().is_empty() {
        return Err(Failure::Decode(
            "the bucket policy answer is empty".to_string(),
        ));
    }
    Ok(Some(text.to_string()))
}

fn parse(raw: &str, name: &str) -> Result<Element, Failure> {
    Element::parse(raw.as_bytes())
        .map_err(|e| Failure::Decode(format!("<{name}> is not readable: {e}")))
}

/// The child elements of `parent` named `name`, in order.
fn elements<'e>(parent: &'e Element, name: &'e str) -> impl Iterator<Item = &'e Element> {
    parent.children.iter().filter_map(move |n| match n {
        Node::Element(e) if e.name == name => Some(e),
        _ => None,
    })
}

#[cfg(test)]
#[path = "delivery_response_tests.rs"]
mod tests;
