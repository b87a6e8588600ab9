//! Reads COS answers: the configuration reader of the COS dialect, and the tests of COS's
//! answers read by the shared rules of [`crate::provider::response`].

use super::xml;
use crate::model::{Inventory, Provider};
use crate::provider::cos::model::CosInventory;
use crate::provider::document::ConfigReader;

/// Reads one COS configuration: every element the wire types know, every value the model
/// holds, or foreign.
pub const READER: ConfigReader<'static> = ConfigReader {
    provider: Provider::COS,
    known: xml::KNOWN_ELEMENTS,
    convert: convert_config,
};

fn convert_config(raw: &str) -> Result<Inventory, Vec<String>> {
    let wire: xml::InventoryConfiguration =
        xml::from_str(raw).map_err(|e| vec![format!("(unreadable: {e})")])?;
    CosInventory::try_from(&wire)
        .map(Inventory::new)
        .map_err(|e| vec![e.unmodelled_path()])
}

#[cfg(test)]
mod tests {
    use crate::provider::ServiceError;
    use crate::provider::cos::client::Cos;
    use crate::provider::protocol::Dialect;
    use reqwest::header::{HeaderMap, HeaderValue};

    #[test]
    fn service_error_reads_a_cos_body_as_cos_writes_it() {
        let body = "<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>AccessDenied</Code>\
                    <Message>m</Message><Resource>r</Resource><RequestId>NjVhYzQx</RequestId>\
                    <TraceId>t</TraceId></Error>";
        let e = Cos::read_error(403, &HeaderMap::new(), body.as_bytes());
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
}
