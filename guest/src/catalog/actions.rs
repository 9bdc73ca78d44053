//! Prebuilt actions (`actions` toolset): listing, retrieving and running one headless.

use super::{ACTION_IDS, CREATE, READ, Tool, WORKSPACE_DEFAULTED};
use crate::schema::{Kind, Param, choice, id, map, text};

/// The action id, one of SDK 0.11.0's slugs.
pub const ACTION_ID: Param = choice(
    "action_id",
    ACTION_IDS,
    true,
    "The action's slug (`rotate-image-browser`), from list_actions.",
);

const ACTION_INPUT: &[Param] = &[
    choice(
        "type",
        &["image", "video", "audio", "text"],
        true,
        "The input's media type.",
    ),
    text(
        "url",
        false,
        "The media's public HTTPS URL (for image, video and audio inputs).",
    ),
    text("text", false, "The text (for text inputs)."),
    text(
        "name",
        false,
        "The input slot's name, when the action has several.",
    ),
];

/// The tools of this file.
pub const TOOLS: &[Tool] = &[
    Tool {
        name: "list_actions",
        title: "List actions",
        description: "List FLORA's prebuilt actions (crop, resize, color grade, stitch videos, \
            split text …) with their slugs, inputs, outputs and parameters. Actions are quick \
            deterministic edits, unlike model generations.",
        params: &[],
        annotations: READ,
        output_schema: "actions",
        toolset: "actions",
    },
    Tool {
        name: "retrieve_action",
        title: "Get an action",
        description: "Get one prebuilt action's inputs, outputs, cost and parameters (with \
            allowed values and ranges) by its slug, before running it.",
        params: &[ACTION_ID],
        annotations: READ,
        output_schema: "action",
        toolset: "actions",
    },
    Tool {
        name: "run_action",
        title: "Run an action",
        description: "Run one prebuilt action headless on media URLs or text (POST \
            /runs/action) and return at once with its `run_id`; poll it with retrieve_run \
            for the outputs. It does not change any canvas. Each call starts a new run.",
        params: &[
            ACTION_ID,
            Param {
                name: "inputs",
                kind: Kind::Objects {
                    items: ACTION_INPUT,
                    min_items: 1,
                },
                required: true,
                description: "The action's inputs, one object per input (see retrieve_action).",
            },
            id(
                "project_id",
                "prj_",
                true,
                "The project (`prj_…`) the run is recorded and billed under; its canvas is \
                 not changed.",
            ),
            WORKSPACE_DEFAULTED,
            map(
                "params",
                false,
                "The action's parameters by key, as retrieve_action lists them.",
            ),
        ],
        annotations: CREATE,
        output_schema: "run_start",
        toolset: "actions",
    },
];
