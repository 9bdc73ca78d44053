//! Workspace-scoped projects: `POST /workspaces/{ws}/projects` and
//! `POST /workspaces/{ws}/folders/{folderId}/projects` (201, the project), the lossless project
//! graph `GET /workspaces/{ws}/projects/{p}/graph`, and `POST …/nodes/run` (runs canvas nodes,
//! reporting each as started or skipped).

use crate::auth::Caller;
use crate::canvas::canvas_url;
use crate::errors::ApiError;
use crate::extract::{PathParams, json_object};
use crate::fields::Fields;
use crate::idempotency::Guard;
use crate::ids::path_id;
use crate::node_runs::run_generation_node;
use crate::routes::projects::create_in;
use crate::state::AppState;
use crate::time::now_ms;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

/// Most node ids one `nodes/run` request may name.
const MAX_NODE_IDS: usize = 50;

/// The `name` of a project-creating body.
fn project_name(body: &Bytes) -> Result<String, ApiError> {
    let body = json_object(body)?;
    let mut fields = Fields::new(&body, &["name"]);
    let name = fields.required_string("name");
    fields.finish()?;
    name.ok_or_else(ApiError::unknown)
}

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(workspace_id): PathParams<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.check_workspace(&workspace_id)?;
    let name = project_name(&body)?;
    let operation = format!("POST /workspaces/{workspace_id}/projects");
    create_in(&state, &headers, &workspace_id, &name, None, operation)
}

pub async fn create_in_folder(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((workspace_id, folder_id)): PathParams<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.check_workspace(&workspace_id)?;
    path_id("folder_id", &folder_id, "fld_")?;
    let name = project_name(&body)?;
    let reachable = state
        .world()
        .folders
        .iter()
        .any(|f| f.folder_id == folder_id && f.workspace_id == workspace_id && !f.private);
    if !reachable {
        return Err(ApiError::not_found());
    }
    let operation = format!("POST /workspaces/{workspace_id}/folders/{folder_id}/projects");
    create_in(
        &state,
        &headers,
        &workspace_id,
        &name,
        Some(folder_id),
        operation,
    )
}

pub async fn graph(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((workspace_id, project_id)): PathParams<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    caller.check_workspace(&workspace_id)?;
    path_id("project_id", &project_id, "prj_")?;
    let mut world = state.world();
    let canvas = world.canvas_mut(&workspace_id, &project_id)?;
    let nodes: Vec<Value> = canvas
        .nodes
        .iter()
        .map(|node| {
            let model = node.model_id.as_deref().and_then(|id| state.model(id));
            node.graph_item(model.map(|m| m.name))
        })
        .collect();
    let short = |id: &str| {
        canvas
            .nodes
            .iter()
            .find(|n| n.node_id == id)
            .map(|n| n.short_id.clone())
    };
    let edges: Vec<Value> = canvas
        .edges
        .iter()
        .filter_map(|e| Some(json!({ "from": short(&e.from)?, "to": short(&e.to)?, "in": e.slot })))
        .collect();
    Ok(Json(json!({
        "project_id": project_id,
        "canvas_url": canvas_url(&project_id),
        "revision": canvas.revision,
        "nodes": nodes,
        "edges": edges,
    })))
}

pub async fn run_nodes(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((workspace_id, project_id)): PathParams<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    caller.check_workspace(&workspace_id)?;
    path_id("project_id", &project_id, "prj_")?;
    let body = json_object(&body)?;
    let mut fields = Fields::new(&body, &["node_ids"]);
    let node_ids = fields.optional_strings("node_ids");
    match &node_ids {
        None if fields.get("node_ids").is_none() => fields.fail("node_ids", "is required"),
        Some(ids) if ids.is_empty() || ids.len() > MAX_NODE_IDS => {
            fields.fail(
                "node_ids",
                &format!("must list between 1 and {MAX_NODE_IDS} nodes"),
            );
        }
        _ => {}
    }
    fields.finish()?;
    let node_ids = node_ids.unwrap_or_default();

    let operation = format!("POST /workspaces/{workspace_id}/projects/{project_id}/nodes/run");
    let guard = Guard::new(&headers, &workspace_id, operation);
    let mut world = state.world();
    guard.check(&mut world.idempotency)?;
    world.canvas_mut(&workspace_id, &project_id)?;
    let now = now_ms();
    let runs: Vec<Value> = node_ids
        .iter()
        .map(|id| run_generation_node(&state, &mut world, &workspace_id, &project_id, id, now))
        .collect();
    if runs.iter().any(|r| r["status"] == "started") {
        world.touch_project(&project_id, now);
    }
    guard.reserve(&mut world.idempotency);
    Ok(Json(json!({ "project_id": project_id, "runs": runs })))
}
