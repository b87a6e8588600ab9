//! Reads S3 answers: status, headers and body to domain results or provider errors.
//!
//! Pure: the client hands over what the transport received. Status rules per operation
//! (`reference/s3-api.md` §1, §3, §4):
//! - LIST: 200 is a page. A bucket without configurations is a 200 page with `IsTruncated`
//!   false and no `InventoryConfiguration`, the only answer that means empty. A 200 whose body
//!   is not a `ListInventoryConfigurationsResult` (HTML, `<Error>`, another root, empty,
//!   truncated, no `IsTruncated`) is a decode error. Each configuration is read on its own:
//!   one the model cannot express is foreign and does not fail the page.
//! - GET: 200 is the configuration; 404 `NoSuchConfiguration` is `None`; any other 404
//!   (`NoSuchBucket`) is an error, so a wrong bucket never looks like an empty one.
//! - PUT: any 2xx (S3 answers 204, S3-compatible servers often 200).
//! - DELETE: any 2xx (S3 answers 204); 404 `NoSuchConfiguration` is success (already gone).

use reqwest::header::HeaderMap;

use super::model::S3Inventory;
use super::xml;
use crate::provider::ServiceError;
use crate::provider::document::{read_document, unknown_elements};
use crate::provider::xmltree::Element;

/// The error code of a GET or DELETE of an id the bucket does not have.
pub const NO_SUCH_CONFIGURATION: &str = "NoSuchConfiguration";

/// Why an answer is not a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The service answered with an error status.
    Service(ServiceError),
    /// A success status with a body that is not the documented XML.
    Decode(String),
}

/// One configuration as read: fully modelled, or kept verbatim with what was not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadConfig {
    Modelled(S3Inventory),
    Foreign {
        /// The `<Id>` text; empty when there is none.
        id: String,
        /// The configuration's element exactly as S3 sent it.
        raw_xml: String,
        /// Paths below `InventoryConfiguration` that were not understood; sorted, never empty.
        unmodelled: Vec<String>,
    },
}

/// One page of a LIST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage {
    pub items: Vec<ReadConfig>,
    /// The token of the next page; `None` on the last page.
    pub next_token: Option<String>,
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

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

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// Reads one `<InventoryConfiguration>` element: modelled when every element is known and
/// every value converts, else foreign with every path that was not understood.
///
/// # Guarantees
/// Never fails and never panics; a foreign configuration keeps `raw` verbatim.
pub fn read_config(raw: &str) -> ReadConfig {
    let foreign = |id: String, mut unmodelled: Vec<String>| {
        if unmodelled.is_empty() {
            unmodelled.push("(unreadable)".to_string());
        }
        unmodelled.sort();
        ReadConfig::Foreign {
            id,
            raw_xml: raw.to_string(),
            unmodelled,
        }
    };
    let tree = match Element::parse(raw.as_bytes()) {
        Ok(tree) => tree,
        Err(e) => return foreign(String::new(), vec![format!("(unreadable: {e})")]),
    };
    let id = tree
        .child("Id")
        .map(|e| e.text().trim().to_string())
        .unwrap_or_default();
    let mut unmodelled = unknown_elements(&tree, xml::KNOWN_ELEMENTS);
    let converted = xml::from_bytes::<xml::InventoryConfiguration>(raw.as_bytes())
        .map_err(|e| format!("(unreadable: {e})"))
        .and_then(|wire| S3Inventory::try_from(&wire).map_err(|e| e.unmodelled_path()));
    match converted {
        Ok(inventory) if unmodelled.is_empty() => ReadConfig::Modelled(inventory),
        Ok(_) => foreign(id, unmodelled),
        Err(path) => {
            if !unmodelled.contains(&path) {
                unmodelled.push(path);
            }
            foreign(id, unmodelled)
        }
    }
}

/// Reads a LIST answer.
pub fn list_page(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<ListPage, Failure> {
    if !is_success(status) {
        return Err(Failure::Service(service_error(status, headers, body)));
    }
    let doc = read_document(body, "ListInventoryConfigurationsResult")
        .map_err(|e| Failure::Decode(e.to_string()))?;
    let items: Vec<ReadConfig> = doc
        .children_named("InventoryConfiguration")
        .map(|c| read_config(c.raw))
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

/// True for the 404 that says the configuration (not the bucket) does not exist.
fn is_missing_configuration(status: u16, error: &ServiceError) -> bool {
    status == 404 && error.code == NO_SUCH_CONFIGURATION
}

/// Reads a GET answer: `None` when the configuration does not exist.
pub fn get(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<Option<ReadConfig>, Failure> {
    if !is_success(status) {
        let error = service_error(status, headers, body);
        if is_missing_configuration(status, &error) {
            return Ok(None);
        }
        return Err(Failure::Service(error));
    }
    let doc = read_document(body, "InventoryConfiguration")
        .map_err(|e| Failure::Decode(e.to_string()))?;
    Ok(Some(read_config(doc.raw)))
}

/// Reads a PUT answer.
pub fn put(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<(), Failure> {
    if is_success(status) {
        Ok(())
    } else {
        Err(Failure::Service(service_error(status, headers, body)))
    }
}

/// Reads a DELETE answer: a configuration that is already gone is success.
pub fn delete(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<(), Failure> {
    if is_success(status) {
        return Ok(());
    }
    let error = service_error(status, headers, body);
    if is_missing_configuration(status, &error) {
        return Ok(());
    }
    Err(Failure::Service(error))
}

#[cfg(test)]
#[path = "response_tests.rs"]
mod tests;
