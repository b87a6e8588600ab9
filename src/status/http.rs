//! `GET /status` and `GET /status/{provider}/{bucket}` on the daemon's endpoints listener.
//!
//! # Guarantees
//! - `GET /status` answers 200 with the board's [`super::StatusDocument`] as JSON.
//! - `GET /status/{provider}/{bucket}` answers 200 with that bucket's
//!   [`super::BucketStatus`], or 404 with `{"error": …}` naming it when the board does not
//!   list it.
//! - Only what the board holds is served: bucket names, ids, conditions and delivery health,
//!   never credentials.

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::board::StatusBoard;

/// The status routes over `board`, to merge into the endpoints router
/// ([`crate::server::serve_with`]).
pub fn router(board: StatusBoard) -> Router {
    Router::new()
        .route("/status", get(all))
        .route("/status/{provider}/{bucket}", get(one))
        .with_state(board)
}

async fn all(State(board): State<StatusBoard>) -> Response {
    Json(board.snapshot()).into_response()
}

async fn one(
    State(board): State<StatusBoard>,
    Path((provider, bucket)): Path<(String, String)>,
) -> Response {
    match board.bucket(&provider, &bucket) {
        Some(status) => Json(status).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({
                "error": format!("no status for bucket {provider}/{bucket}: not managed by this daemon, or not reconciled yet")
            })),
        )
            .into_response(),
    }
}
