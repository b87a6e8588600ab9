//! Reading JSON policy documents the way the services' evaluators do: keys matched without
//! regard to case, values that are a string or a list of strings, `*` and `?` wildcards. Pure.
//! The provider folders build their grant rules from these.

use serde_json::Value;

/// The statements of a policy document (`Statement` as an object or a list).
pub(crate) fn statements(policy: &Value) -> Vec<&Value> {
    match field(policy, "Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    }
}

/// The value of `name` in an object, matched without regard to case.
pub(crate) fn field<'v>(value: &'v Value, name: &str) -> Option<&'v Value> {
    value
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// A string or a list of strings, as a list; anything else is empty.
pub(crate) fn strings(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The statement's effect, lower-cased (`allow`, `deny`).
pub(crate) fn effect(statement: &Value) -> String {
    field(statement, "Effect")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// True when `pattern` (with `*` for any run and `?` for one character) matches `text`.
pub(crate) fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            pi += 1;
            mark = ti;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// True when any of `patterns` matches `text` (case-insensitively when `fold`).
pub(crate) fn any_matches(patterns: &[&str], text: &str, fold: bool) -> bool {
    patterns.iter().any(|p| {
        if fold {
            wildcard(&p.to_ascii_lowercase(), &text.to_ascii_lowercase())
        } else {
            wildcard(p, text)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_runs_and_single_characters() {
        assert!(wildcard(
            "arn:aws:s3:::dest/*",
            "arn:aws:s3:::dest/a/b.json"
        ));
        assert!(wildcard("a?c", "abc"));
        assert!(!wildcard("arn:aws:s3:::dest/x/*", "arn:aws:s3:::dest/y/z"));
        assert!(wildcard("*", ""));
    }

    #[test]
    fn a_single_statement_object_counts_as_a_list_of_one() {
        let policy: Value = serde_json::json!({"statement": {"Effect": "Allow"}});
        assert_eq!(statements(&policy).len(), 1);
        assert_eq!(effect(statements(&policy)[0]), "allow");
    }
}
