//! `GET /workspaces`: the one workspace the API key is scoped to.

use crate::auth::Caller;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

pub async fn list(State(state): State<AppState>, caller: Caller) -> Json<Value> {
    let workspaces: Vec<_> = state.workspace(&caller.workspace_id).into_iter().collect();
    Json(json!({ "workspaces": workspaces }))
}
