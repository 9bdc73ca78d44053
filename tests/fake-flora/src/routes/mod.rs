//! The route table: FLORA's endpoints under `/api/v1` behind recording, faults and auth, the
//! `/__fake` control endpoints beside them, and JSON 404s for everything else.

mod assets;
mod control;
mod models;
mod projects;
mod redirect;
mod technique_runs;
mod techniques;
mod workspaces;

use crate::errors::ApiError;
use crate::state::AppState;
use crate::{auth, faults, recording, request_id};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;

/// The whole application.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/workspaces", get(workspaces::list))
        .route("/models", get(models::list))
        .route("/techniques", get(techniques::list))
        .route("/techniques/{technique_id}", get(techniques::retrieve))
        .route(
            "/techniques/{technique_id}/runs",
            axum::routing::post(technique_runs::create),
        )
        .route(
            "/techniques/{technique_id}/runs/{run_id}",
            get(technique_runs::retrieve),
        )
        .route("/technique-runs", get(technique_runs::list))
        .route("/projects", get(projects::list))
        .route("/projects/{project_id}", get(projects::retrieve))
        .route("/assets", get(assets::list))
        .route("/assets/{asset_id}", get(assets::retrieve))
        .route("/__fake/redirect", get(redirect::redirect))
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        // The recording layer already caps bodies, answering in FLORA's envelope.
        .layer(DefaultBodyLimit::disable())
        .layer(from_fn_with_state(state.clone(), auth::authenticate))
        .layer(from_fn_with_state(state.clone(), faults::apply_faults))
        .layer(from_fn_with_state(state.clone(), recording::record));
    Router::new()
        .nest("/api/v1", api)
        .route(
            "/__fake/faults",
            axum::routing::post(control::add_faults).delete(control::clear_faults),
        )
        .route(
            "/__fake/requests",
            get(control::requests).delete(control::clear_requests),
        )
        .route("/__fake/runs", get(control::runs))
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(from_fn(request_id::stamp))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}
