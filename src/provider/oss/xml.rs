//! Wire types of the OSS inventory API's XML bodies, shared by the client and the emulator.
//!
//! Reading is tolerant, because real servers and SDKs differ: elements in any order, booleans in
//! any case (oss2 sends `True`), empty numeric elements read as absent (`<LowerSizeBound/>`),
//! `<SSE-OSS/>` and `<SSE-OSS></SSE-OSS>` alike. Unknown elements are ignored here and found by
//! [`crate::provider::document`] against [`KNOWN_ELEMENTS`]. Enumerated values
//! (`Format`, `Frequency`, `IncludedObjectVersions`, `Field`) stay strings here, because
//! quick-xml can misread enum text content and because the conversion to the domain model is
//! the place that names a bad value. Writing is canonical: the documented element order (Id,
//! IsEnabled, Destination, Schedule, Filter, IncludedObjectVersions, OptionalFields,
//! IncrementalInventory), lowercase
//! booleans, no XML declaration, absent optional elements left out.
//!
//! Element names are the fields' names in PascalCase (`rename_all`); only elements spelled
//! otherwise are renamed. Every struct reads a missing element as its default. Reading and
//! writing go through [`crate::provider::wire`] ([`from_bytes`], [`to_string`]).

use serde::{Deserialize, Deserializer, Serialize};

pub use crate::provider::wire::{
    OptionalFields, XmlError, XmlRoot, from_bytes, from_str, to_string,
};

/// Every element path below `InventoryConfiguration` these wire types read. Any other element
/// in a live configuration makes it foreign: writing it back would drop the element.
pub(crate) const KNOWN_ELEMENTS: &[&str] = &[
    "Id",
    "IsEnabled",
    "Destination",
    "Destination/OSSBucketDestination",
    "Destination/OSSBucketDestination/Format",
    "Destination/OSSBucketDestination/AccountId",
    "Destination/OSSBucketDestination/RoleArn",
    "Destination/OSSBucketDestination/Bucket",
    "Destination/OSSBucketDestination/Prefix",
    "Destination/OSSBucketDestination/Encryption",
    "Destination/OSSBucketDestination/Encryption/SSE-OSS",
    "Destination/OSSBucketDestination/Encryption/SSE-KMS",
    "Destination/OSSBucketDestination/Encryption/SSE-KMS/KeyId",
    "Schedule",
    "Schedule/Frequency",
    "Schedule/DayOfMonth",
    "Schedule/AutoDelete",
    "Filter",
    "Filter/Prefix",
    "Filter/LastModifyBeginTimeStamp",
    "Filter/LastModifyEndTimeStamp",
    "Filter/LowerSizeBound",
    "Filter/UpperSizeBound",
    "Filter/StorageClass",
    "IncludedObjectVersions",
    "OptionalFields",
    "OptionalFields/Field",
    "IncrementalInventory",
    "IncrementalInventory/IsEnabled",
    "IncrementalInventory/Schedule",
    "IncrementalInventory/Schedule/Frequency",
    "IncrementalInventory/OptionalFields",
    "IncrementalInventory/OptionalFields/Field",
];

/// Body of PutBucketInventory and GetBucketInventory, and one item of a list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename = "InventoryConfiguration", rename_all = "PascalCase", default)]
pub struct InventoryConfiguration {
    /// Empty when the element is missing (the server answers EC 0020-00000005).
    pub id: String,
    #[serde(deserialize_with = "opt_bool", skip_serializing_if = "Option::is_none")]
    pub(crate) is_enabled: Option<bool>,
    /// `<Destination>`: where reports go; `None` when absent (the conversion refuses it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<Destination>,
    /// `<Schedule>`: when reports are made; `None` when absent (the conversion refuses it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// `<Filter>`: which objects the report covers; `None` when absent (every object).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
    /// `All` or `Current`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub included_object_versions: Option<String>,
    /// `<OptionalFields>`: the report's extra columns; `None` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optional_fields: Option<OptionalFields>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) incremental_inventory: Option<IncrementalInventory>,
}

/// `<IncrementalInventory>` (python-v2 `IncrementalInventory`, element names as its model and
/// live integration test write them).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IncrementalInventory {
    #[serde(deserialize_with = "opt_bool", skip_serializing_if = "Option::is_none")]
    pub(crate) is_enabled: Option<bool>,
    /// `<Schedule>`: how often records are written; `None` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<IncrementalSchedule>,
    /// `<OptionalFields>`: the record columns; `None` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optional_fields: Option<OptionalFields>,
}

/// `<IncrementalInventory><Schedule>`: the interval in seconds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct IncrementalSchedule {
    /// `<Frequency>`: seconds between records (OSS documents 600); `None` when absent.
    #[serde(deserialize_with = "opt_u64", skip_serializing_if = "Option::is_none")]
    pub frequency: Option<u64>,
}

/// `<Destination>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Destination {
    #[serde(
        rename = "OSSBucketDestination",
        skip_serializing_if = "Option::is_none"
    )]
    pub(crate) oss_bucket_destination: Option<OssBucketDestination>,
}

/// `<Destination><OSSBucketDestination>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct OssBucketDestination {
    /// `CSV`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// `acs:oss:::<bucket-name>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Encryption>,
}

/// `<Encryption>`: exactly one of its children should be present.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Encryption {
    /// Presence is the flag: `<SSE-OSS/>` or `<SSE-OSS></SSE-OSS>`.
    #[serde(
        rename = "SSE-OSS",
        deserialize_with = "presence",
        skip_serializing_if = "Option::is_none"
    )]
    pub sse_oss: Option<SseOss>,
    /// `<SSE-KMS>`: reports encrypted with a KMS key; `None` when absent.
    #[serde(rename = "SSE-KMS", skip_serializing_if = "Option::is_none")]
    pub sse_kms: Option<SseKms>,
}

/// `<SSE-OSS/>`, an element without content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SseOss {}

/// `<SSE-KMS><KeyId>…</KeyId></SSE-KMS>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SseKms {
    /// `<KeyId>`: the KMS key id; empty when the element is missing.
    pub key_id: String,
}

/// `<Schedule>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Schedule {
    /// `Daily`, `Weekly`, `Monthly` or `Once`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency: Option<String>,
    /// 1..=31, with `Monthly`; text here, checked by the conversion.
    #[serde(deserialize_with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub day_of_month: Option<String>,
    /// With `Once`: delete the configuration after its run.
    #[serde(deserialize_with = "opt_bool", skip_serializing_if = "Option::is_none")]
    pub auto_delete: Option<bool>,
}

/// `<Filter>`. Written in the order the Go v2 SDK emits (Prefix last).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Filter {
    /// Unix seconds.
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub last_modify_begin_time_stamp: Option<i64>,
    /// Unix seconds.
    #[serde(deserialize_with = "opt_i64", skip_serializing_if = "Option::is_none")]
    pub last_modify_end_time_stamp: Option<i64>,
    /// Bytes.
    #[serde(deserialize_with = "opt_u64", skip_serializing_if = "Option::is_none")]
    pub lower_size_bound: Option<u64>,
    /// Bytes.
    #[serde(deserialize_with = "opt_u64", skip_serializing_if = "Option::is_none")]
    pub upper_size_bound: Option<u64>,
    /// Comma-separated list, e.g. `Standard,IA`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
    /// `<Prefix>`: the object key prefix; `None` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
}

/// Body of ListBucketInventory.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(
    rename = "ListInventoryConfigurationsResult",
    rename_all = "PascalCase",
    default
)]
pub struct ListInventoryConfigurationsResult {
    #[serde(rename = "InventoryConfiguration")]
    pub(crate) inventory_configurations: Vec<InventoryConfiguration>,
    /// Absent reads as `false`.
    #[serde(deserialize_with = "lenient_bool")]
    pub(crate) is_truncated: bool,
    /// Echo of the token the request carried.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) continuation_token: Option<String>,
    /// The token of the next page, present only when truncated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) next_continuation_token: Option<String>,
}

/// An OSS error body (`<Error>`), in the order the service writes it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename = "Error", rename_all = "PascalCase", default)]
pub struct Error {
    /// `<Code>`: the error code, e.g. `NoSuchBucket`.
    pub code: String,
    /// `<Message>`: the human-readable explanation.
    pub message: String,
    /// `<RequestId>`: the request's id, for support tickets.
    pub request_id: String,
    /// `<HostId>`: the host the request was sent to, e.g. `bucket.oss-cn-hangzhou.aliyuncs.com`.
    pub host_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) bucket_name: Option<String>,
    /// SignatureDoesNotMatch only.
    #[serde(rename = "OSSAccessKeyId", skip_serializing_if = "Option::is_none")]
    pub(crate) oss_access_key_id: Option<String>,
    /// SignatureDoesNotMatch only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) signature_provided: Option<String>,
    /// SignatureDoesNotMatch only: what the server signed, to compare with the client's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub string_to_sign: Option<String>,
    /// SignatureDoesNotMatch only: the same as space-separated hex bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) string_to_sign_bytes: Option<String>,
    /// MalformedXML only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error_detail: Option<String>,
    /// The detailed error code, e.g. `0015-00000101`.
    #[serde(rename = "EC", skip_serializing_if = "Option::is_none")]
    pub ec: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) recommend_doc: Option<String>,
}

impl XmlRoot for InventoryConfiguration {
    const ROOT: &'static str = "InventoryConfiguration";
}

impl XmlRoot for ListInventoryConfigurationsResult {
    const ROOT: &'static str = "ListInventoryConfigurationsResult";
}

impl XmlRoot for Error {
    const ROOT: &'static str = "Error";
}

/// Text of an element, `None` when the element is empty or only whitespace.
fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    Ok(text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()))
}

fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    opt_text(d)?
        .map(|t| {
            crate::provider::wire::parse_bool(&t)
                .ok_or_else(|| serde::de::Error::custom(format!("`{t}` is not true or false")))
        })
        .transpose()
}

fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(opt_bool(d)?.unwrap_or(false))
}

fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    opt_text(d)?
        .map(|t| {
            t.parse()
                .map_err(|_| serde::de::Error::custom(format!("`{t}` is not an integer")))
        })
        .transpose()
}

fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    opt_text(d)?
        .map(|t| {
            t.parse().map_err(|_| {
                serde::de::Error::custom(format!("`{t}` is not a non-negative integer"))
            })
        })
        .transpose()
}

/// `Some(SseOss)` whenever the element is there, whatever (or nothing) it contains.
fn presence<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SseOss>, D::Error> {
    serde::de::IgnoredAny::deserialize(d)?;
    Ok(Some(SseOss {}))
}

#[cfg(test)]
#[path = "xml_tests.rs"]
pub(crate) mod tests;
