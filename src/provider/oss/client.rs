//! The OSS inventory client: the protocol core's [`Client`] in the OSS [`Dialect`].
//!
//! What OSS does differently: 404 `NoSuchInventory` answering the first LIST page is an empty
//! list (OSS answers so for a bucket without configurations), error answers carry
//! `x-oss-request-id` and `x-oss-ec`, each attempt is signed by [`super::request`] with the
//! client's [`SignatureVersion`] (path style for IP and `localhost` endpoints, `Content-MD5`
//! on PUT, `x-oss-security-token` with temporary credentials), and a PUT of an existing id is
//! refused with 409.

use super::request::{self, Headers, SignatureVersion, SignedRequest};
use super::{response, xml};
use crate::model::{Inventory, Provider};
use crate::provider::discovery_response::BucketListing;
use crate::provider::document::ConfigReader;
use crate::provider::protocol::{Attempt, Client, Dialect};
use crate::provider::response::{ErrorFallback, ErrorShape};
use crate::provider::wire::XmlError;
use crate::provider::{BoxError, ServiceError};

/// The OSS dialect of the inventory protocol, signing with one signature version.
#[derive(Debug, Clone, Copy, Default)]
pub struct Oss {
    pub(crate) signature_version: SignatureVersion,
}

/// Client of the OSS bucket inventory API.
pub type OssClient = Client<Oss>;

impl Client<Oss> {
    /// The same client signing with `version`.
    pub fn with_signature_version(mut self, version: SignatureVersion) -> Self {
        self.dialect.signature_version = version;
        self
    }
}

impl Dialect for Oss {
    const PROVIDER: Provider = Provider::OSS;
    const TITLE: &'static str = "OSS";
    const CREDENTIALS_TITLE: &'static str = "OSS";
    const LIST_ROOT: &'static str = "ListInventoryConfigurationsResult";
    const ERRORS: ErrorShape = ErrorShape {
        request_id_header: "x-oss-request-id",
        ec_header: Some("x-oss-ec"),
        fallback: ErrorFallback::Unknown { title: "OSS" },
    };
    const READER: ConfigReader<'static> = response::READER;
    // ListBuckets (GetService), https://www.alibabacloud.com/help/en/oss/developer-reference/listbuckets:
    // `prefix`, `marker`, `max-keys` (at most 1,000); `IsTruncated` and `NextMarker` only
    // when more follow; the region in `Region` (newer answers) or `Location` (`oss-` prefix).
    // A tags read of a bucket without tags is an empty `<Tagging>` (GetBucketTags), so no
    // error answer means "no tags".
    const BUCKET_LISTING: BucketListing = BucketListing {
        token_param: "marker",
        page_size: Some(("max-keys", "1000")),
        prefix_param: Some("prefix"),
        region_param: None,
        next_token_element: "NextMarker",
        truncated_element: Some("IsTruncated"),
        region_elements: &[("Region", ""), ("Location", "oss-")],
        service_region: "cn-hangzhou",
    };

    /// OSS answers a bucket without configurations with 404 `NoSuchInventory`.
    fn means_no_configurations(error: &ServiceError) -> bool {
        error.status == 404 && error.code == "NoSuchInventory"
    }

    fn put_body(inventory: &Inventory) -> Option<Result<String, XmlError>> {
        let oss = inventory.downcast_ref::<super::model::OssInventory>()?;
        Some(xml::to_string(&xml::InventoryConfiguration::from(oss)))
    }

    fn build(&self, at: &Attempt<'_>) -> Result<SignedRequest, BoxError> {
        let version = self.signature_version;
        Ok(request::build(
            at.call,
            at.target,
            version,
            at.credentials,
            at.now,
        )?)
    }

    fn authorize(&self, request: &SignedRequest, at: &Attempt<'_>) -> Result<Headers, BoxError> {
        let version = self.signature_version;
        Ok(request::authorize(
            request,
            at.call,
            at.target,
            version,
            at.credentials,
            at.now,
        ))
    }
}
