//! S3-specific rules of the emulated inventory API: error codes and messages recorded against
//! AWS, the 2006-03-01 schema check of a PUT body, the expected-bucket-owner guard, and the
//! GET and LIST documents. Pure.
//!
//! Sources: `shared/reference/s3-api.md` §1–§4 (botocore's service model and responses
//! recorded against AWS).

use super::errors::ApiError;
use super::xmltree::{Element, Node};

/// The namespace S3 puts on the root element of every response document.
pub const NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// The XML declaration in front of S3 response documents.
const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// `Format` values of `S3BucketDestination`.
pub const FORMATS: [&str; 3] = ["CSV", "ORC", "Parquet"];
/// `Schedule/Frequency` values.
pub const FREQUENCIES: [&str; 2] = ["Daily", "Weekly"];
/// `IncludedObjectVersions` values.
pub const OBJECT_VERSIONS: [&str; 2] = ["All", "Current"];
/// `OptionalFields/Field` values of the service model (botocore 1.44.5).
pub const OPTIONAL_FIELDS: [&str; 19] = [
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

/// The prefix of a destination bucket ARN.
const BUCKET_ARN_PREFIX: &str = "arn:aws:s3:::";

/// GET of an id that does not exist.
pub fn no_such_configuration() -> ApiError {
    ApiError::new(
        404,
        "NoSuchConfiguration",
        "The specified configuration does not exist.",
    )
}

/// The `id` query parameter and the body's `<Id>` differ.
pub fn id_mismatch() -> ApiError {
    ApiError::new(
        400,
        "IdMismatch",
        "Document ID does not match the specified configuration ID.",
    )
}

/// `Destination/S3BucketDestination/Bucket` is not a bucket ARN.
pub fn invalid_destination_bucket() -> ApiError {
    ApiError::new(400, "InvalidS3DestinationBucket", "Invalid bucket ARN.")
}

/// A body that is not well-formed or breaks the schema (unknown enumeration value, missing or
/// unknown element). S3's message has no final period.
pub fn malformed_xml() -> ApiError {
    ApiError::new(
        400,
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
    )
}

/// PUT of a new id into a bucket that already holds 1,000 configurations.
pub fn too_many() -> ApiError {
    ApiError::new(
        400,
        "TooManyConfigurations",
        "You are attempting to create a new configuration but have already reached the 1,000-configuration limit.",
    )
}

/// A bucket the emulator does not know (only with strict buckets).
pub fn no_such_bucket(bucket: &str) -> ApiError {
    ApiError::new(404, "NoSuchBucket", "The specified bucket does not exist")
        .with_extra("BucketName", bucket)
}

/// A continuation token the emulator did not issue.
pub fn invalid_continuation_token() -> ApiError {
    ApiError::new(
        400,
        "InvalidArgument",
        "The continuation token provided is incorrect",
    )
    .with_extra("ArgumentName", "continuation-token")
}

/// S3's answer when the caller may not act on the bucket.
pub fn access_denied() -> ApiError {
    ApiError::new(403, "AccessDenied", "Access Denied")
}

/// Checks `x-amz-expected-bucket-owner` against the bucket's owning account.
///
/// # Errors
/// 400 `InvalidBucketOwnerAWSAccountID` when the value is not a 12-digit account id, 403
/// `AccessDenied` when it names another account. No header: no check.
pub fn check_expected_owner(expected: Option<&str>, owner: &str) -> Result<(), ApiError> {
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

/// The element children of `element`, or `MalformedXML` when it holds non-blank text too.
fn elements(element: &Element) -> Result<Vec<&Element>, ApiError> {
    let mut out = Vec::new();
    for node in &element.children {
        match node {
            Node::Element(e) => out.push(e),
            Node::Text(t) if t.trim().is_empty() => {}
            Node::Text(_) => return Err(malformed_xml()),
        }
    }
    Ok(out)
}

/// The children of `element`, each named in `allowed` at most once, with every `required` one
/// present.
fn children<'a>(
    element: &'a Element,
    allowed: &[&str],
    required: &[&str],
) -> Result<Vec<&'a Element>, ApiError> {
    let kids = elements(element)?;
    for (i, kid) in kids.iter().enumerate() {
        if !allowed.contains(&kid.name.as_str())
            || kids[..i].iter().any(|earlier| earlier.name == kid.name)
        {
            return Err(malformed_xml());
        }
    }
    if required
        .iter()
        .any(|name| !kids.iter().any(|k| k.name == *name))
    {
        return Err(malformed_xml());
    }
    Ok(kids)
}

/// The text of a leaf element, or `MalformedXML` when it has element children.
fn leaf(element: &Element) -> Result<String, ApiError> {
    if element
        .children
        .iter()
        .any(|n| matches!(n, Node::Element(_)))
    {
        return Err(malformed_xml());
    }
    Ok(element.text())
}

fn one_of(element: &Element, values: &[&str]) -> Result<(), ApiError> {
    let text = leaf(element)?;
    if values.contains(&text.as_str()) {
        Ok(())
    } else {
        Err(malformed_xml())
    }
}

fn child<'a>(kids: &[&'a Element], name: &str) -> Option<&'a Element> {
    kids.iter().copied().find(|k| k.name == name)
}

/// Checks a PUT body's `InventoryConfiguration` against the 2006-03-01 schema.
///
/// # Errors
/// 400 `MalformedXML` for a missing, unknown or repeated element, a non-boolean `IsEnabled`, or
/// a `Format`, `Frequency`, `IncludedObjectVersions` or optional field outside the model's
/// values; then 400 `InvalidS3DestinationBucket` when the destination is not a bucket ARN.
pub fn validate_body(root: &Element) -> Result<(), ApiError> {
    if root.name != "InventoryConfiguration" {
        return Err(malformed_xml());
    }
    let kids = children(
        root,
        &[
            "Id",
            "IsEnabled",
            "Filter",
            "Destination",
            "Schedule",
            "IncludedObjectVersions",
            "OptionalFields",
        ],
        &[
            "Id",
            "IsEnabled",
            "Destination",
            "Schedule",
            "IncludedObjectVersions",
        ],
    )?;
    for kid in &kids {
        match kid.name.as_str() {
            "Id" => {
                leaf(kid)?;
            }
            "IsEnabled" => {
                let value = leaf(kid)?.to_ascii_lowercase();
                if value != "true" && value != "false" {
                    return Err(malformed_xml());
                }
            }
            "Filter" => {
                let filter = children(kid, &["Prefix"], &["Prefix"])?;
                leaf(filter[0])?;
            }
            "Schedule" => {
                let schedule = children(kid, &["Frequency"], &["Frequency"])?;
                one_of(schedule[0], &FREQUENCIES)?;
            }
            "IncludedObjectVersions" => one_of(kid, &OBJECT_VERSIONS)?,
            "OptionalFields" => {
                for field in elements(kid)? {
                    if field.name != "Field" {
                        return Err(malformed_xml());
                    }
                    one_of(field, &OPTIONAL_FIELDS)?;
                }
            }
            _ => {}
        }
    }
    let destination = child(&kids, "Destination").ok_or_else(malformed_xml)?;
    validate_destination(destination)
}

fn validate_destination(destination: &Element) -> Result<(), ApiError> {
    let outer = children(
        destination,
        &["S3BucketDestination"],
        &["S3BucketDestination"],
    )?;
    let kids = children(
        outer[0],
        &["AccountId", "Bucket", "Format", "Prefix", "Encryption"],
        &["Bucket", "Format"],
    )?;
    for kid in &kids {
        match kid.name.as_str() {
            "AccountId" | "Prefix" | "Bucket" => {
                leaf(kid)?;
            }
            "Format" => one_of(kid, &FORMATS)?,
            "Encryption" => validate_encryption(kid)?,
            _ => {}
        }
    }
    let bucket = child(&kids, "Bucket")
        .map(Element::text)
        .unwrap_or_default();
    match bucket.trim().strip_prefix(BUCKET_ARN_PREFIX) {
        Some(name) if !name.is_empty() && !name.contains('/') => Ok(()),
        _ => Err(invalid_destination_bucket()),
    }
}

fn validate_encryption(encryption: &Element) -> Result<(), ApiError> {
    let kids = children(encryption, &["SSE-S3", "SSE-KMS"], &[])?;
    let [kind] = kids[..] else {
        return Err(malformed_xml());
    };
    match kind.name.as_str() {
        "SSE-S3" => {
            if !leaf(kind)?.trim().is_empty() {
                return Err(malformed_xml());
            }
        }
        _ => {
            let key = children(kind, &["KeyId"], &["KeyId"])?;
            if leaf(key[0])?.trim().is_empty() {
                return Err(malformed_xml());
            }
        }
    }
    Ok(())
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
pub fn get_document(stored: &str) -> String {
    format!(
        "{DECLARATION}{}",
        with_namespace(stored, "InventoryConfiguration")
    )
}

/// The LIST answer in the model's element order: `ContinuationToken` (echoed when given),
/// the page's configurations, `IsTruncated`, and `NextContinuationToken` when truncated.
pub fn list_document(items: &[String], token: Option<&str>, next_token: Option<&str>) -> String {
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
        validate_body(&Element::parse(xml.as_bytes()).unwrap())
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
        let fields: String = OPTIONAL_FIELDS
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
