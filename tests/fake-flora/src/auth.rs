//! Bearer-key and OAuth access-token authentication and access scope: who the caller is (the
//! key's one workspace) and the rule that anything outside that workspace reads as 404, never
//! 403.

use crate::errors::ApiError;
use crate::ids::check_prefix;
use crate::state::{AppState, Shared, lock};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The authenticated caller, put in the request extensions by [`authenticate`].
#[derive(Debug, Clone)]
pub struct Caller {
    pub workspace_id: String,
}

impl Caller {
    /// Checks a `workspace_id` the caller named: bad prefix → 400, not the caller's → 404.
    pub fn check_workspace(&self, workspace_id: &str) -> Result<(), ApiError> {
        check_prefix("workspace_id", workspace_id, "ws_")
            .map_err(|error| ApiError::validation(vec![error]))?;
        if workspace_id == self.workspace_id {
            Ok(())
        } else {
            Err(ApiError::not_found())
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(ApiError::unauthorized)
    }
}

/// The key in `Authorization: Bearer <key>`, if the header has that shape.
fn bearer_key(request: &Request) -> Option<&str> {
    let value = request.headers().get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, key) = value.trim().split_once(' ')?;
    let key = key.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !key.is_empty() && !key.contains(' ')).then_some(key)
}

/// Middleware: rejects requests without a known key and records the caller for handlers.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(key) = bearer_key(&request) else {
        return challenged(&state, ApiError::unauthorized(), false);
    };
    let workspace_id = match state.api_keys.get(key) {
        Some(workspace_id) => workspace_id.clone(),
        None => match lock(&state.oauth).workspace_for(key) {
            Some(workspace_id) => workspace_id,
            None => return challenged(&state, ApiError::invalid_api_key(), true),
        },
    };
    let caller = Caller { workspace_id };
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// A 401 with the RFC 9728 challenge that points at the protected-resource metadata.
fn challenged(state: &Shared, error: ApiError, invalid_token: bool) -> Response {
    let mut response = error.into_response();
    response.headers_mut().insert(
        axum::http::header::WWW_AUTHENTICATE,
        crate::oauth::challenge(state, invalid_token),
    );
    response
}
