//! The Mermaid view of a canvas: `GET /projects/{projectId}/canvas` (diagram and summary) and
//! `PATCH /projects/{projectId}/canvas` (an add-only Mermaid patch with optional `node_params`).

use crate::auth::Caller;
use crate::canvas::canvas_url;
use crate::canvas_patch;
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
use serde_json::{Map, Value, json};

pub async fn retrieve(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(project_id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    path_id("project_id", &project_id, "prj_")?;
    let mut world = state.world();
    let canvas = world.canvas_mut(&caller.workspace_id, &project_id)?;
    Ok(Json(json!({
        "project_id": project_id,
        "canvas_url": canvas_url(&project_id),
        "diagram": canvas.mermaid(),
        "summary": canvas.summary(),
    })))
}

pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(project_id): PathParams<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    path_id("project_id", &project_id, "prj_")?;
    let body = json_object(&body)?;
    let mut fields = Fields::new(&body, &["diagram", "node_params"]);
    let diagram = fields.required_string("diagram");
    let node_params = fields.optional_object("node_params").cloned();
    fields.finish()?;
    let diagram = diagram.unwrap_or_default();
    let node_params = node_params.unwrap_or_else(Map::new);

    let operation = format!("PATCH /projects/{project_id}/canvas");
    let guard = Guard::new(&headers, &caller.workspace_id, operation);
    let mut world = state.world();
    guard.check(&mut world.idempotency)?;
    let canvas = world.canvas_mut(&caller.workspace_id, &project_id)?;
    let applied = canvas_patch::apply(&state, canvas, &diagram, &node_params)?;
    world.touch_project(&project_id, now_ms());
    guard.reserve(&mut world.idempotency);
    let mut answer = json!({
        "project_id": project_id,
        "canvas_url": canvas_url(&project_id),
        "diagram": applied.diagram,
        "created_node_count": applied.created_nodes,
        "created_edge_count": applied.created_edges,
    });
    if !applied.warnings.is_empty() {
        answer["warnings"] = json!(applied.warnings);
    }
    Ok(Json(answer))
}
