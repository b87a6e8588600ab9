//! OSS's objects, bucket policy and inventory report delivery, as the emulator serves them.
//!
//! Sources (`shared/reference/reports.md`): the directory tree and `manifest.json` field table
//! of OSS "Bucket inventory", GetBucketPolicy and its error 0030-00000006. OSS writes reports
//! by assuming the configuration's RAM role, whose permissions live in RAM, not in the OSS
//! API: the emulator decides with the role's documented form (`acs:ram::<uid>:role/<name>`,
//! the uid being the configuration's `AccountId` when set) and an admin switch marking the
//! role allowed (`PUT /_emulator/roles/oss/{uid}/{role}`). Bucket policies are not consulted.

use crate::emulator::dialect::{
    DeliveryPlan, GrantQuery, ObjectRules, ReportDialect, ReportInput, Schedule,
};
use crate::emulator::errors::ApiError;
use crate::emulator::report::layout::{data_name, join, md5_hex, minute_stamp, text_at};
use crate::emulator::xmltree::Element;

/// OSS's answers to the object and bucket-policy calls.
pub(crate) static OBJECT_RULES: ObjectRules = ObjectRules {
    namespace: None,
    next_marker_always: true,
    list_v2: true,
    etag_upper: true,
    object_type: true,
    owner: ("1000000000000000", "1000000000000000"),
    put_policy_status: 200,
    no_policy,
    no_such_key,
};

fn no_policy() -> ApiError {
    ApiError::new(
        404,
        "NoSuchBucketPolicy",
        "The specified bucket policy does not exist.",
    )
    .with_ec("0030-00000006")
}

fn no_such_key() -> ApiError {
    ApiError::new(404, "NoSuchKey", "The specified key does not exist.").with_ec("0026-00000001")
}

/// OSS's report delivery.
pub(crate) struct OssReports;

/// The one instance.
pub(crate) static REPORTS: OssReports = OssReports;

impl ReportDialect for OssReports {
    fn plan(&self, config: &Element) -> Option<DeliveryPlan> {
        if !text_at(config, "IsEnabled")?.eq_ignore_ascii_case("true") {
            return None;
        }
        let destination = "Destination/OSSBucketDestination";
        let resource = text_at(config, &format!("{destination}/Bucket"))?;
        let bucket = resource.strip_prefix("acs:oss:::")?.to_string();
        let schedule = match text_at(config, "Schedule/Frequency")?.as_str() {
            "Daily" => Schedule::Daily,
            "Weekly" => Schedule::Weekly,
            "Monthly" => Schedule::Monthly(
                text_at(config, "Schedule/DayOfMonth")
                    .and_then(|d| d.parse().ok())
                    .unwrap_or(1),
            ),
            "Once" => Schedule::Once,
            _ => return None,
        };
        Some(DeliveryPlan {
            bucket,
            prefix: text_at(config, &format!("{destination}/Prefix")).unwrap_or_default(),
            format: text_at(config, &format!("{destination}/Format")).unwrap_or_default(),
            account: text_at(config, &format!("{destination}/AccountId")),
            role_arn: text_at(config, &format!("{destination}/RoleArn")),
            schedule,
            filter_prefix: text_at(config, "Filter/Prefix").unwrap_or_default(),
        })
    }

    fn permits(&self, grant: &GrantQuery<'_>) -> Result<(), String> {
        let plan = grant.plan;
        let Some(arn) = plan.role_arn.as_deref() else {
            return Err("the configuration names no RoleArn".to_string());
        };
        let Some((uid, role)) = arn
            .strip_prefix("acs:ram::")
            .and_then(|rest| rest.split_once(":role/"))
            .filter(|(uid, role)| !uid.is_empty() && !role.is_empty())
        else {
            return Err(format!("RoleArn {arn:?} is not acs:ram::<uid>:role/<name>"));
        };
        if let Some(account) = plan.account.as_deref()
            && account != uid
        {
            return Err(format!(
                "RoleArn {arn:?} belongs to account {uid}, not the configuration's AccountId {account}"
            ));
        }
        if !grant.roles.contains(&(grant.role_name)(uid, role)) {
            return Err(format!(
                "RAM role {arn} may not write to {} (mark it with PUT /_emulator/roles/oss/{uid}/{role})",
                plan.bucket
            ));
        }
        Ok(())
    }

    fn files(&self, report: &ReportInput<'_>) -> Vec<(String, Vec<u8>)> {
        let plan = report.plan;
        let base = join(
            &plan.prefix,
            &format!("{}/{}", report.source_bucket, report.config_id),
        );
        let data_key = format!(
            "{base}/data/{}.csv.gz",
            data_name(report.source_bucket, report.config_id, report.stamp)
        );
        let manifest = serde_json::json!({
            "creationTimestamp": report.stamp.to_string(),
            "destinationBucket": plan.bucket,
            "fileFormat": "CSV",
            "fileSchema": report.schema,
            "files": [{
                "key": data_key,
                "size": report.data.len(),
                "MD5checksum": md5_hex(report.data),
            }],
            "sourceBucket": report.source_bucket,
            "version": "2019-09-01",
        });
        let manifest = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
        let folder = format!("{base}/{}", minute_stamp(report.stamp));
        vec![
            (data_key, report.data.to_vec()),
            (
                format!("{folder}/manifest.checksum"),
                md5_hex(&manifest).into_bytes(),
            ),
            (format!("{folder}/manifest.json"), manifest),
        ]
    }
}
