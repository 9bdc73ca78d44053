//! The route table: FLORA's endpoints under `/api/v1` behind recording, faults and auth, the
//! `/__fake` control endpoints beside them, and JSON 404s for everything else.

pub mod actions;
mod assets;
mod canvas;
mod canvas_definition;
mod control;
mod feedback;
mod generations;
mod library;
mod models;
mod project_actions;
mod project_assets;
pub mod projects;
mod redirect;
mod runs;
mod technique_runs;
mod techniques;
mod uploads;
mod workspace_projects;
mod workspaces;

use crate::errors::ApiError;
use crate::state::AppState;
use crate::{auth, faults, oauth, recording, request_id};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};

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
        .route("/generate", post(generations::create))
        .route("/runs/generation", post(generations::create))
        .route("/generations", get(generations::list))
        .route("/runs/technique", post(runs::start_technique))
        .route("/runs/action", post(actions::run))
        .route("/runs/{run_id}", get(runs::retrieve))
        .route("/actions", get(actions::list))
        .route("/actions/{action_id}", get(actions::retrieve))
        .route("/projects", get(projects::list).post(projects::create))
        .route("/projects/{project_id}", get(projects::retrieve))
        .route("/projects/{project_id}/nodes", get(projects::nodes))
        .route(
            "/projects/{project_id}/canvas",
            get(canvas::retrieve).patch(canvas::update),
        )
        .route(
            "/projects/{project_id}/actions",
            post(project_actions::create),
        )
        .route(
            "/projects/{project_id}/actions/{node_id}/run",
            post(project_actions::run),
        )
        .route(
            "/projects/{project_id}/assets/{asset_id}/attach",
            post(project_assets::attach),
        )
        .route("/feedback", post(feedback::record))
        .route(
            "/workspaces/{workspace_id}/projects",
            post(workspace_projects::create),
        )
        .route(
            "/workspaces/{workspace_id}/folders/{folder_id}/projects",
            post(workspace_projects::create_in_folder),
        )
        .route(
            "/workspaces/{workspace_id}/projects/{project_id}/graph",
            get(workspace_projects::graph),
        )
        .route(
            "/workspaces/{workspace_id}/projects/{project_id}/nodes/run",
            post(workspace_projects::run_nodes),
        )
        .route(
            "/workspaces/{workspace_id}/projects/{project_id}/canvas/definition",
            get(canvas_definition::retrieve).put(canvas_definition::replace),
        )
        .route(
            "/workspaces/{workspace_id}/projects/{project_id}/canvas/changeset",
            post(canvas_definition::apply_changeset),
        )
        .route(
            "/workspaces/{workspace_id}/library/folders",
            post(library::create_folder),
        )
        .route(
            "/workspaces/{workspace_id}/library/folders/{folder_id}",
            axum::routing::delete(library::delete_folder),
        )
        .route(
            "/workspaces/{workspace_id}/library/folders/{folder_id}/items",
            post(library::add_item),
        )
        .route("/assets", get(assets::list).post(uploads::create))
        .route("/assets/{asset_id}", get(assets::retrieve))
        .route("/assets/{asset_id}/complete", post(uploads::complete))
        .route("/assets/{asset_id}/retry", post(uploads::retry))
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
        .route(
            "/__fake/oauth",
            get(oauth::control_read).post(oauth::control_write),
        )
        .route(
            "/.well-known/oauth-protected-resource",
            get(oauth::protected_resource),
        )
        .route(
            "/.well-known/oauth-protected-resource/api/v1",
            get(oauth::protected_resource),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(oauth::metadata),
        )
        .route("/register", post(oauth::register))
        .route("/authorize", get(oauth::authorize).post(oauth::consent))
        .route("/token", post(oauth::token))
        .route("/__fake/runs", get(control::runs))
        .route("/__fake/feedback", get(control::feedback))
        .route(
            "/__fake/storage",
            get(control::storage).post(control::storage_control),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(from_fn(request_id::stamp))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}
