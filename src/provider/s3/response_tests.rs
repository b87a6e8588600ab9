//! Tests of the S3 answer reader, with the error codes and messages recorded against AWS
//! (`reference/s3-api.md` §4).

use super::*;
use crate::model::{Inventory, LiveConfig, Provider};
use crate::provider::ServiceError;
use crate::provider::paginate::ListPage;
use crate::provider::protocol::Dialect;
use crate::provider::response::Failure;
use crate::provider::s3::client::S3;
use crate::provider::s3::convert::tests::full_inventory;
use crate::provider::s3::xml::tests::FULL_BODY;
use reqwest::header::{HeaderMap, HeaderValue};

fn error_body(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
         <Message>{message}</Message><RequestId>7YK1XBVG5YBEZM2V</RequestId>\
         <HostId>h0st</HostId></Error>"
    )
}

fn no_headers() -> HeaderMap {
    HeaderMap::new()
}

fn list_of(configs: &str, tail: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListInventoryConfigurationsResult \
         xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{configs}{tail}\
         </ListInventoryConfigurationsResult>"
    )
}

#[test]
fn an_empty_bucket_is_a_page_with_is_truncated_false_and_nothing_else() {
    let body = list_of("", "<IsTruncated>false</IsTruncated>");
    assert_eq!(
        S3::read_list(200, &no_headers(), body.as_bytes()),
        Ok(ListPage {
            items: vec![],
            next_token: None
        })
    );
}

#[test]
fn a_truncated_page_carries_the_next_token() {
    let body = list_of(
        FULL_BODY,
        "<IsTruncated>true</IsTruncated><NextContinuationToken>opaque==</NextContinuationToken>",
    );
    let page = S3::read_list(200, &no_headers(), body.as_bytes()).unwrap();
    assert_eq!(
        page.items,
        [LiveConfig::Modelled(Inventory::new(full_inventory()))]
    );
    assert_eq!(page.next_token.as_deref(), Some("opaque=="));
}

#[test]
fn a_page_that_cannot_be_trusted_is_a_decode_error() {
    let bodies = [
        list_of("", ""),
        list_of("", "<IsTruncated>true</IsTruncated>"),
        list_of("", "<IsTruncated>maybe</IsTruncated>"),
        String::new(),
        "<html><body>Service Unavailable</body></html>".to_string(),
        error_body("InternalError", "We encountered an internal error."),
        "<ListInventoryConfigurationResult><IsTruncated>false</IsTruncated></ListInventoryConfigurationResult>".to_string(),
        "<ListInventoryConfigurationsResult><InventoryConfiguration><Id>a".to_string(),
    ];
    for body in bodies {
        assert!(
            matches!(
                S3::read_list(200, &no_headers(), body.as_bytes()),
                Err(Failure::Decode(_) | Failure::Body(_))
            ),
            "{body}"
        );
    }
    for body in ["", "<html>x</html>", "<Other/>"] {
        assert!(
            matches!(
                S3::read_get(200, &no_headers(), body.as_bytes()),
                Err(Failure::Decode(_) | Failure::Body(_))
            ),
            "{body}"
        );
    }
}

#[test]
fn a_configuration_with_a_newer_optional_field_is_foreign_and_its_neighbours_are_read() {
    let newer = FULL_BODY
        .replace("report1", "newer")
        .replace(
            "<Field>ETag</Field>",
            "<Field>ETag</Field><Field>FutureColumn</Field>",
        )
        .replace("<Id>", "<FutureElement>x</FutureElement><Id>");
    let body = list_of(
        &format!("{FULL_BODY}{newer}"),
        "<IsTruncated>false</IsTruncated>",
    );
    let page = S3::read_list(200, &no_headers(), body.as_bytes()).unwrap();
    assert_eq!(
        page.items[0],
        LiveConfig::Modelled(Inventory::new(full_inventory()))
    );
    let foreign = page.items[1].foreign().expect("a foreign configuration");
    assert_eq!(foreign.provider, Provider::S3);
    assert_eq!(foreign.id, "newer");
    assert_eq!(foreign.raw_xml, newer);
    assert_eq!(
        foreign.unmodelled,
        ["FutureElement", "OptionalFields/Field=FutureColumn"]
    );
}

#[test]
fn get_of_a_missing_id_is_none_but_a_missing_bucket_is_an_error() {
    let missing = error_body(
        "NoSuchConfiguration",
        "The specified configuration does not exist.",
    );
    assert_eq!(
        S3::read_get(404, &no_headers(), missing.as_bytes()),
        Ok(None)
    );
    let bucket = error_body("NoSuchBucket", "The specified bucket does not exist");
    let Err(Failure::Service(e)) = S3::read_get(404, &no_headers(), bucket.as_bytes()) else {
        panic!("a missing bucket must be an error");
    };
    assert_eq!(e.code, "NoSuchBucket");
}

#[test]
fn get_reads_the_configuration_document() {
    let got = S3::read_get(200, &no_headers(), FULL_BODY.as_bytes()).unwrap();
    assert_eq!(
        got,
        Some(LiveConfig::Modelled(Inventory::new(full_inventory())))
    );
}

#[test]
fn put_and_delete_succeed_with_204_and_200() {
    for status in [200, 204] {
        assert_eq!(S3::read_put(status, &no_headers(), b""), Ok(()));
        assert_eq!(S3::read_delete(status, &no_headers(), b""), Ok(()));
    }
    let gone = error_body(
        "NoSuchConfiguration",
        "The specified configuration does not exist.",
    );
    assert_eq!(S3::read_delete(404, &no_headers(), gone.as_bytes()), Ok(()));
}

#[test]
fn put_errors_keep_the_recorded_code_message_and_request_id() {
    let cases = [
        (
            "IdMismatch",
            "Document ID does not match the specified configuration ID.",
        ),
        ("InvalidS3DestinationBucket", "Invalid bucket ARN."),
        (
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our published schema",
        ),
    ];
    for (code, message) in cases {
        let Err(Failure::Service(e)) =
            S3::read_put(400, &no_headers(), error_body(code, message).as_bytes())
        else {
            panic!("{code} must be an error");
        };
        assert_eq!(
            e,
            ServiceError {
                status: 400,
                code: code.into(),
                message: message.into(),
                request_id: "7YK1XBVG5YBEZM2V".into(),
                ec: String::new(),
            }
        );
        assert!(
            e.to_string().contains("(request id 7YK1XBVG5YBEZM2V)"),
            "{e}"
        );
    }
}

#[test]
fn the_request_id_falls_back_to_the_header_and_a_bodyless_error_names_its_status() {
    let mut headers = HeaderMap::new();
    headers.insert("x-amz-request-id", HeaderValue::from_static("HDRID"));
    let e = S3::read_error(503, &headers, b"");
    assert_eq!(e.code, "Unknown");
    assert_eq!(e.request_id, "HDRID");
    assert!(
        e.message.contains("503 Service Unavailable"),
        "{}",
        e.message
    );
    let slow = S3::read_error(
        503,
        &headers,
        b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
    );
    assert_eq!(slow.code, "SlowDown");
    assert_eq!(slow.request_id, "HDRID");
}

#[test]
fn reading_arbitrary_configuration_text_never_panics() {
    for raw in [
        "",
        "<",
        "<InventoryConfiguration/>",
        "<A><B></A>",
        "<InventoryConfiguration><Id>x</Id></InventoryConfiguration>",
    ] {
        assert!(READER.read(raw).foreign().is_some(), "{raw}");
    }
}
