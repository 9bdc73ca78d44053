//! Workspaces, models, Techniques and Technique runs (all in the `core` toolset), including
//! `run_technique`, which starts a run and waits for it.

use super::{CREATE, MAX_WAIT, READ, RUN_STATUSES, TECHNIQUE_ID, Tool, WORKSPACE_FILTER};
use crate::schema::{CURSOR, Kind, LIMIT, Param, choice, id, text};

/// One Technique input.
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

/// A Technique run's inputs.
pub const RUN_INPUTS: Param = Param {
    name: "inputs",
    kind: Kind::Objects {
        items: RUN_INPUT,
        min_items: 1,
    },
    required: true,
    description: "The Technique's inputs, one object per input.",
};

/// Workspaces, models, Techniques and their runs: all `core`.
pub const TOOLS: &[Tool] = &[
    Tool {
        name: "list_workspaces",
        title: "List workspaces",
        description: "List the FLORA workspaces the signed-in credential can use, with each \
            workspace's id (`ws_…`), name and the caller's role. Call this first when you need a \
            `workspace_id`; runs are billed to the workspace they are started in.",
        params: &[],
        annotations: READ,
        output_schema: "workspaces",
        toolset: "core",
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
        output_schema: "models",
        toolset: "core",
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
        output_schema: "techniques",
        toolset: "core",
    },
    Tool {
        name: "retrieve_technique",
        title: "Get a Technique",
        description: "Get one Technique with its price per run (USD) and the exact `id` and \
            `type` of every input and output. Call it before create_technique_run so the run's \
            inputs match.",
        params: &[TECHNIQUE_ID],
        annotations: READ,
        output_schema: "technique",
        toolset: "core",
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
        params: &[TECHNIQUE_ID, RUN_INPUTS],
        annotations: CREATE,
        output_schema: "run",
        toolset: "core",
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
        params: &[TECHNIQUE_ID, RUN_INPUTS, MAX_WAIT],
        annotations: CREATE,
        output_schema: "run",
        toolset: "core",
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
        output_schema: "run",
        toolset: "core",
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
        output_schema: "technique_runs",
        toolset: "core",
    },
];
