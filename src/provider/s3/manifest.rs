//! S3 manifests: the YAML spec types, their validation into [`S3Inventory`], and the way back
//! for `import`.
//!
//! Field names are the API's element names in camelCase. Validation reports every problem at
//! once, each at its field with a hint; the destination bucket may be written as a bare name
//! or as an ARN, and becomes the ARN of the source bucket's partition.

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use super::model::S3BucketOptions;
use super::model::{
    FREQUENCIES, OPTIONAL_FIELDS, S3Destination, S3Encryption, S3Format, S3Inventory, bucket_arn,
    bucket_name_of_arn, partition,
};
use crate::model::ProviderBucketOptions;
use crate::model::{Frequency, IncludedObjectVersions};
use crate::provider::kit::checks::{check_id, check_optional_fields, check_prefix_len};
use crate::provider::kit::collect;
use crate::provider::kit::diagnostic::FieldError;
use crate::provider::kit::field_path::FieldPath;
use crate::provider::kit::serde_defaults::{default_true, is_false, is_true};
use crate::provider::kit::spec::{ManifestItem, ParsedInventory, parse_item};

/// One S3 inventory configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct S3InventorySpec {
    /// Unique within the bucket; letters, digits, `.`, `_` and `-`.
    pub id: String,
    /// Whether reports are produced (default `true`).
    #[serde(default = "default_true", skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// `All` object versions or only the `Current` one.
    pub included_object_versions: IncludedObjectVersions,
    /// When reports are produced.
    pub schedule: S3ScheduleSpec,
    /// Which objects are reported on; absent: every object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<S3FilterSpec>,
    /// Report columns: `Size`, `LastModifiedDate`, `StorageClass`, `ETag`,
    /// `IsMultipartUploaded`, `ReplicationStatus`, `EncryptionStatus`,
    /// `ObjectLockRetainUntilDate`, `ObjectLockMode`, `ObjectLockLegalHoldStatus`,
    /// `ObjectLockEventHoldStatus`, `ObjectLockEventHoldDuration`,
    /// `IntelligentTieringAccessTier`, `BucketKeyStatus`, `ChecksumAlgorithm`,
    /// `ObjectAccessControlList`, `ObjectOwner`, `LifecycleExpirationDate`,
    /// `IntelligentTieringReferenceDate`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub optional_fields: Vec<String>,
    /// Where reports are delivered.
    pub destination: S3DestinationSpec,
    /// `true`: when the live configuration holds elements or values invsync does not model
    /// (a *foreign* configuration), replace it with this declaration anyway, losing what
    /// invsync cannot express. Without it a foreign configuration is never written.
    #[serde(default, skip_serializing_if = "is_false")]
    pub overwrite_foreign: bool,
}

/// When S3 produces reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct S3ScheduleSpec {
    /// `Daily` or `Weekly`.
    pub frequency: Frequency,
}

/// Which objects S3 reports on.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct S3FilterSpec {
    /// Only objects whose key starts with this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
}

/// Where S3 delivers reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct S3DestinationSpec {
    /// The destination bucket: its name (`inventory-reports`) or its ARN
    /// (`arn:aws:s3:::inventory-reports`).
    pub bucket: String,
    /// The 12-digit account that owns the destination bucket; quote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Key prefix the reports are written under in the destination bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// `CSV`, `ORC` or `Parquet`.
    pub format: S3Format,
    /// Server-side encryption of the reports; absent: left to the destination bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<S3EncryptionSpec>,
}

/// Server-side encryption of S3 reports: `SSE-S3`, or `{SSE-KMS: {keyId: ...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum S3EncryptionSpec {
    /// S3-managed keys.
    #[serde(rename = "SSE-S3")]
    SseS3,
    /// A KMS key, by ARN, id or alias.
    #[serde(rename = "SSE-KMS")]
    SseKms {
        /// The KMS key's ARN, id or alias.
        #[serde(rename = "keyId")]
        key_id: String,
    },
}

/// Checks the S3-only bucket keys of `spec`.
///
/// # Errors
/// Every rule broken, at `spec.expectedBucketOwner` or `spec.profile`.
pub fn bucket_options(options: &S3BucketOptions) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if let Some(owner) = &options.expected_bucket_owner
        && !is_aws_account_id(owner)
    {
        errors.push(
            FieldError::new(
                FieldPath::root().key("spec").key("expectedBucketOwner"),
                format!("`{}` is not a 12-digit AWS account id", owner.escape_debug()),
            )
            .hint("write the owner's account id in quotes, e.g. expectedBucketOwner: \"111122223333\""),
        );
    }
    if let Some(profile) = &options.profile
        && let Err(problem) = check_profile_name(profile)
    {
        errors.push(
            FieldError::new(FieldPath::root().key("spec").key("profile"), problem).hint(
                "name a profile of ~/.aws/config as the AWS CLI's --profile takes it, \
                 e.g. profile: audit-prod",
            ),
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The characters aws-config accepts in a profile name (its profile-file parser skips a
/// section whose name has any other), so a name it could never find fails validation.
///
/// # Errors
/// What is wrong, quoting the name.
pub(crate) fn check_profile_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the profile name is empty".into());
    }
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "_-/.%@:+".contains(*c)))
    {
        Some(bad) => Err(format!(
            "profile `{}` has `{}`; AWS profile names use letters, digits and `_-/.%@:+`",
            name.escape_debug(),
            bad.escape_debug()
        )),
        None => Ok(()),
    }
}

/// Twelve digits.
pub(crate) fn is_aws_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The S3 naming rules of general purpose buckets: 3-63 lowercase letters, digits, dots and
/// hyphens, starting and ending with a letter or digit, no `..`, not an IP address, none of
/// the prefixes and suffixes S3 reserves.
///
/// # Errors
/// What is wrong, quoting the name.
pub(crate) fn check_bucket_name(bucket: &str) -> Result<(), String> {
    const RESERVED_PREFIXES: &[&str] = &["xn--", "sthree-", "amzn-s3-demo-"];
    const RESERVED_SUFFIXES: &[&str] = &["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];
    let shown = bucket.escape_debug();
    if !(3..=63).contains(&bucket.len()) {
        return Err(format!("`{shown}` is not 3-63 characters long"));
    }
    if !bucket
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return Err(format!(
            "`{shown}` may only use lowercase letters, digits, dots and hyphens"
        ));
    }
    let edge = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !edge(bucket.as_bytes()[0]) || !edge(bucket.as_bytes()[bucket.len() - 1]) {
        return Err(format!(
            "`{shown}` must start and end with a letter or digit"
        ));
    }
    if bucket.contains("..") {
        return Err(format!("`{shown}` has two adjacent dots"));
    }
    if bucket.parse::<std::net::Ipv4Addr>().is_ok() {
        return Err(format!("`{shown}` is formatted as an IP address"));
    }
    if let Some(p) = RESERVED_PREFIXES.iter().find(|p| bucket.starts_with(*p)) {
        return Err(format!("`{shown}` starts with the reserved prefix `{p}`"));
    }
    if let Some(s) = RESERVED_SUFFIXES.iter().find(|s| bucket.ends_with(*s)) {
        return Err(format!("`{shown}` ends with the reserved suffix `{s}`"));
    }
    Ok(())
}

/// A region id such as `us-east-1`: lowercase words joined by hyphens, ending in a number.
///
/// # Errors
/// What is wrong and the fix, as a (message, hint) pair.
pub(crate) fn check_region(region: &str) -> Result<(), (String, String)> {
    let example = "e.g. `us-east-1` or `eu-west-1`".to_string();
    if region.is_empty() {
        return Err(("region is empty".into(), example));
    }
    for prefix in ["s3.", "s3-"] {
        if let Some(bare) = region.strip_prefix(prefix) {
            return Err((
                format!(
                    "region `{}` has the `{prefix}` prefix",
                    region.escape_debug()
                ),
                format!("drop the prefix: `region: {}`", bare.escape_debug()),
            ));
        }
    }
    let parts: Vec<&str> = region.split('-').collect();
    let well_formed = parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty();
    if well_formed {
        return Ok(());
    }
    let zone = region.trim_end_matches(|c: char| c.is_ascii_lowercase());
    let hint = if zone != region && check_region(zone).is_ok() {
        format!("that is an availability zone; the region is `{zone}`")
    } else {
        format!("region ids are lowercase, {example}")
    };
    Err((
        format!("region `{}` is not an AWS region id", region.escape_debug()),
        hint,
    ))
}

/// Checks one configuration of the bucket in `region` found at `path`.
///
/// # Errors
/// Every rule broken, each at the field that breaks it.
pub fn inventory(
    region: &str,
    spec: &S3InventorySpec,
    path: &FieldPath,
) -> Result<S3Inventory, Vec<FieldError>> {
    let mut errors = Vec::new();
    check_id(&spec.id, &path.key("id"), &mut errors);
    let frequency = spec.schedule.frequency;
    if !FREQUENCIES.contains(&frequency) {
        errors.push(
            FieldError::new(
                path.key("schedule").key("frequency"),
                format!("`{}` is not an S3 schedule", frequency.as_str()),
            )
            .hint("S3 produces inventories `Daily` or `Weekly`"),
        );
    }
    let filter_prefix = spec.filter.as_ref().and_then(|f| f.prefix.clone());
    if let Some(prefix) = &filter_prefix {
        check_prefix_len(prefix, &path.key("filter").key("prefix"), &mut errors);
    }
    check_optional_fields(
        &spec.optional_fields,
        &path.key("optionalFields"),
        |f| OPTIONAL_FIELDS.contains(&f),
        OPTIONAL_FIELDS,
        &mut errors,
    );
    let destination = destination(
        region,
        &spec.destination,
        &path.key("destination"),
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(S3Inventory {
        id: spec.id.clone(),
        enabled: spec.enabled,
        filter_prefix,
        destination,
        frequency,
        included_object_versions: spec.included_object_versions,
        optional_fields: spec.optional_fields.clone(),
    })
}

fn destination(
    region: &str,
    d: &S3DestinationSpec,
    path: &FieldPath,
    errors: &mut Vec<FieldError>,
) -> S3Destination {
    let bucket_path = path.key("bucket");
    let region_partition = partition(region);
    let name = if d.bucket.starts_with("arn:") {
        match bucket_name_of_arn(&d.bucket) {
            Some(name) => {
                let arn_partition = d.bucket.split(':').nth(1).unwrap_or_default();
                if arn_partition != region_partition {
                    errors.push(
                        FieldError::new(
                            bucket_path.clone(),
                            format!(
                                "`{}` is in partition `{arn_partition}`, the bucket's region `{region}` in `{region_partition}`",
                                d.bucket.escape_debug()
                            ),
                        )
                        .hint(format!(
                            "write the bucket name alone, or arn:{region_partition}:s3:::{name}"
                        )),
                    );
                }
                Some(name)
            }
            None => {
                errors.push(
                    FieldError::new(
                        bucket_path.clone(),
                        format!("`{}` is not an S3 bucket ARN", d.bucket.escape_debug()),
                    )
                    .hint("write arn:aws:s3:::<bucket-name>, or the bucket name alone"),
                );
                None
            }
        }
    } else {
        Some(d.bucket.as_str())
    };
    if let Some(name) = name
        && let Err(problem) = check_bucket_name(name)
    {
        errors.push(
            FieldError::new(bucket_path, format!("destination bucket {problem}"))
                .hint("S3 bucket names have 3-63 lowercase letters, digits, dots and hyphens"),
        );
    }
    if let Some(account) = &d.account_id
        && !is_aws_account_id(account)
    {
        errors.push(
            FieldError::new(
                path.key("accountId"),
                format!(
                    "`{}` is not a 12-digit AWS account id",
                    account.escape_debug()
                ),
            )
            .hint("quote the destination owner's account id, e.g. accountId: \"111122223333\""),
        );
    }
    if let Some(prefix) = &d.prefix {
        check_prefix_len(prefix, &path.key("prefix"), errors);
    }
    if let Some(S3EncryptionSpec::SseKms { key_id }) = &d.encryption
        && key_id.trim().is_empty()
    {
        errors.push(
            FieldError::new(
                path.key("encryption").key("SSE-KMS").key("keyId"),
                "keyId is empty",
            )
            .hint("name the KMS key (ARN, id or alias), or use `encryption: SSE-S3`"),
        );
    }
    S3Destination {
        bucket: bucket_arn(&d.bucket, region_partition),
        account_id: d.account_id.clone(),
        format: d.format,
        prefix: d.prefix.clone(),
        encryption: d.encryption.as_ref().map(|e| match e {
            S3EncryptionSpec::SseS3 => S3Encryption::SseS3,
            S3EncryptionSpec::SseKms { key_id } => S3Encryption::SseKms {
                key_id: key_id.trim().to_string(),
            },
        }),
    }
}

impl From<&S3Inventory> for S3InventorySpec {
    fn from(s: &S3Inventory) -> Self {
        let d = &s.destination;
        S3InventorySpec {
            id: s.id.clone(),
            enabled: s.enabled,
            included_object_versions: s.included_object_versions,
            schedule: S3ScheduleSpec {
                frequency: s.frequency,
            },
            filter: s.filter_prefix.as_ref().map(|prefix| S3FilterSpec {
                prefix: Some(prefix.clone()),
            }),
            optional_fields: s.optional_fields.clone(),
            destination: S3DestinationSpec {
                bucket: d.bucket.clone(),
                account_id: d.account_id.clone(),
                prefix: d.prefix.clone(),
                format: d.format,
                encryption: d.encryption.as_ref().map(|e| match e {
                    S3Encryption::SseS3 => S3EncryptionSpec::SseS3,
                    S3Encryption::SseKms { key_id } => S3EncryptionSpec::SseKms {
                        key_id: key_id.clone(),
                    },
                }),
            },
            overwrite_foreign: false,
        }
    }
}

/// The `spec` keys of [`S3BucketOptions`].
pub(crate) const BUCKET_KEYS: &[&str] = &["expectedBucketOwner", "forcePathStyle", "profile"];

/// The table's `parse_inventory`: one item of `spec.inventories`, read and validated.
pub(crate) fn parse_inventory(region: &str, item: &Value, path: &FieldPath) -> ParsedInventory {
    parse_item(item, path, |spec: &S3InventorySpec| {
        inventory(region, spec, path)
    })
}

impl ManifestItem for S3InventorySpec {
    fn id(&self) -> &str {
        &self.id
    }
    fn overwrite_foreign(&self) -> bool {
        self.overwrite_foreign
    }
}

/// The table's `inventory_schema`.
pub(crate) fn inventory_schema(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<S3InventorySpec>()
}

/// The table's `parse_bucket_options`: [`BUCKET_KEYS`] of the `spec` mapping at `path`.
pub(crate) fn parse_bucket_options(
    spec: &Map<String, Value>,
    path: &FieldPath,
) -> Result<ProviderBucketOptions, Vec<FieldError>> {
    let own: Map<String, Value> = spec
        .iter()
        .filter(|(key, _)| BUCKET_KEYS.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    let options = collect::deserialize::<S3BucketOptions>(&Value::Object(own), path)?;
    bucket_options(&options)?;
    Ok(ProviderBucketOptions::new(options))
}

/// The table's `render_bucket_options`: the keys back in manifest form, defaults left out.
pub(crate) fn render_bucket_options(options: &ProviderBucketOptions) -> Map<String, Value> {
    match options
        .downcast_ref::<S3BucketOptions>()
        .map(serde_json::to_value)
    {
        Some(Ok(Value::Object(map))) => map,
        _ => Map::new(),
    }
}

/// The table's `bucket_options_schema`: the properties of [`BUCKET_KEYS`].
pub(crate) fn bucket_options_schema(generator: &mut SchemaGenerator) -> Map<String, Value> {
    let schema = generator.root_schema_for::<S3BucketOptions>().to_value();
    schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

#[cfg(test)]
#[path = "manifest_tests.rs"]
mod tests;
