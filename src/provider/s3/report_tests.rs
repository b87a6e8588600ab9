//! S3's report layout and destination rule, against AWS's documented policy.

use super::*;
use crate::model::{IncludedObjectVersions, Provider, ProviderBucketOptions};
use crate::provider::s3::model::{S3BucketOptions, S3Destination, S3Format};

fn source() -> BucketKey {
    BucketKey {
        provider: Provider::S3,
        bucket: "logs-src".into(),
        region: "us-east-1".into(),
    }
}

fn inventory(prefix: Option<&str>, account: Option<&str>) -> Inventory {
    Inventory::new(S3Inventory {
        id: "daily".into(),
        enabled: true,
        filter_prefix: None,
        destination: S3Destination {
            bucket: "arn:aws:s3:::logs-dest".into(),
            account_id: account.map(str::to_string),
            format: S3Format::Csv,
            prefix: prefix.map(str::to_string),
            encryption: None,
        },
        frequency: Frequency::Daily,
        included_object_versions: IncludedObjectVersions::Current,
        optional_fields: Vec::new(),
    })
}

/// AWS's example destination policy, filled in for `logs-src` → `logs-dest`.
const DOCUMENTED: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "InventoryExamplePolicy",
      "Effect": "Allow",
      "Principal": {"Service": "s3.amazonaws.com"},
      "Action": "s3:PutObject",
      "Resource": ["arn:aws:s3:::logs-dest/*"],
      "Condition": {
        "ArnLike": {"aws:SourceArn": "arn:aws:s3:::logs-src"},
        "StringEquals": {
          "aws:SourceAccount": "111122223333",
          "s3:x-amz-acl": "bucket-owner-full-control"
        }
      }
    }
  ]
}"#;

fn readiness(inventory: &Inventory, policy: Option<&str>) -> Readiness {
    readiness_with(inventory, &ProviderBucketOptions::none(), policy)
}

fn readiness_with(
    inventory: &Inventory,
    options: &ProviderBucketOptions,
    policy: Option<&str>,
) -> Readiness {
    let location = report_location(&source(), inventory).unwrap();
    destination_readiness(&DestinationCheck {
        source: &source(),
        options,
        inventory,
        location: &location,
        policy,
    })
}

fn fix_of(readiness: Readiness) -> String {
    match readiness {
        Readiness::NotReady { fix: Some(fix), .. } => fix,
        other => panic!("expected not ready with a fix, got {other:?}"),
    }
}

#[test]
fn reports_go_under_prefix_source_and_id_in_the_source_region() {
    let location = report_location(&source(), &inventory(Some("inv/"), None)).unwrap();
    assert_eq!(location.destination.bucket, "logs-dest");
    assert_eq!(location.destination.region, "us-east-1");
    assert_eq!(location.folder, "inv/logs-src/daily/");
    assert_eq!(location.stamp, StampFormat::Minute);
    assert_eq!(location.source_bucket, "logs-src");
    let bare = report_location(&source(), &inventory(None, None)).unwrap();
    assert_eq!(bare.folder, "logs-src/daily/");
}

#[test]
fn the_documented_statement_is_ready() {
    assert_eq!(
        readiness(
            &inventory(Some("inv"), Some("111122223333")),
            Some(DOCUMENTED)
        ),
        Readiness::Ready
    );
}

#[test]
fn no_policy_is_not_ready_with_the_statement_to_add() {
    let fix = fix_of(readiness(
        &inventory(Some("inv"), Some("111122223333")),
        None,
    ));
    let statement: Value = serde_json::from_str(&fix).unwrap();
    assert_eq!(statement["Principal"]["Service"], "s3.amazonaws.com");
    assert_eq!(statement["Action"], "s3:PutObject");
    assert_eq!(statement["Resource"][0], "arn:aws:s3:::logs-dest/inv/*");
    assert_eq!(
        statement["Condition"]["ArnLike"]["aws:SourceArn"],
        "arn:aws:s3:::logs-src"
    );
    assert_eq!(
        statement["Condition"]["StringEquals"]["aws:SourceAccount"],
        "111122223333"
    );
    assert_eq!(
        statement["Condition"]["StringEquals"]["s3:x-amz-acl"],
        "bucket-owner-full-control"
    );
}

#[test]
fn the_added_statement_itself_makes_the_destination_ready() {
    let config = inventory(Some("inv"), Some("111122223333"));
    let fix = fix_of(readiness(&config, None));
    let policy = format!(r#"{{"Version":"2012-10-17","Statement":[{fix}]}}"#);
    assert_eq!(readiness(&config, Some(&policy)), Readiness::Ready);
}

#[test]
fn an_unknown_source_account_is_a_named_placeholder_and_the_check_is_not_made() {
    let config = inventory(Some("inv"), None);
    let fix = fix_of(readiness(&config, None));
    assert!(fix.contains(ACCOUNT_PLACEHOLDER), "{fix}");
    assert!(matches!(
        readiness(&config, Some(DOCUMENTED)),
        Readiness::NotChecked { reason } if reason.contains("expectedBucketOwner")
    ));
    let owner = ProviderBucketOptions::new(S3BucketOptions {
        expected_bucket_owner: Some("111122223333".into()),
        ..S3BucketOptions::default()
    });
    assert_eq!(
        readiness_with(&config, &owner, Some(DOCUMENTED)),
        Readiness::Ready
    );
}

#[test]
fn a_missing_statement_wrong_principal_resource_or_source_is_not_ready() {
    let config = inventory(Some("inv"), Some("111122223333"));
    for (wrong, right) in [
        ("\"s3.amazonaws.com\"", "\"logging.s3.amazonaws.com\""),
        ("logs-dest/*", "logs-dest/other/*"),
        ("arn:aws:s3:::logs-src\"", "arn:aws:s3:::another-src\""),
        ("\"111122223333\"", "\"444455556666\""),
        (
            "\"Action\": \"s3:PutObject\"",
            "\"Action\": \"s3:GetObject\"",
        ),
    ] {
        let policy = DOCUMENTED.replace(wrong, right);
        assert_ne!(policy, DOCUMENTED, "{wrong}");
        let fix = fix_of(readiness(&config, Some(&policy)));
        assert!(fix.contains("s3.amazonaws.com"), "{right}: {fix}");
    }
    let empty = r#"{"Version":"2012-10-17","Statement":[]}"#;
    assert!(matches!(
        readiness(&config, Some(empty)),
        Readiness::NotReady { .. }
    ));
}

#[test]
fn a_deny_overrides_the_grant() {
    let deny = r#"{"Sid":"NoWrites","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::logs-dest/inv/*"}"#;
    let policy = DOCUMENTED.replace("\n  ]\n}", &format!(",{deny}\n  ]\n}}"));
    let readiness = readiness(&inventory(Some("inv"), Some("111122223333")), Some(&policy));
    assert!(
        matches!(&readiness, Readiness::NotReady { problem, .. } if problem.contains("NoWrites")),
        "{readiness:?}"
    );
}

#[test]
fn an_unparsable_policy_is_not_checked_never_ready() {
    for policy in ["{", "[]", r#"{"Statement":"x"}"#, "<html/>"] {
        assert!(
            matches!(
                readiness(&inventory(Some("inv"), Some("1")), Some(policy)),
                Readiness::NotChecked { .. }
            ),
            "{policy}"
        );
    }
}
