//! Canvas changesets (`POST …/canvas/changeset`): add, update, connect, disconnect and remove
//! operations validated together and applied as one transaction (groups before members), every
//! problem reported as `<code>: <what>` in the error's fields, nothing applied if any fails.

use crate::canvas::{Canvas, Edge, Node, NodeKind};
use crate::definition::{check_position, position};
use crate::errors::{ApiError, FieldError};
use crate::fields::Fields;
use crate::state::Shared;
use serde_json::{Map, Value, json};

const BODY: [&str; 5] = ["add", "update", "connect", "disconnect", "remove"];
const ADD_TYPES: [&str; 7] = [
    "image",
    "video",
    "text",
    "audio",
    "group",
    "static_image",
    "layer_editor",
];
const ADD_KEYS: [&str; 9] = [
    "ref",
    "type",
    "content_url",
    "group",
    "label",
    "model",
    "params",
    "position",
    "prompt",
];
const UPDATE_KEYS: [&str; 6] = ["id", "label", "model", "params", "position", "prompt"];

/// What a changeset did.
pub struct Outcome {
    pub added: usize,
    pub updated: usize,
    pub connected: usize,
    pub disconnected: usize,
    pub removed: usize,
    /// ref → (short id, node id).
    pub created: Vec<(String, String, String)>,
    pub warnings: Vec<String>,
}

impl Outcome {
    pub fn render(&self) -> (Value, Value) {
        let applied = json!({
            "added": self.added,
            "updated": self.updated,
            "connected": self.connected,
            "disconnected": self.disconnected,
            "removed": self.removed,
        });
        let created: Map<String, Value> = self
            .created
            .iter()
            .map(|(r, id, node_id)| (r.clone(), json!({ "id": id, "node_id": node_id })))
            .collect();
        (applied, Value::Object(created))
    }
}

/// A problem: `field`, and `<code>: <field> <message>`.
fn problem(field: &str, code: &str, message: &str) -> FieldError {
    FieldError::new(field, format!("{code}: {field} {message}"))
}

/// Applies `body` to a copy of `canvas`; on success the copy replaces it.
pub fn apply(
    state: &Shared,
    canvas: &mut Canvas,
    body: &Map<String, Value>,
) -> Result<Outcome, ApiError> {
    let mut fields = Fields::new(body, &BODY);
    let mut ops: Vec<(&str, Vec<Value>)> = Vec::new();
    for key in BODY {
        match body.get(key) {
            None | Some(Value::Null) => ops.push((key, Vec::new())),
            Some(Value::Array(items)) => ops.push((key, items.clone())),
            Some(_) => {
                fields.fail(key, "must be an array");
                ops.push((key, Vec::new()));
            }
        }
    }
    fields.finish()?;
    if ops.iter().all(|(_, items)| items.is_empty()) {
        return Err(ApiError::validation(vec![problem(
            "changeset",
            "empty_changeset",
            "has no operations",
        )]));
    }
    let mut work = Work {
        state,
        canvas: canvas.clone(),
        errors: Vec::new(),
        outcome: Outcome {
            added: 0,
            updated: 0,
            connected: 0,
            disconnected: 0,
            removed: 0,
            created: Vec::new(),
            warnings: Vec::new(),
        },
        refs: Vec::new(),
    };
    let mut lists = ops.into_iter().map(|(_, items)| items);
    let mut next = || lists.next().unwrap_or_default();
    let (add, update, connect, disconnect, remove) = (next(), next(), next(), next(), next());
    // Groups first, so members can name them.
    let mut order: Vec<usize> = (0..add.len()).collect();
    order.sort_by_key(|&i| add[i].get("type").and_then(Value::as_str) != Some("group"));
    for index in order {
        work.add(index, &add[index]);
    }
    let mut touched = Vec::new();
    for (index, item) in update.iter().enumerate() {
        work.update(index, item, &mut touched);
    }
    for (index, item) in connect.iter().enumerate() {
        work.connect(index, item);
    }
    for (index, item) in disconnect.iter().enumerate() {
        work.disconnect(index, item);
    }
    for (index, item) in remove.iter().enumerate() {
        work.remove(index, item);
    }
    ApiError::check(work.errors)?;
    work.canvas.touch();
    *canvas = work.canvas;
    Ok(work.outcome)
}

struct Work<'a> {
    state: &'a Shared,
    canvas: Canvas,
    errors: Vec<FieldError>,
    outcome: Outcome,
    /// ref → node id, for nodes this changeset added.
    refs: Vec<(String, String)>,
}

impl Work<'_> {
    /// The node id a reference (short id, node id, or a ref added here) names.
    fn resolve(&self, reference: &str) -> Option<String> {
        self.refs
            .iter()
            .find(|(r, _)| r == reference)
            .map(|(_, id)| id.clone())
            .or_else(|| self.canvas.node(reference).map(|n| n.node_id.clone()))
    }

    fn object<'v>(&mut self, path: &str, item: &'v Value) -> Option<&'v Map<String, Value>> {
        let object = item.as_object();
        if object.is_none() {
            self.errors
                .push(problem(path, "invalid_operation", "must be an object"));
        }
        object
    }

    /// Checks a model name or id for `media`, returning its id.
    fn model(&mut self, path: &str, model: &str, media: &str) -> Option<String> {
        let found = self
            .state
            .models
            .iter()
            .find(|m| (m.model_id == model || m.name == model) && m.kind == media);
        if found.is_none() {
            let field = format!("{path}.model");
            let message = format!("\"{model}\" is not an available {media} model");
            self.errors.push(problem(&field, "invalid_model", &message));
        }
        found.map(|m| m.model_id.to_owned())
    }

    /// Checks `params` against the model's parameter names.
    fn params(&mut self, path: &str, model_id: Option<&str>, params: &Map<String, Value>) {
        let Some(model) = model_id.and_then(|id| self.state.model(id)) else {
            return;
        };
        for key in params.keys() {
            if !model.params.iter().any(|p| p.name == key) {
                let field = format!("{path}.params.{key}");
                let message = format!("is not a parameter of {}", model.model_id);
                self.errors
                    .push(problem(&field, "invalid_params", &message));
            }
        }
    }

    fn add(&mut self, index: usize, item: &Value) {
        let path = format!("add[{index}]");
        let Some(object) = self.object(&path, item) else {
            return;
        };
        let mut fields = Fields::nested(object, &ADD_KEYS, &format!("{path}."));
        let reference = fields.required_string("ref");
        let kind = fields.one_of("type", &ADD_TYPES, true);
        let content_url = fields.optional_https("content_url");
        let group = fields.optional_string("group");
        let label = fields.optional_string("label");
        let model = fields.optional_string("model");
        let params = fields.optional_object("params").cloned();
        let prompt = fields.optional_string("prompt");
        check_position(object.get("position"), &mut fields);
        self.errors.append(&mut fields.errors);
        let (Some(reference), Some(kind)) = (reference, kind) else {
            return;
        };
        if self.resolve(&reference).is_some() {
            let field = format!("{path}.ref");
            let message = format!("\"{reference}\" collides with a live node or another ref");
            self.errors.push(problem(&field, "ref_conflict", &message));
            return;
        }
        let media = match kind.as_str() {
            "static_image" => Some("image"),
            "image" | "video" | "audio" | "text" => Some(kind.as_str()),
            _ => None,
        };
        if content_url.is_some() && (prompt.is_some() || model.is_some() || params.is_some()) {
            let field = format!("{path}.content_url");
            let message = "is mutually exclusive with prompt, model and params";
            self.errors
                .push(problem(&field, "mutually_exclusive", message));
        }
        if content_url.is_some() && !matches!(media, Some("image" | "video" | "audio")) {
            let field = format!("{path}.content_url");
            let message = "is only for image, video and audio nodes";
            self.errors
                .push(problem(&field, "invalid_content_url", message));
        }
        if kind == "static_image" && content_url.is_none() {
            let field = format!("{path}.content_url");
            self.errors
                .push(problem(&field, "missing_content_url", "is required"));
        }
        let node_kind = match (kind.as_str(), &content_url, media) {
            ("group", _, _) => NodeKind::Group,
            ("layer_editor", _, _) => NodeKind::LayerEditor,
            (_, Some(_), Some(media)) => {
                NodeKind::static_of(media).unwrap_or(NodeKind::StaticImage)
            }
            (_, _, Some(media)) => NodeKind::generating(media).unwrap_or(NodeKind::Image),
            _ => NodeKind::Other,
        };
        let model_id = match (&model, media, node_kind.generates()) {
            (Some(model), Some(media), true) => self.model(&path, model, media),
            (Some(_), _, _) => {
                let field = format!("{path}.model");
                self.errors.push(problem(
                    &field,
                    "invalid_model",
                    "is only for generation nodes",
                ));
                None
            }
            (None, Some(media), true) => self
                .state
                .models
                .iter()
                .find(|m| m.kind == media)
                .map(|m| m.model_id.to_owned()),
            _ => None,
        };
        let params = params.unwrap_or_default();
        self.params(&path, model_id.as_deref(), &params);
        let parent = group.and_then(|group| {
            let parent = self.resolve(&group).filter(|id| {
                self.canvas
                    .node(id)
                    .is_some_and(|n| n.kind == NodeKind::Group)
            });
            if parent.is_none() {
                let field = format!("{path}.group");
                let message = format!("\"{group}\" is not a group");
                self.errors
                    .push(problem(&field, "group_not_found", &message));
            }
            parent
        });
        let node = Node {
            prompt,
            model_id,
            params,
            output_url: content_url,
            parent,
            ..Node::new(node_kind, label.as_deref().unwrap_or(""))
        };
        let node = self.canvas.insert(node, position(object.get("position")));
        let (short_id, node_id) = (node.short_id.clone(), node.node_id.clone());
        self.refs.push((reference.clone(), node_id.clone()));
        self.outcome.created.push((reference, short_id, node_id));
        self.outcome.added += 1;
    }

    fn update(&mut self, index: usize, item: &Value, touched: &mut Vec<String>) {
        let path = format!("update[{index}]");
        let Some(object) = self.object(&path, item) else {
            return;
        };
        let mut fields = Fields::nested(object, &UPDATE_KEYS, &format!("{path}."));
        let id = fields.required_string("id");
        let label = fields.optional_string("label");
        let model = fields.optional_string("model");
        let params = fields.optional_object("params").cloned();
        let prompt = fields.optional_string("prompt");
        check_position(object.get("position"), &mut fields);
        self.errors.append(&mut fields.errors);
        let Some(id) = id else { return };
        let Some(node_id) = self.resolve(&id) else {
            let field = format!("{path}.id");
            let message = format!("\"{id}\" matches no node");
            self.errors
                .push(problem(&field, "node_not_found", &message));
            return;
        };
        if touched.contains(&node_id) {
            let field = format!("{path}.id");
            let message = format!("\"{id}\" is updated more than once");
            self.errors
                .push(problem(&field, "duplicate_update", &message));
            return;
        }
        touched.push(node_id.clone());
        let Some(node) = self.canvas.node(&node_id).cloned() else {
            return;
        };
        let model_id = match (&model, node.kind.media()) {
            (Some(model), Some(media)) if node.kind.generates() => self.model(&path, model, media),
            (Some(_), _) => {
                let field = format!("{path}.model");
                self.errors.push(problem(
                    &field,
                    "invalid_model",
                    "is only for generation nodes",
                ));
                None
            }
            (None, _) => node.model_id.clone(),
        };
        if let Some(params) = &params {
            match &node.action_id {
                Some(action_id) => {
                    if let Some(action) = self.state.action(action_id) {
                        let found = action.check_params(params, &format!("{path}.params"));
                        for error in found {
                            let message = format!("invalid_params: {}", error.message);
                            self.errors.push(FieldError::new(error.field, message));
                        }
                    }
                }
                None => self.params(&path, model_id.as_deref(), params),
            }
        }
        let mut changed = node.clone();
        if let Some(label) = label {
            changed.label = label;
        }
        if let Some(prompt) = prompt {
            changed.prompt = Some(prompt);
        }
        changed.model_id = model_id;
        if let Some(params) = params {
            changed.params.extend(params);
        }
        if let Some(spot) = position(object.get("position")) {
            changed.position = spot;
        }
        let same = changed.label == node.label
            && changed.prompt == node.prompt
            && changed.model_id == node.model_id
            && changed.params == node.params
            && changed.position == node.position;
        if same {
            self.outcome.warnings.push(format!(
                "{path} matches the node's current state; nothing changed"
            ));
            return;
        }
        if let Some(slot) = self.canvas.node_mut(&node_id) {
            *slot = changed;
        }
        self.outcome.updated += 1;
    }

    /// The `from`, `to` and `in` of a connect or disconnect operation.
    fn ends(&mut self, path: &str, item: &Value) -> Option<(String, String, Option<String>)> {
        let object = self.object(path, item)?;
        let mut fields = Fields::nested(object, &["from", "to", "in"], &format!("{path}."));
        let from = fields.required_string("from");
        let to = fields.required_string("to");
        let slot = fields.optional_string("in");
        self.errors.append(&mut fields.errors);
        let mut resolved = Vec::new();
        for (key, reference) in [("from", from?), ("to", to?)] {
            match self.resolve(&reference) {
                Some(id) => resolved.push(id),
                None => {
                    let field = format!("{path}.{key}");
                    let message = format!("\"{reference}\" matches no node");
                    self.errors
                        .push(problem(&field, "node_not_found", &message));
                }
            }
        }
        let [from, to]: [String; 2] = resolved.try_into().ok()?;
        Some((from, to, slot))
    }

    fn connect(&mut self, index: usize, item: &Value) {
        let path = format!("connect[{index}]");
        let Some((from, to, slot)) = self.ends(&path, item) else {
            return;
        };
        if from == to {
            self.errors
                .push(problem(&path, "invalid_edge", "connects a node to itself"));
            return;
        }
        if self
            .canvas
            .edges
            .iter()
            .any(|e| e.from == from && e.to == to)
        {
            self.outcome.warnings.push(format!(
                "{path} duplicates an existing edge; it was skipped"
            ));
            return;
        }
        self.canvas.edges.push(Edge::new(&from, &to, slot));
        self.outcome.connected += 1;
    }

    fn disconnect(&mut self, index: usize, item: &Value) {
        let path = format!("disconnect[{index}]");
        let Some((from, to, slot)) = self.ends(&path, item) else {
            return;
        };
        let before = self.canvas.edges.len();
        self.canvas
            .edges
            .retain(|e| !(e.from == from && e.to == to && (slot.is_none() || e.slot == slot)));
        let removed = before - self.canvas.edges.len();
        if removed == 0 {
            self.outcome
                .warnings
                .push(format!("{path} matches no edge; nothing was removed"));
        }
        self.outcome.disconnected += removed;
    }

    fn remove(&mut self, index: usize, item: &Value) {
        let path = format!("remove[{index}]");
        let Some(object) = self.object(&path, item) else {
            return;
        };
        let mut fields = Fields::nested(object, &["id"], &format!("{path}."));
        let id = fields.required_string("id");
        self.errors.append(&mut fields.errors);
        let Some(id) = id else { return };
        let Some(node_id) = self.canvas.node(&id).map(|n| n.node_id.clone()) else {
            let field = format!("{path}.id");
            let message = format!("\"{id}\" matches no node");
            self.errors
                .push(problem(&field, "node_not_found", &message));
            return;
        };
        self.outcome.removed += self.canvas.remove(&node_id);
    }
}
