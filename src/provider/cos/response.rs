//! Reads COS answers: the configuration reader of the COS dialect, and the tests of COS's
//! answers read by the shared rules of [`crate::provider::response`].

use super::xml;
use crate::model::{CosInventory, Inventory, Provider};
use crate::provider::document::ConfigReader;

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

#[cfg(test)]
mod tests {
    use crate::provider::ServiceError;
    use crate::provider::cos::client::Cos;
    use crate::provider::paginate::ListPage;
    use crate::provider::protocol::Dialect;
    use crate::provider::response::Failure;
    use reqwest::header::{HeaderMap, HeaderValue};

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
    fn service_error_takes_code_message_and_request_id_from_the_body() {
        let e = Cos::read_error(
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
        let e = Cos::read_error(503, &headers, b"<html>busy</html>");
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
        let page = Cos::read_list(200, &HeaderMap::new(), body.as_bytes()).unwrap();
        assert_eq!(page.items.len(), 1);
        assert!(page.items[0].modelled().is_some());
        assert_eq!(page.next_token.as_deref(), Some("t1"));
    }

    #[test]
    fn the_last_page_has_no_next_token_even_when_one_is_sent() {
        let body = "<ListInventoryConfigurationResult><IsTruncated>FALSE</IsTruncated>\
                    <NextContinuationToken>x</NextContinuationToken></ListInventoryConfigurationResult>";
        let page = Cos::read_list(200, &HeaderMap::new(), body.as_bytes()).unwrap();
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
                    Cos::read_list(200, &HeaderMap::new(), body.as_bytes()),
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
                    Cos::read_list(200, &HeaderMap::new(), body),
                    Err(Failure::Decode(_) | Failure::Body(_))
                ),
                "{body:?}"
            );
            assert!(
                matches!(
                    Cos::read_get(200, &HeaderMap::new(), body),
                    Err(Failure::Decode(_) | Failure::Body(_))
                ),
                "{body:?}"
            );
        }
    }

    #[test]
    fn a_list_404_naming_the_inventory_means_no_configurations_but_no_such_bucket_does_not() {
        let Err(Failure::Service(e)) = Cos::read_list(
            404,
            &HeaderMap::new(),
            error_body("NoSuchInventoryConfiguration").as_bytes(),
        ) else {
            panic!("a 404 is a service failure of the page")
        };
        assert!(Cos::means_no_configurations(&e));
        let Err(Failure::Service(e)) = Cos::read_list(
            404,
            &HeaderMap::new(),
            error_body("NoSuchBucket").as_bytes(),
        ) else {
            panic!("a 404 is a service failure of the page")
        };
        assert!(!Cos::means_no_configurations(&e));
    }

    #[test]
    fn get_404_is_none_but_a_missing_bucket_is_an_error() {
        assert_eq!(Cos::read_get(404, &HeaderMap::new(), b""), Ok(None));
        assert!(
            Cos::read_get(
                404,
                &HeaderMap::new(),
                error_body("NoSuchBucket").as_bytes()
            )
            .is_err()
        );
        let got = Cos::read_get(200, &HeaderMap::new(), CONFIG.as_bytes()).unwrap();
        assert_eq!(got.unwrap().id(), "list1");
    }

    #[test]
    fn delete_of_a_missing_configuration_succeeds_but_not_of_a_missing_bucket() {
        assert_eq!(Cos::read_delete(204, &HeaderMap::new(), b""), Ok(()));
        assert_eq!(
            Cos::read_delete(
                404,
                &HeaderMap::new(),
                error_body("NoSuchInventory").as_bytes()
            ),
            Ok(())
        );
        assert!(
            Cos::read_delete(
                404,
                &HeaderMap::new(),
                error_body("NoSuchBucket").as_bytes()
            )
            .is_err()
        );
        assert!(
            Cos::read_put(
                403,
                &HeaderMap::new(),
                error_body("AccessDenied").as_bytes()
            )
            .is_err()
        );
        assert_eq!(Cos::read_put(200, &HeaderMap::new(), b""), Ok(()));
    }
}
