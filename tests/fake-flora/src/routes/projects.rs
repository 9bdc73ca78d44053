//! `GET /projects?workspace_id=` (required; most recent activity first) and
//! `GET /projects/{projectId}`.

use crate::auth::Caller;
use crate::errors::{ApiError, FieldError};
use crate::extract::{Params, PathParams};
use crate::ids::check_prefix;
use crate::pagination::{PageRequest, page};
use crate::state::{AppState, sort_by_activity};
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
    if params.get("workspace_id").is_none() {
        errors.push(FieldError::new("workspace_id", "workspace_id is required"));
    }
    ApiError::check(errors)?;
    let workspace_id = workspace_id.unwrap_or_default();
    caller.check_workspace(&workspace_id)?;
    let search = params.search();
    let world = state.world();
    let mut projects: Vec<_> = world
        .projects
        .iter()
        .filter(|p| p.workspace_id == workspace_id)
        .filter(|p| {
            search
                .as_deref()
                .is_none_or(|q| p.name.to_lowercase().contains(q))
        })
        .collect();
    sort_by_activity(&mut projects);
    Ok(Json(page("projects", projects, request)))
}

pub async fn retrieve(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(project_id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    check_prefix("project_id", &project_id, "prj_").map_err(|e| ApiError::validation(vec![e]))?;
    let world = state.world();
    let project = world
        .projects
        .iter()
        .find(|p| p.project_id == project_id && p.workspace_id == caller.workspace_id)
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(
        serde_json::to_value(project).map_err(|_| ApiError::unknown())?,
    ))
}
