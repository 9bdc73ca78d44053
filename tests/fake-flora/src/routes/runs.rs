//! The top-level run resource: `GET /runs/{runId}` (any run — generation, action or technique;
//! each read is a poll that moves it along) and `POST /runs/technique` (a technique run from an
//! `inputs` object map; 201 `RunStart`).

use crate::api_runs::run_start;
use crate::auth::Caller;
use crate::catalog::Technique;
use crate::errors::{ApiError, FieldError};
use crate::extract::{PathParams, json_object};
use crate::fields::Fields;
use crate::idempotency::Guard;
use crate::ids::{self, check_prefix};
use crate::node_runs::settle_node;
use crate::runs::{Run, RunInput, RunRequest};
use crate::state::{AppState, Shared};
use crate::time::now_ms;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value, json};

pub async fn retrieve(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(run_id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    check_prefix("run_id", &run_id, "run_").map_err(|e| ApiError::validation(vec![e]))?;
    let now = now_ms();
    let mut world = state.world();
    let found = world
        .api_runs
        .iter()
        .position(|r| r.run_id == run_id && r.workspace_id == caller.workspace_id);
    if let Some(index) = found {
        world.api_runs[index].advance(now);
        settle_node(&mut world, index);
        let view = world.api_runs[index].view(&state.origin);
        return Ok(Json(
            serde_json::to_value(view).map_err(|_| ApiError::unknown())?,
        ));
    }
    let run = world
        .runs
        .iter_mut()
        .find(|r| r.run_id == run_id && r.workspace_id == caller.workspace_id)
        .ok_or_else(ApiError::not_found)?;
    run.advance(now);
    Ok(Json(
        serde_json::to_value(run.view(&state.origin)).map_err(|_| ApiError::unknown())?,
    ))
}

pub async fn start_technique(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body = json_object(&body)?;
    let mut fields = Fields::new(&body, &["technique_id", "workspace_id", "inputs"]);
    let technique_id = fields.required_id("technique_id", "tech_");
    let workspace_id = fields.required_id("workspace_id", "ws_");
    let inputs = match body.get("inputs") {
        None | Some(Value::Null) => {
            fields.fail("inputs", "is required");
            None
        }
        Some(Value::Object(inputs)) => Some(inputs),
        Some(_) => {
            fields.fail("inputs", "must be an object of input id to value");
            None
        }
    };
    fields.finish()?;
    let (Some(technique_id), Some(workspace_id), Some(inputs)) =
        (technique_id, workspace_id, inputs)
    else {
        return Err(ApiError::unknown());
    };
    caller.check_workspace(&workspace_id)?;
    let technique = state
        .technique(&technique_id)
        .ok_or_else(ApiError::not_found)?;
    let inputs = technique_inputs(technique, inputs)?;

    let guard = Guard::new(&headers, &workspace_id, "POST /runs/technique".to_owned());
    let mut world = state.world();
    guard.check(&mut world.idempotency)?;
    let project_id =
        Shared::default_project(&world, &workspace_id).ok_or_else(ApiError::unknown)?;
    let now = now_ms();
    let request = RunRequest {
        inputs,
        mode: "async".to_owned(),
        callback_url: None,
        idempotency_key: None,
    };
    let run = Run::new(
        ids::run_id(),
        technique,
        technique.technique_id,
        &workspace_id,
        &project_id,
        request,
        now,
    );
    let mut start = run_start(
        &run.run_id,
        "technique",
        None,
        technique.run_cost,
        &run.poll_url(&state.origin),
        &project_id,
    );
    start["technique"] = json!({ "technique_id": technique.technique_id, "name": technique.name });
    world.runs.push(run);
    world.touch_project(&project_id, now);
    guard.reserve(&mut world.idempotency);
    Ok((StatusCode::CREATED, Json(start)))
}

/// Turns `{ <input id>: value }` into run inputs, checking ids, values and required slots.
fn technique_inputs(
    technique: &Technique,
    inputs: &Map<String, Value>,
) -> Result<Vec<RunInput>, ApiError> {
    let mut errors = Vec::new();
    let mut given = Vec::new();
    for (id, value) in inputs {
        let field = format!("inputs.{id}");
        let Some(slot) = technique.inputs.iter().find(|slot| slot.id == id) else {
            let expected: Vec<&str> = technique.inputs.iter().map(|slot| slot.id).collect();
            let message = format!(
                "{field} is not an input of {}; expected one of {}",
                technique.technique_id,
                expected.join(", ")
            );
            errors.push(FieldError::new(field, message));
            continue;
        };
        let values: Vec<&Value> = match value {
            Value::Array(items) if slot.allows_multiple() && !items.is_empty() => {
                items.iter().collect()
            }
            other => vec![other],
        };
        for value in values {
            match value.as_str() {
                Some(text) if !text.trim().is_empty() => given.push(RunInput {
                    id: id.clone(),
                    kind: slot.kind.as_str().to_owned(),
                    value: text.to_owned(),
                }),
                Some(_) => {
                    let message = format!("{field} must not be empty; omit optional inputs");
                    errors.push(FieldError::new(&field, message));
                }
                None => errors.push(FieldError::new(&field, format!("{field} must be a string"))),
            }
        }
    }
    for slot in technique.inputs.iter().filter(|slot| !slot.is_optional()) {
        if !inputs.contains_key(slot.id) {
            let message = format!("inputs is missing required input \"{}\"", slot.id);
            errors.push(FieldError::new("inputs", message));
        }
    }
    ApiError::check(errors)?;
    Ok(given)
}
