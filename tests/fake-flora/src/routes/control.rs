//! The test-control endpoints outside `/api/v1` (no auth): arm and clear faults, read and clear
//! recorded requests, and read the technique runs created so far.

use crate::errors::ApiError;
use crate::faults::Fault;
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

/// `POST /__fake/faults` accepts one fault or a list of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum Faults {
    One(Fault),
    Many(Vec<Fault>),
}

pub async fn add_faults(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let faults = match serde_json::from_slice::<Faults>(&body) {
        Ok(Faults::One(fault)) => vec![fault],
        Ok(Faults::Many(faults)) => faults,
        Err(error) => {
            let message = format!("body is not a fault or a list of faults: {error}");
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                message,
            ));
        }
    };
    for fault in &faults {
        state.inject(fault.clone());
    }
    Ok((StatusCode::CREATED, Json(json!({ "faults": faults }))))
}

pub async fn clear_faults(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "cleared": state.clear_faults() }))
}

pub async fn requests(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "requests": state.requests() }))
}

pub async fn clear_requests(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "cleared": state.clear_requests() }))
}

pub async fn runs(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "technique_runs": state.technique_runs() }))
}
