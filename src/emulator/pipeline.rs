//! The request pipeline of the emulated APIs, as layers that name no provider:
//! route (the one place a dialect is chosen) → fault → auth (body, signature, Content-MD5) →
//! execute → reply, counting every routed request.

use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{Response, header};

use super::call::Call;
use super::content_md5::check_content_md5;
use super::dialect::{EmulatedProvider, Failure};
use super::dialects;
use super::errors::{ApiError, ErrorContext, ec};
use super::faults::FaultAction;
use super::operations::{Outcome, Success};
use super::reply::{self, ReplyContext};
use super::route::{ApiRequest, strip_port};
use super::shared::{PlannedFault, Shared};
use super::stats::STATUS_CONNECTION_RESET;
use super::wire::WireRequest;
use crate::provider::Operation;

/// Largest request body read; inventory configurations and tag sets are a few KiB.
const MAX_BODY_BYTES: usize = 1 << 20;

/// The answer a layer gives when the request goes no further (boxed: a response is large).
type Answered = Box<Response<Body>>;

/// A request past the route layer: its dialect, its inventory call and its request id.
struct Routed<'a> {
    dialect: &'static dyn EmulatedProvider,
    request: ApiRequest,
    request_id: String,
    host: &'a str,
    path: &'a str,
    now: SystemTime,
}

impl Routed<'_> {
    fn reply_context(&self) -> ReplyContext<'_> {
        ReplyContext {
            dialect: self.dialect,
            request_id: &self.request_id,
            now: self.now,
        }
    }

    fn error_context(&self) -> ErrorContext<'_> {
        ErrorContext {
            request_id: &self.request_id,
            host: strip_port(self.host),
            path: self.path,
            bucket: Some(&self.request.bucket),
        }
    }
}

/// Answers one request that is not for `/_emulator/*`.
pub(crate) async fn handle_api(
    State(shared): State<Arc<Shared>>,
    request: Request,
) -> Response<Body> {
    let now = SystemTime::now();
    let (parts, body) = request.into_parts();
    let host = host_of(&parts);
    let path = parts.uri.path().to_string();
    let routed = match route_layer(&shared, &parts, &host, &path, now) {
        Ok(routed) => routed,
        Err(answer) => return *answer,
    };
    let action = match fault_layer(&shared, &routed).await {
        Ok(action) => action,
        Err(answer) => return *answer,
    };
    let result = async {
        let body = auth_layer(&shared, &routed, &parts, &host, body).await?;
        shared.execute(routed.dialect, &routed.request, &body, routed.now)
    }
    .await;
    reply_layer(&shared, &routed, &action, result)
}

/// The Host header as sent (port included), else the URI's authority.
fn host_of(parts: &Parts) -> String {
    parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_default()
}

/// Route: the table picks the dialect once; the dialect routes the request or answers why
/// it is not an emulated call (not counted).
fn route_layer<'a>(
    shared: &Shared,
    parts: &Parts,
    host: &'a str,
    path: &'a str,
    now: SystemTime,
) -> Result<Routed<'a>, Answered> {
    let query = parts.uri.query().unwrap_or("");
    let (dialect, result) =
        dialects::route(parts.method.as_str(), host, path, query, &parts.headers);
    let request_id = shared.next_request_id(dialect, now);
    match result {
        Ok(request) => Ok(Routed {
            dialect,
            request,
            request_id,
            host,
            path,
            now,
        }),
        Err(e) => {
            let ctx = ReplyContext {
                dialect,
                request_id: &request_id,
                now,
            };
            let error = ApiError::new(e.status, e.code, e.message).with_ec(ec::NOT_IMPLEMENTED);
            let where_ = ErrorContext {
                request_id: &request_id,
                host: strip_port(host),
                path,
                bucket: e.bucket.as_deref(),
            };
            Err(Box::new(reply::error(&ctx, &error, &where_)))
        }
    }
}

/// Fault: injected latency, then a dropped connection or an injected error answer before any
/// state is touched; a malformed body is left for the reply layer.
async fn fault_layer(shared: &Shared, routed: &Routed<'_>) -> Result<FaultAction, Answered> {
    let PlannedFault {
        latency,
        action,
        retry_after_secs,
    } = shared.fault_action(routed.dialect, &routed.request);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match action {
        FaultAction::Reset => {
            shared.record(&routed.request, STATUS_CONNECTION_RESET);
            Err(Box::new(reply::connection_reset(&routed.reply_context())))
        }
        FaultAction::Error(error) => {
            shared.record(&routed.request, error.status);
            let mut response =
                reply::error(&routed.reply_context(), &error, &routed.error_context());
            if let Some(secs) = retry_after_secs {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, secs.into());
            }
            Err(Box::new(response))
        }
        action @ (FaultAction::None | FaultAction::Malformed) => Ok(action),
    }
}

/// Auth: reads the body (bounded), then the dialect verifies the signature, then
/// `Content-MD5` is checked (required for PUT when configured).
async fn auth_layer(
    shared: &Shared,
    routed: &Routed<'_>,
    parts: &Parts,
    host: &str,
    body: Body,
) -> Result<axum::body::Bytes, ApiError> {
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
        method: parts.method.as_str(),
        host,
        headers: &parts.headers,
        body: &body,
    };
    let request = &routed.request;
    let bucket_region = shared.bucket_region(request);
    routed.dialect.authenticate(
        &shared.config,
        request,
        &wire,
        bucket_region.as_deref(),
        routed.now,
    )?;
    check_content_md5(
        &parts.headers,
        &body,
        shared.config.require_content_md5 && request.call == Call::Inventory(Operation::Put),
        || routed.dialect.error(&Failure::DigestMismatch),
    )?;
    Ok(body)
}

/// Reply: counts the request and answers with the outcome (cut short when the fault layer
/// chose a malformed body) or the error, in the dialect's format.
fn reply_layer(
    shared: &Shared,
    routed: &Routed<'_>,
    action: &FaultAction,
    result: Result<Outcome, ApiError>,
) -> Response<Body> {
    let request = &routed.request;
    let status = match &result {
        Ok(outcome) => outcome.success.status,
        Err(error) => error.status,
    };
    tracing::debug!(
        provider = %request.provider,
        operation = %request.call,
        bucket = %request.bucket,
        status,
        request_id = %routed.request_id,
        "emulator request"
    );
    shared.record(request, status);
    let ctx = routed.reply_context();
    match result {
        Ok(Outcome {
            success: Success { raw: Some(raw), .. },
            ..
        }) => reply::raw(&ctx, status, raw),
        Ok(outcome) => match (action, &outcome.success.body) {
            (FaultAction::Malformed, Some(body)) => reply::malformed(&ctx, status, body),
            _ => reply::success(&ctx, status, outcome.success.body),
        },
        Err(error) => reply::error(&ctx, &error, &routed.error_context()),
    }
}
