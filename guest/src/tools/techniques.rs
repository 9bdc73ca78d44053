//! Workspaces, models, Techniques and Technique runs, including `run_technique`.

use super::wait::{self, advised, output_links};
use super::{Ctx, Handler, Outcome, Output, Stop, opt, page, req};
use crate::args::Args;
use crate::prelude::*;
use crate::render;
use serde_json::{Value, json};

/// The handler of tool `name`, if it is one of this file's.
pub(super) fn handler(name: &str) -> Option<Handler> {
    let run: Handler = match name {
        "list_workspaces" => list_workspaces,
        "list_models" => list_models,
        "list_techniques" => list_techniques,
        "retrieve_technique" => retrieve_technique,
        "create_technique_run" => create_technique_run,
        "run_technique" => run_technique,
        "retrieve_technique_run" => retrieve_technique_run,
        "list_technique_runs" => list_technique_runs,
        _ => return None,
    };
    Some(run)
}

fn list_workspaces(ctx: &Ctx<'_>, _args: &Args) -> Outcome {
    let body = ctx.client.get(&["workspaces"], &[])?;
    Ok(Output::ok(render::workspaces(&body), body))
}

fn list_models(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let body = ctx.client.get(&["models"], &[opt(args, "type")])?;
    Ok(Output::ok(render::models(&body), body))
}

fn list_techniques(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let mut query = vec![opt(args, "query"), opt(args, "workspace_id")];
    query.extend(page(args));
    let body = ctx.client.get(&["techniques"], &query)?;
    Ok(Output::ok(render::techniques(&body), body))
}

fn retrieve_technique(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let technique = req(args, "technique_id");
    let body = ctx.client.get(&["techniques", technique], &[])?;
    Ok(Output::ok(render::technique(&body), body))
}

fn create_technique_run(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let technique = req(args, "technique_id");
    ctx.check_technique(technique)?;
    let run = start_run(ctx, technique, args)?;
    Ok(Output::ok(render::run_started(technique, &run), run))
}

/// Starts one run; the client fills in `idempotency_key`, the same as its header.
fn start_run(ctx: &Ctx<'_>, technique: &str, args: &Args) -> Result<Value, Stop> {
    let inputs = args.value("inputs").cloned().unwrap_or(Value::Null);
    let body = json!({ "inputs": inputs, "mode": "async", "idempotency_key": null });
    Ok(ctx
        .client
        .create(&["techniques", technique, "runs"], &body)?)
}

/// `run_technique`: start a run and wait for it, reporting its progress, until it is done or
/// `max_wait_seconds` have passed.
fn run_technique(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let technique = req(args, "technique_id");
    ctx.check_technique(technique)?;
    let run = start_run(ctx, technique, args)?;
    let run_id = run["run_id"].as_str().unwrap_or_default().to_owned();
    let poll = || {
        ctx.client
            .get(&["techniques", technique, "runs", &run_id], &[])
    };
    let run = ctx.wait_for(run, wait::wait_ms(args), &poll)?;
    if wait::is_terminal(&run) {
        let failed = run["status"] == "failed";
        let links = output_links(&run);
        let mut out = Output::ok(render::run(technique, &run), run).with_links(links);
        out.is_error = failed;
        return Ok(out);
    }
    Ok(Output::ok(render::still_running(technique, &run), run))
}

fn retrieve_technique_run(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let technique = req(args, "technique_id");
    let run_id = req(args, "run_id");
    let run = advised(
        ctx.client
            .get(&["techniques", technique, "runs", run_id], &[])?,
    );
    let links = output_links(&run);
    Ok(Output::ok(render::run(technique, &run), run).with_links(links))
}

fn list_technique_runs(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let mut query = vec![
        opt(args, "workspace_id"),
        opt(args, "project_id"),
        opt(args, "technique_id"),
        opt(args, "status"),
    ];
    query.extend(page(args));
    let body = ctx.client.get(&["technique-runs"], &query)?;
    Ok(Output::ok(render::technique_runs(&body), body))
}
