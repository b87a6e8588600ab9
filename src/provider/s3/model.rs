//! AWS S3 inventory configurations as the domain sees them (the 2006-03-01 document).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{Frequency, IncludedObjectVersions};

/// The report columns S3 knows (botocore 1.44.5 `InventoryOptionalField`), in the model's
/// order. The list grows with the API: a live value not listed here makes its configuration
/// foreign, never an error.
pub const OPTIONAL_FIELDS: &[&str] = &[
    "Size",
    "LastModifiedDate",
    "StorageClass",
    "ETag",
    "IsMultipartUploaded",
    "ReplicationStatus",
    "EncryptionStatus",
    "ObjectLockRetainUntilDate",
    "ObjectLockMode",
    "ObjectLockLegalHoldStatus",
    "ObjectLockEventHoldStatus",
    "ObjectLockEventHoldDuration",
    "IntelligentTieringAccessTier",
    "BucketKeyStatus",
    "ChecksumAlgorithm",
    "ObjectAccessControlList",
    "ObjectOwner",
    "LifecycleExpirationDate",
    "IntelligentTieringReferenceDate",
];

/// The file format of S3 inventory reports. Its own type rather than the shared
/// [`crate::model::ReportFormat`], so that `Parquet` stays an S3 value in COS and OSS
/// manifests and their JSON Schema.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum S3Format {
    /// Comma-separated values, one object per line.
    #[serde(rename = "CSV")]
    Csv,
    /// Apache ORC, columnar.
    #[serde(rename = "ORC")]
    Orc,
    /// Apache Parquet, columnar.
    Parquet,
}

impl S3Format {
    /// Every format, in the service model's order.
    pub const ALL: [S3Format; 3] = [S3Format::Csv, S3Format::Orc, S3Format::Parquet];

    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            S3Format::Csv => "CSV",
            S3Format::Orc => "ORC",
            S3Format::Parquet => "Parquet",
        }
    }
}

/// Report formats S3 delivers.
pub const FORMATS: &[S3Format] = &S3Format::ALL;

/// Schedules S3 runs.
pub(crate) const FREQUENCIES: &[Frequency] = &[Frequency::Daily, Frequency::Weekly];

/// The ARN prefix of a destination bucket in the standard AWS partition.
pub(crate) const BUCKET_ARN_PREFIX: &str = "arn:aws:s3:::";

/// One S3 inventory configuration (`InventoryConfiguration` of PutBucketInventoryConfiguration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Inventory {
    /// `[A-Za-z0-9._-]+`, unique within the bucket.
    pub id: String,
    /// `<IsEnabled>`: false keeps the configuration but produces no reports.
    pub enabled: bool,
    /// `<Filter><Prefix>`: only objects whose key starts with it; `None` selects every object.
    pub filter_prefix: Option<String>,
    /// Where the reports are delivered.
    pub destination: S3Destination,
    /// `Daily` or `Weekly`.
    pub frequency: Frequency,
    /// `<IncludedObjectVersions>`: every version, or only the current one.
    pub included_object_versions: IncludedObjectVersions,
    /// Report columns from [`OPTIONAL_FIELDS`], in the order given (compared as a set).
    pub optional_fields: Vec<String>,
}

/// `<Destination><S3BucketDestination>`: where S3 delivers the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Destination {
    /// The destination bucket's ARN, `arn:<partition>:s3:::<name>` (manifests may write the
    /// bare name; validation turns it into the ARN of the source bucket's partition).
    pub bucket: String,
    /// The 12-digit account that owns the destination bucket.
    pub account_id: Option<String>,
    /// `CSV`, `ORC` or `Parquet`.
    pub format: S3Format,
    /// Key prefix the reports are written under in the destination bucket; `None` for none.
    pub prefix: Option<String>,
    /// Server-side encryption of the reports; `None` leaves it to the destination bucket.
    pub encryption: Option<S3Encryption>,
}

/// Server-side encryption of delivered reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum S3Encryption {
    /// `<SSE-S3/>`: S3-managed keys.
    SseS3,
    /// `<SSE-KMS><KeyId>…</KeyId></SSE-KMS>`: a KMS key (its ARN or id).
    SseKms {
        /// The KMS key's ARN or id, as written.
        key_id: String,
    },
}

/// The ARN partition of `region`: `aws-cn` for China, `aws-us-gov` for GovCloud, else `aws`.
pub(crate) fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// `name` as a destination bucket ARN in `partition`; an ARN is returned unchanged.
pub(crate) fn bucket_arn(name_or_arn: &str, partition: &str) -> String {
    if name_or_arn.starts_with("arn:") {
        name_or_arn.to_string()
    } else {
        format!("arn:{partition}:s3:::{name_or_arn}")
    }
}

/// The bucket name of a destination bucket ARN (`arn:<partition>:s3:::<name>`), `None` when
/// `arn` is not one.
pub(crate) fn bucket_name_of_arn(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(':')?;
    let name = rest.strip_prefix("s3:::")?;
    (!partition.is_empty() && !name.is_empty() && !name.contains(':')).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_optional_field_list_has_the_nineteen_values_of_the_service_model() {
        assert_eq!(OPTIONAL_FIELDS.len(), 19);
        let mut sorted = OPTIONAL_FIELDS.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 19);
    }

    #[test]
    fn bare_names_become_arns_of_the_regions_partition() {
        assert_eq!(
            bucket_arn("logs", partition("eu-west-1")),
            "arn:aws:s3:::logs"
        );
        assert_eq!(
            bucket_arn("logs", partition("cn-north-1")),
            "arn:aws-cn:s3:::logs"
        );
        assert_eq!(
            bucket_arn("logs", partition("us-gov-west-1")),
            "arn:aws-us-gov:s3:::logs"
        );
        assert_eq!(bucket_arn("arn:aws:s3:::x", "aws-cn"), "arn:aws:s3:::x");
    }

    #[test]
    fn bucket_names_are_read_from_arns_only() {
        assert_eq!(bucket_name_of_arn("arn:aws:s3:::logs"), Some("logs"));
        assert_eq!(bucket_name_of_arn("arn:aws-cn:s3:::logs"), Some("logs"));
        assert_eq!(bucket_name_of_arn("logs"), None);
        assert_eq!(bucket_name_of_arn("arn:aws:s3:::"), None);
        assert_eq!(bucket_name_of_arn("arn:aws:iam::123:role/x"), None);
        assert_eq!(bucket_name_of_arn("arn::s3:::logs"), None);
    }
}

/// The bucket-level keys only S3 manifests have, next to `bucket`, `region` and `endpoint`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct S3BucketOptions {
    /// The 12-digit account that must own the bucket, sent as `x-amz-expected-bucket-owner` on
    /// every request: S3 refuses a request for a bucket of another account, so a typo in a
    /// bucket name can never touch someone else's bucket. Quote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_bucket_owner: Option<String>,
    /// `true`: address the bucket in the path (`{endpoint}/{bucket}`) even on a domain
    /// endpoint, for S3-compatible servers without wildcard DNS. IP and `localhost` endpoints
    /// always use path style.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub force_path_style: bool,
    /// The AWS shared-config profile whose credentials sign this bucket's requests, resolved
    /// as the AWS CLI and SDKs resolve it (`~/.aws/config` and `~/.aws/credentials`, or the
    /// files `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` name): static keys, or
    /// `role_arn` with `source_profile` (a role in another account), `credential_source` or
    /// `web_identity_token_file`. Without it, the default credential chain signs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

crate::model::inventory::provider_inventory!(S3Inventory, filter_prefix);
