//! The test-control endpoints outside `/api/v1` (no auth): arm and clear faults, read and clear
//! recorded requests, read the runs and feedback created so far, and read or steer the fake
//! storage (stored uploads, expiring targets, failing the next processing).

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
    Json(json!({
        "technique_runs": state.technique_runs(),
        "api_runs": state.api_runs(),
    }))
}

pub async fn feedback(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "feedback": state.feedback() }))
}

pub async fn storage(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "storage_origin": state.storage_origin,
        "uploads": state.stored_uploads(),
    }))
}

/// `POST /__fake/storage`: `{"expire_targets": true}` and/or `{"fail_next_processing": "…"}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StorageControl {
    #[serde(default)]
    expire_targets: bool,
    #[serde(default)]
    fail_next_processing: Option<String>,
}

pub async fn storage_control(
    State(state): State<AppState>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let control: StorageControl = serde_json::from_slice(&body).map_err(|error| {
        let message = format!("body is not a storage control: {error}");
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", message)
    })?;
    let expired = if control.expire_targets {
        state.expire_upload_targets()
    } else {
        0
    };
    if let Some(message) = &control.fail_next_processing {
        state.fail_next_processing(message);
    }
    Ok(Json(json!({
        "expired_targets": expired,
        "fail_next_processing": control.fail_next_processing,
    })))
}
