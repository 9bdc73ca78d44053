//! Project canvases: nodes (with stable short ids `n1`, `n2`, … and `node_…` ids), edges and a
//! revision marker, plus the read-only views FLORA derives from them — the media-node list, the
//! Mermaid rendering with its summary, and the project graph.

use crate::ids::random_token;
use serde_json::{Map, Value, json};

/// A node's type in the agent vocabulary the graph read reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Image,
    Video,
    Audio,
    Text,
    StaticImage,
    StaticVideo,
    StaticAudio,
    Group,
    Action,
    LayerEditor,
    /// Anything else a replaced definition brought in (comments, routers, …).
    Other,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Image => "image",
            NodeKind::Video => "video",
            NodeKind::Audio => "audio",
            NodeKind::Text => "text",
            NodeKind::StaticImage => "static_image",
            NodeKind::StaticVideo => "static_video",
            NodeKind::StaticAudio => "static_audio",
            NodeKind::Group => "group",
            NodeKind::Action => "action",
            NodeKind::LayerEditor => "layer_editor",
            NodeKind::Other => "other",
        }
    }

    /// The media type of a visible media node (`image|video|audio|text`), if it is one.
    pub fn media(self) -> Option<&'static str> {
        match self {
            NodeKind::Image | NodeKind::StaticImage => Some("image"),
            NodeKind::Video | NodeKind::StaticVideo => Some("video"),
            NodeKind::Audio | NodeKind::StaticAudio => Some("audio"),
            NodeKind::Text => Some("text"),
            _ => None,
        }
    }

    /// Whether running it starts a model generation.
    pub fn generates(self) -> bool {
        matches!(
            self,
            NodeKind::Image | NodeKind::Video | NodeKind::Audio | NodeKind::Text
        )
    }

    /// The static kind holding existing media of type `media`.
    pub fn static_of(media: &str) -> Option<NodeKind> {
        match media {
            "image" => Some(NodeKind::StaticImage),
            "video" => Some(NodeKind::StaticVideo),
            "audio" => Some(NodeKind::StaticAudio),
            _ => None,
        }
    }

    /// The generating kind of media type `media`.
    pub fn generating(media: &str) -> Option<NodeKind> {
        match media {
            "image" => Some(NodeKind::Image),
            "video" => Some(NodeKind::Video),
            "audio" => Some(NodeKind::Audio),
            "text" => Some(NodeKind::Text),
            _ => None,
        }
    }
}

/// A node's generation state, as the graph reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeStatus {
    Idle,
    Generating,
    Done,
    Error,
}

impl NodeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeStatus::Idle => "idle",
            NodeStatus::Generating => "generating",
            NodeStatus::Done => "done",
            NodeStatus::Error => "error",
        }
    }
}

/// One canvas node.
#[derive(Debug, Clone)]
pub struct Node {
    pub node_id: String,
    pub short_id: String,
    pub kind: NodeKind,
    pub label: String,
    pub prompt: Option<String>,
    pub model_id: Option<String>,
    pub params: Map<String, Value>,
    pub position: (f64, f64),
    /// The `node_id` of the group it sits in.
    pub parent: Option<String>,
    pub asset_id: Option<String>,
    pub output_url: Option<String>,
    pub output_text: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub status: Option<NodeStatus>,
    pub error: Option<(String, String)>,
    /// For action nodes: the action id.
    pub action_id: Option<String>,
    pub locked: bool,
    /// The run currently generating its output.
    pub run_id: Option<String>,
    /// The FLORA block type and durable data, when a replaced definition set them.
    pub block: Option<(String, Map<String, Value>)>,
}

impl Node {
    /// A fresh node of `kind` labelled `label`, not yet on a canvas (see [`Canvas::insert`]).
    pub fn new(kind: NodeKind, label: &str) -> Node {
        Node {
            node_id: format!("node_{}", random_token(20)),
            short_id: String::new(),
            kind,
            label: label.to_owned(),
            prompt: None,
            model_id: None,
            params: Map::new(),
            position: (0.0, 0.0),
            parent: None,
            asset_id: None,
            output_url: None,
            output_text: None,
            width: None,
            height: None,
            status: kind.generates().then_some(NodeStatus::Idle),
            error: None,
            action_id: None,
            locked: false,
            run_id: None,
            block: None,
        }
    }

    /// Whether `reference` (a short id or a `node_…` id) names it.
    pub fn is(&self, reference: &str) -> bool {
        self.short_id == reference || self.node_id == reference
    }

    /// The `GET /projects/{id}/nodes` item, for visible media nodes.
    pub fn media_item(&self) -> Option<Value> {
        let media = self.kind.media()?;
        let url = self.output_url.clone().or_else(|| self.output_text.clone());
        Some(json!({
            "node_id": self.node_id,
            "type": media,
            "asset_id": self.asset_id,
            "label": self.label,
            "url": url,
            "width": self.width,
            "height": self.height,
        }))
    }

    /// The node as the project graph reports it.
    pub fn graph_item(&self, model_name: Option<&str>) -> Value {
        let action = self.action_id.as_ref().map(|action_id| {
            json!({
                "action_id": action_id,
                "params": (!self.params.is_empty()).then(|| self.params.clone()),
            })
        });
        let params = (self.action_id.is_none() && !self.params.is_empty()).then_some(&self.params);
        let mut item = json!({
            "id": self.short_id,
            "node_id": self.node_id,
            "type": self.kind.as_str(),
            "label": self.label,
            "prompt": self.prompt,
            "model": model_name,
            "model_id": self.model_id,
            "params": params,
            "position": { "x": self.position.0, "y": self.position.1 },
            "status": self.status.map(NodeStatus::as_str),
            "output_url": self.output_url,
            "output_text": self.output_text,
            "action": action,
        });
        if let (Some(NodeStatus::Error), Some((code, message))) = (self.status, &self.error) {
            item["error_code"] = json!(code);
            item["error_message"] = json!(message);
        }
        item
    }

    /// `Label (Image)`, the text Mermaid shows for it.
    fn mermaid_label(&self) -> String {
        let suffix = match self.kind {
            NodeKind::Image | NodeKind::StaticImage => "Image",
            NodeKind::Video | NodeKind::StaticVideo => "Video",
            NodeKind::Audio | NodeKind::StaticAudio => "Audio",
            NodeKind::Text => "Text",
            NodeKind::Action => "Action",
            NodeKind::Group => "Group",
            NodeKind::LayerEditor => "Layer Editor",
            NodeKind::Other => "Node",
        };
        let label: String = self.label.chars().take(60).collect();
        let label = label.replace('"', "'");
        if label.is_empty() {
            format!("({suffix})")
        } else {
            format!("{label} ({suffix})")
        }
    }
}

/// One edge: from a node's output into a slot of another node.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub edge_id: String,
    pub from: String,
    pub to: String,
    /// The input slot it lands in (`image`, `text`, an action input name, `enabled`), if named.
    pub slot: Option<String>,
}

impl Edge {
    pub fn new(from: &str, to: &str, slot: Option<String>) -> Edge {
        Edge {
            edge_id: format!("edge_{}", random_token(20)),
            from: from.to_owned(),
            to: to.to_owned(),
            slot,
        }
    }
}

/// A project's canvas.
#[derive(Debug, Clone)]
pub struct Canvas {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub revision: String,
    next_short: u32,
}

impl Default for Canvas {
    fn default() -> Canvas {
        Canvas {
            nodes: Vec::new(),
            edges: Vec::new(),
            revision: new_revision(),
            next_short: 1,
        }
    }
}

fn new_revision() -> String {
    random_token(16)
}

/// `https://app.flora.ai/projects/{project_id}`.
pub fn canvas_url(project_id: &str) -> String {
    format!("https://app.flora.ai/projects/{project_id}")
}

impl Canvas {
    /// Marks the canvas changed.
    pub fn touch(&mut self) {
        self.revision = new_revision();
    }

    /// The next short id, skipping any in use.
    pub fn next_short_id(&mut self) -> String {
        loop {
            let id = format!("n{}", self.next_short);
            self.next_short += 1;
            if !self.nodes.iter().any(|n| n.short_id == id) {
                return id;
            }
        }
    }

    /// Adds `node`, giving it a short id and (if it has none) a spot below the content.
    pub fn insert(&mut self, mut node: Node, position: Option<(f64, f64)>) -> &Node {
        node.short_id = self.next_short_id();
        node.position = position.unwrap_or_else(|| self.free_spot());
        self.nodes.push(node);
        self.touch();
        self.nodes.last().expect("just pushed")
    }

    /// A position below the existing content.
    pub fn free_spot(&self) -> (f64, f64) {
        let bottom = self
            .nodes
            .iter()
            .map(|n| n.position.1)
            .fold(None, |low: Option<f64>, y| {
                Some(low.map_or(y, |l| l.max(y)))
            });
        (0.0, bottom.map_or(0.0, |y| y + 400.0))
    }

    pub fn node(&self, reference: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.is(reference))
    }

    pub fn node_mut(&mut self, reference: &str) -> Option<&mut Node> {
        self.nodes.iter_mut().find(|n| n.is(reference))
    }

    /// The nodes whose outputs feed `node_id`.
    pub fn upstream(&self, node_id: &str) -> Vec<&Node> {
        self.edges
            .iter()
            .filter(|e| e.to == node_id)
            .filter_map(|e| self.nodes.iter().find(|n| n.node_id == e.from))
            .collect()
    }

    /// `{node_count, edge_count, group_count, isolated_node_count, workflow_count}`.
    pub fn summary(&self) -> Value {
        let members: Vec<&Node> = self
            .nodes
            .iter()
            .filter(|n| n.kind != NodeKind::Group)
            .collect();
        let linked = |n: &Node| {
            self.edges
                .iter()
                .any(|e| e.from == n.node_id || e.to == n.node_id)
        };
        let isolated = members.iter().filter(|n| !linked(n)).count();
        json!({
            "node_count": members.len(),
            "edge_count": self.edges.len(),
            "group_count": self.nodes.len() - members.len(),
            "isolated_node_count": isolated,
            "workflow_count": self.workflow_count(),
        })
    }

    /// How many connected groups of two or more nodes the edges form.
    fn workflow_count(&self) -> usize {
        let index = |id: &str| self.nodes.iter().position(|n| n.node_id == id);
        let mut root: Vec<usize> = (0..self.nodes.len()).collect();
        fn find(root: &mut [usize], mut i: usize) -> usize {
            while root[i] != i {
                root[i] = root[root[i]];
                i = root[i];
            }
            i
        }
        for edge in &self.edges {
            if let (Some(a), Some(b)) = (index(&edge.from), index(&edge.to)) {
                let (a, b) = (find(&mut root, a), find(&mut root, b));
                root[a] = b;
            }
        }
        let mut roots: Vec<usize> = self
            .edges
            .iter()
            .filter_map(|e| index(&e.from))
            .map(|i| find(&mut root, i))
            .collect();
        roots.sort_unstable();
        roots.dedup();
        roots.len()
    }

    /// The canvas as a Mermaid flowchart: groups as subgraphs, then edges.
    pub fn mermaid(&self) -> String {
        let mut lines = vec!["graph LR".to_owned()];
        let declare = |node: &Node, indent: &str| {
            format!("{indent}{}[\"{}\"]", node.short_id, node.mermaid_label())
        };
        for node in self.nodes.iter().filter(|n| n.parent.is_none()) {
            if node.kind == NodeKind::Group {
                lines.push(format!(
                    "  subgraph {}[\"{}\"]",
                    node.short_id,
                    node.mermaid_label()
                ));
                for member in self
                    .nodes
                    .iter()
                    .filter(|m| m.parent.as_deref() == Some(&node.node_id))
                {
                    lines.push(declare(member, "    "));
                }
                lines.push("  end".to_owned());
            } else {
                lines.push(declare(node, "  "));
            }
        }
        let short = |id: &str| {
            self.nodes
                .iter()
                .find(|n| n.node_id == id)
                .map(|n| &n.short_id)
        };
        for edge in &self.edges {
            if let (Some(from), Some(to)) = (short(&edge.from), short(&edge.to)) {
                lines.push(format!("  {from} --> {to}"));
            }
        }
        lines.join("\n")
    }

    /// Removes `node_id`, its edges and (for groups) its members; returns how many nodes went.
    pub fn remove(&mut self, node_id: &str) -> usize {
        let mut doomed = vec![node_id.to_owned()];
        let mut i = 0;
        while i < doomed.len() {
            let parent = doomed[i].clone();
            doomed.extend(
                self.nodes
                    .iter()
                    .filter(|n| n.parent.as_deref() == Some(&parent))
                    .map(|n| n.node_id.clone()),
            );
            i += 1;
        }
        let before = self.nodes.len();
        self.nodes.retain(|n| !doomed.contains(&n.node_id));
        self.edges
            .retain(|e| !doomed.contains(&e.from) && !doomed.contains(&e.to));
        before - self.nodes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canvas() -> Canvas {
        let mut canvas = Canvas::default();
        let a = canvas
            .insert(Node::new(NodeKind::StaticImage, "photo"), None)
            .node_id
            .clone();
        let b = canvas
            .insert(Node::new(NodeKind::Image, "edit"), None)
            .node_id
            .clone();
        canvas.insert(Node::new(NodeKind::Text, "alone"), None);
        canvas.edges.push(Edge::new(&a, &b, Some("image".into())));
        canvas
    }

    #[test]
    fn short_ids_and_summary() {
        let canvas = canvas();
        let ids: Vec<_> = canvas.nodes.iter().map(|n| n.short_id.as_str()).collect();
        assert_eq!(ids, ["n1", "n2", "n3"]);
        assert_eq!(
            canvas.summary(),
            json!({ "node_count": 3, "edge_count": 1, "group_count": 0,
                    "isolated_node_count": 1, "workflow_count": 1 })
        );
        assert_eq!(
            canvas.mermaid(),
            concat!(
                "graph LR\n  n1[\"photo (Image)\"]\n  n2[\"edit (Image)\"]\n",
                "  n3[\"alone (Text)\"]\n  n1 --> n2"
            )
        );
    }

    #[test]
    fn removing_a_node_takes_its_edges() {
        let mut canvas = canvas();
        let before = canvas.revision.clone();
        let id = canvas.node("n1").unwrap().node_id.clone();
        assert_eq!(canvas.remove(&id), 1);
        canvas.touch();
        assert!(canvas.edges.is_empty());
        assert_ne!(canvas.revision, before);
        assert_eq!(canvas.next_short_id(), "n4");
    }
}
