//! Product feedback to FLORA.

use super::{Ctx, Handler, Outcome, Output, body_of};
use crate::args::Args;
use crate::prelude::*;

/// The handler of tool `name`, if it is one of this file's.
pub(super) fn handler(name: &str) -> Option<Handler> {
    let run: Handler = match name {
        "record_feedback" => record,
        _ => return None,
    };
    Some(run)
}

fn record(ctx: &Ctx<'_>, args: &Args) -> Outcome {
    let names = [
        "kind",
        "summary",
        "detail",
        "attempted_tools",
        "workspace_id",
        "project_id",
        "run_id",
    ];
    let body = ctx.client.create(&["feedback"], &body_of(args, &names))?;
    let text = format!(
        "Feedback {} was sent to FLORA.",
        body["feedback_id"].as_str().unwrap_or("?")
    );
    Ok(Output::ok(text, body))
}
