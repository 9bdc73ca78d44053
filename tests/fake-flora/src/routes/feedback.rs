//! `POST /feedback`: records product feedback (kind from a closed set, summary, detail, optional
//! tools tried and links to a workspace, project or run); 201 `{feedback_id, received_at}`.

use crate::auth::Caller;
use crate::errors::ApiError;
use crate::extract::json_object;
use crate::feedback::{FeedbackRecord, KINDS};
use crate::fields::Fields;
use crate::idempotency::Guard;
use crate::ids::random_token;
use crate::state::AppState;
use crate::time::now_ms;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

const BODY: [&str; 7] = [
    "kind",
    "summary",
    "detail",
    "attempted_tools",
    "workspace_id",
    "project_id",
    "run_id",
];

pub async fn record(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body = json_object(&body)?;
    let mut fields = Fields::new(&body, &BODY);
    let kind = fields.one_of("kind", &KINDS, true);
    let summary = fields.required_string("summary");
    let detail = fields.required_string("detail");
    let attempted_tools = fields
        .optional_strings("attempted_tools")
        .unwrap_or_default();
    let workspace_id = fields.optional_id("workspace_id", "ws_");
    let project_id = fields.optional_id("project_id", "prj_");
    let run_id = fields.optional_id("run_id", "run_");
    fields.finish()?;
    let (Some(kind), Some(summary), Some(detail)) = (kind, summary, detail) else {
        return Err(ApiError::unknown());
    };
    if let Some(workspace_id) = &workspace_id {
        caller.check_workspace(workspace_id)?;
    }
    let guard = Guard::new(&headers, &caller.workspace_id, "POST /feedback".to_owned());
    let mut world = state.world();
    guard.check(&mut world.idempotency)?;
    if let Some(project_id) = &project_id {
        world.project(&caller.workspace_id, project_id)?;
    }
    let record = FeedbackRecord {
        feedback_id: format!("fb_{}", random_token(24)),
        received_at: now_ms(),
        kind,
        summary,
        detail,
        attempted_tools,
        workspace_id,
        project_id,
        run_id,
    };
    let answer = json!({ "feedback_id": record.feedback_id, "received_at": record.received_at });
    world.feedback.push(record);
    guard.reserve(&mut world.idempotency);
    Ok((StatusCode::CREATED, Json(answer)))
}
