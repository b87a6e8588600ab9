//! [`ApiError`]: an error answer before a dialect dresses it in its provider's format, and
//! the helpers the dialects' error bodies share.
//!
//! Every error carries an OSS error code (EC), which only the OSS dialect renders. ECs come
//! from the vendor docs where they name one (see the constants). Where no EC is documented the
//! emulator uses its own `0099-…` numbers, which no real service sends.

use quick_xml::escape::escape;

/// An error answer, before it is dressed in a provider's format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status of the answer.
    pub status: u16,
    /// `<Code>`: the provider's error code, e.g. `NoSuchBucket`.
    pub code: String,
    /// `<Message>`: the human-readable explanation.
    pub message: String,
    /// OSS error code (EC); ignored for COS.
    pub ec: String,
    /// Extra children of `<Error>`, in order (e.g. `StringToSign`, `ServerTime`).
    pub extra: Vec<(&'static str, String)>,
}

/// OSS error codes (ECs) of the errors every dialect may raise; the OSS dialect keeps its
/// own in `oss/ec.rs`.
pub(super) mod ec {
    pub(crate) const NO_SUCH_BUCKET: &str = "0015-00000101";
    pub(crate) const MALFORMED_XML: &str = "0020-00000004";
    pub(crate) const INVALID_DIGEST_MALFORMED: &str = "0017-00000502";
    /// Emulator-assigned: no documented EC.
    pub(crate) const ALREADY_EXISTS: &str = "0099-00000002";
    pub(crate) const INVALID_ARGUMENT: &str = "0099-00000004";
    pub(crate) const NOT_IMPLEMENTED: &str = "0099-00000005";
    pub(crate) const INJECTED: &str = "0099-00000099";
}

impl ApiError {
    /// An error with no OSS EC of its own (the emulator-assigned generic one is used).
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            ec: ec::INVALID_ARGUMENT.to_string(),
            extra: Vec::new(),
        }
    }

    /// Sets the OSS EC.
    pub(crate) fn with_ec(mut self, ec: &str) -> Self {
        self.ec = ec.to_string();
        self
    }

    /// Adds an extra `<Error>` child.
    pub(crate) fn with_extra(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.extra.push((name, value.into()));
        self
    }

    pub(crate) fn malformed_xml() -> Self {
        ApiError::new(
            400,
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our published schema.",
        )
        .with_ec(ec::MALFORMED_XML)
    }

    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        ApiError::new(400, "InvalidArgument", message).with_ec(ec::INVALID_ARGUMENT)
    }

    pub(crate) fn no_such_bucket() -> Self {
        ApiError::new(404, "NoSuchBucket", "The specified bucket does not exist.")
            .with_ec(ec::NO_SUCH_BUCKET)
    }

    /// Content-MD5 that is not base64 of 16 bytes.
    pub(crate) fn invalid_digest() -> Self {
        ApiError::new(
            400,
            "InvalidDigest",
            "The Content-MD5 you specified is not valid.",
        )
        .with_ec(ec::INVALID_DIGEST_MALFORMED)
    }

    /// Content-MD5 that does not match the body, in the words of most providers.
    pub(crate) fn bad_digest() -> Self {
        ApiError::new(
            400,
            "BadDigest",
            "The Content-MD5 you specified did not match what we received.",
        )
    }

    /// PUT of an id that exists, for a provider whose PUT is create-only.
    pub(crate) fn already_exists() -> Self {
        ApiError::new(
            409,
            "InventoryConfigurationAlreadyExists",
            "The inventory configuration already exists.",
        )
        .with_ec(ec::ALREADY_EXISTS)
    }

    /// A required Content-MD5 header is missing.
    pub(crate) fn missing_digest() -> Self {
        ApiError::new(
            400,
            "InvalidRequest",
            "Missing required header for this request: Content-MD5.",
        )
    }
}

/// Where an error happened, for the fields that name it.
#[derive(Debug, Clone)]
pub(crate) struct ErrorContext<'a> {
    pub request_id: &'a str,
    /// Host header without port, e.g. `examplebucket.oss-cn-hangzhou.aliyuncs.com`.
    pub host: &'a str,
    /// Path as requested, e.g. `/` or `/examplebucket/`.
    pub path: &'a str,
    pub bucket: Option<&'a str>,
}

/// Appends `<name>value</name>` with `value` escaped.
pub(crate) fn element(out: &mut String, name: &str, value: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    out.push_str(&escape(value));
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Space-separated uppercase hex of `text`, as OSS's `StringToSignBytes`.
pub(crate) fn hex_bytes(text: &str) -> String {
    text.bytes()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_bytes_matches_the_oss_format() {
        assert_eq!(hex_bytes("PUT\n"), "50 55 54 0A");
    }
}
