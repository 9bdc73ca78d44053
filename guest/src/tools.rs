//! Running a tool: check the arguments against the catalog, map the call onto FLORA's REST API
//! (paths and parameters as in SDK 0.11.0), and turn the answer into a tool result.

use crate::args::{Args, Problem};
use crate::catalog;
use crate::http::Http;
use crate::prelude::*;
use crate::render;
use crate::rest::{Client, Failure};
use serde_json::{Value, json};

mod uploads;

/// How the host authenticates to FLORA, as the session import reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// No credential configured.
    None,
    /// An API key.
    ApiKey,
    /// An OAuth access token.
    Oauth,
}

/// The session as the host describes it: never a secret.
#[derive(Debug, Clone)]
pub struct Session {
    /// How requests are authenticated.
    pub method: AuthMethod,
    /// The default workspace, if known.
    pub workspace_id: Option<String>,
    /// API base URL without trailing slash.
    pub api_base: String,
    /// The person's spend ceiling per call, in USD.
    pub max_run_cost: Option<f64>,
}

/// A finished call: text for the model, structured data, and whether it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// Concise text.
    pub text: String,
    /// Structured result matching the output schema (absent on errors).
    pub structured: Option<Value>,
    /// True for a failure the agent should read.
    pub is_error: bool,
}

impl Output {
    fn ok(text: String, structured: Value) -> Output {
        Output {
            text,
            structured: Some(structured),
            is_error: false,
        }
    }

    fn failed(text: String) -> Output {
        Output {
            text,
            structured: None,
            is_error: true,
        }
    }
}

/// Why a call was refused before it started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// No such tool.
    UnknownTool(String),
    /// The arguments do not fit.
    InvalidArguments(Problem),
}

/// Runs tool `name` with JSON `arguments`.
pub fn call(
    name: &str,
    arguments: &str,
    session: &Session,
    http: &dyn Http,
) -> Result<Output, CallError> {
    let tool = catalog::find(name).ok_or_else(|| CallError::UnknownTool(name.to_owned()))?;
    let args = Args::parse(arguments, tool.params).map_err(CallError::InvalidArguments)?;
    let ctx = Ctx {
        client: Client::new(http, &session.api_base),
        session,
        http,
    };
    let outcome = match name {
        "list_workspaces" => ctx.list_workspaces(),
        "list_models" => ctx.list_models(&args),
        "list_techniques" => ctx.list_techniques(&args),
        "retrieve_technique" => ctx.retrieve_technique(&args),
        "create_technique_run" => ctx.create_technique_run(&args),
        "run_technique" => ctx.run_technique(&args),
        "retrieve_technique_run" => ctx.retrieve_technique_run(&args),
        "list_technique_runs" => ctx.list_technique_runs(&args),
        "list_projects" => ctx.list_projects(&args),
        "retrieve_project" => ctx.retrieve_project(&args),
        "list_assets" => ctx.list_assets(&args),
        "retrieve_asset" => ctx.retrieve_asset(&args),
        "upload_file" => ctx.upload_file(&args),
        "import_url" => ctx.import_url(&args),
        _ => return Err(CallError::UnknownTool(name.to_owned())),
    };
    Ok(outcome.unwrap_or_else(|stop| match stop {
        Stop::Failed(failure) => Output::failed(render::failure(name, &failure, session)),
        Stop::Refused(text) => Output::failed(text),
    }))
}

/// Why a tool stopped without a result.
enum Stop {
    /// A request failed.
    Failed(Failure),
    /// The tool itself refused, with a message for the agent.
    Refused(String),
}

impl From<Failure> for Stop {
    fn from(failure: Failure) -> Stop {
        Stop::Failed(failure)
    }
}

type Outcome = Result<Output, Stop>;

struct Ctx<'a> {
    client: Client<'a>,
    session: &'a Session,
    http: &'a dyn Http,
}

/// How often `run_technique` polls a run.
const POLL_INTERVAL_MS: u64 = 2_000;
/// How long `run_technique` waits by default before it hands back a run still going.
const DEFAULT_WAIT_S: i64 = 120;

fn is_terminal(run: &Value) -> bool {
    matches!(run["status"].as_str(), Some("completed" | "failed"))
}

/// The query pairs of a cursor page.
fn page(args: &Args) -> Vec<(&'static str, String)> {
    vec![
        (
            "limit",
            args.int("limit").map(|n| n.to_string()).unwrap_or_default(),
        ),
        ("cursor", args.str("cursor").unwrap_or_default().to_owned()),
    ]
}

fn opt(args: &Args, name: &'static str) -> (&'static str, String) {
    (name, args.str(name).unwrap_or_default().to_owned())
}

impl Ctx<'_> {
    fn list_workspaces(&self) -> Outcome {
        let body = self.client.get(&["workspaces"], &[])?;
        Ok(Output::ok(render::workspaces(&body), body))
    }

    fn list_models(&self, args: &Args) -> Outcome {
        let body = self.client.get(&["models"], &[opt(args, "type")])?;
        Ok(Output::ok(render::models(&body), body))
    }

    fn list_techniques(&self, args: &Args) -> Outcome {
        let mut query = vec![opt(args, "query"), opt(args, "workspace_id")];
        query.extend(page(args));
        let body = self.client.get(&["techniques"], &query)?;
        Ok(Output::ok(render::techniques(&body), body))
    }

    fn retrieve_technique(&self, args: &Args) -> Outcome {
        let technique = args.str("technique_id").unwrap_or_default();
        let body = self.client.get(&["techniques", technique], &[])?;
        Ok(Output::ok(render::technique(&body), body))
    }

    fn create_technique_run(&self, args: &Args) -> Outcome {
        let technique = args.str("technique_id").unwrap_or_default();
        self.check_spend(technique)?;
        let run = self.start_run(technique, args)?;
        Ok(Output::ok(render::run_started(technique, &run), run))
    }

    /// Starts one run; the client fills in `idempotency_key`, the same as its header.
    fn start_run(&self, technique: &str, args: &Args) -> Result<Value, Stop> {
        let inputs = args.value("inputs").cloned().unwrap_or(Value::Null);
        let body = json!({ "inputs": inputs, "mode": "async", "idempotency_key": null });
        Ok(self
            .client
            .create(&["techniques", technique, "runs"], &body)?)
    }

    /// Refuses, before anything is created, a run priced above the person's ceiling.
    fn check_spend(&self, technique: &str) -> Result<(), Stop> {
        let Some(limit) = self.session.max_run_cost else {
            return Ok(());
        };
        let found = self.client.get(&["techniques", technique], &[])?;
        let price = found["run_cost"].as_f64().unwrap_or(f64::INFINITY);
        if price > limit {
            return Err(Stop::Refused(render::over_ceiling(technique, price, limit)));
        }
        Ok(())
    }

    /// `run_technique`: start a run and wait for it, reporting its progress, until it is done
    /// or `max_wait_seconds` have passed.
    fn run_technique(&self, args: &Args) -> Outcome {
        let technique = args.str("technique_id").unwrap_or_default();
        self.check_spend(technique)?;
        let mut run = self.start_run(technique, args)?;
        let run_id = run["run_id"].as_str().unwrap_or_default().to_owned();
        let wait_ms = args
            .int("max_wait_seconds")
            .unwrap_or(DEFAULT_WAIT_S)
            .max(0) as u64
            * 1000;
        let deadline = self.http.now_ms().saturating_add(wait_ms);
        let mut waited = 0;
        while !is_terminal(&run) && waited < wait_ms && self.http.now_ms() < deadline {
            let progress = run["progress"].as_f64().unwrap_or(0.0);
            let status = run["status"].as_str().unwrap_or("pending");
            self.http
                .progress(progress, Some(100.0), &format!("{status}, {progress}%"));
            self.http.sleep_ms(POLL_INTERVAL_MS);
            waited += POLL_INTERVAL_MS;
            run = self
                .client
                .get(&["techniques", technique, "runs", &run_id], &[])?;
        }
        if is_terminal(&run) {
            self.http
                .progress(100.0, Some(100.0), run["status"].as_str().unwrap_or("done"));
            return Ok(Output::ok(render::run(technique, &run), run));
        }
        Ok(Output::ok(render::still_running(technique, &run), run))
    }

    fn retrieve_technique_run(&self, args: &Args) -> Outcome {
        let technique = args.str("technique_id").unwrap_or_default();
        let run_id = args.str("run_id").unwrap_or_default();
        let run = self
            .client
            .get(&["techniques", technique, "runs", run_id], &[])?;
        Ok(Output::ok(render::run(technique, &run), run))
    }

    fn list_technique_runs(&self, args: &Args) -> Outcome {
        let mut query = vec![
            opt(args, "workspace_id"),
            opt(args, "project_id"),
            opt(args, "technique_id"),
            opt(args, "status"),
        ];
        query.extend(page(args));
        let body = self.client.get(&["technique-runs"], &query)?;
        Ok(Output::ok(render::technique_runs(&body), body))
    }

    fn list_projects(&self, args: &Args) -> Outcome {
        let (workspace, why) = self.workspace(args)?;
        let mut query = vec![("workspace_id", workspace.clone()), opt(args, "query")];
        query.extend(page(args));
        let body = self.client.get(&["projects"], &query)?;
        Ok(Output::ok(render::projects(&body, &workspace, why), body))
    }

    fn retrieve_project(&self, args: &Args) -> Outcome {
        let project = args.str("project_id").unwrap_or_default();
        let body = self.client.get(&["projects", project], &[])?;
        Ok(Output::ok(render::project(&body), body))
    }

    fn list_assets(&self, args: &Args) -> Outcome {
        let mut query = vec![
            opt(args, "workspace_id"),
            opt(args, "project_id"),
            opt(args, "query"),
        ];
        query.extend(page(args));
        let body = self.client.get(&["assets"], &query)?;
        Ok(Output::ok(render::assets(&body), body))
    }

    fn retrieve_asset(&self, args: &Args) -> Outcome {
        let asset = args.str("asset_id").unwrap_or_default();
        let body = self.client.get(&["assets", asset], &[])?;
        Ok(Output::ok(render::asset(&body), body))
    }

    /// The workspace for a tool whose `workspace_id` may be omitted, and where it came from:
    /// the argument, the session's default, or the only workspace the credential can access.
    fn workspace(&self, args: &Args) -> Result<(String, render::WorkspaceSource), Stop> {
        if let Some(given) = args.str("workspace_id") {
            return Ok((given.to_owned(), render::WorkspaceSource::Argument));
        }
        if let Some(default) = &self.session.workspace_id {
            return Ok((default.clone(), render::WorkspaceSource::Default));
        }
        let body = self.client.get(&["workspaces"], &[])?;
        let ids: Vec<&str> = body["workspaces"]
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|w| w["workspace_id"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        match ids.as_slice() {
            [only] => Ok(((*only).to_owned(), render::WorkspaceSource::OnlyOne)),
            [] => Err(Stop::Refused(
                "No workspace is available to this credential, so there is nothing to list. \
                 Check the account in FLORA."
                    .to_owned(),
            )),
            many => Err(Stop::Refused(format!(
                "This credential can use {} workspaces ({}); pass `workspace_id` to choose one.",
                many.len(),
                many.join(", ")
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{Request, Response, TransportError};
    use std::cell::RefCell;

    /// Answers requests from a script of (expected method+url, status, body).
    struct Script {
        steps: RefCell<Vec<(&'static str, u16, &'static str)>>,
    }

    impl Http for Script {
        fn send(&self, request: Request) -> Result<Response, TransportError> {
            let mut steps = self.steps.borrow_mut();
            assert!(!steps.is_empty(), "unexpected request {}", request.url);
            let (expect, status, body) = steps.remove(0);
            assert_eq!(
                format!("{} {}", request.method.as_str(), request.url),
                expect
            );
            let headers = vec![("request-id".to_owned(), "req_test".to_owned())];
            Ok(Response {
                status,
                headers,
                body: body.as_bytes().to_vec(),
            })
        }
    }

    fn session(default: Option<&str>) -> Session {
        Session {
            method: AuthMethod::ApiKey,
            workspace_id: default.map(str::to_owned),
            api_base: "http://f/api/v1".to_owned(),
            max_run_cost: None,
        }
    }

    fn script(steps: Vec<(&'static str, u16, &'static str)>) -> Script {
        Script {
            steps: RefCell::new(steps),
        }
    }

    #[test]
    fn unknown_tools_and_bad_arguments_are_refused_before_any_request() {
        let http = script(vec![]);
        let err = call("nope", "{}", &session(None), &http).unwrap_err();
        assert_eq!(err, CallError::UnknownTool("nope".to_owned()));
        let err = call(
            "retrieve_asset",
            r#"{"asset_id":"x"}"#,
            &session(None),
            &http,
        );
        assert!(matches!(err, Err(CallError::InvalidArguments(p)) if p.field == "/asset_id"));
    }

    #[test]
    fn list_projects_uses_the_only_workspace_when_none_is_given() {
        let http = script(vec![
            (
                "GET http://f/api/v1/workspaces",
                200,
                r#"{"workspaces":[{"workspace_id":"ws_a",
                "name":"A","role":"owner","created_at":1}]}"#,
            ),
            (
                "GET http://f/api/v1/projects?workspace_id=ws_a&limit=5",
                200,
                r#"{"projects":[],"meta":{"next_cursor":null}}"#,
            ),
        ]);
        let out = call("list_projects", r#"{"limit":5}"#, &session(None), &http).unwrap();
        assert!(!out.is_error);
        assert!(out.text.contains("ws_a"), "{}", out.text);
    }

    #[test]
    fn list_projects_asks_for_a_workspace_when_there_are_several() {
        let http = script(vec![(
            "GET http://f/api/v1/workspaces",
            200,
            r#"{"workspaces":[{"workspace_id":"ws_a"},{"workspace_id":"ws_b"}]}"#,
        )]);
        let out = call("list_projects", "{}", &session(None), &http).unwrap();
        assert!(out.is_error);
        assert!(out.text.contains("ws_a, ws_b"), "{}", out.text);
    }

    #[test]
    fn the_default_workspace_is_used_without_asking_flora() {
        let http = script(vec![(
            "GET http://f/api/v1/projects?workspace_id=ws_d",
            200,
            r#"{"projects":[],"meta":{"next_cursor":null}}"#,
        )]);
        let out = call("list_projects", "", &session(Some("ws_d")), &http).unwrap();
        assert!(out.text.contains("default"), "{}", out.text);
    }

    #[test]
    fn a_technique_run_is_created_with_async_mode_and_the_inputs_as_given() {
        let http = script(vec![(
            "POST http://f/api/v1/techniques/cctv-cam/runs",
            201,
            r#"{"run_id":"run_1","status":"pending","progress":0,"created_at":1}"#,
        )]);
        let args = r#"{"technique_id":"cctv-cam",
            "inputs":[{"id":"input_image","type":"imageUrl","value":"https://x/y.png"}]}"#;
        let out = call("create_technique_run", args, &session(None), &http).unwrap();
        assert_eq!(out.structured.unwrap()["run_id"], "run_1");
        assert!(out.text.contains("retrieve_technique_run"));
    }

    #[test]
    fn a_flora_error_becomes_an_error_result_with_code_and_request_id() {
        let http = script(vec![(
            "GET http://f/api/v1/assets/asset_zz",
            404,
            r#"{"error":{"code":"not_found","message":"Not found."}}"#,
        )]);
        let out = call(
            "retrieve_asset",
            r#"{"asset_id":"asset_zz"}"#,
            &session(None),
            &http,
        );
        let out = out.unwrap();
        assert!(out.is_error);
        assert!(
            out.text.contains("not_found") && out.text.contains("req_test"),
            "{}",
            out.text
        );
    }
}
