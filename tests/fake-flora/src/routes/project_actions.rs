//! Action nodes on a canvas: `POST /projects/{projectId}/actions` (adds an action node, params
//! checked against the action's schema; 201) and `POST /projects/{projectId}/actions/{nodeId}/run`
//! (runs it on whatever is wired into it; 201 `RunStart`).

use crate::auth::Caller;
use crate::canvas::{Node, NodeKind, canvas_url};
use crate::errors::ApiError;
use crate::extract::{PathParams, json_object};
use crate::fields::Fields;
use crate::idempotency::Guard;
use crate::ids::path_id;
use crate::node_runs::run_action_node;
use crate::routes::actions::check_action_id;
use crate::state::AppState;
use crate::time::now_ms;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(project_id): PathParams<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    path_id("project_id", &project_id, "prj_")?;
    let body = json_object(&body)?;
    let mut fields = Fields::new(&body, &["action_id", "params"]);
    let action = check_action_id(&state, &mut fields);
    let params = fields
        .optional_object("params")
        .cloned()
        .unwrap_or_default();
    if let Some(action) = action {
        fields.errors.extend(action.check_params(&params, "params"));
    }
    fields.finish()?;
    let action = action.ok_or_else(ApiError::unknown)?;

    let operation = format!("POST /projects/{project_id}/actions");
    let guard = Guard::new(&headers, &caller.workspace_id, operation);
    let mut world = state.world();
    guard.check(&mut world.idempotency)?;
    let canvas = world.canvas_mut(&caller.workspace_id, &project_id)?;
    let node = Node {
        action_id: Some(action.action_id.to_owned()),
        params,
        ..Node::new(NodeKind::Action, action.name)
    };
    let node_id = canvas.insert(node, None).node_id.clone();
    world.touch_project(&project_id, now_ms());
    guard.reserve(&mut world.idempotency);
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "action_id": action.action_id,
            "node_id": node_id,
            "project_id": project_id,
            "canvas_url": canvas_url(&project_id),
        })),
    ))
}

pub async fn run(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((project_id, node_id)): PathParams<(String, String)>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    path_id("project_id", &project_id, "prj_")?;
    let operation = format!("POST /projects/{project_id}/actions/{node_id}/run");
    let guard = Guard::new(&headers, &caller.workspace_id, operation);
    let mut world = state.world();
    guard.check(&mut world.idempotency)?;
    let start = run_action_node(
        &state,
        &mut world,
        &caller.workspace_id,
        &project_id,
        &node_id,
        now_ms(),
    )?;
    guard.reserve(&mut world.idempotency);
    Ok((StatusCode::CREATED, Json(start)))
}
