//! Creating assets: `POST /assets` in its three modes — multipart bytes (≤ 4 MB, type checked
//! from the bytes, ready at once), a public HTTPS `source` (pretended: never fetched; ready after
//! a poll), or `source: "signed-url"` (a reservation with an upload target on the fake storage)
//! — and the signed flow's `POST /assets/{id}/complete` and `POST /assets/{id}/retry`.

use crate::attach::place_asset;
use crate::auth::Caller;
use crate::catalog::Asset;
use crate::errors::{ApiError, FieldError};
use crate::extract::{PathParams, json_object};
use crate::fields::{Fields, is_public_https};
use crate::idempotency::Guard;
use crate::ids::{check_prefix, path_id};
use crate::multipart::{self, PartHeaders};
use crate::sniff;
use crate::state::{AppState, World};
use crate::time::now_ms;
use crate::uploads::{Target, UploadState, name_from_url, new_asset, ticket};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::Value;

/// Largest file `POST /assets` takes as direct bytes (4 MiB).
pub const DIRECT_MAX_BYTES: usize = 4 * 1024 * 1024;

const JSON_FIELDS: [&str; 6] = [
    "source",
    "workspace_id",
    "content_type",
    "file_name",
    "folder",
    "project_id",
];
const FORM_FIELDS: [&str; 6] = [
    "file",
    "workspace_id",
    "content_type",
    "file_name",
    "folder",
    "project_id",
];

pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let multipart = content_type
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("multipart/");
    let guard = Guard::new(&headers, &caller.workspace_id, "POST /assets".to_owned());
    let asset = if multipart {
        direct(&state, &caller, content_type, &body, guard)?
    } else {
        by_reference(&state, &caller, &body, guard)?
    };
    Ok((StatusCode::CREATED, Json(asset)))
}

/// Mode 1: the bytes are in the request.
fn direct(
    state: &AppState,
    caller: &Caller,
    content_type: &str,
    body: &[u8],
    guard: Guard,
) -> Result<Value, ApiError> {
    let form = multipart::collect(content_type, body).map_err(|message| {
        ApiError::field(
            "file",
            format!("the body is not valid multipart/form-data: {message}"),
        )
    })?;
    let mut errors = Vec::new();
    let mut text = std::collections::HashMap::new();
    let mut file: Option<(PartHeaders, Vec<u8>)> = None;
    for (part, bytes) in form.parts {
        let name = part.name.clone();
        if name == "source" {
            let message = "source must not be sent with a file; send either a file or a source";
            errors.push(FieldError::new("source", message));
        } else if !FORM_FIELDS.contains(&name.as_str()) {
            errors.push(FieldError::new(
                &name,
                format!("{name} is not a recognized field"),
            ));
        } else if name == "file" {
            file = Some((part, bytes));
        } else {
            text.insert(name, String::from_utf8_lossy(&bytes).trim().to_owned());
        }
    }
    let workspace_id = text.get("workspace_id").cloned();
    match &workspace_id {
        None => errors.push(FieldError::new("workspace_id", "workspace_id is required")),
        Some(id) => errors.extend(check_prefix("workspace_id", id, "ws_").err()),
    }
    let project_id = text.get("project_id").filter(|p| !p.is_empty()).cloned();
    if let Some(id) = &project_id {
        errors.extend(check_prefix("project_id", id, "prj_").err());
    }
    let declared = text
        .get("content_type")
        .cloned()
        .or_else(|| {
            file.as_ref()
                .and_then(|(part, _)| part.content_type.clone())
        })
        .filter(|t| !t.is_empty() && t != "application/octet-stream");
    let detected = match &file {
        None => {
            errors.push(FieldError::new("file", "file is required"));
            None
        }
        Some((_, bytes)) => check_bytes(bytes, declared.as_deref(), &mut errors),
    };
    ApiError::check(errors)?;
    let (Some(workspace_id), Some((part, bytes)), Some(detected)) = (workspace_id, file, detected)
    else {
        return Err(ApiError::unknown());
    };
    caller.check_workspace(&workspace_id)?;
    let mut world = state.world();
    guard.check(&mut world.idempotency)?;
    if let Some(project_id) = &project_id {
        world.project(&workspace_id, project_id)?;
    }
    let name = text
        .get("file_name")
        .filter(|n| !n.is_empty())
        .cloned()
        .or(part.filename)
        .unwrap_or_else(|| "upload".to_owned());
    let mut asset = new_asset(&workspace_id, &name, detected, "direct", now_ms());
    asset.upload_content_type = declared;
    asset.size_bytes = Some(bytes.len() as u64);
    if let Some((width, height)) = sniff::dimensions(&bytes) {
        asset.width = Some(width);
        asset.height = Some(height);
    }
    let answer = ticket(&asset, &state.storage_origin, true);
    let asset_id = asset.asset_id.clone();
    world.assets.push(asset);
    if let Some(project_id) = &project_id {
        place_asset(&mut world, project_id, &asset_id);
    }
    guard.reserve(&mut world.idempotency);
    Ok(answer)
}

/// Checks direct bytes: size, an allowed type by their first bytes, the image pixel cap.
fn check_bytes(
    bytes: &[u8],
    declared: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<&'static str> {
    if bytes.len() > DIRECT_MAX_BYTES {
        let message =
            "file is larger than 4 MB; reserve a signed upload with source \"signed-url\"";
        errors.push(FieldError::new("file", message));
        return None;
    }
    if let Some(declared) = declared
        && sniff::allowed(declared).is_none()
    {
        let message = format!("content_type {declared} is not an allowed type");
        errors.push(FieldError::new("content_type", message));
    }
    let Some(detected) = sniff::detect(bytes) else {
        let message = format!(
            "file is not an allowed type; allowed types are {}",
            sniff::ALLOWED_TYPES.join(", ")
        );
        errors.push(FieldError::new("file", message));
        return None;
    };
    if let Some((width, height)) = sniff::dimensions(bytes)
        && u64::from(width) * u64::from(height) > sniff::MAX_IMAGE_PIXELS
    {
        errors.push(FieldError::new(
            "file",
            "file is larger than 150 megapixels",
        ));
        return None;
    }
    Some(detected)
}

/// Modes 2 and 3: a URL to fetch, or a signed upload reservation.
fn by_reference(
    state: &AppState,
    caller: &Caller,
    body: &[u8],
    guard: Guard,
) -> Result<Value, ApiError> {
    let body = json_object(body)?;
    let mut fields = Fields::new(&body, &JSON_FIELDS);
    let source = fields.required_string("source");
    let workspace_id = fields.required_id("workspace_id", "ws_");
    let content_type = fields.optional_string("content_type");
    let file_name = fields.optional_string("file_name");
    fields.optional_string("folder");
    let project_id = fields.optional_id("project_id", "prj_");
    if let Some(declared) = &content_type
        && sniff::allowed(declared).is_none()
    {
        fields.fail(
            "content_type",
            &format!("{declared} is not an allowed type"),
        );
    }
    let signed = source.as_deref() == Some("signed-url");
    if let Some(source) = &source
        && !signed
        && !is_public_https(source)
    {
        fields.fail("source", "must be \"signed-url\" or a public HTTPS URL");
    }
    fields.finish()?;
    let (Some(source), Some(workspace_id)) = (source, workspace_id) else {
        return Err(ApiError::unknown());
    };
    caller.check_workspace(&workspace_id)?;
    let mut world = state.world();
    guard.check(&mut world.idempotency)?;
    if let Some(project_id) = &project_id {
        world.project(&workspace_id, project_id)?;
    }
    let now = now_ms();
    let name = file_name
        .or_else(|| (!signed).then(|| name_from_url(&source)).flatten())
        .unwrap_or_else(|| "upload".to_owned());
    let guess = content_type
        .as_deref()
        .and_then(sniff::allowed)
        .or_else(|| sniff::from_name(&name))
        .unwrap_or("application/octet-stream");
    let via = if signed { "signed_url" } else { "url" };
    let mut asset = new_asset(&workspace_id, &name, guess, via, now);
    asset.status = "pending_upload".to_owned();
    asset.upload_content_type = content_type;
    asset.project_id = project_id;
    asset.upload = Some(if signed {
        UploadState {
            target: Some(Target::issue(&asset, ttl_ms(state, &mut world), now)),
            ..UploadState::default()
        }
    } else {
        let failure = source
            .contains("fail:")
            .then(|| "the source could not be fetched".to_owned())
            .or_else(|| world.fail_next_processing.take());
        UploadState {
            processing: true,
            failure,
            ..UploadState::default()
        }
    });
    let answer = ticket(&asset, &state.storage_origin, true);
    world.assets.push(asset);
    guard.reserve(&mut world.idempotency);
    Ok(answer)
}

/// The life of a target issued now: zero while targets are set to be born expired.
fn ttl_ms(state: &AppState, world: &mut World) -> u64 {
    if world.expire_next_targets > 0 {
        world.expire_next_targets -= 1;
        return 0;
    }
    u64::try_from(state.upload_ttl.as_millis()).unwrap_or(u64::MAX)
}

/// A signed-upload asset of the caller's, else 404 (or 409 when it was not a signed upload).
fn signed_asset<'a>(
    world: &'a mut World,
    caller: &Caller,
    asset_id: &str,
) -> Result<&'a mut Asset, ApiError> {
    let asset = world.asset_mut(&caller.workspace_id, asset_id)?;
    if asset.uploaded_via != "signed_url" {
        let message = format!("asset {asset_id} was not created as a signed upload");
        return Err(ApiError::conflict(message));
    }
    Ok(asset)
}

pub async fn complete(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(asset_id): PathParams<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    path_id("asset_id", &asset_id, "asset_")?;
    let operation = format!("POST /assets/{asset_id}/complete");
    let guard = Guard::new(&headers, &caller.workspace_id, operation);
    let mut world = state.world();
    guard.check(&mut world.idempotency)?;
    let failure = world.fail_next_processing.clone();
    let asset = signed_asset(&mut world, &caller, &asset_id)?;
    let now = now_ms();
    let mut consumed = false;
    match asset.upload.as_mut() {
        None => {
            let message = format!("asset {asset_id} is already {}", asset.status);
            return Err(ApiError::conflict(message));
        }
        Some(upload) if upload.processing => {}
        Some(upload) if upload.received.is_none() => {
            let expired = upload.target.as_ref().is_none_or(|t| t.is_expired(now));
            let message = if expired {
                "the upload target expired before the file arrived; call retry for a new one"
            } else {
                "no file has been uploaded to the target yet"
            };
            return Err(ApiError::conflict(message));
        }
        Some(upload) => {
            upload.processing = true;
            upload.polls_left = 1;
            upload.failure = failure;
            consumed = true;
        }
    }
    let answer = ticket(asset, &state.storage_origin, false);
    if consumed {
        world.fail_next_processing = None;
    }
    guard.reserve(&mut world.idempotency);
    Ok(Json(answer))
}

pub async fn retry(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(asset_id): PathParams<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    path_id("asset_id", &asset_id, "asset_")?;
    let operation = format!("POST /assets/{asset_id}/retry");
    let guard = Guard::new(&headers, &caller.workspace_id, operation);
    let mut world = state.world();
    guard.check(&mut world.idempotency)?;
    let asset = signed_asset(&mut world, &caller, &asset_id)?;
    let now = now_ms();
    let retryable = match (&asset.upload, asset.status.as_str()) {
        (_, "failed") => true,
        (Some(upload), "pending_upload") => {
            !upload.processing
                && upload.received.is_none()
                && upload.target.as_ref().is_none_or(|t| t.is_expired(now))
        }
        _ => false,
    };
    if !retryable {
        let message = format!(
            "asset {asset_id} is not retryable: only failed uploads and expired upload targets \
             get a new one"
        );
        return Err(ApiError::conflict(message));
    }
    let ttl = ttl_ms(&state, &mut world);
    let asset = signed_asset(&mut world, &caller, &asset_id)?;
    let target = Target::issue(asset, ttl, now);
    asset.upload = Some(UploadState {
        target: Some(target),
        ..UploadState::default()
    });
    asset.status = "pending_upload".to_owned();
    asset.failure_message = None;
    let answer = ticket(asset, &state.storage_origin, false);
    guard.reserve(&mut world.idempotency);
    Ok(Json(answer))
}
