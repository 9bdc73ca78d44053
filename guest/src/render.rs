//! Concise text for the model: one summary per kind of FLORA answer, and one explanation per
//! kind of failure that names FLORA's code, message, field errors and request id, and says what
//! to do next.

use crate::http::TransportError;
use crate::prelude::*;
use crate::rest::{ApiError, Failure};
use crate::tools::{AuthMethod, Session};
use core::fmt::Write as _;
use serde_json::Value;

/// Where the workspace of a call came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkspaceSource {
    /// The caller passed it.
    Argument,
    /// The configured default.
    Default,
    /// The only workspace the credential can access.
    OnlyOne,
}

impl WorkspaceSource {
    /// The name `structuredContent` uses (`workspace_source`).
    pub fn as_str(self) -> &'static str {
        match self {
            WorkspaceSource::Argument => "argument",
            WorkspaceSource::Default => "default",
            WorkspaceSource::OnlyOne => "only_one",
        }
    }
}

/// `Workspace ws_… (where it came from).`
pub fn workspace_line(workspace: &str, source: WorkspaceSource) -> String {
    match source {
        WorkspaceSource::Argument => format!("Workspace {workspace}."),
        WorkspaceSource::Default => format!("Workspace {workspace} (the configured default)."),
        WorkspaceSource::OnlyOne => {
            format!("Workspace {workspace} (the only one this credential can use).")
        }
    }
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or("?")
}

fn items<'a>(body: &'a Value, key: &str) -> &'a [Value] {
    body[key].as_array().map(Vec::as_slice).unwrap_or_default()
}

fn usd(v: &Value) -> String {
    v.as_f64()
        .map(|n| format!("${n:.2}"))
        .unwrap_or_else(|| "an unknown price".to_owned())
}

/// A header line with a count, and a footer naming the next cursor when there is one.
fn listing(body: &Value, key: &str, noun: &str, lines: Vec<String>) -> String {
    let count = items(body, key).len();
    let mut out = match count {
        0 => format!("No {noun}s found."),
        1 => format!("1 {noun}:"),
        n => format!("{n} {noun}s:"),
    };
    for line in lines {
        out.push_str("\n- ");
        out.push_str(&line);
    }
    if let Some(cursor) = body["meta"]["next_cursor"]
        .as_str()
        .filter(|c| !c.is_empty())
    {
        let _ = write!(out, "\nMore results: call again with cursor \"{cursor}\".");
    }
    out
}

/// `list_workspaces`.
pub fn workspaces(body: &Value) -> String {
    let lines = items(body, "workspaces")
        .iter()
        .map(|w| {
            format!(
                "{} ({}), role {}",
                s(w, "name"),
                s(w, "workspace_id"),
                s(w, "role")
            )
        })
        .collect();
    listing(body, "workspaces", "workspace", lines)
}

/// `list_models`.
pub fn models(body: &Value) -> String {
    let lines = items(body, "models")
        .iter()
        .map(|m| {
            let params: Vec<&str> = items(m, "params")
                .iter()
                .filter_map(|p| p["name"].as_str())
                .collect();
            format!(
                "{} — {} ({}, {}), about {} credits and {} s; params: {}",
                s(m, "model_id"),
                s(m, "name"),
                s(m, "type"),
                s(m, "provider"),
                m["estimated_credits"],
                m["estimated_seconds"],
                if params.is_empty() {
                    "none".to_owned()
                } else {
                    params.join(", ")
                }
            )
        })
        .collect();
    listing(body, "models", "model", lines)
}

fn io_list(list: &[Value]) -> String {
    let parts: Vec<String> = list
        .iter()
        .map(|io| {
            let optional = if io["optional"].as_bool() == Some(true) {
                ", optional"
            } else {
                ""
            };
            format!("{} ({}{optional})", s(io, "id"), s(io, "type"))
        })
        .collect();
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
}

/// `list_techniques`.
pub fn techniques(body: &Value) -> String {
    let lines = items(body, "techniques")
        .iter()
        .map(|t| {
            format!(
                "{} ({}), {} per run; inputs: {}",
                s(t, "name"),
                s(t, "technique_id"),
                usd(&t["run_cost"]),
                io_list(items(t, "inputs"))
            )
        })
        .collect();
    listing(body, "techniques", "Technique", lines)
}

/// `retrieve_technique`.
pub fn technique(t: &Value) -> String {
    let mut out = format!(
        "{} ({}), {} per run.",
        s(t, "name"),
        s(t, "technique_id"),
        usd(&t["run_cost"])
    );
    if let Some(description) = t["description"].as_str() {
        let _ = write!(out, "\n{description}");
    }
    for (title, key) in [("Inputs", "inputs"), ("Outputs", "outputs")] {
        let _ = write!(out, "\n{title}:");
        for io in items(t, key) {
            let optional = if io["optional"].as_bool() == Some(true) {
                ", optional"
            } else {
                ""
            };
            let _ = write!(
                out,
                "\n- {} ({}{optional}): {}",
                s(io, "id"),
                s(io, "type"),
                s(io, "name")
            );
            if let Some(d) = io["description"].as_str() {
                let _ = write!(out, " — {d}");
            }
        }
    }
    out
}

/// `create_technique_run`.
pub fn run_started(technique: &str, run: &Value) -> String {
    format!(
        "Started run {} of {technique}: status {}, {}% done. Poll it with \
         retrieve_technique_run {{\"technique_id\": \"{technique}\", \"run_id\": \"{}\"}} every \
         few seconds until it is completed or failed.",
        s(run, "run_id"),
        s(run, "status"),
        run["progress"],
        s(run, "run_id")
    )
}

/// A run still going when `run_technique` stopped waiting.
pub fn still_running(technique: &str, run: &Value) -> String {
    let id = s(run, "run_id");
    format!(
        "Run {id} of {technique} is still {}, {}% done; stopped waiting. It keeps running at \
         FLORA: poll it with retrieve_technique_run {{\"technique_id\": \"{technique}\", \
         \"run_id\": \"{id}\"}} (do not start it again, that would bill a second run).",
        s(run, "status"),
        run["progress"]
    )
}

/// A run refused because its price is above the person's ceiling.
///
/// `subject` names what was priced, such as `cctv-cam costs` or `a generation with
/// t2i-flux-2-pro is estimated at`.
pub fn over_ceiling(subject: &str, price: f64, limit: f64) -> String {
    format!(
        "Not started: {subject} {} per run, above the spend ceiling of {} per call. Nothing \
         was created or billed. Tell the person; they can raise the ceiling with \
         --max-run-cost or FLORA_MCP_MAX_RUN_COST where flora-mcp is configured.",
        dollars(price),
        dollars(limit)
    )
}

/// A price that cannot be told, refused because a ceiling is set.
pub fn unpriced(subject: &str, limit: f64) -> String {
    format!(
        "Not started: {subject}, so it cannot be checked against the spend ceiling of {} per \
         call. Nothing was created or billed. Choose a model from list_models, or ask the \
         person to raise or unset --max-run-cost.",
        dollars(limit)
    )
}

/// `$0.05`, or three decimals below a cent (`$0.004`).
pub fn dollars(usd: f64) -> String {
    if usd > 0.0 && usd < 0.01 {
        format!("${usd:.3}")
    } else {
        format!("${usd:.2}")
    }
}

/// A run started by a tool that returns at once (`create_generation`, `run_action`, …).
pub fn any_run_started(what: &str, run: &Value, workspace: Option<&str>) -> String {
    let id = s(run, "run_id");
    let mut out = format!("Started {what}: run {id}");
    if let Some(cost) = run["charged_cost"].as_f64() {
        let _ = write!(out, ", quoted {}", dollars(cost));
    }
    if let Some(secs) = run["estimated_seconds"].as_f64() {
        let _ = write!(out, ", about {secs} s");
    }
    let _ = write!(
        out,
        ". Poll it with retrieve_run {{\"run_id\": \"{id}\"}} every few seconds until it is \
         completed or failed; calling this tool again starts and bills another run."
    );
    if let Some(line) = workspace {
        let _ = write!(out, "\n{line}");
    }
    out
}

/// A run still going when a waiting tool stopped waiting, polled with `retrieve_run`.
pub fn any_still_running(what: &str, run: &Value) -> String {
    let id = s(run, "run_id");
    format!(
        "Run {id} ({what}) is still {}, {}% done; stopped waiting. It keeps running at FLORA: \
         poll it with retrieve_run {{\"run_id\": \"{id}\"}} (do not start it again, that \
         would bill a second run).",
        s(run, "status"),
        run["progress"]
    )
}

/// `retrieve_technique_run`.
pub fn run(technique: &str, run: &Value) -> String {
    run_as(&format!("Run {} of {technique}", s(run, "run_id")), run)
}

/// A run's state, starting with `subject` (`Run run_… of cctv-cam`).
pub fn run_as(subject: &str, run: &Value) -> String {
    match s(run, "status") {
        "completed" => {
            let mut out = format!("{subject} completed");
            if let Some(cost) = run["charged_cost"].as_f64() {
                let _ = write!(out, ", charged {}", dollars(cost));
            }
            out.push_str(". Outputs:");
            for output in items(run, "outputs") {
                let _ = write!(
                    out,
                    "\n- {} ({}): {}",
                    s(output, "output_id"),
                    s(output, "type"),
                    s(output, "url")
                );
            }
            out
        }
        "failed" => {
            let code = s(run, "error_code");
            format!(
                "{subject} failed with {code}: {}. {}",
                s(run, "error_message"),
                RetryAdvice::of(code).sentence()
            )
        }
        status => format!(
            "{subject} is {status}, {}% done. Poll again in a few seconds.",
            run["progress"]
        ),
    }
}

/// `list_generations`.
pub fn generations(body: &Value) -> String {
    let lines = items(body, "generations")
        .iter()
        .map(|r| {
            format!(
                "{} — {} in {}: {}, {}%",
                s(r, "run_id"),
                r["model"]["model_id"].as_str().unwrap_or("default model"),
                s(r, "project_id"),
                s(r, "status"),
                r["progress"]
            )
        })
        .collect();
    listing(body, "generations", "generation", lines)
}

/// Whether a new run can succeed after a run failed with a given code, from FLORA's run
/// failure codes (the reference's retry hints).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAdvice {
    /// A transient fault: a new run now may succeed.
    RetryNow,
    /// An overloaded or failing provider: a new run in a few minutes may succeed.
    RetryLater,
    /// The inputs were refused: only other inputs can succeed.
    ChangeInput,
    /// Billing or access: no new run succeeds until the account changes.
    NotRetryable,
}

impl RetryAdvice {
    /// Sorts a run failure code.
    pub fn of(code: &str) -> RetryAdvice {
        const LATER: &[&str] = &[
            "GENERATION_DOWNSTREAM_SERVICE_ERROR",
            "GENERATION_QUEUE_TOO_LARGE",
            "GENERATION_INVALID_PROVIDER_RESPONSE",
            "GENERATION_QUEUE_NOT_MOVING",
            "GENERATION_NO_RESULT",
            "GENERATION_CIRCUIT_BREAKER_OPEN",
            "GENERATION_MODAL_POLL_ERROR",
            "AUDIO_GENERATION_ERROR",
            "GENERATION_PROVIDER_FAILED_TO_GET_STATUS",
            "model_timeout",
        ];
        const INPUT: &[&str] = &[
            "GENERATION_PROMPT_MODERATED",
            "LLM_REFUSAL",
            "GENERATION_INPUT_VALIDATION",
            "GENERATION_INVALID_PARAMS",
            "GENERATION_INVALID_URL",
            "GENERATION_ENDPOINT_NOT_FOUND",
            "GENERATION_MAP_BEFORE_REQUEST_FAILED",
            "GENERATION_PROVIDER_NOT_SUPPORTED",
            "safety_blocked",
            "input_unreachable",
        ];
        if code.starts_with("BILLING_")
            || code.starts_with("ACCESS_")
            || code.ends_with("_ENTITLEMENT_REQUIRED")
            || code == "GENERATION_NOT_PAID"
            || code == "GENERATION_CANCELLED"
        {
            RetryAdvice::NotRetryable
        } else if INPUT.contains(&code) {
            RetryAdvice::ChangeInput
        } else if LATER.contains(&code) {
            RetryAdvice::RetryLater
        } else {
            RetryAdvice::RetryNow
        }
    }

    /// The name `structuredContent` uses (`retry_advice`).
    pub fn as_str(self) -> &'static str {
        match self {
            RetryAdvice::RetryNow => "retry_now",
            RetryAdvice::RetryLater => "retry_later",
            RetryAdvice::ChangeInput => "change_input",
            RetryAdvice::NotRetryable => "not_retryable",
        }
    }

    /// What to do, for the agent.
    pub fn sentence(self) -> &'static str {
        match self {
            RetryAdvice::NotRetryable => {
                "Retrying will not help: the workspace lacks credits or access, or the run was \
                 cancelled."
            }
            RetryAdvice::ChangeInput => {
                "Retrying the same inputs will not help: change the inputs (prompt, URL, \
                 params) and start a new run."
            }
            RetryAdvice::RetryLater => {
                "The provider is overloaded or failing: a new run in a few minutes may succeed \
                 (it is billed again)."
            }
            RetryAdvice::RetryNow => {
                "This looks transient: starting a new run may succeed (it is billed again)."
            }
        }
    }
}

/// `list_technique_runs`.
pub fn technique_runs(body: &Value) -> String {
    let lines = items(body, "technique_runs")
        .iter()
        .map(|r| {
            let technique = &r["technique"];
            format!(
                "{} — {} ({}): {}, {}%",
                s(r, "run_id"),
                s(technique, "name"),
                s(technique, "technique_id"),
                s(r, "status"),
                r["progress"]
            )
        })
        .collect();
    listing(body, "technique_runs", "Technique run", lines)
}

/// `list_projects`.
pub fn projects(body: &Value, workspace: &str, source: WorkspaceSource) -> String {
    let lines = items(body, "projects")
        .iter()
        .map(|p| format!("{} ({})", s(p, "name"), s(p, "project_id")))
        .collect();
    let from = workspace_line(workspace, source);
    format!("{from}\n{}", listing(body, "projects", "project", lines))
}

/// `retrieve_project`.
pub fn project(p: &Value) -> String {
    format!(
        "Project {} ({}) in workspace {}, origin {}.",
        s(p, "name"),
        s(p, "project_id"),
        s(p, "workspace_id"),
        p["origin"].as_str().unwrap_or("unknown")
    )
}

fn asset_line(a: &Value) -> String {
    format!(
        "{} ({}, {}, {}): {}",
        a["name"].as_str().unwrap_or("unnamed"),
        a["asset_id"].as_str().unwrap_or("no id"),
        s(a, "content_type"),
        s(a, "status"),
        a["url"].as_str().unwrap_or("no URL yet")
    )
}

/// `list_assets`.
pub fn assets(body: &Value) -> String {
    let lines = items(body, "assets").iter().map(asset_line).collect();
    listing(body, "assets", "asset", lines)
}

/// `retrieve_asset`.
pub fn asset(a: &Value) -> String {
    let mut out = format!("Asset {}", asset_line(a));
    if let Some(why) = a["failure_message"].as_str() {
        let _ = write!(out, "\nIt failed: {why}");
    }
    out
}

/// `create_asset`, `complete_asset`, `retry_asset`.
pub fn asset_ticket(t: &Value) -> String {
    let id = s(t, "asset_id");
    let mut out = format!("Asset {id} is {}", s(t, "status"));
    if let Some(url) = t["url"].as_str() {
        let _ = write!(out, "; its URL will be {url}");
    }
    out.push('.');
    if let Some(upload) = t["upload"].as_object() {
        let _ = write!(
            out,
            "\nUpload the bytes with a multipart POST to {} (every form field of `upload` \
             first, then the file as `{}`, without FLORA's credential) before {}, then call \
             complete_asset {{\"asset_id\": \"{id}\"}}.",
            upload.get("url").and_then(Value::as_str).unwrap_or("?"),
            upload
                .get("file_field")
                .and_then(Value::as_str)
                .unwrap_or("file"),
            t["expires_at"].as_str().unwrap_or("it expires")
        );
    } else if t["status"] == "pending_upload" {
        let _ = write!(
            out,
            "\nFLORA is still processing it: poll retrieve_asset {{\"asset_id\": \"{id}\"}} \
             until it is ready or failed."
        );
    }
    if let Some(why) = t["failure_message"].as_str() {
        let _ = write!(out, "\nIt failed: {why}");
    }
    out
}

/// `list_actions`.
pub fn actions(body: &Value) -> String {
    let lines = items(body, "actions")
        .iter()
        .map(|a| {
            let inputs: Vec<String> = items(a, "inputs")
                .iter()
                .map(|i| format!("{} ({})", s(i, "name"), s(i, "type")))
                .collect();
            format!(
                "{} — {}; inputs: {}",
                s(a, "action_id"),
                s(a, "name"),
                inputs.join(", ")
            )
        })
        .collect();
    listing(body, "actions", "action", lines)
}

/// `retrieve_action`.
pub fn action(a: &Value) -> String {
    let mut out = format!(
        "{} ({}), {} per run.",
        s(a, "name"),
        s(a, "action_id"),
        a["charged_cost"]
            .as_f64()
            .map_or_else(|| "an unknown price".to_owned(), dollars)
    );
    if let Some(d) = a["description"].as_str() {
        let _ = write!(out, "\n{d}");
    }
    for (title, key) in [("Inputs", "inputs"), ("Outputs", "outputs")] {
        let _ = write!(out, "\n{title}:");
        for io in items(a, key) {
            let _ = write!(out, "\n- {} ({})", s(io, "name"), s(io, "type"));
        }
    }
    let _ = write!(out, "\nParams:");
    for p in items(a, "params") {
        let _ = write!(out, "\n- {} ({})", s(p, "key"), s(p, "type"));
        let values: Vec<&str> = items(p, "available_values")
            .iter()
            .filter_map(|v| v["value"].as_str())
            .collect();
        if !values.is_empty() {
            let _ = write!(out, ": {}", values.join(", "));
        }
    }
    out
}

/// `list_project_nodes`.
pub fn project_nodes(body: &Value) -> String {
    let lines = items(body, "nodes")
        .iter()
        .map(|n| {
            format!(
                "{} ({}) {}: {}",
                s(n, "node_id"),
                s(n, "type"),
                n["label"].as_str().unwrap_or("unlabelled"),
                n["url"].as_str().unwrap_or("no output")
            )
        })
        .collect();
    listing(body, "nodes", "node", lines)
}

/// `retrieve_project_graph`.
pub fn graph(g: &Value) -> String {
    let mut out = format!(
        "Canvas of {} at revision {}: {} nodes, {} edges.",
        s(g, "project_id"),
        s(g, "revision"),
        items(g, "nodes").len(),
        items(g, "edges").len()
    );
    for n in items(g, "nodes") {
        let _ = write!(
            out,
            "\n- {} ({}, {}) \"{}\"",
            s(n, "id"),
            s(n, "type"),
            n["status"].as_str().unwrap_or("no status"),
            s(n, "label")
        );
        if let Some(model) = n["model_id"].as_str() {
            let _ = write!(out, ", model {model}");
        }
        if let Some(url) = n["output_url"].as_str() {
            let _ = write!(out, ", output {url}");
        }
    }
    for e in items(g, "edges") {
        let _ = write!(out, "\n- {} → {}", s(e, "from"), s(e, "to"));
        if let Some(slot) = e["in"].as_str() {
            let _ = write!(out, " ({slot})");
        }
    }
    out
}

/// `run_project_nodes`.
pub fn node_runs(body: &Value) -> String {
    let mut out = format!("Node runs in {}:", s(body, "project_id"));
    for r in items(body, "runs") {
        if r["status"] == "started" {
            let _ = write!(
                out,
                "\n- {}: started run {} (poll with retrieve_run)",
                s(r, "node_id"),
                s(r, "run_id")
            );
        } else {
            let _ = write!(
                out,
                "\n- {}: skipped, {} — {}",
                s(r, "node_id"),
                s(r, "reason"),
                r["message"].as_str().unwrap_or("")
            );
        }
    }
    out
}

/// `retrieve_canvas_definition` and `replace_canvas_definition`.
pub fn definition(body: &Value) -> String {
    let d = &body["definition"];
    format!(
        "Canvas definition of {}: {} nodes, {} edges.",
        s(body, "project_id"),
        items(d, "nodes").len(),
        items(d, "edges").len()
    )
}

/// `apply_canvas_changeset`.
pub fn changeset(body: &Value) -> String {
    let a = &body["applied"];
    let mut out = format!(
        "Changeset applied to {}: {} added, {} updated, {} connected, {} disconnected, {} \
         removed; revision {}.",
        s(body, "project_id"),
        a["added"],
        a["updated"],
        a["connected"],
        a["disconnected"],
        a["removed"],
        s(body, "revision")
    );
    if let Some(created) = body["created"].as_object() {
        for (reference, ids) in created {
            let _ = write!(
                out,
                "\n- {reference} → {} ({})",
                s(ids, "id"),
                s(ids, "node_id")
            );
        }
    }
    for w in items(body, "warnings") {
        let _ = write!(out, "\nWarning: {}", w.as_str().unwrap_or("?"));
    }
    out
}

/// Explains a failed request to the agent: what FLORA said and what to do next.
pub fn failure(tool: &str, failure: &Failure, session: &Session) -> String {
    match failure {
        Failure::Api(err) => api_failure(tool, err, session),
        Failure::Transport(err) => {
            let next = match err {
                TransportError::Denied(_) => {
                    "This is a sandbox rule, not a FLORA error; do not retry the same request."
                }
                _ => "Retry in a moment; if it keeps failing, FLORA may be down or unreachable.",
            };
            let at = match err {
                TransportError::Unreachable(_) | TransportError::Timeout => {
                    format!(" (API base {})", session.api_base)
                }
                _ => String::new(),
            };
            format!("{tool} failed: {err}{at}. {next}")
        }
        Failure::Redirect { status, location } => format!(
            "{tool} failed: FLORA answered {status} redirecting to {}; flora-mcp never follows \
             redirects. Check the configured API base URL.",
            location.as_deref().unwrap_or("nowhere")
        ),
        Failure::BadBody { status, request_id } => format!(
            "{tool} failed: FLORA answered {status} with a body that is not a JSON object{}. \
             Retry later.",
            request_id
                .as_deref()
                .map(|id| format!(" (request-id {id})"))
                .unwrap_or_default()
        ),
    }
}

fn api_failure(tool: &str, err: &ApiError, session: &Session) -> String {
    let code = if err.code.is_empty() {
        "no error code"
    } else {
        err.code.as_str()
    };
    let mut out = format!(
        "{tool} failed: FLORA answered {} {code}: {}",
        err.status, err.message
    );
    for (field, message) in &err.fields {
        let _ = write!(out, "\n- field `{field}`: {message}");
    }
    if let Some(id) = &err.request_id {
        let _ = write!(out, "\nrequest-id: {id}");
    }
    let _ = write!(out, "\nNext step: {}", next_step(err, session));
    out
}

fn next_step(err: &ApiError, session: &Session) -> String {
    match (err.status, err.code.as_str()) {
        (401, _) if session.method == AuthMethod::None => {
            "flora-mcp has no FLORA credential. The person running it must sign in with \
             `flora-mcp login` (in the browser), or set FLORA_API_KEY (an `sk_live_…` key from \
             FLORA's Settings → API Keys) and restart it; retrying will not help until then."
                .to_owned()
        }
        (401, _) if session.method == AuthMethod::Oauth => "FLORA refused the sign-in (expired \
            or revoked). flora-mcp refreshes it on the next call, so retry once; if it fails \
            again, the person running flora-mcp must sign in again with `flora-mcp login`."
            .to_owned(),
        (401, _) => "FLORA refused the credential (invalid, revoked or expired). The person \
            running flora-mcp must provide a valid API key; retrying will not help."
            .to_owned(),
        (402, _) => "The workspace is out of credits. Tell the person; do not retry until \
            credits are added."
            .to_owned(),
        (403, _) => "The credential may not do this in this workspace. Choose another \
            workspace (list_workspaces) or ask the workspace owner for access."
            .to_owned(),
        (404, _) => "The id does not exist or is not accessible to this credential. Look it up \
            again with the matching list tool."
            .to_owned(),
        (409, "idempotency_duplicate") => "The same request was already made; check \
            list_technique_runs for the run it created instead of repeating it."
            .to_owned(),
        (400 | 422, _) => "Fix the arguments named above and call again.".to_owned(),
        (429, _) => match &err.retry_after {
            Some(after) => format!("FLORA is rate limiting; wait {after} seconds, then retry."),
            None => "FLORA is rate limiting; wait a few seconds, then retry.".to_owned(),
        },
        (500..=599, _) => "FLORA had an internal error; retry in a moment, and quote the \
            request-id if it persists."
            .to_owned(),
        _ => "Read the message above; retrying the same call is unlikely to help.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn session() -> Session {
        Session {
            method: AuthMethod::None,
            workspace_id: None,
            api_base: "http://f".into(),
            max_run_cost: None,
        }
    }

    #[test]
    fn a_listing_mentions_the_next_cursor() {
        let body = json!({"techniques":[{"technique_id":"tech_a","name":"A","run_cost":0.05,
            "inputs":[{"id":"img","type":"imageUrl"}]}],"meta":{"next_cursor":"abc"}});
        let text = techniques(&body);
        assert!(
            text.contains("1 Technique:") && text.contains("$0.05"),
            "{text}"
        );
        assert!(text.contains("cursor \"abc\""), "{text}");
    }

    #[test]
    fn a_completed_run_lists_its_outputs_and_a_failed_one_advises() {
        let done = json!({"run_id":"run_1","status":"completed","progress":100,
            "charged_cost":0.05,
            "outputs":[{"output_id":"o","type":"imageUrl","url":"https://m/o.png"}]});
        let text = run("tech_a", &done);
        assert!(
            text.contains("https://m/o.png") && text.contains("$0.05"),
            "{text}"
        );
        let failed = json!({"run_id":"run_1","status":"failed","progress":100,
            "error_code":"GENERATION_PROMPT_MODERATED","error_message":"blocked"});
        assert!(run("tech_a", &failed).contains("change the inputs"));
    }

    #[test]
    fn a_401_without_credential_says_how_to_set_one() {
        let err = ApiError {
            status: 401,
            code: "unauthorized".into(),
            ..ApiError::default()
        };
        let text = failure("list_workspaces", &Failure::Api(Box::new(err)), &session());
        assert!(text.contains("FLORA_API_KEY"), "{text}");
    }

    #[test]
    fn field_errors_and_retry_after_are_shown() {
        let err = ApiError {
            status: 429,
            code: "rate_limited".into(),
            message: "Rate limit exceeded.".into(),
            fields: vec![("limit".into(), "too big".into())],
            request_id: Some("req_1".into()),
            retry_after: Some("7".into()),
        };
        let text = failure("list_assets", &Failure::Api(Box::new(err)), &session());
        assert!(text.contains("field `limit`: too big") && text.contains("wait 7 seconds"));
        assert!(text.contains("req_1"));
    }
}
