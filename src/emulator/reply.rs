//! HTTP responses: the `Date` header every service sends (SDKs use it to correct clock skew)
//! and the dialect's own headers and error bodies.

use std::time::SystemTime;

use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode, header};
use bytes::Bytes;

use super::dialect::EmulatedProvider;
use super::errors::{ApiError, ErrorContext};
use super::operations::RawBody;

/// What is being answered, for the common headers.
#[derive(Clone, Copy)]
pub(crate) struct ReplyContext<'a> {
    pub(crate) dialect: &'a dyn EmulatedProvider,
    pub(crate) request_id: &'a str,
    pub(crate) now: SystemTime,
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
    ctx.dialect.stamp(headers, ctx.request_id, ctx.now);
    response
}

/// A success answer: an XML document or an empty body.
pub(crate) fn success(ctx: &ReplyContext<'_>, status: u16, body: Option<String>) -> Response<Body> {
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

/// A success answer whose body is not an XML document (an object, a policy).
pub(crate) fn raw(ctx: &ReplyContext<'_>, status: u16, raw: RawBody) -> Response<Body> {
    let length = raw.bytes.len().to_string();
    let body = if raw.head_only {
        Body::empty()
    } else {
        Body::from(raw.bytes)
    };
    let mut response = base(ctx, status, body);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(raw.content_type),
    );
    if let Ok(v) = HeaderValue::from_str(&length) {
        headers.insert(header::CONTENT_LENGTH, v);
    }
    for (name, value) in raw.headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    response
}

/// An error answer in the dialect's XML shape.
pub(crate) fn error(
    ctx: &ReplyContext<'_>,
    error: &ApiError,
    where_: &ErrorContext<'_>,
) -> Response<Body> {
    let xml = ctx.dialect.error_body(error, where_);
    let mut response = base(ctx, error.status, Body::from(xml));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    ctx.dialect.stamp_error(headers, error);
    response
}

/// A success answer whose body is cut short, so it is not well-formed XML.
pub(crate) fn malformed(ctx: &ReplyContext<'_>, status: u16, body: &str) -> Response<Body> {
    let mut cut = body.len() / 2;
    while !body.is_char_boundary(cut) {
        cut -= 1;
    }
    success(ctx, status, Some(body[..cut].to_string()))
}

/// An answer that makes the server drop the connection: its body fails before the first
/// byte, which makes hyper abort the connection. The declared length and the 500 status make
/// sure a client that sees the head anyway still gets a failure, never a success.
pub(crate) fn connection_reset(ctx: &ReplyContext<'_>) -> Response<Body> {
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
