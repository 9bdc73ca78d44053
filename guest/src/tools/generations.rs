//! Generations and the top-level run endpoints: `generate` (start and wait), the 1:1
//! `create_generation`, `start_generation` and `start_technique_run`, polling any run, and
//! generation history.

use super::wait::{self, advised, output_links};
use super::{Ctx, Handler, Outcome, Output, Workspace, body_of, note_workspace, opt, page, req};
use crate::args::Args;
use crate::prelude::*;
use crate::render;
use serde_json::Value;

/// The handler of tool `name`, if it is one of this file's.
pub(super) fn handler(name: &str) -> Option<Handler> {
    let run: Handler = match name {
        "generate" => generate,
        "create_generation" => |ctx, args| start(ctx, args, "generate"),
        "start_generation" => |ctx, args| start(ctx, args, "runs/generation"),
        "retrieve_run" => retrieve_run,
        "list_generations" => list_generations,
        "start_technique_run" => start_technique_run,
        _ => return None,
    };
    Some(run)
}

/// The body of `POST /generate` (and `/runs/generation`) from the arguments.
fn generation_body(args: &Args, workspace: &Workspace) -> Value {
    let mut body = body_of(
        args,
        &[
            "prompt",
            "type",
            "project_id",
            "model",
            "params",
            "callback_url",
        ],
    );
    body["workspace_id"] = Value::String(workspace.id.clone());
    body
}

/// What a generation is called in results: `image generation with t2i-flux-2-pro`.
fn label(args: &Args) -> String {
    let model = args.str("model").unwrap_or("FLORA's default model");
    format!("{} generation with {model}", req(args, "type"))
}

/// Checks the spend ceiling against the model's estimate, then starts one generation at
/// `path` with an `Idempotency-Key`.
fn create(ctx: &Ctx<'_>, args: &Args, path: &str) -> Result<(Value, Workspace), super::Stop> {
    let workspace = ctx.workspace(args)?;
    ctx.check_model(req(args, "type"), args.str("model"))?;
    let segments: Vec<&str> = path.split('/').collect();
    let started = ctx
        .client
        .create(&segments, &generation_body(args, &workspace))?;
    Ok((started, workspace))
}

/// `create_generation` and `start_generation`: start and return at once.
fn start(ctx: &Ctx<'_>, args: &Args, path: &str) -> Outcome {
    let (started, workspace) = create(ctx, args, path)?;
    let text = render::any_run_started(&label(args), &started, Some(&workspace.line()));
    Ok(Output::ok(text, note_workspace(started, &workspace)))
}

/// `generate`: start one generation and wait for it like `run_technique`.
fn generate(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let (started, workspace) = create(ctx, args, "generate")?;
    let run_id = started["run_id"].as_str().unwrap_or_default().to_owned();
    let poll = || ctx.client.get(&["runs", &run_id], &[]);
    let first = poll()?;
    let mut run = ctx.wait_for(first, wait::wait_ms(args), &poll)?;
    run["project_id"] = Value::String(req(args, "project_id").to_owned());
    run["model_id"] = started["model"]["model_id"].clone();
    run["estimated_seconds"] = started["estimated_seconds"].clone();
    let run = note_workspace(run, &workspace);
    let what = label(args);
    if !wait::is_terminal(&run) {
        let text = format!(
            "{}\n{}",
            render::any_still_running(&what, &run),
            workspace.line()
        );
        return Ok(Output::ok(text, run));
    }
    let subject = format!("Run {run_id} ({what})");
    let text = format!("{}\n{}", render::run_as(&subject, &run), workspace.line());
    let failed = run["status"] == "failed";
    let links = output_links(&run);
    let mut out = Output::ok(text, run).with_links(links);
    out.is_error = failed;
    Ok(out)
}

fn retrieve_run(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let run_id = req(args, "run_id");
    let run = advised(ctx.client.get(&["runs", run_id], &[])?);
    let links = output_links(&run);
    let text = render::run_as(&format!("Run {run_id}"), &run);
    Ok(Output::ok(text, run).with_links(links))
}

fn list_generations(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let mut query = vec![
        opt(args, "workspace_id"),
        opt(args, "project_id"),
        opt(args, "status"),
    ];
    query.extend(page(args));
    let body = ctx.client.get(&["generations"], &query)?;
    Ok(Output::ok(render::generations(&body), body))
}

fn start_technique_run(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let technique = req(args, "technique_id");
    let workspace = ctx.workspace(args)?;
    ctx.check_technique(technique)?;
    let mut body = body_of(args, &["technique_id", "inputs"]);
    body["workspace_id"] = Value::String(workspace.id.clone());
    let started = ctx.client.create(&["runs", "technique"], &body)?;
    let what = format!("a run of {technique}");
    let text = render::any_run_started(&what, &started, Some(&workspace.line()));
    Ok(Output::ok(text, note_workspace(started, &workspace)))
}
