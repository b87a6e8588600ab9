//! A minimal XML element tree: how the emulator stores a configuration (so that GET answers
//! with exactly the elements, element order and filter shape the client PUT), and how the
//! clients find the elements of a live configuration their model does not know.
//!
//! Schema validation is not done here; the wire types and conversions check bodies. This
//! module only guarantees well-formedness, a depth of at most [`MAX_DEPTH`] elements and a
//! compact, namespace-free re-serialization.

use std::fmt::Write as _;

use quick_xml::Reader;
use quick_xml::escape::{escape, unescape};
use quick_xml::events::Event;

pub use super::xml_depth::MAX_DEPTH;
use super::xml_depth::TooDeep;

/// One element: local name (namespace prefix and attributes dropped) and children.
///
/// Building, serializing, comparing and dropping a tree recurse once per level. A parsed tree
/// is at most [`MAX_DEPTH`] deep ([`Element::parse`] refuses deeper bodies before anything is
/// built), and code building trees by hand builds the few levels of an inventory document, so
/// that recursion is bounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// The local name, e.g. `Id` for `<ns:Id>`.
    pub name: String,
    pub(crate) children: Vec<Node>,
}

/// A child of an element. Whitespace-only text between elements is not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    Element(Element),
    Text(String),
}

/// Why a body is not well-formed XML.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum XmlTreeError {
    /// Bytes that are not UTF-8.
    #[error("body is not UTF-8")]
    NotUtf8,
    /// Not well-formed; carries the XML reader's account of the fault.
    #[error("not well-formed XML: {0}")]
    Syntax(String),
    /// Nothing but a declaration, comments or whitespace.
    #[error("no root element")]
    NoRoot,
    /// An element or text after the root element closed.
    #[error("content after the root element")]
    TrailingContent,
    /// Nested deeper than [`MAX_DEPTH`]; refused before any tree is built.
    #[error(transparent)]
    TooDeep(#[from] TooDeep),
}

impl Element {
    /// An element with no children.
    pub fn new(name: impl Into<String>) -> Self {
        Element {
            name: name.into(),
            children: Vec::new(),
        }
    }

    /// An element holding only `text`.
    pub(crate) fn with_text(name: impl Into<String>, text: impl Into<String>) -> Self {
        Element {
            name: name.into(),
            children: vec![Node::Text(text.into())],
        }
    }

    /// Parses a document: optional declaration, one root element, nothing after it.
    ///
    /// # Errors
    /// [`XmlTreeError::TooDeep`] as soon as an element would be nested deeper than
    /// [`MAX_DEPTH`], before the tree grows past that depth; the other variants for bodies
    /// that are not well-formed.
    pub fn parse(body: &[u8]) -> Result<Element, XmlTreeError> {
        let text = std::str::from_utf8(body).map_err(|_| XmlTreeError::NotUtf8)?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = Reader::from_str(text);
        reader.config_mut().check_end_names = true;
        let mut stack: Vec<Element> = Vec::new();
        let mut root: Option<Element> = None;
        loop {
            let event = reader
                .read_event()
                .map_err(|e| XmlTreeError::Syntax(e.to_string()))?;
            match event {
                Event::Start(start) => {
                    if root.is_some() {
                        return Err(XmlTreeError::TrailingContent);
                    }
                    if stack.len() >= MAX_DEPTH {
                        return Err(TooDeep.into());
                    }
                    stack.push(Element::new(local(start.name().as_ref())));
                }
                Event::Empty(start) => {
                    if root.is_some() {
                        return Err(XmlTreeError::TrailingContent);
                    }
                    if stack.len() >= MAX_DEPTH {
                        return Err(TooDeep.into());
                    }
                    let element = Element::new(local(start.name().as_ref()));
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(Node::Element(element)),
                        None => root = Some(element),
                    }
                }
                Event::End(_) => {
                    let mut element = stack
                        .pop()
                        .ok_or_else(|| XmlTreeError::Syntax("unmatched end tag".into()))?;
                    element.drop_blank_text();
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(Node::Element(element)),
                        None => root = Some(element),
                    }
                }
                Event::Text(t) => push_text(&mut stack, &root, &t.xml10_content())?,
                Event::CData(c) => {
                    let content = c.into_inner().into_owned();
                    push_text(&mut stack, &root, &content)?;
                }
                Event::GeneralRef(r) => {
                    let resolved = unescape(&format!("&{};", r.xml10_content()))
                        .map_err(|e| XmlTreeError::Syntax(e.to_string()))?
                        .into_owned();
                    push_text(&mut stack, &root, &resolved)?;
                }
                Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
                Event::Eof => break,
            }
        }
        if !stack.is_empty() {
            return Err(XmlTreeError::Syntax("unclosed element".into()));
        }
        root.ok_or(XmlTreeError::NoRoot)
    }

    /// The first child element named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find_map(|n| match n {
            Node::Element(e) if e.name == name => Some(e),
            _ => None,
        })
    }

    /// The first child element named `name`, mutably.
    pub(crate) fn child_mut(&mut self, name: &str) -> Option<&mut Element> {
        self.children.iter_mut().find_map(|n| match n {
            Node::Element(e) if e.name == name => Some(e),
            _ => None,
        })
    }

    /// The concatenated text directly inside this element.
    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }

    /// Replaces the content of this element with `text`.
    pub(crate) fn set_text(&mut self, text: impl Into<String>) {
        self.children = vec![Node::Text(text.into())];
    }

    /// Compact serialization without declaration; empty elements as `<Name></Name>`, which is
    /// how the services write `<SSE-COS></SSE-COS>`.
    pub(crate) fn to_xml(&self) -> String {
        let mut out = String::new();
        self.write_into(&mut out);
        out
    }

    /// Appends the compact serialization to `out`.
    pub(crate) fn write_into(&self, out: &mut String) {
        let _ = write!(out, "<{}>", self.name);
        for child in &self.children {
            match child {
                Node::Element(e) => e.write_into(out),
                Node::Text(t) => out.push_str(&escape(t.as_str())),
            }
        }
        let _ = write!(out, "</{}>", self.name);
    }

    /// Whitespace between child elements is layout, not content; inside a leaf it is kept.
    fn drop_blank_text(&mut self) {
        let has_elements = self.children.iter().any(|n| matches!(n, Node::Element(_)));
        if has_elements {
            self.children
                .retain(|n| !matches!(n, Node::Text(t) if t.trim().is_empty()));
        }
    }
}

fn local(qname: &str) -> String {
    qname.rsplit(':').next().unwrap_or(qname).to_string()
}

fn push_text(
    stack: &mut [Element],
    root: &Option<Element>,
    text: &str,
) -> Result<(), XmlTreeError> {
    match stack.last_mut() {
        Some(parent) => {
            // References split one text run into several events; keep them as one node.
            if let Some(Node::Text(previous)) = parent.children.last_mut() {
                previous.push_str(text);
            } else {
                parent.children.push(Node::Text(text.to_string()));
            }
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None if root.is_some() => Err(XmlTreeError::TrailingContent),
        None => Err(XmlTreeError::Syntax("text outside the root element".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_drops_declaration_namespace_and_layout_whitespace() {
        let body = br#"<?xml version="1.0" encoding="utf-8"?>
<InventoryConfiguration xmlns="http://example.com/x">
  <Id>list1</Id>
  <Filter><Prefix> a b </Prefix></Filter>
  <Encryption><SSE-COS/></Encryption>
</InventoryConfiguration>"#;
        let root = Element::parse(body).unwrap();
        assert_eq!(
            root.to_xml(),
            "<InventoryConfiguration><Id>list1</Id><Filter><Prefix> a b </Prefix></Filter>\
             <Encryption><SSE-COS></SSE-COS></Encryption></InventoryConfiguration>"
        );
    }

    #[test]
    fn entities_round_trip_escaped() {
        let root = Element::parse(b"<A><B>x &amp; y &#x3c; z</B></A>").unwrap();
        assert_eq!(root.child("B").unwrap().text(), "x & y < z");
        assert_eq!(root.to_xml(), "<A><B>x &amp; y &lt; z</B></A>");
    }

    #[test]
    fn malformed_documents_are_rejected() {
        assert!(Element::parse(b"<A><B></A>").is_err());
        assert!(Element::parse(b"<A>").is_err());
        assert_eq!(Element::parse(b"").unwrap_err(), XmlTreeError::NoRoot);
        assert!(Element::parse(b"<A/><B/>").is_err());
        assert_eq!(
            Element::parse(b"\xff\xfe").unwrap_err(),
            XmlTreeError::NotUtf8
        );
        assert!(Element::parse(b"not xml").is_err());
    }

    #[test]
    fn nesting_past_the_limit_is_refused_before_any_deep_tree_exists() {
        let nested = |levels: usize, leaf: &str| {
            format!("{}{leaf}{}", "<a>".repeat(levels), "</a>".repeat(levels))
        };
        assert!(Element::parse(nested(MAX_DEPTH, "").as_bytes()).is_ok());
        assert!(Element::parse(nested(MAX_DEPTH - 1, "<b/>").as_bytes()).is_ok());
        for body in [
            nested(MAX_DEPTH + 1, ""),
            nested(MAX_DEPTH, "<b/>"),
            // Deep enough that building, writing or dropping the tree would overflow the stack.
            nested(300_000, "x"),
            "<a>".repeat(300_000),
        ] {
            assert_eq!(
                Element::parse(body.as_bytes()).unwrap_err(),
                XmlTreeError::TooDeep(TooDeep)
            );
        }
        assert_eq!(
            XmlTreeError::TooDeep(TooDeep).to_string(),
            "elements nest more than 64 levels deep, the limit for an XML body"
        );
    }

    use proptest::prelude::*;

    fn tree() -> impl Strategy<Value = Element> {
        let name = "[A-Za-z][A-Za-z0-9-]{0,8}";
        let leaf = (name, "[ -~]{0,12}").prop_map(|(n, t)| {
            // Blank text inside a leaf is kept, but an empty one is no child at all.
            if t.is_empty() {
                Element::new(n)
            } else {
                Element::with_text(n, t)
            }
        });
        leaf.prop_recursive(3, 24, 4, move |inner| {
            (name, prop::collection::vec(inner, 1..4)).prop_map(|(n, children)| Element {
                name: n,
                children: children.into_iter().map(Node::Element).collect(),
            })
        })
    }

    proptest! {
        #[test]
        fn serialized_trees_parse_back_identical(root in tree()) {
            prop_assert_eq!(Element::parse(root.to_xml().as_bytes()).unwrap(), root);
        }

        #[test]
        fn parsing_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = Element::parse(&bytes);
        }
    }
}
