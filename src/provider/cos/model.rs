//! Tencent Cloud COS inventory configurations as the domain sees them.

use crate::model::{Frequency, IncludedObjectVersions, ReportFormat};

/// One COS inventory configuration (`InventoryConfiguration` of PUT/GET Bucket inventory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosInventory {
    /// `[A-Za-z0-9._-]+`.
    pub id: String,
    /// `<IsEnabled>`: whether reports are produced.
    pub enabled: bool,
    /// `<IncludedObjectVersions>`: every version or only the current one.
    pub included_object_versions: IncludedObjectVersions,
    /// `<Schedule>`: when reports are produced.
    pub schedule: CosSchedule,
    /// An empty filter means "every object"; the API treats an absent and an empty one alike.
    pub filter: CosFilter,
    /// Report columns, in the order given (compared as a set).
    pub optional_fields: Vec<String>,
    /// `<Destination><COSBucketDestination>`: where reports are delivered.
    pub destination: CosDestination,
}

/// When COS produces the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosSchedule {
    /// `<Frequency>`: `Daily`, `Weekly` or `Monthly`.
    pub frequency: Frequency,
    /// Day of the month, 1..=28; set exactly when `frequency` is `Monthly`.
    pub monthly_date: Option<u8>,
}

/// Which objects the report covers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CosFilter {
    /// Object key prefix; `None` selects every key.
    pub prefix: Option<String>,
    /// Object tags that must all match; requires `Tag` among the optional fields.
    pub tags: Vec<CosTag>,
    /// `<StorageClass>` of `<And>`: the storage class reported on; `None` for every class.
    pub storage_class: Option<String>,
    /// `<Period>`: the creation window; `None` for objects of any age.
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
    /// `<Key>`: the tag key, never empty.
    pub key: String,
    /// `<Value>`: the value the object's tag must have.
    pub value: String,
}

/// Object creation time window, unix seconds, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CosPeriod {
    /// `<StartTime>`: the earliest creation time; `None` for no lower bound.
    pub start_time: Option<i64>,
    /// `<EndTime>`: the latest creation time; `None` for no upper bound.
    pub end_time: Option<i64>,
}

/// Where COS delivers the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CosDestination {
    /// `qcs::cos:<region>::<bucket-appid>`.
    pub bucket: String,
    /// Owner UIN of the destination bucket.
    pub account_id: Option<String>,
    /// Key prefix of the reports in the destination bucket; `None` for the bucket's root.
    pub prefix: Option<String>,
    /// `<Format>`: `CSV` or `ORC`.
    pub format: ReportFormat,
    /// `true`: reports are encrypted with SSE-COS.
    pub sse_cos: bool,
}

crate::model::inventory::provider_inventory!(CosInventory, filter.prefix);
