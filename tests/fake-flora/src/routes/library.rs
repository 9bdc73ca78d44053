//! The caller's library: `POST /workspaces/{ws}/library/folders` (201), `DELETE
//! …/library/folders/{folderId}`, and `POST …/library/folders/{folderId}/items` (saves an image
//! from a public HTTPS URL — pretended, never fetched — or a text; 201).

use crate::auth::Caller;
use crate::errors::ApiError;
use crate::extract::{PathParams, json_object};
use crate::fields::{Fields, is_public_https};
use crate::folders::{LibraryFolder, LibraryItem};
use crate::idempotency::Guard;
use crate::ids::{path_id, random_token};
use crate::sniff;
use crate::state::AppState;
use crate::time::{iso8601, now_ms};
use crate::uploads::{name_from_url, new_asset};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

pub async fn create_folder(
    State(state): State<AppState>,
    caller: Caller,
    PathParams(workspace_id): PathParams<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.check_workspace(&workspace_id)?;
    let body = if body.is_empty() {
        serde_json::Map::new()
    } else {
        json_object(&body)?
    };
    let mut fields = Fields::new(&body, &["name"]);
    let name = fields.optional_string("name");
    fields.finish()?;
    let now = now_ms();
    let name =
        name.unwrap_or_else(|| format!("Web Clip {}", &iso8601(now)[..16].replace('T', " ")));
    let operation = format!("POST /workspaces/{workspace_id}/library/folders");
    let guard = Guard::new(&headers, &workspace_id, operation);
    let mut world = state.world();
    guard.check(&mut world.idempotency)?;
    let folder = LibraryFolder {
        folder_id: format!("libfolder_{}", random_token(24)),
        workspace_id: workspace_id.clone(),
        name,
        items: Vec::new(),
    };
    let answer = json!({
        "folder_id": folder.folder_id,
        "name": folder.name,
        "workspace_id": workspace_id,
    });
    world.library.push(folder);
    guard.reserve(&mut world.idempotency);
    Ok((StatusCode::CREATED, Json(answer)))
}

pub async fn delete_folder(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((workspace_id, folder_id)): PathParams<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    caller.check_workspace(&workspace_id)?;
    path_id("folder_id", &folder_id, "libfolder_")?;
    let mut world = state.world();
    let index = world
        .library
        .iter()
        .position(|f| f.folder_id == folder_id && f.workspace_id == workspace_id)
        .ok_or_else(ApiError::not_found)?;
    world.library.remove(index);
    Ok(Json(json!({
        "deleted": true,
        "folder_id": folder_id,
        "workspace_id": workspace_id,
    })))
}

pub async fn add_item(
    State(state): State<AppState>,
    caller: Caller,
    PathParams((workspace_id, folder_id)): PathParams<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.check_workspace(&workspace_id)?;
    path_id("folder_id", &folder_id, "libfolder_")?;
    let body = json_object(&body)?;
    let mut fields = Fields::new(&body, &["type", "source", "text", "description"]);
    let kind = fields.one_of("type", &["image", "text"], false);
    let source = fields.optional_string("source");
    let text = fields.optional_string("text");
    let description = fields.optional_string("description");
    let kind = kind.unwrap_or_else(|| {
        if source.is_none() && text.is_some() {
            "text"
        } else {
            "image"
        }
        .to_owned()
    });
    match (kind.as_str(), &source, &text) {
        ("image", None, _) => fields.fail("source", "is required when type is image"),
        ("image", Some(source), _) if !is_public_https(source) => {
            fields.fail("source", "must be a public HTTPS URL");
        }
        ("image", Some(source), _)
            if sniff::from_name(source).is_some_and(|t| !t.starts_with("image/")) =>
        {
            fields.fail("source", "must point at an image");
        }
        ("text", _, None) => fields.fail("text", "is required when type is text"),
        ("text", Some(_), _) => fields.fail("source", "is only for image items"),
        _ => {}
    }
    fields.finish()?;

    let operation = format!("POST /workspaces/{workspace_id}/library/folders/{folder_id}/items");
    let guard = Guard::new(&headers, &workspace_id, operation);
    let mut world = state.world();
    guard.check(&mut world.idempotency)?;
    if !world
        .library
        .iter()
        .any(|f| f.folder_id == folder_id && f.workspace_id == workspace_id)
    {
        return Err(ApiError::not_found());
    }
    let mut item = LibraryItem {
        saved_node_id: format!("node_{}", random_token(20)),
        kind: kind.clone(),
        asset_id: None,
        url: None,
        source: source.clone(),
        text,
        description: description.clone(),
    };
    if let Some(source) = &source {
        let name = name_from_url(source).unwrap_or_else(|| "clip.png".to_owned());
        let content_type = sniff::from_name(&name).unwrap_or("image/png");
        let mut asset = new_asset(&workspace_id, &name, content_type, "url", now_ms());
        asset.description = description;
        item.asset_id = Some(asset.asset_id.clone());
        item.url = Some(asset.url.clone());
        world.assets.push(asset);
    }
    let mut answer = json!({
        "folder_id": folder_id,
        "saved_node_id": item.saved_node_id,
        "workspace_id": workspace_id,
    });
    if kind == "image" {
        answer["asset_id"] = json!(item.asset_id);
        answer["url"] = json!(item.url);
    }
    if let Some(folder) = world.library.iter_mut().find(|f| f.folder_id == folder_id) {
        folder.items.push(item);
    }
    guard.reserve(&mut world.idempotency);
    Ok((StatusCode::CREATED, Json(answer)))
}
