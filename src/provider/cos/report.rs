//! Where COS delivers a configuration's reports and whether the destination lets it. Pure.
//!
//! Layout (COS "Inventory Overview", https://www.tencentcloud.com/document/product/436/30622;
//! `reference/reports.md` §1): `destination-prefix/appid/source-bucket/config-ID/YYYYMMDD/`
//! holding `manifest.json` and `manifest.checksum`, data files beside the stamp folders;
//! `appid` is the source bucket's APPID suffix and `source-bucket` its name without it, which
//! is also the manifest's `sourceBucket`. COS appends `/` to the prefix ("PUT Bucket
//! inventory"). Daily, weekly or monthly reports.
//!
//! Permission ("PUT Bucket inventory": the destination must carry a bucket policy that lets COS
//! write the reports; policy syntax of "PUT Bucket policy"): an `allow` statement with action
//! `name/cos:PutObject` on `qcs::cos:<region>:uid/<appid>:<dest>/<report key>` whose `qcs`
//! principal is the source owner's uin (`qcs::cam::uin/<uin>:uin/<uin>` or
//! `qcs::cam::uin/<uin>:service/cos`), `qcs::cam::anyone:anyone` or `*`; a matching `deny`
//! wins. The exact principal COS's own statement names is not documented
//! (`reference/reports.md` §4); without `accountId` the uin is not compared. Not checked: the
//! CAM role `COS_QcsRole` the API setup also needs, which only the CAM API shows.

use serde_json::{Value, json};

use super::model::CosInventory;
use crate::model::{
    BucketKey, Frequency, Inventory, Readiness, ReportLocation, ReportSchedule, StampFormat,
};
use crate::provider::kit::layout::join_prefix;
use crate::provider::kit::policy::{self, PolicyRequest, Verdict};
use crate::provider::kit::spec::DestinationCheck;

/// The action reports are written with, in COS policy syntax.
const ACTION: &str = "name/cos:PutObject";

/// Stands in for the source owner's uin in a statement when the configuration has no
/// `accountId`.
pub(crate) const UIN_PLACEHOLDER: &str = "OWNER-UIN";

const DAY: u64 = 86_400;

/// `examplebucket-1250000000` → (`examplebucket`, `1250000000`); a name without a numeric
/// suffix keeps its name and has no APPID.
fn split_appid(bucket: &str) -> (&str, &str) {
    match bucket.rsplit_once('-') {
        Some((name, appid)) if !appid.is_empty() && appid.bytes().all(|b| b.is_ascii_digit()) => {
            (name, appid)
        }
        _ => (bucket, ""),
    }
}

/// `qcs::cos:<region>::<bucket>` → `(region, bucket)`.
fn parse_destination(resource: &str) -> Option<(&str, &str)> {
    let rest = resource.strip_prefix("qcs::cos:")?;
    let (region, bucket) = rest.split_once("::")?;
    (!region.is_empty() && !bucket.is_empty()).then_some((region, bucket))
}

/// The table's `report_location`: `{prefix}/{appid}/{name}/{id}/` in the destination named by
/// the `qcs::cos:` resource, stamped by the day.
pub(crate) fn report_location(source: &BucketKey, inventory: &Inventory) -> Option<ReportLocation> {
    let cos = inventory.downcast_ref::<CosInventory>()?;
    let (region, bucket) = parse_destination(&cos.destination.bucket)?;
    let (name, appid) = split_appid(&source.bucket);
    let rest = format!("{appid}/{name}/{}/", cos.id);
    let schedule = match cos.schedule.frequency {
        Frequency::Weekly => ReportSchedule::Every(std::time::Duration::from_secs(7 * DAY)),
        Frequency::Monthly => ReportSchedule::Monthly,
        _ => ReportSchedule::Every(std::time::Duration::from_secs(DAY)),
    };
    Some(ReportLocation {
        destination: BucketKey {
            provider: source.provider,
            bucket: bucket.to_string(),
            region: region.to_string(),
        },
        folder: join_prefix(cos.destination.prefix.as_deref(), &rest),
        stamp: StampFormat::Day,
        source_bucket: name.to_string(),
        schedule,
    })
}

/// The table's `destination_readiness` (see the module documentation for the rule).
pub(crate) fn destination_readiness(check: &DestinationCheck<'_>) -> Readiness {
    let Some(cos) = check.inventory.downcast_ref::<CosInventory>() else {
        return Readiness::NotChecked {
            reason: "the configuration is not a COS configuration".to_string(),
        };
    };
    let dest = &check.location.destination;
    let (_, appid) = split_appid(&dest.bucket);
    let base = format!("qcs::cos:{}:uid/{appid}:{}/", dest.region, dest.bucket);
    let area = format!("{}/{}*", dest.bucket, check.location.folder);
    let uin = cos.destination.account_id.as_deref();
    let missing = |problem: String| Readiness::NotReady {
        problem,
        fix: Some(statement(cos, &base, uin)),
    };
    let Some(text) = check.policy else {
        return missing(format!(
            "destination bucket {} has no bucket policy, so COS may not {ACTION} on {area}",
            dest.bucket
        ));
    };
    let document = match policy::parse(text) {
        Ok(document) => document,
        Err(reason) => return Readiness::NotChecked { reason },
    };
    let resources = [
        format!("{base}{}20260101/manifest.json", check.location.folder),
        format!(
            "{base}{}00000000000000000000000000000000.csv.gz",
            check.location.folder
        ),
    ];
    let principal = |p: &Value| names_owner(p, uin);
    let request = PolicyRequest {
        principal: &principal,
        action: ACTION,
        resources: &resources,
        context: &[],
    };
    match policy::evaluate(&document, &request) {
        Verdict::Allowed => Readiness::Ready,
        Verdict::Denied(sid) => Readiness::NotReady {
            problem: format!(
                "statement {sid} of {}'s bucket policy denies {ACTION} on {area}",
                dest.bucket
            ),
            fix: Some(format!("remove statement {sid} or exclude {area} from it")),
        },
        Verdict::NotGranted => missing(format!(
            "bucket policy of {} grants the source owner{} no {ACTION} on {area}",
            dest.bucket,
            uin.map(|u| format!(" (uin {u})")).unwrap_or_default()
        )),
        Verdict::Unknown(why) => Readiness::NotChecked {
            reason: format!("{}'s bucket policy cannot be evaluated: {why}", dest.bucket),
        },
    }
}

/// True for a `Principal` whose `qcs` names the source owner (any owner when `uin` is not
/// known), COS on its behalf, or everyone.
fn names_owner(principal: &Value, uin: Option<&str>) -> bool {
    if principal.as_str() == Some("*") {
        return true;
    }
    policy::strings(policy::field(principal, "qcs"))
        .iter()
        .any(|name| {
            if *name == "*" || *name == "qcs::cam::anyone:anyone" {
                return true;
            }
            let Some((owner, who)) = name
                .strip_prefix("qcs::cam::uin/")
                .and_then(|rest| rest.split_once(':'))
            else {
                return false;
            };
            uin.is_none_or(|u| u == owner)
                && (who == "service/cos" || who == format!("uin/{owner}"))
        })
}

/// The statement to add, as pretty JSON: COS acting for the owner may put objects under the
/// configuration's prefix.
fn statement(cos: &CosInventory, base: &str, uin: Option<&str>) -> String {
    let uin = uin.unwrap_or(UIN_PLACEHOLDER);
    let area = join_prefix(cos.destination.prefix.as_deref(), "*");
    let value = json!({
        "Principal": { "qcs": [format!("qcs::cam::uin/{uin}:service/cos")] },
        "Effect": "allow",
        "Action": [ACTION],
        "Resource": [format!("{base}{area}")],
    });
    serde_json::to_string_pretty(&value).unwrap_or_else(|_| value.to_string())
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
