//! Generations and the top-level run endpoints: `generate` (start and wait), its 1:1 twin
//! `create_generation`, polling any run, generation history (all `core`), and the `runs`
//! toolset's `start_technique_run` and the deprecated `start_generation`.

use super::{
    CREATE, GENERATION_TYPES, MAX_WAIT, READ, RUN_STATUSES, Tool, WORKSPACE_DEFAULTED,
    WORKSPACE_FILTER,
};
use crate::schema::{CURSOR, LIMIT, Param, choice, https_url, id, map, text};

const PROMPT: Param = text("prompt", true, "What to generate, in words.");
const TYPE: Param = choice(
    "type",
    GENERATION_TYPES,
    true,
    "The output type: image, video, audio or text (not a model family such as t2i).",
);
const PROJECT: Param = id(
    "project_id",
    "prj_",
    true,
    "The project (`prj_…`, from list_projects) the run belongs to, for history and billing.",
);
const MODEL: Param = text(
    "model",
    false,
    "A model id from list_models (`t2i-flux-2-pro`), not a display name. When omitted, FLORA \
     picks its default model for the type.",
);
const MODEL_PARAMS: Param = map(
    "params",
    false,
    "The model's parameters by name, as list_models lists them for the model (for example \
     {\"aspect_ratio\": \"16:9\"}); FLORA refuses unknown ones.",
);
const CALLBACK: Param = https_url(
    "callback_url",
    false,
    "An HTTPS URL FLORA POSTs a signed webhook to when the run ends.",
);
const RUN_ID: Param = id("run_id", "run_", true, "The run's id (`run_…`).");

/// The parameters of the two calls that start a generation and return at once.
const START_PARAMS: &[Param] = &[
    PROMPT,
    TYPE,
    PROJECT,
    WORKSPACE_DEFAULTED,
    MODEL,
    MODEL_PARAMS,
    CALLBACK,
];

/// The tools of this file.
pub const TOOLS: &[Tool] = &[
    Tool {
        name: "generate",
        title: "Generate with a model and wait",
        description: "Generate an image, video, audio or text with one FLORA model from a \
            prompt, billed to the workspace (about the model's estimated credits, $0.001 \
            each; see list_models), and wait for it: progress is reported while it runs and \
            the result holds the outputs (media URLs as resource links, or text) or the \
            error code and whether retrying helps. If it is still running after \
            `max_wait_seconds`, the result says so with the `run_id` to poll with \
            retrieve_run; do not call this again for the same work, that bills a new run.",
        params: &[
            PROMPT,
            TYPE,
            PROJECT,
            WORKSPACE_DEFAULTED,
            MODEL,
            MODEL_PARAMS,
            MAX_WAIT,
        ],
        annotations: CREATE,
        output_schema: "waited_run",
        toolset: "core",
    },
    Tool {
        name: "create_generation",
        title: "Start a generation",
        description: "Start one billed model generation (POST /generate) and return at once \
            with its `run_id`; poll it with retrieve_run until it is completed or failed. \
            Prefer generate, which waits and reports progress.",
        params: START_PARAMS,
        annotations: CREATE,
        output_schema: "run_start",
        toolset: "core",
    },
    Tool {
        name: "retrieve_run",
        title: "Get any run",
        description: "Get the status, progress (0-100), cost and outputs of any run by its id: \
            generations, Technique runs, action runs and canvas node runs. Poll it every few \
            seconds until `completed` (outputs) or `failed` (error code, and whether retrying \
            helps).",
        params: &[RUN_ID],
        annotations: READ,
        output_schema: "run",
        toolset: "core",
    },
    Tool {
        name: "list_generations",
        title: "List generations",
        description: "List model generations, newest first, with status, model, cost and \
            outputs. Use it to find a run again or to review what was billed.",
        params: &[
            WORKSPACE_FILTER,
            id(
                "project_id",
                "prj_",
                false,
                "Only generations in this project (`prj_…`).",
            ),
            choice("status", RUN_STATUSES, false, "Only runs in this status."),
            LIMIT,
            CURSOR,
        ],
        annotations: READ,
        output_schema: "generations",
        toolset: "core",
    },
    Tool {
        name: "start_technique_run",
        title: "Start a Technique run (runs endpoint)",
        description: "Start one billed Technique run through FLORA's top-level runs endpoint \
            (POST /runs/technique), in a chosen workspace, and return at once with its \
            `run_id`; poll it with retrieve_run. Inputs are an object keyed by the \
            Technique's input ids. create_technique_run and run_technique do the same for \
            the credential's workspace.",
        params: &[
            id(
                "technique_id",
                "tech_",
                true,
                "The Technique's id (`tech_…`, from list_techniques); slugs are not accepted \
                 here.",
            ),
            map(
                "inputs",
                true,
                "The inputs keyed by the Technique's input ids, each value the text or HTTPS \
                 URL, for example {\"input_image\": \"https://…/a.png\"}.",
            ),
            WORKSPACE_DEFAULTED,
        ],
        annotations: CREATE,
        output_schema: "run_start",
        toolset: "runs",
    },
    Tool {
        name: "start_generation",
        title: "Start a generation (deprecated endpoint)",
        description: "Start one billed model generation through FLORA's deprecated \
            POST /runs/generation, the twin of create_generation; returns at once with the \
            `run_id` to poll with retrieve_run. Prefer generate or create_generation.",
        params: START_PARAMS,
        annotations: CREATE,
        output_schema: "run_start",
        toolset: "runs",
    },
];
