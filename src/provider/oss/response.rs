//! Reads OSS answers: the configuration reader of the OSS dialect, and the tests of OSS's
//! answers read by the shared rules of [`crate::provider::response`].

use super::xml;
use crate::model::{Inventory, Provider};
use crate::provider::document::ConfigReader;
use crate::provider::oss::model::OssInventory;

/// Reads one OSS configuration: every element the wire types know, every value the model
/// holds, or foreign.
pub const READER: ConfigReader<'static> = ConfigReader {
    provider: Provider::OSS,
    known: xml::KNOWN_ELEMENTS,
    convert: convert_config,
};

fn convert_config(raw: &str) -> Result<Inventory, Vec<String>> {
    let wire: xml::InventoryConfiguration =
        xml::from_str(raw).map_err(|e| vec![format!("(unreadable: {})", e.message())])?;
    OssInventory::try_from(&wire)
        .map(Inventory::new)
        .map_err(|e| vec![e.unmodelled_path()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ServiceError;
    use crate::provider::oss::client::Oss;
    use crate::provider::protocol::Dialect;
    use crate::provider::response::Failure;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn error_body(code: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
             <Message>m</Message><RequestId>5C3D9175B6FC201293AD0000</RequestId>\
             <HostId>h</HostId><EC>0020-00000001</EC></Error>"
        )
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
        let page = Oss::read_list(200, &HeaderMap::new(), body.as_bytes()).unwrap();
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
    fn put_conflict_is_a_service_error_with_status_409() {
        let err = Oss::read_put(
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
    fn service_error_takes_every_field_from_the_body() {
        let e = Oss::read_error(
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
        let e = Oss::read_error(503, &headers, b"<html>busy</html>");
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
        let e = Oss::read_error(403, &HeaderMap::new(), body.as_bytes());
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("SIGNATURE-VALUE"));
        assert_eq!(e.code, "SignatureDoesNotMatch");
    }
}
