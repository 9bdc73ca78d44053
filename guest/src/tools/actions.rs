//! Prebuilt actions: list, retrieve, run headless.

use super::{Ctx, Handler, Outcome, Output, body_of, note_workspace, req};
use crate::args::Args;
use crate::prelude::*;
use crate::render;
use serde_json::Value;

/// The handler of tool `name`, if it is one of this file's.
pub(super) fn handler(name: &str) -> Option<Handler> {
    let run: Handler = match name {
        "list_actions" => list_actions,
        "retrieve_action" => retrieve_action,
        "run_action" => run_action,
        _ => return None,
    };
    Some(run)
}

fn list_actions(ctx: &Ctx<'_>, _args: &Args) -> Outcome {
    let body = ctx.client.get(&["actions"], &[])?;
    Ok(Output::ok(render::actions(&body), body))
}

fn retrieve_action(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let body = ctx.client.get(&["actions", req(args, "action_id")], &[])?;
    Ok(Output::ok(render::action(&body), body))
}

fn run_action(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let action = req(args, "action_id");
    let workspace = ctx.workspace(args)?;
    ctx.check_action(action)?;
    let mut body = body_of(args, &["action_id", "inputs", "project_id", "params"]);
    body["workspace_id"] = Value::String(workspace.id.clone());
    let started = ctx.client.create(&["runs", "action"], &body)?;
    let what = format!("action {action}");
    let text = render::any_run_started(&what, &started, Some(&workspace.line()));
    Ok(Output::ok(text, note_workspace(started, &workspace)))
}
