//! Bucket-name patterns: `*` matches any run of characters (none included), `?` exactly one;
//! every other character stands for itself. Nothing more (no classes, no braces, no escapes):
//! bucket names hold none of those characters, so a pattern reads the same to everyone.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A checked bucket-name pattern.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Glob(String);

/// Why a pattern is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GlobError {
    /// The pattern is the empty string.
    #[error("a bucket-name pattern may not be empty (use `*` for every bucket)")]
    Empty,
    /// The pattern holds a character of richer glob syntax (`[`, `]`, `{`, `}`, `\`).
    #[error(
        "bucket-name pattern `{pattern}` has `{found}`, which is not a wildcard here: only `*` \
         (any run of characters) and `?` (one character) are"
    )]
    Unsupported {
        /// The pattern as written.
        pattern: String,
        /// Its first unsupported character.
        found: char,
    },
}

impl Glob {
    /// The pattern `text`.
    ///
    /// # Errors
    /// An empty pattern, or one with the syntax of richer globs (`[`, `]`, `{`, `}`, `\`),
    /// which would silently match only itself here.
    pub fn new(text: &str) -> Result<Glob, GlobError> {
        if text.is_empty() {
            return Err(GlobError::Empty);
        }
        if let Some(found) = text.chars().find(|c| "[]{}\\".contains(*c)) {
            return Err(GlobError::Unsupported {
                pattern: text.to_string(),
                found,
            });
        }
        Ok(Glob(text.to_string()))
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The characters every matching name starts with (up to the first wildcard).
    pub(crate) fn literal_prefix(&self) -> &str {
        let end = self.0.find(['*', '?']).unwrap_or(self.0.len());
        &self.0[..end]
    }

    /// True when `name` matches the whole pattern. Linear in `name` per `*` backtrack, never
    /// exponential: the last `*` seen is the only one retried.
    pub fn matches(&self, name: &str) -> bool {
        let pattern: Vec<char> = self.0.chars().collect();
        let name: Vec<char> = name.chars().collect();
        let (mut p, mut n) = (0, 0);
        // Where the last `*` was, and the name position it currently stands for up to.
        let mut star: Option<(usize, usize)> = None;
        while n < name.len() {
            match pattern.get(p) {
                Some('*') => {
                    star = Some((p, n));
                    p += 1;
                }
                Some('?') => {
                    p += 1;
                    n += 1;
                }
                Some(c) if *c == name[n] => {
                    p += 1;
                    n += 1;
                }
                _ => match star {
                    Some((sp, sn)) => {
                        star = Some((sp, sn + 1));
                        p = sp + 1;
                        n = sn + 1;
                    }
                    None => return false,
                },
            }
        }
        pattern[p..].iter().all(|c| *c == '*')
    }
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Glob {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Glob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Glob::new(&text).map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Glob {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "BucketNameGlob".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "minLength": 1,
            "pattern": "^[^\\[\\]{}\\\\]+$",
            "description": "A bucket-name pattern: `*` matches any run of characters, `?` one."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(text: &str) -> Glob {
        Glob::new(text).unwrap()
    }

    #[test]
    fn star_matches_any_run_and_question_mark_one_character() {
        let cases = [
            ("*", "", true),
            ("*", "logs", true),
            ("logs-*", "logs-", true),
            ("logs-*", "logs-prod-1", true),
            ("logs-*", "data-logs-1", false),
            ("*-prod", "app-prod", true),
            ("*-prod", "app-prod-2", false),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyy", false),
            ("b-??", "b-01", true),
            ("b-??", "b-1", false),
            ("b-??", "b-123", false),
            ("exact", "exact", true),
            ("exact", "exactly", false),
            ("*a*a*a*a*b", &"a".repeat(60), false),
        ];
        for (pattern, name, expected) in cases {
            assert_eq!(glob(pattern).matches(name), expected, "{pattern} ~ {name}");
        }
    }

    #[test]
    fn empty_patterns_and_richer_glob_syntax_are_refused_with_the_character() {
        assert_eq!(Glob::new(""), Err(GlobError::Empty));
        let err = Glob::new("logs-[0-9]").unwrap_err();
        assert!(err.to_string().contains("`[`"), "{err}");
        assert!(Glob::new("{a,b}").is_err());
    }

    /// The definition, written the obvious (exponential) way, for small inputs only.
    fn reference(pattern: &[char], name: &[char]) -> bool {
        match pattern.split_first() {
            None => name.is_empty(),
            Some(('*', rest)) => (0..=name.len()).any(|skip| reference(rest, &name[skip..])),
            Some(('?', rest)) => !name.is_empty() && reference(rest, &name[1..]),
            Some((c, rest)) => name.first() == Some(c) && reference(rest, &name[1..]),
        }
    }

    proptest::proptest! {
        #[test]
        fn matching_agrees_with_the_definition(
            pattern in "[ab*?-]{1,8}",
            name in "[ab-]{0,10}",
        ) {
            let chars = |s: &str| s.chars().collect::<Vec<_>>();
            proptest::prop_assert_eq!(
                glob(&pattern).matches(&name),
                reference(&chars(&pattern), &chars(&name))
            );
        }
    }

    #[test]
    fn the_literal_prefix_ends_at_the_first_wildcard() {
        assert_eq!(glob("logs-*-eu").literal_prefix(), "logs-");
        assert_eq!(glob("b-?").literal_prefix(), "b-");
        assert_eq!(glob("*").literal_prefix(), "");
        assert_eq!(glob("exact").literal_prefix(), "exact");
    }
}
