//! Tencent Cloud COS inventory configurations as the domain sees them.

use crate::model::{Frequency, IncludedObjectVersions, ReportFormat};

/// One COS inventory configuration (`InventoryConfiguration` of PUT/GET Bucket inventory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosInventory {
    /// `[A-Za-z0-9._-]+`.
    pub id: String,
    pub enabled: bool,
    pub included_object_versions: IncludedObjectVersions,
    pub schedule: CosSchedule,
    /// An empty filter means "every object"; the API treats an absent and an empty one alike.
    pub filter: CosFilter,
    /// Report columns, in the order given (compared as a set).
    pub optional_fields: Vec<String>,
    pub destination: CosDestination,
}

/// When COS produces the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosSchedule {
    pub frequency: Frequency,
    /// Day of the month, 1..=28; set exactly when `frequency` is `Monthly`.
    pub monthly_date: Option<u8>,
}

/// Which objects the report covers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CosFilter {
    pub prefix: Option<String>,
    /// Object tags that must all match; requires `Tag` among the optional fields.
    pub tags: Vec<CosTag>,
    pub storage_class: Option<String>,
    pub period: Option<CosPeriod>,
}

impl CosFilter {
    /// True when the filter selects every object.
    pub fn is_empty(&self) -> bool {
        self.prefix.is_none()
            && self.tags.is_empty()
            && self.storage_class.is_none()
            && self.period.is_none()
    }
}

/// One object tag condition.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CosTag {
    pub key: String,
    pub value: String,
}

/// Object creation time window, unix seconds, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CosPeriod {
    pub start_time: Option<i64>,
    pub end_time: Option<i64>,
}

/// Where COS delivers the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosDestination {
    /// `qcs::cos:<region>::<bucket-appid>`.
    pub bucket: String,
    /// Owner UIN of the destination bucket.
    pub account_id: Option<String>,
    pub prefix: Option<String>,
    pub format: ReportFormat,
    /// `true`: reports are encrypted with SSE-COS.
    pub sse_cos: bool,
}

crate::model::inventory::provider_inventory!(CosInventory, filter.prefix);
