//! Reading JSON policy documents the way the services' evaluators do: keys matched without
//! regard to case, values that are a string or a list of strings, `*` and `?` wildcards. Pure.
//! The provider folders build their grant rules from these.

// The JSON reading is the client's (`provider::kit::policy`); the emulator's own grant rules,
// written from the vendors' documentation, decide what it means.
pub(crate) use crate::provider::kit::policy::{effect, field, statements, strings, wildcard};

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
    use serde_json::Value;

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
