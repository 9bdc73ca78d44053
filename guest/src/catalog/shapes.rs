//! Output schemas: the JSON Schema of each tool's `structuredContent`, following the response
//! types of SDK 0.11.0 (`src/resources/**`). Only what FLORA always sends is `required`.

use super::{ACTION_IDS, GENERATION_TYPES, MEDIA_TYPES, RUN_STATUSES};
use serde_json::{Value, json};

fn nullable(kind: &str) -> Value {
    json!({ "type": [kind, "null"] })
}

fn string() -> Value {
    json!({ "type": "string" })
}

fn number() -> Value {
    json!({ "type": "number" })
}

fn free_object() -> Value {
    json!({ "type": "object", "additionalProperties": true })
}

fn page_meta() -> Value {
    json!({
        "type": "object",
        "description": "Pagination: `next_cursor` fetches the next page; null on the last page.",
        "properties": { "next_cursor": nullable("string") },
    })
}

fn list_of(key: &str, item: Value, paged: bool) -> Value {
    let mut schema = json!({
        "type": "object",
        "properties": { key: { "type": "array", "items": item } },
        "required": [key],
    });
    if paged {
        schema["properties"]["meta"] = page_meta();
    }
    schema
}

fn object(properties: Value, required: &[&str]) -> Value {
    json!({ "type": "object", "properties": properties, "required": required })
}

/// Adds `workspace_id` and where it came from to a result schema.
fn with_workspace(mut schema: Value) -> Value {
    schema["properties"]["workspace_id"] = nullable("string");
    schema["properties"]["workspace_source"] = json!({
        "type": "string",
        "enum": ["argument", "default", "only_one"],
        "description": "Where the workspace came from: the argument, the configured default, \
            or the only workspace the credential can use.",
    });
    schema
}

/// `list_workspaces`.
pub fn workspaces() -> Value {
    let item = object(
        json!({
            "workspace_id": string(),
            "name": string(),
            "role": string(),
            "created_at": nullable("number"),
        }),
        &["workspace_id", "name", "role"],
    );
    list_of("workspaces", item, false)
}

/// `list_models`.
pub fn models() -> Value {
    let item = object(
        json!({
            "model_id": string(),
            "name": string(),
            "provider": string(),
            "type": { "type": "string", "enum": GENERATION_TYPES },
            "capabilities": { "type": "array", "items": string() },
            "estimated_credits": { "type": "number", "description": "About $0.001 each." },
            "estimated_seconds": number(),
            "params": { "type": "array", "items": { "type": "object" } },
            "beta": { "type": "boolean" },
        }),
        &["model_id", "name", "type"],
    );
    list_of("models", item, false)
}

fn io() -> Value {
    object(
        json!({
            "id": string(),
            "name": string(),
            "type": { "type": "string", "enum": MEDIA_TYPES },
            "description": string(),
            "optional": { "type": "boolean" },
        }),
        &["id", "name", "type"],
    )
}

/// `retrieve_technique`.
pub fn technique() -> Value {
    object(
        json!({
            "technique_id": string(),
            "name": string(),
            "description": string(),
            "run_cost": { "type": "number", "description": "Price of one run in USD." },
            "inputs": { "type": "array", "items": io() },
            "outputs": { "type": "array", "items": io() },
        }),
        &["technique_id", "name", "run_cost", "inputs", "outputs"],
    )
}

/// `list_techniques`.
pub fn techniques() -> Value {
    list_of("techniques", technique(), true)
}

/// A run as `GET /runs/{id}` and `GET /techniques/{t}/runs/{id}` return it.
pub fn run() -> Value {
    object(
        json!({
            "run_id": string(),
            "status": { "type": "string", "enum": RUN_STATUSES },
            "progress": number(),
            "created_at": number(),
            "started_at": number(),
            "completed_at": number(),
            "charged_cost": { "type": "number", "description": "USD charged for the run." },
            "error_code": string(),
            "error_message": string(),
            "retry_advice": {
                "type": "string",
                "enum": ["retry_now", "retry_later", "change_input", "not_retryable"],
                "description": "For a failed run: whether a new run may succeed as it is \
                    (retry_now, retry_later), only with other inputs (change_input), or not \
                    at all (not_retryable). Added by flora-mcp from FLORA's failure codes.",
            },
            "poll_url": string(),
            "outputs": {
                "type": "array",
                "items": object(
                    json!({
                        "output_id": string(),
                        "type": { "type": "string", "enum": MEDIA_TYPES },
                        "url": { "type": "string", "description": "Media URL, or the text." },
                    }),
                    &["output_id", "type", "url"],
                ),
            },
        }),
        &["run_id", "status", "progress"],
    )
}

/// A run a waiting tool (`generate`) hands back: the run plus where it was started.
pub fn waited_run() -> Value {
    let mut schema = with_workspace(run());
    schema["properties"]["project_id"] = string();
    schema["properties"]["model_id"] = nullable("string");
    schema["properties"]["estimated_seconds"] = nullable("number");
    schema
}

/// What FLORA answers when a run is started (`RunStart…Response`).
pub fn run_start() -> Value {
    let named = |key: &str| object(json!({ key: string() }), &[key]);
    let mut technique = named("technique_id");
    technique["properties"]["name"] = string();
    object(
        json!({
            "run_id": string(),
            "type": { "type": "string", "enum": ["generation", "technique", "action"] },
            "charged_cost": {
                "type": "number",
                "description": "USD quoted at start; the settled cost is on the run.",
            },
            "estimated_seconds": nullable("number"),
            "poll_url": nullable("string"),
            "project_id": nullable("string"),
            "model": { "type": ["object", "null"], "properties": { "model_id": string() } },
            "technique": { "type": ["object", "null"], "properties": technique["properties"] },
            "action": { "type": ["object", "null"], "properties": { "action_id": string() } },
            "workspace_id": string(),
            "workspace_source": { "type": "string" },
        }),
        &["run_id", "type"],
    )
}

/// `list_technique_runs`.
pub fn technique_runs() -> Value {
    let mut item = run();
    item["properties"]["technique"] = json!({
        "type": "object",
        "properties": { "technique_id": string(), "name": string() },
    });
    item["properties"]["project_id"] = string();
    item["properties"]["workspace_id"] = string();
    list_of("technique_runs", item, true)
}

/// `list_generations`.
pub fn generations() -> Value {
    let mut item = run();
    item["properties"]["generation_id"] = string();
    item["properties"]["project_id"] = string();
    item["properties"]["workspace_id"] = string();
    item["properties"]["model"] = json!({
        "type": "object",
        "properties": { "model_id": nullable("string") },
    });
    list_of("generations", item, true)
}

/// A project.
pub fn project() -> Value {
    object(
        json!({
            "project_id": string(),
            "workspace_id": string(),
            "name": string(),
            "origin": nullable("string"),
            "created_at": number(),
            "last_modified": nullable("number"),
        }),
        &["project_id", "workspace_id", "name"],
    )
}

/// A project created in a workspace, with where the workspace came from.
pub fn created_project() -> Value {
    with_workspace(project())
}

/// `list_projects`.
pub fn projects() -> Value {
    with_workspace(list_of("projects", project(), true))
}

/// An asset.
pub fn asset() -> Value {
    object(
        json!({
            "asset_id": nullable("string"),
            "workspace_id": nullable("string"),
            "project_id": nullable("string"),
            "node_id": nullable("string"),
            "name": nullable("string"),
            "description": nullable("string"),
            "url": nullable("string"),
            "content_type": string(),
            "upload_content_type": nullable("string"),
            "status": { "type": "string", "enum": ["pending_upload", "ready", "failed"] },
            "uploaded_via": string(),
            "size_bytes": nullable("number"),
            "width": nullable("number"),
            "height": nullable("number"),
            "created_at": { "type": ["string", "number", "null"] },
            "failure_message": nullable("string"),
        }),
        &["asset_id", "status"],
    )
}

/// `list_assets`.
pub fn assets() -> Value {
    list_of("assets", asset(), true)
}

/// What `create_asset`, `complete_asset` and `retry_asset` return: the asset's state and, for
/// a signed upload, where to upload the bytes.
pub fn asset_ticket() -> Value {
    let upload = object(
        json!({
            "url": string(),
            "method": { "type": "string", "enum": ["POST"] },
            "content_type": string(),
            "file_field": string(),
            "form_fields": { "type": "object", "additionalProperties": string() },
        }),
        &["url", "method", "form_fields"],
    );
    with_workspace(object(
        json!({
            "asset_id": string(),
            "status": { "type": "string", "enum": ["pending_upload", "ready", "failed"] },
            "uploaded_via": { "type": "string", "enum": ["url", "signed_url", "direct"] },
            "url": nullable("string"),
            "visibility": string(),
            "expires_at": string(),
            "failure_message": nullable("string"),
            "upload": upload,
            "upload_url": string(),
        }),
        &["asset_id", "status"],
    ))
}

/// `attach_asset`.
pub fn attached_asset() -> Value {
    object(
        json!({
            "asset_id": string(),
            "project_id": string(),
            "node_id": string(),
            "canvas_url": string(),
        }),
        &["asset_id", "project_id", "node_id", "canvas_url"],
    )
}

/// One prebuilt action.
pub fn action() -> Value {
    let slot = object(
        json!({
            "name": string(),
            "type": { "type": "string", "enum": ["image", "video", "text", "audio"] },
            "optional": { "type": "boolean" },
            "dynamic": { "type": "boolean" },
            "multiple": { "type": ["boolean", "object"] },
        }),
        &["name", "type"],
    );
    object(
        json!({
            "action_id": { "type": "string", "enum": ACTION_IDS },
            "name": string(),
            "description": string(),
            "language": string(),
            "charged_cost": { "type": "number", "description": "USD per run." },
            "inputs": { "type": "array", "items": slot.clone() },
            "outputs": { "type": "array", "items": slot },
            "params": { "type": "array", "items": free_object() },
        }),
        &["action_id", "name"],
    )
}

/// `list_actions`.
pub fn actions() -> Value {
    list_of("actions", action(), false)
}

/// `create_action_node`.
pub fn action_node() -> Value {
    object(
        json!({
            "action_id": string(),
            "node_id": string(),
            "project_id": string(),
            "canvas_url": string(),
        }),
        &["node_id", "project_id"],
    )
}

/// `list_project_nodes`.
pub fn project_nodes() -> Value {
    let item = object(
        json!({
            "node_id": string(),
            "type": { "type": "string", "enum": ["image", "video", "audio", "text"] },
            "asset_id": nullable("string"),
            "label": nullable("string"),
            "url": nullable("string"),
            "width": nullable("number"),
            "height": nullable("number"),
        }),
        &["node_id", "type"],
    );
    list_of("nodes", item, true)
}

/// `retrieve_canvas`.
pub fn canvas() -> Value {
    object(
        json!({
            "project_id": string(),
            "canvas_url": string(),
            "diagram": { "type": "string", "description": "Mermaid flowchart." },
            "summary": {
                "type": "object",
                "properties": {
                    "node_count": number(),
                    "edge_count": number(),
                    "group_count": number(),
                    "isolated_node_count": number(),
                    "workflow_count": number(),
                },
            },
        }),
        &["project_id", "canvas_url", "diagram"],
    )
}

/// `update_canvas`.
pub fn canvas_update() -> Value {
    object(
        json!({
            "project_id": string(),
            "canvas_url": string(),
            "diagram": string(),
            "created_node_count": number(),
            "created_edge_count": number(),
            "warnings": { "type": "array", "items": string() },
        }),
        &["project_id", "canvas_url"],
    )
}

/// `retrieve_project_graph`.
pub fn graph() -> Value {
    let node = object(
        json!({
            "id": { "type": "string", "description": "Short id, used by canvas writes." },
            "node_id": string(),
            "type": string(),
            "label": string(),
            "prompt": nullable("string"),
            "model": nullable("string"),
            "model_id": nullable("string"),
            "params": { "type": ["object", "null"] },
            "action": { "type": ["object", "null"] },
            "position": free_object(),
            "status": { "type": ["string", "null"] },
            "output_url": nullable("string"),
            "output_text": nullable("string"),
            "error_code": string(),
            "error_message": string(),
        }),
        &["id", "node_id", "type"],
    );
    let edge = object(
        json!({ "from": string(), "to": string(), "in": nullable("string") }),
        &["from", "to"],
    );
    with_workspace(object(
        json!({
            "project_id": string(),
            "canvas_url": string(),
            "revision": string(),
            "nodes": { "type": "array", "items": node },
            "edges": { "type": "array", "items": edge },
        }),
        &["project_id", "nodes", "edges", "revision"],
    ))
}

/// `run_project_nodes`.
pub fn node_runs() -> Value {
    let run = object(
        json!({
            "node_id": string(),
            "status": { "type": "string", "enum": ["started", "skipped"] },
            "run_id": string(),
            "poll_url": string(),
            "type": string(),
            "charged_cost": nullable("number"),
            "estimated_seconds": nullable("number"),
            "model": { "type": ["object", "null"] },
            "reason": string(),
            "message": string(),
        }),
        &["node_id", "status"],
    );
    with_workspace(object(
        json!({ "project_id": string(), "runs": { "type": "array", "items": run } }),
        &["project_id", "runs"],
    ))
}

/// `retrieve_canvas_definition` and `replace_canvas_definition`.
pub fn definition() -> Value {
    with_workspace(object(
        json!({
            "project_id": string(),
            "canvas_url": string(),
            "definition": {
                "type": "object",
                "properties": {
                    "nodes": { "type": "array", "items": free_object() },
                    "edges": { "type": "array", "items": free_object() },
                    "node_inputs": free_object(),
                    "node_outputs": free_object(),
                },
            },
            "summary": free_object(),
        }),
        &["project_id", "definition"],
    ))
}

/// `apply_canvas_changeset`.
pub fn changeset() -> Value {
    with_workspace(object(
        json!({
            "project_id": string(),
            "canvas_url": string(),
            "revision": string(),
            "applied": {
                "type": "object",
                "properties": {
                    "added": number(),
                    "updated": number(),
                    "connected": number(),
                    "disconnected": number(),
                    "removed": number(),
                },
            },
            "created": {
                "type": "object",
                "description": "Each add's ref mapped to the short id and node id it created.",
                "additionalProperties": {
                    "type": "object",
                    "properties": { "id": string(), "node_id": string() },
                },
            },
            "warnings": { "type": "array", "items": string() },
        }),
        &["project_id", "applied", "revision"],
    ))
}

/// `create_library_folder`.
pub fn library_folder() -> Value {
    with_workspace(object(
        json!({ "folder_id": string(), "name": string() }),
        &["folder_id", "workspace_id"],
    ))
}

/// `delete_library_folder`.
pub fn deleted_library_folder() -> Value {
    with_workspace(object(
        json!({ "folder_id": string(), "deleted": { "type": "boolean" } }),
        &["folder_id", "deleted"],
    ))
}

/// `add_library_item`.
pub fn library_item() -> Value {
    with_workspace(object(
        json!({
            "folder_id": string(),
            "saved_node_id": string(),
            "asset_id": string(),
            "url": nullable("string"),
        }),
        &["folder_id", "saved_node_id"],
    ))
}

/// `record_feedback`.
pub fn feedback() -> Value {
    object(
        json!({ "feedback_id": string(), "received_at": number() }),
        &["feedback_id"],
    )
}
