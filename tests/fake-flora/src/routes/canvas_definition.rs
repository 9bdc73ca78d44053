//! Workspace-scoped canvas writes and lossless reads: `GET|PUT …/canvas/definition` (the whole
//! canonical definition, replaced atomically) and `POST …/canvas/changeset` (atomic add, update,
//! connect, disconnect and remove operations).

use crate::auth::Caller;
use crate::canvas::canvas_url;
use crate::changeset;
use crate::definition;
use crate::errors::ApiError;
use crate::extract::{PathParams, json_object};
use crate::fields::Fields;
use crate::idempotency::Guard;
use crate::ids::path_id;
use crate::state::AppState;
use crate::time::now_ms;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{Value, json};

pub async fn retrieve(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((workspace_id, project_id)): PathParams<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    caller.check_workspace(&workspace_id)?;
    path_id("project_id", &project_id, "prj_")?;
    let mut world = state.world();
    let canvas = world.canvas_mut(&workspace_id, &project_id)?;
    Ok(Json(json!({
        "project_id": project_id,
        "canvas_url": canvas_url(&project_id),
        "definition": definition::render(canvas),
        "summary": canvas.summary(),
    })))
}

pub async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((workspace_id, project_id)): PathParams<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    caller.check_workspace(&workspace_id)?;
    path_id("project_id", &project_id, "prj_")?;
    let body = json_object(&body)?;
    let mut fields = Fields::new(&body, &["definition"]);
    let given = fields.optional_object("definition");
    if fields.get("definition").is_none() {
        fields.fail("definition", "is required");
    }
    fields.finish()?;
    let given = given.ok_or_else(ApiError::unknown)?;

    let operation =
        format!("PUT /workspaces/{workspace_id}/projects/{project_id}/canvas/definition");
    let guard = Guard::new(&headers, &workspace_id, operation);
    let mut world = state.world();
    guard.check(&mut world.idempotency)?;
    let canvas = world.canvas_mut(&workspace_id, &project_id)?;
    *canvas = definition::replace(canvas, given)?;
    let answer = json!({
        "project_id": project_id,
        "canvas_url": canvas_url(&project_id),
        "definition": definition::render(canvas),
        "summary": canvas.summary(),
    });
    world.touch_project(&project_id, now_ms());
    guard.reserve(&mut world.idempotency);
    Ok(Json(answer))
}

pub async fn apply_changeset(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((workspace_id, project_id)): PathParams<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    caller.check_workspace(&workspace_id)?;
    path_id("project_id", &project_id, "prj_")?;
    let body = json_object(&body)?;
    let operation =
        format!("POST /workspaces/{workspace_id}/projects/{project_id}/canvas/changeset");
    let guard = Guard::new(&headers, &workspace_id, operation);
    let mut world = state.world();
    guard.check(&mut world.idempotency)?;
    let canvas = world.canvas_mut(&workspace_id, &project_id)?;
    let outcome = changeset::apply(&state, canvas, &body)?;
    let (applied, created) = outcome.render();
    let answer = json!({
        "project_id": project_id,
        "canvas_url": canvas_url(&project_id),
        "revision": canvas.revision,
        "applied": applied,
        "created": created,
        "warnings": outcome.warnings,
    });
    world.touch_project(&project_id, now_ms());
    guard.reserve(&mut world.idempotency);
    Ok(Json(answer))
}
