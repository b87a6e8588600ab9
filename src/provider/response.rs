//! Reads every provider's answers: one status rule, one LIST rule, one `<Error>` reader.
//!
//! Pure functions of `(status, headers, body)`, with what differs between providers passed in
//! from their [`crate::provider::protocol::Dialect`] (the LIST root, the configuration reader,
//! the [`ErrorShape`]). The client turns a [`Failure`] into a [`ProviderError`] with
//! [`Failure::into_error`]. Status rules per operation:
//! - LIST ([`list_page`]): 2xx is a page, which must be the dialect's list document (an HTML
//!   page, an `<Error>` document, another root, an empty or a cut-short body is a
//!   [`Failure::Body`]); each configuration is read on its own, one the model cannot express is
//!   foreign and does not fail the page. `IsTruncated` true needs a non-empty
//!   `NextContinuationToken`; on a last page a token is ignored. An error answer that means "no
//!   configurations" is an empty list on the first page only, a rule the client applies
//!   ([`crate::provider::paginate::empty_only_on_first_page`]), since only it knows the page.
//! - GET ([`get`]): 2xx is the configuration; 404 is `None`, except `NoSuchBucket`, which is an
//!   error (a wrong bucket must not look like a bucket without the configuration).
//! - PUT ([`put`]): any 2xx (OSS's 409 for an existing id is an error like every other status,
//!   for the reconciler to turn into delete + put).
//! - DELETE ([`delete`]): any 2xx; 404 is success (already gone) except `NoSuchBucket`.
//! - Every other non-2xx is a [`Failure::Service`] read by [`service_error`].

use reqwest::header::HeaderMap;

use serde::{Deserialize, Serialize};

use super::document::{BodyError, ConfigReader, Document, read_document};
use super::paginate::ListPage;
use super::wire::{self, XmlRoot};
use super::{Operation, ProviderError, ServiceError};
use crate::model::{BucketKey, LiveConfig, Provider};

/// Why an answer is not a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The service answered with an error status.
    Service(ServiceError),
    /// A success status with a body that breaks a rule of the document (a flag that is not
    /// a boolean, a truncated list without a token).
    Decode(String),
    /// A success status with a body that is not the documented XML document at all.
    Body(BodyError),
}

impl Failure {
    /// The provider error of this failure of `operation` on `bucket`.
    pub(crate) fn into_error(
        self,
        provider: Provider,
        operation: Operation,
        bucket: &BucketKey,
    ) -> ProviderError {
        let bucket = bucket.bucket.clone();
        match self {
            Failure::Service(error) => ProviderError::Service {
                provider,
                operation,
                bucket,
                error: Box::new(error),
            },
            Failure::Decode(message) => ProviderError::Decode {
                provider,
                operation,
                bucket,
                message,
                source: None,
            },
            Failure::Body(error) => ProviderError::Decode {
                provider,
                operation,
                bucket,
                message: error.to_string(),
                source: Some(Box::new(error)),
            },
        }
    }
}

/// True for 2xx.
pub fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// A header's value when present and visible ASCII, else empty.
pub fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// True for a 404 whose code says the bucket itself does not exist: a wrong bucket must not
/// look like a bucket without the configuration.
pub(crate) fn is_missing_bucket(error: &ServiceError) -> bool {
    error.status == 404 && error.code == "NoSuchBucket"
}

/// GET: 2xx is the `InventoryConfiguration` of `body` read by `reader` (another document is
/// a [`Failure::Body`]); 404 is `None`, except a missing bucket; any other status is the
/// service's error, built by `service_error`.
pub fn get(
    status: u16,
    body: &[u8],
    service_error: impl FnOnce() -> ServiceError,
    reader: &ConfigReader<'_>,
) -> Result<Option<LiveConfig>, Failure> {
    if !is_success(status) {
        let error = service_error();
        if status == 404 && !is_missing_bucket(&error) {
            return Ok(None);
        }
        return Err(Failure::Service(error));
    }
    let doc = read_document(body, "InventoryConfiguration").map_err(Failure::Body)?;
    Ok(Some(reader.read(doc.raw)))
}

/// PUT: any 2xx is success; any other status is the service's error.
pub fn put(status: u16, service_error: impl FnOnce() -> ServiceError) -> Result<(), Failure> {
    if is_success(status) {
        Ok(())
    } else {
        Err(Failure::Service(service_error()))
    }
}

/// DELETE: any 2xx is success, and so is a 404 (the configuration is gone either way) except
/// a missing bucket; any other status is the service's error.
pub fn delete(status: u16, service_error: impl FnOnce() -> ServiceError) -> Result<(), Failure> {
    if is_success(status) {
        return Ok(());
    }
    let error = service_error();
    if status == 404 && !is_missing_bucket(&error) {
        return Ok(());
    }
    Err(Failure::Service(error))
}

/// Where a provider's error answers keep what [`service_error`] reads besides the `<Error>`
/// body, and what an answer without one reads as.
#[derive(Debug, Clone, Copy)]
pub struct ErrorShape {
    /// The header with the request id, used when the body has none: `x-cos-request-id`.
    pub(crate) request_id_header: &'static str,
    /// The header with OSS's detailed error code `EC`, used when the body has none; `None`
    /// for providers without one (then `EC` is not read from the body either).
    pub ec_header: Option<&'static str>,
    /// What an answer without a usable `<Error>` body reads as.
    pub fallback: ErrorFallback,
}

/// How an error answer without a usable `<Error>` body (a proxy's HTML page, an empty body)
/// is described.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorFallback {
    /// Field by field: a missing code is the status's reason (`BadGateway`), a missing message
    /// the start of the body on one line (COS).
    PerField,
    /// As a whole, when the body has no code: code `Unknown`, the message naming the status
    /// and that no `<Error>` body of `title` came (`without an OSS error body`).
    Unknown { title: &'static str },
}

/// The fields of an `<Error>` body that an error keeps. Every other child (OSS's
/// `StringToSign` and `SignatureProvided`, COS's `FormatString`) is never read, so never
/// leaves this module.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename = "Error", rename_all = "PascalCase", default)]
struct ErrorFields {
    code: String,
    message: String,
    request_id: String,
    #[serde(rename = "EC")]
    ec: Option<String>,
}

impl XmlRoot for ErrorFields {
    const ROOT: &'static str = "Error";
}

/// The provider's error from an error answer: the `<Error>` body's code, message and request id
/// (and EC where the shape has one), the request id falling back to the shape's header, and the
/// whole falling back as [`ErrorShape::fallback`] says.
pub(crate) fn service_error(
    shape: &ErrorShape,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> ServiceError {
    let parsed = wire::from_bytes::<ErrorFields>(body).ok();
    let request_id_header = header(headers, shape.request_id_header);
    let ec_header = shape.ec_header.map(|h| header(headers, h));
    let or = |value: String, fallback: String| if value.is_empty() { fallback } else { value };
    match shape.fallback {
        ErrorFallback::PerField => {
            let parsed = parsed.unwrap_or_default();
            ServiceError {
                status,
                code: or(parsed.code, fallback_code(status)),
                message: or(parsed.message, body_excerpt(body)),
                request_id: or(parsed.request_id, request_id_header),
                ec: ec_header
                    .map(|h| or(parsed.ec.unwrap_or_default(), h))
                    .unwrap_or_default(),
            }
        }
        ErrorFallback::Unknown { title } => match parsed.filter(|e| !e.code.is_empty()) {
            Some(e) => ServiceError {
                status,
                code: e.code,
                message: e.message,
                request_id: or(e.request_id, request_id_header),
                ec: ec_header
                    .map(|h| or(e.ec.unwrap_or_default(), h))
                    .unwrap_or_default(),
            },
            None => ServiceError {
                status,
                code: "Unknown".to_string(),
                message: format!(
                    "HTTP {status} {} without an {title} error body",
                    status_reason(status)
                ),
                request_id: request_id_header,
                ec: ec_header.unwrap_or_default(),
            },
        },
    }
}

/// The status's canonical reason (`Service Unavailable`), empty when it has none.
fn status_reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

/// A code for answers that carry no `<Error>` (proxies, load balancers): the status's reason
/// without spaces, else `HTTP{status}`.
fn fallback_code(status: u16) -> String {
    match status_reason(status) {
        "" => format!("HTTP{status}"),
        reason => reason.split_whitespace().collect(),
    }
}

/// The start of a non-XML error body, on one line.
fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    text.chars().take(200).collect()
}

/// Reads a LIST answer whose document is `root`, each configuration with `reader`; an error
/// status, a "no configurations" one included, is a [`Failure::Service`] (see the module
/// documentation for the rules).
pub(crate) fn list_page(
    root: &'static str,
    reader: &ConfigReader<'_>,
    errors: &ErrorShape,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<ListPage, Failure> {
    if !is_success(status) {
        return Err(Failure::Service(service_error(
            errors, status, headers, body,
        )));
    }
    let doc = read_document(body, root).map_err(Failure::Body)?;
    let items: Vec<LiveConfig> = doc
        .children_named("InventoryConfiguration")
        .map(|c| reader.read(c.raw))
        .collect();
    let truncated = match flag(&doc, "IsTruncated")? {
        // Every provider writes IsTruncated, `false` on an empty bucket's page; a page with
        // neither configurations nor the flag is not an answer to trust as empty.
        None if items.is_empty() => {
            return Err(Failure::Decode(
                "a list without configurations and without IsTruncated".to_string(),
            ));
        }
        truncated => truncated.unwrap_or(false),
    };
    let next_token = next_page_token(&doc, truncated, "IsTruncated", "NextContinuationToken")?;
    Ok(ListPage { items, next_token })
}

/// The boolean of `element` in `doc`, `None` when it is absent or blank.
///
/// # Errors
/// [`Failure::Decode`] for a value that is not `true` or `false`.
pub fn flag(doc: &Document<'_>, element: &str) -> Result<Option<bool>, Failure> {
    doc.text_of(element)
        .map(|t| {
            wire::parse_bool(&t)
                .ok_or_else(|| Failure::Decode(format!("{element} is `{t}`, not true or false")))
        })
        .transpose()
}

/// The paging rule every list shares: a page that is not `truncated` is the last (a token
/// on it is ignored); a truncated page must name the next page's token in `token_element`.
///
/// # Errors
/// [`Failure::Decode`] when a truncated page's token is missing or empty (`truncated_by`
/// names what said it was truncated): an empty token would ask for the first page again, and
/// the list would never end, or end with pages counted twice.
pub(crate) fn next_page_token(
    doc: &Document<'_>,
    truncated: bool,
    truncated_by: &str,
    token_element: &str,
) -> Result<Option<String>, Failure> {
    if !truncated {
        return Ok(None);
    }
    match doc.text_of(token_element) {
        Some(token) => Ok(Some(token)),
        None => Err(Failure::Decode(format!(
            "{truncated_by} is true but {token_element} is missing or empty"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PER_FIELD: ErrorShape = ErrorShape {
        request_id_header: "x-cos-request-id",
        ec_header: None,
        fallback: ErrorFallback::PerField,
    };

    #[test]
    fn answers_without_an_error_body_get_a_code_from_the_status() {
        assert_eq!(fallback_code(502), "BadGateway");
        assert_eq!(fallback_code(599), "HTTP599");
    }

    #[test]
    fn body_excerpts_are_one_bounded_line() {
        let body = format!("<html>\n  <body>{}</body></html>", "x".repeat(500));
        let excerpt = body_excerpt(body.as_bytes());
        assert!(!excerpt.contains('\n'));
        assert_eq!(excerpt.chars().count(), 200);
    }

    #[test]
    fn a_shape_without_ec_reads_no_ec_even_when_the_body_has_one() {
        let body = b"<Error><Code>AccessDenied</Code><Message>m</Message><EC>0003</EC></Error>";
        let error = service_error(&PER_FIELD, 403, &HeaderMap::new(), body);
        assert_eq!(
            (error.code.as_str(), error.ec.as_str()),
            ("AccessDenied", "")
        );
    }
}
