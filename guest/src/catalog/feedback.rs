//! Product feedback to FLORA (`feedback` toolset).

use super::{CREATE, Tool};
use crate::schema::{Kind, Param, choice, id, text};

/// The tools of this file.
pub const TOOLS: &[Tool] = &[Tool {
    name: "record_feedback",
    title: "Send feedback to FLORA",
    description: "Send product feedback to FLORA: a bug, a feature or Technique request, or \
        `missing_capability` when the API blocked a workflow (for example an unsupported asset \
        host). Optionally link it to a workspace, project or run. Only with the person's \
        consent: it is sent to FLORA's team.",
    params: &[
        choice(
            "kind",
            &[
                "feature_request",
                "bug",
                "technique_request",
                "missing_capability",
            ],
            true,
            "What kind of feedback it is.",
        ),
        text("summary", true, "A one-line summary."),
        text("detail", true, "The full description."),
        Param {
            name: "attempted_tools",
            kind: Kind::Strings {
                min_items: 1,
                max_items: 50,
            },
            required: false,
            description: "Tools or capabilities tried before giving up, by name.",
        },
        id(
            "workspace_id",
            "ws_",
            false,
            "The workspace (`ws_…`) it concerns.",
        ),
        id(
            "project_id",
            "prj_",
            false,
            "The project (`prj_…`) it concerns.",
        ),
        id("run_id", "run_", false, "The run (`run_…`) it concerns."),
    ],
    annotations: CREATE,
    output_schema: "feedback",
    toolset: "feedback",
}];
