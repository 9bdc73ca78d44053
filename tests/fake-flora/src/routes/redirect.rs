//! `GET /api/v1/__fake/redirect?to=<url>`: a 302 to `to`, behind the usual auth, so tests can
//! prove a client never follows redirects.

use crate::errors::ApiError;
use crate::extract::Params;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub async fn redirect(params: Params) -> Result<Response, ApiError> {
    let to = params.get("to").filter(|to| !to.is_empty());
    let to = to.ok_or_else(|| ApiError::field("to", "to is required"))?;
    let location =
        HeaderValue::from_str(to).map_err(|_| ApiError::field("to", "to is not a valid URL"))?;
    let mut response = (StatusCode::FOUND, Json(json!({ "location": to }))).into_response();
    response.headers_mut().insert(header::LOCATION, location);
    Ok(response)
}
