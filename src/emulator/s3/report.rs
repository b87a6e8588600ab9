//! S3's objects, bucket policy and inventory report delivery, as the emulator serves them.
//!
//! Sources (`shared/reference/reports.md`): the layout and `manifest.json` of "Locating your
//! inventory list", the destination bucket policy of "Configuring Amazon S3 Inventory", the
//! ListObjects/ListObjectsV2/GetBucketPolicy API pages. The grant rule below is the
//! emulator's own witness of the documented policy, independent of the client's analyzer.

use serde_json::Value;

use crate::emulator::dialect::{
    DeliveryPlan, GrantQuery, ObjectRules, ReportDialect, ReportInput, Schedule,
};
use crate::emulator::errors::ApiError;
use crate::emulator::report::layout::{data_name, join, md5_hex, minute_stamp, text_at};
use crate::emulator::report::policy::{any_matches, effect, field, statements, strings};
use crate::emulator::xmltree::Element;
use crate::provider::s3::xml::NAMESPACE;

/// S3's answers to the object and bucket-policy calls.
pub(crate) static OBJECT_RULES: ObjectRules = ObjectRules {
    namespace: Some(NAMESPACE),
    next_marker_always: false,
    list_v2: true,
    etag_upper: false,
    object_type: false,
    owner: (
        "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a",
        "emulator",
    ),
    put_policy_status: 204,
    no_policy,
    no_such_key,
};

fn no_policy() -> ApiError {
    ApiError::new(
        404,
        "NoSuchBucketPolicy",
        "The bucket policy does not exist",
    )
}

fn no_such_key() -> ApiError {
    ApiError::new(404, "NoSuchKey", "The specified key does not exist.")
}

/// S3's report delivery.
pub(crate) struct S3Reports;

/// The one instance.
pub(crate) static REPORTS: S3Reports = S3Reports;

impl ReportDialect for S3Reports {
    fn plan(&self, config: &Element) -> Option<DeliveryPlan> {
        if !text_at(config, "IsEnabled")?.eq_ignore_ascii_case("true") {
            return None;
        }
        let destination = "Destination/S3BucketDestination";
        let arn = text_at(config, &format!("{destination}/Bucket"))?;
        let bucket = arn.strip_prefix("arn:aws:s3:::")?.to_string();
        let schedule = match text_at(config, "Schedule/Frequency")?.as_str() {
            "Daily" => Schedule::Daily,
            "Weekly" => Schedule::Weekly,
            _ => return None,
        };
        Some(DeliveryPlan {
            bucket,
            prefix: text_at(config, &format!("{destination}/Prefix")).unwrap_or_default(),
            format: text_at(config, &format!("{destination}/Format")).unwrap_or_default(),
            account: text_at(config, &format!("{destination}/AccountId")),
            role_arn: None,
            schedule,
            filter_prefix: text_at(config, "Filter/Prefix").unwrap_or_default(),
        })
    }

    /// Allowed when an `Allow` statement grants `s3.amazonaws.com` `s3:PutObject` on the key
    /// with every condition it states met, and no `Deny` statement matches the same way.
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
        let resource = format!("arn:aws:s3:::{bucket}/{}", grant.key);
        let source_arn = format!("arn:aws:s3:::{}", grant.source_bucket);
        let account = grant.config.s3_account_id.as_str();
        let matching = |wanted: &str| {
            statements(&policy).into_iter().any(|statement| {
                effect(statement) == wanted
                    && principal_is_s3(statement)
                    && any_matches(&strings(field(statement, "Action")), "s3:PutObject", true)
                    && any_matches(&strings(field(statement, "Resource")), &resource, false)
                    && conditions_met(statement, &source_arn, account)
            })
        };
        if matching("deny") {
            return Err(format!(
                "destination bucket {bucket}'s policy denies s3.amazonaws.com s3:PutObject on {resource}"
            ));
        }
        if matching("allow") {
            return Ok(());
        }
        Err(format!(
            "destination bucket {bucket}'s policy does not grant s3.amazonaws.com s3:PutObject \
             on {resource} for source {source_arn} (account {account})"
        ))
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
            "sourceBucket": report.source_bucket,
            "destinationBucket": format!("arn:aws:s3:::{}", plan.bucket),
            "version": "2016-11-30",
            "creationTimestamp": (report.stamp * 1000).to_string(),
            "fileFormat": "CSV",
            "fileSchema": report.schema,
            "files": [{
                "key": data_key,
                "size": report.data.len(),
                "MD5checksum": md5_hex(report.data),
            }],
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

/// `"Principal": {"Service": "s3.amazonaws.com"}` (string or list), or `"*"`.
fn principal_is_s3(statement: &Value) -> bool {
    match field(statement, "Principal") {
        Some(Value::String(any)) => any == "*",
        Some(principal) => strings(field(principal, "Service")).contains(&"s3.amazonaws.com"),
        None => false,
    }
}

/// Every condition the statement states holds for the inventory service's write: the
/// source bucket's ARN, the source account and the `bucket-owner-full-control` ACL it sends.
/// A condition on any other key makes the statement not apply.
fn conditions_met(statement: &Value, source_arn: &str, account: &str) -> bool {
    let Some(Value::Object(conditions)) = field(statement, "Condition") else {
        return true;
    };
    conditions.iter().all(|(operator, keys)| {
        let Value::Object(keys) = keys else {
            return false;
        };
        let like = operator.to_ascii_lowercase().contains("like");
        keys.iter().all(|(key, values)| {
            let values = strings(Some(values));
            let actual = match key.to_ascii_lowercase().as_str() {
                "aws:sourcearn" => source_arn,
                "aws:sourceaccount" => account,
                "s3:x-amz-acl" => "bucket-owner-full-control",
                _ => return false,
            };
            if like {
                any_matches(&values, actual, false)
            } else {
                values.contains(&actual)
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::config::EmulatorConfig;
    use std::collections::BTreeSet;

    fn plan() -> DeliveryPlan {
        DeliveryPlan {
            bucket: "dest".into(),
            prefix: "inv".into(),
            format: "CSV".into(),
            account: None,
            role_arn: None,
            schedule: Schedule::Daily,
            filter_prefix: String::new(),
        }
    }

    fn permits(policy: &str) -> Result<(), String> {
        let config = EmulatorConfig {
            s3_account_id: "123456789012".into(),
            ..EmulatorConfig::default()
        };
        let roles = BTreeSet::new();
        let plan = plan();
        REPORTS.permits(&GrantQuery {
            source_bucket: "src",
            plan: &plan,
            region: "us-east-1",
            policy: Some(policy),
            key: "inv/src/cfg/2026-12-08T00-00Z/manifest.json",
            config: &config,
            roles: &roles,
            role_name: &|u, r| format!("{u}/{r}"),
        })
    }

    const DOCUMENTED: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"InventoryExamplePolicy",
        "Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"s3:PutObject",
        "Resource":["arn:aws:s3:::dest/*"],"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::src"},
        "StringEquals":{"aws:SourceAccount":"123456789012","s3:x-amz-acl":"bucket-owner-full-control"}}}]}"#;

    #[test]
    fn the_documented_policy_grants_delivery() {
        assert_eq!(permits(DOCUMENTED), Ok(()));
    }

    #[test]
    fn another_source_account_or_bucket_gets_nothing() {
        assert!(permits(&DOCUMENTED.replace("123456789012", "999999999999")).is_err());
        assert!(permits(&DOCUMENTED.replace(":::src", ":::other")).is_err());
        assert!(permits(&DOCUMENTED.replace("dest/*", "dest/elsewhere/*")).is_err());
    }

    #[test]
    fn a_deny_statement_wins() {
        let deny = DOCUMENTED.replace("\"Allow\"", "\"Deny\"");
        let both = format!(
            r#"{{"Statement":[{},{}]}}"#,
            &statements_of(DOCUMENTED),
            &statements_of(&deny)
        );
        assert!(permits(&both).is_err());
    }

    fn statements_of(policy: &str) -> String {
        let v: Value = serde_json::from_str(policy).unwrap();
        v["Statement"][0].to_string()
    }
}
