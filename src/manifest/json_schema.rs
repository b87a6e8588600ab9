//! The JSON Schema of manifest documents, for editors and `invsync schema`.

use serde_json::{Map, Value, json};

use super::policy::PolicyDocument;
use super::schema::{API_VERSION, KIND, ManifestDocument, POLICY_KIND};

/// The JSON Schema (draft 2020-12) of one manifest document: a `BucketInventory` or an
/// `InventoryPolicy`.
///
/// It encodes the structure (field names, types, enums, required fields, no unknown keys) and
/// the single-field ranges; the cross-field rules of [`super::validate`] (a tag filter needs the
/// `Tag` field, ids unique, ...) and the template set of policies are only checked by
/// `invsync validate`.
#[expect(
    clippy::expect_used,
    reason = "the schema comes from the crate's own types, never from input"
)]
pub fn json_schema() -> Value {
    let mut bucket = serde_json::to_value(schemars::schema_for!(ManifestDocument))
        .expect("a schema always serializes");
    let mut policy = serde_json::to_value(schemars::schema_for!(PolicyDocument))
        .expect("a schema always serializes");
    // The Rust types hold these as plain strings and integers so that the loader can explain a
    // wrong value instead of failing to parse; the schema can be exact.
    for (schema, kind) in [(&mut bucket, KIND), (&mut policy, POLICY_KIND)] {
        set(schema, "/properties/apiVersion/const", json!(API_VERSION));
        set(schema, "/properties/kind/const", json!(kind));
    }
    let mut defs = Map::new();
    for schema in [&mut bucket, &mut policy] {
        let object = schema
            .as_object_mut()
            .expect("a document schema is an object");
        object.remove("$schema");
        if let Some(Value::Object(found)) = object.remove("$defs") {
            defs.extend(found);
        }
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "invsync manifest",
        "oneOf": [bucket, policy],
        "$defs": defs,
    })
}

/// Sets the member named by the last segment of `pointer` in the object `pointer` lies in.
#[expect(
    clippy::expect_used,
    clippy::panic,
    reason = "the schema comes from the crate's own types, never from input"
)]
fn set(schema: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').expect("pointers have a parent");
    let object = schema
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("the generated schema has {parent}"));
    object.insert(key.to_string(), value);
}
