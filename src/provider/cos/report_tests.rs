//! COS's report layout and destination rule.

use super::*;
use crate::model::{IncludedObjectVersions, Provider, ProviderBucketOptions, ReportFormat};
use crate::provider::cos::model::{CosDestination, CosFilter, CosSchedule};

fn source() -> BucketKey {
    BucketKey {
        provider: Provider::COS,
        bucket: "examplebucket-1250000000".into(),
        region: "ap-guangzhou".into(),
    }
}

fn inventory(prefix: Option<&str>, uin: Option<&str>) -> Inventory {
    Inventory::new(CosInventory {
        id: "list1".into(),
        enabled: true,
        included_object_versions: IncludedObjectVersions::Current,
        schedule: CosSchedule {
            frequency: Frequency::Monthly,
            monthly_date: Some(15),
        },
        filter: CosFilter::default(),
        optional_fields: vec![],
        destination: CosDestination {
            bucket: "qcs::cos:ap-guangzhou::inventory-1250000000".into(),
            account_id: uin.map(str::to_string),
            prefix: prefix.map(str::to_string),
            format: ReportFormat::Csv,
            sse_cos: false,
        },
    })
}

const GRANT: &str = r#"{"Statement":[{"Principal":{"qcs":["qcs::cam::uin/100000000001:service/cos"]},
  "Effect":"allow","Action":["name/cos:PutObject"],
  "Resource":["qcs::cos:ap-guangzhou:uid/1250000000:inventory-1250000000/cos-inv/*"]}],"version":"2.0"}"#;

fn readiness(inventory: &Inventory, policy: Option<&str>) -> Readiness {
    let location = report_location(&source(), inventory).unwrap();
    destination_readiness(&DestinationCheck {
        source: &source(),
        options: &ProviderBucketOptions::none(),
        inventory,
        location: &location,
        policy,
    })
}

#[test]
fn reports_go_under_prefix_appid_name_and_id_stamped_by_the_day() {
    let location = report_location(&source(), &inventory(Some("cos-inv"), None)).unwrap();
    assert_eq!(location.destination.bucket, "inventory-1250000000");
    assert_eq!(location.destination.region, "ap-guangzhou");
    assert_eq!(location.folder, "cos-inv/1250000000/examplebucket/list1/");
    assert_eq!(location.stamp, StampFormat::Day);
    assert_eq!(location.source_bucket, "examplebucket");
    assert_eq!(location.schedule, ReportSchedule::Monthly);
}

#[test]
fn the_owners_grant_is_ready_and_the_fix_is_itself_a_grant() {
    let config = inventory(Some("cos-inv"), Some("100000000001"));
    assert_eq!(readiness(&config, Some(GRANT)), Readiness::Ready);
    let Readiness::NotReady { fix: Some(fix), .. } = readiness(&config, None) else {
        panic!("no policy must be not ready with a fix");
    };
    let policy = format!(r#"{{"Statement":[{fix}],"version":"2.0"}}"#);
    assert_eq!(readiness(&config, Some(&policy)), Readiness::Ready);
}

#[test]
fn another_owner_action_or_prefix_or_a_deny_is_not_ready() {
    let config = inventory(Some("cos-inv"), Some("100000000001"));
    for (wrong, right) in [
        ("uin/100000000001:", "uin/100000000002:"),
        ("name/cos:PutObject", "name/cos:GetObject"),
        ("/cos-inv/*", "/other/*"),
        ("\"allow\"", "\"deny\""),
    ] {
        let policy = GRANT.replace(wrong, right);
        assert!(
            matches!(
                readiness(&config, Some(&policy)),
                Readiness::NotReady { .. }
            ),
            "{right}"
        );
    }
}

#[test]
fn an_unparsable_policy_is_not_checked() {
    assert!(matches!(
        readiness(&inventory(None, None), Some("not json")),
        Readiness::NotChecked { .. }
    ));
}
