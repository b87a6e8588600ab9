//! OSS-specific rules of the emulated inventory API: error codes and what a stored
//! configuration looks like.

use super::ec;
use crate::emulator::errors::ApiError;
use crate::emulator::xmltree::Element;
use crate::provider::oss::model::OssInventory;
use crate::provider::oss::xml;

/// Most characters in an OSS inventory id (EC 0020-00000044).
pub(crate) const MAX_ID_CHARS: usize = 192;

/// GET of a missing id, or LIST of a bucket with no configurations at all.
pub(crate) fn no_such_inventory() -> ApiError {
    ApiError::new(
        404,
        "NoSuchInventory",
        "The specified inventory does not exist.",
    )
    .with_ec(ec::NO_SUCH_INVENTORY)
}

/// `Content-MD5` that does not match the body: OSS says `InvalidDigest` with its own EC.
pub(crate) fn digest_mismatch() -> ApiError {
    ApiError::new(
        400,
        "InvalidDigest",
        "The Content-MD5 you specified is not valid.",
    )
    .with_ec(ec::INVALID_DIGEST_MISMATCH)
}

/// PUT of a new id into a bucket that already holds 1,000 configurations. The real code is
/// undocumented; OSS reports its other limit violations as `InvalidArgument`.
pub(crate) fn too_many() -> ApiError {
    ApiError::invalid_argument("The number of inventory configurations exceeds the limit of 1000.")
        .with_ec(ec::TOO_MANY)
}

/// The `inventoryId` query parameter and the body's `<Id>` differ (EC 0020-00000043).
pub(crate) fn id_mismatch() -> ApiError {
    ApiError::invalid_argument("The inventoryId in the URL does not match the Id in the body.")
        .with_ec(ec::ID_MISMATCH)
}

/// Checks a PUT body against the schema the client's wire types and domain conversion
/// enforce: required elements present, enumerations known.
///
/// # Errors
/// 400 `MalformedXML` when the body does not read as an `InventoryConfiguration`, 400
/// `InvalidArgument` naming the element when a value is missing or unknown.
pub(crate) fn validate_body(body: &[u8]) -> Result<(), ApiError> {
    let wire: xml::InventoryConfiguration =
        xml::from_bytes(body).map_err(|_| ApiError::malformed_xml())?;
    OssInventory::try_from(&wire).map_err(|e| ApiError::invalid_argument(format!("{e}.")))?;
    Ok(())
}

/// OSS-specific checks and completion of a PUT body whose shared rules already passed.
///
/// `Filter/StorageClass` is stored sorted, as the live service was seen to answer
/// `IA,Standard` to a PUT of `Standard,IA`.
pub(crate) fn finish_body(id: &str, root: &mut Element) -> Result<(), ApiError> {
    if id.is_empty() || id.chars().count() > MAX_ID_CHARS {
        return Err(ApiError::invalid_argument(format!(
            "The inventory id must be 1 to {MAX_ID_CHARS} characters long."
        ))
        .with_ec(ec::INVALID_ID));
    }
    if let Some(class) = root
        .child_mut("Filter")
        .and_then(|f| f.child_mut("StorageClass"))
    {
        let mut classes: Vec<String> = class
            .text()
            .split(',')
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        classes.sort();
        class.set_text(classes.join(","));
    }
    Ok(())
}
