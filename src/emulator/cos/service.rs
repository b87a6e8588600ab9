//! COS's bucket listing (GET Service) and bucket tags (PUT/GET/DELETE Bucket tagging). Pure.
//!
//! Sources: COS API "GET Service (List Buckets)" (cloud.tencent.com/document/product/436/8291:
//! `service.cos.myqcloud.com` or `cos.<Region>.myqcloud.com`, `tagkey`/`tagvalue`, `region`,
//! `marker` exclusive in UTF-8 order, `max-keys` default and maximum 2000), the paging
//! elements of GetService (436/139734: `Marker`, `NextMarker`, `IsTruncated`), "PUT Bucket
//! tagging" (436/8281: 50 tags, keys up to 128 and values up to 256 characters of letters,
//! digits, space and `+-_=.:/`), "DELETE Bucket tagging" (404 `NoSuchTagSetError` when the
//! bucket has no tags); cos-python-sdk-v5 1.9.44 `list_buckets` and `*_bucket_tagging`
//! (`shared/reference/cos-api.md`, "Bucket listing and tags").

use std::collections::BTreeMap;
use std::time::{Duration, UNIX_EPOCH};

use crate::emulator::bucket_index::BucketFilter;
use crate::emulator::clock;
use crate::emulator::dialect::BucketListing;
use crate::emulator::errors::{ApiError, element};
use crate::emulator::route::ApiRequest;
use crate::emulator::tagging::{self, Length, TagFault, TagRules};

/// Most buckets on one GET Service page, and the default.
pub const MAX_KEYS: usize = 2000;

/// The account (UIN) that owns every emulated COS bucket; the SDKs' examples use it.
pub const OWNER_UIN: &str = "100000000001";

/// The region of COS buckets whose first write named none.
pub const DEFAULT_REGION: &str = "ap-guangzhou";

/// COS's limits on bucket tags.
pub static TAG_RULES: TagRules = TagRules {
    max_tags: 50,
    max_key: 128,
    max_value: 256,
    length: Length::Chars,
    reserved_prefixes: &[],
    allowed: Some(allowed_char),
};

fn allowed_char(c: char) -> bool {
    c.is_alphanumeric() || " +-_=.:/@".contains(c)
}

/// The page a GET Service request asks for: after `marker`, at most `max-keys`, in the
/// `region` parameter's region or else the one the Host names, with the `tagkey`/`tagvalue`
/// tag when both are given.
///
/// # Errors
/// 400 `InvalidArgument` for a `max-keys` outside 1..=2000.
pub fn bucket_filter(request: &ApiRequest) -> Result<BucketFilter, ApiError> {
    let limit = match request.page_size("max-keys", MAX_KEYS) {
        Some(size) => size.map_err(|raw| {
            ApiError::invalid_argument(format!(
                "max-keys must be an integer between 1 and {MAX_KEYS}, got {raw:?}."
            ))
        })?,
        None => MAX_KEYS,
    };
    Ok(BucketFilter {
        prefix: String::new(),
        after: request.non_empty_param("marker").map(str::to_string),
        region: request
            .non_empty_param("region")
            .map(str::to_string)
            .or_else(|| request.region.clone()),
        tag: request.tag_param("tagkey", "tagvalue"),
        limit,
    })
}

/// The GET Service answer: `Owner`, `Buckets` (`Name`, `Location`, `CreationDate`,
/// `BucketType`), then `Marker` (echoed), `IsTruncated` and `NextMarker` when truncated.
pub fn buckets_document(listing: &BucketListing<'_>) -> String {
    let mut out =
        String::from("<?xml version='1.0' encoding='utf-8' ?>\n<ListAllMyBucketsResult><Owner>");
    element(
        &mut out,
        "ID",
        &format!("qcs::cam::uin/{OWNER_UIN}:uin/{OWNER_UIN}"),
    );
    element(&mut out, "DisplayName", OWNER_UIN);
    out.push_str("</Owner><Buckets>");
    for bucket in &listing.page.buckets {
        out.push_str("<Bucket>");
        element(&mut out, "Name", &bucket.name);
        element(&mut out, "Location", &bucket.region);
        let created = UNIX_EPOCH + Duration::from_secs(bucket.created);
        element(&mut out, "CreationDate", &clock::iso8601(created));
        element(&mut out, "BucketType", "cos");
        out.push_str("</Bucket>");
    }
    out.push_str("</Buckets>");
    element(
        &mut out,
        "Marker",
        listing.filter.after.as_deref().unwrap_or_default(),
    );
    element(&mut out, "IsTruncated", &listing.page.truncated.to_string());
    if let Some(next) = listing.page.next_marker() {
        element(&mut out, "NextMarker", next);
    }
    out.push_str("</ListAllMyBucketsResult>");
    out
}

/// COS's answer for a tagging body it refuses.
pub fn tag_error(fault: &TagFault) -> ApiError {
    match fault {
        TagFault::Malformed => ApiError::malformed_xml(),
        TagFault::TooMany => ApiError::invalid_argument("A bucket can have at most 50 tags."),
        TagFault::DuplicateKey(key) => {
            ApiError::invalid_argument(format!("The tag key {key:?} is given twice."))
        }
        TagFault::InvalidKey(_) | TagFault::ReservedKey(_) => ApiError::invalid_argument(
            "A tag key must be 1 to 128 letters, digits, spaces or +-_=.:/ characters.",
        ),
        TagFault::InvalidValue(_) => ApiError::invalid_argument(
            "A tag value must be at most 256 letters, digits, spaces or +-_=.:/ characters.",
        ),
    }
}

/// 404 `NoSuchTagSetError`: the bucket has no tags.
pub fn no_such_tag_set() -> ApiError {
    ApiError::new(
        404,
        "NoSuchTagSetError",
        "There is no tag set associated with the bucket.",
    )
}

/// The GET Bucket tagging answer; 404 `NoSuchTagSetError` for a bucket without tags.
///
/// # Errors
/// That 404.
pub fn tags_document(tags: &BTreeMap<String, String>) -> Result<String, ApiError> {
    if tags.is_empty() {
        return Err(no_such_tag_set());
    }
    Ok(tagging::document(tags, None))
}
