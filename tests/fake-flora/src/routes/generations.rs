//! Model generations: `POST /generate` and its deprecated twin `POST /runs/generation` (body
//! validated against the model catalog; 201 `RunStart`), and `GET /generations` (history,
//! newest first, filterable by workspace, project and status).

use crate::api_runs::{ApiRun, Job};
use crate::auth::Caller;
use crate::errors::{ApiError, FieldError};
use crate::extract::{Params, json_object};
use crate::fields::Fields;
use crate::idempotency::Guard;
use crate::ids;
use crate::pagination::{PageRequest, page};
use crate::state::AppState;
use crate::time::now_ms;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

/// The generation types, i.e. the model media types.
pub const MEDIA_TYPES: [&str; 4] = ["image", "video", "audio", "text"];
const STATUSES: [&str; 4] = ["pending", "running", "completed", "failed"];
const BODY: [&str; 7] = [
    "type",
    "prompt",
    "workspace_id",
    "project_id",
    "model",
    "params",
    "callback_url",
];

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let body = json_object(&body)?;
    let mut fields = Fields::new(&body, &BODY);
    let media = fields.one_of("type", &MEDIA_TYPES, true);
    let prompt = fields.required_string("prompt");
    let workspace_id = fields.required_id("workspace_id", "ws_");
    let project_id = fields.required_id("project_id", "prj_");
    let model_id = fields.optional_string("model");
    let params = fields
        .optional_object("params")
        .cloned()
        .unwrap_or_default();
    let callback_url = fields.optional_https("callback_url");
    let model = match (&media, &model_id) {
        (Some(media), Some(model_id)) => check_model(&state, media, model_id, &mut fields),
        // Without a model, the workspace default for the type: the first in the catalog.
        (Some(media), None) => state.models.iter().find(|m| m.kind == media),
        _ => None,
    };
    fields.finish()?;
    let (Some(model), Some(prompt), Some(workspace_id), Some(project_id)) =
        (model, prompt, workspace_id, project_id)
    else {
        return Err(ApiError::unknown());
    };
    caller.check_workspace(&workspace_id)?;

    let guard = Guard::new(&headers, &workspace_id, format!("POST {}", uri.path()));
    let mut world = state.world();
    guard.check(&mut world.idempotency)?;
    world.project(&workspace_id, &project_id)?;
    let now = now_ms();
    let job = Job::Generation {
        model: model.clone(),
        prompt,
        params,
    };
    let mut run = ApiRun::new(ids::run_id(), &workspace_id, &project_id, job, now);
    run.callback_url = callback_url;
    let start = run.start(&state.origin);
    world.api_runs.push(run);
    world.touch_project(&project_id, now);
    guard.reserve(&mut world.idempotency);
    Ok((StatusCode::CREATED, Json(start)))
}

/// The catalog model `model_id` if it makes `media`; otherwise notes why not.
fn check_model<'a>(
    state: &'a AppState,
    media: &str,
    model_id: &str,
    fields: &mut Fields<'_>,
) -> Option<&'a crate::catalog::Model> {
    match state.model(model_id) {
        Some(model) if model.kind == media => Some(model),
        found => {
            let available: Vec<&str> = state
                .models
                .iter()
                .filter(|m| m.kind == media)
                .map(|m| m.model_id)
                .collect();
            let what = match found {
                Some(model) => format!("\"{model_id}\" is a {} model", model.kind),
                None => format!("\"{model_id}\" is not an available model"),
            };
            let message = format!("{what}; available {media} models: {}", available.join(", "));
            fields.fail("model", &message);
            None
        }
    }
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
        world.project(&caller.workspace_id, project_id)?;
    }
    let items: Vec<Value> = world
        .api_runs
        .iter()
        .rev()
        .filter(|r| r.run_type() == "generation" && r.workspace_id == caller.workspace_id)
        .filter(|r| project_id.as_ref().is_none_or(|p| &r.project_id == p))
        .filter(|r| status.is_none_or(|s| r.status() == s))
        .map(|r| r.generation_item(&state.origin))
        .collect();
    Ok(Json(page("generations", items, request)))
}
