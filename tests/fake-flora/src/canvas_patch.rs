//! Applying a Mermaid patch to a canvas (`PATCH /projects/{id}/canvas`), add-only: labelled ids
//! become new nodes (even when an existing short id is re-declared, with a warning), bare ids
//! refer to existing nodes, `node_params` configure new nodes, and edges join them.

use crate::canvas::{Canvas, Edge, Node, NodeKind};
use crate::errors::{ApiError, FieldError};
use crate::fields::Fields;
use crate::mermaid::{self, Diagram};
use crate::state::Shared;
use serde_json::{Map, Value};
use std::collections::HashMap;

const NODE_PARAMS: [&str; 6] = [
    "aspect_ratio",
    "content_url",
    "model",
    "model_parameters",
    "prompt",
    "resolution",
];

/// What a patch did.
pub struct Applied {
    /// The created part of the canvas as Mermaid, with the real short ids.
    pub diagram: String,
    pub created_nodes: usize,
    pub created_edges: usize,
    pub warnings: Vec<String>,
}

/// Validates `diagram` and `node_params` against `canvas` and applies them, or changes nothing.
pub fn apply(
    state: &Shared,
    canvas: &mut Canvas,
    diagram: &str,
    node_params: &Map<String, Value>,
) -> Result<Applied, ApiError> {
    let parsed = mermaid::parse(diagram).map_err(|message| {
        ApiError::field(
            "diagram",
            format!("diagram is not a valid flowchart: {message}"),
        )
    })?;
    let mut warnings = parsed.warnings.clone();
    let mut errors = Vec::new();
    let mut created: Vec<(String, Node)> = Vec::new();
    let mut references: HashMap<String, String> = HashMap::new();
    let mut creating: Vec<&str> = Vec::new();
    for declared in &parsed.nodes {
        let existing = canvas.node(&declared.id).map(|n| n.node_id.clone());
        match (&declared.label, existing) {
            (None, Some(node_id)) => {
                references.insert(declared.id.clone(), node_id);
            }
            (label, existing) => {
                creating.push(&declared.id);
                if label.is_none() {
                    warnings.push(format!(
                        "{} has no label and is not on the canvas; it was created as an image \
                         node labelled {0}",
                        declared.id
                    ));
                }
                if existing.is_some() {
                    warnings.push(format!(
                        "{} was re-declared with a label, so a new node was created; reference \
                         existing nodes in edges without a label",
                        declared.id
                    ));
                }
                let params = node_params.get(&declared.id);
                match new_node(state, declared, label.as_deref(), params, &mut errors) {
                    Some(node) => created.push((declared.id.clone(), node)),
                    None => continue,
                }
            }
        }
    }
    for key in node_params.keys() {
        if !creating.contains(&key.as_str()) {
            let field = format!("node_params.{key}");
            let message = format!("{field} names no node the diagram creates");
            errors.push(FieldError::new(field, message));
        }
    }
    ApiError::check(errors)?;
    Ok(commit(canvas, &parsed, created, references, warnings))
}

/// Builds the node a declaration asks for, noting bad `node_params` in `errors`.
fn new_node(
    state: &Shared,
    declared: &mermaid::Declared,
    label: Option<&str>,
    params: Option<&Value>,
    errors: &mut Vec<FieldError>,
) -> Option<Node> {
    let media = declared.media.unwrap_or("image");
    let path = format!("node_params.{}.", declared.id);
    let empty = Map::new();
    let object = match params {
        None => &empty,
        Some(Value::Object(object)) => object,
        Some(_) => {
            let field = format!("node_params.{}", declared.id);
            errors.push(FieldError::new(
                &field,
                format!("{field} must be an object"),
            ));
            return None;
        }
    };
    let mut fields = Fields::nested(object, &NODE_PARAMS, &path);
    let prompt = fields.optional_string("prompt");
    let content_url = fields.optional_https("content_url");
    let model = fields.optional_string("model");
    let mut model_params = fields
        .optional_object("model_parameters")
        .cloned()
        .unwrap_or_default();
    for key in ["aspect_ratio", "resolution"] {
        if let Some(value) = fields.optional_string(key) {
            model_params.insert(key.to_owned(), Value::String(value));
        }
    }
    if content_url.is_some() && prompt.is_some() {
        fields.fail("content_url", "and prompt are mutually exclusive");
    }
    if content_url.is_some() && media == "text" {
        fields.fail(
            "content_url",
            "is only supported for image, video and audio nodes",
        );
    }
    if let Some(model_id) = &model
        && state.model(model_id).is_none_or(|m| m.kind != media)
    {
        fields.fail("model", &format!("is not an available {media} model"));
    }
    let failed = !fields.errors.is_empty();
    errors.extend(fields.errors);
    if failed {
        return None;
    }
    let label = label.unwrap_or(&declared.id);
    let node = match content_url {
        Some(url) => Node {
            output_url: Some(url),
            ..Node::new(NodeKind::static_of(media)?, label)
        },
        None => Node {
            prompt: prompt.or_else(|| (!label.is_empty()).then(|| label.to_owned())),
            model_id: model,
            params: model_params,
            ..Node::new(NodeKind::generating(media)?, label)
        },
    };
    Some(node)
}

fn commit(
    canvas: &mut Canvas,
    parsed: &Diagram,
    created: Vec<(String, Node)>,
    mut references: HashMap<String, String>,
    mut warnings: Vec<String>,
) -> Applied {
    let mut lines = vec!["graph LR".to_owned()];
    let created_nodes = created.len();
    for (mermaid_id, node) in created {
        let node = canvas.insert(node, None);
        lines.push(format!(
            "  {}[\"{}\"]",
            node.short_id,
            node.label.replace('"', "'")
        ));
        references.insert(mermaid_id, node.node_id.clone());
    }
    let mut created_edges = 0;
    for (from, to) in &parsed.edges {
        let (Some(from_id), Some(to_id)) = (references.get(from), references.get(to)) else {
            continue;
        };
        if canvas
            .edges
            .iter()
            .any(|e| &e.from == from_id && &e.to == to_id)
        {
            warnings.push(format!("{from} --> {to} already exists; it was skipped"));
            continue;
        }
        canvas.edges.push(Edge::new(from_id, to_id, None));
        created_edges += 1;
        let short = |id: &str| {
            canvas
                .nodes
                .iter()
                .find(|n| n.node_id == id)
                .map(|n| n.short_id.clone())
        };
        if let (Some(a), Some(b)) = (short(from_id), short(to_id)) {
            lines.push(format!("  {a} --> {b}"));
        }
    }
    canvas.touch();
    Applied {
        diagram: lines.join("\n"),
        created_nodes,
        created_edges,
        warnings,
    }
}
