//! The COS inventory client: the protocol core's [`Client`] in the COS [`Dialect`].
//!
//! What COS does differently: its LIST document is `ListInventoryConfigurationResult`, a 404
//! whose code names the inventory means "no configurations" (on the first page), error answers
//! carry `x-cos-request-id` and without an `<Error>` body are described field by field, and
//! each attempt is signed by [`super::request`] (retries say so in a signed header). A PUT
//! creates or replaces.

use super::request::{self, Headers, SignedRequest};
use super::{response, xml};
use crate::model::{Inventory, Provider};
use crate::provider::discovery_response::BucketListing;
use crate::provider::document::ConfigReader;
use crate::provider::protocol::{Attempt, Client, Dialect};
use crate::provider::response::{ErrorFallback, ErrorShape};
use crate::provider::wire::XmlError;
use crate::provider::{BoxError, ServiceError};

/// The COS dialect of the inventory protocol.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cos;

/// Client of the COS bucket inventory API.
pub type CosClient = Client<Cos>;

impl Dialect for Cos {
    const PROVIDER: Provider = Provider::COS;
    const TITLE: &'static str = "COS";
    const CREDENTIALS_TITLE: &'static str = "COS";
    const LIST_ROOT: &'static str = "ListInventoryConfigurationResult";
    const ERRORS: ErrorShape = ErrorShape {
        request_id_header: "x-cos-request-id",
        ec_header: None,
        fallback: ErrorFallback::PerField,
    };
    const READER: ConfigReader<'static> = response::READER;
    // GET Service (COS API, https://cloud.tencent.com/document/product/436/8291): the region
    // in `Location`; when `IsTruncated` is true, `NextMarker` is sent back as `marker`. The
    // region filter is the regional service host; no prefix filter.
    const BUCKET_LISTING: BucketListing = BucketListing {
        token_param: "marker",
        page_size: None,
        prefix_param: None,
        region_param: None,
        next_token_element: "NextMarker",
        truncated_element: Some("IsTruncated"),
        region_elements: &[("Location", "")],
        service_region: "",
    };

    /// A LIST 404 that says "no inventory configuration" rather than "no bucket" (real COS's
    /// answer for a bucket without configurations is not documented).
    fn means_no_configurations(error: &ServiceError) -> bool {
        error.status == 404 && error.code.contains("Inventory")
    }

    /// Bucket tagging of a bucket without tags: 404 `NoSuchTagSetError` (COS API "DELETE
    /// Bucket tagging", https://cloud.tencent.com/document/product/436/34836), or the
    /// `NoSuchTagSet` S3 answers, which COS's S3-compatible error codes also name.
    fn means_no_tags(error: &ServiceError) -> bool {
        error.status == 404 && matches!(error.code.as_str(), "NoSuchTagSetError" | "NoSuchTagSet")
    }

    fn put_body(inventory: &Inventory) -> Option<Result<String, XmlError>> {
        let cos = inventory.downcast_ref::<super::model::CosInventory>()?;
        Some(xml::to_string(&xml::InventoryConfiguration::from(cos)))
    }

    fn build(&self, at: &Attempt<'_>) -> Result<SignedRequest, BoxError> {
        let number = request::Attempt::from_number(at.number);
        Ok(request::build(at.call, at.target, number, at.credentials)?)
    }

    fn authorize(&self, request: &SignedRequest, at: &Attempt<'_>) -> Result<Headers, BoxError> {
        Ok(request::authorize(request, at.call, at.credentials, at.now))
    }
}
