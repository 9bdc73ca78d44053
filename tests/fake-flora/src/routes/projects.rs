//! Projects: `GET /projects?workspace_id=` (required; most recent activity first),
//! `GET /projects/{projectId}`, `POST /projects` (201) and `GET /projects/{projectId}/nodes`
//! (the canvas's visible media nodes, cursor-paginated).

use crate::auth::Caller;
use crate::errors::{ApiError, FieldError};
use crate::extract::{Params, PathParams, json_object};
use crate::fields::Fields;
use crate::idempotency::Guard;
use crate::ids::{check_prefix, path_id};
use crate::pagination::{PageRequest, page};
use crate::state::{AppState, sort_by_activity};
use crate::time::now_ms;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
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

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body = json_object(&body)?;
    let mut fields = Fields::new(&body, &["name", "workspace_id"]);
    let name = fields.required_string("name");
    let workspace_id = fields.required_id("workspace_id", "ws_");
    fields.finish()?;
    let (Some(name), Some(workspace_id)) = (name, workspace_id) else {
        return Err(ApiError::unknown());
    };
    caller.check_workspace(&workspace_id)?;
    create_in(
        &state,
        &headers,
        &workspace_id,
        &name,
        None,
        "POST /projects".to_owned(),
    )
}

/// Creates project `name` in `workspace_id` (filed in `folder_id`), guarded by the request's
/// `Idempotency-Key`; 201 with the project.
pub fn create_in(
    state: &AppState,
    headers: &HeaderMap,
    workspace_id: &str,
    name: &str,
    folder_id: Option<String>,
    operation: String,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let guard = Guard::new(headers, workspace_id, operation);
    let mut world = state.world();
    guard.check(&mut world.idempotency)?;
    let project = world.create_project(workspace_id, name, folder_id, now_ms());
    guard.reserve(&mut world.idempotency);
    let project = serde_json::to_value(project).map_err(|_| ApiError::unknown())?;
    Ok((StatusCode::CREATED, Json(project)))
}

pub async fn nodes(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(project_id): PathParams<String>,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    path_id("project_id", &project_id, "prj_")?;
    let mut errors = Vec::new();
    let request = PageRequest::parse(&params, &mut errors);
    ApiError::check(errors)?;
    let mut world = state.world();
    let canvas = world.canvas_mut(&caller.workspace_id, &project_id)?;
    let nodes: Vec<Value> = canvas.nodes.iter().filter_map(|n| n.media_item()).collect();
    Ok(Json(page("nodes", nodes, request)))
}
