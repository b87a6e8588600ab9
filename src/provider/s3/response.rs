//! Reads S3 answers: status, headers and body to domain results or provider errors.
//!
//! Pure: the client hands over what the transport received. Status rules per operation
//! (`reference/s3-api.md` §1, §3, §4):
//! - LIST: 200 is a page. A bucket without configurations is a 200 page with `IsTruncated`
//!   false and no `InventoryConfiguration`, the only answer that means empty. A 200 whose body
//!   is not a `ListInventoryConfigurationsResult` (HTML, `<Error>`, another root, empty,
//!   truncated, no `IsTruncated`) is a decode error. Each configuration is read on its own:
//!   one the model cannot express is foreign and does not fail the page.
//! - GET: 200 is the configuration; 404 (S3 says `NoSuchConfiguration`) is `None`, except
//!   `NoSuchBucket`, which is an error, so a wrong bucket never looks like an empty one.
//! - PUT: any 2xx (S3 answers 204, S3-compatible servers often 200).
//! - DELETE: any 2xx (S3 answers 204); 404 is success (already gone), except `NoSuchBucket`.
//!
//! GET, PUT and DELETE follow the shared rules of [`crate::provider::response`].

use reqwest::header::HeaderMap;

use super::model::S3Inventory;
use super::xml;
use crate::model::{Inventory, LiveConfig, Provider};
use crate::provider::ServiceError;
use crate::provider::document::{ConfigReader, read_document};
pub use crate::provider::paginate::ListPage;
pub use crate::provider::response::Failure;
use crate::provider::response::{self, header, is_success};

/// The provider's error from an error answer: the `<Error>` body's Code, Message and
/// RequestId, the request id falling back to the `x-amz-request-id` header, or a description
/// of the status when there is no XML body (a HEAD-like empty answer, an HTML proxy page).
pub fn service_error(status: u16, headers: &HeaderMap, body: &[u8]) -> ServiceError {
    let parsed = xml::from_bytes::<xml::Error>(body)
        .ok()
        .filter(|e| !e.code.is_empty());
    let request_id_header = header(headers, "x-amz-request-id");
    match parsed {
        Some(e) => ServiceError {
            status,
            code: e.code,
            message: e.message,
            request_id: if e.request_id.is_empty() {
                request_id_header
            } else {
                e.request_id
            },
            ec: String::new(),
        },
        None => ServiceError {
            status,
            code: "Unknown".to_string(),
            message: format!(
                "HTTP {status} {} without an S3 error body",
                reqwest::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("")
            ),
            request_id: request_id_header,
            ec: String::new(),
        },
    }
}

/// Reads one S3 configuration: every element the wire types know, every value the model
/// holds, or foreign.
pub const READER: ConfigReader<'static> = ConfigReader {
    provider: Provider::S3,
    known: xml::KNOWN_ELEMENTS,
    convert: convert_config,
};

fn convert_config(raw: &str) -> Result<Inventory, Vec<String>> {
    let wire: xml::InventoryConfiguration =
        xml::from_str(raw).map_err(|e| vec![format!("(unreadable: {})", e.message())])?;
    S3Inventory::try_from(&wire)
        .map(Inventory::S3)
        .map_err(|e| vec![e.unmodelled_path()])
}

/// Reads a LIST answer.
pub fn list_page(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<ListPage, Failure> {
    if !is_success(status) {
        return Err(Failure::Service(service_error(status, headers, body)));
    }
    let doc = read_document(body, "ListInventoryConfigurationsResult")
        .map_err(|e| Failure::Decode(e.to_string()))?;
    let items: Vec<LiveConfig> = doc
        .children_named("InventoryConfiguration")
        .map(|c| READER.read(c.raw))
        .collect();
    let is_truncated = match doc.text_of("IsTruncated") {
        // S3 always writes IsTruncated; a page with no configurations and without it is not
        // an answer to trust as "empty".
        None if items.is_empty() => {
            return Err(Failure::Decode(
                "a list without configurations and without IsTruncated".to_string(),
            ));
        }
        None => false,
        Some(t) if t.eq_ignore_ascii_case("false") => false,
        Some(t) if t.eq_ignore_ascii_case("true") => true,
        Some(t) => {
            return Err(Failure::Decode(format!(
                "IsTruncated is `{t}`, not true or false"
            )));
        }
    };
    let next_token = doc.text_of("NextContinuationToken");
    if is_truncated && next_token.is_none() {
        return Err(Failure::Decode(
            "truncated list without NextContinuationToken".to_string(),
        ));
    }
    Ok(ListPage {
        items,
        next_token: if is_truncated { next_token } else { None },
    })
}

/// Reads a GET answer: `None` when the configuration does not exist (404
/// `NoSuchConfiguration`), an error for a missing bucket.
pub fn get(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<Option<LiveConfig>, Failure> {
    response::get(
        status,
        body,
        || service_error(status, headers, body),
        &READER,
    )
}

/// Reads a PUT answer: any 2xx (S3 answers 204).
pub fn put(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<(), Failure> {
    response::put(status, || service_error(status, headers, body))
}

/// Reads a DELETE answer: a configuration that is already gone is success.
pub fn delete(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<(), Failure> {
    response::delete(status, || service_error(status, headers, body))
}

#[cfg(test)]
#[path = "response_tests.rs"]
mod tests;
