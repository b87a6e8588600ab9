//! HTTP responses with the headers each service puts on every answer.
//!
//! COS: `x-cos-request-id` (cos-nodejs-sdk-v5 treats its absence as a proxy error),
//! `x-cos-trace-id`, `Server: tencent-cos`. OSS: `x-oss-request-id` (24 characters),
//! `x-oss-server-time`, `Server: AliyunOSS`, and `x-oss-ec` on errors. S3: `x-amz-request-id`,
//! `x-amz-id-2`, `Server: AmazonS3`. All send `Date`, which SDKs use to correct clock skew.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;

use super::errors::{self, ApiError, ErrorContext};
use super::s3_reply;
use crate::model::Provider;

/// A request id in `provider`'s format, unique per `counter`.
///
/// COS ids are base64 of `{time}_{random}_{counter}` like real ones; OSS ids are 24 uppercase
/// hex characters (the OSS live tests assert the length); S3 ids are 16.
pub fn request_id(provider: Provider, now: SystemTime, counter: u64, random: u32) -> String {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    match provider {
        Provider::Cos => STANDARD.encode(format!(
            "{:08x}_{random:08x}_{counter:x}_{:x}",
            secs as u32,
            counter.wrapping_mul(2_654_435_761) & 0xff_ffff
        )),
        Provider::Oss => format!("{:08X}{:08X}{:08X}", secs as u32, random, counter as u32),
        Provider::S3 => s3_reply::request_id(now, counter, random),
    }
}

/// What is being answered, for the common headers.
#[derive(Debug, Clone)]
pub struct ReplyContext<'a> {
    pub provider: Provider,
    pub request_id: &'a str,
    pub now: SystemTime,
}

fn base(ctx: &ReplyContext<'_>, status: u16, body: Body) -> Response<Body> {
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    let date = httpdate::fmt_http_date(ctx.now);
    if let Ok(v) = HeaderValue::from_str(&date) {
        headers.insert(header::DATE, v);
    }
    let id = HeaderValue::from_str(ctx.request_id).unwrap_or(HeaderValue::from_static("0"));
    match ctx.provider {
        Provider::Cos => {
            headers.insert(header::SERVER, HeaderValue::from_static("tencent-cos"));
            if let Ok(trace) = HeaderValue::from_str(&errors::cos_trace_id(ctx.request_id)) {
                headers.insert("x-cos-trace-id", trace);
            }
            headers.insert("x-cos-request-id", id);
        }
        Provider::Oss => {
            headers.insert(header::SERVER, HeaderValue::from_static("AliyunOSS"));
            let millis = ctx
                .now
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis());
            if let Ok(v) = HeaderValue::from_str(&millis.to_string()) {
                headers.insert("x-oss-server-time", v);
            }
            headers.insert("x-oss-request-id", id);
        }
        Provider::S3 => {
            headers.insert(header::SERVER, HeaderValue::from_static(s3_reply::SERVER));
            if let Ok(v) = HeaderValue::from_str(&s3_reply::host_id(ctx.request_id)) {
                headers.insert("x-amz-id-2", v);
            }
            headers.insert("x-amz-request-id", id);
        }
    }
    response
}

/// A success answer: an XML document or an empty body.
pub fn success(ctx: &ReplyContext<'_>, status: u16, body: Option<String>) -> Response<Body> {
    match body {
        Some(xml) => {
            let mut response = base(ctx, status, Body::from(xml));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/xml"),
            );
            response
        }
        None => {
            let mut response = base(ctx, status, Body::empty());
            response
                .headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
            response
        }
    }
}

/// An error answer in `ctx.provider`'s XML shape.
pub fn error(
    ctx: &ReplyContext<'_>,
    error: &ApiError,
    where_: &ErrorContext<'_>,
) -> Response<Body> {
    let xml = errors::render(ctx.provider, error, where_);
    let mut response = base(ctx, error.status, Body::from(xml));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    if ctx.provider == Provider::Oss
        && let Ok(v) = HeaderValue::from_str(&error.ec)
    {
        headers.insert("x-oss-ec", v);
    }
    response
}

/// A success answer whose body is cut short, so it is not well-formed XML.
pub fn malformed(ctx: &ReplyContext<'_>, status: u16, body: &str) -> Response<Body> {
    let mut cut = body.len() / 2;
    while !body.is_char_boundary(cut) {
        cut -= 1;
    }
    success(ctx, status, Some(body[..cut].to_string()))
}

/// An answer that makes the server drop the connection: its body fails before the first
/// byte, which makes hyper abort the connection. The declared length and the 500 status make
/// sure a client that sees the head anyway still gets a failure, never a success.
pub fn connection_reset(ctx: &ReplyContext<'_>) -> Response<Body> {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection reset injected by the emulator",
        ))
    });
    let mut response = base(ctx, 500, Body::from_stream(failing));
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("64"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oss_request_ids_are_24_characters_and_cos_ids_are_base64() {
        let now = UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let oss = request_id(Provider::Oss, now, 7, 0xdead_beef);
        assert_eq!(oss.len(), 24);
        assert!(oss.bytes().all(|b| b.is_ascii_hexdigit()));
        let cos = request_id(Provider::Cos, now, 7, 1);
        let decoded = String::from_utf8(STANDARD.decode(&cos).unwrap()).unwrap();
        assert!(decoded.starts_with("6553f100_00000001_7_"), "{decoded}");
        assert_ne!(request_id(Provider::Oss, now, 8, 0xdead_beef), oss);
    }
}
