//! Request recording: every request under `/api/v1` (method, path, query, headers, body) is kept
//! in order so tests can see exactly what a client sent.

use crate::state::{AppState, lock};
use axum::body::Body;
use axum::extract::{OriginalUri, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Largest body kept; larger bodies are refused with 413 in FLORA's envelope.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// One request as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    pub method: String,
    /// The full path, e.g. `/api/v1/techniques`.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    /// Header names lower-cased; repeated headers joined with `, `.
    pub headers: BTreeMap<String, String>,
    /// The body as text (lossy UTF-8); empty when there was none.
    pub body: String,
}

impl RecordedRequest {
    /// A header's value by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

/// Middleware for `/api/v1`: records the request, then passes it on unchanged.
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |original| &original.0);
    let mut headers = BTreeMap::<String, String>::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        headers
            .entry(name.as_str().to_owned())
            .and_modify(|existing| {
                existing.push_str(", ");
                existing.push_str(&value);
            })
            .or_insert(value);
    }
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let error = crate::errors::ApiError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "input_validation_error",
                "Request body is too large.",
            );
            return error.into_response();
        }
    };
    let recorded = RecordedRequest {
        method: parts.method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    lock(&state.recorded).push(recorded);
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
