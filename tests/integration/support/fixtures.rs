//! Chained builders of model values for plan tests: `cos_inventory("list1").prefix("logs/")`.
#![allow(dead_code)]

use invsync::model::{
    BucketKey, DesiredBucket, Frequency, IncludedObjectVersions, Inventory, Origin, Provider,
    ReportFormat,
};
use invsync::provider::cos::model::{
    CosDestination, CosFilter, CosInventory, CosPeriod, CosSchedule, CosTag,
};
use invsync::provider::oss::model::{OssDestination, OssEncryption, OssFilter, OssInventory};

pub(crate) const COS_BUCKET: &str = "examplebucket-1250000000";
pub(crate) const COS_REGION: &str = "ap-guangzhou";
pub(crate) const OSS_BUCKET: &str = "examplebucket";
pub(crate) const OSS_REGION: &str = "cn-hangzhou";

/// A COS inventory: enabled, all versions, daily, no filter, CSV to the inventory bucket.
pub(crate) fn cos_inventory(id: &str) -> CosBuilder {
    CosBuilder(CosInventory {
        id: id.to_string(),
        enabled: true,
        included_object_versions: IncludedObjectVersions::All,
        schedule: CosSchedule {
            frequency: Frequency::Daily,
            monthly_date: None,
        },
        filter: CosFilter::default(),
        optional_fields: Vec::new(),
        destination: CosDestination {
            bucket: "qcs::cos:ap-guangzhou::inventory-1250000000".to_string(),
            account_id: None,
            prefix: None,
            format: ReportFormat::Csv,
            sse_cos: false,
        },
    })
}

pub(crate) struct CosBuilder(pub CosInventory);

impl CosBuilder {
    pub(crate) fn disabled(mut self) -> Self {
        self.0.enabled = false;
        self
    }
    pub(crate) fn current_only(mut self) -> Self {
        self.0.included_object_versions = IncludedObjectVersions::Current;
        self
    }
    pub(crate) fn weekly(mut self) -> Self {
        self.0.schedule = CosSchedule {
            frequency: Frequency::Weekly,
            monthly_date: None,
        };
        self
    }
    pub(crate) fn monthly(mut self, day: u8) -> Self {
        self.0.schedule = CosSchedule {
            frequency: Frequency::Monthly,
            monthly_date: Some(day),
        };
        self
    }
    pub(crate) fn prefix(mut self, prefix: &str) -> Self {
        self.0.filter.prefix = Some(prefix.to_string());
        self
    }
    pub(crate) fn tag(mut self, key: &str, value: &str) -> Self {
        self.0.filter.tags.push(CosTag {
            key: key.to_string(),
            value: value.to_string(),
        });
        self
    }
    pub(crate) fn storage_class(mut self, class: &str) -> Self {
        self.0.filter.storage_class = Some(class.to_string());
        self
    }
    pub(crate) fn period(mut self, start: Option<i64>, end: Option<i64>) -> Self {
        self.0.filter.period = Some(CosPeriod {
            start_time: start,
            end_time: end,
        });
        self
    }
    pub(crate) fn fields(mut self, fields: &[&str]) -> Self {
        self.0.optional_fields = fields.iter().map(|f| f.to_string()).collect();
        self
    }
    pub(crate) fn account_id(mut self, account: &str) -> Self {
        self.0.destination.account_id = Some(account.to_string());
        self
    }
    pub(crate) fn dest_prefix(mut self, prefix: &str) -> Self {
        self.0.destination.prefix = Some(prefix.to_string());
        self
    }
    pub(crate) fn orc(mut self) -> Self {
        self.0.destination.format = ReportFormat::Orc;
        self
    }
    pub(crate) fn sse_cos(mut self) -> Self {
        self.0.destination.sse_cos = true;
        self
    }
    pub(crate) fn build(self) -> Inventory {
        Inventory::new(self.0)
    }
}

/// An OSS inventory: enabled, all versions, daily, no filter, CSV to `acs:oss:::dest-bucket`.
pub(crate) fn oss_inventory(id: &str) -> OssBuilder {
    OssBuilder(OssInventory {
        id: id.to_string(),
        enabled: true,
        included_object_versions: IncludedObjectVersions::All,
        frequency: Frequency::Daily,
        day_of_month: None,
        auto_delete: false,
        incremental: None,
        filter: OssFilter::default(),
        optional_fields: Vec::new(),
        destination: OssDestination {
            bucket: "acs:oss:::dest-bucket".to_string(),
            account_id: "1000000000000000".to_string(),
            role_arn: "acs:ram::1000000000000000:role/AliyunOSSRole".to_string(),
            prefix: None,
            format: ReportFormat::Csv,
            encryption: None,
        },
    })
}

pub(crate) struct OssBuilder(pub OssInventory);

impl OssBuilder {
    pub(crate) fn disabled(mut self) -> Self {
        self.0.enabled = false;
        self
    }
    /// `Once`, deleted by the service after its run when `auto_delete`.
    pub(crate) fn once(mut self, auto_delete: bool) -> Self {
        self.0.frequency = Frequency::Once;
        self.0.auto_delete = auto_delete;
        self
    }
    pub(crate) fn weekly(mut self) -> Self {
        self.0.frequency = Frequency::Weekly;
        self
    }
    pub(crate) fn prefix(mut self, prefix: &str) -> Self {
        self.0.filter.prefix = Some(prefix.to_string());
        self
    }
    pub(crate) fn modified_between(mut self, begin: Option<i64>, end: Option<i64>) -> Self {
        self.0.filter.last_modify_begin_time_stamp = begin;
        self.0.filter.last_modify_end_time_stamp = end;
        self
    }
    pub(crate) fn size_between(mut self, lower: Option<u64>, upper: Option<u64>) -> Self {
        self.0.filter.lower_size_bound = lower;
        self.0.filter.upper_size_bound = upper;
        self
    }
    pub(crate) fn storage_classes(mut self, classes: &[&str]) -> Self {
        self.0.filter.storage_classes = classes.iter().map(|c| c.to_string()).collect();
        self
    }
    pub(crate) fn fields(mut self, fields: &[&str]) -> Self {
        self.0.optional_fields = fields.iter().map(|f| f.to_string()).collect();
        self
    }
    pub(crate) fn dest_bucket(mut self, bucket: &str) -> Self {
        self.0.destination.bucket = bucket.to_string();
        self
    }
    pub(crate) fn dest_prefix(mut self, prefix: &str) -> Self {
        self.0.destination.prefix = Some(prefix.to_string());
        self
    }
    pub(crate) fn sse_oss(mut self) -> Self {
        self.0.destination.encryption = Some(OssEncryption::SseOss);
        self
    }
    pub(crate) fn sse_kms(mut self, key_id: &str) -> Self {
        self.0.destination.encryption = Some(OssEncryption::SseKms {
            key_id: key_id.to_string(),
        });
        self
    }
    pub(crate) fn build(self) -> Inventory {
        Inventory::new(self.0)
    }
}

/// The key of a bucket.
pub(crate) fn key(provider: Provider, bucket: &str, region: &str) -> BucketKey {
    BucketKey {
        provider,
        bucket: bucket.to_string(),
        region: region.to_string(),
    }
}

/// A managed COS bucket declaring nothing yet, not pruning.
pub(crate) fn cos_bucket() -> BucketBuilder {
    bucket(key(Provider::COS, COS_BUCKET, COS_REGION))
}

/// A managed OSS bucket declaring nothing yet, not pruning.
pub(crate) fn oss_bucket() -> BucketBuilder {
    bucket(key(Provider::OSS, OSS_BUCKET, OSS_REGION))
}

pub(crate) fn bucket(key: BucketKey) -> BucketBuilder {
    BucketBuilder(DesiredBucket {
        overwrite_foreign: Default::default(),
        name: key.bucket.clone(),
        key,
        prune: false,
        mode: Default::default(),
        endpoint: None,
        options: Default::default(),
        origin: Origin::default(),
        inventories: Vec::new(),
        policies: Vec::new(),
    })
}

pub(crate) struct BucketBuilder(pub DesiredBucket);

impl BucketBuilder {
    pub(crate) fn prune(mut self) -> Self {
        self.0.prune = true;
        self
    }
    pub(crate) fn declares(mut self, inventory: Inventory) -> Self {
        self.0.inventories.push(inventory);
        self
    }
    pub(crate) fn build(self) -> DesiredBucket {
        self.0
    }
}
