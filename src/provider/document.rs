//! Reading provider answers strictly per document and tolerantly per configuration (design §3a).
//!
//! Shared by every provider: a success body must be the documented XML document, with the
//! documented root, complete, or the whole answer is an error (an HTML page, an `<Error>`
//! document, an empty or truncated body never reads as "no configurations"). Inside a good
//! document each configuration is read on its own: one that holds an element or a value the
//! model does not know becomes a [`ForeignConfig`], kept verbatim, and never fails its bucket.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::xml_depth::MAX_DEPTH;
use super::xmltree::{Element, Node, XmlTreeError};
use crate::model::{ForeignConfig, Inventory, LiveConfig, Provider};

/// Why a success body is not the expected document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("the body is empty, not a <{expected}> document")]
    Empty { expected: &'static str },
    #[error("the body is an HTML page, not a <{expected}> document")]
    Html { expected: &'static str },
    #[error("the body is not UTF-8")]
    NotUtf8,
    #[error("the body is not well-formed XML (truncated?): {message}")]
    Syntax { message: String },
    /// Refused before any tree is built: no inventory document comes near the limit.
    #[error(
        "the body nests XML elements more than {MAX_DEPTH} levels deep (the limit for any \
         body), so it is not a <{expected}> document"
    )]
    TooDeep { expected: &'static str },
    #[error("the body is an <Error> document ({code}: {message}), not a <{expected}> document")]
    ErrorDocument {
        expected: &'static str,
        code: String,
        message: String,
    },
    #[error("the body's root element is <{found}>, not <{expected}>")]
    WrongRoot {
        expected: &'static str,
        found: String,
    },
}

/// One child element of a document's root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child<'a> {
    /// Local name (namespace prefix dropped).
    pub name: String,
    /// The element exactly as it appears in the body.
    pub raw: &'a str,
}

impl Child<'_> {
    /// The element's text, trimmed; empty for an element that holds elements.
    pub fn text(&self) -> String {
        Element::parse(self.raw.as_bytes())
            .map(|e| e.text().trim().to_string())
            .unwrap_or_default()
    }
}

/// A checked document: its root is the expected one and it is complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document<'a> {
    /// The root element, verbatim.
    pub raw: &'a str,
    /// Children of the root, in order.
    pub(crate) children: Vec<Child<'a>>,
}

impl<'a> Document<'a> {
    /// Children named `name`, in order.
    pub(crate) fn children_named<'s>(
        &'s self,
        name: &'s str,
    ) -> impl Iterator<Item = &'s Child<'a>> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child named `name`, `None` when there is none or it is
    /// blank.
    pub(crate) fn text_of(&self, name: &str) -> Option<String> {
        self.children_named(name)
            .next()
            .map(Child::text)
            .filter(|t| !t.is_empty())
    }
}

/// Checks that `body` is a complete XML document whose root is `expected`, and splits it into
/// the root's children.
///
/// # Errors
/// Every way a body can fail to be the document: empty, HTML, not UTF-8, not well-formed or
/// truncated, nested deeper than [`MAX_DEPTH`], an `<Error>` document, any other root.
pub fn read_document<'a>(
    body: &'a [u8],
    expected: &'static str,
) -> Result<Document<'a>, BodyError> {
    let text = std::str::from_utf8(body).map_err(|_| BodyError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let start = text.trim_start();
    if start.is_empty() {
        return Err(BodyError::Empty { expected });
    }
    // Fifteen characters, not bytes: a body may hold multi-byte text from its first bytes.
    let head: String = start
        .chars()
        .take(15)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.starts_with("<!doctype html") || head.starts_with("<html") {
        return Err(BodyError::Html { expected });
    }
    let root = Element::parse(text.as_bytes()).map_err(|e| match e {
        XmlTreeError::TooDeep(_) => BodyError::TooDeep { expected },
        e => BodyError::Syntax {
            message: e.to_string(),
        },
    })?;
    if root.name != expected {
        if root.name == "Error" {
            let text_of = |name: &str| root.child(name).map(Element::text).unwrap_or_default();
            return Err(BodyError::ErrorDocument {
                expected,
                code: text_of("Code"),
                message: text_of("Message"),
            });
        }
        if root.name.eq_ignore_ascii_case("html") {
            return Err(BodyError::Html { expected });
        }
        return Err(BodyError::WrongRoot {
            expected,
            found: root.name,
        });
    }
    let (raw, children) = split_root(text).map_err(|message| BodyError::Syntax { message })?;
    Ok(Document { raw, children })
}

/// The root element's verbatim text and its children's, located by byte offsets. The text is
/// already known to be well-formed.
fn split_root(text: &str) -> Result<(&str, Vec<Child<'_>>), String> {
    let mut reader = Reader::from_str(text);
    let mut depth = 0usize;
    let mut root_start = 0;
    let mut child_start = 0;
    let mut child_name = String::new();
    let mut children = Vec::new();
    loop {
        let before = offset(reader.buffer_position());
        let event = reader.read_event().map_err(|e| e.to_string())?;
        let after = offset(reader.buffer_position());
        match event {
            Event::Start(start) => {
                if depth == 0 {
                    root_start = before;
                } else if depth == 1 {
                    child_start = before;
                    child_name = local(start.name().as_ref());
                }
                depth += 1;
            }
            Event::Empty(start) => {
                if depth == 0 {
                    return Ok((&text[before..after], children));
                }
                if depth == 1 {
                    children.push(Child {
                        name: local(start.name().as_ref()),
                        raw: &text[before..after],
                    });
                }
            }
            Event::End(_) => {
                depth -= 1;
                if depth == 1 {
                    children.push(Child {
                        name: std::mem::take(&mut child_name),
                        raw: &text[child_start..after],
                    });
                } else if depth == 0 {
                    return Ok((&text[root_start..after], children));
                }
            }
            Event::Eof => return Err("no root element".into()),
            _ => {}
        }
    }
}

fn offset(position: u64) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}

fn local(qname: &str) -> String {
    qname.rsplit(':').next().unwrap_or(qname).to_string()
}

/// Paths (below the root of `element`) of every element not listed in `known`, in document
/// order without repeats. An unknown element is reported once; its children are not listed.
///
/// `known` holds paths such as `Schedule/Frequency`; a repeated element (`OptionalFields/Field`)
/// is listed once.
pub(crate) fn unknown_elements(element: &Element, known: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    walk(element, "", known, &mut found);
    found
}

fn walk(element: &Element, prefix: &str, known: &[&str], found: &mut Vec<String>) {
    for child in &element.children {
        let Node::Element(child) = child else {
            continue;
        };
        let path = if prefix.is_empty() {
            child.name.clone()
        } else {
            format!("{prefix}/{}", child.name)
        };
        if known.contains(&path.as_str()) {
            walk(child, &path, known, found);
        } else if !found.contains(&path) {
            found.push(path);
        }
    }
}

/// How a provider reads one configuration: its known element paths, and the conversion of the
/// configuration's XML text to the model, failing with the paths it could not express.
pub struct ConfigReader<'k> {
    pub provider: Provider,
    /// Every element path below `InventoryConfiguration` the wire types read.
    pub known: &'k [&'k str],
    /// Wire parse and domain conversion; `Err` carries unmodelled paths such as
    /// `Schedule/Frequency=Hourly` or `IsEnabled (missing)`.
    pub(crate) convert: fn(&str) -> Result<Inventory, Vec<String>>,
}

impl ConfigReader<'_> {
    /// Reads one `<InventoryConfiguration>` element: modelled when every element is known and
    /// the conversion succeeds, else foreign with every path that was not understood.
    ///
    /// # Guarantees
    /// Never fails and never panics; a foreign configuration keeps `raw` verbatim.
    pub fn read(&self, raw: &str) -> LiveConfig {
        let tree = match Element::parse(raw.as_bytes()) {
            Ok(tree) => tree,
            Err(e) => return self.foreign(String::new(), raw, vec![format!("(unreadable: {e})")]),
        };
        let id = tree
            .child("Id")
            .map(|e| e.text().trim().to_string())
            .unwrap_or_default();
        let mut unmodelled = unknown_elements(&tree, self.known);
        match (self.convert)(raw) {
            Ok(inventory) if unmodelled.is_empty() => LiveConfig::Modelled(inventory),
            Ok(_) => self.foreign(id, raw, unmodelled),
            Err(paths) => {
                for path in paths {
                    if !unmodelled.contains(&path) {
                        unmodelled.push(path);
                    }
                }
                self.foreign(id, raw, unmodelled)
            }
        }
    }

    fn foreign(&self, id: String, raw: &str, mut unmodelled: Vec<String>) -> LiveConfig {
        if unmodelled.is_empty() {
            unmodelled.push("(unreadable)".to_string());
        }
        unmodelled.sort();
        LiveConfig::Foreign(ForeignConfig {
            provider: self.provider,
            id,
            raw_xml: raw.to_string(),
            unmodelled,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = "ListInventoryConfigurationsResult";

    #[test]
    fn a_body_with_multi_byte_text_at_its_start_is_a_syntax_error_not_a_panic() {
        let body = "<a>ééééééééééééé</a>".as_bytes();
        assert!(read_document(&body[1..], "InventoryConfiguration").is_err());
        assert!(read_document("éééééééééééééééé".as_bytes(), "X").is_err());
    }

    #[test]
    fn bodies_that_are_not_the_document_are_errors() {
        let cases: [(&[u8], &str); 7] = [
            (b"", "empty"),
            (b"  \n", "empty"),
            (
                b"<!DOCTYPE html><html><body>maintenance</body></html>",
                "HTML",
            ),
            (b"<html><body><p>busy</p></body></html>", "HTML"),
            (
                b"<Error><Code>AccessDenied</Code><Message>no</Message></Error>",
                "<Error> document (AccessDenied: no)",
            ),
            (b"<Other/>", "root element is <Other>"),
            (
                b"<ListInventoryConfigurationsResult><InventoryConfiguration><Id>a</Id>",
                "truncated",
            ),
        ];
        for (body, expected) in cases {
            let err = read_document(body, LIST).unwrap_err().to_string();
            assert!(err.contains(expected), "{err} for {body:?}");
        }
    }

    #[test]
    fn a_body_nested_past_the_limit_is_a_body_error_whatever_its_names() {
        for name in ["InventoryConfiguration", "Filter", "x:Unknown"] {
            let body = format!(
                "<{LIST}>{}{}</{LIST}>",
                format!("<{name}>").repeat(300_000),
                format!("</{name}>").repeat(300_000)
            );
            let err = read_document(body.as_bytes(), LIST).unwrap_err();
            assert_eq!(err, BodyError::TooDeep { expected: LIST });
            assert_eq!(
                err.to_string(),
                "the body nests XML elements more than 64 levels deep (the limit for any body), \
                 so it is not a <ListInventoryConfigurationsResult> document"
            );
        }
    }

    #[test]
    fn children_are_kept_verbatim_with_their_names() {
        let body = "<?xml version=\"1.0\"?>\n<ns:ListInventoryConfigurationsResult xmlns:ns=\"x\">\
                    <InventoryConfiguration> <Id>a &amp; b</Id></InventoryConfiguration>\n\
                    <IsTruncated>false</IsTruncated><Empty/></ns:ListInventoryConfigurationsResult>";
        let doc = read_document(body.as_bytes(), LIST).unwrap();
        let names: Vec<&str> = doc.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["InventoryConfiguration", "IsTruncated", "Empty"]);
        assert_eq!(
            doc.children[0].raw,
            "<InventoryConfiguration> <Id>a &amp; b</Id></InventoryConfiguration>"
        );
        assert_eq!(doc.text_of("IsTruncated").as_deref(), Some("false"));
        assert_eq!(doc.text_of("Empty"), None);
    }

    #[test]
    fn unknown_elements_are_named_once_by_path() {
        let tree = Element::parse(
            b"<C><Id>a</Id><Schedule><Frequency>Daily</Frequency><Day>3</Day></Schedule>\
              <New><Deep/></New><New/></C>",
        )
        .unwrap();
        let known = ["Id", "Schedule", "Schedule/Frequency"];
        assert_eq!(unknown_elements(&tree, &known), ["Schedule/Day", "New"]);
    }

    proptest::proptest! {
        #[test]
        fn reading_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let _ = read_document(&bytes, LIST);
        }
    }
}
