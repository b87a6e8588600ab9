//! Reads every provider's discovery answers: one bucket-listing reader and one tags reader,
//! shaped by the dialect's [`BucketListing`] and "no tags" rule.
//!
//! Pure functions of `(status, headers, body)`, as [`crate::provider::response`] is for the
//! inventory calls, with the same rules for what is not an answer:
//! - a success body must be the documented document (`ListAllMyBucketsResult`, `Tagging`),
//!   complete and no deeper than the XML depth limit; an HTML page, an `<Error>` document,
//!   another root or a cut-short body is a [`Failure::Body`], never an empty list;
//! - a listing must hold its `<Buckets>` element (every provider writes it, empty for an
//!   account without buckets), each `<Bucket>` a name and a region; a page that says more
//!   follow must name the next page's token;
//! - an error status is a [`Failure::Service`], except the dialect's documented "no tags"
//!   answer to a tags read, which is an empty map.

use reqwest::header::HeaderMap;

use super::ServiceError;
use super::discovery::{BucketFilter, BucketTags};
use super::document::read_document;
use super::paginate::Page;
use super::response::{ErrorShape, Failure, flag, is_success, next_page_token, service_error};
use super::xmltree::{Element, Node};
use crate::model::DiscoveredBucket;

/// The root element of every provider's bucket listing.
pub(crate) const LIST_BUCKETS_ROOT: &str = "ListAllMyBucketsResult";

/// The root element of every provider's bucket tags.
pub(crate) const TAGGING_ROOT: &str = "Tagging";

/// How a provider pages and words its bucket listing: what the generic reader and request
/// need, as named in the provider's API reference.
#[derive(Debug, Clone, Copy)]
pub struct BucketListing {
    /// The query parameter carrying the previous page's token: `continuation-token` (S3),
    /// `marker` (COS, OSS).
    pub(crate) token_param: &'static str,
    /// The page-size parameter and the size asked for (`max-buckets=1000`, `max-keys=1000`);
    /// `None` leaves the size to the service.
    pub(crate) page_size: Option<(&'static str, &'static str)>,
    /// The name-prefix filter parameter, where the provider has one (`prefix`).
    pub(crate) prefix_param: Option<&'static str>,
    /// The region filter parameter, where the provider has one (S3 `bucket-region`).
    pub(crate) region_param: Option<&'static str>,
    /// The element naming the next page's token: `ContinuationToken` (S3), `NextMarker` (COS,
    /// OSS).
    pub(crate) next_token_element: &'static str,
    /// The element saying more pages follow (`IsTruncated`), absent meaning "no"; `None` when
    /// the token alone says so (S3).
    pub(crate) truncated_element: Option<&'static str>,
    /// The `<Bucket>` elements that hold its region, in order of preference, each with a
    /// prefix to strip: S3 `BucketRegion`; COS `Location`; OSS `Region`, else `Location`
    /// minus `oss-`.
    pub(crate) region_elements: &'static [(&'static str, &'static str)],
    /// The region of the service endpoint the listing goes to when the filter names none
    /// (`us-east-1`; empty for COS's global `service.cos.myqcloud.com`).
    pub(crate) service_region: &'static str,
}

impl BucketListing {
    /// The region whose service endpoint lists the buckets `filter` asks for.
    pub fn endpoint_region<'a>(&self, filter: &'a BucketFilter) -> &'a str {
        filter.region.as_deref().unwrap_or(self.service_region)
    }

    /// The decoded query parameters of one listing page: the token of the previous page, the
    /// page size, and the filters the provider applies itself.
    pub fn params<'a>(
        &self,
        filter: &'a BucketFilter,
        token: Option<&'a str>,
    ) -> Vec<(&'static str, &'a str)> {
        let mut params = Vec::new();
        if let Some((name, size)) = self.page_size {
            params.push((name, size));
        }
        if let Some(token) = token {
            params.push((self.token_param, token));
        }
        if let Some((name, prefix)) = self.prefix_param.zip(filter.prefix.as_deref()) {
            params.push((name, prefix));
        }
        if let Some((name, region)) = self.region_param.zip(filter.region.as_deref()) {
            params.push((name, region));
        }
        params
    }
}

/// Reads one page of a bucket listing worded as `listing` says (see the module documentation
/// for the rules).
pub(crate) fn bucket_page(
    listing: &BucketListing,
    errors: &ErrorShape,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Page<DiscoveredBucket>, Failure> {
    if !is_success(status) {
        return Err(Failure::Service(service_error(
            errors, status, headers, body,
        )));
    }
    let doc = read_document(body, LIST_BUCKETS_ROOT).map_err(Failure::Body)?;
    let Some(buckets) = doc.children_named("Buckets").next() else {
        return Err(Failure::Decode(
            "a bucket listing without <Buckets>".to_string(),
        ));
    };
    let buckets = Element::parse(buckets.raw.as_bytes())
        .map_err(|e| Failure::Decode(format!("<Buckets> is not readable: {e}")))?;
    let items = elements(&buckets, "Bucket")
        .map(|b| read_bucket(listing, b))
        .collect::<Result<Vec<_>, _>>()?;
    // S3 says "more follow" with the token alone; COS and OSS with a flag, absent meaning no.
    let (truncated, truncated_by) = match listing.truncated_element {
        None => (
            doc.text_of(listing.next_token_element).is_some(),
            "the page",
        ),
        Some(element) => (flag(&doc, element)?.unwrap_or(false), element),
    };
    let next_token = next_page_token(&doc, truncated, truncated_by, listing.next_token_element)?;
    Ok(Page { items, next_token })
}

/// One `<Bucket>` of a listing.
fn read_bucket(listing: &BucketListing, bucket: &Element) -> Result<DiscoveredBucket, Failure> {
    let text = |name: &str| {
        bucket
            .child(name)
            .map(|e| e.text().trim().to_string())
            .filter(|t| !t.is_empty())
    };
    let name = text("Name")
        .ok_or_else(|| Failure::Decode("a <Bucket> of the listing has no <Name>".to_string()))?;
    let region = listing
        .region_elements
        .iter()
        .find_map(|(element, prefix)| {
            text(element).map(|t| t.strip_prefix(prefix).unwrap_or(&t).to_string())
        })
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            let names: Vec<String> = listing
                .region_elements
                .iter()
                .map(|(e, _)| format!("<{e}>"))
                .collect();
            Failure::Decode(format!(
                "bucket `{name}` of the listing has no region ({})",
                names.join(" or ")
            ))
        })?;
    Ok(DiscoveredBucket {
        name,
        region,
        created: text("CreationDate"),
    })
}

/// Reads a tags answer: a success is the `<Tagging>` document's tags; an error answer that
/// `means_no_tags` is an empty map; any other error status is the service's error.
///
/// # Errors
/// [`Failure::Body`] for a success body that is not a `<Tagging>` document,
/// [`Failure::Decode`] for a tag without a key or a key given twice.
pub(crate) fn bucket_tags(
    means_no_tags: impl Fn(&ServiceError) -> bool,
    errors: &ErrorShape,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<BucketTags, Failure> {
    if !is_success(status) {
        let error = service_error(errors, status, headers, body);
        if means_no_tags(&error) {
            return Ok(BucketTags::new());
        }
        return Err(Failure::Service(error));
    }
    let doc = read_document(body, TAGGING_ROOT).map_err(Failure::Body)?;
    let mut tags = BucketTags::new();
    for set in doc.children_named("TagSet") {
        let set = Element::parse(set.raw.as_bytes())
            .map_err(|e| Failure::Decode(format!("<TagSet> is not readable: {e}")))?;
        for tag in elements(&set, "Tag") {
            let text = |name: &str| tag.child(name).map(Element::text).unwrap_or_default();
            let key = text("Key");
            if key.is_empty() {
                return Err(Failure::Decode("a <Tag> has no <Key>".to_string()));
            }
            if tags.insert(key.clone(), text("Value")).is_some() {
                return Err(Failure::Decode(format!("tag key `{key}` is given twice")));
            }
        }
    }
    Ok(tags)
}

/// The child elements of `parent` named `name`, in order.
fn elements<'e>(parent: &'e Element, name: &'e str) -> impl Iterator<Item = &'e Element> {
    parent.children.iter().filter_map(move |n| match n {
        Node::Element(e) if e.name == name => Some(e),
        _ => None,
    })
}
