//! Fault injection: a [`Fault`] matches a method and path prefix under `/api/v1`, fires for the
//! next `count` matching requests, and answers with an error envelope, a raw body, or just a delay.

use crate::errors::{ApiError, code_for_status, default_message, status_for_code};
use crate::state::{AppState, lock};
use axum::body::Body;
use axum::extract::{OriginalUri, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A scripted misbehaviour. Only `path_prefix` is required in JSON; everything else defaults.
///
/// - `status` and/or `code` given: answer FLORA's error envelope (a missing one is derived from
///   the other; `message` defaults to the code's usual message).
/// - `raw_body` given: answer it verbatim (status default 502) with `content_type` (default
///   `text/plain; charset=utf-8`).
/// - neither: only wait `delay_ms`, then let the request through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// HTTP method to match, case-insensitive; absent or `*` matches any.
    #[serde(default)]
    pub method: Option<String>,
    /// Path prefix to match, relative to `/api/v1` (e.g. `/techniques`) or absolute.
    pub path_prefix: String,
    /// How many matching requests it fires for.
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    /// Value of a `retry-after` header to add.
    #[serde(default)]
    pub retry_after: Option<String>,
    /// Milliseconds to wait before answering (or before passing the request on).
    #[serde(default)]
    pub delay_ms: Option<u64>,
    #[serde(default)]
    pub raw_body: Option<String>,
    #[serde(default)]
    pub content_type: Option<String>,
}

fn one() -> u32 {
    1
}

impl Fault {
    /// A fault for the next `method` (`*` for any) request under `path_prefix`; as built it
    /// neither answers nor delays, so chain at least one of the setters below.
    pub fn new(method: &str, path_prefix: &str) -> Fault {
        Fault {
            method: Some(method.to_owned()),
            path_prefix: path_prefix.to_owned(),
            count: 1,
            status: None,
            code: None,
            message: None,
            retry_after: None,
            delay_ms: None,
            raw_body: None,
            content_type: None,
        }
    }

    /// Answers FLORA's envelope with `code` at its usual status (e.g. `rate_limited` → 429).
    pub fn error(method: &str, path_prefix: &str, code: &str) -> Fault {
        Fault::new(method, path_prefix).code(code)
    }

    pub fn status(self, status: u16) -> Fault {
        Fault {
            status: Some(status),
            ..self
        }
    }

    pub fn code(self, code: &str) -> Fault {
        Fault {
            code: Some(code.to_owned()),
            ..self
        }
    }

    pub fn message(self, message: &str) -> Fault {
        Fault {
            message: Some(message.to_owned()),
            ..self
        }
    }

    pub fn retry_after(self, value: &str) -> Fault {
        Fault {
            retry_after: Some(value.to_owned()),
            ..self
        }
    }

    pub fn delay(self, delay: Duration) -> Fault {
        Fault {
            delay_ms: Some(delay.as_millis() as u64),
            ..self
        }
    }

    pub fn raw_body(self, body: &str, content_type: &str) -> Fault {
        Fault {
            raw_body: Some(body.to_owned()),
            content_type: Some(content_type.to_owned()),
            ..self
        }
    }

    /// Fires for the next `count` matching requests instead of one.
    pub fn times(self, count: u32) -> Fault {
        Fault { count, ..self }
    }

    /// The absolute path prefix it matches.
    fn absolute_prefix(&self) -> String {
        let prefix = self.path_prefix.trim();
        if prefix.starts_with("/api/v1") {
            prefix.to_owned()
        } else {
            format!("/api/v1/{}", prefix.trim_start_matches('/'))
        }
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let method_matches = match self.method.as_deref().map(str::trim) {
            None | Some("" | "*") => true,
            Some(wanted) => wanted.eq_ignore_ascii_case(method),
        };
        method_matches && path.starts_with(&self.absolute_prefix())
    }

    /// The scripted answer, or `None` when the fault only delays.
    fn response(&self) -> Option<Response> {
        let retry_after = self
            .retry_after
            .as_deref()
            .and_then(|v| HeaderValue::from_str(v).ok());
        let mut response = if let Some(body) = &self.raw_body {
            let status = self.status.and_then(|s| StatusCode::from_u16(s).ok());
            let content_type = self
                .content_type
                .as_deref()
                .unwrap_or("text/plain; charset=utf-8");
            let mut response = Response::new(Body::from(body.clone()));
            *response.status_mut() = status.unwrap_or(StatusCode::BAD_GATEWAY);
            if let Ok(value) = HeaderValue::from_str(content_type) {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            response
        } else if self.status.is_some() || self.code.is_some() {
            let code = self
                .code
                .clone()
                .unwrap_or_else(|| code_for_status(self.status.unwrap_or(500)).to_owned());
            let status = self
                .status
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or_else(|| status_for_code(&code));
            let message = self
                .message
                .clone()
                .unwrap_or_else(|| default_message(&code).to_owned());
            ApiError::new(status, &code, message).into_response()
        } else {
            return None;
        };
        if let Some(value) = retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        Some(response)
    }
}

/// Takes one shot of the first armed fault matching the request, if any.
fn take_matching(state: &AppState, method: &str, path: &str) -> Option<Fault> {
    let mut faults = lock(&state.faults);
    let index = faults
        .iter()
        .position(|f| f.count > 0 && f.matches(method, path))?;
    faults[index].count -= 1;
    let fault = faults[index].clone();
    if fault.count == 0 {
        faults.remove(index);
    }
    Some(fault)
}

/// Middleware for `/api/v1`: applies the first matching fault.
pub async fn apply_faults(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = match request.extensions().get::<OriginalUri>() {
        Some(OriginalUri(uri)) => uri.path().to_owned(),
        None => request.uri().path().to_owned(),
    };
    let Some(fault) = take_matching(&state, request.method().as_str(), &path) else {
        return next.run(request).await;
    };
    tracing::debug!(?fault, %path, "injecting fault");
    if let Some(ms) = fault.delay_ms {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    match fault.response() {
        Some(response) => response,
        None => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_relative_or_absolute() {
        let fault = Fault::new("get", "/techniques");
        assert!(fault.matches("GET", "/api/v1/techniques/tech_x/runs"));
        assert!(!fault.matches("POST", "/api/v1/techniques"));
        assert!(!fault.matches("GET", "/api/v1/models"));
        let any = Fault::new("*", "/api/v1/");
        assert!(any.matches("DELETE", "/api/v1/models"));
    }

    #[test]
    fn json_defaults() {
        let fault: Fault =
            serde_json::from_str(r#"{"path_prefix":"/models","status":429}"#).unwrap();
        assert_eq!(fault.count, 1);
        assert_eq!(fault.method, None);
        assert!(serde_json::from_str::<Fault>(r#"{"path_prefix":"/","bogus":1}"#).is_err());
    }
}
