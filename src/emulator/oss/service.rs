//! OSS's bucket listing (ListBuckets, GetService) and bucket tags (PutBucketTags,
//! GetBucketTags, DeleteBucketTags). Pure.
//!
//! Sources: OSS API "ListBuckets (GetService)" (`prefix`, `marker` exclusive, `max-keys`
//! default 100 and at most 1000; `Prefix`, `Marker`, `MaxKeys`, `IsTruncated`, `NextMarker`,
//! `Owner`, `Buckets/Bucket` with `Name`, `CreationDate`, `Location`, `Region`,
//! `ExtranetEndpoint`, `IntranetEndpoint`, `StorageClass`), "PutBucketTags" (at most 20 tags;
//! keys 1–64 bytes, not starting with `http://`, `https://`, `Aliyun` or `acs`, values up to
//! 128 bytes; ECs 0010-00000207, 0010-00000002, 0010-00000219), "GetBucketTags" (a bucket
//! without tags answers 200 with an empty `Tagging`); oss2 2.19.1 `Service.list_buckets`,
//! `BucketIterator`, `parse_list_buckets` and `*_bucket_tagging`
//! (`shared/reference/oss-api.md`, "Bucket listing and tags").

use std::collections::BTreeMap;
use std::time::{Duration, UNIX_EPOCH};

use crate::emulator::bucket_index::BucketFilter;
use crate::emulator::clock;
use crate::emulator::dialect::BucketListing;
use crate::emulator::errors::{ApiError, element};
use crate::emulator::route::ApiRequest;
use crate::emulator::tagging::{self, Length, TagFault, TagRules};

/// Most buckets on one ListBuckets page.
pub const MAX_KEYS: usize = 1000;
/// Buckets on a page when `max-keys` is not given.
pub const DEFAULT_MAX_KEYS: usize = 100;

/// The account that owns every emulated OSS bucket.
pub const OWNER_ID: &str = "1234567890123456";

/// The region of OSS buckets whose first write named none.
pub const DEFAULT_REGION: &str = "cn-hangzhou";

/// OSS's limits on bucket tags.
pub static TAG_RULES: TagRules = TagRules {
    max_tags: 20,
    max_key: 64,
    max_value: 128,
    length: Length::Bytes,
    reserved_prefixes: &["http://", "https://", "aliyun", "acs"],
    allowed: None,
};

/// The page a ListBuckets request asks for: names with `prefix`, after `marker`, at most
/// `max-keys`, with the `tag-key`/`tag-value` tag when both are given. OSS lists every
/// region's buckets whatever the endpoint.
///
/// # Errors
/// 400 `InvalidArgument` for a `max-keys` outside 1..=1000.
pub fn bucket_filter(request: &ApiRequest) -> Result<BucketFilter, ApiError> {
    let limit = match request.page_size("max-keys", MAX_KEYS) {
        Some(size) => size.map_err(|raw| {
            ApiError::invalid_argument(format!(
                "Argument max-keys must be an integer between 1 and {MAX_KEYS}."
            ))
            .with_extra("ArgumentName", "max-keys")
            .with_extra("ArgumentValue", raw)
        })?,
        None => DEFAULT_MAX_KEYS,
    };
    Ok(BucketFilter {
        prefix: request
            .non_empty_param("prefix")
            .unwrap_or_default()
            .to_string(),
        after: request.non_empty_param("marker").map(str::to_string),
        region: None,
        tag: request.tag_param("tag-key", "tag-value"),
        limit,
    })
}

/// The ListBuckets answer: `Prefix`, `Marker`, `MaxKeys` (echoed), `IsTruncated`,
/// `NextMarker` when truncated, `Owner`, then `Buckets`.
pub fn buckets_document(listing: &BucketListing<'_>) -> String {
    let filter = listing.filter;
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListAllMyBucketsResult>");
    element(&mut out, "Prefix", &filter.prefix);
    element(
        &mut out,
        "Marker",
        filter.after.as_deref().unwrap_or_default(),
    );
    element(&mut out, "MaxKeys", &filter.limit.to_string());
    element(&mut out, "IsTruncated", &listing.page.truncated.to_string());
    if let Some(next) = listing.page.next_marker() {
        element(&mut out, "NextMarker", next);
    }
    out.push_str("<Owner>");
    element(&mut out, "ID", OWNER_ID);
    element(&mut out, "DisplayName", OWNER_ID);
    out.push_str("</Owner><Buckets>");
    for bucket in &listing.page.buckets {
        let region = &bucket.region;
        out.push_str("<Bucket>");
        let created = UNIX_EPOCH + Duration::from_secs(bucket.created);
        element(&mut out, "CreationDate", &clock::iso8601_millis(created));
        element(
            &mut out,
            "ExtranetEndpoint",
            &format!("oss-{region}.aliyuncs.com"),
        );
        element(
            &mut out,
            "IntranetEndpoint",
            &format!("oss-{region}-internal.aliyuncs.com"),
        );
        element(&mut out, "Location", &format!("oss-{region}"));
        element(&mut out, "Name", &bucket.name);
        element(&mut out, "Region", region);
        element(&mut out, "StorageClass", "Standard");
        out.push_str("</Bucket>");
    }
    out.push_str("</Buckets></ListAllMyBucketsResult>");
    out
}

fn invalid_tag(message: &str, ec: &str) -> ApiError {
    ApiError::new(400, "InvalidTag", message).with_ec(ec)
}

/// OSS's answer for a tagging body it refuses.
pub fn tag_error(fault: &TagFault) -> ApiError {
    const INVALID: &str = "0010-00000219";
    match fault {
        TagFault::Malformed => ApiError::malformed_xml(),
        TagFault::TooMany => invalid_tag("A bucket can have at most 20 tags.", INVALID),
        TagFault::DuplicateKey(_) => invalid_tag("The tag keys must be unique.", INVALID),
        TagFault::InvalidKey(_) => {
            invalid_tag("The tag key must be 1 to 64 bytes of UTF-8.", INVALID)
        }
        TagFault::InvalidValue(_) => {
            invalid_tag("The tag value must be at most 128 bytes of UTF-8.", INVALID)
        }
        TagFault::ReservedKey(key) if key.to_lowercase().starts_with("acs") => {
            invalid_tag("Bucket tags cannot start with acs.", "0010-00000002")
        }
        TagFault::ReservedKey(_) => invalid_tag(
            "The tag key cannot start with http://, https:// or Aliyun.",
            "0010-00000207",
        ),
    }
}

/// The GetBucketTags answer; a bucket without tags answers an empty `Tagging` element.
pub fn tags_document(tags: &BTreeMap<String, String>) -> String {
    if tags.is_empty() {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Tagging></Tagging>".to_string();
    }
    tagging::document(tags, None)
}
