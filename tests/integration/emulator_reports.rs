//! The emulator delivers inventory reports on its own clock: advancing it past a schedule
//! writes the data file, `manifest.json` and `manifest.checksum` in each provider's layout
//! when the destination permits it, nothing when it does not, and the next period's report
//! once the grant is added.

use std::time::{Duration, UNIX_EPOCH};

use crate::support::emulator_support;

use emulator_support::*;
use invsync::emulator::EmulatorHandle;
use invsync::model::Provider;
use md5::{Digest, Md5};
use serde_json::Value;

const DAY: Duration = Duration::from_secs(86_400);

/// The documented S3 destination statement for source bucket `src` of account 123456789012.
const S3_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"InventoryExamplePolicy",
  "Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"s3:PutObject",
  "Resource":["arn:aws:s3:::inventory-reports/*"],
  "Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::src"},
  "StringEquals":{"aws:SourceAccount":"123456789012","s3:x-amz-acl":"bucket-owner-full-control"}}}]}"#;

const COS_POLICY: &str = r#"{"Statement":[{"Principal":{"qcs":["qcs::cam::uin/100000000001:service/cos"]},
  "Effect":"allow","Action":["name/cos:PutObject"],
  "Resource":["qcs::cos:ap-guangzhou:uid/1250000000:dest-1250000000/*"]}],"version":"2.0"}"#;

fn md5_hex(bytes: &[u8]) -> String {
    hex::encode(Md5::digest(bytes))
}

/// The newest delivery's manifest key, after checking it was delivered.
fn delivered_manifest(emulator: &EmulatorHandle) -> String {
    let last = emulator
        .deliveries()
        .last()
        .cloned()
        .expect("a delivery was attempted");
    assert!(last.delivered, "{last:?}");
    last.manifest_key
        .expect("a delivered report has a manifest")
}

/// Reads the manifest at `key` in `bucket`, checks `manifest.checksum` beside it and every
/// listed file, and returns the manifest.
fn checked_manifest(
    emulator: &EmulatorHandle,
    provider: Provider,
    bucket: &str,
    key: &str,
) -> Value {
    let manifest = emulator
        .object(provider, bucket, key)
        .expect("manifest.json written");
    let checksum_key = key.replace("manifest.json", "manifest.checksum");
    let checksum = emulator
        .object(provider, bucket, &checksum_key)
        .expect("manifest.checksum written");
    assert_eq!(String::from_utf8(checksum).unwrap(), md5_hex(&manifest));
    let manifest: Value = serde_json::from_slice(&manifest).unwrap();
    for file in manifest["files"].as_array().unwrap() {
        let key = file["key"].as_str().unwrap();
        let data = emulator
            .object(provider, bucket, key)
            .expect("listed data file written");
        let size = file["size"]
            .as_u64()
            .or_else(|| file["size"].as_str()?.parse().ok());
        assert_eq!(size, Some(data.len() as u64));
        let md5 = file["MD5checksum"]
            .as_str()
            .or(file["md5Checksum"].as_str());
        assert_eq!(md5, Some(md5_hex(&data).as_str()));
        assert_eq!(&data[..2], [0x1f, 0x8b], "gzip");
    }
    manifest
}

fn midnight_before(emulator: &EmulatorHandle) -> u64 {
    let now = emulator.now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    now - now % 86_400
}

#[tokio::test]
async fn s3_reports_arrive_only_once_the_destination_policy_grants_them() {
    let emulator = start().await;
    emulator
        .create_bucket(Provider::S3, "src", None, &[])
        .unwrap();
    emulator
        .create_bucket(Provider::S3, "inventory-reports", None, &[])
        .unwrap();
    emulator
        .put_object(Provider::S3, "src", "logs/a.txt", b"hello")
        .unwrap();
    emulator
        .seed_xml(Provider::S3, "src", &s3_config("cfg", ""))
        .unwrap();

    emulator.advance_clock(DAY);
    assert!(
        emulator
            .object_keys(Provider::S3, "inventory-reports")
            .is_empty()
    );
    let refused = emulator.deliveries();
    assert_eq!(refused.len(), 1);
    assert!(!refused[0].delivered);
    assert!(
        refused[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("no bucket policy")
    );

    emulator
        .set_bucket_policy(Provider::S3, "inventory-reports", Some(S3_POLICY))
        .unwrap();
    emulator.advance_clock(DAY);
    let key = delivered_manifest(&emulator);
    let stamp = midnight_before(&emulator);
    assert!(key.starts_with("inv/src/cfg/"), "{key}");
    assert!(key.ends_with("T00-00Z/manifest.json"), "{key}");
    let manifest = checked_manifest(&emulator, Provider::S3, "inventory-reports", &key);
    assert_eq!(manifest["sourceBucket"], "src");
    assert_eq!(
        manifest["destinationBucket"],
        "arn:aws:s3:::inventory-reports"
    );
    assert_eq!(manifest["creationTimestamp"], (stamp * 1000).to_string());
    assert!(
        manifest["files"][0]["key"]
            .as_str()
            .unwrap()
            .starts_with("inv/src/cfg/data/")
    );

    emulator.advance_clock(Duration::from_secs(3600));
    assert_eq!(
        emulator.deliveries().len(),
        2,
        "nothing more is due within the day"
    );
}

#[tokio::test]
async fn s3_a_policy_for_another_source_bucket_delivers_nothing() {
    let emulator = start().await;
    emulator
        .create_bucket(Provider::S3, "other", None, &[])
        .unwrap();
    emulator
        .create_bucket(Provider::S3, "inventory-reports", None, &[])
        .unwrap();
    emulator
        .set_bucket_policy(Provider::S3, "inventory-reports", Some(S3_POLICY))
        .unwrap();
    emulator
        .seed_xml(Provider::S3, "other", &s3_config("cfg", ""))
        .unwrap();
    emulator.advance_clock(DAY);
    let attempts = emulator.deliveries();
    assert_eq!(attempts.len(), 1);
    assert!(!attempts[0].delivered);
    assert!(
        emulator
            .object_keys(Provider::S3, "inventory-reports")
            .is_empty()
    );
}

#[tokio::test]
async fn cos_reports_use_the_appid_layout_and_a_day_stamp() {
    let emulator = start().await;
    emulator
        .create_bucket(Provider::COS, "src-1250000000", Some("ap-guangzhou"), &[])
        .unwrap();
    emulator
        .create_bucket(Provider::COS, "dest-1250000000", Some("ap-guangzhou"), &[])
        .unwrap();
    emulator
        .put_object(Provider::COS, "src-1250000000", "x", b"1")
        .unwrap();
    emulator
        .seed_xml(Provider::COS, "src-1250000000", &cos_config("cfg", ""))
        .unwrap();
    emulator.advance_clock(DAY);
    assert!(
        emulator
            .object_keys(Provider::COS, "dest-1250000000")
            .is_empty()
    );

    emulator
        .set_bucket_policy(Provider::COS, "dest-1250000000", Some(COS_POLICY))
        .unwrap();
    emulator.advance_clock(DAY);
    let key = delivered_manifest(&emulator);
    assert!(key.starts_with("reports/1250000000/src/cfg/"), "{key}");
    let day = key.split('/').nth(4).unwrap();
    assert_eq!(day.len(), 8, "YYYYMMDD: {key}");
    let manifest = checked_manifest(&emulator, Provider::COS, "dest-1250000000", &key);
    assert_eq!(manifest["sourceAppid"], "1250000000");
    assert_eq!(manifest["sourceBucket"], "src");
    assert_eq!(manifest["listObjectCount"], "1");
}

#[tokio::test]
async fn oss_reports_need_the_role_marked_writable() {
    let emulator = start().await;
    emulator
        .create_bucket(Provider::OSS, "src", None, &[])
        .unwrap();
    emulator
        .create_bucket(Provider::OSS, "dest", None, &[])
        .unwrap();
    emulator
        .seed_xml(Provider::OSS, "src", &oss_config("cfg", ""))
        .unwrap();
    emulator.advance_clock(DAY * 8);
    let refused = emulator.deliveries();
    assert_eq!(refused.len(), 1, "one weekly report is due, the newest");
    assert!(refused[0].reason.as_deref().unwrap().contains("RAM role"));

    emulator.set_role_allowed(Provider::OSS, "1000000000000000", "AliyunOSSRole", true);
    emulator.advance_clock(DAY * 7);
    let key = delivered_manifest(&emulator);
    assert!(key.starts_with("reports/src/cfg/"), "{key}");
    assert!(key.ends_with("T00-00Z/manifest.json"), "{key}");
    let manifest = checked_manifest(&emulator, Provider::OSS, "dest", &key);
    assert_eq!(manifest["sourceBucket"], "src");
    assert_eq!(manifest["version"], "2019-09-01");
}

#[tokio::test]
async fn the_clock_admin_api_advances_and_lists_deliveries() {
    let emulator = start().await;
    let before = emulator.now();
    let answer: Value = http()
        .post(format!("{}/_emulator/clock", emulator.endpoint()))
        .body(r#"{"advanceSeconds": 90000}"#)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .map(|b| serde_json::from_slice(&b).unwrap())
        .unwrap();
    assert!(answer["now"].as_str().unwrap().ends_with('Z'));
    assert!(emulator.now().duration_since(before).unwrap() >= Duration::from_secs(90_000));
    let bad = http()
        .post(format!("{}/_emulator/clock", emulator.endpoint()))
        .body(r#"{"advanceSeconds": -1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let listed: Value = http()
        .get(format!("{}/_emulator/deliveries", emulator.endpoint()))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .map(|b| serde_json::from_slice(&b).unwrap())
        .unwrap();
    assert_eq!(listed["made"], 0);
    assert_eq!(listed["byProvider"]["s3"]["refused"], 0);
}
