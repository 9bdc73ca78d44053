//! Library folders and saved items.

use super::{Ctx, Handler, Outcome, Output, Stop, body_of, note_workspace, req};
use crate::args::Args;
use crate::http::Method;
use crate::prelude::*;

/// The handler of tool `name`, if it is one of this file's.
pub(super) fn handler(name: &str) -> Option<Handler> {
    let run: Handler = match name {
        "create_library_folder" => create_folder,
        "delete_library_folder" => delete_folder,
        "add_library_item" => add_item,
        _ => return None,
    };
    Some(run)
}

fn create_folder(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let workspace = ctx.workspace(args)?;
    let path = ["workspaces", workspace.id.as_str(), "library", "folders"];
    let folder = ctx.client.create(&path, &body_of(args, &["name"]))?;
    let text = format!(
        "Created library folder {} ({}).\n{}",
        folder["name"].as_str().unwrap_or("unnamed"),
        folder["folder_id"].as_str().unwrap_or("?"),
        workspace.line()
    );
    Ok(Output::ok(text, note_workspace(folder, &workspace)))
}

fn delete_folder(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let workspace = ctx.workspace(args)?;
    let folder = req(args, "folder_id");
    let path = [
        "workspaces",
        workspace.id.as_str(),
        "library",
        "folders",
        folder,
    ];
    let body = ctx.client.send_once(Method::Delete, &path, None)?;
    let text = format!(
        "Deleted library folder {folder}; items still in it were detached.\n{}",
        workspace.line()
    );
    Ok(Output::ok(text, note_workspace(body, &workspace)))
}

fn add_item(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let kind = req(args, "type");
    let needed = if kind == "image" { "source" } else { "text" };
    if args.value(needed).is_none() {
        return Err(Stop::Refused(format!(
            "add_library_item with type `{kind}` needs `{needed}`: {}.",
            if kind == "image" {
                "the image's public HTTPS URL"
            } else {
                "the text to save"
            }
        )));
    }
    let workspace = ctx.workspace(args)?;
    let folder = req(args, "folder_id");
    let path = [
        "workspaces",
        workspace.id.as_str(),
        "library",
        "folders",
        folder,
        "items",
    ];
    let body = body_of(args, &["type", "source", "text", "description"]);
    let item = ctx.client.create(&path, &body)?;
    let text = format!(
        "Saved a {kind} item into library folder {folder} as node {}{}.\n{}",
        item["saved_node_id"].as_str().unwrap_or("?"),
        item["url"]
            .as_str()
            .map(|u| format!(" ({u})"))
            .unwrap_or_default(),
        workspace.line()
    );
    Ok(Output::ok(text, note_workspace(item, &workspace)))
}
