//! S3-specific rules of the emulated inventory API: error codes and messages recorded against
//! AWS, the 2006-03-01 schema check of a PUT body (the client's wire types and conversion,
//! plus the element structure they do not enforce), the expected-bucket-owner guard, and the
//! GET and LIST documents. Pure.
//!
//! Sources: `shared/reference/s3-api.md` §1–§4 (botocore's service model and responses
//! recorded against AWS).

use crate::emulator::errors::ApiError;
use crate::emulator::xmltree::{Element, Node};
use crate::provider::s3::S3Inventory;
use crate::provider::s3::xml::{self, NAMESPACE};

/// The XML declaration in front of S3 response documents.
const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Elements that S3's schema requires inside their parent, beyond those the conversion to the
/// model requires (`Filter` may be absent, but not empty).
const REQUIRED_CHILDREN: &[(&str, &str)] = &[("Filter", "Prefix")];

/// GET of an id that does not exist.
pub(crate) fn no_such_configuration() -> ApiError {
    ApiError::new(
        404,
        "NoSuchConfiguration",
        "The specified configuration does not exist.",
    )
}

/// The `id` query parameter and the body's `<Id>` differ.
pub(crate) fn id_mismatch() -> ApiError {
    ApiError::new(
        400,
        "IdMismatch",
        "Document ID does not match the specified configuration ID.",
    )
}

/// `Destination/S3BucketDestination/Bucket` is not a bucket ARN.
pub(crate) fn invalid_destination_bucket() -> ApiError {
    ApiError::new(400, "InvalidS3DestinationBucket", "Invalid bucket ARN.")
}

/// A body that is not well-formed or breaks the schema (unknown enumeration value, missing or
/// unknown element). S3's message has no final period.
pub(crate) fn malformed_xml() -> ApiError {
    ApiError::new(
        400,
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
    )
}

/// PUT of a new id into a bucket that already holds 1,000 configurations.
pub(crate) fn too_many() -> ApiError {
    ApiError::new(
        400,
        "TooManyConfigurations",
        "You are attempting to create a new configuration but have already reached the 1,000-configuration limit.",
    )
}

/// A bucket the emulator does not know (only with strict buckets).
pub(crate) fn no_such_bucket(bucket: &str) -> ApiError {
    ApiError::new(404, "NoSuchBucket", "The specified bucket does not exist")
        .with_extra("BucketName", bucket)
}

/// A continuation token the emulator did not issue.
pub(crate) fn invalid_continuation_token() -> ApiError {
    ApiError::new(
        400,
        "InvalidArgument",
        "The continuation token provided is incorrect",
    )
    .with_extra("ArgumentName", "continuation-token")
}

/// S3's answer when the caller may not act on the bucket.
pub(crate) fn access_denied() -> ApiError {
    ApiError::new(403, "AccessDenied", "Access Denied")
}

/// Checks `x-amz-expected-bucket-owner` against the bucket's owning account.
///
/// # Errors
/// 400 `InvalidBucketOwnerAWSAccountID` when the value is not a 12-digit account id, 403
/// `AccessDenied` when it names another account. No header: no check.
pub(crate) fn check_expected_owner(expected: Option<&str>, owner: &str) -> Result<(), ApiError> {
    let Some(expected) = expected.map(str::trim) else {
        return Ok(());
    };
    if expected.len() != 12 || !expected.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::new(
            400,
            "InvalidBucketOwnerAWSAccountID",
            "The value of the expected bucket owner parameter must be an AWS Account ID...",
        ));
    }
    if expected != owner {
        return Err(access_denied());
    }
    Ok(())
}

/// Checks the shape of `element` (at `path` below `InventoryConfiguration`, empty for the root):
/// every child element is one the wire types know, none but `Field` repeats, containers hold
/// no text, and [`REQUIRED_CHILDREN`] are present.
fn check_structure(element: &Element, path: &str) -> Result<(), ApiError> {
    let mut seen: Vec<&str> = Vec::new();
    for node in &element.children {
        let child = match node {
            Node::Element(child) => child,
            Node::Text(text) if text.trim().is_empty() => continue,
            Node::Text(_) => {
                let is_container = xml::KNOWN_ELEMENTS.iter().any(|known| {
                    known
                        .strip_prefix(path)
                        .is_some_and(|rest| rest.starts_with('/'))
                });
                if path.is_empty() || is_container {
                    return Err(malformed_xml());
                }
                continue;
            }
        };
        let child_path = if path.is_empty() {
            child.name.clone()
        } else {
            format!("{path}/{}", child.name)
        };
        if !xml::KNOWN_ELEMENTS.contains(&child_path.as_str())
            || (child.name != "Field" && seen.contains(&child.name.as_str()))
        {
            return Err(malformed_xml());
        }
        seen.push(&child.name);
        check_structure(child, &child_path)?;
    }
    for (parent, required) in REQUIRED_CHILDREN {
        if path == *parent && !seen.contains(required) {
            return Err(malformed_xml());
        }
    }
    Ok(())
}

/// Checks a PUT body's `InventoryConfiguration` against the 2006-03-01 schema, with the
/// client's wire types and conversion for the values.
///
/// # Errors
/// 400 `MalformedXML` for an unknown, repeated or missing element, a non-boolean `IsEnabled`,
/// or a `Format`, `Frequency`, `IncludedObjectVersions` or optional field outside the model's
/// values; then 400 `InvalidS3DestinationBucket` when the destination is not a bucket ARN.
pub(crate) fn validate_body(body: &[u8], root: &Element) -> Result<(), ApiError> {
    if root.name != "InventoryConfiguration" {
        return Err(malformed_xml());
    }
    check_structure(root, "")?;
    let wire: xml::InventoryConfiguration = xml::from_bytes(body).map_err(|_| malformed_xml())?;
    let inventory = S3Inventory::try_from(&wire).map_err(|_| malformed_xml())?;
    if is_bucket_arn(&inventory.destination.bucket) {
        Ok(())
    } else {
        Err(invalid_destination_bucket())
    }
}

/// True for `arn:PARTITION:s3:::NAME` (`arn:aws:s3:::…`, `arn:aws-cn:s3:::…`, …) with a
/// bucket name and nothing after it.
fn is_bucket_arn(value: &str) -> bool {
    let Some((partition, name)) = value
        .strip_prefix("arn:")
        .and_then(|rest| rest.split_once(":s3:::"))
    else {
        return false;
    };
    (partition == "aws" || partition.starts_with("aws-"))
        && !partition.contains(':')
        && !name.is_empty()
        && !name.contains('/')
}

/// The root element's start tag with S3's namespace, replacing the stored bare one.
fn with_namespace(stored: &str, root: &str) -> String {
    let bare = format!("<{root}>");
    match stored.strip_prefix(&bare) {
        Some(rest) => format!("<{root} xmlns=\"{NAMESPACE}\">{rest}"),
        None => stored.to_string(),
    }
}

/// The GET answer for a stored configuration.
pub(crate) fn get_document(stored: &str) -> String {
    format!(
        "{DECLARATION}{}",
        with_namespace(stored, "InventoryConfiguration")
    )
}

/// The LIST answer in the model's element order: `ContinuationToken` (echoed when given),
/// the page's configurations, `IsTruncated`, and `NextContinuationToken` when truncated.
pub(crate) fn list_document(
    items: &[String],
    token: Option<&str>,
    next_token: Option<&str>,
) -> String {
    let mut out = format!("{DECLARATION}<ListInventoryConfigurationsResult xmlns=\"{NAMESPACE}\">");
    if let Some(token) = token {
        Element::with_text("ContinuationToken", token).write_into(&mut out);
    }
    for item in items {
        out.push_str(item);
    }
    Element::with_text("IsTruncated", next_token.is_some().to_string()).write_into(&mut out);
    if let Some(next) = next_token {
        Element::with_text("NextContinuationToken", next).write_into(&mut out);
    }
    out.push_str("</ListInventoryConfigurationsResult>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(destination: &str, extra: &str) -> String {
        format!(
            "<InventoryConfiguration xmlns=\"{NAMESPACE}\"><Id>report-1</Id><IsEnabled>true</IsEnabled>\
             <Filter><Prefix>logs/</Prefix></Filter>\
             <Destination><S3BucketDestination><AccountId>111122223333</AccountId>\
             <Bucket>{destination}</Bucket><Format>CSV</Format><Prefix>inv</Prefix>\
             <Encryption><SSE-KMS><KeyId>arn:aws:kms:us-east-1:111122223333:key/k</KeyId></SSE-KMS></Encryption>\
             </S3BucketDestination></Destination>\
             <Schedule><Frequency>Weekly</Frequency></Schedule>\
             <IncludedObjectVersions>Current</IncludedObjectVersions>\
             <OptionalFields><Field>Size</Field><Field>ObjectOwner</Field></OptionalFields>{extra}\
             </InventoryConfiguration>"
        )
    }

    fn check(xml: &str) -> Result<(), ApiError> {
        validate_body(xml.as_bytes(), &Element::parse(xml.as_bytes()).unwrap())
    }

    #[test]
    fn a_full_configuration_of_the_model_is_accepted() {
        assert_eq!(check(&body("arn:aws:s3:::dest", "")), Ok(()));
        let minimal = "<InventoryConfiguration><Id>a</Id><IsEnabled>False</IsEnabled>\
            <Destination><S3BucketDestination><Bucket>arn:aws:s3:::d</Bucket><Format>Parquet</Format>\
            <Encryption><SSE-S3/></Encryption></S3BucketDestination></Destination>\
            <Schedule><Frequency>Daily</Frequency></Schedule>\
            <IncludedObjectVersions>All</IncludedObjectVersions></InventoryConfiguration>";
        assert_eq!(check(minimal), Ok(()));
    }

    #[test]
    fn values_outside_the_model_are_malformed_xml() {
        let good = body("arn:aws:s3:::dest", "");
        for (from, to) in [
            ("<Format>CSV</Format>", "<Format>JSON</Format>"),
            (
                "<Frequency>Weekly</Frequency>",
                "<Frequency>Hourly</Frequency>",
            ),
            (
                "<IncludedObjectVersions>Current</IncludedObjectVersions>",
                "<IncludedObjectVersions>Latest</IncludedObjectVersions>",
            ),
            ("<Field>ObjectOwner</Field>", "<Field>Colour</Field>"),
            ("<IsEnabled>true</IsEnabled>", "<IsEnabled>yes</IsEnabled>"),
            ("<Prefix>logs/</Prefix>", ""),
            ("<Format>CSV</Format>", ""),
            (
                "<Schedule><Frequency>Weekly</Frequency></Schedule>",
                "<Schedule><Frequency>Weekly</Frequency></Schedule><Schedule/>",
            ),
            ("<Id>report-1</Id>", "<Id>report-1</Id><Colour>red</Colour>"),
            (
                "<KeyId>arn:aws:kms:us-east-1:111122223333:key/k</KeyId>",
                "",
            ),
        ] {
            let bad = good.replacen(from, to, 1);
            assert_ne!(bad, good, "{from}");
            let err = check(&bad).unwrap_err();
            assert_eq!(
                (err.status, err.code.as_str()),
                (400, "MalformedXML"),
                "{to}"
            );
        }
    }

    #[test]
    fn a_destination_that_is_not_a_bucket_arn_is_invalid_s3_destination_bucket() {
        for destination in [
            "dest",
            "arn:aws:s3:::",
            "arn:aws:sqs:::dest",
            "arn:aws:s3:::d/x",
        ] {
            let err = check(&body(destination, "")).unwrap_err();
            assert_eq!(
                (err.status, err.code.as_str(), err.message.as_str()),
                (400, "InvalidS3DestinationBucket", "Invalid bucket ARN."),
                "{destination}"
            );
        }
    }

    #[test]
    fn every_optional_field_of_the_model_is_accepted() {
        let fields: String = crate::provider::s3::model::OPTIONAL_FIELDS
            .iter()
            .map(|f| format!("<Field>{f}</Field>"))
            .collect();
        let xml = body("arn:aws:s3:::d", "")
            .replace("<Field>Size</Field><Field>ObjectOwner</Field>", &fields);
        assert_eq!(check(&xml), Ok(()));
    }

    #[test]
    fn expected_bucket_owner_must_be_the_owning_account() {
        assert_eq!(check_expected_owner(None, "111122223333"), Ok(()));
        assert_eq!(
            check_expected_owner(Some("111122223333"), "111122223333"),
            Ok(())
        );
        let other = check_expected_owner(Some("999988887777"), "111122223333").unwrap_err();
        assert_eq!((other.status, other.code.as_str()), (403, "AccessDenied"));
        let bad = check_expected_owner(Some("me"), "111122223333").unwrap_err();
        assert_eq!(
            (bad.status, bad.code.as_str()),
            (400, "InvalidBucketOwnerAWSAccountID")
        );
    }

    #[test]
    fn documents_carry_the_namespace_and_the_models_element_order() {
        let stored = "<InventoryConfiguration><Id>a</Id></InventoryConfiguration>";
        assert_eq!(
            get_document(stored),
            format!(
                "{DECLARATION}<InventoryConfiguration xmlns=\"{NAMESPACE}\"><Id>a</Id></InventoryConfiguration>"
            )
        );
        let empty = list_document(&[], None, None);
        assert_eq!(
            empty,
            format!(
                "{DECLARATION}<ListInventoryConfigurationsResult xmlns=\"{NAMESPACE}\">\
                 <IsTruncated>false</IsTruncated></ListInventoryConfigurationsResult>"
            )
        );
        let page = list_document(&[stored.to_string()], Some("t/1"), Some("t+2"));
        let token = page.find("<ContinuationToken>t/1").unwrap();
        let item = page.find("<InventoryConfiguration>").unwrap();
        let truncated = page.find("<IsTruncated>true").unwrap();
        let next = page.find("<NextContinuationToken>t+2").unwrap();
        assert!(
            token < item && item < truncated && truncated < next,
            "{page}"
        );
    }
}
