//! Project canvases: media nodes, the Mermaid view and patch, the graph, running nodes, the
//! definition and its replacement, changesets, and action nodes.

use super::{Ctx, Handler, Outcome, Output, Stop, body_of, note_workspace, page, req};
use crate::args::Args;
use crate::http::Method;
use crate::prelude::*;
use crate::render;
use core::fmt::Write as _;
use serde_json::Value;

/// The handler of tool `name`, if it is one of this file's.
pub(super) fn handler(name: &str) -> Option<Handler> {
    let run: Handler = match name {
        "list_project_nodes" => list_nodes,
        "retrieve_canvas" => retrieve_canvas,
        "update_canvas" => update_canvas,
        "retrieve_project_graph" => graph,
        "run_project_nodes" => run_nodes,
        "retrieve_canvas_definition" => retrieve_definition,
        "replace_canvas_definition" => replace_definition,
        "apply_canvas_changeset" => apply_changeset,
        "create_action_node" => create_action_node,
        "run_action_node" => run_action_node,
        _ => return None,
    };
    Some(run)
}

fn list_nodes(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let project = req(args, "project_id");
    let body = ctx
        .client
        .get(&["projects", project, "nodes"], &page(args))?;
    Ok(Output::ok(render::project_nodes(&body), body))
}

fn retrieve_canvas(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let project = req(args, "project_id");
    let body = ctx.client.get(&["projects", project, "canvas"], &[])?;
    let text = format!(
        "Canvas of {project} ({}), {} nodes and {} edges:\n{}",
        body["canvas_url"].as_str().unwrap_or("?"),
        body["summary"]["node_count"],
        body["summary"]["edge_count"],
        body["diagram"].as_str().unwrap_or("")
    );
    Ok(Output::ok(text, body))
}

fn update_canvas(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let project = req(args, "project_id");
    let body = body_of(args, &["diagram", "node_params"]);
    let path = ["projects", project, "canvas"];
    let done = ctx.client.send_once(Method::Patch, &path, Some(&body))?;
    let mut text = format!(
        "Added {} nodes and {} edges to {project}'s canvas.",
        done["created_node_count"], done["created_edge_count"]
    );
    for warning in done["warnings"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let _ = write!(text, "\nWarning: {}", warning.as_str().unwrap_or("?"));
    }
    Ok(Output::ok(text, done))
}

fn graph(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let workspace = ctx.workspace(args)?;
    let project = req(args, "project_id");
    let path = [
        "workspaces",
        workspace.id.as_str(),
        "projects",
        project,
        "graph",
    ];
    let body = ctx.client.get(&path, &[])?;
    let text = format!("{}\n{}", render::graph(&body), workspace.line());
    Ok(Output::ok(text, note_workspace(body, &workspace)))
}

fn run_nodes(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let workspace = ctx.workspace(args)?;
    let project = req(args, "project_id");
    let ids: Vec<&str> = args
        .value("node_ids")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    ctx.check_nodes(&workspace.id, project, &ids)?;
    let path = [
        "workspaces",
        workspace.id.as_str(),
        "projects",
        project,
        "nodes",
        "run",
    ];
    let body = ctx.client.create(&path, &body_of(args, &["node_ids"]))?;
    let text = format!("{}\n{}", render::node_runs(&body), workspace.line());
    Ok(Output::ok(text, note_workspace(body, &workspace)))
}

fn definition_path<'a>(workspace: &'a str, project: &'a str) -> [&'a str; 6] {
    [
        "workspaces",
        workspace,
        "projects",
        project,
        "canvas",
        "definition",
    ]
}

fn retrieve_definition(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let workspace = ctx.workspace(args)?;
    let project = req(args, "project_id");
    let body = ctx
        .client
        .get(&definition_path(&workspace.id, project), &[])?;
    let text = format!("{}\n{}", render::definition(&body), workspace.line());
    Ok(Output::ok(text, note_workspace(body, &workspace)))
}

fn replace_definition(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let workspace = ctx.workspace(args)?;
    let project = req(args, "project_id");
    let body = body_of(args, &["definition"]);
    let path = definition_path(&workspace.id, project);
    let done = ctx.client.change(Method::Put, &path, Some(&body))?;
    let text = format!(
        "Replaced the canvas definition. {}\n{}",
        render::definition(&done),
        workspace.line()
    );
    Ok(Output::ok(text, note_workspace(done, &workspace)))
}

fn apply_changeset(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let names = ["add", "update", "connect", "disconnect", "remove"];
    if names.iter().all(|n| args.value(n).is_none()) {
        return Err(Stop::Refused(
            "apply_canvas_changeset needs at least one of add, update, connect, disconnect \
             or remove; nothing was sent."
                .to_owned(),
        ));
    }
    let workspace = ctx.workspace(args)?;
    let project = req(args, "project_id");
    let path = [
        "workspaces",
        workspace.id.as_str(),
        "projects",
        project,
        "canvas",
        "changeset",
    ];
    let done = ctx
        .client
        .change(Method::Post, &path, Some(&body_of(args, &names)))?;
    let text = format!("{}\n{}", render::changeset(&done), workspace.line());
    Ok(Output::ok(text, note_workspace(done, &workspace)))
}

fn create_action_node(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let project = req(args, "project_id");
    let body = body_of(args, &["action_id", "params"]);
    let path = ["projects", project, "actions"];
    let node = ctx.client.send_once(Method::Post, &path, Some(&body))?;
    let text = format!(
        "Added action node {} ({}) to {project}'s canvas. Wire its inputs with \
         apply_canvas_changeset, then run it with run_action_node.",
        node["node_id"].as_str().unwrap_or("?"),
        node["action_id"].as_str().unwrap_or("?")
    );
    Ok(Output::ok(text, node))
}

fn run_action_node(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let project = req(args, "project_id");
    let node = req(args, "node_id");
    let path = ["projects", project, "actions", node, "run"];
    let started = ctx.client.send_once(Method::Post, &path, None)?;
    let what = format!("action node {node}");
    Ok(Output::ok(
        render::any_run_started(&what, &started, None),
        started,
    ))
}
