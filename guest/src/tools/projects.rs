//! Projects: list, retrieve, and create (top-level, in a workspace, in a project folder).

use super::{Ctx, Handler, Outcome, Output, note_workspace, opt, page, req};
use crate::args::Args;
use crate::prelude::*;
use crate::render;
use serde_json::json;

/// The handler of tool `name`, if it is one of this file's.
pub(super) fn handler(name: &str) -> Option<Handler> {
    let run: Handler = match name {
        "list_projects" => list_projects,
        "retrieve_project" => retrieve_project,
        "create_project" => create_project,
        "create_workspace_project" => create_workspace_project,
        "create_folder_project" => create_folder_project,
        _ => return None,
    };
    Some(run)
}

fn list_projects(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let workspace = ctx.workspace(args)?;
    let mut query = vec![("workspace_id", workspace.id.clone()), opt(args, "query")];
    query.extend(page(args));
    let body = ctx.client.get(&["projects"], &query)?;
    let text = render::projects(&body, &workspace.id, workspace.source);
    Ok(Output::ok(text, note_workspace(body, &workspace)))
}

fn retrieve_project(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let project = req(args, "project_id");
    let body = ctx.client.get(&["projects", project], &[])?;
    Ok(Output::ok(render::project(&body), body))
}

fn created(body: serde_json::Value, workspace: &super::Workspace) -> Outcome {
    let text = format!("Created {}\n{}", render::project(&body), workspace.line());
    Ok(Output::ok(text, note_workspace(body, workspace)))
}

fn create_project(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let workspace = ctx.workspace(args)?;
    let body = json!({ "name": req(args, "name"), "workspace_id": workspace.id });
    let project = ctx.client.create(&["projects"], &body)?;
    created(project, &workspace)
}

fn create_workspace_project(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let workspace = ctx.workspace(args)?;
    let body = json!({ "name": req(args, "name") });
    let project = ctx
        .client
        .create(&["workspaces", &workspace.id, "projects"], &body)?;
    created(project, &workspace)
}

fn create_folder_project(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let workspace = ctx.workspace(args)?;
    let folder = req(args, "folder_id");
    let body = json!({ "name": req(args, "name") });
    let path = ["workspaces", &workspace.id, "folders", folder, "projects"];
    let project = ctx.client.create(&path, &body)?;
    created(project, &workspace)
}
