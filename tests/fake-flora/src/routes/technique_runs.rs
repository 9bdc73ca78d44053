//! Technique runs: `POST /techniques/{techniqueId}/runs` (validation, body and header
//! idempotency), `GET /techniques/{techniqueId}/runs/{runId}` (each read advances the run) and
//! `GET /technique-runs` (history, newest first, filterable).

use crate::auth::Caller;
use crate::errors::{ApiError, FieldError};
use crate::extract::{Params, PathParams, json_object};
use crate::idempotency::Scope;
use crate::ids::{self, check_prefix};
use crate::pagination::{PageRequest, page};
use crate::run_body;
use crate::runs::Run;
use crate::state::{AppState, Shared};
use crate::time::now_ms;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

const STATUSES: [&str; 4] = ["pending", "running", "completed", "failed"];

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(technique_ref): PathParams<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let technique = state
        .technique(&technique_ref)
        .ok_or_else(ApiError::not_found)?;
    let scope: Option<Scope> = headers
        .get("idempotency-key")
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|key| !key.is_empty())
        .map(|key| {
            let operation = format!("POST /techniques/{}/runs", technique.technique_id);
            (caller.workspace_id.clone(), operation, key.to_owned())
        });
    let reserved = |world: &mut crate::state::World| {
        scope
            .as_ref()
            .is_some_and(|scope| world.idempotency.is_reserved(scope))
    };
    if reserved(&mut state.world()) {
        return Err(ApiError::idempotency_duplicate());
    }
    let request = run_body::validate(technique, &json_object(&body)?)?;

    let mut world = state.world();
    if reserved(&mut world) {
        return Err(ApiError::idempotency_duplicate());
    }
    if let Some(key) = &request.idempotency_key {
        let existing = world
            .run_keys
            .get(&(caller.workspace_id.clone(), key.clone()))
            .cloned();
        if let Some(run) = existing.and_then(|id| world.runs.iter().find(|r| r.run_id == id)) {
            let view = run.view(&state.origin);
            if let Some(scope) = scope {
                world.idempotency.reserve(scope);
            }
            return Ok((StatusCode::OK, Json(view)).into_response());
        }
    }
    let project_id =
        Shared::default_project(&world, &caller.workspace_id).ok_or_else(ApiError::unknown)?;
    let now = now_ms();
    let run = Run::new(
        ids::run_id(),
        technique,
        &technique_ref,
        &caller.workspace_id,
        &project_id,
        request,
        now,
    );
    let view = run.view(&state.origin);
    if let Some(key) = &run.request.idempotency_key {
        world.run_keys.insert(
            (caller.workspace_id.clone(), key.clone()),
            run.run_id.clone(),
        );
    }
    if let Some(project) = world
        .projects
        .iter_mut()
        .find(|p| p.project_id == project_id)
    {
        project.last_modified = Some(now);
    }
    world.runs.push(run);
    if let Some(scope) = scope {
        world.idempotency.reserve(scope);
    }
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

pub async fn retrieve(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((technique_ref, run_id)): PathParams<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let technique = state
        .technique(&technique_ref)
        .ok_or_else(ApiError::not_found)?;
    check_prefix("run_id", &run_id, "run_").map_err(|e| ApiError::validation(vec![e]))?;
    let mut world = state.world();
    let run = world
        .runs
        .iter_mut()
        .find(|r| {
            r.run_id == run_id
                && r.workspace_id == caller.workspace_id
                && r.technique.technique_id == technique.technique_id
        })
        .ok_or_else(ApiError::not_found)?;
    run.advance(now_ms());
    Ok(Json(
        serde_json::to_value(run.view(&state.origin)).map_err(|_| ApiError::unknown())?,
    ))
}

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let mut errors = Vec::new();
    let request = PageRequest::parse(&params, &mut errors);
    let workspace_id = params.id("workspace_id", "ws_", &mut errors);
    let project_id = params.id("project_id", "prj_", &mut errors);
    let status = params.get("status");
    if let Some(status) = status
        && !STATUSES.contains(&status)
    {
        let message = "status must be one of pending, running, completed, failed";
        errors.push(FieldError::new("status", message));
    }
    ApiError::check(errors)?;
    if let Some(workspace_id) = &workspace_id {
        caller.check_workspace(workspace_id)?;
    }
    let world = state.world();
    if let Some(project_id) = &project_id {
        let visible = world
            .projects
            .iter()
            .any(|p| &p.project_id == project_id && p.workspace_id == caller.workspace_id);
        if !visible {
            return Err(ApiError::not_found());
        }
    }
    // An unknown technique matches nothing rather than failing the listing.
    let technique_id = params
        .get("technique_id")
        .map(|reference| state.technique(reference).map_or("", |t| t.technique_id));
    let items: Vec<_> = world
        .runs
        .iter()
        .rev()
        .filter(|r| r.workspace_id == caller.workspace_id)
        .filter(|r| project_id.as_ref().is_none_or(|p| &r.project_id == p))
        .filter(|r| technique_id.is_none_or(|t| r.technique.technique_id == t))
        .filter(|r| status.is_none_or(|s| r.status() == s))
        .map(|r| r.list_item(&state.origin))
        .collect();
    Ok(Json(page("technique_runs", items, request)))
}
