//! The FLORA error envelope: `{"error":{"code","message","fields"?}}`, its closed set of codes
//! (plus `conflict` for wrong-state 409s), the HTTP status and default message of each code, and
//! the `ApiError` every handler returns.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// One field-level validation failure, as carried in `error.fields`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The offending field, e.g. `limit` or `inputs[0].id`.
    pub field: String,
    /// What is wrong with it; names the field so it reads on its own.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An error answer in FLORA's envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub fields: Vec<FieldError>,
    /// Value of a `retry-after` header to send, if any.
    pub retry_after: Option<String>,
}

/// The HTTP status FLORA answers with for `code` (500 for codes outside the closed set).
pub fn status_for_code(code: &str) -> StatusCode {
    match code {
        "unauthorized" | "invalid_api_key" => StatusCode::UNAUTHORIZED,
        "forbidden" => StatusCode::FORBIDDEN,
        "invalid_json" | "input_validation_error" => StatusCode::BAD_REQUEST,
        "not_found" => StatusCode::NOT_FOUND,
        "insufficient_credits" => StatusCode::PAYMENT_REQUIRED,
        "idempotency_duplicate" | "conflict" => StatusCode::CONFLICT,
        "rate_limited" => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The code FLORA uses for a bare HTTP status (the inverse of [`status_for_code`]).
pub fn code_for_status(status: u16) -> &'static str {
    match status {
        400 => "input_validation_error",
        401 => "unauthorized",
        402 => "insufficient_credits",
        403 => "forbidden",
        404 => "not_found",
        409 => "idempotency_duplicate",
        429 => "rate_limited",
        _ => "unknown_error",
    }
}

/// The message FLORA sends with `code` when nothing more specific applies.
pub fn default_message(code: &str) -> &'static str {
    match code {
        "unauthorized" => "Missing or malformed Authorization header.",
        "invalid_api_key" => "Invalid API key.",
        "forbidden" => "Forbidden.",
        "invalid_json" => "Request body must be a valid JSON object.",
        "input_validation_error" => "Invalid request.",
        "not_found" => "Not found.",
        "insufficient_credits" => "Insufficient credits.",
        "idempotency_duplicate" => "Duplicate idempotency key.",
        "conflict" => "The resource is not in a state that allows this request.",
        "rate_limited" => "Rate limit exceeded.",
        _ => "An unknown error occurred.",
    }
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_owned(),
            message: message.into(),
            fields: Vec::new(),
            retry_after: None,
        }
    }

    /// An error with `code`, its usual status and its default message.
    pub fn from_code(code: &str) -> ApiError {
        ApiError::new(status_for_code(code), code, default_message(code))
    }

    pub fn unauthorized() -> ApiError {
        ApiError::from_code("unauthorized")
    }

    pub fn invalid_api_key() -> ApiError {
        ApiError::from_code("invalid_api_key")
    }

    pub fn not_found() -> ApiError {
        ApiError::from_code("not_found")
    }

    pub fn invalid_json() -> ApiError {
        ApiError::from_code("invalid_json")
    }

    pub fn idempotency_duplicate() -> ApiError {
        ApiError::from_code("idempotency_duplicate")
    }

    /// A 409 `conflict`: the resource is in the wrong state (FLORA's code for this is not in its
    /// published enum; the fake uses `conflict`).
    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "conflict", message)
    }

    pub fn unknown() -> ApiError {
        ApiError::from_code("unknown_error")
    }

    /// A 400 `input_validation_error` listing `fields`; the message joins their messages.
    pub fn validation(fields: Vec<FieldError>) -> ApiError {
        let message = if fields.is_empty() {
            default_message("input_validation_error").to_owned()
        } else {
            fields
                .iter()
                .map(|f| f.message.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        };
        ApiError {
            fields,
            ..ApiError::new(StatusCode::BAD_REQUEST, "input_validation_error", message)
        }
    }

    /// A 400 `input_validation_error` about one field.
    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::validation(vec![FieldError::new(field, message)])
    }

    /// Turns accumulated field errors into a result.
    pub fn check(fields: Vec<FieldError>) -> Result<(), ApiError> {
        if fields.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation(fields))
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if !self.fields.is_empty() {
            error["fields"] = json!(self.fields);
        }
        let mut response = (self.status, axum::Json(json!({ "error": error }))).into_response();
        if let Some(value) = self
            .retry_after
            .and_then(|v| HeaderValue::from_str(&v).ok())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}
