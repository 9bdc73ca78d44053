//! Project canvases (`canvas` toolset): media nodes, the Mermaid view and its add-only patch,
//! the lossless graph, the JSON definition and its replacement, atomic changesets, running
//! generation nodes, and action nodes.

use super::actions::ACTION_ID;
use super::{CREATE, EDIT, PROJECT_ID, READ, REPLACE, Tool, WORKSPACE_DEFAULTED};
use crate::schema::{CURSOR, Kind, LIMIT, Param, choice, map, text};

const POSITION: Param = map(
    "position",
    false,
    "Absolute canvas position {\"x\": number, \"y\": number}.",
);

const ADD: &[Param] = &[
    text(
        "ref",
        true,
        "Your handle for the new node, usable in this changeset's connects and echoed in \
         `created` with the real ids; must not collide with a live node id.",
    ),
    choice(
        "type",
        &[
            "image",
            "video",
            "text",
            "audio",
            "group",
            "static_image",
            "layer_editor",
        ],
        true,
        "The node type to create.",
    ),
    text(
        "content_url",
        false,
        "HTTPS URL of existing media to place instead of generating (excludes prompt, model \
         and params).",
    ),
    text(
        "group",
        false,
        "A group to put the node in: its short id or node id, or a ref from this changeset.",
    ),
    text("label", false, "The node's display label."),
    text(
        "model",
        false,
        "Model name or id; the modality's default when omitted.",
    ),
    map("params", false, "The model's parameters by name."),
    POSITION,
    text("prompt", false, "The generation prompt."),
];

const UPDATE: &[Param] = &[
    text(
        "id",
        true,
        "The node to change: short id or node id from retrieve_project_graph.",
    ),
    text("label", false, "New display label."),
    text("model", false, "New model name or id."),
    map("params", false, "New model parameters by name."),
    POSITION,
    text("prompt", false, "New generation prompt."),
];

const EDGE: &[Param] = &[
    text(
        "from",
        true,
        "The source node: short id, node id, or a ref from this changeset.",
    ),
    text(
        "to",
        true,
        "The target node: short id, node id, or a ref from this changeset.",
    ),
    text(
        "in",
        false,
        "The target's input slot, such as `image`; omitted for the default slot.",
    ),
];

const REMOVE: &[Param] = &[text(
    "id",
    true,
    "The node to delete (short id or node id); its edges and group members go too.",
)];

const fn ops(name: &'static str, items: &'static [Param], description: &'static str) -> Param {
    Param {
        name,
        kind: Kind::Objects {
            items,
            min_items: 1,
        },
        required: false,
        description,
    }
}

/// The tools of this file.
pub const TOOLS: &[Tool] = &[
    Tool {
        name: "list_project_nodes",
        title: "List a canvas's media nodes",
        description: "List the visible media nodes of a project canvas (images, video, audio, \
            text) with their node ids, labels, URLs and sizes.",
        params: &[PROJECT_ID, LIMIT, CURSOR],
        annotations: READ,
        output_schema: "project_nodes",
        toolset: "canvas",
    },
    Tool {
        name: "retrieve_canvas",
        title: "Get a canvas as Mermaid",
        description: "Get a project canvas's topology as a Mermaid flowchart with node and edge \
            counts: a compact view to reason about the workflow. retrieve_project_graph gives \
            the lossless version.",
        params: &[PROJECT_ID],
        annotations: READ,
        output_schema: "canvas",
        toolset: "canvas",
    },
    Tool {
        name: "update_canvas",
        title: "Add to a canvas from Mermaid",
        description: "Add nodes and edges to a project canvas from a Mermaid flowchart patch. \
            Add-only: re-declaring an existing node id with a label creates a NEW node; to \
            wire to an existing node, reference its short id in an edge only. Place existing \
            media with `node_params` keyed by Mermaid node id, e.g. {\"img1\": \
            {\"content_url\": \"https://…\"}}.",
        params: &[
            PROJECT_ID,
            text(
                "diagram",
                true,
                "The Mermaid flowchart to apply, such as `graph LR\\n  a[\"Photo (Image)\"] \
                 --> b[\"Poster (Image)\"]`.",
            ),
            map(
                "node_params",
                false,
                "Per-node parameters keyed by Mermaid node id: content_url, prompt, model, \
                 model_parameters, aspect_ratio, resolution.",
            ),
        ],
        annotations: CREATE,
        output_schema: "canvas_update",
        toolset: "canvas",
    },
    Tool {
        name: "retrieve_project_graph",
        title: "Get a canvas graph",
        description: "Get the full state of a project canvas: every node's short id (the id \
            canvas writes accept), node id, type, label, prompt, model, params, position, \
            status and output, the edges, and a revision marker that changes when anything \
            does.",
        params: &[PROJECT_ID, WORKSPACE_DEFAULTED],
        annotations: READ,
        output_schema: "graph",
        toolset: "canvas",
    },
    Tool {
        name: "run_project_nodes",
        title: "Run canvas nodes",
        description: "Run generation nodes already on a canvas, with the model, prompt and \
            inputs they carry, children before parents. SPENDS CREDITS AT ONCE, one billed run \
            per started node; returns each node's `run_id` (poll with retrieve_run) or why it \
            was skipped. Checked against the spend ceiling with each node's model estimate.",
        params: &[
            PROJECT_ID,
            Param {
                name: "node_ids",
                kind: Kind::Strings {
                    min_items: 1,
                    max_items: 50,
                },
                required: true,
                description: "The nodes to run, 1 to 50, by short id or node id from \
                    retrieve_project_graph.",
            },
            WORKSPACE_DEFAULTED,
        ],
        annotations: CREATE,
        output_schema: "node_runs",
        toolset: "canvas",
    },
    Tool {
        name: "retrieve_canvas_definition",
        title: "Get a canvas definition",
        description: "Get the canonical JSON definition of a project canvas (nodes, edges, \
            node inputs and outputs, positions), as replace_canvas_definition takes it.",
        params: &[PROJECT_ID, WORKSPACE_DEFAULTED],
        annotations: READ,
        output_schema: "definition",
        toolset: "canvas",
    },
    Tool {
        name: "replace_canvas_definition",
        title: "Replace a canvas definition",
        description: "Replace the whole definition of a project canvas atomically: nodes and \
            edges not in the new definition are gone. Start from retrieve_canvas_definition \
            and confirm with the person first.",
        params: &[
            PROJECT_ID,
            map(
                "definition",
                true,
                "The complete definition: {\"nodes\": [...], \"edges\": [...], \
                 \"node_inputs\": {...}, \"node_outputs\": {...}}.",
            ),
            WORKSPACE_DEFAULTED,
        ],
        annotations: REPLACE,
        output_schema: "definition",
        toolset: "canvas",
    },
    Tool {
        name: "apply_canvas_changeset",
        title: "Edit a canvas atomically",
        description: "Add, update, connect, disconnect and remove canvas nodes in one atomic \
            transaction: nothing applies if any operation is invalid, and every cause is \
            named. Order: add, update, connect, disconnect, remove. REMOVE IS IMMEDIATE AND \
            CANNOT BE UNDONE; confirm removals with the person.",
        params: &[
            PROJECT_ID,
            WORKSPACE_DEFAULTED,
            ops("add", ADD, "Nodes to create."),
            ops(
                "update",
                UPDATE,
                "Existing nodes to change, one operation per node.",
            ),
            ops("connect", EDGE, "Edges to create."),
            ops("disconnect", EDGE, "Edges to remove, by their endpoints."),
            ops("remove", REMOVE, "Nodes to delete."),
        ],
        annotations: EDIT,
        output_schema: "changeset",
        toolset: "canvas",
    },
    Tool {
        name: "create_action_node",
        title: "Add an action node to a canvas",
        description: "Add a prebuilt action node (by slug, from list_actions) to a project \
            canvas, returning its node id; wire inputs to it with a changeset, then run it \
            with run_action_node.",
        params: &[
            PROJECT_ID,
            ACTION_ID,
            map(
                "params",
                false,
                "The action's parameters by key, as retrieve_action lists them.",
            ),
        ],
        annotations: CREATE,
        output_schema: "action_node",
        toolset: "canvas",
    },
    Tool {
        name: "run_action_node",
        title: "Run an action node",
        description: "Run an action node already on a canvas with the inputs wired into it; \
            returns the `run_id` to poll with retrieve_run, and the result lands on the node.",
        params: &[
            PROJECT_ID,
            text(
                "node_id",
                true,
                "The action node's id (`node_…` from create_action_node, or its short id).",
            ),
        ],
        annotations: CREATE,
        output_schema: "run_start",
        toolset: "canvas",
    },
];
