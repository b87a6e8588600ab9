//! COS's answer format. Pure.
//!
//! Every answer has `x-cos-request-id` (cos-nodejs-sdk-v5 treats its absence as a proxy
//! error), `x-cos-trace-id` and `Server: tencent-cos`. An error body is
//! `<Error><Code/><Message/><Resource/><RequestId/><TraceId/></Error>`, every field non-empty
//! (cos-python-sdk-v5 falls back to "Unknown" otherwise).

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::emulator::errors::{ApiError, ErrorContext, element};

/// A request id like real ones: base64 of `{time}_{random}_{counter}_{hash}`.
pub(super) fn request_id(now: SystemTime, counter: u64, random: u32) -> String {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    STANDARD.encode(format!(
        "{:08x}_{random:08x}_{counter:x}_{:x}",
        secs as u32,
        counter.wrapping_mul(2_654_435_761) & 0xff_ffff
    ))
}

/// A trace id derived from the request id (real ones are opaque base64 as well).
fn trace_id(request_id: &str) -> String {
    STANDARD.encode(format!("trace/{request_id}"))
}

/// Adds COS's headers of every answer.
pub(super) fn stamp(headers: &mut HeaderMap, request_id: &str) {
    let id = HeaderValue::from_str(request_id).unwrap_or(HeaderValue::from_static("0"));
    headers.insert(header::SERVER, HeaderValue::from_static("tencent-cos"));
    if let Ok(trace) = HeaderValue::from_str(&trace_id(request_id)) {
        headers.insert("x-cos-trace-id", trace);
    }
    headers.insert("x-cos-request-id", id);
}

/// The XML body of a COS error answer.
pub(super) fn error_body(error: &ApiError, at: &ErrorContext<'_>) -> String {
    let mut out = String::from("<?xml version='1.0' encoding='utf-8' ?>\n<Error>");
    element(&mut out, "Code", &error.code);
    element(&mut out, "Message", &error.message);
    element(&mut out, "Resource", &format!("{}{}", at.host, at.path));
    element(&mut out, "RequestId", at.request_id);
    element(&mut out, "TraceId", &trace_id(at.request_id));
    for (name, value) in &error.extra {
        element(&mut out, name, value);
    }
    out.push_str("</Error>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_have_every_field_non_empty() {
        let at = ErrorContext {
            request_id: "NjU1ZjAwMDBfMDAwMDAwMDE=",
            host: "b-1250000000.cos.ap-guangzhou.myqcloud.com",
            path: "/",
            bucket: Some("b-1250000000"),
        };
        let body = error_body(&ApiError::malformed_xml(), &at);
        for field in ["Code", "Message", "Resource", "RequestId", "TraceId"] {
            assert!(body.contains(&format!("<{field}>")), "{field} in {body}");
            assert!(
                !body.contains(&format!("<{field}></{field}>")),
                "{field} empty"
            );
        }
        assert!(body.contains("<Resource>b-1250000000.cos.ap-guangzhou.myqcloud.com/</Resource>"));
    }

    #[test]
    fn request_ids_are_base64_of_time_random_and_counter() {
        let now = UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let id = request_id(now, 7, 1);
        let decoded = String::from_utf8(STANDARD.decode(&id).unwrap()).unwrap();
        assert!(decoded.starts_with("6553f100_00000001_7_"), "{decoded}");
    }
}
