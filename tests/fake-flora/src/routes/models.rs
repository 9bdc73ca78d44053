//! `GET /models?type=`: the model catalog, optionally narrowed to one media type; not paginated.

use crate::errors::ApiError;
use crate::extract::Params;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

const TYPES: [&str; 4] = ["image", "video", "audio", "text"];

pub async fn list(State(state): State<AppState>, params: Params) -> Result<Json<Value>, ApiError> {
    let kind = params.get("type");
    if let Some(kind) = kind
        && !TYPES.contains(&kind)
    {
        return Err(ApiError::field(
            "type",
            "type must be one of image, video, audio, text",
        ));
    }
    let models: Vec<_> = state
        .models
        .iter()
        .filter(|m| kind.is_none_or(|kind| m.kind == kind))
        .collect();
    Ok(Json(json!({ "models": models })))
}
