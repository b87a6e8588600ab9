//! YAML documents as plain JSON values plus the source line of every node.
//!
//! serde-saphyr parses and types the scalars (YAML 1.2 core schema); each node is captured with
//! [`serde_saphyr::Spanned`] so that a diagnostic about `spec.inventories[2].schedule` can point
//! at the line the user wrote it on. The JSON value is what the typed manifest structs are then
//! deserialized from, one piece at a time, so that every error is collected.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use serde_saphyr::Spanned;

use super::limits;
pub use crate::provider::kit::field_path::{FieldPath, Segment};

/// One parsed YAML document.
#[derive(Debug, Clone, PartialEq)]
pub struct LinedDocument {
    /// The document as JSON values, as serde reads manifests.
    pub value: Value,
    /// One-based line of every node; for a mapping entry, the line of its key.
    pub lines: Lines,
}

impl LinedDocument {
    /// The line of `path`, or of its nearest ancestor that has one (a missing field is reported
    /// at the mapping that lacks it).
    pub(crate) fn line_of(&self, path: &FieldPath) -> Option<usize> {
        Some(self.lines.nearest(path))
    }
}

/// One document read bare (see `super::bare`): its value and the two lines diagnostics
/// of a valid file need.
#[derive(Debug, Clone, PartialEq)]
pub struct BareDocument {
    /// The document as JSON values, as serde reads manifests.
    pub value: Value,
    /// Line of the document's root node, as [`LinedDocument::line_of`] gives
    /// for the root.
    pub line: usize,
    /// The line [`LinedDocument::line_of`] gives for `spec.bucket`.
    pub(crate) bucket_line: usize,
}

/// The lines of a document's nodes, shaped like the document (a tree rather than a map from
/// every node's path, which would copy each path: manifests with hundreds of inventories have
/// thousands of nodes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lines {
    line: usize,
    children: LineChildren,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum LineChildren {
    Leaf,
    Seq(Vec<Lines>),
    /// In document order; a repeated key's last entry wins, as in the value.
    Map(Vec<(String, Lines)>),
}

impl Lines {
    /// The line of `path`, or of the deepest ancestor of it present in the document.
    pub fn nearest(&self, path: &FieldPath) -> usize {
        let mut node = self;
        for segment in &path.0 {
            let next = match (segment, &node.children) {
                (Segment::Key(key), LineChildren::Map(entries)) => entries
                    .iter()
                    .rev()
                    .find(|(name, _)| name.as_str() == &**key)
                    .map(|(_, lines)| lines),
                (Segment::Index(index), LineChildren::Seq(items)) => items.get(*index),
                _ => None,
            };
            match next {
                Some(child) => node = child,
                None => break,
            }
        }
        node.line
    }
}

/// Why a file could not be parsed: the message, the one-based line it points at, and for a
/// parser limit, how to stay within it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// One-based line the parser points at; `None` when it names none.
    pub line: Option<usize>,
    /// What is wrong, without the position (the line is `line`), or which limit is passed.
    pub message: String,
    /// `None` for invalid YAML; for a file beyond one of the parser's limits, the fix.
    pub(crate) limit_hint: Option<String>,
}

/// Parses every document of `text`, skipping empty ones.
///
/// # Errors
/// The first syntax error of the file (documents after it cannot be trusted), or the first
/// parser limit it goes beyond (see [`limits::describe`]).
pub fn parse_documents(text: &str) -> Result<Vec<LinedDocument>, SyntaxError> {
    let options = serde_saphyr::options! { with_snippet: false };
    let nodes: Vec<Node> =
        serde_saphyr::from_str_multiple_with_options(text, options).map_err(|e| {
            let line = e
                .location()
                .map(|l| l.line() as usize)
                .filter(|line| *line > 0);
            match limits::describe(&e) {
                Some(limit) => SyntaxError {
                    line,
                    message: limit.message,
                    limit_hint: Some(limit.hint),
                },
                None => SyntaxError {
                    line,
                    message: clean_message(&e.to_string()),
                    limit_hint: None,
                },
            }
        })?;
    Ok(nodes
        .into_iter()
        .filter(|n| !n.value.is_null())
        .map(|node| {
            let (value, lines) = node.into_value(None);
            LinedDocument { value, lines }
        })
        .collect())
}

/// The parser's message without the position (diagnostics carry the line themselves) and
/// without advice meant for programmers using the library.
fn clean_message(message: &str) -> String {
    let mut text = message.lines().next().unwrap_or(message).trim();
    if let Some(at) = text.rfind(" at line ") {
        text = &text[..at];
    }
    if let Some(rest) = text.strip_prefix("duplicate mapping key: ") {
        let key = rest
            .split(", set DuplicateKeyPolicy")
            .next()
            .unwrap_or(rest);
        return format!("duplicate mapping key `{key}`");
    }
    text.to_string()
}

/// A YAML node with its line, as deserialized by serde-saphyr.
pub(super) struct Node {
    pub(super) line: usize,
    pub(super) value: Tree,
}

pub(super) enum Tree {
    Scalar(Value),
    Seq(Vec<Node>),
    /// Entries in document order, each with the line of its key.
    Map(Vec<(String, usize, Node)>),
}

impl Tree {
    fn is_null(&self) -> bool {
        matches!(self, Tree::Scalar(Value::Null))
    }
}

impl Node {
    /// The value and its lines; `key_line` is the line of the mapping key this node is the
    /// value of, which is the line reported for it.
    fn into_value(self, key_line: Option<usize>) -> (Value, Lines) {
        let line = key_line.unwrap_or(self.line);
        match self.value {
            Tree::Scalar(v) => (
                v,
                Lines {
                    line,
                    children: LineChildren::Leaf,
                },
            ),
            Tree::Seq(items) => {
                let mut values = Vec::with_capacity(items.len());
                let mut lines = Vec::with_capacity(items.len());
                for item in items {
                    let (value, item_lines) = item.into_value(None);
                    values.push(value);
                    lines.push(item_lines);
                }
                (
                    Value::Array(values),
                    Lines {
                        line,
                        children: LineChildren::Seq(lines),
                    },
                )
            }
            Tree::Map(entries) => {
                let mut map = Map::new();
                let mut lines = Vec::with_capacity(entries.len());
                for (key, key_line, node) in entries {
                    let (value, child_lines) = node.into_value(Some(key_line));
                    lines.push((key.clone(), child_lines));
                    map.insert(key, value);
                }
                (
                    Value::Object(map),
                    Lines {
                        line,
                        children: LineChildren::Map(lines),
                    },
                )
            }
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Tree>::deserialize(deserializer)?;
        Ok(Node {
            line: spanned.referenced.line() as usize,
            value: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TreeVisitor)
    }
}

/// Builds a [`Tree`]; its scalars are also what [`super::bare`] builds values from.
pub(super) struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Tree;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Tree, E> {
        Ok(Tree::Scalar(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Tree, E> {
        Ok(Tree::Scalar(Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Tree, E> {
        Ok(Tree::Scalar(Value::from(v)))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Tree, E> {
        // Out of the i64/u64 range: keep the digits so the user sees what was written.
        Ok(Tree::Scalar(Value::String(v.to_string())))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Tree, E> {
        Ok(Tree::Scalar(Value::String(v.to_string())))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Tree, E> {
        Ok(Tree::Scalar(
            serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number),
        ))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Tree, E> {
        Ok(Tree::Scalar(Value::String(v.to_string())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Tree, E> {
        Ok(Tree::Scalar(Value::String(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Tree, E> {
        Ok(Tree::Scalar(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Tree, E> {
        Ok(Tree::Scalar(Value::Null))
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Tree, D::Error> {
        Tree::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Tree::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let name = match key.value {
                Tree::Scalar(scalar) => key_name(scalar)?,
                Tree::Seq(_) | Tree::Map(_) => return Err(not_scalar_key()),
            };
            let value = map.next_value::<Node>()?;
            entries.push((name, key.line, value));
        }
        Ok(Tree::Map(entries))
    }
}

/// The name a scalar mapping key is known by.
pub(super) fn key_name<E: de::Error>(scalar: Value) -> Result<String, E> {
    match scalar {
        Value::String(s) => Ok(s),
        Value::Null => Ok("null".to_string()),
        Value::Array(_) | Value::Object(_) => Err(not_scalar_key()),
        other => Ok(other.to_string()),
    }
}

pub(super) fn not_scalar_key<E: de::Error>() -> E {
    de::Error::custom("mapping keys must be scalars")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &[&str]) -> FieldPath {
        FieldPath(
            s.iter()
                .map(|p| match p.parse::<usize>() {
                    Ok(i) => Segment::Index(i),
                    Err(_) => Segment::Key(p.to_string().into()),
                })
                .collect(),
        )
    }

    #[test]
    fn every_node_gets_the_line_it_was_written_on() {
        let text = "a: 1\nb:\n  c: [x, y]\n  d:\n    - e: true\n      f: \"18\"\n";
        let docs = parse_documents(text).unwrap();
        assert_eq!(docs.len(), 1);
        let doc = &docs[0];
        assert_eq!(doc.line_of(&path(&["a"])), Some(1));
        assert_eq!(doc.line_of(&path(&["b"])), Some(2));
        assert_eq!(doc.line_of(&path(&["b", "c"])), Some(3));
        assert_eq!(doc.line_of(&path(&["b", "d", "0"])), Some(5));
        assert_eq!(doc.line_of(&path(&["b", "d", "0", "f"])), Some(6));
        assert_eq!(doc.value["b"]["d"][0]["f"], Value::String("18".into()));
        assert_eq!(doc.value["b"]["d"][0]["e"], Value::Bool(true));
        assert_eq!(doc.value["a"], Value::from(1));
    }

    #[test]
    fn a_missing_path_falls_back_to_its_nearest_ancestor() {
        let docs = parse_documents("a:\n  b: 1\n").unwrap();
        assert_eq!(docs[0].line_of(&path(&["a", "zz", "0"])), Some(1));
    }

    #[test]
    fn several_documents_are_parsed_and_empty_ones_skipped() {
        let text = "a: 1\n---\n---\n# only a comment\n---\nb: 2\n";
        let docs = parse_documents(text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].line_of(&path(&["b"])), Some(6));
    }

    #[test]
    fn a_syntax_error_carries_its_line() {
        let err = parse_documents("a: 1\nb: [unclosed\nc: 3\n").unwrap_err();
        assert_eq!(err.line, Some(3), "{err:?}");
        assert!(!err.message.contains("line 3"), "{err:?}");
    }

    #[test]
    fn a_duplicate_key_is_a_syntax_error_naming_the_key() {
        let err = parse_documents("a: 1\na: 2\n").unwrap_err();
        assert_eq!(err.line, Some(2));
        assert_eq!(err.message, "duplicate mapping key `a`");
    }

    #[test]
    fn paths_display_like_the_manifest_reference() {
        assert_eq!(
            path(&["spec", "inventories", "2", "schedule"]).to_string(),
            "spec.inventories[2].schedule"
        );
    }
}
