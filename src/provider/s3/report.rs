//! Where S3 delivers a configuration's reports and whether the destination lets it. Pure.
//!
//! Layout (S3 User Guide, "Inventory list" / "Locating your inventory list",
//! https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-inventory-location.html):
//! `destination-prefix/source-bucket/config-ID/YYYY-MM-DDTHH-MMZ/manifest.json` and
//! `manifest.checksum`, data files under `destination-prefix/source-bucket/config-ID/data/`;
//! without a prefix the folder starts at the source bucket. "The destination bucket must be in
//! the same … Region as the source bucket" (PutBucketInventoryConfiguration reference;
//! `reference/reports.md` §7). Daily and weekly (Sunday) reports.
//!
//! Permission (S3 User Guide, "Grant permissions for S3 Inventory and S3 analytics",
//! https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html#example-bucket-policies-s3-inventory-1):
//! the destination's bucket policy allows the service principal `s3.amazonaws.com`
//! `s3:PutObject` on the destination objects, conditioned on `aws:SourceArn` (the source
//! bucket), `aws:SourceAccount` (its owner) and `s3:x-amz-acl` `bucket-owner-full-control`.
//! A deny that matches the write wins. Not checked: KMS key policies for SSE-KMS reports,
//! Object Ownership settings, SCPs and access points, which read-only calls on the bucket do
//! not show.

use serde_json::{Value, json};

use super::model::{S3Inventory, bucket_name_of_arn, partition};
use crate::model::{
    BucketKey, Frequency, Inventory, Readiness, ReportLocation, ReportSchedule, StampFormat,
};
use crate::provider::kit::layout::join_prefix;
use crate::provider::kit::policy::{self, PolicyRequest, Verdict};
use crate::provider::kit::spec::DestinationCheck;

/// The service principal that writes inventory reports.
const SERVICE: &str = "s3.amazonaws.com";

/// The canned ACL S3 writes reports with, which AWS's example policy requires.
const REPORT_ACL: &str = "bucket-owner-full-control";

/// Stands in for the source account in a statement when invsync does not know it.
pub(crate) const ACCOUNT_PLACEHOLDER: &str = "SOURCE-ACCOUNT-ID";

const DAY: u64 = 86_400;

/// The table's `report_location`: `{prefix}/{source}/{id}/` in the destination bucket, in the
/// source's region, stamped to the minute.
pub(crate) fn report_location(source: &BucketKey, inventory: &Inventory) -> Option<ReportLocation> {
    let s3 = inventory.downcast_ref::<S3Inventory>()?;
    let destination = destination_name(&s3.destination.bucket)?;
    let rest = format!("{}/{}/", source.bucket, s3.id);
    let folder = join_prefix(s3.destination.prefix.as_deref(), &rest);
    let schedule = match s3.frequency {
        Frequency::Weekly => ReportSchedule::Every(std::time::Duration::from_secs(7 * DAY)),
        _ => ReportSchedule::Every(std::time::Duration::from_secs(DAY)),
    };
    Some(ReportLocation {
        destination: BucketKey {
            provider: source.provider,
            bucket: destination.to_string(),
            region: source.region.clone(),
        },
        folder,
        stamp: StampFormat::Minute,
        source_bucket: source.bucket.clone(),
        schedule,
    })
}

/// The bucket name of a destination given as an ARN or a bare name.
fn destination_name(bucket: &str) -> Option<&str> {
    if bucket.starts_with("arn:") {
        bucket_name_of_arn(bucket)
    } else {
        Some(bucket).filter(|b| !b.is_empty())
    }
}

/// The source account, when the bucket's `expectedBucketOwner` or the destination's
/// `accountId` names it (the latter assumes the common case of one account for both).
fn source_account(check: &DestinationCheck<'_>) -> Option<String> {
    let owner = check
        .options
        .downcast_ref::<super::model::S3BucketOptions>()
        .and_then(|o| o.expected_bucket_owner.clone());
    let s3 = check.inventory.downcast_ref::<S3Inventory>();
    owner.or_else(|| s3.and_then(|s| s.destination.account_id.clone()))
}

/// The table's `destination_readiness` (see the module documentation for the rule).
pub(crate) fn destination_readiness(check: &DestinationCheck<'_>) -> Readiness {
    let Some(s3) = check.inventory.downcast_ref::<S3Inventory>() else {
        return Readiness::NotChecked {
            reason: "the configuration is not an S3 configuration".to_string(),
        };
    };
    let dest = &check.location.destination.bucket;
    let partition = partition(&check.source.region);
    let account = source_account(check);
    let area = format!("{dest}/{}*", check.location.folder);
    let missing = |problem: String| Readiness::NotReady {
        problem,
        fix: Some(statement(s3, check, partition, account.as_deref())),
    };
    let Some(text) = check.policy else {
        return missing(format!(
            "destination bucket {dest} has no bucket policy, so {SERVICE} may not s3:PutObject on {area}"
        ));
    };
    let document = match policy::parse(text) {
        Ok(document) => document,
        Err(reason) => return Readiness::NotChecked { reason },
    };
    let arn = |key: &str| format!("arn:{partition}:s3:::{dest}/{}{key}", check.location.folder);
    let resources = [
        arn("2026-01-01T00-00Z/manifest.json"),
        arn("data/00000000-0000-0000-0000-000000000000.csv.gz"),
    ];
    let context = [
        (
            "aws:sourcearn",
            Some(format!("arn:{partition}:s3:::{}", check.source.bucket)),
        ),
        ("aws:sourceaccount", account.clone()),
        ("s3:x-amz-acl", Some(REPORT_ACL.to_string())),
        ("aws:securetransport", Some("true".to_string())),
    ];
    let request = PolicyRequest {
        principal: &names_service,
        action: "s3:PutObject",
        resources: &resources,
        context: &context,
    };
    match policy::evaluate(&document, &request) {
        Verdict::Allowed => Readiness::Ready,
        Verdict::Denied(sid) => Readiness::NotReady {
            problem: format!(
                "statement {sid} of {dest}'s bucket policy denies {SERVICE} s3:PutObject on {area}"
            ),
            fix: Some(format!(
                "remove statement {sid} or exclude {SERVICE} writing to {area} from it"
            )),
        },
        Verdict::NotGranted => missing(format!(
            "bucket policy of {dest} grants {SERVICE} no s3:PutObject on {area} for source bucket {}",
            check.source.bucket
        )),
        Verdict::Unknown(why)
            if account.is_none() && why.to_ascii_lowercase().contains("sourceaccount") =>
        {
            Readiness::NotChecked {
                reason: format!(
                    "{dest}'s bucket policy conditions on aws:SourceAccount and the source account \
                     is not known (set expectedBucketOwner on {}, or the destination's accountId)",
                    check.source.bucket
                ),
            }
        }
        Verdict::Unknown(why) => Readiness::NotChecked {
            reason: format!("{dest}'s bucket policy cannot be evaluated: {why}"),
        },
    }
}

/// True for a `Principal` that names the S3 service (or everyone).
fn names_service(principal: &Value) -> bool {
    if principal.as_str() == Some("*") {
        return true;
    }
    let services = policy::strings(policy::field(principal, "Service"));
    let everyone = policy::strings(policy::field(principal, "AWS")).contains(&"*");
    everyone || services.iter().any(|s| s.eq_ignore_ascii_case(SERVICE))
}

/// The statement AWS documents, for this configuration, as pretty JSON; the source account is
/// [`ACCOUNT_PLACEHOLDER`] when not known.
fn statement(
    s3: &S3Inventory,
    check: &DestinationCheck<'_>,
    partition: &str,
    account: Option<&str>,
) -> String {
    let dest = &check.location.destination.bucket;
    let area = join_prefix(s3.destination.prefix.as_deref(), "*");
    let resource = format!("arn:{partition}:s3:::{dest}/{area}");
    let value = json!({
        "Sid": format!("InventoryDelivery-{}", check.source.bucket),
        "Effect": "Allow",
        "Principal": { "Service": SERVICE },
        "Action": "s3:PutObject",
        "Resource": [resource],
        "Condition": {
            "ArnLike": { "aws:SourceArn": format!("arn:{partition}:s3:::{}", check.source.bucket) },
            "StringEquals": {
                "aws:SourceAccount": account.unwrap_or(ACCOUNT_PLACEHOLDER),
                "s3:x-amz-acl": REPORT_ACL,
            },
        },
    });
    serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string())
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
