//! The manifest format: serde types of one `BucketInventory` YAML document, exactly as written.
//!
//! These types accept any well-formed document (unknown keys are rejected, values are not yet
//! checked); [`super::validate`] turns them into [`crate::model`] types or into diagnostics.
//! The same types serialize the model back to manifest form (for `import`, plan output and
//! diffs), and generate the JSON Schema printed by `invsync schema`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{BucketMode, Frequency, IncludedObjectVersions, Provider, ReportFormat};

/// The only `apiVersion` this release understands.
pub const API_VERSION: &str = "invsync/v1";
/// The only `kind` this release understands.
pub const KIND: &str = "BucketInventory";

/// One YAML document: the complete desired inventory configurations of one bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "invsync BucketInventory manifest")]
pub struct ManifestDocument {
    /// Always `invsync/v1`.
    pub api_version: String,
    /// Always `BucketInventory`.
    pub kind: String,
    pub metadata: Metadata,
    pub spec: BucketSpec,
}

/// Names the document, as Kubernetes objects are named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Metadata {
    /// A human name for the document, shown in messages.
    pub name: String,
    /// Free-form labels; invsync does not interpret them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// The bucket and its inventories, in the shape of the bucket's provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "provider", rename_all = "lowercase")]
pub enum BucketSpec {
    /// Tencent Cloud COS.
    Cos(BucketSpecBody<CosInventorySpec>),
    /// Alibaba Cloud OSS.
    Oss(BucketSpecBody<OssInventorySpec>),
}

impl BucketSpec {
    /// The provider named by `spec.provider`.
    pub fn provider(&self) -> Provider {
        match self {
            BucketSpec::Cos(_) => Provider::Cos,
            BucketSpec::Oss(_) => Provider::Oss,
        }
    }
}

/// `spec` minus `provider`, for inventories of type `I`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BucketSpecBody<I> {
    /// COS: `<name>-<appid>`, e.g. `examplebucket-1250000000`. OSS: the bucket name.
    pub bucket: String,
    /// COS: e.g. `ap-guangzhou`. OSS: the region id without `oss-`, e.g. `cn-hangzhou`.
    pub region: String,
    /// `true`: delete live configurations of this bucket that are not declared here.
    #[serde(default, skip_serializing_if = "is_false")]
    pub prune: bool,
    /// `observe`: report this bucket's drift (logs, metrics, notifications, plans) but never
    /// write to it. Default `enforce`: correct it.
    #[serde(default, skip_serializing_if = "BucketMode::is_enforce")]
    pub mode: BucketMode,
    /// Send requests here instead of the provider's public endpoint, e.g. `http://127.0.0.1:9000`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The complete set of inventory configurations the bucket should have.
    #[serde(default = "Vec::<I>::new")]
    pub inventories: Vec<I>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_true(b: &bool) -> bool {
    *b
}

fn default_true() -> bool {
    true
}

/// One COS inventory configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CosInventorySpec {
    /// Unique within the bucket; letters, digits, `.`, `_` and `-`.
    pub id: String,
    /// Whether reports are produced (default `true`).
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub enabled: bool,
    pub included_object_versions: IncludedObjectVersions,
    pub schedule: CosScheduleSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<CosFilterSpec>,
    /// Report columns: `Size`, `LastModifiedDate`, `StorageClass`, `ETag`,
    /// `IsMultipartUploaded`, `ReplicationStatus`, `Tag`, `Crc64` or `x-cos-meta-<name>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub optional_fields: Vec<String>,
    pub destination: CosDestinationSpec,
    /// `true`: when the live configuration holds elements or values invsync does not model
    /// (a *foreign* configuration), replace it with this declaration anyway, losing what
    /// invsync cannot express. Without it a foreign configuration is never written.
    #[serde(default, skip_serializing_if = "is_false")]
    pub overwrite_foreign: bool,
}

/// When COS produces reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CosScheduleSpec {
    pub frequency: Frequency,
    /// Day of the month (1-28); required with `Monthly`, not allowed otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_date: Option<u32>,
}

/// Which objects COS reports on.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CosFilterSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Object tags that must all match; needs `Tag` in `optionalFields`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<TagSpec>,
    /// A storage class such as `STANDARD`, `STANDARD_IA`, `ARCHIVE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
    /// Object creation time window in unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<PeriodSpec>,
}

/// One object tag condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TagSpec {
    pub key: String,
    /// Quote numbers: `value: "18"`.
    pub value: String,
}

/// Object creation time window, unix seconds, inclusive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PeriodSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
}

/// Where COS delivers reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CosDestinationSpec {
    /// `qcs::cos:<region>::<bucket>-<appid>`.
    pub bucket: String,
    /// Owner UIN of the destination bucket; quote it: `accountId: "100000000001"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    pub format: ReportFormat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<CosEncryptionSpec>,
}

/// Server-side encryption of COS reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum CosEncryptionSpec {
    /// COS-managed keys.
    #[serde(rename = "SSE-COS")]
    SseCos,
}

/// One OSS inventory configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OssInventorySpec {
    /// Unique within the bucket; letters, digits, `.`, `_` and `-`.
    pub id: String,
    /// Whether reports are produced (default `true`).
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub enabled: bool,
    pub included_object_versions: IncludedObjectVersions,
    pub schedule: OssScheduleSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<OssFilterSpec>,
    /// Report columns: `Size`, `LastModifiedDate`, `ETag`, `StorageClass`,
    /// `IsMultipartUploaded`, `EncryptionStatus`, `TransitionTime`, `ObjectAcl`,
    /// `TaggingCount`, `ObjectType`, `Crc64`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub optional_fields: Vec<String>,
    pub destination: OssDestinationSpec,
    /// Real-time incremental inventory next to the periodic report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incremental_inventory: Option<OssIncrementalSpec>,
    /// `true`: when the live configuration holds elements or values invsync does not model
    /// (a *foreign* configuration), replace it with this declaration anyway, losing what
    /// invsync cannot express. Without it a foreign configuration is never written.
    #[serde(default, skip_serializing_if = "is_false")]
    pub overwrite_foreign: bool,
}

/// When OSS produces reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OssScheduleSpec {
    /// `Daily`, `Weekly`, `Monthly` (with `dayOfMonth`) or `Once` (one report; see the README
    /// on how invsync runs a `Once` inventory).
    pub frequency: Frequency,
    /// Day of the month (1-31); required with `Monthly`, not allowed otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_of_month: Option<u32>,
    /// `Once` only: the service deletes the configuration after its run (default `false`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_delete: bool,
}

/// OSS real-time incremental inventory (`<IncrementalInventory>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OssIncrementalSpec {
    /// Whether incremental records are produced (default `true`).
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// Interval in seconds (OSS documents 600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequency_seconds: Option<u64>,
    /// Record columns: `SequenceNumber`, `RecordType`, `RecordTimestamp`, `Requester`,
    /// `SourceIp`, `RequestId`, `Size`, `StorageClass`, `LastModifiedDate`, `ETag`,
    /// `IsMultipartUploaded`, `ObjectType`, `ObjectAcl`, `Crc64`, `EncryptionStatus`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub optional_fields: Vec<String>,
}

/// Which objects OSS reports on.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OssFilterSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modify_begin_time_stamp: Option<i64>,
    /// Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modify_end_time_stamp: Option<i64>,
    /// Bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower_size_bound: Option<u64>,
    /// Bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper_size_bound: Option<u64>,
    /// Any of `Standard`, `IA`, `Archive`, `ColdArchive`, `DeepColdArchive`, `All`, as a list or as the API's
    /// comma-separated string (`"Standard,IA"`); both read as the same list.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "super::storage_classes::deserialize"
    )]
    #[schemars(with = "super::storage_classes::StorageClassesSchema")]
    pub storage_class: Vec<String>,
}

/// Where OSS delivers reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OssDestinationSpec {
    /// `acs:oss:::<bucket-name>`, in the same region as the source bucket.
    pub bucket: String,
    /// UID of the destination bucket's owner; quote it.
    pub account_id: String,
    /// `acs:ram::<uid>:role/<name>`.
    pub role_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    pub format: ReportFormat,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<OssEncryptionSpec>,
}

/// Server-side encryption of OSS reports: `SSE-OSS`, or `{SSE-KMS: {keyId: ...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum OssEncryptionSpec {
    /// OSS-managed keys.
    #[serde(rename = "SSE-OSS")]
    SseOss,
    /// A KMS key.
    #[serde(rename = "SSE-KMS")]
    SseKms {
        #[serde(rename = "keyId")]
        key_id: String,
    },
}
