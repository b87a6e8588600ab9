//! COS manifests: the YAML spec types of one inventory, their validation into
//! [`CosInventory`] and the way back (for `import`), and the bucket-name rules.

use schemars::{Schema, SchemaGenerator};
use serde_json::Value;

use crate::model::{Frequency, IncludedObjectVersions, ReportFormat};
use crate::provider::cos::model::{
    CosDestination, CosFilter, CosInventory, CosPeriod, CosSchedule, CosTag,
};
use crate::provider::kit::checks::{
    check_id, check_optional_fields, check_order, check_prefix_len, is_account_id, is_dns_label,
};
use crate::provider::kit::diagnostic::FieldError;
use crate::provider::kit::field_path::FieldPath;
use crate::provider::kit::spec::{ManifestItem, ParsedInventory, parse_item};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One COS inventory configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CosInventorySpec {
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
    pub schedule: CosScheduleSpec,
    /// Which objects are reported on; absent means every object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<CosFilterSpec>,
    /// Report columns: `Size`, `LastModifiedDate`, `StorageClass`, `ETag`,
    /// `IsMultipartUploaded`, `ReplicationStatus`, `Tag`, `Crc64` or `x-cos-meta-<name>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub optional_fields: Vec<String>,
    /// Where reports are delivered.
    pub destination: CosDestinationSpec,
    /// `true`: when the live configuration holds elements or values invsync does not model
    /// (a *foreign* configuration), replace it with this declaration anyway, losing what
    /// invsync cannot express. Without it a foreign configuration is never written.
    #[serde(
        default,
        skip_serializing_if = "crate::provider::kit::serde_defaults::is_false"
    )]
    pub overwrite_foreign: bool,
}

/// When COS produces reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CosScheduleSpec {
    /// `Daily`, `Weekly` or `Monthly` (`Once` is OSS only).
    pub frequency: Frequency,
    /// Day of the month (1-28); required with `Monthly`, not allowed otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_date: Option<u32>,
}

/// Which objects COS reports on.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CosFilterSpec {
    /// Only objects whose key starts with this (at most 1023 characters).
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
    /// The tag key; not empty.
    pub key: String,
    /// Quote numbers: `value: "18"`.
    pub value: String,
}

/// Object creation time window, unix seconds, inclusive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PeriodSpec {
    /// Objects created at or after this unix second; absent: no lower bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<i64>,
    /// Objects created at or before this unix second; absent: no upper bound.
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
    /// Key prefix of the reports in the destination bucket (at most 1023 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// `CSV` or `ORC`.
    pub format: ReportFormat,
    /// `SSE-COS` to encrypt reports; absent: unencrypted.
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

/// The report columns COS documents, besides `x-cos-meta-<name>`.
pub const OPTIONAL_FIELDS: &[&str] = &[
    "Size",
    "LastModifiedDate",
    "StorageClass",
    "ETag",
    "IsMultipartUploaded",
    "ReplicationStatus",
    "Tag",
    "Crc64",
];

/// [`OPTIONAL_FIELDS`] plus the metadata form, as hints list them.
const HINT_FIELDS: &[&str] = &[
    "Size",
    "LastModifiedDate",
    "StorageClass",
    "ETag",
    "IsMultipartUploaded",
    "ReplicationStatus",
    "Tag",
    "Crc64",
    "x-cos-meta-<name>",
];

/// Prefix of user-metadata columns.
const META_PREFIX: &str = "x-cos-meta-";

/// Checks one configuration of the bucket in `region` found at `path`.
///
/// # Errors
/// Every rule broken, each at the field that breaks it.
pub fn inventory(
    region: &str,
    spec: &CosInventorySpec,
    path: &FieldPath,
) -> Result<CosInventory, Vec<FieldError>> {
    let mut errors = Vec::new();
    check_id(&spec.id, &path.key("id"), &mut errors);
    let schedule = schedule(spec, &path.key("schedule"), &mut errors);
    let filter = filter(spec, &path.key("filter"), &mut errors);
    check_optional_fields(
        &spec.optional_fields,
        &path.key("optionalFields"),
        is_optional_field,
        HINT_FIELDS,
        &mut errors,
    );
    let destination = destination(region, spec, &path.key("destination"), &mut errors);
    match schedule {
        Some(schedule) if errors.is_empty() => Ok(CosInventory {
            id: spec.id.clone(),
            enabled: spec.enabled,
            included_object_versions: spec.included_object_versions,
            schedule,
            filter,
            optional_fields: spec.optional_fields.clone(),
            destination,
        }),
        _ => Err(errors),
    }
}

fn is_optional_field(field: &str) -> bool {
    OPTIONAL_FIELDS.contains(&field)
        || field
            .strip_prefix(META_PREFIX)
            .is_some_and(|name| !name.is_empty() && name.bytes().all(is_meta_name_byte))
}

fn is_meta_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn schedule(
    spec: &CosInventorySpec,
    path: &FieldPath,
    errors: &mut Vec<FieldError>,
) -> Option<CosSchedule> {
    let date_path = path.key("monthlyDate");
    let frequency = spec.schedule.frequency;
    match (frequency, spec.schedule.monthly_date) {
        (Frequency::Once, _) => {
            errors.push(
                FieldError::new(path.key("frequency"), "`Once` is not supported by COS").hint(
                    "COS produces inventories `Daily`, `Weekly` or `Monthly`; Once is OSS only",
                ),
            );
            None
        }
        (Frequency::Monthly, None) => {
            errors.push(
                FieldError::new(date_path, "`Monthly` needs a monthlyDate")
                    .hint("add `monthlyDate: <day>` with a day from 1 to 28"),
            );
            None
        }
        (Frequency::Monthly, Some(day)) if !(1..=28).contains(&day) => {
            errors.push(
                FieldError::new(date_path, format!("{day} is out of range 1..=28"))
                    .hint("COS delivers monthly inventories on days 1-28"),
            );
            None
        }
        (Frequency::Monthly, Some(day)) => Some(CosSchedule {
            frequency,
            monthly_date: u8::try_from(day).ok(),
        }),
        (_, Some(_)) => {
            errors.push(
                FieldError::new(
                    date_path,
                    format!(
                        "monthlyDate is only allowed with `Monthly`, not `{}`",
                        frequency.as_str()
                    ),
                )
                .hint("remove monthlyDate or set `frequency: Monthly`"),
            );
            None
        }
        (_, None) => Some(CosSchedule {
            frequency,
            monthly_date: None,
        }),
    }
}

fn filter(spec: &CosInventorySpec, path: &FieldPath, errors: &mut Vec<FieldError>) -> CosFilter {
    let Some(filter) = &spec.filter else {
        return CosFilter::default();
    };
    if let Some(prefix) = &filter.prefix {
        check_prefix_len(prefix, &path.key("prefix"), errors);
    }
    for (i, tag) in filter.tags.iter().enumerate() {
        if tag.key.is_empty() {
            errors.push(FieldError::new(
                path.key("tags").index(i).key("key"),
                "tag key is empty",
            ));
        }
    }
    if !filter.tags.is_empty() && !spec.optional_fields.iter().any(|f| f == "Tag") {
        errors.push(
            FieldError::new(
                path.key("tags"),
                "a tag filter needs `Tag` among optionalFields",
            )
            .hint("add `Tag` to optionalFields"),
        );
    }
    if let Some(class) = &filter.storage_class
        && class.trim().is_empty()
    {
        errors.push(
            FieldError::new(path.key("storageClass"), "storageClass is empty")
                .hint("remove it, or name a class such as STANDARD or STANDARD_IA"),
        );
    }
    if let Some(period) = &filter.period {
        let period_path = path.key("period");
        for (name, value) in [
            ("startTime", period.start_time),
            ("endTime", period.end_time),
        ] {
            if let Some(v) = value
                && v < 0
            {
                errors.push(
                    FieldError::new(period_path.key(name), format!("{v} is before 1970"))
                        .hint("give unix seconds, e.g. 1568688761"),
                );
            }
        }
        check_order(
            period.start_time,
            period.end_time,
            &period_path,
            ("startTime", "endTime"),
            errors,
        );
    }
    CosFilter {
        prefix: filter.prefix.clone(),
        tags: filter
            .tags
            .iter()
            .map(|t| CosTag {
                key: t.key.clone(),
                value: t.value.clone(),
            })
            .collect(),
        storage_class: filter.storage_class.clone(),
        period: filter.period.as_ref().map(|p| CosPeriod {
            start_time: p.start_time,
            end_time: p.end_time,
        }),
    }
}

fn destination(
    region: &str,
    spec: &CosInventorySpec,
    path: &FieldPath,
    errors: &mut Vec<FieldError>,
) -> CosDestination {
    let d = &spec.destination;
    let bucket_path = path.key("bucket");
    match parse_destination_arn(&d.bucket) {
        None => errors.push(
            FieldError::new(
                bucket_path,
                format!("`{}` is not a COS bucket ARN", d.bucket),
            )
            .hint(format!("write it as qcs::cos:{region}::<name>-<appid>")),
        ),
        Some((arn_region, bucket)) => {
            if let Err(problem) = check_cos_bucket_name(bucket) {
                errors.push(
                    FieldError::new(bucket_path.clone(), format!("destination bucket {problem}"))
                        .hint("COS bucket names look like examplebucket-1250000000"),
                );
            }
            if arn_region != region {
                errors.push(
                    FieldError::new(
                        bucket_path,
                        format!(
                            "destination region `{arn_region}` differs from the bucket's region `{region}`"
                        ),
                    )
                    .hint(format!(
                        "COS delivers inventories to a bucket in the same region: use qcs::cos:{region}::{bucket}"
                    )),
                );
            }
        }
    }
    if let Some(account) = &d.account_id
        && !is_account_id(account)
    {
        errors.push(
            FieldError::new(path.key("accountId"), format!("`{account}` is not a UIN"))
                .hint("the destination owner's UIN is digits only, e.g. \"100000000001\""),
        );
    }
    if let Some(prefix) = &d.prefix {
        check_prefix_len(prefix, &path.key("prefix"), errors);
    }
    CosDestination {
        bucket: d.bucket.clone(),
        account_id: d.account_id.clone(),
        prefix: d.prefix.clone(),
        format: d.format,
        sse_cos: matches!(d.encryption, Some(CosEncryptionSpec::SseCos)),
    }
}

/// `qcs::cos:<region>::<bucket>` → `(region, bucket)`.
fn parse_destination_arn(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("qcs::cos:")?;
    let (region, bucket) = rest.split_once("::")?;
    (!region.is_empty() && !bucket.is_empty()).then_some((region, bucket))
}

/// The table's `parse_inventory`: one item of `spec.inventories` of a COS bucket in `region`.
pub(crate) fn parse_inventory(region: &str, item: &Value, path: &FieldPath) -> ParsedInventory {
    parse_item(item, path, |spec: &CosInventorySpec| {
        inventory(region, spec, path)
    })
}

impl ManifestItem for CosInventorySpec {
    fn id(&self) -> &str {
        &self.id
    }
    fn overwrite_foreign(&self) -> bool {
        self.overwrite_foreign
    }
}

/// The table's `inventory_schema`: [`CosInventorySpec`], with the ranges its plain integer
/// types cannot state.
pub(crate) fn inventory_schema(generator: &mut SchemaGenerator) -> Schema {
    let schema = generator.subschema_for::<CosInventorySpec>();
    if let Some(monthly) = generator
        .definitions_mut()
        .get_mut("CosScheduleSpec")
        .and_then(|s| s.pointer_mut("/properties/monthlyDate"))
        .and_then(Value::as_object_mut)
    {
        monthly.insert("minimum".into(), 1.into());
        monthly.insert("maximum".into(), 28.into());
    }
    schema
}

/// `<name>-<appid>`: lowercase letters, digits and hyphens, ending in a numeric APPID.
pub(crate) fn check_cos_bucket_name(bucket: &str) -> Result<(), String> {
    let Some((name, appid)) = bucket.rsplit_once('-') else {
        return Err(format!("`{bucket}` has no -<appid> suffix"));
    };
    if appid.is_empty() || !appid.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{bucket}` does not end in a numeric -<appid>"));
    }
    if !is_dns_label(name) {
        return Err(format!(
            "`{bucket}` may only use lowercase letters, digits and hyphens before the appid"
        ));
    }
    if name.len() > 50 {
        return Err(format!("`{bucket}` has a name longer than 50 characters"));
    }
    Ok(())
}

/// COS has no region rule beyond "a lowercase id".
pub(crate) fn check_region(_: &str) -> Result<(), (String, String)> {
    Ok(())
}

impl From<&CosInventory> for CosInventorySpec {
    fn from(c: &CosInventory) -> Self {
        let f = &c.filter;
        CosInventorySpec {
            id: c.id.clone(),
            enabled: c.enabled,
            included_object_versions: c.included_object_versions,
            schedule: CosScheduleSpec {
                frequency: c.schedule.frequency,
                monthly_date: c.schedule.monthly_date.map(u32::from),
            },
            filter: (!f.is_empty()).then(|| CosFilterSpec {
                prefix: f.prefix.clone(),
                tags: f
                    .tags
                    .iter()
                    .map(|t| TagSpec {
                        key: t.key.clone(),
                        value: t.value.clone(),
                    })
                    .collect(),
                storage_class: f.storage_class.clone(),
                period: f.period.map(|p| PeriodSpec {
                    start_time: p.start_time,
                    end_time: p.end_time,
                }),
            }),
            optional_fields: c.optional_fields.clone(),
            destination: CosDestinationSpec {
                bucket: c.destination.bucket.clone(),
                account_id: c.destination.account_id.clone(),
                prefix: c.destination.prefix.clone(),
                format: c.destination.format,
                encryption: c.destination.sse_cos.then_some(CosEncryptionSpec::SseCos),
            },
            overwrite_foreign: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cos_bucket_names_need_a_numeric_appid() {
        assert!(check_cos_bucket_name("examplebucket-1250000000").is_ok());
        assert!(check_cos_bucket_name("my-logs-1250000000").is_ok());
        assert!(check_cos_bucket_name("examplebucket").is_err());
        assert!(check_cos_bucket_name("examplebucket-abc").is_err());
        assert!(check_cos_bucket_name("Example-1250000000").is_err());
        assert!(check_cos_bucket_name("-1250000000").is_err());
    }

    #[test]
    fn documented_and_metadata_fields_are_optional_fields() {
        assert!(is_optional_field("Crc64"));
        assert!(is_optional_field("x-cos-meta-myheader"));
        assert!(!is_optional_field("x-cos-meta-"));
        assert!(!is_optional_field("TaggingCount"));
    }

    #[test]
    fn destination_arns_split_into_region_and_bucket() {
        assert_eq!(
            parse_destination_arn("qcs::cos:ap-guangzhou::inventory-1250000000"),
            Some(("ap-guangzhou", "inventory-1250000000"))
        );
        assert_eq!(parse_destination_arn("acs:oss:::x"), None);
        assert_eq!(parse_destination_arn("qcs::cos:::x"), None);
    }
}
