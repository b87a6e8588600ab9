//! Diagnostics: one problem in one manifest, located well enough for the user to fix it.

use std::fmt;
use std::path::PathBuf;

use serde_json::Value;

use super::field_path::{FieldPath, Segment};

/// One problem found while loading or validating manifests.
///
/// Displayed as
/// `manifests/logs.yaml:14 (document 2) spec.inventories[2].schedule.monthlyDate: 31 is out of
/// range 1..=28 (hint: COS delivers monthly inventories on days 1-28)`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file, as the directory was given plus the path below it (`manifests/logs.yaml`).
    pub file: PathBuf,
    /// One-based line, when the parser knows it.
    pub line: Option<usize>,
    /// Zero-based index of the document among the file's non-empty documents (displayed
    /// one-based, as in [`crate::model::Origin`]); `None` for problems of a whole file or of the
    /// directory.
    pub document: Option<usize>,
    /// Field path such as `spec.inventories[2] (id list3).schedule` (see [`display_path`]);
    /// empty for the document itself.
    pub path: String,
    /// What is wrong, e.g. `31 is out of range 1..=28`.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(document) = self.document {
            write!(f, " (document {})", document + 1)?;
        }
        if !self.path.is_empty() {
            write!(f, " {}", self.path)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// `path` as diagnostics print it: below an inventory, its index and its id
/// (`spec.inventories[4] (id tags-no-field).filter.tags`), since in a file of hundreds of
/// inventories people look for the id, while the index stays exact when the id is missing or
/// repeated. Without a usable id (absent, empty, not a string) the plain path.
pub(crate) fn display_path(path: &FieldPath, document: &Value) -> String {
    let text = path.to_string();
    let [
        Segment::Key(spec),
        Segment::Key(list),
        Segment::Index(index),
        ..,
    ] = path.0.as_slice()
    else {
        return text;
    };
    if &**spec != "spec" || &**list != "inventories" {
        return text;
    }
    let id = document
        .get("spec")
        .and_then(|spec| spec.get("inventories"))
        .and_then(|inventories| inventories.get(*index))
        .and_then(|inventory| inventory.get("id"))
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty());
    match id {
        Some(id) => {
            let head = format!("spec.inventories[{index}]");
            // A control character in an id must not reach the terminal (the id rule reports it).
            let id = if id.chars().any(char::is_control) {
                id.escape_debug().to_string()
            } else {
                id.to_string()
            };
            format!("{head} (id {id}){}", &text[head.len()..])
        }
        None => text,
    }
}

/// Every problem found in a manifests directory; loading fails whole when there is any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestErrors {
    /// Sorted by file, line and document, so output is stable across runs.
    pub diagnostics: Vec<Diagnostic>,
    /// Some file or directory could not be read for a reason that may pass by itself (out of
    /// descriptors, an I/O hiccup: [`super::walk::is_transient`]): loading the same files
    /// again later may succeed, so the daemon retries instead of waiting for an edit.
    pub(crate) transient: bool,
}

impl fmt::Display for ManifestErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ManifestErrors {}

/// A problem at a field of one document, before the file and line are attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Where in the document, e.g. `spec.inventories[2].schedule`.
    pub path: FieldPath,
    /// What is wrong; becomes [`Diagnostic::message`].
    pub message: String,
    /// How to fix it; `None` when the message says enough.
    pub hint: Option<String>,
}

impl FieldError {
    /// A problem without a hint.
    pub fn new(path: FieldPath, message: impl Into<String>) -> Self {
        FieldError {
            path,
            message: message.into(),
            hint: None,
        }
    }

    /// The same problem with a hint on how to fix it.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// `did you mean `x`?` when `word` is a likely misspelling of one of `candidates`.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= c.len().div_ceil(3).min(3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

/// Edit distance over chars where swapping two neighbours counts as one edit (optimal string
/// alignment), since transposed letters are the most common typo.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diagnostic_displays_file_line_document_path_message_and_hint() {
        let d = Diagnostic {
            file: PathBuf::from("manifests/logs.yaml"),
            line: Some(14),
            document: Some(1),
            path: "spec.inventories[2].schedule.monthlyDate".into(),
            message: "31 is out of range 1..=28".into(),
            hint: Some("COS delivers monthly inventories on days 1-28".into()),
        };
        assert_eq!(
            d.to_string(),
            "manifests/logs.yaml:14 (document 2) spec.inventories[2].schedule.monthlyDate: \
             31 is out of range 1..=28 (hint: COS delivers monthly inventories on days 1-28)"
        );
    }

    #[test]
    fn a_file_level_diagnostic_omits_what_it_does_not_know() {
        let d = Diagnostic {
            file: PathBuf::from("manifests"),
            line: None,
            document: None,
            path: String::new(),
            message: "no manifests found".into(),
            hint: None,
        };
        assert_eq!(d.to_string(), "manifests: no manifests found");
    }

    #[test]
    fn a_path_below_an_inventory_names_its_index_and_its_id() {
        let document = serde_json::json!({
            "spec": {"inventories": [{"id": "a"}, {"prefix": "no-id"}, {"id": "tags-no-field"}]}
        });
        let path = |segments: &[Segment]| FieldPath(segments.to_vec());
        let key = |k: &str| Segment::Key(k.to_string().into());
        assert_eq!(
            display_path(
                &path(&[
                    key("spec"),
                    key("inventories"),
                    Segment::Index(2),
                    key("filter"),
                    key("tags")
                ]),
                &document
            ),
            "spec.inventories[2] (id tags-no-field).filter.tags"
        );
        assert_eq!(
            display_path(
                &path(&[key("spec"), key("inventories"), Segment::Index(0)]),
                &document
            ),
            "spec.inventories[0] (id a)"
        );
        assert_eq!(
            display_path(
                &path(&[
                    key("spec"),
                    key("inventories"),
                    Segment::Index(1),
                    key("prefix")
                ]),
                &document
            ),
            "spec.inventories[1].prefix",
            "no id, no label"
        );
        assert_eq!(
            display_path(&path(&[key("spec"), key("bucket")]), &document),
            "spec.bucket"
        );
    }

    #[test]
    fn close_misspellings_get_a_suggestion_and_far_ones_do_not() {
        let fields = ["prefix", "tags", "storageClass", "period"];
        assert_eq!(
            did_you_mean("prefx", fields).as_deref(),
            Some("did you mean `prefix`?")
        );
        assert_eq!(
            did_you_mean("storageclass", fields).as_deref(),
            Some("did you mean `storageClass`?")
        );
        assert_eq!(
            did_you_mean("prnue", ["prune", "region"]).as_deref(),
            Some("did you mean `prune`?")
        );
        assert_eq!(did_you_mean("bananas", fields), None);
    }
}
