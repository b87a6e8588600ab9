//! Reads COS answers: status, headers and body to domain results or provider errors.
//!
//! Pure: the client hands over what the transport received. Status rules per operation:
//! - LIST: 200 is a page, which must be a `ListInventoryConfigurationResult` (an HTML page, an
//!   `<Error>` document, another root, an empty or a truncated body is a decode error); each
//!   configuration is read on its own, one the model cannot express is foreign. A 404 whose
//!   code names the inventory ([`means_no_configurations`]) answering the first page is an
//!   empty list; the client applies that rule, since only it knows which page it asked for.
//! - GET: 200 is the configuration; 404 is `None`, except `NoSuchBucket`, which is an error.
//! - PUT: any 2xx.
//! - DELETE: any 2xx; 404 is success (the configuration is gone either way) except
//!   `NoSuchBucket`.
//! - Every other non-2xx is a [`Failure::Service`] with COS's code, message and request id.

use reqwest::header::HeaderMap;

use super::xml;
use crate::model::{CosInventory, Inventory, LiveConfig, Provider};
use crate::provider::ServiceError;
use crate::provider::document::{ConfigReader, read_document};
pub use crate::provider::paginate::ListPage;
pub use crate::provider::response::Failure;
use crate::provider::response::{self, header, is_success};

/// Reads one COS configuration: every element the wire types know, every value the model
/// holds, or foreign.
pub const READER: ConfigReader<'static> = ConfigReader {
    provider: Provider::Cos,
    known: xml::KNOWN_ELEMENTS,
    convert: convert_config,
};

fn convert_config(raw: &str) -> Result<Inventory, Vec<String>> {
    let wire: xml::InventoryConfiguration =
        xml::from_str(raw).map_err(|e| vec![format!("(unreadable: {e})")])?;
    CosInventory::try_from(&wire)
        .map(Inventory::Cos)
        .map_err(|e| vec![e.unmodelled_path()])
}

/// The COS `<Error>` of a non-2xx answer; request id from the body, else `x-cos-request-id`;
/// an answer without one (a proxy, a load balancer) gets a code from the status and the start
/// of its body as message.
pub fn service_error(status: u16, headers: &HeaderMap, body: &[u8]) -> ServiceError {
    let parsed = xml::from_bytes::<xml::Error>(body).unwrap_or_default();
    let code = if parsed.code.is_empty() {
        fallback_code(status)
    } else {
        parsed.code
    };
    let message = if parsed.message.is_empty() {
        body_excerpt(body)
    } else {
        parsed.message
    };
    let request_id = if parsed.request_id.is_empty() {
        header(headers, "x-cos-request-id")
    } else {
        parsed.request_id
    };
    ServiceError {
        status,
        code,
        message,
        request_id,
        ec: String::new(),
    }
}

/// A code for answers that carry no COS `<Error>` (proxies, load balancers).
fn fallback_code(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(|reason| reason.split_whitespace().collect::<String>())
        .unwrap_or_else(|| format!("HTTP{status}"))
}

/// The start of a non-XML error body, on one line.
fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    text.chars().take(200).collect()
}

/// A LIST 404 that says "no inventory configuration" rather than "no bucket" (real COS's
/// answer for a bucket without configurations is not documented).
pub fn means_no_configurations(error: &ServiceError) -> bool {
    error.status == 404 && error.code.contains("Inventory")
}

/// Reads a LIST answer.
pub fn list_page(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<ListPage, Failure> {
    if !is_success(status) {
        return Err(Failure::Service(service_error(status, headers, body)));
    }
    let doc = read_document(body, "ListInventoryConfigurationResult").map_err(Failure::Body)?;
    let items = doc
        .children_named("InventoryConfiguration")
        .map(|c| READER.read(c.raw))
        .collect();
    let truncated = match doc.text_of("IsTruncated") {
        // An empty COS bucket answers a list with `<IsTruncated>false</IsTruncated>`; a page
        // with neither configurations nor that flag is not an answer to trust as empty.
        None if doc
            .children_named("InventoryConfiguration")
            .next()
            .is_none() =>
        {
            return Err(Failure::Decode(
                "a list without configurations and without IsTruncated".to_string(),
            ));
        }
        None => false,
        Some(t) => xml::parse_bool(&t)
            .ok_or_else(|| Failure::Decode(format!("IsTruncated is `{t}`, not true or false")))?,
    };
    if !truncated {
        return Ok(ListPage {
            items,
            next_token: None,
        });
    }
    match doc.text_of("NextContinuationToken") {
        Some(token) if !token.is_empty() => Ok(ListPage {
            items,
            next_token: Some(token),
        }),
        _ => Err(Failure::Decode(
            "IsTruncated is true but NextContinuationToken is missing".to_string(),
        )),
    }
}

/// Reads a GET answer: `None` when the configuration does not exist.
pub fn get(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<Option<LiveConfig>, Failure> {
    response::get(
        status,
        body,
        || service_error(status, headers, body),
        &READER,
    )
}

/// Reads a PUT answer.
pub fn put(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<(), Failure> {
    response::put(status, || service_error(status, headers, body))
}

/// Reads a DELETE answer: a configuration that is already gone is success.
pub fn delete(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<(), Failure> {
    response::delete(status, || service_error(status, headers, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn error_body(code: &str) -> String {
        format!(
            "<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>{code}</Code>\
             <Message>m</Message><Resource>r</Resource><RequestId>NjVhYzQx</RequestId>\
             <TraceId>t</TraceId></Error>"
        )
    }

    const CONFIG: &str = "<InventoryConfiguration><Id>list1</Id><IsEnabled>true</IsEnabled>\
        <IncludedObjectVersions>All</IncludedObjectVersions><Schedule><Frequency>Daily\
        </Frequency></Schedule><Destination><COSBucketDestination>\
        <Bucket>qcs::cos:ap-guangzhou::dest-1250000000</Bucket><Format>CSV</Format>\
        </COSBucketDestination></Destination></InventoryConfiguration>";

    #[test]
    fn answers_without_cos_error_get_a_code_from_the_status() {
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
    fn service_error_takes_code_message_and_request_id_from_the_body() {
        let e = service_error(
            403,
            &HeaderMap::new(),
            error_body("AccessDenied").as_bytes(),
        );
        assert_eq!(
            e,
            ServiceError {
                status: 403,
                code: "AccessDenied".into(),
                message: "m".into(),
                request_id: "NjVhYzQx".into(),
                ec: String::new(),
            }
        );
    }

    #[test]
    fn service_error_without_a_body_takes_the_request_id_header() {
        let mut headers = HeaderMap::new();
        headers.insert("x-cos-request-id", HeaderValue::from_static("RID"));
        let e = service_error(503, &headers, b"<html>busy</html>");
        assert_eq!(e.code, "ServiceUnavailable");
        assert_eq!(e.message, "<html>busy</html>");
        assert_eq!(e.request_id, "RID");
    }

    #[test]
    fn a_page_reads_its_configurations_and_the_next_token() {
        let body = format!(
            "<ListInventoryConfigurationResult>{CONFIG}<IsTruncated>true</IsTruncated>\
             <NextContinuationToken>t1</NextContinuationToken></ListInventoryConfigurationResult>"
        );
        let page = list_page(200, &HeaderMap::new(), body.as_bytes()).unwrap();
        assert_eq!(page.items.len(), 1);
        assert!(page.items[0].modelled().is_some());
        assert_eq!(page.next_token.as_deref(), Some("t1"));
    }

    #[test]
    fn the_last_page_has_no_next_token_even_when_one_is_sent() {
        let body = "<ListInventoryConfigurationResult><IsTruncated>FALSE</IsTruncated>\
                    <NextContinuationToken>x</NextContinuationToken></ListInventoryConfigurationResult>";
        let page = list_page(200, &HeaderMap::new(), body.as_bytes()).unwrap();
        assert_eq!(page, ListPage::default());
    }

    #[test]
    fn a_truncated_page_without_a_usable_token_is_a_decode_error() {
        for token in ["", "<NextContinuationToken></NextContinuationToken>"] {
            let body = format!(
                "<ListInventoryConfigurationResult>{CONFIG}<IsTruncated>true</IsTruncated>\
                 {token}</ListInventoryConfigurationResult>"
            );
            assert!(
                matches!(
                    list_page(200, &HeaderMap::new(), body.as_bytes()),
                    Err(Failure::Decode(_) | Failure::Body(_))
                ),
                "{token}"
            );
        }
    }

    #[test]
    fn success_bodies_that_are_not_the_document_are_decode_errors() {
        let bodies: [&[u8]; 5] = [
            b"",
            b"<html><body>Service Unavailable</body></html>",
            b"<Error><Code>InternalError</Code><Message>m</Message></Error>",
            b"<ListInventoryConfigurationResult></ListInventoryConfigurationResult>",
            b"<ListInventoryConfigurationResult><InventoryConfiguration><Id>a",
        ];
        for body in bodies {
            assert!(
                matches!(
                    list_page(200, &HeaderMap::new(), body),
                    Err(Failure::Decode(_) | Failure::Body(_))
                ),
                "{body:?}"
            );
            assert!(
                matches!(
                    get(200, &HeaderMap::new(), body),
                    Err(Failure::Decode(_) | Failure::Body(_))
                ),
                "{body:?}"
            );
        }
    }

    #[test]
    fn a_list_404_naming_the_inventory_means_no_configurations_but_no_such_bucket_does_not() {
        let Err(Failure::Service(e)) = list_page(
            404,
            &HeaderMap::new(),
            error_body("NoSuchInventoryConfiguration").as_bytes(),
        ) else {
            panic!("a 404 is a service failure of the page")
        };
        assert!(means_no_configurations(&e));
        let Err(Failure::Service(e)) = list_page(
            404,
            &HeaderMap::new(),
            error_body("NoSuchBucket").as_bytes(),
        ) else {
            panic!("a 404 is a service failure of the page")
        };
        assert!(!means_no_configurations(&e));
    }

    #[test]
    fn get_404_is_none_but_a_missing_bucket_is_an_error() {
        assert_eq!(get(404, &HeaderMap::new(), b""), Ok(None));
        assert!(
            get(
                404,
                &HeaderMap::new(),
                error_body("NoSuchBucket").as_bytes()
            )
            .is_err()
        );
        let got = get(200, &HeaderMap::new(), CONFIG.as_bytes()).unwrap();
        assert_eq!(got.unwrap().id(), "list1");
    }

    #[test]
    fn delete_of_a_missing_configuration_succeeds_but_not_of_a_missing_bucket() {
        assert_eq!(delete(204, &HeaderMap::new(), b""), Ok(()));
        assert_eq!(
            delete(
                404,
                &HeaderMap::new(),
                error_body("NoSuchInventory").as_bytes()
            ),
            Ok(())
        );
        assert!(
            delete(
                404,
                &HeaderMap::new(),
                error_body("NoSuchBucket").as_bytes()
            )
            .is_err()
        );
        assert!(
            put(
                403,
                &HeaderMap::new(),
                error_body("AccessDenied").as_bytes()
            )
            .is_err()
        );
        assert_eq!(put(200, &HeaderMap::new(), b""), Ok(()));
    }
}
