//! S3's bucket listing (`ListBuckets`) and bucket tags (`Get/Put/DeleteBucketTagging`). Pure.
//!
//! Sources: botocore 1.44.8 `s3/2006-03-01/service-2.json` (`ListBucketsRequest`,
//! `ListBucketsOutput`, `MaxBuckets` 1..=10000, `Tag`, `PutBucketTagging`'s required
//! checksum) and `paginators-1.json`; the S3 API reference pages of the same calls
//! (`shared/reference/s3-api.md`, "Bucket listing and tags").

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::emulator::bucket_index::BucketFilter;
use crate::emulator::clock;
use crate::emulator::dialect::BucketListing;
use crate::emulator::errors::{ApiError, element};
use crate::emulator::route::ApiRequest;
use crate::emulator::tagging::{self, Length, TagFault, TagRules};
use crate::emulator::token;
use crate::provider::s3::xml::NAMESPACE;
use std::time::{Duration, UNIX_EPOCH};

/// Most buckets on one page, and the page size of a paginated request without
/// `max-buckets`.
pub(crate) const MAX_BUCKETS: usize = 10_000;

/// S3's limits on bucket tags: 50 tags, keys of 1–128 and values of 0–256 Unicode
/// characters, `aws:` reserved.
pub(crate) static TAG_RULES: TagRules = TagRules {
    max_tags: 50,
    max_key: 128,
    max_value: 256,
    length: Length::Chars,
    reserved_prefixes: &["aws:"],
    allowed: None,
};

/// True when the request uses any of `ListBuckets`' parameters: it is then paginated (at most
/// [`MAX_BUCKETS`] a page) and each bucket carries its `BucketRegion`. Without any, S3
/// answers every bucket at once.
fn paginated(request: &ApiRequest) -> bool {
    [
        "max-buckets",
        "continuation-token",
        "prefix",
        "bucket-region",
    ]
    .iter()
    .any(|name| request.param(name).is_some())
}

/// The page a `ListBuckets` request asks for.
///
/// # Errors
/// 400 `InvalidArgument` for a `max-buckets` outside 1..=10000 or a continuation token the
/// emulator did not issue.
pub(crate) fn bucket_filter(request: &ApiRequest) -> Result<BucketFilter, ApiError> {
    let limit = match request.page_size("max-buckets", MAX_BUCKETS) {
        Some(size) => size.map_err(|raw| {
            ApiError::new(
                400,
                "InvalidArgument",
                "Argument max-buckets must be an integer between 1 and 10000",
            )
            .with_extra("ArgumentName", "max-buckets")
            .with_extra("ArgumentValue", raw)
        })?,
        None if paginated(request) => MAX_BUCKETS,
        None => usize::MAX,
    };
    let after = match request.non_empty_param("continuation-token") {
        Some(t) => Some(token::decode(t).ok_or_else(super::rules::invalid_continuation_token)?),
        None => None,
    };
    Ok(BucketFilter {
        prefix: request.param("prefix").unwrap_or_default().to_string(),
        after,
        region: request.non_empty_param("bucket-region").map(str::to_string),
        tag: None,
        limit,
    })
}

/// The canonical user id of the account that owns every emulated bucket (64 hex
/// characters, like real ones).
pub(crate) fn owner_id(account_id: &str) -> String {
    Sha256::digest(format!("invsync-s3-owner/{account_id}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `ListBuckets` answer: `Buckets` (`Name`, `CreationDate`, and `BucketRegion` when
/// paginated), `Owner`, then `ContinuationToken` when more buckets follow and `Prefix` when
/// one was sent.
pub(crate) fn buckets_document(listing: &BucketListing<'_>) -> String {
    let with_region = paginated(listing.request);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListAllMyBucketsResult xmlns=\"{NAMESPACE}\"><Buckets>"
    );
    for bucket in &listing.page.buckets {
        out.push_str("<Bucket>");
        element(&mut out, "Name", &bucket.name);
        let created = UNIX_EPOCH + Duration::from_secs(bucket.created);
        element(&mut out, "CreationDate", &clock::iso8601_millis(created));
        if with_region {
            element(&mut out, "BucketRegion", &bucket.region);
        }
        out.push_str("</Bucket>");
    }
    out.push_str("</Buckets><Owner>");
    element(&mut out, "DisplayName", "invsync-emulator");
    element(&mut out, "ID", &owner_id(&listing.config.s3_account_id));
    out.push_str("</Owner>");
    if let Some(next) = listing.page.next_marker() {
        element(&mut out, "ContinuationToken", &token::encode(next));
    }
    if let Some(prefix) = listing.request.param("prefix") {
        element(&mut out, "Prefix", prefix);
    }
    out.push_str("</ListAllMyBucketsResult>");
    out
}

fn invalid_tag(message: &str) -> ApiError {
    ApiError::new(400, "InvalidTag", message)
}

/// S3's answer for a tagging body it refuses.
pub(crate) fn tag_error(fault: &TagFault) -> ApiError {
    match fault {
        TagFault::Malformed => super::rules::malformed_xml(),
        TagFault::TooMany => invalid_tag("Bucket tag count cannot be greater than 50"),
        TagFault::DuplicateKey(_) => invalid_tag("Cannot provide multiple Tags with the same key"),
        TagFault::InvalidKey(_) => invalid_tag("The TagKey you have provided is invalid"),
        TagFault::InvalidValue(_) => invalid_tag("The TagValue you have provided is invalid"),
        TagFault::ReservedKey(_) => invalid_tag("Your TagKey cannot be prefixed with aws:"),
    }
}

/// The `GetBucketTagging` answer; 404 `NoSuchTagSet` for a bucket without tags.
///
/// # Errors
/// That 404.
pub(crate) fn tags_document(tags: &BTreeMap<String, String>) -> Result<String, ApiError> {
    if tags.is_empty() {
        return Err(ApiError::new(
            404,
            "NoSuchTagSet",
            "The TagSet does not exist",
        ));
    }
    Ok(tagging::document(tags, Some(NAMESPACE)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::bucket_index::{BucketPage, ListedBucket};
    use crate::emulator::call::{BucketCall, Call};
    use crate::emulator::config::EmulatorConfig;
    use crate::model::Provider;

    fn request(query: &[(&str, &str)]) -> ApiRequest {
        ApiRequest {
            provider: Provider::S3,
            bucket: String::new(),
            region: None,
            call: Call::Bucket(BucketCall::ListBuckets),
            id: None,
            token: None,
            path: "/".into(),
            params: query
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            key: String::new(),
        }
    }

    #[test]
    fn without_parameters_every_bucket_comes_at_once_and_with_any_at_most_ten_thousand() {
        assert_eq!(bucket_filter(&request(&[])).unwrap().limit, usize::MAX);
        assert_eq!(
            bucket_filter(&request(&[("prefix", "a")])).unwrap().limit,
            MAX_BUCKETS
        );
        assert_eq!(
            bucket_filter(&request(&[("max-buckets", "7")]))
                .unwrap()
                .limit,
            7
        );
        for bad in ["0", "10001", "x"] {
            let error = bucket_filter(&request(&[("max-buckets", bad)])).unwrap_err();
            assert_eq!(
                (error.status, error.code.as_str()),
                (400, "InvalidArgument")
            );
        }
        let token = bucket_filter(&request(&[("continuation-token", "nope")])).unwrap_err();
        assert_eq!(token.code, "InvalidArgument");
    }

    #[test]
    fn a_truncated_page_carries_a_token_that_resumes_after_its_last_bucket() {
        let req = request(&[("max-buckets", "1"), ("prefix", "b")]);
        let page = BucketPage {
            buckets: vec![ListedBucket {
                name: "b1".into(),
                region: "eu-west-1".into(),
                created: 0,
            }],
            truncated: true,
        };
        let filter = bucket_filter(&req).unwrap();
        let doc = buckets_document(&BucketListing {
            request: &req,
            filter: &filter,
            page: &page,
            config: &EmulatorConfig::default(),
        });
        assert!(doc.contains(
            "<Bucket><Name>b1</Name><CreationDate>1970-01-01T00:00:00.000Z</CreationDate>\
             <BucketRegion>eu-west-1</BucketRegion></Bucket>"
        ));
        let token = doc
            .split("<ContinuationToken>")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .unwrap();
        let next = request(&[("continuation-token", token)]);
        assert_eq!(bucket_filter(&next).unwrap().after.as_deref(), Some("b1"));
        assert!(doc.ends_with("<Prefix>b</Prefix></ListAllMyBucketsResult>"));
    }
}
