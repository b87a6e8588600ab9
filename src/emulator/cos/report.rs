//! COS's objects, bucket policy and inventory report delivery, as the emulator serves them.
//!
//! Sources (`shared/reference/reports.md`): the storage path and `manifest.json` example of
//! COS "Inventory Overview", the appended `/` of "PUT Bucket inventory", the policy syntax of
//! "PUT/GET Bucket policy". The principal COS's own delivery statement names is not
//! documented: the grant rule below (an `allow` of `name/cos:PutObject` on the report key to
//! the source owner's uin, `service/cos`, `anyone` or `*`) is the emulator's reading.

use serde_json::Value;

use crate::emulator::dialect::{
    DeliveryPlan, GrantQuery, ObjectRules, ReportDialect, ReportInput, Schedule,
};
use crate::emulator::errors::ApiError;
use crate::emulator::report::layout::{day_stamp, join, md5_hex, text_at};
use crate::emulator::report::policy::{any_matches, effect, field, statements, strings};
use crate::emulator::xmltree::Element;

/// COS's answers to the object and bucket-policy calls.
pub(crate) static OBJECT_RULES: ObjectRules = ObjectRules {
    namespace: None,
    next_marker_always: true,
    list_v2: false,
    etag_upper: false,
    object_type: false,
    owner: ("1250000000", "1250000000"),
    put_policy_status: 204,
    no_policy,
    no_such_key,
};

fn no_policy() -> ApiError {
    ApiError::new(
        404,
        "NoSuchBucketPolicy",
        "The specified bucket policy does not exist.",
    )
}

fn no_such_key() -> ApiError {
    ApiError::new(404, "NoSuchKey", "The specified key does not exist.")
}

/// COS's report delivery.
pub(crate) struct CosReports;

/// The one instance.
pub(crate) static REPORTS: CosReports = CosReports;

/// `examplebucket-1250000000` → (`examplebucket`, `1250000000`); a name without an APPID
/// suffix keeps its name and gets an empty APPID.
fn split_appid(bucket: &str) -> (&str, &str) {
    match bucket.rsplit_once('-') {
        Some((name, appid)) if !appid.is_empty() && appid.bytes().all(|b| b.is_ascii_digit()) => {
            (name, appid)
        }
        _ => (bucket, ""),
    }
}

impl ReportDialect for CosReports {
    fn plan(&self, config: &Element) -> Option<DeliveryPlan> {
        if !text_at(config, "IsEnabled")?.eq_ignore_ascii_case("true") {
            return None;
        }
        let destination = "Destination/COSBucketDestination";
        let resource = text_at(config, &format!("{destination}/Bucket"))?;
        let bucket = resource.rsplit("::").next()?.to_string();
        if bucket.is_empty() {
            return None;
        }
        let schedule = match text_at(config, "Schedule/Frequency")?.as_str() {
            "Daily" => Schedule::Daily,
            "Weekly" => Schedule::Weekly,
            "Monthly" => Schedule::Monthly(
                text_at(config, "Schedule/MonthlyDate")
                    .and_then(|d| d.parse().ok())
                    .unwrap_or(1),
            ),
            _ => return None,
        };
        let filter_prefix = text_at(config, "Filter/And/Prefix")
            .or_else(|| text_at(config, "Filter/Prefix"))
            .unwrap_or_default();
        Some(DeliveryPlan {
            bucket,
            prefix: text_at(config, &format!("{destination}/Prefix")).unwrap_or_default(),
            format: text_at(config, &format!("{destination}/Format")).unwrap_or_default(),
            account: text_at(config, &format!("{destination}/AccountId")),
            role_arn: None,
            schedule,
            filter_prefix,
        })
    }

    fn permits(&self, grant: &GrantQuery<'_>) -> Result<(), String> {
        let bucket = &grant.plan.bucket;
        let Some(policy) = grant.policy else {
            return Err(format!("destination bucket {bucket} has no bucket policy"));
        };
        let Ok(policy) = serde_json::from_str::<Value>(policy) else {
            return Err(format!(
                "destination bucket {bucket} has a policy that is not JSON"
            ));
        };
        let (_, appid) = split_appid(bucket);
        let resource = format!(
            "qcs::cos:{}:uid/{appid}:{bucket}/{}",
            grant.region, grant.key
        );
        let uin = grant.plan.account.as_deref();
        let matching = |wanted: &str| {
            statements(&policy).into_iter().any(|statement| {
                effect(statement) == wanted
                    && principal_names_cos(statement, uin)
                    && any_matches(
                        &strings(field(statement, "Action")),
                        "name/cos:PutObject",
                        true,
                    )
                    && any_matches(&strings(field(statement, "Resource")), &resource, false)
            })
        };
        if matching("deny") {
            return Err(format!(
                "destination bucket {bucket}'s policy denies name/cos:PutObject on {resource}"
            ));
        }
        if matching("allow") {
            return Ok(());
        }
        Err(format!(
            "destination bucket {bucket}'s policy does not allow name/cos:PutObject on {resource} \
             to the source owner{}",
            uin.map(|u| format!(" (uin {u})")).unwrap_or_default()
        ))
    }

    fn files(&self, report: &ReportInput<'_>) -> Vec<(String, Vec<u8>)> {
        let plan = report.plan;
        let (source_name, source_appid) = split_appid(report.source_bucket);
        let (_, destination_appid) = split_appid(&plan.bucket);
        let base = join(
            &plan.prefix,
            &format!("{source_appid}/{source_name}/{}", report.config_id),
        );
        let data_key = format!("{base}/{}.csv.gz", md5_hex(report.data));
        let manifest = serde_json::json!({
            "sourceAppid": source_appid,
            "sourceBucket": source_name,
            "destinationAppid": destination_appid,
            "destinationBucket": split_appid(&plan.bucket).0,
            "fileFormat": "CSV",
            "listObjectCount": report.object_count.to_string(),
            "listStorageSize": report.total_size.to_string(),
            "filterObjectCount": report.object_count.to_string(),
            "filterStorageSize": report.total_size.to_string(),
            "fileSchema": format!("Appid, {}", report.schema),
            "files": [{
                "key": data_key,
                "size": report.data.len().to_string(),
                "md5Checksum": md5_hex(report.data),
            }],
        });
        let manifest = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
        let folder = format!("{base}/{}", day_stamp(report.stamp));
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

/// The statement's `qcs` principal lets the source owner's COS service act: `*`,
/// `qcs::cam::anyone:anyone`, or `qcs::cam::uin/<uin>:uin/<uin>` / `…:service/cos` of the
/// configuration's `AccountId` (any uin when it names none).
fn principal_names_cos(statement: &Value, uin: Option<&str>) -> bool {
    let principal = field(statement, "Principal");
    if let Some(Value::String(any)) = principal {
        return any == "*";
    }
    let names = principal
        .map(|p| strings(field(p, "qcs")))
        .unwrap_or_default();
    names.iter().any(|name| {
        if *name == "*" || *name == "qcs::cam::anyone:anyone" {
            return true;
        }
        let Some(rest) = name.strip_prefix("qcs::cam::uin/") else {
            return false;
        };
        let Some((owner, who)) = rest.split_once(':') else {
            return false;
        };
        let owner_ok = uin.is_none_or(|u| u == owner);
        owner_ok && (who == "service/cos" || who == format!("uin/{owner}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_appid_is_the_numeric_suffix() {
        assert_eq!(
            split_appid("examplebucket-1250000000"),
            ("examplebucket", "1250000000")
        );
        assert_eq!(split_appid("plain"), ("plain", ""));
    }

    #[test]
    fn a_uin_principal_of_another_account_is_not_the_source_owner() {
        let statement = serde_json::json!({
            "Principal": {"qcs": ["qcs::cam::uin/100000000001:service/cos"]}
        });
        assert!(principal_names_cos(&statement, Some("100000000001")));
        assert!(!principal_names_cos(&statement, Some("100000000002")));
    }
}
