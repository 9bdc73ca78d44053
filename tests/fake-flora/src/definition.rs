//! The canonical canvas definition (`GET|PUT …/canvas/definition`): nodes as FLORA block types
//! with durable data and positions, edges with handles, per-node inputs and outputs; rendering a
//! canvas as one, and validating one that replaces a canvas wholesale.

use crate::canvas::{Canvas, Edge, Node, NodeKind};
use crate::errors::{ApiError, FieldError};
use crate::fields::Fields;
use serde_json::{Map, Value, json};
use std::collections::HashSet;

/// Every FLORA canvas block type (SDK 0.11.0).
pub const BLOCK_TYPES: [&str; 30] = [
    "videoBlock",
    "textBlock",
    "comment",
    "group",
    "ghost",
    "virtualSourceNode",
    "emptyImageBlock",
    "outpaintImageBlock",
    "inpaintImageBlock",
    "staticImageBlock",
    "staticVideoBlock",
    "resultImageBlock",
    "resultVideoBlock",
    "resultTextBlock",
    "audioBlock",
    "resultAudioBlock",
    "staticAudioBlock",
    "techniqueBlock",
    "layerEditorNode",
    "videoEditorNode",
    "collectionNode",
    "routerNode",
    "switchNode",
    "elementNode",
    "textLabel",
    "codeBlock",
    "documentNode",
    "exportNode",
    "webcamNode",
    "model3dNode",
];

const NODE_KEYS: [&str; 13] = [
    "id",
    "type",
    "data",
    "position",
    "expand_parent",
    "extent",
    "height",
    "hidden",
    "origin",
    "parent_id",
    "style",
    "width",
    "z_index",
];
const EDGE_KEYS: [&str; 7] = [
    "id",
    "source",
    "target",
    "source_handle",
    "target_handle",
    "data",
    "type",
];
const DEFINITION_KEYS: [&str; 5] = [
    "nodes",
    "edges",
    "node_inputs",
    "node_outputs",
    "layer_editor_documents",
];

/// The block type a node is stored as.
fn block_type(node: &Node) -> String {
    if let Some((block, _)) = &node.block {
        return block.clone();
    }
    match node.kind {
        NodeKind::Image => "resultImageBlock",
        NodeKind::Video => "resultVideoBlock",
        NodeKind::Audio => "resultAudioBlock",
        NodeKind::Text => "resultTextBlock",
        NodeKind::StaticImage => "staticImageBlock",
        NodeKind::StaticVideo => "staticVideoBlock",
        NodeKind::StaticAudio => "staticAudioBlock",
        NodeKind::Group => "group",
        NodeKind::Action => "codeBlock",
        NodeKind::LayerEditor => "layerEditorNode",
        NodeKind::Other => "comment",
    }
    .to_owned()
}

/// The agent-vocabulary kind of a block type (action code blocks name an action).
fn kind_of(block: &str, data: &Map<String, Value>) -> NodeKind {
    match block {
        "emptyImageBlock" | "outpaintImageBlock" | "inpaintImageBlock" | "resultImageBlock" => {
            NodeKind::Image
        }
        "videoBlock" | "resultVideoBlock" => NodeKind::Video,
        "audioBlock" | "resultAudioBlock" => NodeKind::Audio,
        "textBlock" | "resultTextBlock" => NodeKind::Text,
        "staticImageBlock" => NodeKind::StaticImage,
        "staticVideoBlock" => NodeKind::StaticVideo,
        "staticAudioBlock" => NodeKind::StaticAudio,
        "group" => NodeKind::Group,
        "layerEditorNode" => NodeKind::LayerEditor,
        "codeBlock" if data.contains_key("action_id") => NodeKind::Action,
        _ => NodeKind::Other,
    }
}

/// `{nodes, edges, node_inputs, node_outputs}` for `canvas`.
pub fn render(canvas: &Canvas) -> Value {
    let mut node_inputs = Map::new();
    let mut node_outputs = Map::new();
    let nodes: Vec<Value> = canvas
        .nodes
        .iter()
        .map(|node| {
            let mut data = node
                .block
                .as_ref()
                .map(|(_, d)| d.clone())
                .unwrap_or_default();
            data.insert("label".to_owned(), json!(node.label));
            if let Some(asset_id) = &node.asset_id {
                data.insert("asset_id".to_owned(), json!(asset_id));
            }
            if let Some(action_id) = &node.action_id {
                data.insert("action_id".to_owned(), json!(action_id));
            }
            let mut inputs = Map::new();
            if let Some(prompt) = &node.prompt {
                inputs.insert("prompt".to_owned(), json!(prompt));
            }
            if let Some(model_id) = &node.model_id {
                inputs.insert("model_id".to_owned(), json!(model_id));
            }
            if !node.params.is_empty() {
                inputs.insert("params".to_owned(), Value::Object(node.params.clone()));
            }
            if !inputs.is_empty() {
                node_inputs.insert(node.node_id.clone(), Value::Object(inputs));
            }
            let output = match (&node.output_url, &node.output_text) {
                (Some(url), _) => Some(json!({ "url": url })),
                (None, Some(text)) => Some(json!({ "text": text })),
                _ => None,
            };
            if let Some(output) = output {
                node_outputs.insert(node.node_id.clone(), output);
            }
            let mut item = json!({
                "id": node.node_id,
                "type": block_type(node),
                "data": data,
                "position": { "x": node.position.0, "y": node.position.1 },
            });
            if let Some(parent) = &node.parent {
                item["parent_id"] = json!(parent);
            }
            if let Some(width) = node.width {
                item["width"] = json!(width);
            }
            if let Some(height) = node.height {
                item["height"] = json!(height);
            }
            item
        })
        .collect();
    let edges: Vec<Value> = canvas
        .edges
        .iter()
        .map(|edge| {
            json!({
                "id": edge.edge_id,
                "source": edge.from,
                "target": edge.to,
                "source_handle": Value::Null,
                "target_handle": edge.slot,
            })
        })
        .collect();
    json!({
        "nodes": nodes,
        "edges": edges,
        "node_inputs": node_inputs,
        "node_outputs": node_outputs,
    })
}

/// Validates `definition` and builds the canvas it describes, keeping the short ids of nodes
/// that survive from `current`.
pub fn replace(current: &Canvas, definition: &Map<String, Value>) -> Result<Canvas, ApiError> {
    let mut fields = Fields::nested(definition, &DEFINITION_KEYS, "definition.");
    let mut errors = Vec::new();
    let nodes = array(definition, "nodes", &mut errors);
    let edges = array(definition, "edges", &mut errors);
    let inputs = object(definition, "node_inputs", &mut errors);
    let outputs = object(definition, "node_outputs", &mut errors);
    fields.optional_object("layer_editor_documents");
    errors.append(&mut fields.errors);

    let mut ids = HashSet::new();
    let mut groups = HashSet::new();
    for (index, node) in nodes.iter().enumerate() {
        let path = format!("definition.nodes[{index}]");
        let Some(object) = node.as_object() else {
            errors.push(FieldError::new(&path, format!("{path} must be an object")));
            continue;
        };
        let mut fields = Fields::nested(object, &NODE_KEYS, &format!("{path}."));
        if let Some(id) = fields.required_string("id")
            && !ids.insert(id.clone())
        {
            fields.fail("id", &format!("\"{id}\" is used by more than one node"));
        }
        if let Some(block) = fields.one_of("type", &BLOCK_TYPES, true)
            && block == "group"
        {
            groups.insert(object["id"].as_str().unwrap_or_default().to_owned());
        }
        if object.get("data").is_none_or(|d| !d.is_object()) {
            fields.fail("data", "must be an object");
        }
        check_position(object.get("position"), &mut fields);
        errors.extend(fields.errors);
    }
    for (index, node) in nodes.iter().enumerate() {
        if let Some(parent) = node.get("parent_id").and_then(Value::as_str)
            && !groups.contains(parent)
        {
            let field = format!("definition.nodes[{index}].parent_id");
            let message = format!("{field} \"{parent}\" is not a group node of this definition");
            errors.push(FieldError::new(field, message));
        }
    }
    let mut edge_ids = HashSet::new();
    for (index, edge) in edges.iter().enumerate() {
        let path = format!("definition.edges[{index}]");
        let Some(object) = edge.as_object() else {
            errors.push(FieldError::new(&path, format!("{path} must be an object")));
            continue;
        };
        let mut fields = Fields::nested(object, &EDGE_KEYS, &format!("{path}."));
        if let Some(id) = fields.required_string("id")
            && !edge_ids.insert(id.clone())
        {
            fields.fail("id", &format!("\"{id}\" is used by more than one edge"));
        }
        for end in ["source", "target"] {
            if let Some(node) = fields.required_string(end)
                && !ids.contains(&node)
            {
                fields.fail(end, &format!("\"{node}\" is not a node of this definition"));
            }
        }
        for handle in ["source_handle", "target_handle"] {
            match object.get(handle) {
                Some(Value::String(_) | Value::Null) => {}
                Some(_) => fields.fail(handle, "must be a string or null"),
                None => fields.fail(handle, "is required (null when the edge names no handle)"),
            }
        }
        errors.extend(fields.errors);
    }
    for (name, map) in [("node_inputs", &inputs), ("node_outputs", &outputs)] {
        for (key, value) in map.iter() {
            let field = format!("definition.{name}.{key}");
            if !ids.contains(key) {
                errors.push(FieldError::new(&field, format!("{field} names no node")));
            } else if !value.is_object() {
                errors.push(FieldError::new(
                    &field,
                    format!("{field} must be an object"),
                ));
            }
        }
    }
    ApiError::check(errors)?;
    Ok(build(current, &nodes, &edges, &inputs, &outputs))
}

fn array(object: &Map<String, Value>, key: &str, errors: &mut Vec<FieldError>) -> Vec<Value> {
    let field = format!("definition.{key}");
    match object.get(key) {
        Some(Value::Array(items)) => items.clone(),
        None => {
            errors.push(FieldError::new(&field, format!("{field} is required")));
            Vec::new()
        }
        Some(_) => {
            errors.push(FieldError::new(&field, format!("{field} must be an array")));
            Vec::new()
        }
    }
}

fn object(
    object: &Map<String, Value>,
    key: &str,
    errors: &mut Vec<FieldError>,
) -> Map<String, Value> {
    let field = format!("definition.{key}");
    match object.get(key) {
        Some(Value::Object(map)) => map.clone(),
        None => {
            errors.push(FieldError::new(&field, format!("{field} is required")));
            Map::new()
        }
        Some(_) => {
            errors.push(FieldError::new(
                &field,
                format!("{field} must be an object"),
            ));
            Map::new()
        }
    }
}

/// Checks an optional `{x, y}` position.
pub fn check_position(value: Option<&Value>, fields: &mut Fields<'_>) {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return;
    };
    let fits = value.as_object().is_some_and(|p| {
        p.len() == 2
            && ["x", "y"]
                .iter()
                .all(|a| p.get(*a).is_some_and(Value::is_number))
    });
    if !fits {
        fields.fail("position", "must be an object with numbers x and y");
    }
}

/// Reads a validated `{x, y}`.
pub fn position(value: Option<&Value>) -> Option<(f64, f64)> {
    let value = value?;
    Some((value.get("x")?.as_f64()?, value.get("y")?.as_f64()?))
}

fn build(
    current: &Canvas,
    nodes: &[Value],
    edges: &[Value],
    inputs: &Map<String, Value>,
    outputs: &Map<String, Value>,
) -> Canvas {
    let mut canvas = current.clone();
    canvas.nodes.clear();
    canvas.edges.clear();
    for (index, item) in nodes.iter().enumerate() {
        let id = item["id"].as_str().unwrap_or_default();
        let block = item["type"].as_str().unwrap_or_default().to_owned();
        let data = item["data"].as_object().cloned().unwrap_or_default();
        let text = |map: &Map<String, Value>, key: &str| {
            map.get(key).and_then(Value::as_str).map(str::to_owned)
        };
        let input = inputs
            .get(id)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let output = outputs
            .get(id)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let kind = kind_of(&block, &data);
        let mut node = Node::new(kind, &text(&data, "label").unwrap_or_default());
        node.node_id = id.to_owned();
        node.short_id = current
            .node(id)
            .map(|n| n.short_id.clone())
            .unwrap_or_default();
        node.asset_id = text(&data, "asset_id");
        node.action_id = text(&data, "action_id");
        node.prompt = text(&input, "prompt");
        node.model_id = text(&input, "model_id");
        node.params = input
            .get("params")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        node.output_url = text(&output, "url");
        node.output_text = text(&output, "text");
        node.parent = item
            .get("parent_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        node.width = item.get("width").and_then(Value::as_u64).map(|w| w as u32);
        node.height = item.get("height").and_then(Value::as_u64).map(|h| h as u32);
        if node.kind.generates() && (node.output_url.is_some() || node.output_text.is_some()) {
            node.status = Some(crate::canvas::NodeStatus::Done);
        }
        node.block = Some((block, data));
        // Omitted positions get a deterministic grid spot.
        node.position = position(item.get("position"))
            .unwrap_or(((index % 4) as f64 * 400.0, (index / 4) as f64 * 400.0));
        canvas.nodes.push(node);
    }
    for index in 0..canvas.nodes.len() {
        if canvas.nodes[index].short_id.is_empty() {
            canvas.nodes[index].short_id = canvas.next_short_id();
        }
    }
    for item in edges {
        let mut edge = Edge::new(
            item["source"].as_str().unwrap_or_default(),
            item["target"].as_str().unwrap_or_default(),
            item["target_handle"].as_str().map(str::to_owned),
        );
        edge.edge_id = item["id"].as_str().unwrap_or_default().to_owned();
        canvas.edges.push(edge);
    }
    canvas.touch();
    canvas
}
