//! Report delivery: on every tick of the emulator's clock, each enabled configuration of
//! every bucket whose scheduled time passed since its last one gets ONE report (the newest
//! due), stamped with that time and written in its provider's layout — when the destination
//! bucket exists and the provider's own rule (its `ReportDialect::permits`) lets the
//! inventory service write there. Every attempt is logged (`GET /_emulator/deliveries`).
//!
//! A configuration's clock starts when a tick first sees it: a scheduled time before that is
//! never due. A refused period is not retried: the next report is the next period's.

mod gzip;
pub(crate) mod layout;
pub(crate) mod policy;
mod schedule;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::bucket_index::BucketDefaults;
use super::clock;
use super::config::EmulatorConfig;
use super::dialect::{GrantQuery, ReportInput};
use super::dialects;
use super::objects::StoredObject;
use super::state::Store;
use super::xmltree::Element;
use crate::model::Provider;

/// The columns of the data file the emulator writes.
const SCHEMA: &str = "Bucket, Key, Size, LastModifiedDate, ETag";

/// One delivery attempt, as `GET /_emulator/deliveries` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryRecord {
    /// The source bucket's provider.
    pub provider: Provider,
    /// The bucket the configuration belongs to.
    pub source_bucket: String,
    /// The configuration's id.
    pub config_id: String,
    /// The destination bucket, as the emulator names it.
    pub destination_bucket: String,
    /// The scheduled time the report is (or would have been) stamped with, RFC 3339.
    pub scheduled: String,
    /// The manifest's key, when the report was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_key: Option<String>,
    /// Whether the report was written.
    pub delivered: bool,
    /// Why not, when it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Where each configuration's schedule stands, the attempts so far and the OSS roles marked
/// writable.
#[derive(Debug, Default)]
pub(crate) struct Deliveries {
    /// (provider, bucket, id) → (first seen, last scheduled time considered).
    cursors: BTreeMap<(Provider, String, String), (u64, u64)>,
    pub(crate) log: Vec<DeliveryRecord>,
    /// RAM roles allowed to write, as `provider/uid/role`.
    pub(crate) roles: BTreeSet<String>,
}

impl Deliveries {
    /// Marks (or unmarks) a provider's role as allowed to write into destinations.
    pub(crate) fn set_role(&mut self, provider: Provider, uid: &str, role: &str, allowed: bool) {
        let name = role_name(provider, uid, role);
        if allowed {
            self.roles.insert(name);
        } else {
            self.roles.remove(&name);
        }
    }

    /// Delivers every report due at `now` (seconds since the epoch) into `store`. Returns
    /// whether the store changed.
    pub(crate) fn tick(&mut self, store: &mut Store, config: &EmulatorConfig, now: u64) -> bool {
        let mut due = Vec::new();
        let mut seen = BTreeSet::new();
        for dialect in dialects::ALL {
            let provider = dialect.provider();
            let Some(buckets) = store.buckets.get(&provider) else {
                continue;
            };
            for (bucket, state) in buckets {
                for (id, stored) in &state.configs {
                    let key = (provider, bucket.clone(), id.clone());
                    seen.insert(key.clone());
                    let Ok(root) = Element::parse(stored.xml.as_bytes()) else {
                        continue;
                    };
                    let plan = dialect.reports().plan(&root);
                    let Some((since, last)) = self.cursors.get(&key).copied() else {
                        self.cursors.insert(key, (now, now));
                        continue;
                    };
                    let Some(plan) = plan else {
                        self.cursors.insert(key, (since, last.max(now)));
                        continue;
                    };
                    if let Some(at) = schedule::newest_due(plan.schedule, since, last, now) {
                        self.cursors.insert(key, (since, at));
                        due.push(Due {
                            dialect,
                            bucket: bucket.clone(),
                            id: id.clone(),
                            plan,
                            at,
                        });
                    }
                }
            }
        }
        self.cursors.retain(|key, _| seen.contains(key));
        let mut changed = false;
        for report in due {
            let record = deliver(store, config, &self.roles, &report, now);
            changed |= record.delivered;
            self.log.push(record);
        }
        changed
    }
}

/// The name a role is marked under.
fn role_name(provider: Provider, uid: &str, role: &str) -> String {
    format!("{}/{uid}/{role}", provider.as_str())
}

/// One report that fell due: whose, where to, stamped when.
struct Due {
    dialect: &'static dyn super::dialect::EmulatedProvider,
    bucket: String,
    id: String,
    plan: super::dialect::DeliveryPlan,
    /// The scheduled time, seconds since the epoch.
    at: u64,
}

/// Writes `report` into its destination at `now` when the provider permits it; the record
/// says what happened.
fn deliver(
    store: &mut Store,
    config: &EmulatorConfig,
    roles: &BTreeSet<String>,
    report: &Due,
    now: u64,
) -> DeliveryRecord {
    let Due {
        dialect,
        bucket,
        id,
        plan,
        at,
    } = report;
    let (dialect, bucket, id, at) = (*dialect, bucket.as_str(), id.as_str(), *at);
    let provider = dialect.provider();
    let mut record = DeliveryRecord {
        provider,
        source_bucket: bucket.to_string(),
        config_id: id.to_string(),
        destination_bucket: plan.bucket.clone(),
        scheduled: clock::iso8601(UNIX_EPOCH + Duration::from_secs(at)),
        manifest_key: None,
        delivered: false,
        reason: None,
    };
    let Some(destination) = store.bucket(provider, &plan.bucket) else {
        record.reason = Some(format!("destination bucket {} does not exist", plan.bucket));
        return record;
    };
    let region = destination.region.clone().unwrap_or_default();
    let policy = destination.policy.clone();
    let (data, count, total) = data_file(store, provider, bucket, &plan.filter_prefix);
    let files = dialect.reports().files(&ReportInput {
        source_bucket: bucket,
        config_id: id,
        plan,
        stamp: at,
        data: &data,
        schema: SCHEMA,
        object_count: count,
        total_size: total,
    });
    let Some(manifest) = files
        .iter()
        .map(|(key, _)| key.clone())
        .find(|key| key.ends_with("manifest.json"))
    else {
        record.reason = Some("the provider wrote no manifest".to_string());
        return record;
    };
    let grant = GrantQuery {
        source_bucket: bucket,
        plan,
        region: &region,
        policy: policy.as_deref(),
        key: &manifest,
        config,
        roles,
        role_name: &|uid, role| role_name(provider, uid, role),
    };
    if let Err(reason) = dialect.reports().permits(&grant) {
        record.reason = Some(reason);
        return record;
    }
    let implied = BucketDefaults {
        region: &region,
        created: now,
    };
    for (key, body) in files {
        let _ = store.put_object(
            provider,
            &plan.bucket,
            &key,
            StoredObject::new(body, now),
            implied,
        );
    }
    record.manifest_key = Some(manifest);
    record.delivered = true;
    record
}

/// The gzip CSV listing the source bucket's objects under `prefix`, with their count and
/// total size.
fn data_file(
    store: &Store,
    provider: Provider,
    bucket: &str,
    prefix: &str,
) -> (Vec<u8>, usize, u64) {
    let objects = store
        .bucket(provider, bucket)
        .map(|b| b.objects.clone())
        .unwrap_or_default();
    let mut csv = String::new();
    let (mut count, mut total) = (0, 0);
    for (key, object) in objects.range(prefix.to_string()..) {
        if !key.starts_with(prefix) {
            break;
        }
        count += 1;
        total += object.body.len() as u64;
        let modified = clock::iso8601_millis(UNIX_EPOCH + Duration::from_secs(object.modified));
        let encoded: String =
            percent_encoding::utf8_percent_encode(key, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        csv.push_str(&format!(
            "\"{bucket}\",\"{encoded}\",\"{}\",\"{modified}\",\"{}\"\n",
            object.body.len(),
            object.md5
        ));
    }
    (gzip::gzip(csv.as_bytes()), count, total)
}
