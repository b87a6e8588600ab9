//! Alibaba Cloud OSS inventory configurations as the domain sees them.

use super::{Frequency, IncludedObjectVersions, ReportFormat};

/// One OSS inventory configuration (`InventoryConfiguration` of PutBucketInventory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OssInventory {
    /// `[A-Za-z0-9._-]+` (a subset of what OSS allows, shared with COS).
    pub id: String,
    pub enabled: bool,
    pub included_object_versions: IncludedObjectVersions,
    /// `Daily` or `Weekly`.
    pub frequency: Frequency,
    /// An empty filter means "every object"; the API treats an absent and an empty one alike.
    pub filter: OssFilter,
    /// Report columns, in the order given (compared as a set).
    pub optional_fields: Vec<String>,
    pub destination: OssDestination,
}

/// Which objects the report covers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OssFilter {
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
    pub prefix: Option<String>,
    pub format: ReportFormat,
    pub encryption: Option<OssEncryption>,
}

/// Server-side encryption of delivered reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OssEncryption {
    /// `<SSE-OSS/>`.
    SseOss,
    /// `<SSE-KMS><KeyId>…</KeyId></SSE-KMS>`.
    SseKms { key_id: String },
}
