//! Bucket tags on the wire: the `Tagging/TagSet/Tag(Key, Value)` body every provider uses,
//! checked against one provider's limits, and the document GET answers with. Pure.

use std::collections::BTreeMap;

use super::errors::element;
use super::xmltree::{Element, Node};

/// How a provider measures a tag's key and value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Length {
    /// Unicode characters.
    Chars,
    /// UTF-8 bytes.
    Bytes,
}

/// One provider's limits on a bucket's tags.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TagRules {
    /// Most tags on one bucket.
    pub(crate) max_tags: usize,
    /// Longest key (keys are never empty).
    pub(crate) max_key: usize,
    /// Longest value (values may be empty).
    pub(crate) max_value: usize,
    pub length: Length,
    /// Key prefixes the provider keeps for itself, compared case-insensitively.
    pub(crate) reserved_prefixes: &'static [&'static str],
    /// The characters keys and values may hold, when the provider restricts them.
    pub allowed: Option<fn(char) -> bool>,
}

/// Why a tagging body was refused; each provider words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TagFault {
    /// Not well-formed, or not `Tagging/TagSet/Tag` with one `Key` and one `Value` each.
    Malformed,
    /// More tags than [`TagRules::max_tags`].
    TooMany,
    /// The same key twice.
    DuplicateKey(String),
    /// An empty or too long key, or one with a character the provider refuses.
    InvalidKey(String),
    /// A too long value, or one with a character the provider refuses.
    InvalidValue(String),
    /// A key with a reserved prefix.
    ReservedKey(String),
}

/// The tags a PUT body sets, checked against `rules`.
///
/// # Errors
/// The first [`TagFault`] found: the structure first, then the count, then each tag in order.
pub(super) fn parse(body: &[u8], rules: &TagRules) -> Result<BTreeMap<String, String>, TagFault> {
    let root = Element::parse(body).map_err(|_| TagFault::Malformed)?;
    let tag_set = match only_elements(&root)?.as_slice() {
        [tag_set] if root.name == "Tagging" && tag_set.name == "TagSet" => *tag_set,
        _ => return Err(TagFault::Malformed),
    };
    let mut pairs = Vec::new();
    for tag in only_elements(tag_set)? {
        if tag.name != "Tag" {
            return Err(TagFault::Malformed);
        }
        let children = only_elements(tag)?;
        let text = |name: &str| match children.iter().filter(|e| e.name == name).count() {
            1 => tag
                .child(name)
                .map(Element::text)
                .ok_or(TagFault::Malformed),
            _ => Err(TagFault::Malformed),
        };
        if children.len() != 2 {
            return Err(TagFault::Malformed);
        }
        pairs.push((text("Key")?, text("Value")?));
    }
    if pairs.len() > rules.max_tags {
        return Err(TagFault::TooMany);
    }
    let mut tags = BTreeMap::new();
    for (key, value) in pairs {
        check(&key, &value, rules)?;
        if tags.insert(key.clone(), value).is_some() {
            return Err(TagFault::DuplicateKey(key));
        }
    }
    Ok(tags)
}

fn only_elements(parent: &Element) -> Result<Vec<&Element>, TagFault> {
    let mut elements = Vec::new();
    for node in &parent.children {
        match node {
            Node::Element(e) => elements.push(e),
            Node::Text(t) if t.trim().is_empty() => {}
            Node::Text(_) => return Err(TagFault::Malformed),
        }
    }
    Ok(elements)
}

fn check(key: &str, value: &str, rules: &TagRules) -> Result<(), TagFault> {
    let len = |s: &str| match rules.length {
        Length::Chars => s.chars().count(),
        Length::Bytes => s.len(),
    };
    let allowed = |s: &str| rules.allowed.is_none_or(|ok| s.chars().all(ok));
    if key.is_empty() || len(key) > rules.max_key || !allowed(key) {
        return Err(TagFault::InvalidKey(key.to_string()));
    }
    let lower = key.to_lowercase();
    if rules
        .reserved_prefixes
        .iter()
        .any(|p| lower.starts_with(&p.to_lowercase()))
    {
        return Err(TagFault::ReservedKey(key.to_string()));
    }
    if len(value) > rules.max_value || !allowed(value) {
        return Err(TagFault::InvalidValue(value.to_string()));
    }
    Ok(())
}

/// The GET answer for `tags`: the declaration, then `Tagging` (with `namespace` as its
/// `xmlns` when given) holding a `TagSet` with one `Tag` per key, in key order.
pub(super) fn document(tags: &BTreeMap<String, String>, namespace: Option<&str>) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    match namespace {
        Some(ns) => out.push_str(&format!("<Tagging xmlns=\"{ns}\">")),
        None => out.push_str("<Tagging>"),
    }
    out.push_str("<TagSet>");
    for (key, value) in tags {
        out.push_str("<Tag>");
        element(&mut out, "Key", key);
        element(&mut out, "Value", value);
        out.push_str("</Tag>");
    }
    out.push_str("</TagSet></Tagging>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: TagRules = TagRules {
        max_tags: 2,
        max_key: 4,
        max_value: 3,
        length: Length::Chars,
        reserved_prefixes: &["aws:"],
        allowed: None,
    };

    fn body(tags: &[(&str, &str)]) -> Vec<u8> {
        let mut out = String::from("<Tagging><TagSet>");
        for (k, v) in tags {
            out.push_str(&format!("<Tag><Key>{k}</Key><Value>{v}</Value></Tag>"));
        }
        out.push_str("</TagSet></Tagging>");
        out.into_bytes()
    }

    #[test]
    fn a_tag_set_round_trips_through_the_document() {
        let tags = parse(&body(&[("b", "2"), ("a", "")]), &RULES).unwrap();
        assert_eq!(tags.len(), 2);
        let doc = document(&tags, None);
        let back = doc.split_once('\n').unwrap().1;
        assert_eq!(parse(back.as_bytes(), &RULES), Ok(tags));
        assert!(back.starts_with("<Tagging><TagSet><Tag><Key>a</Key><Value></Value>"));
    }

    #[test]
    fn limits_and_structure_are_enforced() {
        let fault = |tags: &[(&str, &str)]| parse(&body(tags), &RULES).unwrap_err();
        assert_eq!(
            fault(&[("a", "1"), ("b", "2"), ("c", "3")]),
            TagFault::TooMany
        );
        assert_eq!(
            fault(&[("a", "1"), ("a", "2")]),
            TagFault::DuplicateKey("a".into())
        );
        assert_eq!(
            fault(&[("abcde", "1")]),
            TagFault::InvalidKey("abcde".into())
        );
        assert_eq!(fault(&[("", "1")]), TagFault::InvalidKey(String::new()));
        assert_eq!(
            fault(&[("a", "1234")]),
            TagFault::InvalidValue("1234".into())
        );
        assert_eq!(
            fault(&[("AWS:", "1")]),
            TagFault::ReservedKey("AWS:".into())
        );
        for bad in [
            "<Tagging/>",
            "<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>",
            "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value><X/></Tag></TagSet></Tagging>",
            "<Other><TagSet/></Other>",
            "not xml",
        ] {
            assert_eq!(
                parse(bad.as_bytes(), &RULES),
                Err(TagFault::Malformed),
                "{bad}"
            );
        }
        assert_eq!(
            parse(b"<Tagging><TagSet/></Tagging>", &RULES),
            Ok(BTreeMap::new())
        );
    }

    #[test]
    fn byte_lengths_count_utf8_bytes() {
        let bytes = TagRules {
            length: Length::Bytes,
            ..RULES
        };
        assert!(parse(&body(&[("éé", "1")]), &RULES).is_ok());
        assert_eq!(
            parse(&body(&[("ééé", "1")]), &bytes),
            Err(TagFault::InvalidKey("ééé".into()))
        );
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_tagging_body_is_read_or_refused_without_panicking(
            bytes in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            let _ = parse(&bytes, &RULES);
        }

        #[test]
        fn every_accepted_tag_set_round_trips_through_the_document(
            tags in proptest::collection::btree_map("[a-z]{1,4}", "[a-z0-9 ]{0,3}", 0..3),
        ) {
            let doc = document(&tags, Some("urn:x"));
            let body = doc.split_once('\n').unwrap().1;
            prop_assert_eq!(parse(body.as_bytes(), &RULES), Ok(tags));
        }
    }
}
