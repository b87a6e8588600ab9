//! Alibaba Cloud OSS inventory configurations as the domain sees them.

use crate::model::{Frequency, IncludedObjectVersions, ReportFormat};

/// The report columns of a periodic inventory: the union of what the OSS SDKs know
/// (oss2; Go-v2 adds `TransitionTime`; python-v2 adds `ObjectAcl` to `Crc64`).
pub const OPTIONAL_FIELDS: &[&str] = &[
    "Size",
    "LastModifiedDate",
    "ETag",
    "StorageClass",
    "IsMultipartUploaded",
    "EncryptionStatus",
    "TransitionTime",
    "ObjectAcl",
    "TaggingCount",
    "ObjectType",
    "Crc64",
];

/// The record columns of an incremental (real-time) inventory (python-v2
/// `IncrementalInventoryOptionalFieldType`).
pub const INCREMENTAL_OPTIONAL_FIELDS: &[&str] = &[
    "SequenceNumber",
    "RecordType",
    "RecordTimestamp",
    "Requester",
    "SourceIp",
    "RequestId",
    "Size",
    "StorageClass",
    "LastModifiedDate",
    "ETag",
    "IsMultipartUploaded",
    "ObjectType",
    "ObjectAcl",
    "Crc64",
    "EncryptionStatus",
];

/// Storage classes an OSS filter may name.
pub const STORAGE_CLASSES: &[&str] = &[
    "Standard",
    "IA",
    "Archive",
    "ColdArchive",
    "DeepColdArchive",
    "All",
];

/// Days of the month a `Monthly` OSS inventory may run on.
pub const DAYS_OF_MONTH: std::ops::RangeInclusive<u8> = 1..=31;

/// One OSS inventory configuration (`InventoryConfiguration` of PutBucketInventory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OssInventory {
    /// `[A-Za-z0-9._-]+` (a subset of what OSS allows, shared with COS).
    pub id: String,
    /// `<IsEnabled>`: whether reports are produced.
    pub enabled: bool,
    /// `<IncludedObjectVersions>`: every version or only the current one.
    pub included_object_versions: IncludedObjectVersions,
    /// `Daily`, `Weekly`, `Monthly` or `Once`.
    pub frequency: Frequency,
    /// Day of the month, 1..=31; set when `frequency` is `Monthly`.
    pub day_of_month: Option<u8>,
    /// `Once` only: the service deletes the configuration after its one run. Absent reads
    /// as `false`.
    pub auto_delete: bool,
    /// An empty filter means "every object"; the API treats an absent and an empty one alike.
    pub filter: OssFilter,
    /// Report columns, in the order given (compared as a set).
    pub optional_fields: Vec<String>,
    /// `<Destination><OSSBucketDestination>`: where reports are delivered.
    pub destination: OssDestination,
    /// Real-time incremental inventory next to the periodic one (`<IncrementalInventory>`).
    pub incremental: Option<OssIncrementalInventory>,
}

/// `<IncrementalInventory>`: object changes reported every few minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OssIncrementalInventory {
    /// `<IsEnabled>`: whether change records are produced.
    pub enabled: bool,
    /// `<Schedule><Frequency>`, in seconds (the service documents 600).
    pub frequency_seconds: Option<u64>,
    /// Record columns, in the order given (compared as a set).
    pub optional_fields: Vec<String>,
}

/// Which objects the report covers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OssFilter {
    /// `<Prefix>`: object key prefix; `None` selects every key.
    pub prefix: Option<String>,
    /// Unix seconds.
    pub last_modify_begin_time_stamp: Option<i64>,
    /// Unix seconds.
    pub last_modify_end_time_stamp: Option<i64>,
    /// Bytes.
    pub lower_size_bound: Option<u64>,
    /// Bytes.
    pub upper_size_bound: Option<u64>,
    /// `Standard`, `IA`, `Archive`, `ColdArchive`, `All`; empty means all (compared as a set).
    pub storage_classes: Vec<String>,
}

impl OssFilter {
    /// True when the filter selects every object.
    pub fn is_empty(&self) -> bool {
        self.prefix.is_none()
            && self.last_modify_begin_time_stamp.is_none()
            && self.last_modify_end_time_stamp.is_none()
            && self.lower_size_bound.is_none()
            && self.upper_size_bound.is_none()
            && self.storage_classes.is_empty()
    }
}

/// Where OSS delivers the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OssDestination {
    /// `acs:oss:::<bucket-name>`.
    pub bucket: String,
    /// UID of the account that owns the destination bucket.
    pub account_id: String,
    /// `acs:ram::<uid>:role/<name>`, the role OSS assumes to write reports.
    pub role_arn: String,
    /// `<Prefix>`: key prefix of the reports in the destination bucket; `None` for its root.
    pub prefix: Option<String>,
    /// `<Format>`: always `CSV` for OSS.
    pub format: ReportFormat,
    /// `<Encryption>`: how reports are encrypted; `None` for unencrypted.
    pub encryption: Option<OssEncryption>,
}

/// Server-side encryption of delivered reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OssEncryption {
    /// `<SSE-OSS/>`.
    SseOss,
    /// `<SSE-KMS><KeyId>…</KeyId></SSE-KMS>`.
    SseKms {
        /// `<KeyId>`: the KMS key that encrypts the reports.
        key_id: String,
    },
}

crate::model::inventory::provider_inventory!(OssInventory, filter.prefix);
