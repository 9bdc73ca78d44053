//! Prebuilt actions: `GET /actions` (not paginated), `GET /actions/{actionId}` (a raw slug) and
//! `POST /runs/action` (a headless run: inputs checked against the action's slots, `params`
//! against its schema; 201 `RunStart` with `charged_cost` 0).

use crate::actions::{Action, action_ids};
use crate::api_runs::{ApiRun, Job};
use crate::auth::Caller;
use crate::errors::{ApiError, FieldError};
use crate::extract::{PathParams, json_object};
use crate::fields::Fields;
use crate::idempotency::Guard;
use crate::ids;
use crate::state::AppState;
use crate::time::now_ms;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

const INPUT_TYPES: [&str; 4] = ["image", "video", "audio", "text"];

pub async fn list(State(state): State<AppState>) -> Json<Value> {
    let actions: Vec<Value> = state.actions.iter().map(Action::render).collect();
    Json(json!({ "actions": actions }))
}

pub async fn retrieve(
    State(state): State<AppState>,
    PathParams(action_id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    let action = state.action(&action_id).ok_or_else(ApiError::not_found)?;
    Ok(Json(action.render()))
}

/// Checks an `action_id` field: one of the SDK's ids (else 400) that the catalog has.
pub fn check_action_id<'a>(state: &'a AppState, fields: &mut Fields<'_>) -> Option<&'a Action> {
    let ids: Vec<&str> = action_ids().collect();
    let action_id = fields.one_of("action_id", &ids, true)?;
    let action = state.action(&action_id);
    if action.is_none() {
        fields.fail("action_id", "is not a released action");
    }
    action
}

pub async fn run(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body = json_object(&body)?;
    let known = [
        "action_id",
        "workspace_id",
        "project_id",
        "inputs",
        "params",
    ];
    let mut fields = Fields::new(&body, &known);
    let action = check_action_id(&state, &mut fields);
    let workspace_id = fields.required_id("workspace_id", "ws_");
    let project_id = fields.required_id("project_id", "prj_");
    let params = fields
        .optional_object("params")
        .cloned()
        .unwrap_or_default();
    let inputs = check_inputs(body.get("inputs"), action, &mut fields.errors);
    if let Some(action) = action {
        fields.errors.extend(action.check_params(&params, "params"));
    }
    fields.finish()?;
    let (Some(action), Some(workspace_id), Some(project_id)) = (action, workspace_id, project_id)
    else {
        return Err(ApiError::unknown());
    };
    caller.check_workspace(&workspace_id)?;

    let guard = Guard::new(&headers, &workspace_id, "POST /runs/action".to_owned());
    let mut world = state.world();
    guard.check(&mut world.idempotency)?;
    world.project(&workspace_id, &project_id)?;
    let now = now_ms();
    let job = Job::Action {
        action: action.clone(),
        inputs,
        params,
    };
    let run = ApiRun::new(ids::run_id(), &workspace_id, &project_id, job, now);
    let start = run.start(&state.origin);
    world.api_runs.push(run);
    guard.reserve(&mut world.idempotency);
    Ok((StatusCode::CREATED, Json(start)))
}

/// Checks `inputs`: a non-empty array of `{type, url?, text?, name?}` whose types the action
/// accepts, media carrying an HTTPS `url` and text carrying `text`.
fn check_inputs(
    value: Option<&Value>,
    action: Option<&Action>,
    errors: &mut Vec<FieldError>,
) -> Vec<Value> {
    let items = match value {
        Some(Value::Array(items)) if !items.is_empty() => items,
        Some(Value::Array(_)) => {
            errors.push(FieldError::new(
                "inputs",
                "inputs must contain at least 1 item",
            ));
            return Vec::new();
        }
        None | Some(Value::Null) => {
            errors.push(FieldError::new("inputs", "inputs is required"));
            return Vec::new();
        }
        Some(_) => {
            errors.push(FieldError::new("inputs", "inputs must be an array"));
            return Vec::new();
        }
    };
    for (index, item) in items.iter().enumerate() {
        let path = format!("inputs[{index}].");
        let Some(object) = item.as_object() else {
            let field = format!("inputs[{index}]");
            errors.push(FieldError::new(
                &field,
                format!("{field} must be an object"),
            ));
            continue;
        };
        let mut input = Fields::nested(object, &["type", "url", "text", "name"], &path);
        let kind = input.one_of("type", &INPUT_TYPES, true);
        input.optional_string("name");
        let text = input.optional_string("text");
        let url = input.optional_https("url");
        match kind.as_deref() {
            Some("text") if text.is_none() && url.is_none() => input.fail("text", "is required"),
            Some(media) if media != "text" && url.is_none() && object.get("url").is_none() => {
                input.fail("url", "is required")
            }
            _ => {}
        }
        if let (Some(kind), Some(action)) = (&kind, action)
            && !action.accepts(kind)
        {
            let accepted: Vec<&str> = action.inputs.iter().map(|s| s.kind).collect();
            let message = format!(
                "is not accepted by {}; it takes {}",
                action.action_id,
                accepted.join(", ")
            );
            input.fail("type", &message);
        }
        errors.extend(input.errors);
    }
    items.clone()
}
