//! S3's answer format: request ids, `x-amz-id-2`, and the `<Error>` document. Pure.
//!
//! S3 sends `x-amz-request-id` (16 uppercase hex characters) and `x-amz-id-2` (an opaque
//! base64 host id) on every answer, and `Server: AmazonS3`; an error body is
//! `<Error><Code/><Message/>…<RequestId/><HostId/></Error>`, with error-specific elements
//! (`StringToSign`, `Region`, `BucketName`, …) between `Message` and `RequestId`.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use crate::emulator::errors::{ApiError, element};

/// The `Server` header value.
pub(crate) const SERVER: &str = "AmazonS3";

/// A request id in S3's format (16 uppercase hex characters), unique per `counter`.
pub(super) fn request_id(now: SystemTime, counter: u64, random: u32) -> String {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    format!(
        "{:04X}{:04X}{:08X}",
        secs as u16, random as u16, counter as u32
    )
}

/// The `x-amz-id-2` value (and `HostId`) that goes with `request_id`: base64 like real ones.
pub(super) fn host_id(request_id: &str) -> String {
    STANDARD.encode(Sha256::digest(
        format!("invsync-s3/{request_id}").as_bytes(),
    ))
}

/// Adds S3's headers of every answer.
pub(crate) fn stamp(headers: &mut HeaderMap, request_id: &str) {
    let id = HeaderValue::from_str(request_id).unwrap_or(HeaderValue::from_static("0"));
    headers.insert(header::SERVER, HeaderValue::from_static(SERVER));
    if let Ok(v) = HeaderValue::from_str(&host_id(request_id)) {
        headers.insert("x-amz-id-2", v);
    }
    headers.insert("x-amz-request-id", id);
}

/// The XML body of an S3 error answer.
pub(crate) fn render_error(error: &ApiError, request_id: &str) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>");
    element(&mut out, "Code", &error.code);
    element(&mut out, "Message", &error.message);
    for (name, value) in &error.extra {
        element(&mut out, name, value);
    }
    element(&mut out, "RequestId", request_id);
    element(&mut out, "HostId", &host_id(request_id));
    out.push_str("</Error>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_16_uppercase_hex_characters_and_unique_per_counter() {
        let now = UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let id = request_id(now, 7, 0xdead_beef);
        assert_eq!(id.len(), 16);
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        );
        assert_ne!(request_id(now, 8, 0xdead_beef), id);
        assert_ne!(host_id(&id), host_id(&request_id(now, 8, 0xdead_beef)));
    }

    #[test]
    fn errors_have_code_message_extras_request_id_and_host_id_in_that_order() {
        let error = ApiError::new(400, "AuthorizationHeaderMalformed", "a <b>")
            .with_extra("Region", "eu-west-1");
        let body = render_error(&error, "0123456789ABCDEF");
        let host = host_id("0123456789ABCDEF");
        assert_eq!(
            body,
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AuthorizationHeaderMalformed</Code>\
                 <Message>a &lt;b&gt;</Message><Region>eu-west-1</Region>\
                 <RequestId>0123456789ABCDEF</RequestId><HostId>{host}</HostId></Error>"
            )
        );
    }
}
