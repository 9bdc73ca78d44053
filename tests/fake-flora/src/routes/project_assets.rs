//! `POST /projects/{projectId}/assets/{assetId}/attach`: places a ready asset on the canvas as a
//! static media node (201); an asset that is not ready yet is a 409.

use crate::attach::place_asset;
use crate::auth::Caller;
use crate::canvas::canvas_url;
use crate::errors::ApiError;
use crate::extract::PathParams;
use crate::idempotency::Guard;
use crate::ids::path_id;
use crate::state::AppState;
use crate::time::now_ms;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

pub async fn attach(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((project_id, asset_id)): PathParams<(String, String)>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    path_id("project_id", &project_id, "prj_")?;
    path_id("asset_id", &asset_id, "asset_")?;
    let operation = format!("POST /projects/{project_id}/assets/{asset_id}/attach");
    let guard = Guard::new(&headers, &caller.workspace_id, operation);
    let mut world = state.world();
    guard.check(&mut world.idempotency)?;
    world.project(&caller.workspace_id, &project_id)?;
    let asset = world.asset_mut(&caller.workspace_id, &asset_id)?;
    if asset.status != "ready" {
        let message = format!(
            "asset {asset_id} is {}; only ready assets can be attached",
            asset.status
        );
        return Err(ApiError::conflict(message));
    }
    let node_id = place_asset(&mut world, &project_id, &asset_id).ok_or_else(ApiError::unknown)?;
    world.touch_project(&project_id, now_ms());
    guard.reserve(&mut world.idempotency);
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "asset_id": asset_id,
            "project_id": project_id,
            "node_id": node_id,
            "canvas_url": canvas_url(&project_id),
        })),
    ))
}
