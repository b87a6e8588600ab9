//! Wire types of the S3 inventory API's XML bodies (2006-03-01), shared by the client and the
//! emulator.
//!
//! Reading is tolerant: elements in any order, an XML declaration, the S3 namespace or none,
//! `<SSE-S3/>` and `<SSE-S3></SSE-S3>` alike. Unknown elements are ignored here and found by
//! [`crate::provider::document`] against [`KNOWN_ELEMENTS`]. Booleans and enumerated values
//! (`IsEnabled`, `Format`, `Frequency`, `IncludedObjectVersions`, `Field`) stay text, so that
//! [`super::convert`] names a bad value with its element.
//!
//! Writing is canonical: the member order of the service model (which is the order the AWS
//! SDKs send), the S3 namespace on the root, lowercase booleans, no XML declaration, empty
//! elements expanded, absent optional elements left out.

use serde::{Deserialize, Serialize};

pub use crate::provider::wire::{
    OptionalFields, XmlError, XmlRoot, from_bytes, from_str, to_string,
};

/// The namespace of every S3 body (`xmlNamespace` of the service model).
pub const NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// Every element path below `InventoryConfiguration` these wire types read. Any other element
/// in a live configuration makes it foreign: writing it back would drop the element.
pub(crate) const KNOWN_ELEMENTS: &[&str] = &[
    "Destination",
    "Destination/S3BucketDestination",
    "Destination/S3BucketDestination/AccountId",
    "Destination/S3BucketDestination/Bucket",
    "Destination/S3BucketDestination/Format",
    "Destination/S3BucketDestination/Prefix",
    "Destination/S3BucketDestination/Encryption",
    "Destination/S3BucketDestination/Encryption/SSE-S3",
    "Destination/S3BucketDestination/Encryption/SSE-KMS",
    "Destination/S3BucketDestination/Encryption/SSE-KMS/KeyId",
    "IsEnabled",
    "Filter",
    "Filter/Prefix",
    "Id",
    "IncludedObjectVersions",
    "OptionalFields",
    "OptionalFields/Field",
    "Schedule",
    "Schedule/Frequency",
];

/// Body of PutBucketInventoryConfiguration and GetBucketInventoryConfiguration, and one item
/// of a list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename = "InventoryConfiguration")]
pub struct InventoryConfiguration {
    /// [`NAMESPACE`] when written; whatever the body said when read.
    #[serde(rename = "@xmlns", default, skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<String>,
    /// `<Destination>`: where the reports are written.
    #[serde(
        rename = "Destination",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub destination: Option<Destination>,
    /// `true` or `false`, text here.
    #[serde(rename = "IsEnabled", default, skip_serializing_if = "Option::is_none")]
    pub(crate) is_enabled: Option<String>,
    /// `<Filter>`; `None` lists every object.
    #[serde(rename = "Filter", default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
    /// Empty when the element is missing.
    #[serde(rename = "Id", default)]
    pub id: String,
    /// `All` or `Current`.
    #[serde(
        rename = "IncludedObjectVersions",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub included_object_versions: Option<String>,
    /// `<OptionalFields>`: the metadata columns beyond the default ones.
    #[serde(
        rename = "OptionalFields",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub optional_fields: Option<OptionalFields>,
    /// `<Schedule>`: how often a report is produced.
    #[serde(rename = "Schedule", default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
}

/// `<Destination>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Destination {
    #[serde(
        rename = "S3BucketDestination",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) s3_bucket_destination: Option<S3BucketDestination>,
}

/// `<Destination><S3BucketDestination>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct S3BucketDestination {
    /// The 12-digit account owning the destination bucket.
    #[serde(rename = "AccountId", default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// `arn:aws:s3:::<bucket-name>`.
    #[serde(rename = "Bucket", default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// `CSV`, `ORC` or `Parquet`.
    #[serde(rename = "Format", default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Key prefix the reports are written under in the destination bucket; `None` for none.
    #[serde(rename = "Prefix", default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// `<Encryption>` of the reports; `None` leaves it to the destination bucket.
    #[serde(
        rename = "Encryption",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub encryption: Option<Encryption>,
}

/// `<Encryption>`: exactly one of its children should be present.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Encryption {
    /// Presence is the flag: `<SSE-S3/>` or `<SSE-S3></SSE-S3>`.
    #[serde(
        rename = "SSE-S3",
        default,
        deserialize_with = "presence",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) sse_s3: Option<SseS3>,
    /// `<SSE-KMS>`: reports encrypted with this KMS key.
    #[serde(rename = "SSE-KMS", default, skip_serializing_if = "Option::is_none")]
    pub sse_kms: Option<SseKms>,
}

/// `<SSE-S3/>`, an element without content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SseS3 {}

/// `<SSE-KMS><KeyId>…</KeyId></SSE-KMS>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SseKms {
    /// Empty when the element is missing.
    #[serde(rename = "KeyId", default)]
    pub key_id: String,
}

/// `<Filter>`: the service model's only filter member is `Prefix`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Filter {
    /// `<Prefix>`: only objects whose key starts with it are listed.
    #[serde(rename = "Prefix", default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
}

/// `<Schedule>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Schedule {
    /// `Daily` or `Weekly`.
    #[serde(rename = "Frequency", default, skip_serializing_if = "Option::is_none")]
    pub frequency: Option<String>,
}

/// Body of ListBucketInventoryConfigurations.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename = "ListInventoryConfigurationsResult")]
pub struct ListInventoryConfigurationsResult {
    /// [`NAMESPACE`] when written; whatever the body said when read.
    #[serde(rename = "@xmlns", default, skip_serializing_if = "Option::is_none")]
    pub xmlns: Option<String>,
    /// Echo of the token the request carried.
    #[serde(
        rename = "ContinuationToken",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) continuation_token: Option<String>,
    /// Flattened: one `InventoryConfiguration` element per configuration, sorted by id.
    #[serde(rename = "InventoryConfiguration", default)]
    pub(crate) inventory_configurations: Vec<InventoryConfiguration>,
    /// `true` or `false`.
    #[serde(rename = "IsTruncated", default)]
    pub(crate) is_truncated: String,
    /// The token of the next page, present only when truncated.
    #[serde(
        rename = "NextContinuationToken",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) next_continuation_token: Option<String>,
}

/// An S3 error body (`<Error>`), in the order the service writes it. Other children (e.g.
/// `Region` of `AuthorizationHeaderMalformed`) are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename = "Error")]
pub struct Error {
    /// `<Code>`, e.g. `NoSuchConfiguration` or `AccessDenied`; empty when missing.
    #[serde(rename = "Code", default)]
    pub code: String,
    /// `<Message>`: the service's human-readable explanation.
    #[serde(rename = "Message", default)]
    pub message: String,
    /// `<RequestId>`: the id to quote to AWS support.
    #[serde(rename = "RequestId", default)]
    pub request_id: String,
    /// `<HostId>`: the extended request id (`x-amz-id-2`).
    #[serde(rename = "HostId", default)]
    pub host_id: String,
}

impl XmlRoot for InventoryConfiguration {
    const ROOT: &'static str = "InventoryConfiguration";
    const EXPAND_EMPTY_ELEMENTS: bool = true;
}

impl XmlRoot for ListInventoryConfigurationsResult {
    const ROOT: &'static str = "ListInventoryConfigurationsResult";
    const EXPAND_EMPTY_ELEMENTS: bool = true;
}

impl XmlRoot for Error {
    const ROOT: &'static str = "Error";
    const EXPAND_EMPTY_ELEMENTS: bool = true;
}

/// `Some(SseS3)` whenever the element is there, whatever (or nothing) it contains.
fn presence<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<SseS3>, D::Error> {
    serde::de::IgnoredAny::deserialize(d)?;
    Ok(Some(SseS3 {}))
}

#[cfg(test)]
#[path = "xml_tests.rs"]
pub(crate) mod tests;
