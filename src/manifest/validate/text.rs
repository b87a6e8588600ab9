//! Control characters in any text of a manifest: refused offline, wherever they are.
//!
//! Prefixes, tag values, ARNs, account ids and names travel into XML bodies, signatures, logs
//! and terminals. A control character there is at best refused by the server after a plan
//! promised a write, at worst a forged log line or a terminal escape. YAML makes them easy to
//! write by accident (`"logs/\n"` in double quotes, a pasted tab), so every string of a
//! document is checked, including fields added later.

use serde_json::Value;

use crate::manifest::diagnostic::FieldError;
use crate::manifest::lines::FieldPath;

/// Reports every string below `value` that contains a control character (Unicode category Cc:
/// C0, DEL and C1). `id` fields are left to [`super::check_id`], whose charset rule already
/// refuses them.
pub(crate) fn check_control_characters(
    value: &Value,
    path: &FieldPath,
    errors: &mut Vec<FieldError>,
) {
    check_below(value, path, &mut Vec::new(), errors);
}

/// One step from `path` down to the value being checked.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// [`check_control_characters`] at `path` followed by `steps`. The path of a value is built only
/// when it is reported: every string of every document is visited, and valid ones are the rule.
fn check_below<'a>(
    value: &'a Value,
    path: &FieldPath,
    steps: &mut Vec<Step<'a>>,
    errors: &mut Vec<FieldError>,
) {
    match value {
        Value::String(text) => {
            // C0 and DEL are single bytes below 0x20 or 0x7F; C1 is encoded as 0xC2 0x80..0x9F.
            // Most strings hold none of these bytes and need no decoding.
            let suspect = text.bytes().any(|b| b < 0x20 || b == 0x7F || b == 0xC2);
            let found = if suspect {
                text.chars().find(|c| c.is_control())
            } else {
                None
            };
            if let Some(bad) = found {
                let at = steps.iter().fold(path.clone(), |at, step| match step {
                    Step::Key(key) => at.key(key.to_string()),
                    Step::Index(i) => at.index(*i),
                });
                errors.push(
                    FieldError::new(
                        at,
                        format!(
                            "`{}` contains the control character U+{:04X}",
                            text.escape_debug(),
                            u32::from(bad)
                        ),
                    )
                    .hint(
                        "remove it; in double-quoted YAML, escapes such as \\n and \\t are control characters",
                    ),
                );
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                steps.push(Step::Index(i));
                check_below(item, path, steps, errors);
                steps.pop();
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter().filter(|(key, _)| key.as_str() != "id") {
                steps.push(Step::Key(key));
                check_below(item, path, steps, errors);
                steps.pop();
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(value: Value) -> Vec<String> {
        let mut errors = Vec::new();
        check_control_characters(&value, &FieldPath::root(), &mut errors);
        errors
            .into_iter()
            .map(|e| format!("{}: {}", e.path, e.message))
            .collect()
    }

    #[test]
    fn control_characters_anywhere_are_reported_with_their_path_escaped() {
        let value = serde_json::json!({
            "metadata": {"name": "ok"},
            "spec": {"inventories": [
                {"id": "skipped\u{7}", "filter": {"prefix": "logs/\n"}},
                {"filter": {"tags": [{"key": "k", "value": "a\u{1b}[31mred"}]},
                 "destination": {"prefix": "x\u{85}", "bucket": "tab\there"}}
            ]}
        });
        assert_eq!(
            problems(value),
            [
                "spec.inventories[0].filter.prefix: `logs/\\n` contains the control character U+000A",
                "spec.inventories[1].destination.bucket: `tab\\there` contains the control character U+0009",
                "spec.inventories[1].destination.prefix: `x\\u{85}` contains the control character U+0085",
                "spec.inventories[1].filter.tags[0].value: `a\\u{1b}[31mred` contains the control character U+001B",
            ]
        );
    }

    #[test]
    fn ordinary_unicode_text_passes() {
        assert!(problems(serde_json::json!({"prefix": "日志/ü space/"})).is_empty());
    }
}
