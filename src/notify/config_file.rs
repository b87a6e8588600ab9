//! The `--notify-config` YAML file read into its raw form, with errors that name the line and
//! the field but never a value, since the file holds webhook URLs and their tokens.

use std::path::PathBuf;

use serde::Deserialize;

use super::kinds::{EventKind, Format};
use crate::manifest::collect;
use crate::manifest::diagnostic::FieldError;
use crate::manifest::lines::{self, FieldPath, LinedDocument, Segment};

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    rename_all = "camelCase",
    expecting = "a mapping with `webhooks` and `dedupWindow`"
)]
pub(super) struct FileConfig {
    #[serde(default)]
    pub(super) dedup_window: Option<String>,
    #[serde(default)]
    pub(super) webhooks: Vec<FileWebhook>,
}

/// One `webhooks` entry as written.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    rename_all = "camelCase",
    expecting = "a mapping with `url` or `urlFile` and optionally `name`, `format`, `events`"
)]
pub(super) struct FileWebhook {
    #[serde(default)]
    pub(super) name: Option<String>,
    #[serde(default)]
    pub(super) url: Option<String>,
    /// A file holding the URL (a mounted secret), read at start.
    #[serde(default)]
    pub(super) url_file: Option<PathBuf>,
    #[serde(default)]
    pub(super) format: Option<Format>,
    #[serde(default)]
    pub(super) events: Option<Vec<EventKind>>,
}

/// Parses the text of the file; an empty file configures nothing.
///
/// # Errors
/// Every problem in line order, separated by `; `, each as `line N: FIELD: PROBLEM (hint: …)`.
/// No scalar of the file is quoted: the YAML parser's source snippet is never rendered, the
/// value a type or enum error quotes is cut out, and a mapping key is shown only when it looks
/// like a field name.
pub(super) fn parse(text: &str) -> Result<FileConfig, String> {
    let documents = lines::parse_documents(text).map_err(|e| {
        let message = without_values(&e.message);
        let message = match e.limit_hint {
            Some(hint) => format!("{message} (hint: {hint})"),
            None => format!("invalid YAML: {message}"),
        };
        match e.line {
            Some(line) => format!("line {line}: {message}"),
            None => message,
        }
    })?;
    let document = match documents.as_slice() {
        [] => return Ok(FileConfig::default()),
        [document] => document,
        more => {
            return Err(format!(
                "holds {} YAML documents; put everything in one",
                more.len()
            ));
        }
    };
    collect::deserialize(&document.value, &FieldPath::root()).map_err(|mut errors| {
        errors.sort_by_key(|e| document.line_of(&e.path));
        errors
            .iter()
            .map(|e| describe(document, e))
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// `line N: FIELD: PROBLEM (hint: …)` for one error, without any value of the file.
fn describe(document: &LinedDocument, error: &FieldError) -> String {
    let mut text = match document.line_of(&error.path) {
        Some(line) => format!("line {line}: "),
        None => String::new(),
    };
    if !error.path.0.is_empty() {
        text.push_str(&shown_path(&error.path));
        text.push_str(": ");
    }
    text.push_str(&without_values(&error.message));
    if let Some(hint) = &error.hint {
        text.push_str(&format!(" (hint: {})", without_values(hint)));
    }
    text
}

/// `webhooks[0].format`, with any key that does not look like a field name shown as `?`: a
/// URL written where a key belongs must not be printed.
fn shown_path(path: &FieldPath) -> String {
    let mut shown = String::new();
    for segment in &path.0 {
        match segment {
            Segment::Key(key) => {
                if !shown.is_empty() {
                    shown.push('.');
                }
                let field_like = !key.is_empty()
                    && key.len() <= 32
                    && key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
                shown.push_str(if field_like { key } else { "?" });
            }
            Segment::Index(index) => shown.push_str(&format!("[{index}]")),
        }
    }
    shown
}

/// `message` with every quoted span (`` `…` `` or `"…"`) before the first `expected` / `is not
/// one of` removed: serde and the YAML parser quote the offending input there, while what
/// follows lists what the schema allows.
fn without_values(message: &str) -> String {
    let cut = [
        "expected",
        "is not one of",
        "did you mean",
        "allowed fields",
    ]
    .iter()
    .filter_map(|word| message.find(word))
    .min()
    .unwrap_or(message.len());
    let (head, tail) = message.split_at(cut);
    let mut kept = String::with_capacity(message.len());
    let mut quote = None;
    for c in head.chars() {
        match quote {
            Some(open) if c == open => quote = None,
            Some(_) => {}
            None if c == '`' || c == '"' => quote = Some(c),
            None => kept.push(c),
        }
    }
    let kept = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    let kept = kept.replace(" ,", ",");
    match (kept.is_empty(), tail.is_empty()) {
        (true, _) => tail.to_string(),
        (false, true) => kept,
        (false, false) => format!("{kept} {tail}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://hooks.slack.com/services/T00/B00/XXXXSECRETXXXX";

    fn error(text: &str) -> String {
        let error = parse(text).unwrap_err();
        assert!(!error.contains("XXXXSECRETXXXX"), "{error}");
        assert!(!error.contains("hooks.slack.com"), "{error}");
        error
    }

    #[test]
    fn a_valid_file_and_an_empty_one_parse() {
        let config = parse(&format!("webhooks:\n  - url: {URL}\n    format: slack\n")).unwrap();
        assert_eq!(config.webhooks[0].format, Some(Format::Slack));
        assert!(parse("").unwrap().webhooks.is_empty());
    }

    #[test]
    fn an_unknown_key_names_its_line_and_field_and_suggests_the_right_one() {
        let got = error(&format!("webhooks:\n  - url: {URL}\n    fromat: slack\n"));
        assert_eq!(
            got,
            "line 3: webhooks[0].fromat: unknown field (hint: did you mean `format`?)"
        );
    }

    #[test]
    fn a_bad_format_lists_the_formats_without_the_value() {
        let got = error(&format!("webhooks:\n  - url: x\n    format: {URL}\n"));
        assert!(got.starts_with("line 3: webhooks[0].format: "), "{got}");
        assert!(got.contains("`slack`"), "{got}");
    }

    #[test]
    fn a_url_where_a_mapping_belongs_is_described_by_its_type_only() {
        let got = error(&format!("webhooks:\n  - {URL}\n"));
        assert!(
            got.starts_with("line 2: webhooks[0]: invalid type: string"),
            "{got}"
        );
        let got = error(&format!("webhooks: {URL}\n"));
        assert!(got.starts_with("line 1: webhooks: invalid type"), "{got}");
    }

    #[test]
    fn a_url_written_as_a_key_is_not_shown() {
        let got = error(&format!("webhooks:\n  - url: x\n    {URL}: slack\n"));
        assert!(got.contains("webhooks[0].?: unknown field"), "{got}");
    }

    #[test]
    fn a_syntax_error_names_the_line_without_a_snippet() {
        let got = error(&format!(
            "webhooks:\n  - url: {URL}\n   format: [slack\n  - url: {URL}\n"
        ));
        assert!(got.starts_with("line "), "{got}");
        assert!(got.contains("invalid YAML"), "{got}");
        let got = error(&format!("webhooks:\n  - url: {URL}\n    url: {URL}\n"));
        assert!(got.contains("line 3"), "{got}");
    }

    #[test]
    fn quoted_values_go_and_what_the_schema_allows_stays() {
        assert_eq!(
            without_values("invalid type: string \"https://x/T\", expected a sequence"),
            "invalid type: string, expected a sequence"
        );
        assert_eq!(
            without_values("`https://x/T` is not one of `json`, `slack`"),
            "is not one of `json`, `slack`"
        );
        assert_eq!(
            without_values("duplicate mapping key `https://x/T`"),
            "duplicate mapping key"
        );
    }
}
