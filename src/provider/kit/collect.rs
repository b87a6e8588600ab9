//! Typed deserialization that reports every error of a value, not only the first.
//!
//! serde stops at the first error. To find the others, the offending node is cut out of a copy
//! of the value and deserialization is tried again, until it succeeds or nothing more can be
//! cut. Errors caused by the cutting itself (a required field now missing) are not reported.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::diagnostic::{FieldError, did_you_mean};
use super::field_path::{FieldPath, Segment};

/// Upper bound on retries for one value; far above what any real manifest needs.
const MAX_ATTEMPTS: usize = 100;

/// Deserializes `value` (found at `base` in its document) as `T`.
///
/// # Errors
/// Every error found, each with its full path below the document root.
pub(crate) fn deserialize<T: DeserializeOwned>(
    value: &Value,
    base: &FieldPath,
) -> Result<T, Vec<FieldError>> {
    // A valid value, the common case, is read in place; only an invalid one is copied to be
    // cut down.
    if let Ok(typed) = T::deserialize(value) {
        return Ok(typed);
    }
    let mut work = value.clone();
    let mut errors = Vec::new();
    let mut cuts = Cuts::default();
    for _ in 0..MAX_ATTEMPTS {
        let err = match serde_path_to_error::deserialize::<_, T>(&work) {
            Ok(typed) if errors.is_empty() => return Ok(typed),
            Ok(_) => return Err(errors),
            Err(err) => err,
        };
        let at = convert_path(err.path());
        let found = classify(&at, &err.into_inner().to_string());
        let original_cut = cuts.original(&found.cut);
        let caused_by_cut = found
            .missing_field
            .is_some_and(|field| cuts.contains(&original_cut.key(field.clone())));
        if !caused_by_cut {
            let mut error = found.error;
            error.path = base.join(&cuts.original(&error.path));
            errors.push(error);
        }
        if found.cut.0.is_empty() || !remove(&mut work, &found.cut) {
            break;
        }
        cuts.record(&found.cut, original_cut);
    }
    if errors.is_empty() {
        errors.push(FieldError::new(base.clone(), "could not be read"));
    }
    Err(errors)
}

/// What one serde error means for the collection loop.
struct Classified {
    /// The node to cut before trying again.
    cut: FieldPath,
    error: FieldError,
    /// Set for "missing field" errors, which may be caused by an earlier cut.
    missing_field: Option<String>,
}

/// Turns a serde error message at `path` into a user-facing error and the node to cut.
fn classify(path: &FieldPath, message: &str) -> Classified {
    if let Some(field) = between(message, "missing field `", "`") {
        // serde reports it at the struct; the user wants the field's own path. The struct is cut
        // so that its siblings still get checked.
        return Classified {
            cut: path.clone(),
            error: FieldError::new(
                path.key(field.to_string()),
                format!("missing required field `{field}`"),
            ),
            missing_field: Some(field.to_string()),
        };
    }
    let error = if let Some(field) = between(message, "unknown field `", "`") {
        // serde_path_to_error already points at the unknown key itself.
        let allowed = expected_names(message);
        let error = FieldError::new(path.clone(), format!("unknown field `{field}`"));
        match did_you_mean(field, allowed.iter().map(String::as_str)) {
            Some(hint) => error.hint(hint),
            None if !allowed.is_empty() => {
                error.hint(format!("allowed fields: {}", allowed.join(", ")))
            }
            None => error,
        }
    } else if let Some(variant) = between(message, "unknown variant `", "`") {
        let allowed = expected_names(message);
        let error = FieldError::new(
            path.clone(),
            format!("`{variant}` is not one of {}", quoted_list(&allowed)),
        );
        match did_you_mean(variant, allowed.iter().map(String::as_str)) {
            Some(hint) => error.hint(hint),
            None => error,
        }
    } else if message.starts_with("invalid type: null") {
        FieldError::new(path.clone(), message).hint("give it a value, or remove the key")
    } else if message.contains("invalid type: integer") && message.contains("expected a string") {
        FieldError::new(path.clone(), message)
            .hint("quote it (e.g. \"18\") so that YAML reads it as a string")
    } else {
        FieldError::new(path.clone(), message)
    };
    Classified {
        cut: path.clone(),
        error,
        missing_field: None,
    }
}

/// The text between `start` and the next `end`.
fn between<'a>(message: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = &message[message.find(start)? + start.len()..];
    Some(&rest[..rest.find(end)?])
}

/// The backquoted names after `expected` in a serde message.
fn expected_names(message: &str) -> Vec<String> {
    let Some(at) = message.find("expected") else {
        return Vec::new();
    };
    message[at..]
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn convert_path(path: &serde_path_to_error::Path) -> FieldPath {
    FieldPath(
        path.iter()
            .filter_map(|segment| match segment {
                serde_path_to_error::Segment::Seq { index } => Some(Segment::Index(*index)),
                serde_path_to_error::Segment::Map { key } => Some(Segment::Key(key.clone().into())),
                serde_path_to_error::Segment::Enum { variant } => {
                    Some(Segment::Key(variant.clone().into()))
                }
                serde_path_to_error::Segment::Unknown => None,
            })
            .collect(),
    )
}

/// Removes the node at `path`; false when there is none.
fn remove(value: &mut Value, path: &FieldPath) -> bool {
    let Some((last, parents)) = path.0.split_last() else {
        return false;
    };
    let mut node = value;
    for segment in parents {
        node = match (segment, node) {
            (Segment::Key(k), Value::Object(map)) => match map.get_mut(&**k) {
                Some(n) => n,
                None => return false,
            },
            (Segment::Index(i), Value::Array(items)) => match items.get_mut(*i) {
                Some(n) => n,
                None => return false,
            },
            _ => return false,
        };
    }
    match (last, node) {
        (Segment::Key(k), Value::Object(map)) => map.remove(&**k).is_some(),
        (Segment::Index(i), Value::Array(items)) if *i < items.len() => {
            items.remove(*i);
            true
        }
        _ => false,
    }
}

/// What has been cut so far, to map paths in the cut value back to the user's original indices.
#[derive(Default)]
struct Cuts {
    /// Original paths of cut nodes.
    paths: Vec<FieldPath>,
    /// For each array (original path), the original indices cut from it.
    indices: BTreeMap<FieldPath, Vec<usize>>,
}

impl Cuts {
    fn contains(&self, original: &FieldPath) -> bool {
        self.paths.contains(original)
    }

    fn record(&mut self, current: &FieldPath, original: FieldPath) {
        if let Some(Segment::Index(_)) = current.0.last()
            && let Some(Segment::Index(i)) = original.0.last()
        {
            let cut = self.indices.entry(original.parent()).or_default();
            cut.push(*i);
            cut.sort_unstable();
        }
        self.paths.push(original);
    }

    /// The original path of a path in the cut value.
    fn original(&self, current: &FieldPath) -> FieldPath {
        let mut original = FieldPath::root();
        for segment in &current.0 {
            original = match segment {
                Segment::Key(k) => original.key(k.clone()),
                Segment::Index(i) => {
                    let mut index = *i;
                    for cut in self.indices.get(&original).into_iter().flatten() {
                        if *cut <= index {
                            index += 1;
                        }
                    }
                    original.index(index)
                }
            };
        }
        original
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Outer {
        id: String,
        #[serde(default)]
        fields: Vec<String>,
        inner: Inner,
        #[serde(default)]
        count: Option<u32>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Inner {
        format: Format,
        #[serde(default)]
        prefix: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    enum Format {
        #[serde(rename = "CSV")]
        Csv,
    }

    /// Sorted: serde_json maps iterate in key order, not document order.
    fn messages(value: serde_json::Value) -> Vec<String> {
        let mut got: Vec<String> = deserialize::<Outer>(&value, &FieldPath::root().key("spec"))
            .unwrap_err()
            .into_iter()
            .map(|e| format!("{}: {} / {:?}", e.path, e.message, e.hint))
            .collect();
        got.sort();
        got
    }

    #[test]
    fn every_error_of_a_value_is_reported_with_its_path() {
        let got = messages(json!({
            "id": "a",
            "fields": ["Size", 5, "ETag", 7],
            "inner": {"format": "CSV", "prefx": "p"},
            "count": "many",
        }));
        assert_eq!(got.len(), 4, "{got:#?}");
        assert!(
            got[0].starts_with("spec.count: invalid type: string"),
            "{got:#?}"
        );
        assert!(
            got[1].starts_with("spec.fields[1]: invalid type: integer `5`"),
            "{got:#?}"
        );
        assert!(
            got[2].starts_with("spec.fields[3]: invalid type"),
            "{got:#?}"
        );
        assert_eq!(
            got[3],
            "spec.inner.prefx: unknown field `prefx` / Some(\"did you mean `prefix`?\")"
        );
    }

    #[test]
    fn a_bad_required_field_is_reported_once_and_its_siblings_still_checked() {
        let got = messages(json!({
            "id": "a",
            "inner": {"format": "XML"},
            "count": -1,
        }));
        assert_eq!(got.len(), 2, "{got:#?}");
        assert!(got[0].starts_with("spec.count: invalid value"), "{got:#?}");
        assert_eq!(
            got[1],
            "spec.inner.format: `XML` is not one of `CSV` / None"
        );
    }

    #[test]
    fn a_missing_required_field_is_reported_at_the_field() {
        let got = messages(json!({"id": "a"}));
        assert_eq!(
            got,
            vec!["spec.inner: missing required field `inner` / None".to_string()]
        );
    }

    #[test]
    fn a_valid_value_deserializes() {
        let value = json!({"id": "a", "inner": {"format": "CSV"}});
        assert!(deserialize::<Outer>(&value, &FieldPath::root()).is_ok());
    }
}
