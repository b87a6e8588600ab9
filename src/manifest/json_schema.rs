//! The JSON Schema of manifest documents, for editors and `invsync schema`.

use super::schema::ManifestDocument;

/// The JSON Schema (draft 2020-12) of one manifest document.
///
/// It encodes the structure (field names, types, enums, required fields, no unknown keys); the
/// cross-field rules of [`super::validate`] are only checked by `invsync validate`.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(ManifestDocument))
        .expect("a schema always serializes")
}
