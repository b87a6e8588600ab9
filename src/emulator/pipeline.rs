//! The request pipeline of the emulated APIs: route → faults → body → signature →
//! Content-MD5 → operation → answer, counting every routed request.

use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Response, header};

use super::auth;
use super::errors::{ApiError, ErrorContext, ec};
use super::faults::FaultAction;
use super::reply::{self, ReplyContext};
use super::route::{self, strip_port};
use super::s3_route;
use super::shared::{PlannedFault, Shared};
use super::stats::STATUS_CONNECTION_RESET;
use crate::provider::Operation;

/// Largest request body read; inventory configurations are a few KiB.
const MAX_BODY_BYTES: usize = 1 << 20;

/// What the request looked like on the wire, for authentication.
pub(crate) struct WireRequest<'a> {
    pub(crate) method: &'a str,
    /// The Host header as sent (port included).
    pub(crate) host: &'a str,
    pub(crate) headers: &'a HeaderMap,
    /// The request body (S3 signs its hash).
    pub(crate) body: &'a [u8],
}

impl WireRequest<'_> {
    /// Every header as a `(name, value)` pair; values that are not UTF-8 are replaced rather
    /// than dropped, so that a signature over them fails instead of passing.
    pub(crate) fn owned_headers(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect()
    }
}

/// Borrows owned pairs as the `&str` pairs the signers take.
pub(crate) fn as_pairs(owned: &[(String, String)]) -> Vec<(&str, &str)> {
    owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// Answers one request that is not for `/_emulator/*`.
pub(crate) async fn handle_api(
    State(shared): State<Arc<Shared>>,
    request: Request,
) -> Response<Body> {
    let now = SystemTime::now();
    let (parts, body) = request.into_parts();
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_default();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let method = parts.method.as_str().to_string();

    let sigv4 = s3_route::is_sigv4(
        parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
        parts.headers.contains_key("x-amz-date"),
    );
    let request = match route::route(&method, &host, &path, &query, sigv4) {
        Ok(request) => request,
        Err(e) => {
            let request_id = shared.next_request_id(e.provider, now);
            let ctx = ReplyContext {
                provider: e.provider,
                request_id: &request_id,
                now,
            };
            let error = ApiError::new(e.status, e.code, e.message).with_ec(ec::NOT_IMPLEMENTED);
            let where_ = ErrorContext {
                request_id: &request_id,
                host: strip_port(&host),
                path: &path,
                bucket: e.bucket.as_deref(),
            };
            return reply::error(&ctx, &error, &where_);
        }
    };
    let request_id = shared.next_request_id(request.provider, now);
    let ctx = ReplyContext {
        provider: request.provider,
        request_id: &request_id,
        now,
    };
    let where_ = ErrorContext {
        request_id: &request_id,
        host: strip_port(&host),
        path: &path,
        bucket: Some(&request.bucket),
    };

    let PlannedFault {
        latency,
        action,
        retry_after_secs,
    } = shared.fault_action(&request);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match &action {
        FaultAction::Reset => {
            shared.record(&request, STATUS_CONNECTION_RESET);
            return reply::connection_reset(&ctx);
        }
        FaultAction::Error(error) => {
            shared.record(&request, error.status);
            let mut response = reply::error(&ctx, error, &where_);
            if let Some(secs) = retry_after_secs {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, secs.into());
            }
            return response;
        }
        FaultAction::None | FaultAction::Malformed => {}
    }

    let result = async {
        let body = axum::body::to_bytes(body, MAX_BODY_BYTES)
            .await
            .map_err(|_| {
                ApiError::new(
                    400,
                    "EntityTooLarge",
                    "Your proposed upload exceeds the maximum allowed size.",
                )
            })?;
        let wire = WireRequest {
            method: &method,
            host: &host,
            headers: &parts.headers,
            body: &body,
        };
        auth::authenticate(&shared.config, &request, &wire, now)?;
        auth::check_content_md5(
            request.provider,
            &parts.headers,
            &body,
            shared.config.require_content_md5 && request.operation == Operation::Put,
        )?;
        shared.execute(&request, &body)
    }
    .await;

    let status = match &result {
        Ok(outcome) => outcome.success.status,
        Err(error) => error.status,
    };
    tracing::debug!(
        provider = %request.provider,
        operation = %request.operation,
        bucket = %request.bucket,
        status,
        request_id = %request_id,
        "emulator request"
    );
    match result {
        Ok(outcome) => {
            let status = outcome.success.status;
            shared.record(&request, status);
            match (&action, &outcome.success.body) {
                (FaultAction::Malformed, Some(body)) => reply::malformed(&ctx, status, body),
                _ => reply::success(&ctx, status, outcome.success.body),
            }
        }
        Err(error) => {
            shared.record(&request, error.status);
            reply::error(&ctx, &error, &where_)
        }
    }
}
