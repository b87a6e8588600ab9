//! Conversions between the S3 wire types ([`super::xml`]) and [`S3Inventory`].
//!
//! Reading (`TryFrom<&xml::InventoryConfiguration>`) is strict about values: a format,
//! frequency, version choice or optional field the model does not know is an error naming
//! the element and value, which makes the configuration foreign (design §3a) rather than
//! silently dropping what a newer API added. An empty element is an absent one: an empty
//! filter or destination prefix selects every object, an empty `<Encryption/>` is none.
//!
//! Writing (`From<&S3Inventory>`) produces what the AWS SDKs send: the namespace on the root,
//! no `<Filter>` without a prefix, no `<OptionalFields>` without fields, and the destination
//! bucket as an ARN.

use crate::model::{Frequency, IncludedObjectVersions};

use super::model::{
    BUCKET_ARN_PREFIX, OPTIONAL_FIELDS, S3Destination, S3Encryption, S3Format, S3Inventory,
};
use super::xml;

pub(crate) use crate::provider::wire_convert::ConvertError;
use crate::provider::wire_convert::required;

const DEST: &str = "Destination/S3BucketDestination";

fn non_empty(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

fn invalid(element: &'static str, value: &str, expected: &'static str) -> ConvertError {
    ConvertError::Invalid {
        element,
        value: value.to_string(),
        expected,
    }
}

fn parse_enabled(value: &str) -> Result<bool, ConvertError> {
    match value.trim() {
        v if v.eq_ignore_ascii_case("true") => Ok(true),
        v if v.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(invalid("IsEnabled", other, "true or false")),
    }
}

fn parse_frequency(value: &str) -> Result<Frequency, ConvertError> {
    match value.trim() {
        "Daily" => Ok(Frequency::Daily),
        "Weekly" => Ok(Frequency::Weekly),
        other => Err(invalid("Schedule/Frequency", other, "Daily or Weekly")),
    }
}

fn parse_versions(value: &str) -> Result<IncludedObjectVersions, ConvertError> {
    match value.trim() {
        "All" => Ok(IncludedObjectVersions::All),
        "Current" => Ok(IncludedObjectVersions::Current),
        other => Err(invalid("IncludedObjectVersions", other, "All or Current")),
    }
}

fn parse_format(value: &str) -> Result<S3Format, ConvertError> {
    match value.trim() {
        "CSV" => Ok(S3Format::Csv),
        "ORC" => Ok(S3Format::Orc),
        "Parquet" => Ok(S3Format::Parquet),
        other => Err(invalid(
            "Destination/S3BucketDestination/Format",
            other,
            "CSV, ORC or Parquet",
        )),
    }
}

/// Report columns, each one the model knows: an unknown column is a value of a newer API.
fn parse_fields(fields: Option<&xml::OptionalFields>) -> Result<Vec<String>, ConvertError> {
    let fields: Vec<String> = fields
        .map(|o| o.fields.iter().map(|f| f.trim().to_string()).collect())
        .unwrap_or_default();
    match fields
        .iter()
        .find(|f| !OPTIONAL_FIELDS.contains(&f.as_str()))
    {
        Some(unknown) => Err(invalid(
            "OptionalFields/Field",
            unknown,
            "a known inventory field",
        )),
        None => Ok(fields),
    }
}

fn parse_encryption(enc: &xml::Encryption) -> Result<Option<S3Encryption>, ConvertError> {
    match (&enc.sse_s3, &enc.sse_kms) {
        (None, None) => Ok(None),
        (Some(_), None) => Ok(Some(S3Encryption::SseS3)),
        (None, Some(kms)) => match non_empty(Some(&kms.key_id)) {
            Some(key_id) => Ok(Some(S3Encryption::SseKms { key_id })),
            None => Err(ConvertError::Missing {
                element: "Destination/S3BucketDestination/Encryption/SSE-KMS/KeyId",
            }),
        },
        (Some(_), Some(_)) => Err(invalid(
            "Destination/S3BucketDestination/Encryption",
            "SSE-S3 and SSE-KMS",
            "exactly one of SSE-S3 or SSE-KMS",
        )),
    }
}

fn parse_destination(dest: &xml::S3BucketDestination) -> Result<S3Destination, ConvertError> {
    let format = required(
        dest.format.as_deref(),
        "Destination/S3BucketDestination/Format",
    )?;
    Ok(S3Destination {
        bucket: required(
            non_empty(dest.bucket.as_deref()),
            "Destination/S3BucketDestination/Bucket",
        )?,
        account_id: non_empty(dest.account_id.as_deref()),
        format: parse_format(format)?,
        prefix: non_empty(dest.prefix.as_deref()),
        encryption: match &dest.encryption {
            Some(enc) => parse_encryption(enc)?,
            None => None,
        },
    })
}

impl TryFrom<&xml::InventoryConfiguration> for S3Inventory {
    type Error = ConvertError;

    fn try_from(cfg: &xml::InventoryConfiguration) -> Result<Self, Self::Error> {
        let id = cfg.id.trim();
        if id.is_empty() {
            return Err(ConvertError::Missing { element: "Id" });
        }
        let destination = cfg
            .destination
            .as_ref()
            .and_then(|d| d.s3_bucket_destination.as_ref());
        let frequency = cfg.schedule.as_ref().and_then(|s| s.frequency.as_deref());
        Ok(S3Inventory {
            id: id.to_string(),
            enabled: parse_enabled(required(cfg.is_enabled.as_deref(), "IsEnabled")?)?,
            filter_prefix: non_empty(cfg.filter.as_ref().and_then(|f| f.prefix.as_deref())),
            destination: parse_destination(required(destination, DEST)?)?,
            frequency: parse_frequency(required(frequency, "Schedule/Frequency")?)?,
            included_object_versions: parse_versions(required(
                cfg.included_object_versions.as_deref(),
                "IncludedObjectVersions",
            )?)?,
            optional_fields: parse_fields(cfg.optional_fields.as_ref())?,
        })
    }
}

impl From<&S3Inventory> for xml::InventoryConfiguration {
    /// The canonical wire form. A bare destination bucket name is sent as its ARN in the
    /// standard partition (the API rejects anything else with `InvalidS3DestinationBucket`).
    fn from(inv: &S3Inventory) -> Self {
        let dest = &inv.destination;
        let bucket = if dest.bucket.starts_with("arn:") {
            dest.bucket.clone()
        } else {
            format!("{BUCKET_ARN_PREFIX}{}", dest.bucket)
        };
        xml::InventoryConfiguration {
            xmlns: Some(xml::NAMESPACE.to_string()),
            destination: Some(xml::Destination {
                s3_bucket_destination: Some(xml::S3BucketDestination {
                    account_id: dest.account_id.clone(),
                    bucket: Some(bucket),
                    format: Some(dest.format.as_str().to_string()),
                    prefix: dest.prefix.clone(),
                    encryption: dest.encryption.as_ref().map(|enc| match enc {
                        S3Encryption::SseS3 => xml::Encryption {
                            sse_s3: Some(xml::SseS3 {}),
                            sse_kms: None,
                        },
                        S3Encryption::SseKms { key_id } => xml::Encryption {
                            sse_s3: None,
                            sse_kms: Some(xml::SseKms {
                                key_id: key_id.clone(),
                            }),
                        },
                    }),
                }),
            }),
            is_enabled: Some(inv.enabled.to_string()),
            filter: inv.filter_prefix.as_ref().map(|prefix| xml::Filter {
                prefix: Some(prefix.clone()),
            }),
            id: inv.id.clone(),
            included_object_versions: Some(inv.included_object_versions.as_str().to_string()),
            optional_fields: (!inv.optional_fields.is_empty()).then(|| xml::OptionalFields {
                fields: inv.optional_fields.clone(),
            }),
            schedule: Some(xml::Schedule {
                frequency: Some(inv.frequency.as_str().to_string()),
            }),
        }
    }
}

#[cfg(test)]
#[path = "convert_tests.rs"]
pub(crate) mod tests;
