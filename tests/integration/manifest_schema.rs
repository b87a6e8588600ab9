//! The JSON Schema printed by `invsync schema` agrees with the loader: it accepts the example
//! manifests and rejects what the loader rejects as structure (unknown keys, bad enum values).

use std::fs;
use std::path::Path;

use invsync::manifest::json_schema;
use invsync::manifest::lines::parse_documents;
use serde_json::Value;

/// A compiled schema, validated with an independent implementation (boon).
struct Validator {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl Validator {
    fn new() -> Self {
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler
            .add_resource("urn:invsync:manifest", json_schema())
            .expect("the schema is valid JSON Schema");
        let index = compiler
            .compile("urn:invsync:manifest", &mut schemas)
            .expect("the schema compiles");
        Validator { schemas, index }
    }

    fn accepts(&self, document: &Value) -> Result<(), String> {
        self.schemas
            .validate(document, self.index)
            .map_err(|e| format!("{e:#}"))
    }
}

fn example_documents() -> Vec<(String, Value)> {
    let mut found = Vec::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("manifests")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                let text = fs::read_to_string(&path).unwrap();
                for doc in parse_documents(&text).unwrap() {
                    found.push((path.display().to_string(), doc.value));
                }
            }
        }
    }
    found
}

/// The example that uses every COS field.
fn full_cos_example() -> Value {
    example_documents()
        .into_iter()
        .map(|(_, v)| v)
        .find(|v| v["spec"]["bucket"] == "examplebucket-1250000000")
        .unwrap()
}

#[test]
fn the_schema_is_draft_2020_12() {
    assert_eq!(
        json_schema()["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
}

#[test]
fn the_schema_accepts_every_example_manifest() {
    let validator = Validator::new();
    let documents = example_documents();
    assert_eq!(documents.len(), 5);
    for (file, document) in documents {
        if let Err(e) = validator.accepts(&document) {
            panic!("{file}: {e}");
        }
    }
}

#[test]
fn the_schema_rejects_a_misspelled_key_at_every_level() {
    let validator = Validator::new();
    let base = full_cos_example();
    let misspell = |pointer: &str, from: &str, to: &str| {
        let mut doc = base.clone();
        let map = doc.pointer_mut(pointer).unwrap().as_object_mut().unwrap();
        let value = map
            .remove(from)
            .unwrap_or_else(|| panic!("{pointer}/{from}"));
        map.insert(to.to_string(), value);
        doc
    };
    let cases = [
        misspell("", "metadata", "metdata"),
        misspell("/metadata", "name", "nmae"),
        misspell("/spec", "region", "regoin"),
        misspell("/spec/inventories/0", "optionalFields", "optionalField"),
        misspell("/spec/inventories/0/schedule", "monthlyDate", "monthlyDay"),
        misspell("/spec/inventories/0/filter", "prefix", "prefx"),
        misspell("/spec/inventories/0/filter/period", "endTime", "endtime"),
        misspell("/spec/inventories/0/filter/tags/0", "value", "val"),
        misspell("/spec/inventories/0/destination", "accountId", "accountID"),
    ];
    for doc in cases {
        assert!(validator.accepts(&doc).is_err(), "accepted {doc:#}");
    }
}

#[test]
fn the_schema_rejects_values_outside_the_enums_and_ranges() {
    let validator = Validator::new();
    let base = full_cos_example();
    let set = |pointer: &str, value: Value| {
        let mut doc = base.clone();
        *doc.pointer_mut(pointer).unwrap() = value;
        doc
    };
    let cases = [
        set("/spec/provider", "gcs".into()),
        set("/spec/inventories/0/schedule/frequency", "Hourly".into()),
        set(
            "/spec/inventories/0/includedObjectVersions",
            "Latest".into(),
        ),
        set("/spec/inventories/0/destination/format", "XML".into()),
        set(
            "/spec/inventories/0/destination/encryption",
            "SSE-OSS".into(),
        ),
    ];
    for doc in cases {
        assert!(validator.accepts(&doc).is_err(), "accepted {doc:#}");
    }
}

#[test]
fn the_schema_rejects_an_unknown_key_inside_sse_kms() {
    let validator = Validator::new();
    let (_, mut doc) = example_documents()
        .into_iter()
        .find(|(_, v)| {
            v["spec"]["inventories"][0]["destination"]["encryption"]["SSE-KMS"].is_object()
        })
        .unwrap();
    assert!(validator.accepts(&doc).is_ok());
    doc.pointer_mut("/spec/inventories/0/destination/encryption/SSE-KMS")
        .and_then(Value::as_object_mut)
        .unwrap()
        .insert("keyid".into(), "k".into());
    assert!(validator.accepts(&doc).is_err());
}
