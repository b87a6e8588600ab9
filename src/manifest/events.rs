//! The plain manifest file read straight from the YAML parser's events, without serde.
//!
//! Manifest files as users write them use a small part of YAML: block and flow mappings and
//! sequences, comments, words, booleans, null, quoted and block strings and decimal integers.
//! For those, building the value directly from granit-parser's events (the parser serde-saphyr
//! is built on) costs little more than parsing; going through serde-saphyr costs about as much
//! again. Anything outside that part (anchors, aliases, tags, merge keys, floats, other integer
//! spellings, any syntax error, any limit approached) makes [`parse_documents`] give up, and the file is read by serde-saphyr instead ([`super::bare`]), which stays the one
//! definition of what a manifest file means: values built here are exactly the values it
//! builds, which the tests check file by file.

use std::borrow::Cow;

use granit_parser::{Event, Parser, ScalarStyle};
use serde_json::{Map, Value};
use serde_saphyr::Budget;

use super::lines::{BareDocument, key_name};

/// Every non-empty document of `text`, or `None` when the file needs serde-saphyr.
pub fn parse_documents(text: &str) -> Option<Vec<BareDocument>> {
    let budget = Budget::default();
    // The options serde-saphyr gives the parser for its default budget, so that this reading
    // accepts no file that one refuses.
    let options = granit_parser::options! {
        simple_key_max_lookahead: budget.simple_key_max_lookahead,
        flow_nesting_limit: budget.flow_nesting_limit,
        block_nesting_limit: granit_parser::Options::default()
            .block_nesting_limit
            .max(budget.max_depth.saturating_add(1)),
        emit_comments: true,
        max_buffered_comment_events: budget.max_buffered_comment_events,
    };
    let mut reader = Reader {
        parser: Parser::new_from_str_with_options(text, options),
        events: 0,
        nodes: 0,
        // Stay clear of every limit: near one, serde-saphyr must say which.
        max_events: budget.max_events / 2,
        max_nodes: budget.max_nodes / 2,
        max_depth: budget.max_depth / 2,
    };
    let mut documents = Vec::new();
    let mut count = 0;
    loop {
        match reader.next()? {
            (Event::StreamStart, _) => {}
            (Event::StreamEnd, _) => break,
            (Event::DocumentStart(..), _) => {
                count += 1;
                if count > budget.max_documents / 2 {
                    return None;
                }
                let (event, line) = reader.next()?;
                let mut found = Lines::default();
                let value = reader.node(event, 0, Role::Root, &mut found)?;
                if !matches!(reader.next()?, (Event::DocumentEnd, _)) {
                    return None;
                }
                if !value.is_null() {
                    documents.push(BareDocument {
                        value,
                        line,
                        bucket_line: found.bucket.or(found.spec).unwrap_or(line),
                    });
                }
            }
            _ => return None,
        }
    }
    Some(documents)
}

/// Where in the document a node sits, as far as the lines kept need to know.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Root,
    Spec,
    Other,
}

/// Lines of the `spec` key (in the root) and of the `bucket` key (in `spec`).
#[derive(Default)]
struct Lines {
    spec: Option<usize>,
    bucket: Option<usize>,
}

struct Reader<'a> {
    parser: Parser<'a, granit_parser::StrInput<'a>>,
    events: usize,
    nodes: usize,
    max_events: usize,
    max_nodes: usize,
    max_depth: usize,
}

impl<'a> Reader<'a> {
    /// The next event that is not a comment, with its line.
    fn next(&mut self) -> Option<(Event<'a>, usize)> {
        loop {
            let (event, span) = self.parser.next_event()?.ok()?;
            self.events += 1;
            if self.events > self.max_events {
                return None;
            }
            if !matches!(event, Event::Comment(..)) {
                return Some((event, span.start.line()));
            }
        }
    }

    /// The value of the node that starts with `event`.
    fn node(
        &mut self,
        event: Event<'a>,
        depth: usize,
        role: Role,
        found: &mut Lines,
    ) -> Option<Value> {
        self.nodes += 1;
        if self.nodes > self.max_nodes || depth > self.max_depth {
            return None;
        }
        match event {
            Event::Scalar(text, style, 0, None) => scalar(text, style),
            Event::SequenceStart(_, 0, None) => {
                let mut items = Vec::new();
                loop {
                    match self.next()? {
                        (Event::SequenceEnd, _) => break,
                        (event, _) => {
                            items.push(self.node(event, depth + 1, Role::Other, found)?);
                        }
                    }
                }
                Some(Value::Array(items))
            }
            Event::MappingStart(_, 0, None) => {
                let mut map = Map::new();
                // Plain keys named otherwise than written (`yes` is `true`, `-0` is `0`).
                // serde-saphyr finds repeated keys by their text, not their name: `yes` and
                // `'yes'` are the same key to it, which it refuses.
                let mut renamed: Vec<Cow<'a, str>> = Vec::new();
                loop {
                    let (key, key_line) = match self.next()? {
                        (Event::MappingEnd, _) => break,
                        (Event::Scalar(text, style, 0, None), key_line) => {
                            self.nodes += 1;
                            let value = scalar(text.clone(), style)?;
                            let is_null = value.is_null();
                            let name = key_name::<serde_json::Error>(value).ok()?;
                            // A null key's text counts with its null tag, which no string has.
                            if name != *text && !is_null {
                                renamed.push(text);
                            }
                            (name, key_line)
                        }
                        _ => return None,
                    };
                    let child = match (role, key.as_str()) {
                        (Role::Root, "spec") => {
                            found.spec = Some(key_line);
                            Role::Spec
                        }
                        (Role::Spec, "bucket") => {
                            found.bucket = Some(key_line);
                            Role::Other
                        }
                        _ => Role::Other,
                    };
                    let (event, _) = self.next()?;
                    let value = self.node(event, depth + 1, child, found)?;
                    if map.insert(key, value).is_some() {
                        // A repeated key: serde-saphyr's duplicate-key rules decide.
                        return None;
                    }
                }
                if renamed.iter().any(|text| map.contains_key(&**text)) {
                    return None;
                }
                Some(Value::Object(map))
            }
            _ => None,
        }
    }
}

/// The value of a scalar without tag or anchor, when it is one this reading is sure of.
fn scalar(text: Cow<'_, str>, style: ScalarStyle) -> Option<Value> {
    if !matches!(style, ScalarStyle::Plain) {
        // Quoted and block scalars are strings whatever they look like.
        return Some(Value::String(text.into_owned()));
    }
    match text.as_bytes().first() {
        // An empty value comes as `~`.
        None => Some(Value::Null),
        Some(b'~') if text.len() == 1 => Some(Value::Null),
        Some(b) if b.is_ascii_alphabetic() => word(text),
        Some(b'-') => decimal(&text[1..])
            .and_then(|n| 0i64.checked_sub_unsigned(n))
            .map(Value::from),
        Some(_) => decimal(&text).map(Value::from),
    }
}

/// The value of a plain scalar starting with a letter, as serde-saphyr types it with its
/// default options: `null`, `Null` and `NULL` are null; the booleans of YAML 1.1 in any case
/// (`true`, `yes`, `y`, `on` and `false`, `no`, `n`, `off`, which take in the 1.2 core
/// schema's `true`, `True`, `TRUE`, ...) are booleans; any other word is a string. Other
/// spellings of null and the float words Rust accepts are left to serde-saphyr.
fn word(text: Cow<'_, str>) -> Option<Value> {
    // Every special word starts with one of these letters and is at most 8 long; most words
    // of a manifest are ruled out here.
    let first = text.as_bytes()[0].to_ascii_lowercase();
    if text.len() > 8 || !matches!(first, b't' | b'y' | b'o' | b'f' | b'n' | b'i') {
        return Some(Value::String(text.into_owned()));
    }
    const TRUE: &[&str] = &["true", "yes", "y", "on"];
    const FALSE: &[&str] = &["false", "no", "n", "off"];
    const UNSURE: &[&str] = &["null", "inf", "infinity", "nan"];
    let is = |words: &[&str]| words.iter().any(|w| w.eq_ignore_ascii_case(&text));
    if matches!(&*text, "null" | "Null" | "NULL") {
        Some(Value::Null)
    } else if is(TRUE) {
        Some(Value::Bool(true))
    } else if is(FALSE) {
        Some(Value::Bool(false))
    } else if is(UNSURE) {
        None
    } else {
        Some(Value::String(text.into_owned()))
    }
}

/// Digits without a redundant leading zero that fit a `u64` and an `i64` alike.
fn decimal(digits: &str) -> Option<u64> {
    let ok = !digits.is_empty()
        && digits.len() <= 18
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    ok.then(|| digits.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_booleans_quoted_strings_and_decimals_are_read_and_the_rest_is_left_to_serde_saphyr() {
        let text = "a: Daily\nb: \"yes\"\nc: 1250000000\nd: -3\ne: 'x'\nf:\ng: [Size, ETag]\nh: ~\n\
                    i: true  # on\nj: {k: False, l: NULL}\nm: yes\np: Off\n";
        let docs = parse_documents(text).unwrap();
        assert_eq!(
            docs[0].value,
            serde_json::json!({
                "a": "Daily", "b": "yes", "c": 1250000000u64, "d": -3, "e": "x", "f": null,
                "g": ["Size", "ETag"], "h": null, "i": true, "j": {"k": false, "l": null},
                "m": true, "p": false
            })
        );
        for unsure in [
            "a: 1.5\n",
            "a: 0x1F\n",
            "a: 017\n",
            "a: nULL\n",
            "a: Infinity\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "<<: {a: 1}\n",
            "a: .inf\n",
            "a: NaN\n",
            "a: 1\na: 2\n",
            "a: [1\n",
            "a: 12345678901234567890\n",
        ] {
            assert!(parse_documents(unsure).is_none(), "{unsure}");
        }
    }
}
