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
pub fn over_ceiling(technique: &str, price: f64, limit: f64) -> String {
    format!(
        "Not started: {technique} costs ${price:.2} per run, above the spend ceiling of \
         ${limit:.2} per call. Nothing was created or billed. Tell the person; they can raise \
         the ceiling with --max-run-cost or FLORA_MCP_MAX_RUN_COST where flora-mcp is \
         configured."
    )
}

/// `retrieve_technique_run`.
pub fn run(technique: &str, run: &Value) -> String {
    let id = s(run, "run_id");
    match s(run, "status") {
        "completed" => {
            let mut out = format!("Run {id} of {technique} completed");
            if run["charged_cost"].is_number() {
                let _ = write!(out, ", charged {}", usd(&run["charged_cost"]));
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
                "Run {id} of {technique} failed with {code}: {}. {}",
                s(run, "error_message"),
                run_failure_advice(code)
            )
        }
        status => format!(
            "Run {id} of {technique} is {status}, {}% done. Poll again in a few seconds.",
            run["progress"]
        ),
    }
}

/// What to do about a failed run, from FLORA's run failure codes.
fn run_failure_advice(code: &str) -> &'static str {
    let change_input = [
        "MODERATED",
        "REFUSAL",
        "INPUT_VALIDATION",
        "INVALID_PARAMS",
        "INVALID_URL",
    ];
    if code.starts_with("BILLING_") || code.starts_with("ACCESS_") || code.contains("ENTITLEMENT") {
        "Retrying will not help: the workspace lacks credits or access."
    } else if change_input.iter().any(|c| code.contains(c)) || code == "safety_blocked" {
        "Retrying the same inputs will not help: change the inputs (prompt, URL) and start a \
         new run."
    } else {
        "This looks transient: starting a new run may succeed (it is billed again)."
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
    let from = match source {
        WorkspaceSource::Argument => format!("Workspace {workspace}."),
        WorkspaceSource::Default => format!("Workspace {workspace} (the configured default)."),
        WorkspaceSource::OnlyOne => {
            format!("Workspace {workspace} (the only one this credential can use).")
        }
    };
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
            format!("{tool} failed: {err}. {next}")
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
        (401, _) if session.method == AuthMethod::None => "flora-mcp has no FLORA credential. \
            The person running it must sign in with `flora-mcp login` (in the browser), or set \
            FLORA_API_KEY (an `sk_live_…` key from FLORA's Settings → API Keys) and restart it; \
            retrying will not help until then."
            .to_owned(),
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
