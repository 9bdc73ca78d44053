//! Assets: list, retrieve (with a resource link to a ready asset's media), create from an
//! HTTPS URL or as a signed upload, complete and retry a signed upload, attach to a canvas.

use super::wait::asset_link;
use super::{Ctx, Handler, Outcome, Output, body_of, note_workspace, opt, page, req};
use crate::args::Args;
use crate::http::Method;
use crate::prelude::*;
use crate::render;
use serde_json::Value;

/// The handler of tool `name`, if it is one of this file's.
pub(super) fn handler(name: &str) -> Option<Handler> {
    let run: Handler = match name {
        "list_assets" => list_assets,
        "retrieve_asset" => retrieve_asset,
        "create_asset" => create_asset,
        "complete_asset" => |ctx, args| ticket_step(ctx, args, "complete"),
        "retry_asset" => |ctx, args| ticket_step(ctx, args, "retry"),
        "attach_asset" => attach_asset,
        _ => return None,
    };
    Some(run)
}

fn list_assets(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let mut query = vec![
        opt(args, "workspace_id"),
        opt(args, "project_id"),
        opt(args, "query"),
    ];
    query.extend(page(args));
    // No links here: a page of up to 100 assets would add as many content blocks to every
    // listing, and the text already names each URL; retrieve_asset links the one asked for.
    let body = ctx.client.get(&["assets"], &query)?;
    Ok(Output::ok(render::assets(&body), body))
}

fn retrieve_asset(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let asset = req(args, "asset_id");
    let body = ctx.client.get(&["assets", asset], &[])?;
    let links = (body["status"] == "ready")
        .then(|| asset_link(&body))
        .flatten()
        .into_iter()
        .collect();
    Ok(Output::ok(render::asset(&body), body).with_links(links))
}

fn create_asset(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let source = req(args, "source");
    if source != "signed-url" && !source.starts_with("https://") {
        return Err(super::Stop::Refused(format!(
            "create_asset needs `source` to be a public HTTPS URL (`https://…`) or \
             `signed-url`; got `{source}`. Local files are not uploaded by this tool."
        )));
    }
    let workspace = ctx.workspace(args)?;
    let mut body = body_of(
        args,
        &[
            "source",
            "file_name",
            "content_type",
            "folder",
            "project_id",
        ],
    );
    body["workspace_id"] = Value::String(workspace.id.clone());
    let ticket = ctx.client.create(&["assets"], &body)?;
    let text = format!("{}\n{}", render::asset_ticket(&ticket), workspace.line());
    Ok(Output::ok(text, note_workspace(ticket, &workspace)))
}

/// `complete_asset` and `retry_asset`: `POST /assets/{id}/{step}` without a body.
fn ticket_step(ctx: &Ctx<'_>, args: &Args, step: &str) -> Outcome {
    let asset = req(args, "asset_id");
    let ticket = ctx
        .client
        .change(Method::Post, &["assets", asset, step], None)?;
    Ok(Output::ok(render::asset_ticket(&ticket), ticket))
}

fn attach_asset(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let asset = req(args, "asset_id");
    let project = req(args, "project_id");
    let path = ["projects", project, "assets", asset, "attach"];
    let body = ctx.client.change(Method::Post, &path, None)?;
    let text = format!(
        "Attached asset {asset} to project {project} as node {}. Canvas: {}",
        body["node_id"].as_str().unwrap_or("?"),
        body["canvas_url"].as_str().unwrap_or("?")
    );
    Ok(Output::ok(text, body))
}
