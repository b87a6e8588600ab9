//! COS rules: one inventory configuration of a COS bucket, checked and converted to the model.

use super::{check_id, check_optional_fields, check_order, check_prefix_len, is_account_id};
use crate::manifest::diagnostic::FieldError;
use crate::manifest::lines::FieldPath;
use crate::manifest::schema::{CosEncryptionSpec, CosInventorySpec};
use crate::model::{
    CosDestination, CosFilter, CosInventory, CosPeriod, CosSchedule, CosTag, Frequency,
};

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
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(CosInventory {
        id: spec.id.clone(),
        enabled: spec.enabled,
        included_object_versions: spec.included_object_versions,
        schedule: schedule.expect("no errors means a valid schedule"),
        filter,
        optional_fields: spec.optional_fields.clone(),
        destination,
    })
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
            if let Err(problem) = super::bucket::check_cos_bucket_name(bucket) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
