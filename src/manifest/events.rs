//! The plain manifest file read straight from the YAML parser's events, without serde.
//!
//! Most manifest files use a small part of YAML: mappings, sequences, words, quoted strings and
//! decimal integers. For those, building the value directly from granit-parser's events (the
//! parser serde-saphyr is built on) costs little more than parsing; going through serde-saphyr
//! costs about as much again. Anything outside that part (anchors, aliases, tags, merge keys,
//! floats, YAML 1.1 booleans, any syntax error, any limit approached) makes [`parse_documents`]
//! give up, and the file is read by serde-saphyr instead ([`super::bare`]), which stays the one
//! definition of what a manifest file means: values built here are exactly the values it
//! builds, which the tests check file by file.

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
            Event::Scalar(text, style, 0, None) => scalar(&text, style),
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
                loop {
                    let (key, key_line) = match self.next()? {
                        (Event::MappingEnd, _) => break,
                        (Event::Scalar(text, style, 0, None), key_line) => {
                            self.nodes += 1;
                            (
                                key_name::<serde_json::Error>(scalar(&text, style)?).ok()?,
                                key_line,
                            )
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
                Some(Value::Object(map))
            }
            _ => None,
        }
    }
}

/// The value of a scalar without tag or anchor, when it is one this reading is sure of.
fn scalar(text: &str, style: ScalarStyle) -> Option<Value> {
    if !matches!(style, ScalarStyle::Plain) {
        // Quoted and block scalars are strings whatever they look like.
        return Some(Value::String(text.to_string()));
    }
    let bytes = text.as_bytes();
    match bytes.first() {
        // An empty value comes as `~`.
        None => Some(Value::Null),
        Some(b'~') if text.len() == 1 => Some(Value::Null),
        Some(b) if b.is_ascii_alphabetic() => {
            // Words YAML may read as something else (null, booleans of 1.1 and 1.2, float
            // spellings Rust accepts) are left to serde-saphyr.
            const SPECIAL: &[&str] = &[
                "null", "true", "false", "y", "yes", "n", "no", "on", "off", "inf", "infinity",
                "nan",
            ];
            let special = text.len() <= 8 && SPECIAL.iter().any(|w| w.eq_ignore_ascii_case(text));
            (!special).then(|| Value::String(text.to_string()))
        }
        Some(b'-') => decimal(&text[1..])
            .and_then(|n| 0i64.checked_sub_unsigned(n))
            .map(Value::from),
        Some(_) => decimal(text).map(Value::from),
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
    fn words_quoted_strings_and_decimals_are_read_and_the_rest_is_left_to_serde_saphyr() {
        let text =
            "a: Daily\nb: \"yes\"\nc: 1250000000\nd: -3\ne: 'x'\nf:\ng: [Size, ETag]\nh: ~\n";
        let docs = parse_documents(text).unwrap();
        assert_eq!(
            docs[0].value,
            serde_json::json!({
                "a": "Daily", "b": "yes", "c": 1250000000u64, "d": -3, "e": "x", "f": null,
                "g": ["Size", "ETag"], "h": null
            })
        );
        for unsure in [
            "a: yes\n",
            "a: 1.5\n",
            "a: 0x1F\n",
            "a: 017\n",
            "a: null\n",
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
