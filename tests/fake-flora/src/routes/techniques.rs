//! `GET /techniques` (searchable, paginated) and `GET /techniques/{techniqueId}` (id or slug).

use crate::auth::Caller;
use crate::errors::ApiError;
use crate::extract::{Params, PathParams};
use crate::pagination::{PageRequest, page};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde_json::Value;

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let mut errors = Vec::new();
    let request = PageRequest::parse(&params, &mut errors);
    let workspace_id = params.id("workspace_id", "ws_", &mut errors);
    ApiError::check(errors)?;
    if let Some(workspace_id) = workspace_id {
        caller.check_workspace(&workspace_id)?;
    }
    let search = params.search();
    let matching: Vec<_> = state
        .techniques
        .iter()
        .filter(|t| {
            search.as_deref().is_none_or(|q| {
                t.name.to_lowercase().contains(q)
                    || t.description.is_some_and(|d| d.to_lowercase().contains(q))
            })
        })
        .collect();
    Ok(Json(page("techniques", matching, request)))
}

pub async fn retrieve(
    State(state): State<AppState>,
    PathParams(technique_id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    let technique = state
        .technique(&technique_id)
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(
        serde_json::to_value(technique).map_err(|_| ApiError::unknown())?,
    ))
}
