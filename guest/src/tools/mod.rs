//! Running a tool: check the arguments against the catalog, map the call onto FLORA's REST API
//! (paths and parameters as in SDK 0.11.0), and turn the answer into a tool result. One file per
//! FLORA resource below; [`wait`] holds the polling `run_technique` and `generate` share, and
//! [`spend`] the spend ceiling checks.

mod actions;
mod assets;
mod canvas;
mod feedback;
mod generations;
mod library;
mod projects;
mod spend;
mod techniques;
mod uploads;
mod wait;

use crate::args::{Args, Problem};
use crate::catalog;
use crate::http::Http;
use crate::prelude::*;
use crate::render;
use crate::rest::{Client, Failure};
use serde_json::Value;

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

/// A piece of media a call produced or found, for an MCP `resource_link`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Absolute URL.
    pub uri: String,
    /// Short name, such as the output id.
    pub name: String,
    /// Media type, when known.
    pub mime_type: Option<String>,
    /// One line for people.
    pub description: Option<String>,
}

/// A finished call: text for the model, structured data, links, and whether it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// Concise text.
    pub text: String,
    /// Structured result matching the output schema (absent on errors).
    pub structured: Option<Value>,
    /// True for a failure the agent should read.
    pub is_error: bool,
    /// Media the call produced or found.
    pub links: Vec<Link>,
}

impl Output {
    fn ok(text: String, structured: Value) -> Output {
        Output {
            text,
            structured: Some(structured),
            is_error: false,
            links: Vec::new(),
        }
    }

    fn failed(text: String) -> Output {
        Output {
            text,
            structured: None,
            is_error: true,
            links: Vec::new(),
        }
    }

    fn with_links(mut self, links: Vec<Link>) -> Output {
        self.links = links;
        self
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

/// Runs one tool.
type Handler = fn(&Ctx<'_>, &Args) -> Outcome;

/// The handler of tool `name`, from the file of its resource.
fn handler(name: &str) -> Option<Handler> {
    techniques::handler(name)
        .or_else(|| generations::handler(name))
        .or_else(|| projects::handler(name))
        .or_else(|| assets::handler(name))
        .or_else(|| uploads::handler(name))
        .or_else(|| actions::handler(name))
        .or_else(|| canvas::handler(name))
        .or_else(|| library::handler(name))
        .or_else(|| feedback::handler(name))
}

/// Runs tool `name` with JSON `arguments`.
pub fn call(
    name: &str,
    arguments: &str,
    session: &Session,
    http: &dyn Http,
) -> Result<Output, CallError> {
    let tool = catalog::find(name).ok_or_else(|| CallError::UnknownTool(name.to_owned()))?;
    let run = handler(name).ok_or_else(|| CallError::UnknownTool(name.to_owned()))?;
    let args = Args::parse(arguments, tool.params).map_err(CallError::InvalidArguments)?;
    let ctx = Ctx {
        client: Client::new(http, &session.api_base),
        session,
        http,
    };
    Ok(run(&ctx, &args).unwrap_or_else(|stop| match stop {
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

/// An optional string argument as a query pair (left out when empty).
fn opt(args: &Args, name: &'static str) -> (&'static str, String) {
    (name, args.str(name).unwrap_or_default().to_owned())
}

/// A required string argument (the catalog made sure it is there).
fn req<'a>(args: &'a Args, name: &str) -> &'a str {
    args.str(name).unwrap_or_default()
}

/// A JSON object of the arguments in `names` that were given, as FLORA's body takes them.
fn body_of(args: &Args, names: &[&str]) -> Value {
    let mut body = serde_json::Map::new();
    for name in names {
        if let Some(value) = args.value(name) {
            body.insert((*name).to_owned(), value.clone());
        }
    }
    Value::Object(body)
}

/// Adds the workspace and where it came from to a structured result.
fn note_workspace(mut body: Value, workspace: &Workspace) -> Value {
    if let Value::Object(map) = &mut body {
        map.entry("workspace_id")
            .or_insert_with(|| Value::String(workspace.id.clone()));
        map.insert(
            "workspace_source".to_owned(),
            Value::String(workspace.source.as_str().to_owned()),
        );
    }
    body
}

/// The workspace a call runs in and where it came from.
struct Workspace {
    id: String,
    source: render::WorkspaceSource,
}

impl Workspace {
    /// One line for the result text.
    fn line(&self) -> String {
        render::workspace_line(&self.id, self.source)
    }
}

impl Ctx<'_> {
    /// The workspace for a tool whose `workspace_id` may be omitted, and where it came from:
    /// the argument, the session's default, or the only workspace the credential can access.
    fn workspace(&self, args: &Args) -> Result<Workspace, Stop> {
        use render::WorkspaceSource;
        if let Some(given) = args.str("workspace_id") {
            return Ok(Workspace {
                id: given.to_owned(),
                source: WorkspaceSource::Argument,
            });
        }
        if let Some(default) = &self.session.workspace_id {
            return Ok(Workspace {
                id: default.clone(),
                source: WorkspaceSource::Default,
            });
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
            [only] => Ok(Workspace {
                id: (*only).to_owned(),
                source: WorkspaceSource::OnlyOne,
            }),
            [] => Err(Stop::Refused(
                "No workspace is available to this credential, so there is none to use. \
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

    #[test]
    fn generate_over_the_ceiling_is_refused_on_the_models_estimate_before_any_post() {
        let http = script(vec![(
            "GET http://f/api/v1/models?type=image",
            200,
            r#"{"models":[{"model_id":"t2i-a","type":"image","estimated_credits":30}]}"#,
        )]);
        let mut session = session(Some("ws_d"));
        session.max_run_cost = Some(0.01);
        let args = r#"{"prompt":"a mug","type":"image","project_id":"prj_1","model":"t2i-a"}"#;
        let out = call("generate", args, &session, &http).unwrap();
        assert!(out.is_error);
        assert!(
            out.text.contains("$0.03") && out.text.contains("$0.01"),
            "{}",
            out.text
        );
        assert!(http.steps.borrow().is_empty());
    }

    #[test]
    fn generate_polls_the_run_and_links_its_media() {
        let http = script(vec![
            (
                "POST http://f/api/v1/generate",
                201,
                r#"{"run_id":"run_1","type":"generation","charged_cost":0.03,
                "estimated_seconds":18,"model":{"model_id":"t2i-a"}}"#,
            ),
            (
                "GET http://f/api/v1/runs/run_1",
                200,
                r#"{"run_id":"run_1","status":"running","progress":0,"created_at":1}"#,
            ),
            (
                "GET http://f/api/v1/runs/run_1",
                200,
                r#"{"run_id":"run_1","status":"completed","progress":100,"created_at":1,
                "outputs":[{"output_id":"image","type":"imageUrl","url":"https://m/x.png"}]}"#,
            ),
        ]);
        let args = r#"{"prompt":"a mug","type":"image","project_id":"prj_1"}"#;
        let out = call("generate", args, &session(Some("ws_d")), &http).unwrap();
        assert!(!out.is_error, "{}", out.text);
        let data = out.structured.unwrap();
        assert_eq!(data["workspace_source"], "default");
        assert_eq!(data["model_id"], "t2i-a");
        assert_eq!(out.links.len(), 1);
        assert_eq!(out.links[0].mime_type.as_deref(), Some("image/png"));
    }

    #[test]
    fn every_catalog_tool_has_a_handler() {
        for tool in crate::catalog::all() {
            assert!(handler(tool.name).is_some(), "{} has no handler", tool.name);
        }
    }
}
