//! Where OSS delivers a configuration's reports and what of its destination can be checked.
//! Pure.
//!
//! Layout (OSS "Bucket inventory", https://www.alibabacloud.com/help/en/oss/user-guide/bucket-inventory;
//! `reference/reports.md` §1): `destination-prefix/src_bucket/inventory_id/YYYY-MM-DDTHH-MMZ/`
//! holding `manifest.json` and `manifest.checksum`, data files under
//! `…/inventory_id/data/`; without a prefix the path starts at the source bucket. Source and
//! destination are in one account and one region. Daily, weekly, monthly or once.
//!
//! Permission: OSS writes the reports as the RAM role the configuration names (`RoleArn`,
//! `acs:ram::<uid>:role/<name>`); what the role may do is RAM data, which the OSS API does not
//! show, and an OSS destination's bucket policy is not what grants it. So the check is what
//! read-only OSS calls can tell: the destination bucket exists (the caller's policy read
//! answers `NoSuchBucket` otherwise), and the role ARN has the documented form in the
//! configuration's account. Not checked: the role's trust policy and permissions, and a KMS
//! key's.

use super::model::OssInventory;
use crate::model::{
    BucketKey, Frequency, Inventory, Readiness, ReportLocation, ReportSchedule, StampFormat,
};
use crate::provider::kit::layout::join_prefix;
use crate::provider::kit::spec::DestinationCheck;
use crate::provider::oss::normalize::OSS_DESTINATION_BUCKET_PREFIX;

const DAY: u64 = 86_400;

/// The table's `report_location`: `{prefix}/{source}/{id}/` in the destination bucket, in the
/// source's region, stamped to the minute.
pub(crate) fn report_location(source: &BucketKey, inventory: &Inventory) -> Option<ReportLocation> {
    let oss = inventory.downcast_ref::<OssInventory>()?;
    let bucket = oss.destination.bucket.as_str();
    let bucket = bucket
        .strip_prefix(OSS_DESTINATION_BUCKET_PREFIX)
        .unwrap_or(bucket);
    if bucket.is_empty() {
        return None;
    }
    let schedule = match oss.frequency {
        Frequency::Daily => ReportSchedule::Every(std::time::Duration::from_secs(DAY)),
        Frequency::Weekly => ReportSchedule::Every(std::time::Duration::from_secs(7 * DAY)),
        Frequency::Monthly => ReportSchedule::Monthly,
        Frequency::Once => ReportSchedule::Once,
    };
    let rest = format!("{}/{}/", source.bucket, oss.id);
    Some(ReportLocation {
        destination: BucketKey {
            provider: source.provider,
            bucket: bucket.to_string(),
            region: source.region.clone(),
        },
        folder: join_prefix(oss.destination.prefix.as_deref(), &rest),
        stamp: StampFormat::Minute,
        source_bucket: source.bucket.clone(),
        schedule,
    })
}

/// `acs:ram::<uid>:role/<name>` → `(uid, name)`.
fn parse_role_arn(arn: &str) -> Option<(&str, &str)> {
    let (uid, name) = arn.strip_prefix("acs:ram::")?.split_once(":role/")?;
    let uid_ok = !uid.is_empty() && uid.bytes().all(|b| b.is_ascii_digit());
    (uid_ok && !name.is_empty() && !name.contains(':')).then_some((uid, name))
}

/// The table's `destination_readiness` (see the module documentation for what is checked).
/// The policy text is not consulted.
pub(crate) fn destination_readiness(check: &DestinationCheck<'_>) -> Readiness {
    let Some(oss) = check.inventory.downcast_ref::<OssInventory>() else {
        return Readiness::NotChecked {
            reason: "the configuration is not an OSS configuration".to_string(),
        };
    };
    let arn = oss.destination.role_arn.as_str();
    let account = oss.destination.account_id.as_str();
    let example = format!("acs:ram::{account}:role/AliyunOSSRole");
    match parse_role_arn(arn) {
        None => Readiness::NotReady {
            problem: format!(
                "roleArn `{arn}` is not a RAM role ARN (acs:ram::<uid>:role/<name>), so OSS cannot \
                 write reports to {}",
                check.location.destination.bucket
            ),
            fix: Some(format!(
                "set destination.roleArn to a role of account {account}, e.g. {example}"
            )),
        },
        Some((uid, _)) if !account.is_empty() && uid != account => Readiness::NotReady {
            problem: format!(
                "roleArn `{arn}` is a role of account {uid}, not of the configuration's account {account}"
            ),
            fix: Some(format!(
                "set destination.roleArn to a role of account {account}, e.g. {example}"
            )),
        },
        Some(_) => Readiness::Ready,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IncludedObjectVersions, Provider, ProviderBucketOptions, ReportFormat};
    use crate::provider::oss::model::{OssDestination, OssFilter};

    fn source() -> BucketKey {
        BucketKey {
            provider: Provider::OSS,
            bucket: "src".into(),
            region: "cn-hangzhou".into(),
        }
    }

    fn inventory(role_arn: &str) -> Inventory {
        Inventory::new(OssInventory {
            id: "report1".into(),
            enabled: true,
            included_object_versions: IncludedObjectVersions::All,
            frequency: Frequency::Weekly,
            day_of_month: None,
            auto_delete: false,
            filter: OssFilter::default(),
            optional_fields: vec![],
            destination: OssDestination {
                bucket: "acs:oss:::destbucket".into(),
                account_id: "1000000000000000".into(),
                role_arn: role_arn.into(),
                prefix: Some("p/".into()),
                format: ReportFormat::Csv,
                encryption: None,
            },
            incremental: None,
        })
    }

    fn readiness(role_arn: &str) -> Readiness {
        let config = inventory(role_arn);
        let location = report_location(&source(), &config).unwrap();
        destination_readiness(&DestinationCheck {
            source: &source(),
            options: &ProviderBucketOptions::none(),
            inventory: &config,
            location: &location,
            policy: None,
        })
    }

    #[test]
    fn reports_go_under_prefix_source_and_id_in_the_source_region() {
        let location = report_location(
            &source(),
            &inventory("acs:ram::1000000000000000:role/AliyunOSSRole"),
        )
        .unwrap();
        assert_eq!(location.destination.bucket, "destbucket");
        assert_eq!(location.destination.region, "cn-hangzhou");
        assert_eq!(location.folder, "p/src/report1/");
        assert_eq!(location.stamp, StampFormat::Minute);
        assert_eq!(
            location.schedule,
            ReportSchedule::Every(std::time::Duration::from_secs(7 * DAY))
        );
    }

    #[test]
    fn a_role_of_the_documented_form_in_the_account_is_ready() {
        assert_eq!(
            readiness("acs:ram::1000000000000000:role/AliyunOSSRole"),
            Readiness::Ready
        );
    }

    #[test]
    fn a_malformed_role_or_another_accounts_role_is_not_ready_with_the_fix() {
        for arn in [
            "AliyunOSSRole",
            "acs:ram::1000000000000000:user/x",
            "acs:ram::2000000000000000:role/AliyunOSSRole",
        ] {
            let Readiness::NotReady { fix: Some(fix), .. } = readiness(arn) else {
                panic!("{arn} must not be ready");
            };
            assert!(
                fix.contains("acs:ram::1000000000000000:role/AliyunOSSRole"),
                "{fix}"
            );
        }
    }
}
