//! Reads OSS answers: status, headers and body to domain results or provider errors.
//!
//! Pure: the client hands over what the transport received. Status rules per operation:
//! - LIST: 200 is a page; **404 `NoSuchInventory` is an empty list** (OSS answers so for a
//!   bucket without configurations).
//! - GET: 200 is the configuration; 404 is `None`, except `NoSuchBucket`, which is an error
//!   (a wrong bucket must not look like a bucket without configurations).
//! - PUT: any 2xx (OSS answers 200); 409 `InventoryConfigurationAlreadyExists` is an error
//!   like every other status, for the reconciler to turn into delete + put.
//! - DELETE: any 2xx (OSS answers 204); 404 is success (already gone) except `NoSuchBucket`.

use reqwest::header::HeaderMap;

use super::xml;
use crate::model::OssInventory;
use crate::provider::ServiceError;

/// Why an answer is not a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The service answered with an error status.
    Service(ServiceError),
    /// A success status with a body that is not the documented XML.
    Decode(String),
}

/// One page of a LIST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage {
    pub items: Vec<OssInventory>,
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

/// The provider's error from an error answer: the `<Error>` body's Code, Message, RequestId
/// and EC, each falling back to the `x-oss-request-id` / `x-oss-ec` headers, or to a
/// description of the status when there is no XML body.
///
/// Only these four fields are kept: the `StringToSign` and `SignatureProvided` elements of a
/// `SignatureDoesNotMatch` body never leave this function.
pub fn service_error(status: u16, headers: &HeaderMap, body: &[u8]) -> ServiceError {
    let parsed = std::str::from_utf8(body)
        .ok()
        .and_then(|text| xml::Error::from_xml(text).ok())
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

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

fn body_text(body: &[u8]) -> Result<&str, Failure> {
    std::str::from_utf8(body).map_err(|_| Failure::Decode("body is not UTF-8".to_string()))
}

fn convert(cfg: &xml::InventoryConfiguration) -> Result<OssInventory, Failure> {
    OssInventory::try_from(cfg)
        .map_err(|e| Failure::Decode(format!("configuration `{}`: {e}", cfg.id)))
}

/// Reads a LIST answer.
pub fn list_page(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<ListPage, Failure> {
    if !is_success(status) {
        let error = service_error(status, headers, body);
        if status == 404 && error.code == "NoSuchInventory" {
            return Ok(ListPage {
                items: Vec::new(),
                next_token: None,
            });
        }
        return Err(Failure::Service(error));
    }
    let list = xml::ListInventoryConfigurationsResult::from_xml(body_text(body)?)
        .map_err(|e| Failure::Decode(e.to_string()))?;
    let items = list
        .inventory_configurations
        .iter()
        .map(convert)
        .collect::<Result<Vec<_>, _>>()?;
    let next_token = list.next_continuation_token.filter(|t| !t.is_empty());
    if list.is_truncated && next_token.is_none() {
        return Err(Failure::Decode(
            "truncated list without NextContinuationToken".to_string(),
        ));
    }
    Ok(ListPage {
        items,
        next_token: if list.is_truncated { next_token } else { None },
    })
}

/// True for a 404 that says the bucket itself does not exist.
fn is_missing_bucket(status: u16, error: &ServiceError) -> bool {
    status == 404 && error.code == "NoSuchBucket"
}

/// Reads a GET answer: `None` when the configuration does not exist.
pub fn get(status: u16, headers: &HeaderMap, body: &[u8]) -> Result<Option<OssInventory>, Failure> {
    if !is_success(status) {
        let error = service_error(status, headers, body);
        if status == 404 && !is_missing_bucket(status, &error) {
            return Ok(None);
        }
        return Err(Failure::Service(error));
    }
    let cfg = xml::InventoryConfiguration::from_xml(body_text(body)?)
        .map_err(|e| Failure::Decode(e.to_string()))?;
    convert(&cfg).map(Some)
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
    if status == 404 && !is_missing_bucket(status, &error) {
        return Ok(());
    }
    Err(Failure::Service(error))
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
    fn list_answering_no_such_inventory_is_an_empty_list() {
        let page = list_page(
            404,
            &HeaderMap::new(),
            error_body("NoSuchInventory").as_bytes(),
        );
        assert_eq!(
            page,
            Ok(ListPage {
                items: vec![],
                next_token: None
            })
        );
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
    fn an_invalid_configuration_in_a_list_names_it() {
        let body = "<ListInventoryConfigurationsResult><InventoryConfiguration><Id>bad1</Id>\
                    </InventoryConfiguration></ListInventoryConfigurationsResult>";
        let Err(Failure::Decode(message)) = list_page(200, &HeaderMap::new(), body.as_bytes())
        else {
            panic!("expected a decode error");
        };
        assert!(
            message.contains("bad1") && message.contains("IsEnabled"),
            "{message}"
        );
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
