//! OSS rules: one inventory configuration of an OSS bucket, checked and converted to the model.

use super::{check_id, check_optional_fields, check_order, check_prefix_len, is_account_id};
use crate::manifest::diagnostic::{FieldError, did_you_mean};
use crate::manifest::lines::FieldPath;
use crate::manifest::schema::{OssEncryptionSpec, OssIncrementalSpec, OssInventorySpec};
use crate::model::{
    Frequency, OssDestination, OssEncryption, OssFilter, OssIncrementalInventory, OssInventory,
    ReportFormat,
};

pub use crate::model::oss::{
    DAYS_OF_MONTH, INCREMENTAL_OPTIONAL_FIELDS, OPTIONAL_FIELDS, STORAGE_CLASSES,
};

/// The range OSS accepts for `LastModify*TimeStamp` (2010-01-01 to 9999-12-31, unix seconds).
pub const TIMESTAMP_RANGE: std::ops::RangeInclusive<i64> = 1_262_275_200..=253_402_271_999;

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
            if let Err(problem) = super::bucket::check_oss_bucket_name(name) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_need_a_numeric_uid_and_a_role_name() {
        assert!(is_role_arn("acs:ram::1000000000000000:role/AliyunOSSRole"));
        assert!(!is_role_arn("acs:ram::abc:role/AliyunOSSRole"));
        assert!(!is_role_arn("acs:ram::1000000000000000:role/"));
        assert!(!is_role_arn("acs:ram::1000000000000000:user/AliyunOSSRole"));
    }
}
