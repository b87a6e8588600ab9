//! The providers as test cases: a bucket each, manifest and wire-body builders, and the
//! plan/apply invocations the end-to-end tests share.

#![allow(dead_code)]

use invsync::model::Provider;
use invsync::provider::Operation;
use invsync::provider::registry;
use serde_json::Value;

use super::e2e::{Emulator, Manifests, invsync, stderr, stdout};

/// What differs between the providers in these scenarios.
pub(crate) struct Case {
    pub provider: Provider,
    pub bucket: &'static str,
    pub region: &'static str,
}

pub(crate) const COS: Case = Case {
    provider: Provider::COS,
    bucket: "examplebucket-1250000000",
    region: "ap-guangzhou",
};
pub(crate) const OSS: Case = Case {
    provider: Provider::OSS,
    bucket: "examplebucket",
    region: "cn-hangzhou",
};
pub(crate) const S3: Case = Case {
    provider: Provider::S3,
    bucket: "examplebucket",
    region: "us-east-1",
};

impl Case {
    /// A manifest declaring `inventories` (id, filter prefix) on the case's bucket.
    pub(crate) fn manifest(&self, prune: bool, inventories: &[(&str, &str)]) -> String {
        let mut yaml = format!(
            "apiVersion: invsync/v1\nkind: BucketInventory\nmetadata:\n  name: e2e\nspec:\n  provider: {}\n  bucket: {}\n  region: {}\n  prune: {prune}\n  inventories:\n",
            self.provider, self.bucket, self.region
        );
        for (id, prefix) in inventories {
            yaml.push_str(&format!(
                "    - id: {id}\n      includedObjectVersions: Current\n      schedule: {{frequency: Daily}}\n      filter: {{prefix: {prefix}}}\n      optionalFields: [Size, ETag]\n      destination:\n{}",
                self.destination_yaml()
            ));
        }
        if inventories.is_empty() {
            yaml = yaml.replace("  inventories:\n", "  inventories: []\n");
        }
        yaml
    }

    pub(crate) fn destination_yaml(&self) -> &'static str {
        registry::spec(self.provider).example.destination
    }

    /// The wire body a live configuration with this id and prefix has.
    pub(crate) fn live_xml(&self, id: &str, prefix: &str, enabled: bool) -> String {
        match self.provider {
            Provider::COS => format!(
                "<InventoryConfiguration><Id>{id}</Id><IsEnabled>{enabled}</IsEnabled><IncludedObjectVersions>Current</IncludedObjectVersions><Filter><Prefix>{prefix}</Prefix></Filter><OptionalFields><Field>Size</Field><Field>ETag</Field></OptionalFields><Schedule><Frequency>Daily</Frequency></Schedule><Destination><COSBucketDestination><Bucket>qcs::cos:ap-guangzhou::inventory-1250000000</Bucket><Format>CSV</Format></COSBucketDestination></Destination></InventoryConfiguration>"
            ),
            Provider::OSS => format!(
                "<InventoryConfiguration><Id>{id}</Id><IsEnabled>{enabled}</IsEnabled><Destination><OSSBucketDestination><Format>CSV</Format><AccountId>1000000000000000</AccountId><RoleArn>acs:ram::1000000000000000:role/AliyunOSSRole</RoleArn><Bucket>acs:oss:::inventory-dest</Bucket></OSSBucketDestination></Destination><Schedule><Frequency>Daily</Frequency></Schedule><Filter><Prefix>{prefix}</Prefix></Filter><IncludedObjectVersions>Current</IncludedObjectVersions><OptionalFields><Field>Size</Field><Field>ETag</Field></OptionalFields></InventoryConfiguration>"
            ),
            Provider::S3 => format!(
                "<InventoryConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Destination><S3BucketDestination><AccountId>111122223333</AccountId><Bucket>arn:aws:s3:::inventory-dest</Bucket><Format>CSV</Format></S3BucketDestination></Destination><IsEnabled>{enabled}</IsEnabled><Filter><Prefix>{prefix}</Prefix></Filter><Id>{id}</Id><IncludedObjectVersions>Current</IncludedObjectVersions><OptionalFields><Field>Size</Field><Field>ETag</Field></OptionalFields><Schedule><Frequency>Daily</Frequency></Schedule></InventoryConfiguration>"
            ),
            other => panic!("no case written for {other}"),
        }
    }

    pub(crate) fn seed(&self, emulator: &Emulator, id: &str, prefix: &str, enabled: bool) {
        emulator
            .handle
            .seed_xml(
                self.provider,
                self.bucket,
                &self.live_xml(id, prefix, enabled),
            )
            .expect("seeding the emulator");
    }

    pub(crate) fn live_ids(&self, emulator: &Emulator) -> Vec<String> {
        let mut ids: Vec<String> = emulator
            .handle
            .configs(self.provider, self.bucket)
            .iter()
            .map(|xml| element(xml, "Id"))
            .collect();
        ids.sort();
        ids
    }

    pub(crate) fn live_config(&self, emulator: &Emulator, id: &str) -> String {
        emulator
            .handle
            .configs(self.provider, self.bucket)
            .into_iter()
            .find(|xml| element(xml, "Id") == id)
            .unwrap_or_else(|| panic!("{id} is not live"))
    }

    pub(crate) fn calls(&self, emulator: &Emulator, operation: Operation) -> u64 {
        emulator.handle.stats().calls(self.provider, operation)
    }

    /// The word the plan uses for a changed configuration.
    pub(crate) fn change_action(&self) -> &'static str {
        match self.provider {
            Provider::COS | Provider::S3 => "update",
            Provider::OSS => "replace",
            other => panic!("no case written for {other}"),
        }
    }
}

pub(crate) fn element(xml: &str, name: &str) -> String {
    let open = format!("<{name}>");
    let start = xml.find(&open).map(|i| i + open.len()).unwrap_or(0);
    let end = xml[start..]
        .find(&format!("</{name}>"))
        .map(|i| start + i)
        .unwrap_or(start);
    xml[start..end].to_string()
}

pub(crate) fn plan_json(emulator: &Emulator, manifests: &Manifests) -> (i32, Value) {
    plan_json_with(emulator, manifests, &[])
}

/// [`plan_json`] with more arguments (`--delivery-checks off` to count inventory calls alone).
pub(crate) fn plan_json_with(
    emulator: &Emulator,
    manifests: &Manifests,
    more: &[&str],
) -> (i32, Value) {
    let dir = manifests.path().to_str().unwrap();
    let mut args = vec![
        "plan",
        "--manifests",
        dir,
        "--output",
        "json",
        "--detailed-exitcode",
    ];
    args.extend_from_slice(more);
    let output = invsync(emulator, &args);
    let json = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("plan JSON ({e}): {}\n{}", stdout(&output), stderr(&output)));
    (output.status.code().unwrap_or(-1), json)
}

pub(crate) fn apply(emulator: &Emulator, manifests: &Manifests) -> std::process::Output {
    invsync(
        emulator,
        &["apply", "--manifests", manifests.path().to_str().unwrap()],
    )
}

pub(crate) fn summary(plan: &Value, field: &str) -> u64 {
    plan["summary"][field]
        .as_u64()
        .unwrap_or_else(|| panic!("summary.{field} in {plan}"))
}
