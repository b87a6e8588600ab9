//! COS inventory wire types: the XML bodies of PUT/GET/LIST Bucket inventory and error answers.
//!
//! Shared by the client and the emulator. Reading is tolerant of everything real clients and
//! the real service are known to send (`reference/cos-api.md` §2, §7.5): any element order,
//! an XML declaration, an `xmlns`, `<Filter><Prefix>` as well as `<Filter><And>…</And>`,
//! empty `<And/>` and `<OptionalFields/>`, `<SSE-COS/>` as well as PY's `<SSECOS/>`, any case
//! of booleans, unknown elements. Enum-like values stay text here and are checked by
//! [`super::convert`], so a bad value is reported with its element name.
//!
//! Writing is canonical: GO SDK element order, empty elements expanded
//! (`<SSE-COS></SSE-COS>`, as GO writes them), lowercase booleans, no declaration.
//!
//! The wire types remember the shape they were read in (`Filter/Prefix` vs `Filter/And`,
//! `SSE-COS` vs `SSECOS`, absent vs empty `OptionalFields`), so the emulator can answer in the
//! shape a client sent.
//!
//! Element names are the fields' names in PascalCase (`rename_all`); only elements spelled
//! otherwise are renamed. Every struct reads a missing element as its default. Reading and
//! writing go through [`crate::provider::wire`] ([`from_bytes`], [`to_string`]).

use serde::{Deserialize, Serialize};

use crate::provider::wire::lowercase_bool;
pub use crate::provider::wire::{
    OptionalFields, XmlError, XmlRoot, from_bytes, from_str, parse_bool, to_string,
};

/// Every element path below `InventoryConfiguration` these wire types read. Any other element
/// in a live configuration makes it foreign: writing it back would drop the element.
pub(crate) const KNOWN_ELEMENTS: &[&str] = &[
    "Id",
    "IsEnabled",
    "IncludedObjectVersions",
    "Filter",
    "Filter/Prefix",
    "Filter/And",
    "Filter/And/Prefix",
    "Filter/And/Tag",
    "Filter/And/Tag/Key",
    "Filter/And/Tag/Value",
    "Filter/And/StorageClass",
    "Filter/Period",
    "Filter/Period/StartTime",
    "Filter/Period/EndTime",
    "OptionalFields",
    "OptionalFields/Field",
    "Schedule",
    "Schedule/Frequency",
    "Schedule/MonthlyDate",
    "Destination",
    "Destination/COSBucketDestination",
    "Destination/COSBucketDestination/Bucket",
    "Destination/COSBucketDestination/AccountId",
    "Destination/COSBucketDestination/Prefix",
    "Destination/COSBucketDestination/Format",
    "Destination/COSBucketDestination/Encryption",
    "Destination/COSBucketDestination/Encryption/SSE-COS",
    "Destination/COSBucketDestination/Encryption/SSECOS",
];

/// `<InventoryConfiguration>`: the body of PUT and GET, and one entry of LIST.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename = "InventoryConfiguration", rename_all = "PascalCase", default)]
pub struct InventoryConfiguration {
    /// `<Id>`: the configuration id.
    pub id: String,
    /// `true` / `false` in any case when read; written lowercase when it is a boolean.
    #[serde(serialize_with = "lowercase_bool")]
    pub(crate) is_enabled: String,
    /// `All` or `Current`.
    pub included_object_versions: String,
    /// `<Filter>`: which objects the report covers; `None` when absent (every object).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
    /// `<OptionalFields>`: the report's extra columns; `None` when absent, kept apart from an
    /// empty element.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optional_fields: Option<OptionalFields>,
    /// `<Schedule>`: when reports are made; `None` when absent (the conversion refuses it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule>,
    /// `<Destination>`: where reports go; `None` when absent (the conversion refuses it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<Destination>,
}

/// `<Filter>`. Both shapes are kept: `prefix` is `Filter/Prefix` (PY, NODE), `and` is
/// `Filter/And` (GO since v0.7.42, and the service once tags are present).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Filter {
    /// `<Prefix>` directly in `<Filter>`: the object key prefix; `None` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// `<And>`: prefix, tags and storage class together; `None` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub and: Option<FilterAnd>,
    /// `<Period>`: the object creation window; `None` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
}

/// `<Filter><And>`: every condition must match.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct FilterAnd {
    /// `<Prefix>`: the object key prefix; `None` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// `<Tag>` elements, in order: object tags that must all match.
    #[serde(rename = "Tag", skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// `<StorageClass>`: the storage class reported on, e.g. `STANDARD`; `None`
    /// when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
}

/// `<Tag><Key/><Value/></Tag>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Tag {
    /// `<Key>`: the tag key.
    pub key: String,
    /// `<Value>`: the value the object's tag must have.
    pub value: String,
}

/// `<Period>`: object creation window, unix seconds as decimal text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Period {
    /// `<StartTime>`: the earliest creation time; `None` when open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// `<EndTime>`: the latest creation time; `None` when open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
}

/// `<Schedule>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Schedule {
    /// `Daily`, `Weekly`, `Monthly`.
    pub frequency: String,
    /// Day of the month with `Monthly`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monthly_date: Option<String>,
}

/// `<Destination>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Destination {
    #[serde(rename = "COSBucketDestination")]
    pub(crate) cos_bucket_destination: CosBucketDestination,
}

/// `<COSBucketDestination>`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub(crate) struct CosBucketDestination {
    /// `qcs::cos:<region>::<bucket-appid>`.
    pub bucket: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// `CSV`, `ORC`.
    pub format: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Encryption>,
}

/// `<Encryption>`: SSE-COS when either spelling is present.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Encryption {
    /// `<SSE-COS/>`, the documented spelling.
    #[serde(rename = "SSE-COS", skip_serializing_if = "Option::is_none")]
    pub sse_cos: Option<Empty>,
    /// `<SSECOS/>`, what the PY SDK sends when users follow its docs.
    #[serde(rename = "SSECOS", skip_serializing_if = "Option::is_none")]
    pub(crate) ssecos: Option<Empty>,
}

impl Encryption {
    /// The canonical `<Encryption><SSE-COS></SSE-COS></Encryption>`.
    pub fn sse_cos() -> Self {
        Encryption {
            sse_cos: Some(Empty {}),
            ssecos: None,
        }
    }

    /// True when either spelling of SSE-COS is present.
    pub(crate) fn is_sse_cos(&self) -> bool {
        self.sse_cos.is_some() || self.ssecos.is_some()
    }
}

/// An element whose presence is its meaning; any content is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Empty {}

impl<'de> Deserialize<'de> for Empty {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // GO models SSE-COS as a string; whatever text or children it carries mean nothing.
        serde::de::IgnoredAny::deserialize(deserializer)?;
        Ok(Empty {})
    }
}

/// `<ListInventoryConfigurationResult>`: one page of LIST.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(
    rename = "ListInventoryConfigurationResult",
    rename_all = "PascalCase",
    default
)]
pub struct ListInventoryConfigurationResult {
    #[serde(rename = "InventoryConfiguration")]
    pub(crate) inventory_configurations: Vec<InventoryConfiguration>,
    /// `true` / `false`; absent reads as `""`, which [`parse_bool`] rejects.
    #[serde(serialize_with = "lowercase_bool")]
    pub(crate) is_truncated: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) continuation_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) next_continuation_token: Option<String>,
}

impl ListInventoryConfigurationResult {
    #[cfg(test)]
    /// True when `IsTruncated` says so (any case).
    pub(crate) fn truncated(&self) -> bool {
        parse_bool(&self.is_truncated).unwrap_or(false)
    }
}

/// `<Error>`: the body of every COS error answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename = "Error", rename_all = "PascalCase", default)]
pub struct Error {
    /// `<Code>`: the error code, e.g. `NoSuchBucket`.
    pub code: String,
    /// `<Message>`: the human-readable explanation.
    pub message: String,
    /// `<Resource>`: what the request addressed (bucket host and path).
    pub resource: String,
    /// `<RequestId>`: the request's id, for support tickets.
    pub request_id: String,
    /// `<TraceId>`: the service's trace id, for support tickets.
    pub trace_id: String,
    /// On `SignatureDoesNotMatch`: the server's string to sign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub string_to_sign: Option<String>,
    /// On `SignatureDoesNotMatch`: the server's HttpString.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format_string: Option<String>,
    /// On expiry errors, e.g. `2019-04-09T03:39:20Z`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_time: Option<String>,
}

// COS bodies are written as GO writes them: empty elements expanded (`<SSE-COS></SSE-COS>`).
impl XmlRoot for InventoryConfiguration {
    const ROOT: &'static str = "InventoryConfiguration";
    const EXPAND_EMPTY_ELEMENTS: bool = true;
}

impl XmlRoot for ListInventoryConfigurationResult {
    const ROOT: &'static str = "ListInventoryConfigurationResult";
    const EXPAND_EMPTY_ELEMENTS: bool = true;
}

impl XmlRoot for Error {
    const ROOT: &'static str = "Error";
    const EXPAND_EMPTY_ELEMENTS: bool = true;
}

#[cfg(test)]
#[path = "xml_tests.rs"]
mod tests;
