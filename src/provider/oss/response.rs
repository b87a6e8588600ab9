//! Reads OSS answers: status, headers and body to domain results or provider errors.
//!
//! Pure: the client hands over what the transport received. Status rules per operation:
//! - LIST: 200 is a page; **404 `NoSuchInventory` answering the first page is an empty list**
//!   (OSS answers so for a bucket without configurations), the only answer that means empty;
//!   answering a later page it means the list is incomplete, an error. The client applies that
//!   rule ([`means_no_configurations`]), since only it knows which page it asked for. A 200 whose body is not
//!   a `ListInventoryConfigurationsResult` (HTML, `<Error>`, another root, empty, truncated) is
//!   a decode error. Each configuration is read on its own: one the model cannot express is
//!   foreign ([`crate::provider::document`]) and does not fail the page.
//! - GET: 200 is the configuration; 404 is `None`, except `NoSuchBucket`, which is an error
//!   (a wrong bucket must not look like a bucket without configurations).
//! - PUT: any 2xx (OSS answers 200); 409 `InventoryConfigurationAlreadyExists` is an error
//!   like every other status, for the reconciler to turn into delete + put.
//! - DELETE: any 2xx (OSS answers 204); 404 is success (already gone) except `NoSuchBucket`.

use reqwest::header::HeaderMap;

use super::xml;
use crate::model::{Inventory, LiveConfig, OssInventory, Provider};
use crate::provider::ServiceError;
use crate::provider::document::{ConfigReader, read_document};
pub use crate::provider::paginate::ListPage;
pub use crate::provider::response::Failure;
use crate::provider::response::{self, header, is_success};

/// The provider's error from an error answer: the `<Error>` body's Code, Message, RequestId
/// and EC, each falling back to the `x-oss-request-id` / `x-oss-ec` headers, or to a
/// description of the status when there is no XML body.
///
/// Only these four fields are kept: the `StringToSign` and `SignatureProvided` elements of a
/// `SignatureDoesNotMatch` body never leave this function.
pub fn service_error(status: u16, headers: &HeaderMap, body: &[u8]) -> ServiceError {
    let parsed = xml::from_bytes::<xml::Error>(body)
        .ok()
        .filter(|e| !e.code.is_empty());
    let request_id_header = header(headers, "x-oss-request-id");
    let ec_header = header(headers, "x-oss-ec");
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
            ec: e.ec.filter(|ec| !ec.is_empty()).unwrap_or(ec_header),
        },
        None => ServiceError {
            status,
            code: "Unknown".to_string(),
            message: format!(
                "HTTP {status} {} without an OSS error body",
                reqwest::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("")
            ),
            request_id: request_id_header,
            ec: ec_header,
        },
    }
}

/// Reads one OSS configuration: every element the wire types know, every value the model
/// holds, or foreign.
pub const READER: ConfigReader<'static> = ConfigReader {
    provider: Provider::Oss,
    known: xml::KNOWN_ELEMENTS,
    convert: convert_config,
};

fn convert_config(raw: &str) -> Result<Inventory, Vec<String>> {
    let wire: xml::InventoryConfiguration =
        xml::from_str(raw).map_err(|e| vec![format!("(unreadable: {})", e.message())])?;
    OssInventory::try_from(&wire)
        .map(Inventory::Oss)
        .map_err(|e| vec![e.unmodelled_path()])
}

/// A LIST error answer that says "no inventory configuration" rather than "no bucket": OSS
/// answers a bucket without configurations so. It means an empty list only as the answer to
/// the first page; the client applies that rule, since only it knows which page it asked for.
pub fn means_no_configurations(error: &ServiceError) -> bool {
    error.status == 404 && error.code == "NoSuchInventory"
}

/// Reads a LIST answer; an error status, 404 `NoSuchInventory` included, is a
/// [`Failure::Service`] (see [`means_no_configurations`]).
pub fn list_page(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<ListPage, Failure> {
    if !is_success(status) {
        return Err(Failure::Service(service_error(status, headers, body)));
    }
    let doc = read_document(body, "ListInventoryConfigurationsResult").map_err(Failure::Body)?;
    let items = doc
        .children_named("InventoryConfiguration")
        .map(|c| READER.read(c.raw))
        .collect();
    let is_truncated = match doc.text_of("IsTruncated") {
        // OSS says "no configurations" with 404 NoSuchInventory; a page with none and without
        // IsTruncated is not an answer to trust as empty.
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
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
             <Message>m</Message><RequestId>5C3D9175B6FC201293AD0000</RequestId>\
             <HostId>h</HostId><EC>0020-00000001</EC></Error>"
        )
    }

    #[test]
    fn list_answering_no_such_inventory_means_no_configurations_but_no_such_bucket_does_not() {
        let Err(Failure::Service(e)) = list_page(
            404,
            &HeaderMap::new(),
            error_body("NoSuchInventory").as_bytes(),
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
    fn list_answering_no_such_bucket_is_an_error() {
        let page = list_page(
            404,
            &HeaderMap::new(),
            error_body("NoSuchBucket").as_bytes(),
        );
        assert!(matches!(page, Err(Failure::Service(e)) if e.code == "NoSuchBucket"));
    }

    #[test]
    fn a_truncated_page_without_token_is_a_decode_error() {
        let body = "<ListInventoryConfigurationsResult><IsTruncated>true</IsTruncated>\
                    </ListInventoryConfigurationsResult>";
        assert!(matches!(
            list_page(200, &HeaderMap::new(), body.as_bytes()),
            Err(Failure::Decode(_))
        ));
    }

    #[test]
    fn a_token_on_a_complete_page_is_ignored() {
        let body = "<ListInventoryConfigurationsResult><IsTruncated>false</IsTruncated>\
                    <NextContinuationToken>x</NextContinuationToken></ListInventoryConfigurationsResult>";
        let page = list_page(200, &HeaderMap::new(), body.as_bytes()).unwrap();
        assert_eq!(page.next_token, None);
    }

    #[test]
    fn a_configuration_the_model_cannot_express_is_foreign_and_its_neighbours_are_read() {
        let good = xml::tests::VECTOR_BODY;
        let body = format!(
            "<ListInventoryConfigurationsResult><InventoryConfiguration><Id>bad1</Id>\
             <Schedule><Frequency>Hourly</Frequency></Schedule><FutureFeature/>\
             </InventoryConfiguration>{good}<IsTruncated>false</IsTruncated>\
             </ListInventoryConfigurationsResult>"
        );
        let page = list_page(200, &HeaderMap::new(), body.as_bytes()).unwrap();
        assert_eq!(page.items.len(), 2);
        let foreign = page.items[0].foreign().expect("foreign");
        assert_eq!(foreign.id, "bad1");
        assert_eq!(foreign.unmodelled, ["FutureFeature", "IsEnabled (missing)"]);
        assert!(
            foreign.raw_xml.contains("<FutureFeature/>"),
            "{}",
            foreign.raw_xml
        );
        assert!(page.items[1].modelled().is_some());
    }

    #[test]
    fn success_bodies_that_are_not_a_list_are_decode_errors() {
        let bodies: [&[u8]; 5] = [
            b"",
            b"<html><body>Service Unavailable</body></html>",
            b"<Error><Code>InternalError</Code><Message>m</Message></Error>",
            b"<ListInventoryConfigurationResult></ListInventoryConfigurationResult>",
            b"<ListInventoryConfigurationsResult><InventoryConfiguration><Id>a",
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
    fn get_404_is_none_but_a_missing_bucket_is_an_error() {
        let none = get(
            404,
            &HeaderMap::new(),
            error_body("NoSuchInventory").as_bytes(),
        );
        assert_eq!(none, Ok(None));
        assert!(
            get(
                404,
                &HeaderMap::new(),
                error_body("NoSuchBucket").as_bytes()
            )
            .is_err()
        );
    }

    #[test]
    fn put_conflict_is_a_service_error_with_status_409() {
        let err = put(
            409,
            &HeaderMap::new(),
            error_body("InventoryConfigurationAlreadyExists").as_bytes(),
        )
        .unwrap_err();
        let Failure::Service(e) = err else {
            panic!("expected a service error")
        };
        assert_eq!(e.status, 409);
        assert_eq!(e.code, "InventoryConfigurationAlreadyExists");
    }

    #[test]
    fn delete_of_a_missing_configuration_succeeds() {
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
                403,
                &HeaderMap::new(),
                error_body("AccessDenied").as_bytes()
            )
            .is_err()
        );
    }

    #[test]
    fn service_error_takes_every_field_from_the_body() {
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
                request_id: "5C3D9175B6FC201293AD0000".into(),
                ec: "0020-00000001".into(),
            }
        );
    }

    #[test]
    fn service_error_falls_back_to_headers_without_a_body() {
        let mut headers = HeaderMap::new();
        headers.insert("x-oss-request-id", HeaderValue::from_static("RID"));
        headers.insert("x-oss-ec", HeaderValue::from_static("0002-00000040"));
        let e = service_error(503, &headers, b"<html>busy</html>");
        assert_eq!(e.code, "Unknown");
        assert_eq!(e.request_id, "RID");
        assert_eq!(e.ec, "0002-00000040");
        assert!(
            e.message.contains("503 Service Unavailable"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("busy"));
    }

    #[test]
    fn signature_mismatch_details_are_not_kept() {
        let body = "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we \
                    calculated does not match</Message><RequestId>R</RequestId><HostId>h</HostId>\
                    <SignatureProvided>SIGNATURE-VALUE</SignatureProvided>\
                    <StringToSign>GET\n\n</StringToSign></Error>";
        let e = service_error(403, &HeaderMap::new(), body.as_bytes());
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("SIGNATURE-VALUE"));
        assert_eq!(e.code, "SignatureDoesNotMatch");
    }
}
