//! The S3 inventory client: the protocol core's [`Client`] in the S3 [`Dialect`].
//!
//! What S3 does differently: a bucket without configurations is a 200 page (no error answer
//! means "none"), error answers carry `x-amz-request-id`, credentials are named `AWS`, and each
//! attempt is signed with SigV4 by [`super::request`] (virtual-hosted by default, path style
//! for IP, `localhost` and `forcePathStyle` endpoints, `x-amz-expected-bucket-owner` on every
//! request when set). A PUT creates or replaces.

use super::endpoint::Addressing;
use super::manifest::S3BucketOptions;
use super::request::{self, Headers, SignedRequest};
use super::{response, xml};
use crate::model::{Inventory, Provider};
use crate::provider::discovery_response::BucketListing;
use crate::provider::document::ConfigReader;
use crate::provider::protocol::{Attempt, Client, Dialect};
use crate::provider::response::{ErrorFallback, ErrorShape};
use crate::provider::wire::XmlError;
use crate::provider::{BoxError, ServiceError};

/// The S3 dialect of the inventory protocol, with the bucket's `expectedBucketOwner` and
/// `forcePathStyle`.
#[derive(Debug, Clone, Default)]
pub struct S3 {
    /// The bucket's S3-only manifest keys (`expectedBucketOwner`, `forcePathStyle`, `profile`).
    pub options: S3BucketOptions,
}

/// Client of the S3 bucket inventory API.
pub type S3Client = Client<S3>;

impl Client<S3> {
    /// The same client with the bucket's `expectedBucketOwner` and `forcePathStyle`.
    pub fn with_options(mut self, options: S3BucketOptions) -> Self {
        self.dialect.options = options;
        self
    }
}

impl Dialect for S3 {
    const PROVIDER: Provider = Provider::S3;
    const TITLE: &'static str = "S3";
    const CREDENTIALS_TITLE: &'static str = "AWS";
    const LIST_ROOT: &'static str = "ListInventoryConfigurationsResult";
    const ERRORS: ErrorShape = ErrorShape {
        request_id_header: "x-amz-request-id",
        ec_header: None,
        fallback: ErrorFallback::Unknown { title: "S3" },
    };
    const READER: ConfigReader<'static> = response::READER;
    // ListBuckets (S3 API reference; botocore service-2.json `ListBuckets`): paged with
    // `max-buckets` (1-10,000) and `continuation-token`, the next token in
    // `ContinuationToken` and no `IsTruncated`; `prefix` and `bucket-region` filter on the
    // service side, the latter only on that region's endpoint.
    const BUCKET_LISTING: BucketListing = BucketListing {
        token_param: "continuation-token",
        page_size: Some(("max-buckets", "1000")),
        prefix_param: Some("prefix"),
        region_param: Some("bucket-region"),
        next_token_element: "ContinuationToken",
        truncated_element: None,
        region_elements: &[("BucketRegion", "")],
        service_region: "us-east-1",
    };

    /// GetBucketTagging's "special error" for a bucket without tags (S3 API reference).
    fn means_no_tags(error: &ServiceError) -> bool {
        error.status == 404 && error.code == "NoSuchTagSet"
    }

    fn put_body(inventory: &Inventory) -> Option<Result<String, XmlError>> {
        let s3 = inventory.downcast_ref::<super::model::S3Inventory>()?;
        Some(xml::to_string(&xml::InventoryConfiguration::from(s3)))
    }

    fn build(&self, at: &Attempt<'_>) -> Result<SignedRequest, BoxError> {
        let addressing = Addressing {
            endpoint: at.target.endpoint,
            force_path_style: self.options.force_path_style,
        };
        let target = request::Target {
            bucket: at.target.bucket,
            region: at.target.region,
            addressing,
            expected_bucket_owner: self.options.expected_bucket_owner.as_deref(),
        };
        Ok(request::build(at.call, target)?)
    }

    fn authorize(&self, request: &SignedRequest, at: &Attempt<'_>) -> Result<Headers, BoxError> {
        Ok(request::authorize(
            request,
            at.target.region,
            at.credentials,
            at.now,
        )?)
    }
}
