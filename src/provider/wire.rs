//! Reading and writing the providers' XML bodies: one API for every provider's wire types.
//!
//! Each provider's `xml.rs` declares serde types, one per XML body, and implements [`XmlRoot`]
//! for the document types; clients and the emulator read them with [`from_bytes`] and write
//! them with [`to_string`]. Both return `Result`: a body from the network is untrusted, and a
//! write error is reported rather than panicking.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize, Serializer};

use super::xml_depth;

/// `<OptionalFields><Field/>…</OptionalFields>`, the same element in every provider's
/// configuration: `<Field>` values, order preserved.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OptionalFields {
    /// `<Field>`: one optional field's name each, e.g. `Size`.
    #[serde(rename = "Field")]
    pub fields: Vec<String>,
}

/// Why a body could not be read or written as XML.
#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    /// A body is not the document it should be.
    #[error("body is not a valid {root} document: {message}")]
    Read {
        /// The document's root element, e.g. `InventoryConfiguration`.
        root: &'static str,
        /// Where and why the body was refused.
        message: String,
    },
    /// A document could not be written.
    #[error("cannot write {root}: {message}")]
    Write {
        /// The document's root element.
        root: &'static str,
        /// Why the serializer refused it.
        message: String,
    },
}

impl XmlError {
    /// What went wrong, without the root element's name.
    pub fn message(&self) -> &str {
        match self {
            XmlError::Read { message, .. } | XmlError::Write { message, .. } => message,
        }
    }
}

/// A document type with a fixed root element.
pub trait XmlRoot: Serialize + DeserializeOwned {
    /// The root element's local name; reading any other root is an error.
    const ROOT: &'static str;
    /// Write empty elements as `<X></X>` rather than `<X/>` (what the provider's reference
    /// SDK sends, so that bodies compare byte for byte).
    const EXPAND_EMPTY_ELEMENTS: bool = false;
}

/// Reads one XML document of type `T`; an XML declaration, comments and namespaces are allowed.
///
/// # Errors
/// [`XmlError::Read`] when the body is not UTF-8, nests elements deeper than
/// [`xml_depth::MAX_DEPTH`], is not well-formed, has another root or does not match `T`.
pub fn from_bytes<T: XmlRoot>(body: &[u8]) -> Result<T, XmlError> {
    let read_error = |message: String| XmlError::Read {
        root: T::ROOT,
        message,
    };
    let text = std::str::from_utf8(body).map_err(|e| read_error(e.to_string()))?;
    xml_depth::check(text).map_err(|e| read_error(e.to_string()))?;
    let root = root_name(text).ok_or_else(|| read_error("no root element".into()))?;
    if root != T::ROOT {
        return Err(read_error(format!("root element is <{root}>")));
    }
    quick_xml::de::from_str(text).map_err(|e| read_error(e.to_string()))
}

/// [`from_bytes`] for a body already known to be text.
///
/// # Errors
/// As [`from_bytes`].
pub fn from_str<T: XmlRoot>(text: &str) -> Result<T, XmlError> {
    from_bytes(text.as_bytes())
}

/// Writes `value` canonically: no declaration, fields in declaration order.
///
/// # Errors
/// [`XmlError::Write`] only if a value cannot be written as XML text.
pub fn to_string<T: XmlRoot>(value: &T) -> Result<String, XmlError> {
    let mut out = String::new();
    let mut serializer = quick_xml::se::Serializer::new(&mut out);
    serializer.expand_empty_elements(T::EXPAND_EMPTY_ELEMENTS);
    value.serialize(serializer).map_err(|e| XmlError::Write {
        root: T::ROOT,
        message: e.to_string(),
    })?;
    Ok(out)
}

/// `true` / `false` in any case, surrounding whitespace ignored; `None` for anything else.
pub fn parse_bool(text: &str) -> Option<bool> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Serializes a boolean kept as text in lowercase, and any other text as it is.
pub(crate) fn lowercase_bool<S: Serializer>(value: &str, serializer: S) -> Result<S::Ok, S::Error> {
    match parse_bool(value) {
        Some(true) => serializer.serialize_str("true"),
        Some(false) => serializer.serialize_str("false"),
        None => serializer.serialize_str(value),
    }
}

/// The local name of the first element, skipping the declaration, comments and whitespace.
fn root_name(text: &str) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) => {
                return Some(e.local_name().into_inner().to_string());
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename = "Doc")]
    struct Doc {
        #[serde(rename = "Flag")]
        flag: Option<Empty>,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Empty {}

    impl XmlRoot for Doc {
        const ROOT: &'static str = "Doc";
    }

    #[test]
    fn reading_checks_the_root_element() {
        let err = from_bytes::<Doc>(b"<Other><Flag/></Other>").unwrap_err();
        assert_eq!(
            err.to_string(),
            "body is not a valid Doc document: root element is <Other>"
        );
        assert!(from_bytes::<Doc>(b"").is_err());
        assert!(from_bytes::<Doc>(b"\xff<Doc/>").is_err());
    }

    #[test]
    fn a_body_nested_past_the_limit_is_refused_before_serde_reads_it() {
        for inner in ["Flag", "Unknown"] {
            let body = format!(
                "<Doc>{}{}</Doc>",
                format!("<{inner}>").repeat(300_000),
                format!("</{inner}>").repeat(300_000)
            );
            let err = from_bytes::<Doc>(body.as_bytes()).unwrap_err();
            assert_eq!(
                err.to_string(),
                "body is not a valid Doc document: elements nest more than 64 levels deep, \
                 the limit for an XML body"
            );
        }
    }

    #[test]
    fn a_declaration_before_the_root_is_allowed() {
        let doc = from_bytes::<Doc>(b"<?xml version=\"1.0\"?>\n<Doc><Flag/></Doc>").unwrap();
        assert_eq!(
            doc,
            Doc {
                flag: Some(Empty {})
            }
        );
    }

    #[test]
    fn empty_elements_are_written_short_unless_the_type_expands_them() {
        let doc = Doc {
            flag: Some(Empty {}),
        };
        assert_eq!(to_string(&doc).unwrap(), "<Doc><Flag/></Doc>");
    }

    #[test]
    fn booleans_read_in_any_case_and_write_lowercase() {
        assert_eq!(parse_bool(" TRUE "), Some(true));
        assert_eq!(parse_bool("False"), Some(false));
        assert_eq!(parse_bool("yes"), None);
    }
}
