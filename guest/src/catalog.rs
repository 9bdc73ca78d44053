//! The tool table: every tool's name, title, description, parameters, output schema and
//! behaviour hints, in one place. `tools/list` shows exactly this text; [`crate::tools`] runs it.

use crate::schema::{CURSOR, Kind, LIMIT, Param, choice, id, text};
use serde_json::{Value, json};

/// MCP behaviour hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Annotations {
    /// Changes nothing.
    pub read_only: bool,
    /// May delete or overwrite.
    pub destructive: bool,
    /// Repeating has no further effect.
    pub idempotent: bool,
    /// Talks to FLORA.
    pub open_world: bool,
}

/// Reads from FLORA and changes nothing.
const READ: Annotations = Annotations {
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: true,
};
/// Creates something at FLORA that may be billed; repeating creates it again.
const CREATE: Annotations = Annotations {
    read_only: false,
    destructive: false,
    idempotent: false,
    open_world: true,
};

/// One tool.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    /// Name, `^[a-z0-9_]{1,48}$`.
    pub name: &'static str,
    /// Human title.
    pub title: &'static str,
    /// When to use it, for the model.
    pub description: &'static str,
    /// Its parameters.
    pub params: &'static [Param],
    /// Behaviour hints.
    pub annotations: Annotations,
    /// The JSON Schema of its structured result.
    pub output_schema: fn() -> Value,
}

const WORKSPACE_FILTER: Param = id(
    "workspace_id",
    "ws_",
    false,
    "Only this workspace (`ws_…`, from list_workspaces).",
);
const WORKSPACE_DEFAULTED: Param = id(
    "workspace_id",
    "ws_",
    false,
    "Workspace (`ws_…`, from list_workspaces). When omitted, the default workspace is used: \
     the configured one, or the only one the credential can access.",
);
const TECHNIQUE_ID: Param = text(
    "technique_id",
    true,
    "Technique id (`tech_cctv-cam`) or slug (`cctv-cam`), from list_techniques.",
);
const RUN_STATUSES: &[&str] = &["pending", "running", "completed", "failed"];
const MEDIA_TYPES: &[&str] = &["imageUrl", "videoUrl", "audioUrl", "text", "documentUrl"];

const RUN_INPUT: &[Param] = &[
    text(
        "id",
        true,
        "The input's `id` from the Technique's `inputs` (retrieve_technique).",
    ),
    choice(
        "type",
        &["text", "imageUrl", "videoUrl"],
        true,
        "The input's type: `text` for words, `imageUrl`/`videoUrl` for a public HTTPS media URL.",
    ),
    text(
        "value",
        true,
        "The text, or the HTTPS URL of the image or video.",
    ),
];

const RUN_INPUTS: Param = Param {
    name: "inputs",
    kind: Kind::Objects {
        items: RUN_INPUT,
        min_items: 1,
    },
    required: true,
    description: "The Technique's inputs, one object per input.",
};

/// Every tool the component offers, in the order `tools/list` shows them.
pub const TOOLS: &[Tool] = &[
    Tool {
        name: "list_workspaces",
        title: "List workspaces",
        description: "List the FLORA workspaces the signed-in credential can use, with each \
            workspace's id (`ws_…`), name and the caller's role. Call this first when you need a \
            `workspace_id`; runs are billed to the workspace they are started in.",
        params: &[],
        annotations: READ,
        output_schema: workspaces_schema,
    },
    Tool {
        name: "list_models",
        title: "List models",
        description: "List FLORA's generation models (image, video, audio, text) with their ids, \
            providers, estimated credits and seconds, and the parameters each accepts. Use it to \
            pick a model id and its params before generating.",
        params: &[choice(
            "type",
            &["image", "video", "audio", "text"],
            false,
            "Only models of this output type.",
        )],
        annotations: READ,
        output_schema: models_schema,
    },
    Tool {
        name: "list_techniques",
        title: "List Techniques",
        description: "Search FLORA's Techniques: ready-made creative workflows (for example \
            `CCTV Cam` or `Product Motion`) that turn inputs such as an image URL or text into \
            outputs. Returns each Technique's id, price per run in USD, and inputs. Use it to \
            find a Technique for a task; then retrieve_technique for its exact inputs.",
        params: &[
            text(
                "query",
                false,
                "Words to search for in Technique names and descriptions.",
            ),
            WORKSPACE_FILTER,
            LIMIT,
            CURSOR,
        ],
        annotations: READ,
        output_schema: techniques_schema,
    },
    Tool {
        name: "retrieve_technique",
        title: "Get a Technique",
        description: "Get one Technique with its price per run (USD) and the exact `id` and \
            `type` of every input and output. Call it before create_technique_run so the run's \
            inputs match.",
        params: &[TECHNIQUE_ID],
        annotations: READ,
        output_schema: technique_schema,
    },
    Tool {
        name: "create_technique_run",
        title: "Start a Technique run",
        description: "Start one run of a Technique, billed in USD (the Technique's `run_cost`) \
            to the workspace of the credential. Give every required input by its `id` from \
            retrieve_technique; media inputs are public HTTPS URLs. Returns at once with the \
            `run_id` and status `pending`: poll retrieve_technique_run every few seconds until \
            the status is `completed` (outputs) or `failed` (error code). Each call starts and \
            bills a new run.",
        params: &[
            TECHNIQUE_ID,
            Param {
                name: "inputs",
                kind: Kind::Objects {
                    items: RUN_INPUT,
                    min_items: 1,
                },
                required: true,
                description: "The Technique's inputs, one object per input.",
            },
        ],
        annotations: CREATE,
        output_schema: run_schema,
    },
    Tool {
        name: "run_technique",
        title: "Run a Technique and wait",
        description: "Start one run of a Technique, billed in USD (the Technique's `run_cost`) \
            to the workspace of the credential, and wait for it: progress is reported while it \
            runs, and the result holds the outputs (media URLs or text) or the error code. \
            Prefer this over create_technique_run unless you want to do other work meanwhile. \
            If it is still running after `max_wait_seconds`, the result says so with the \
            `run_id` to poll; do not call this again for the same work, that bills a new run.",
        params: &[
            TECHNIQUE_ID,
            RUN_INPUTS,
            Param {
                name: "max_wait_seconds",
                kind: Kind::Int { min: 0, max: 240 },
                required: false,
                description: "How long to wait for the run, 0 to 240 seconds (default 120); \
                    0 starts it and returns at once.",
            },
        ],
        annotations: CREATE,
        output_schema: run_schema,
    },
    Tool {
        name: "retrieve_technique_run",
        title: "Get a Technique run",
        description: "Get the status, progress (0-100), cost and outputs of a Technique run. \
            Poll it every few seconds after create_technique_run until `completed` (outputs \
            hold media URLs or text) or `failed` (error code and message).",
        params: &[
            TECHNIQUE_ID,
            id("run_id", "run_", true, "The run's id (`run_…`)."),
        ],
        annotations: READ,
        output_schema: run_schema,
    },
    Tool {
        name: "list_technique_runs",
        title: "List Technique runs",
        description: "List past and current Technique runs, newest first, with status, cost and \
            the Technique each ran. Use it to find a run id again or to review what was billed. \
            Outputs may be missing here: use retrieve_technique_run for them.",
        params: &[
            WORKSPACE_FILTER,
            id(
                "project_id",
                "prj_",
                false,
                "Only runs in this project (`prj_…`).",
            ),
            text(
                "technique_id",
                false,
                "Only runs of this Technique (id or slug).",
            ),
            choice("status", RUN_STATUSES, false, "Only runs in this status."),
            LIMIT,
            CURSOR,
        ],
        annotations: READ,
        output_schema: technique_runs_schema,
    },
    Tool {
        name: "list_projects",
        title: "List projects",
        description: "List the projects (canvases) of a workspace, most recently active first, \
            with their ids (`prj_…`) and names.",
        params: &[
            WORKSPACE_DEFAULTED,
            text("query", false, "Words to search for in project names."),
            LIMIT,
            CURSOR,
        ],
        annotations: READ,
        output_schema: projects_schema,
    },
    Tool {
        name: "retrieve_project",
        title: "Get a project",
        description: "Get one project's name, workspace and timestamps by its id.",
        params: &[id(
            "project_id",
            "prj_",
            true,
            "The project's id (`prj_…`).",
        )],
        annotations: READ,
        output_schema: project_schema,
    },
    Tool {
        name: "list_assets",
        title: "List assets",
        description: "List uploaded and generated media assets (images, video, audio, PDFs) with \
            their ids (`asset_…`), status and URLs. A ready asset's URL can be a Technique \
            input.",
        params: &[
            WORKSPACE_FILTER,
            id(
                "project_id",
                "prj_",
                false,
                "Only assets on this project's canvas (`prj_…`).",
            ),
            text("query", false, "Words to search for in asset names."),
            LIMIT,
            CURSOR,
        ],
        annotations: READ,
        output_schema: assets_schema,
    },
    Tool {
        name: "retrieve_asset",
        title: "Get an asset",
        description: "Get one asset's status (`pending_upload`, `ready`, `failed`), URL, type, \
            size and dimensions by its id.",
        params: &[id(
            "asset_id",
            "asset_",
            true,
            "The asset's id (`asset_…`).",
        )],
        annotations: READ,
        output_schema: asset_schema,
    },
    Tool {
        name: "upload_file",
        title: "Upload a local file",
        description: "Upload a file from this computer to FLORA as an asset and wait until it is \
            ready; returns its asset id and URL, which can be a Technique input (imageUrl, \
            videoUrl, …). Give the file's absolute path: the server sends it itself, so never \
            read or encode the file. Only folders the person allowed can be read. Accepted: \
            images (jpeg, png, webp, gif, avif, heic, heif), video (mp4, webm, quicktime), audio \
            (mpeg, wav, ogg) and PDF, recognised from the content.",
        params: &[
            text(
                "path",
                true,
                "Absolute path of the local file, inside a folder allowed for uploads.",
            ),
            WORKSPACE_DEFAULTED,
            id(
                "project_id",
                "prj_",
                false,
                "Also place the asset on this project's canvas (`prj_…`).",
            ),
            text(
                "file_name",
                false,
                "Name for the asset; the file's own name when omitted.",
            ),
        ],
        annotations: CREATE,
        output_schema: asset_schema,
    },
    Tool {
        name: "import_url",
        title: "Import a file from a URL",
        description: "Have FLORA fetch a public HTTPS file (up to 50 MB) as an asset and wait \
            until it is ready; returns its asset id and a FLORA URL that Techniques can load. \
            Use it for media hosted elsewhere, which runs may not be able to load directly.",
        params: &[
            text(
                "url",
                true,
                "The public https:// URL of the image, video, audio or PDF.",
            ),
            WORKSPACE_DEFAULTED,
            id(
                "project_id",
                "prj_",
                false,
                "Also place the asset on this project's canvas (`prj_…`).",
            ),
            text(
                "file_name",
                false,
                "Name for the asset; the URL's last segment when omitted.",
            ),
        ],
        annotations: CREATE,
        output_schema: asset_schema,
    },
];

/// Finds a tool by name.
pub fn find(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().find(|tool| tool.name == name)
}

fn nullable(kind: &str) -> Value {
    json!({ "type": [kind, "null"] })
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

fn workspaces_schema() -> Value {
    let item = json!({
        "type": "object",
        "properties": {
            "workspace_id": { "type": "string" },
            "name": { "type": "string" },
            "role": { "type": "string" },
            "created_at": nullable("number"),
        },
        "required": ["workspace_id", "name", "role"],
    });
    list_of("workspaces", item, false)
}

fn models_schema() -> Value {
    let item = json!({
        "type": "object",
        "properties": {
            "model_id": { "type": "string" },
            "name": { "type": "string" },
            "provider": { "type": "string" },
            "type": { "type": "string", "enum": ["image", "video", "audio", "text"] },
            "capabilities": { "type": "array", "items": { "type": "string" } },
            "estimated_credits": { "type": "number" },
            "estimated_seconds": { "type": "number" },
            "params": { "type": "array", "items": { "type": "object" } },
            "beta": { "type": "boolean" },
        },
        "required": ["model_id", "name", "type"],
    });
    list_of("models", item, false)
}

fn io_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "id": { "type": "string" },
            "name": { "type": "string" },
            "type": { "type": "string", "enum": MEDIA_TYPES },
            "description": { "type": "string" },
            "optional": { "type": "boolean" },
        },
        "required": ["id", "name", "type"],
    })
}

fn technique_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "technique_id": { "type": "string" },
            "name": { "type": "string" },
            "description": { "type": "string" },
            "run_cost": { "type": "number", "description": "Price of one run in USD." },
            "inputs": { "type": "array", "items": io_schema() },
            "outputs": { "type": "array", "items": io_schema() },
        },
        "required": ["technique_id", "name", "run_cost", "inputs", "outputs"],
    })
}

fn techniques_schema() -> Value {
    list_of("techniques", technique_schema(), true)
}

fn run_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "run_id": { "type": "string" },
            "status": { "type": "string", "enum": RUN_STATUSES },
            "progress": { "type": "number" },
            "created_at": { "type": "number" },
            "started_at": { "type": "number" },
            "completed_at": { "type": "number" },
            "charged_cost": { "type": "number", "description": "USD charged for the run." },
            "error_code": { "type": "string" },
            "error_message": { "type": "string" },
            "poll_url": { "type": "string" },
            "outputs": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "output_id": { "type": "string" },
                        "type": { "type": "string", "enum": MEDIA_TYPES },
                        "url": { "type": "string", "description": "Media URL, or the text." },
                    },
                    "required": ["output_id", "type", "url"],
                },
            },
        },
        "required": ["run_id", "status", "progress"],
    })
}

fn technique_runs_schema() -> Value {
    let mut item = run_schema();
    item["properties"]["technique"] = json!({
        "type": "object",
        "properties": { "technique_id": { "type": "string" }, "name": { "type": "string" } },
    });
    item["properties"]["project_id"] = json!({ "type": "string" });
    item["properties"]["workspace_id"] = json!({ "type": "string" });
    list_of("technique_runs", item, true)
}

fn project_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "project_id": { "type": "string" },
            "workspace_id": { "type": "string" },
            "name": { "type": "string" },
            "origin": nullable("string"),
            "created_at": { "type": "number" },
            "last_modified": nullable("number"),
        },
        "required": ["project_id", "workspace_id", "name"],
    })
}

fn projects_schema() -> Value {
    list_of("projects", project_schema(), true)
}

fn asset_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "asset_id": nullable("string"),
            "workspace_id": nullable("string"),
            "name": nullable("string"),
            "description": nullable("string"),
            "url": nullable("string"),
            "content_type": { "type": "string" },
            "status": { "type": "string", "enum": ["pending_upload", "ready", "failed"] },
            "uploaded_via": { "type": "string" },
            "size_bytes": nullable("number"),
            "width": nullable("number"),
            "height": nullable("number"),
            "created_at": { "type": ["string", "number", "null"] },
            "failure_message": nullable("string"),
        },
        "required": ["asset_id", "status"],
    })
}

fn assets_schema() -> Value {
    list_of("assets", asset_schema(), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_fit_the_mcp_pattern() {
        let mut names: Vec<&str> = TOOLS.iter().map(|t| t.name).collect();
        for name in &names {
            let ok = !name.is_empty()
                && name.len() <= 48
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            assert!(ok, "{name} does not match ^[a-z0-9_]{{1,48}}$");
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), TOOLS.len());
    }

    #[test]
    fn every_parameter_and_tool_is_described() {
        fn check(params: &[Param], tool: &str) {
            for p in params {
                assert!(
                    !p.description.is_empty(),
                    "{tool}.{} has no description",
                    p.name
                );
                if let Kind::Objects { items, .. } = p.kind {
                    check(items, tool);
                }
            }
        }
        for tool in TOOLS {
            assert!(
                tool.description.len() > 40,
                "{} needs a real description",
                tool.name
            );
            check(tool.params, tool.name);
        }
    }

    #[test]
    fn output_schemas_are_objects() {
        for tool in TOOLS {
            assert_eq!((tool.output_schema)()["type"], "object", "{}", tool.name);
        }
    }
}
