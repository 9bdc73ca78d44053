//! The outermost layer: stamps every response with `request-id: req_…` and a JSON content type
//! unless a handler chose another one.

use crate::ids::request_id;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("request-id");

pub async fn stamp(request: Request, next: Next) -> Response {
    let id = request_id();
    tracing::debug!(method = %request.method(), uri = %request.uri(), request_id = %id, "request");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&id) {
        headers.insert(REQUEST_ID, value);
    }
    if !headers.contains_key(header::CONTENT_TYPE) {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    response
}
