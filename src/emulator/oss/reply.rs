//! OSS's answer format. Pure.
//!
//! Every answer has `x-oss-request-id` (24 characters), `x-oss-server-time` and
//! `Server: AliyunOSS`; errors add `x-oss-ec`. An error body is `<Error>` with Code, Message,
//! RequestId, HostId, BucketName, the error's extras, EC and RecommendDoc.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue, header};

use crate::emulator::errors::{ApiError, ErrorContext, element};

/// A request id of 24 uppercase hex characters (the OSS live tests assert the length).
pub(super) fn request_id(now: SystemTime, counter: u64, random: u32) -> String {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    format!("{:08X}{:08X}{:08X}", secs as u32, random, counter as u32)
}

/// Adds OSS's headers of every answer.
pub(super) fn stamp(headers: &mut HeaderMap, request_id: &str, now: SystemTime) {
    let id = HeaderValue::from_str(request_id).unwrap_or(HeaderValue::from_static("0"));
    headers.insert(header::SERVER, HeaderValue::from_static("AliyunOSS"));
    let millis = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    if let Ok(v) = HeaderValue::from_str(&millis.to_string()) {
        headers.insert("x-oss-server-time", v);
    }
    headers.insert("x-oss-request-id", id);
}

/// Adds `x-oss-ec` to an error answer.
pub(super) fn stamp_error(headers: &mut HeaderMap, error: &ApiError) {
    if let Ok(v) = HeaderValue::from_str(&error.ec) {
        headers.insert("x-oss-ec", v);
    }
}

/// The XML body of an OSS error answer.
pub(super) fn error_body(error: &ApiError, at: &ErrorContext<'_>) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>");
    element(&mut out, "Code", &error.code);
    element(&mut out, "Message", &error.message);
    element(&mut out, "RequestId", at.request_id);
    element(&mut out, "HostId", at.host);
    if let Some(bucket) = at.bucket {
        element(&mut out, "BucketName", bucket);
    }
    for (name, value) in &error.extra {
        element(&mut out, name, value);
    }
    element(&mut out, "EC", &error.ec);
    element(
        &mut out,
        "RecommendDoc",
        &format!("https://api.aliyun.com/troubleshoot?q={}", error.ec),
    );
    out.push_str("</Error>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::oss::ec;

    #[test]
    fn errors_carry_ec_and_host_id_and_escape_extras() {
        let at = ErrorContext {
            request_id: "NjU1ZjAwMDBfMDAwMDAwMDE=",
            host: "b-1250000000.cos.ap-guangzhou.myqcloud.com",
            path: "/",
            bucket: Some("b-1250000000"),
        };
        let error = ApiError::new(403, "SignatureDoesNotMatch", "bad")
            .with_ec(ec::SIGNATURE_V1)
            .with_extra("StringToSign", "GET\n<&>");
        let body = error_body(&error, &at);
        assert!(body.contains("<EC>0002-00000040</EC>"));
        assert!(body.contains("<HostId>b-1250000000.cos.ap-guangzhou.myqcloud.com</HostId>"));
        assert!(body.contains("<StringToSign>GET\n&lt;&amp;&gt;</StringToSign>"));
        assert!(body.contains("<BucketName>b-1250000000</BucketName>"));
    }

    #[test]
    fn request_ids_are_24_hex_characters_and_unique_per_counter() {
        let now = UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let id = request_id(now, 7, 0xdead_beef);
        assert_eq!(id.len(), 24);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(request_id(now, 8, 0xdead_beef), id);
    }
}
