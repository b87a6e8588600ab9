//! OSS manifests: the YAML spec types of one inventory, their validation into
//! [`OssInventory`] and the way back (for `import`), and the bucket-name and region rules.

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{Frequency, IncludedObjectVersions, ReportFormat};
use crate::provider::kit::checks::{
    check_id, check_optional_fields, check_order, check_prefix_len, is_account_id, is_dns_label,
};
use crate::provider::kit::diagnostic::{FieldError, did_you_mean};
use crate::provider::kit::field_path::FieldPath;
use crate::provider::kit::spec::{ManifestItem, ParsedInventory, parse_item};
use crate::provider::oss::model::{
    OssDestination, OssEncryption, OssFilter, OssIncrementalInventory, OssInventory,
};

pub use crate::provider::oss::model::{
    DAYS_OF_MONTH, INCREMENTAL_OPTIONAL_FIELDS, OPTIONAL_FIELDS, STORAGE_CLASSES,
};

/// One OSS inventory configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OssInventorySpec {
    /// Unique within the bucket; letters, digits, `.`, `_` and `-`.
    pub id: String,
    /// Whether reports are produced (default `true`).
    #[serde(
        default = "crate::provider::kit::serde_defaults::default_true",
        skip_serializing_if = "crate::provider::kit::serde_defaults::is_true"
    )]
    pub enabled: bool,
    /// `All` lists every version of an object, `Current` only the latest.
    pub included_object_versions: IncludedObjectVersions,
    /// When reports are produced.
    pub schedule: OssScheduleSpec,
    /// Which objects are reported on; absent means every object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<OssFilterSpec>,
    /// Report columns: `Size`, `LastModifiedDate`, `ETag`, `StorageClass`,
    /// `IsMultipartUploaded`, `EncryptionStatus`, `TransitionTime`, `ObjectAcl`,
    /// `TaggingCount`, `ObjectType`, `Crc64`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub optional_fields: Vec<String>,
    /// Where reports are delivered.
    pub destination: OssDestinationSpec,
    /// Real-time incremental inventory next to the periodic report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) incremental_inventory: Option<OssIncrementalSpec>,
    /// `true`: when the live configuration holds elements or values invsync does not model
    /// (a *foreign* configuration), replace it with this declaration anyway, losing what
    /// invsync cannot express. Without it a foreign configuration is never written.
    #[serde(
        default,
        skip_serializing_if = "crate::provider::kit::serde_defaults::is_false"
    )]
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
    #[serde(
        default,
        skip_serializing_if = "crate::provider::kit::serde_defaults::is_false"
    )]
    pub auto_delete: bool,
}

/// OSS real-time incremental inventory (`<IncrementalInventory>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct OssIncrementalSpec {
    /// Whether incremental records are produced (default `true`).
    #[serde(
        default = "crate::provider::kit::serde_defaults::default_true",
        skip_serializing_if = "crate::provider::kit::serde_defaults::is_true"
    )]
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
    /// Only objects whose key starts with this (at most 1023 characters, no `&`).
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
        deserialize_with = "crate::provider::kit::storage_classes::deserialize"
    )]
    #[schemars(with = "crate::provider::kit::storage_classes::StorageClassesSchema")]
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
    /// Key prefix of the reports in the destination bucket (at most 1023 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// `CSV`, the only format OSS delivers.
    pub format: ReportFormat,
    /// How reports are encrypted; absent: unencrypted.
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
        /// The KMS key id that encrypts the reports.
        #[serde(rename = "keyId")]
        key_id: String,
    },
}

/// The range OSS accepts for `LastModify*TimeStamp` (2010-01-01 to 9999-12-31, unix seconds).
pub(crate) const TIMESTAMP_RANGE: std::ops::RangeInclusive<i64> = 1_262_275_200..=253_402_271_999;

/// Checks one configuration found at `path`.
///
/// # Errors
/// Every rule broken, each at the field that breaks it.
pub fn inventory(
    spec: &OssInventorySpec,
    path: &FieldPath,
) -> Result<OssInventory, Vec<FieldError>> {
    let mut errors = Vec::new();
    check_id(&spec.id, &path.key("id"), &mut errors);
    let day_of_month = schedule(spec, &path.key("schedule"), &mut errors);
    let incremental = spec
        .incremental_inventory
        .as_ref()
        .map(|i| incremental(i, &path.key("incrementalInventory"), &mut errors));
    let filter = filter(spec, &path.key("filter"), &mut errors);
    check_optional_fields(
        &spec.optional_fields,
        &path.key("optionalFields"),
        |f| OPTIONAL_FIELDS.contains(&f),
        OPTIONAL_FIELDS,
        &mut errors,
    );
    let destination = destination(spec, &path.key("destination"), &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(OssInventory {
        id: spec.id.clone(),
        enabled: spec.enabled,
        included_object_versions: spec.included_object_versions,
        frequency: spec.schedule.frequency,
        day_of_month,
        auto_delete: spec.schedule.auto_delete,
        filter,
        optional_fields: spec.optional_fields.clone(),
        destination,
        incremental,
    })
}

/// `dayOfMonth` exactly with `Monthly` (1-31), `autoDelete` only with `Once`.
fn schedule(spec: &OssInventorySpec, path: &FieldPath, errors: &mut Vec<FieldError>) -> Option<u8> {
    let s = &spec.schedule;
    let day_path = path.key("dayOfMonth");
    let day = match (s.frequency, s.day_of_month) {
        (Frequency::Monthly, None) => {
            errors.push(
                FieldError::new(day_path, "`Monthly` needs a dayOfMonth")
                    .hint("add `dayOfMonth: 1` (any day from 1 to 31)"),
            );
            None
        }
        (Frequency::Monthly, Some(day)) => match u8::try_from(day) {
            Ok(day) if DAYS_OF_MONTH.contains(&day) => Some(day),
            _ => {
                errors.push(
                    FieldError::new(day_path, format!("{day} is out of range 1..=31"))
                        .hint("OSS runs a Monthly inventory on a day from 1 to 31"),
                );
                None
            }
        },
        (other, Some(_)) => {
            errors.push(
                FieldError::new(
                    day_path,
                    format!(
                        "dayOfMonth is only allowed with `Monthly`, not `{}`",
                        other.as_str()
                    ),
                )
                .hint("remove dayOfMonth, or set `frequency: Monthly`"),
            );
            None
        }
        (_, None) => None,
    };
    if s.auto_delete && s.frequency != Frequency::Once {
        errors.push(
            FieldError::new(
                path.key("autoDelete"),
                format!(
                    "autoDelete is only allowed with `Once`, not `{}`",
                    s.frequency.as_str()
                ),
            )
            .hint("remove autoDelete, or set `frequency: Once`"),
        );
    }
    day
}

fn incremental(
    spec: &OssIncrementalSpec,
    path: &FieldPath,
    errors: &mut Vec<FieldError>,
) -> OssIncrementalInventory {
    if spec.frequency_seconds == Some(0) {
        errors.push(
            FieldError::new(
                path.key("frequencySeconds"),
                "frequencySeconds must be greater than 0",
            )
            .hint("OSS documents an interval of 600 seconds"),
        );
    }
    check_optional_fields(
        &spec.optional_fields,
        &path.key("optionalFields"),
        |f| INCREMENTAL_OPTIONAL_FIELDS.contains(&f),
        INCREMENTAL_OPTIONAL_FIELDS,
        errors,
    );
    OssIncrementalInventory {
        enabled: spec.enabled,
        frequency_seconds: spec.frequency_seconds,
        optional_fields: spec.optional_fields.clone(),
    }
}

fn filter(spec: &OssInventorySpec, path: &FieldPath, errors: &mut Vec<FieldError>) -> OssFilter {
    let Some(f) = &spec.filter else {
        return OssFilter::default();
    };
    if let Some(prefix) = &f.prefix {
        check_prefix(prefix, &path.key("prefix"), errors);
    }
    let stamps = [
        ("lastModifyBeginTimeStamp", f.last_modify_begin_time_stamp),
        ("lastModifyEndTimeStamp", f.last_modify_end_time_stamp),
    ];
    for (name, value) in stamps {
        if let Some(v) = value
            && !TIMESTAMP_RANGE.contains(&v)
        {
            errors.push(
                FieldError::new(
                    path.key(name),
                    format!(
                        "{v} is out of range {}..={}",
                        TIMESTAMP_RANGE.start(),
                        TIMESTAMP_RANGE.end()
                    ),
                )
                .hint("OSS accepts unix seconds from 2010-01-01 to 9999-12-31"),
            );
        }
    }
    check_order(
        f.last_modify_begin_time_stamp,
        f.last_modify_end_time_stamp,
        path,
        ("lastModifyBeginTimeStamp", "lastModifyEndTimeStamp"),
        errors,
    );
    if f.upper_size_bound == Some(0) {
        errors.push(
            FieldError::new(
                path.key("upperSizeBound"),
                "upperSizeBound must be greater than 0",
            )
            .hint("give a size in bytes, e.g. 1048576, or remove the bound"),
        );
    }
    check_order(
        f.lower_size_bound,
        f.upper_size_bound,
        path,
        ("lowerSizeBound", "upperSizeBound"),
        errors,
    );
    let mut seen = Vec::new();
    for (i, class) in f.storage_class.iter().enumerate() {
        let class_path = path.key("storageClass").index(i);
        if !STORAGE_CLASSES.contains(&class.as_str()) {
            let hint = did_you_mean(class, STORAGE_CLASSES.iter().copied())
                .unwrap_or_else(|| format!("allowed: {}", STORAGE_CLASSES.join(", ")));
            errors.push(
                FieldError::new(
                    class_path.clone(),
                    format!("unknown storage class `{class}`"),
                )
                .hint(hint),
            );
        }
        if seen.contains(class) {
            errors.push(
                FieldError::new(class_path, format!("`{class}` is listed twice"))
                    .hint("list each storage class once"),
            );
        }
        seen.push(class.clone());
    }
    OssFilter {
        prefix: f.prefix.clone(),
        last_modify_begin_time_stamp: f.last_modify_begin_time_stamp,
        last_modify_end_time_stamp: f.last_modify_end_time_stamp,
        lower_size_bound: f.lower_size_bound,
        upper_size_bound: f.upper_size_bound,
        storage_classes: f.storage_class.clone(),
    }
}

fn check_prefix(prefix: &str, path: &FieldPath, errors: &mut Vec<FieldError>) {
    if prefix.contains('&') {
        errors.push(
            FieldError::new(path.clone(), format!("prefix `{prefix}` contains `&`"))
                .hint("OSS rejects `&` in inventory filter prefixes"),
        );
    }
    check_prefix_len(prefix, path, errors);
}

fn destination(
    spec: &OssInventorySpec,
    path: &FieldPath,
    errors: &mut Vec<FieldError>,
) -> OssDestination {
    let d = &spec.destination;
    match d.bucket.strip_prefix("acs:oss:::") {
        Some(name) => {
            if let Err(problem) = check_oss_bucket_name(name) {
                errors.push(
                    FieldError::new(path.key("bucket"), format!("destination bucket {problem}"))
                        .hint("OSS bucket names have 3-63 lowercase letters, digits and hyphens"),
                );
            }
        }
        None => errors.push(
            FieldError::new(
                path.key("bucket"),
                format!("`{}` is not an OSS bucket ARN", d.bucket),
            )
            .hint(format!(
                "write it as acs:oss:::{}; the destination must be in the bucket's region",
                d.bucket.rsplit(':').next().unwrap_or("<bucket-name>")
            )),
        ),
    }
    if !is_account_id(&d.account_id) {
        errors.push(
            FieldError::new(
                path.key("accountId"),
                format!("`{}` is not an account UID", d.account_id),
            )
            .hint("the destination owner's UID is digits only, e.g. \"1000000000000000\""),
        );
    }
    if !is_role_arn(&d.role_arn) {
        errors.push(
            FieldError::new(
                path.key("roleArn"),
                format!("`{}` is not a RAM role ARN", d.role_arn),
            )
            .hint("write it as acs:ram::<uid>:role/<role-name>"),
        );
    }
    if let Some(prefix) = &d.prefix {
        check_prefix_len(prefix, &path.key("prefix"), errors);
    }
    if d.format != ReportFormat::Csv {
        errors.push(
            FieldError::new(
                path.key("format"),
                format!("`{}` is not supported by OSS", d.format.as_str()),
            )
            .hint("OSS delivers inventories as `CSV`"),
        );
    }
    if let Some(OssEncryptionSpec::SseKms { key_id }) = &d.encryption
        && key_id.trim().is_empty()
    {
        errors.push(
            FieldError::new(
                path.key("encryption").key("SSE-KMS").key("keyId"),
                "keyId is empty",
            )
            .hint("name the KMS key, or use `encryption: SSE-OSS`"),
        );
    }
    OssDestination {
        bucket: d.bucket.clone(),
        account_id: d.account_id.clone(),
        role_arn: d.role_arn.clone(),
        prefix: d.prefix.clone(),
        format: d.format,
        encryption: d.encryption.as_ref().map(|e| match e {
            OssEncryptionSpec::SseOss => OssEncryption::SseOss,
            OssEncryptionSpec::SseKms { key_id } => OssEncryption::SseKms {
                key_id: key_id.clone(),
            },
        }),
    }
}

/// `acs:ram::<uid>:role/<name>`.
fn is_role_arn(arn: &str) -> bool {
    let Some(rest) = arn.strip_prefix("acs:ram::") else {
        return false;
    };
    let Some((uid, role)) = rest.split_once(":role/") else {
        return false;
    };
    is_account_id(uid)
        && !role.is_empty()
        && role
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The table's `parse_inventory`: one item of `spec.inventories` of an OSS bucket.
pub(crate) fn parse_inventory(_region: &str, item: &Value, path: &FieldPath) -> ParsedInventory {
    parse_item(item, path, |spec: &OssInventorySpec| inventory(spec, path))
}

impl ManifestItem for OssInventorySpec {
    fn id(&self) -> &str {
        &self.id
    }
    fn overwrite_foreign(&self) -> bool {
        self.overwrite_foreign
    }
}

/// The table's `inventory_schema`.
pub(crate) fn inventory_schema(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<OssInventorySpec>()
}

/// 3-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen.
pub(crate) fn check_oss_bucket_name(bucket: &str) -> Result<(), String> {
    if !(3..=63).contains(&bucket.len()) {
        return Err(format!("`{bucket}` is not 3-63 characters long"));
    }
    if !is_dns_label(bucket) {
        return Err(format!(
            "`{bucket}` may only use lowercase letters, digits and hyphens, not at either end"
        ));
    }
    Ok(())
}

/// OSS region ids are written without the endpoint's `oss-` prefix.
pub(crate) fn check_region(region: &str) -> Result<(), (String, String)> {
    match region.strip_prefix("oss-") {
        Some(bare) => Err((
            format!("region `{region}` has the `oss-` prefix"),
            format!("drop the prefix: `region: {bare}`"),
        )),
        None => Ok(()),
    }
}

impl From<&OssInventory> for OssInventorySpec {
    fn from(o: &OssInventory) -> Self {
        let f = &o.filter;
        OssInventorySpec {
            id: o.id.clone(),
            enabled: o.enabled,
            included_object_versions: o.included_object_versions,
            schedule: OssScheduleSpec {
                frequency: o.frequency,
                day_of_month: o.day_of_month.map(u32::from),
                auto_delete: o.auto_delete,
            },
            filter: (!f.is_empty()).then(|| OssFilterSpec {
                prefix: f.prefix.clone(),
                last_modify_begin_time_stamp: f.last_modify_begin_time_stamp,
                last_modify_end_time_stamp: f.last_modify_end_time_stamp,
                lower_size_bound: f.lower_size_bound,
                upper_size_bound: f.upper_size_bound,
                storage_class: f.storage_classes.clone(),
            }),
            optional_fields: o.optional_fields.clone(),
            destination: OssDestinationSpec {
                bucket: o.destination.bucket.clone(),
                account_id: o.destination.account_id.clone(),
                role_arn: o.destination.role_arn.clone(),
                prefix: o.destination.prefix.clone(),
                format: o.destination.format,
                encryption: o.destination.encryption.as_ref().map(|e| match e {
                    OssEncryption::SseOss => OssEncryptionSpec::SseOss,
                    OssEncryption::SseKms { key_id } => OssEncryptionSpec::SseKms {
                        key_id: key_id.clone(),
                    },
                }),
            },
            incremental_inventory: o.incremental.as_ref().map(|i| OssIncrementalSpec {
                enabled: i.enabled,
                frequency_seconds: i.frequency_seconds,
                optional_fields: i.optional_fields.clone(),
            }),
            overwrite_foreign: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oss_bucket_names_are_three_to_sixty_three_lowercase_characters() {
        assert!(check_oss_bucket_name("examplebucket").is_ok());
        assert!(check_oss_bucket_name("ab").is_err());
        assert!(check_oss_bucket_name(&"a".repeat(64)).is_err());
        assert!(check_oss_bucket_name("Bucket").is_err());
        assert!(check_oss_bucket_name("bucket-").is_err());
    }

    #[test]
    fn role_arns_need_a_numeric_uid_and_a_role_name() {
        assert!(is_role_arn("acs:ram::1000000000000000:role/AliyunOSSRole"));
        assert!(!is_role_arn("acs:ram::abc:role/AliyunOSSRole"));
        assert!(!is_role_arn("acs:ram::1000000000000000:role/"));
        assert!(!is_role_arn("acs:ram::1000000000000000:user/AliyunOSSRole"));
    }
}
