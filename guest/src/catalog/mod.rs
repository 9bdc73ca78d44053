//! The tool table: every tool's name, title, description, parameters, output schema, behaviour
//! hints and toolset, split by FLORA resource into the files below. `tools/list` shows exactly
//! this text; [`crate::tools`] runs it.
//!
//! Toolsets: the `core` tools (at most [`MAX_CORE`]) are always offered; the others come in
//! named groups the person enables with `--toolsets` (see [`TOOLSETS`]).
//!
//! Output schemas: the JSON Schema of each tool's `structuredContent` is in
//! `output-schemas.json` beside this file, keyed by the name a tool's `output_schema` gives. They
//! follow the response types of SDK 0.11.0 (`src/resources/**`); only what FLORA always sends
//! is `required`. The build embeds them without whitespace.

mod actions;
mod assets;
mod canvas;
mod feedback;
mod generations;
mod library;
mod projects;
mod techniques;

use crate::schema::{Param, id, text};
use serde_json::Value;

/// Every output schema, keyed by name, as minified JSON text.
const OUTPUT_SCHEMAS: &str = include_str!(concat!(env!("OUT_DIR"), "/output-schemas.min.json"));

/// Every output schema, keyed by name.
pub fn output_schemas() -> Value {
    serde_json::from_str(OUTPUT_SCHEMAS).unwrap_or(Value::Null)
}

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
pub const READ: Annotations = Annotations {
    read_only: true,
    destructive: false,
    idempotent: true,
    open_world: true,
};
/// Creates something at FLORA (a run, a project, a node); repeating creates it again.
pub const CREATE: Annotations = Annotations {
    read_only: false,
    destructive: false,
    idempotent: false,
    open_world: true,
};
/// Removes something at FLORA; removing it again changes nothing more.
pub const DELETE: Annotations = Annotations {
    read_only: false,
    destructive: true,
    idempotent: true,
    open_world: true,
};
/// Replaces something whole at FLORA; the same replacement again changes nothing more.
pub const REPLACE: Annotations = Annotations {
    read_only: false,
    destructive: true,
    idempotent: true,
    open_world: true,
};
/// Changes something at FLORA and may delete parts of it; repeating may change it again.
pub const EDIT: Annotations = Annotations {
    read_only: false,
    destructive: true,
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
    /// The name of its structured result's JSON Schema in `output-schemas.json`.
    pub output_schema: &'static str,
    /// The toolset it belongs to, one of [`TOOLSETS`].
    pub toolset: &'static str,
}

/// Every toolset with what it holds, `core` first.
pub const TOOLSETS: &[(&str, &str)] = &[
    (
        "core",
        "workspaces, models, Techniques, run_technique, generate, run status and history, \
         projects, assets (always on)",
    ),
    (
        "runs",
        "the top-level run endpoints: start_technique_run, start_generation",
    ),
    (
        "projects",
        "project creation in a workspace or a project folder",
    ),
    (
        "assets",
        "asset import from a URL, signed uploads, completing and retrying them, attaching",
    ),
    ("actions", "prebuilt actions: list, retrieve, run"),
    (
        "canvas",
        "project canvases: nodes, Mermaid view and patch, graph, definition, changesets, node \
         and action-node runs",
    ),
    ("library", "library folders and saved items"),
    ("feedback", "product feedback to FLORA"),
];

/// The most tools the always-on `core` toolset may hold.
pub const MAX_CORE: usize = 25;

/// Every tool the component offers, in the order `tools/list` shows them.
pub fn all() -> impl Iterator<Item = &'static Tool> {
    [
        techniques::TOOLS,
        generations::TOOLS,
        projects::TOOLS,
        assets::TOOLS,
        actions::TOOLS,
        canvas::TOOLS,
        library::TOOLS,
        feedback::TOOLS,
    ]
    .into_iter()
    .flatten()
}

/// Finds a tool by name.
pub fn find(name: &str) -> Option<&'static Tool> {
    all().find(|tool| tool.name == name)
}

/// `workspace_id` as a filter on a listing.
pub const WORKSPACE_FILTER: Param = id(
    "workspace_id",
    "ws_",
    false,
    "Only this workspace (`ws_…`, from list_workspaces).",
);
/// `workspace_id` that falls back to the default workspace.
pub const WORKSPACE_DEFAULTED: Param = id(
    "workspace_id",
    "ws_",
    false,
    "Workspace (`ws_…`, from list_workspaces). When omitted, the default workspace is used: \
     the configured one, or the only one the credential can access; the result says which.",
);
/// A required project id.
pub const PROJECT_ID: Param = id(
    "project_id",
    "prj_",
    true,
    "The project's id (`prj_…`, from list_projects).",
);
/// A required Technique id or slug.
pub const TECHNIQUE_ID: Param = text(
    "technique_id",
    true,
    "Technique id (`tech_cctv-cam`) or slug (`cctv-cam`), from list_techniques.",
);
/// How long a waiting tool waits.
pub const MAX_WAIT: Param = Param {
    name: "max_wait_seconds",
    kind: crate::schema::Kind::Int { min: 0, max: 240 },
    required: false,
    description: "How long to wait for the run, 0 to 240 seconds (default 120); 0 starts it \
        and returns at once.",
};
/// Run statuses.
pub const RUN_STATUSES: &[&str] = &["pending", "running", "completed", "failed"];
/// Generation types.
pub const GENERATION_TYPES: &[&str] = &["image", "video", "audio", "text"];
/// The 40 prebuilt action ids of SDK 0.11.0.
pub const ACTION_IDS: &[&str] = &[
    "color-grade-image-browser",
    "overlay-image-browser",
    "draw-image-browser",
    "crop-image-browser",
    "scene-3d-image-browser",
    "blur-image-browser",
    "change-image-ar-browser",
    "rotate-image-browser",
    "color-filter-image-browser",
    "color-tint-image-browser",
    "filter-color-image-browser",
    "duplicate-image-browser",
    "side-by-side-composite-browser",
    "add-shape-to-image-browser",
    "add-text-to-image-browser",
    "qr-code-generator-browser",
    "resize-image-browser",
    "shader-effect-browser",
    "split-text-browser",
    "find-and-replace-text-browser",
    "concat-text-browser",
    "ken-burns-video",
    "stitch-videos",
    "split-video",
    "extract-video-frames",
    "color-grade-video",
    "video-to-frame-grid",
    "boomerang-video",
    "reverse-video",
    "video-to-long-exposure",
    "video-effect",
    "color-filter-video",
    "speed-up-video",
    "slow-down-video",
    "duplicate-video",
    "greenscreen-video",
    "resize-video",
    "change-video-ar",
    "split-audio-from-video",
    "merge-audio-into-video",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;
    use crate::schema::{Kind, object_schema};

    #[test]
    fn names_are_unique_and_fit_the_mcp_pattern() {
        let mut names: Vec<&str> = all().map(|t| t.name).collect();
        let count = names.len();
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
        assert_eq!(names.len(), count);
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
        for tool in all() {
            assert!(
                tool.description.len() > 40,
                "{} needs a real description",
                tool.name
            );
            check(tool.params, tool.name);
        }
    }

    #[test]
    fn schemas_are_objects_without_top_level_combinators() {
        let schemas = output_schemas();
        assert!(schemas.is_object(), "output-schemas.json does not parse");
        for tool in all() {
            let output = schemas[tool.output_schema].clone();
            let input = object_schema(tool.params);
            for schema in [&output, &input] {
                assert_eq!(schema["type"], "object", "{}", tool.name);
                for combinator in ["oneOf", "anyOf", "allOf"] {
                    assert!(schema.get(combinator).is_none(), "{}", tool.name);
                }
            }
        }
    }

    #[test]
    fn every_tool_is_in_a_known_toolset_and_core_stays_small() {
        for tool in all() {
            assert!(
                TOOLSETS.iter().any(|(name, _)| *name == tool.toolset),
                "{} is in unknown toolset {}",
                tool.name,
                tool.toolset
            );
        }
        let core = all().filter(|t| t.toolset == "core").count();
        assert!(core <= MAX_CORE, "core has {core} tools");
        for (name, _) in TOOLSETS {
            assert!(all().any(|t| t.toolset == *name), "toolset {name} is empty");
        }
    }

    #[test]
    fn read_only_tools_are_exactly_the_non_mutating_ones() {
        for tool in all() {
            let a = tool.annotations;
            assert!(a.open_world, "{}", tool.name);
            if a.read_only {
                assert!(!a.destructive && a.idempotent, "{}", tool.name);
            }
            let reads = ["list_", "retrieve_"]
                .iter()
                .any(|p| tool.name.starts_with(p));
            assert_eq!(reads, a.read_only, "{}", tool.name);
        }
    }
}
