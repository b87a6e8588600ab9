//! COS-specific rules of the emulated inventory API: error codes and what a stored
//! configuration looks like.

use crate::emulator::errors::ApiError;
use crate::emulator::xmltree::Element;
use crate::provider::cos::model::CosInventory;
use crate::provider::cos::xml;

/// GET of an id that does not exist (the only inventory 404 code in the COS error table).
pub(crate) fn not_found() -> ApiError {
    ApiError::new(
        404,
        "InventoryConfigurationNotFoundError",
        "The specified inventory configuration does not exist.",
    )
}

/// PUT of a new id into a bucket that already holds 1,000 configurations (old DOC-PUT code).
pub(crate) fn too_many() -> ApiError {
    ApiError::new(
        400,
        "TooManyConfigurations",
        "The number of inventory configurations has reached the limit of 1000.",
    )
}

/// The `id` query parameter and the body's `<Id>` differ.
pub(crate) fn id_mismatch() -> ApiError {
    ApiError::invalid_argument("The id parameter does not match the Id in the request body.")
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
    CosInventory::try_from(&wire).map_err(|e| ApiError::invalid_argument(format!("{e}.")))?;
    Ok(())
}

/// True for ids COS accepts: `[A-Za-z0-9._-]+`.
pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// COS-specific checks and completion of a PUT body whose shared rules already passed.
///
/// `<OptionalFields>` is added when absent: cos-python-sdk-v5's `get_bucket_inventory` raises
/// `KeyError` on a GET answer without it.
pub(crate) fn finish_body(id: &str, root: &mut Element) -> Result<(), ApiError> {
    if !valid_id(id) {
        return Err(ApiError::invalid_argument(
            "The inventory id may contain only letters, digits, '.', '_' and '-'.",
        ));
    }
    if root.child("OptionalFields").is_none() {
        root.children
            .push(crate::emulator::xmltree::Node::Element(Element::new(
                "OptionalFields",
            )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_limited_to_the_documented_charset() {
        assert!(valid_id("list-1_a.B"));
        assert!(!valid_id(""));
        assert!(!valid_id("a/b"));
        assert!(!valid_id("é"));
    }
}
