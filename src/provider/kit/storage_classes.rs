//! OSS `filter.storageClass` as written in a manifest: a YAML list (`[Standard, IA]`) or the
//! comma-separated string the OSS API and SDKs use (`"Standard,IA"`), read into one list.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

/// The JSON Schema of the field: either spelling.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)] // only its schema is used
pub(crate) enum StorageClassesSchema {
    /// `[Standard, IA]`
    List(Vec<String>),
    /// `"Standard,IA"`, as the OSS API and SDKs write it.
    Comma(String),
}

/// Reads a list as is, and a string split at commas with the spaces around each name trimmed
/// (a blank string is the empty list, as an absent field). Names are checked later, with the
/// rest of the manifest, at their index in the resulting list.
///
/// # Errors
/// The value is neither a string nor a list of strings.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    deserializer.deserialize_any(StorageClassesVisitor)
}

struct StorageClassesVisitor;

impl<'de> Visitor<'de> for StorageClassesVisitor {
    type Value = Vec<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of storage classes or a comma-separated string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Vec<String>, E> {
        Ok(split(text))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
        let mut classes = Vec::new();
        while let Some(class) = seq.next_element::<String>()? {
            classes.push(class);
        }
        Ok(classes)
    }
}

/// `"Standard, IA"` → `[Standard, IA]`; `""` → `[]`.
fn split(text: &str) -> Vec<String> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    text.split(',')
        .map(|name| name.trim().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Filter {
        #[serde(deserialize_with = "deserialize")]
        classes: Vec<String>,
    }

    fn read(json: serde_json::Value) -> Result<Vec<String>, String> {
        serde_json::from_value::<Filter>(serde_json::json!({ "classes": json }))
            .map(|f| f.classes)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_comma_string_and_a_list_read_the_same() {
        let list = read(serde_json::json!(["Standard", "IA"])).unwrap();
        assert_eq!(read(serde_json::json!("Standard,IA")).unwrap(), list);
        assert_eq!(read(serde_json::json!(" Standard , IA ")).unwrap(), list);
    }

    #[test]
    fn a_blank_string_is_no_storage_class_and_an_empty_name_is_kept_for_validation() {
        assert_eq!(read(serde_json::json!("  ")).unwrap(), Vec::<String>::new());
        assert_eq!(
            read(serde_json::json!("Standard,,IA")).unwrap(),
            ["Standard", "", "IA"]
        );
    }

    #[test]
    fn other_types_are_refused_naming_both_spellings() {
        let error = read(serde_json::json!(7)).unwrap_err();
        assert!(
            error.contains("a list of storage classes or a comma-separated string"),
            "{error}"
        );
    }
}
