//! YAML documents as plain values, without the line of every node: the fast way to read files
//! that turn out valid.
//!
//! Recording each node's line (see [`super::lines`]) costs about as much as the YAML parser
//! itself, yet lines are only read to report an error. So a file is first read bare: the value
//! of each document (built exactly as [`super::lines`] builds it, from the same scalar rules),
//! the line of the document and the line reported for `spec.bucket`. Only when the file has a
//! problem is it read again with every line, and reported from that reading alone, so that
//! diagnostics are the same whichever way a file was read first.

use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use serde_saphyr::Spanned;

use super::events;
pub(crate) use super::lines::BareDocument;
use super::lines::{Node, Tree, TreeVisitor, key_name};

/// Every non-empty document of `text`, read bare; `None` when the file cannot be read this
/// way (any syntax error or limit), in which case [`super::lines::parse_documents`] reports why.
pub fn parse_documents(text: &str) -> Option<Vec<BareDocument>> {
    events::parse_documents(text).or_else(|| parse_with_serde(text))
}

/// [`parse_documents`] through serde-saphyr, for files beyond what [`events`] reads.
fn parse_with_serde(text: &str) -> Option<Vec<BareDocument>> {
    let options = serde_saphyr::options! { with_snippet: false };
    let roots: Vec<Spanned<Found>> =
        serde_saphyr::from_str_multiple_with_options(text, options).ok()?;
    Some(
        roots
            .into_iter()
            .filter(|root| !root.value.value.is_null())
            .map(|root| {
                let line = root.referenced.line() as usize;
                let found = root.value;
                BareDocument {
                    value: found.value,
                    line,
                    bucket_line: found.bucket_line.or(found.spec_line).unwrap_or(line),
                }
            })
            .collect(),
    )
}

/// Where in the document a value sits, as far as the lines kept need to know.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Root,
    Spec,
    Other,
}

/// A value with the lines of `spec` and `spec.bucket` found in it.
struct Found {
    value: Value,
    /// Line of the `spec` key, for the document root.
    spec_line: Option<usize>,
    /// Line of the `bucket` key, for `spec` (and, passed up, for the root).
    bucket_line: Option<usize>,
}

impl Found {
    fn plain(value: Value) -> Self {
        Found {
            value,
            spec_line: None,
            bucket_line: None,
        }
    }
}

impl<'de> Deserialize<'de> for Found {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Seed(Role::Root).deserialize(deserializer)
    }
}

#[derive(Clone, Copy)]
struct Seed(Role);

impl<'de> DeserializeSeed<'de> for Seed {
    type Value = Found;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Found, D::Error> {
        deserializer.deserialize_any(BareVisitor(self.0))
    }
}

struct BareVisitor(Role);

/// Scalars are built by [`TreeVisitor`], so both readings agree on every value.
macro_rules! scalar {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<Found, E> {
                TreeVisitor.$method(v).map(scalar_value)
            }
        )*
    };
}

fn scalar_value(tree: Tree) -> Found {
    match tree {
        Tree::Scalar(value) => Found::plain(value),
        // TreeVisitor builds only scalars from scalars.
        Tree::Seq(_) | Tree::Map(_) => Found::plain(Value::Null),
    }
}

impl<'de> Visitor<'de> for BareVisitor {
    type Value = Found;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    scalar! {
        visit_bool(bool),
        visit_i64(i64),
        visit_u64(u64),
        visit_i128(i128),
        visit_u128(u128),
        visit_f64(f64),
        visit_str(&str),
        visit_string(String),
    }

    fn visit_unit<E: de::Error>(self) -> Result<Found, E> {
        Ok(Found::plain(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Found, E> {
        Ok(Found::plain(Value::Null))
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Found, D::Error> {
        Seed(self.0).deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Found, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Seed(Role::Other))? {
            items.push(item.value);
        }
        Ok(Found::plain(Value::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found, A::Error> {
        let mut values = Map::new();
        let mut found = Found::plain(Value::Null);
        loop {
            // Only keys whose line is kept pay for a span.
            let name = if self.0 == Role::Other {
                match map.next_key_seed(Seed(Role::Other))? {
                    Some(key) => key_name(key.value)?,
                    None => break,
                }
            } else {
                let Some(key) = map.next_key::<Node>()? else {
                    break;
                };
                let name = match key.value {
                    Tree::Scalar(scalar) => key_name(scalar)?,
                    Tree::Seq(_) | Tree::Map(_) => return Err(super::lines::not_scalar_key()),
                };
                match (self.0, name.as_str()) {
                    (Role::Root, "spec") => found.spec_line = Some(key.line),
                    (Role::Spec, "bucket") => found.bucket_line = Some(key.line),
                    _ => {}
                }
                name
            };
            let role = if self.0 == Role::Root && name == "spec" {
                Role::Spec
            } else {
                Role::Other
            };
            let value = map.next_value_seed(Seed(role))?;
            if role == Role::Spec {
                // Only the last `spec` counts, as in the value.
                found.bucket_line = value.bucket_line;
            }
            values.insert(name, value.value);
        }
        found.value = Value::Object(values);
        Ok(found)
    }
}

#[cfg(test)]
#[path = "bare_readme_tests.rs"]
mod readme_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::lines::{self, FieldPath};

    /// The bare reading gives exactly the values and lines of the full one.
    pub(super) fn agrees(text: &str) {
        let full = lines::parse_documents(text).unwrap();
        let bare = parse_with_serde(text).unwrap();
        if let Some(fast) = events::parse_documents(text) {
            assert_eq!(fast, bare, "{text}");
        }
        assert_eq!(full.len(), bare.len(), "{text}");
        let bucket = FieldPath::root().key("spec").key("bucket");
        for (full, bare) in full.iter().zip(&bare) {
            assert_eq!(full.value, bare.value, "{text}");
            assert_eq!(full.line_of(&FieldPath::root()), Some(bare.line), "{text}");
            assert_eq!(full.line_of(&bucket), Some(bare.bucket_line), "{text}");
        }
    }

    #[test]
    fn bare_and_full_readings_agree_on_values_and_kept_lines() {
        agrees("a: 1\nb:\n  c: [x, y, 2.5, -3, 18446744073709551616, 1e3, ~, true, 0x1F]\n");
        agrees("spec:\n  bucket: b\n  region: r\n");
        agrees("\n# lead\nspec:\n  region: r\n  bucket:\n    b\n");
        agrees("spec: [1, 2]\nkind: x\n");
        agrees("kind: x\n");
        agrees("---\na: 1\n---\n---\nspec: {bucket: x}\n---\n- 1\n- 2\n");
        agrees("1: one\n~: none\ntrue: yes\n2.5: x\n\"quoted\": 'single'\n");
        agrees("base: &b {x: 1, y: [1, 2]}\nspec:\n  <<: *b\n  bucket: &n name\n  other: *n\n");
        agrees("spec:\n  inventories:\n    - {id: a, bucket: nested}\n  bucket: top\n");
        agrees("text: |\n  line one\n  line two\nfolded: >\n  a\n  b\n");
    }

    /// Every YAML file of the repository (example manifests, valid and invalid fixtures).
    fn repository_yaml() -> Vec<std::path::PathBuf> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    out.push(path);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        walk(&root.join("manifests"), &mut files);
        walk(&root.join("tests"), &mut files);
        files
    }

    #[test]
    fn every_repository_yaml_file_read_from_events_agrees_with_serde_saphyr() {
        let mut fast = 0;
        for path in repository_yaml() {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Some(from_events) = events::parse_documents(&text) else {
                continue;
            };
            fast += 1;
            assert_eq!(
                Some(from_events),
                parse_with_serde(&text),
                "{}",
                path.display()
            );
            agrees(&text);
        }
        assert!(fast >= 4, "the example manifests are read from events");
    }

    /// Scalars as they may be written, including spellings YAML reads as something else.
    const SCALARS: &[&str] = &[
        "Daily",
        "a b",
        "x/y-1",
        "0",
        "7",
        "007",
        "-5",
        "-0",
        "1e3",
        "1.5",
        "0x1F",
        "inf",
        ".NaN",
        "yes",
        "No",
        "ON",
        "null",
        "Null",
        "~",
        "",
        "'q'",
        "\"d\"",
        "\"\\t\"",
        "'yes'",
        "18446744073709551615",
        "999999999999999999",
        "true",
        "False",
        "y",
        "+1",
        "12:30",
        "1_000",
        "2026-01-01",
        "\"\"",
        "a#b",
        "|\n  block",
        ">-\n  folded\n  text",
    ];

    /// Scalars the event reading takes on itself; drawn more often so that it is exercised.
    const SURE: &[&str] = &[
        "Daily", "ETag", "x/y-1", "0", "7", "-5", "'q'", "\"d\"", "'yes'",
    ];

    fn scalar() -> impl proptest::strategy::Strategy<Value = &'static str> {
        use proptest::prelude::*;
        prop_oneof![
            3 => proptest::sample::select(SURE),
            1 => proptest::sample::select(SCALARS),
        ]
    }

    fn yaml_value() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let leaf = scalar().prop_map(str::to_string);
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(|items| {
                    let flat: Vec<String> = items
                        .into_iter()
                        .map(|i| if i.contains('\n') { "x".to_string() } else { i })
                        .collect();
                    format!("[{}]", flat.join(", "))
                }),
                proptest::collection::vec((scalar(), inner), 0..4).prop_map(|entries| {
                    let flat: Vec<String> = entries
                        .into_iter()
                        .map(|(k, v)| {
                            let k = if k.contains('\n') || k.is_empty() {
                                "k"
                            } else {
                                k
                            };
                            let v = if v.contains('\n') { "v".to_string() } else { v };
                            format!("{k}: {v}")
                        })
                        .collect();
                    format!("{{{}}}", flat.join(", "))
                }),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn whatever_is_read_from_events_is_what_serde_saphyr_reads(
            entries in proptest::collection::vec(
                (scalar(), yaml_value()), 1..6),
        ) {
            let text: String = entries
                .iter()
                .map(|(k, v)| {
                    let k = if k.contains('\n') || k.is_empty() { "k" } else { k };
                    if v.contains('\n') {
                        format!("{k}: {}\n", v.replace('\n', "\n  "))
                    } else {
                        format!("{k}: {v}\n")
                    }
                })
                .collect();
            if let Some(from_events) = events::parse_documents(&text) {
                proptest::prop_assert_eq!(Some(from_events), parse_with_serde(&text), "{}", text);
            }
        }
    }

    #[test]
    fn a_file_the_full_reading_refuses_is_not_read_bare() {
        for text in ["a: [1\n", "a: 1\na: 2\n", "? [a]\n: 1\n"] {
            assert!(lines::parse_documents(text).is_err(), "{text}");
            assert!(parse_documents(text).is_none(), "{text}");
        }
    }
}
