//! Runs that belong to canvas nodes: starting a generation for a node (or reporting why it was
//! skipped), starting an action node's run from its wired inputs, and copying a finished run's
//! outcome back onto its node.

use crate::api_runs::{ApiRun, Job, credits_to_usd};
use crate::canvas::{NodeKind, NodeStatus};
use crate::errors::ApiError;
use crate::ids;
use crate::state::{Shared, World};
use serde_json::{Map, Value, json};

/// The model a node without one is routed to at run time (image nodes only).
const ROUTED_IMAGE_MODEL: &str = "t2i-flux-2-pro";

/// Starts the generation of node `reference` on a project's canvas; the entry for
/// `POST /workspaces/{ws}/projects/{p}/nodes/run` (started, or skipped with a reason).
pub fn run_generation_node(
    state: &Shared,
    world: &mut World,
    workspace_id: &str,
    project_id: &str,
    reference: &str,
    now: u64,
) -> Value {
    let skipped = |reason: &str, message: &str| {
        json!({
            "node_id": reference,
            "status": "skipped",
            "reason": reason,
            "message": message,
        })
    };
    let Some(canvas) = world.canvases.get(project_id) else {
        return skipped(
            "node_not_found",
            "no node on this canvas answers to that id",
        );
    };
    let Some(node) = canvas.node(reference) else {
        return skipped(
            "node_not_found",
            "no node on this canvas answers to that id",
        );
    };
    if !node.kind.generates() {
        let message = if node.kind == NodeKind::Action {
            "action nodes run through the action run endpoint"
        } else {
            "the node generates nothing"
        };
        return skipped("node_not_executable", message);
    }
    if node.locked {
        return skipped("node_locked", "the node is locked on the canvas");
    }
    let running = node.run_id.as_ref().and_then(|id| {
        world
            .api_runs
            .iter()
            .find(|r| &r.run_id == id && !r.is_terminal())
    });
    if running.is_some() {
        return skipped(
            "generation_already_running",
            "a generation for this node is already in flight",
        );
    }
    let media = node.kind.media().unwrap_or("image");
    let routed = node.model_id.is_none();
    let model_id = match (&node.model_id, node.kind) {
        (Some(model_id), _) => model_id.clone(),
        (None, NodeKind::Image) => ROUTED_IMAGE_MODEL.to_owned(),
        (None, _) => return skipped("no_model_configured", "the node has no model set"),
    };
    let Some(model) = state.model(&model_id).filter(|m| m.kind == media) else {
        return skipped("run_failed_to_start", "the node's model is not available");
    };
    let upstream_text: Vec<String> = canvas
        .upstream(&node.node_id)
        .iter()
        .filter_map(|n| n.output_text.clone())
        .collect();
    let prompt = node
        .prompt
        .clone()
        .or_else(|| upstream_text.first().cloned())
        .unwrap_or_else(|| node.label.clone());
    let node_id = node.node_id.clone();
    let job = Job::Generation {
        model: model.clone(),
        prompt,
        params: node.params.clone(),
    };
    let mut run = ApiRun::new(ids::run_id(), workspace_id, project_id, job, now);
    run.node_id = Some(node_id.clone());
    let mut entry = json!({
        "node_id": reference,
        "status": "started",
        "run_id": run.run_id,
        "type": "generation",
        "poll_url": run.poll_url(&state.origin),
        "charged_cost": (!routed).then(|| credits_to_usd(model.estimated_credits)),
        "estimated_seconds": (!routed).then_some(model.estimated_seconds),
    });
    entry["model"] = if routed {
        Value::Null
    } else {
        json!({ "model_id": model.model_id })
    };
    if let Some(canvas) = world.canvases.get_mut(project_id)
        && let Some(node) = canvas.node_mut(&node_id)
    {
        node.status = Some(NodeStatus::Generating);
        node.run_id = Some(run.run_id.clone());
        node.error = None;
        canvas.touch();
    }
    world.api_runs.push(run);
    entry
}

/// Starts the action node `reference` from the nodes wired into it; the `RunStart` of
/// `POST /projects/{p}/actions/{nodeId}/run`.
pub fn run_action_node(
    state: &Shared,
    world: &mut World,
    workspace_id: &str,
    project_id: &str,
    reference: &str,
    now: u64,
) -> Result<Value, ApiError> {
    let canvas = world.canvas_mut(workspace_id, project_id)?;
    let node = canvas.node(reference).ok_or_else(ApiError::not_found)?;
    let action_id = node.action_id.clone().ok_or_else(|| {
        ApiError::field(
            "node_id",
            format!("node_id \"{reference}\" is not an action node"),
        )
    })?;
    let action = state
        .action(&action_id)
        .ok_or_else(ApiError::unknown)?
        .clone();
    let inputs: Vec<Value> = canvas
        .upstream(&node.node_id)
        .iter()
        .filter_map(|n| {
            let media = n.kind.media()?;
            let mut input = json!({ "type": media, "name": n.label });
            match (&n.output_text, &n.output_url) {
                (Some(text), _) if media == "text" => input["text"] = json!(text),
                (_, Some(url)) => input["url"] = json!(url),
                _ => return None,
            }
            Some(input)
        })
        .collect();
    let node_id = node.node_id.clone();
    let params: Map<String, Value> = node.params.clone();
    if let Some(node) = canvas.node_mut(&node_id) {
        node.status = Some(NodeStatus::Generating);
    }
    canvas.touch();
    let job = Job::Action {
        action,
        inputs,
        params,
    };
    let mut run = ApiRun::new(ids::run_id(), workspace_id, project_id, job, now);
    run.node_id = Some(node_id.clone());
    if let Some(node) = world
        .canvases
        .get_mut(project_id)
        .and_then(|c| c.node_mut(&node_id))
    {
        node.run_id = Some(run.run_id.clone());
    }
    let start = run.start(&state.origin);
    world.api_runs.push(run);
    world.touch_project(project_id, now);
    Ok(start)
}

/// Copies the outcome of a finished run onto the canvas node it ran for.
pub fn settle_node(world: &mut World, run_index: usize) {
    let Some(run) = world.api_runs.get(run_index) else {
        return;
    };
    let Some(node_id) = run.node_id.clone().filter(|_| run.is_terminal()) else {
        return;
    };
    let (project_id, run_id) = (run.project_id.clone(), run.run_id.clone());
    let failure = run.failure();
    let output = run.outputs().into_iter().next();
    let Some(canvas) = world.canvases.get_mut(&project_id) else {
        return;
    };
    let Some(node) = canvas
        .node_mut(&node_id)
        .filter(|n| n.run_id.as_deref() == Some(run_id.as_str()))
    else {
        return;
    };
    if node.status != Some(NodeStatus::Generating) {
        return;
    }
    match failure {
        Some(error) => {
            node.status = Some(NodeStatus::Error);
            node.error = Some(error);
        }
        None => {
            node.status = Some(NodeStatus::Done);
            if let Some(output) = output.filter(|_| node.kind.generates()) {
                if node.kind == NodeKind::Text {
                    node.output_text = Some(output.url);
                } else {
                    node.output_url = Some(output.url);
                }
            }
        }
    }
    canvas.touch();
}
