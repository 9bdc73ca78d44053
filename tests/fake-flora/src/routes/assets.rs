//! `GET /assets` (filterable by workspace, project and search text; newest first) and
//! `GET /assets/{assetId}` (detail shape, ISO `created_at`).

use crate::attach;
use crate::auth::Caller;
use crate::errors::ApiError;
use crate::extract::{Params, PathParams};
use crate::ids::check_prefix;
use crate::pagination::{PageRequest, page};
use crate::state::AppState;
use crate::uploads;
use axum::Json;
use axum::extract::State;
use serde_json::Value;

pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> Result<Json<Value>, ApiError> {
    let mut errors = Vec::new();
    let request = PageRequest::parse(&params, &mut errors);
    let workspace_id = params.id("workspace_id", "ws_", &mut errors);
    let project_id = params.id("project_id", "prj_", &mut errors);
    ApiError::check(errors)?;
    if let Some(workspace_id) = &workspace_id {
        caller.check_workspace(workspace_id)?;
    }
    if let Some(project_id) = &project_id {
        let world = state.world();
        let visible = world
            .projects
            .iter()
            .any(|p| &p.project_id == project_id && p.workspace_id == caller.workspace_id);
        if !visible {
            return Err(ApiError::not_found());
        }
    }
    let search = params.search();
    let world = state.world();
    let mut assets: Vec<_> = world
        .assets
        .iter()
        .filter(|a| a.workspace_id == caller.workspace_id)
        .filter(|a| project_id.is_none() || a.project_id == project_id)
        .filter(|a| {
            search.as_deref().is_none_or(|q| {
                a.name.to_lowercase().contains(q)
                    || a.description
                        .as_deref()
                        .is_some_and(|d| d.to_lowercase().contains(q))
            })
        })
        .collect();
    assets.sort_by_key(|a| std::cmp::Reverse(a.created_at));
    let items: Vec<Value> = assets.into_iter().map(|a| a.list_item()).collect();
    Ok(Json(page("assets", items, request)))
}

pub async fn retrieve(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(asset_id): PathParams<String>,
) -> Result<Json<Value>, ApiError> {
    check_prefix("asset_id", &asset_id, "asset_").map_err(|e| ApiError::validation(vec![e]))?;
    let mut world = state.world();
    let asset = world.asset_mut(&caller.workspace_id, &asset_id)?;
    let became_ready = uploads::poll(asset);
    let detail = asset.detail();
    if became_ready {
        attach::surface_upload(&mut world, &asset_id);
    }
    Ok(Json(detail))
}
