//! The MCP protocol layer (via rmcp): `initialize` with version negotiation, `tools/list` from
//! the component's catalog, `tools/call` on a fresh instance per call with cancellation, and
//! the mapping of refusals and sandbox failures to MCP errors and error results.

use crate::runtime::{CallError, Progress, ProgressSender, RunError, Runtime, ToolDescriptor};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    InitializeResult, ListToolsResult, PaginatedRequestParams, ProgressNotificationParam,
    ProgressToken, ProtocolVersion, ServerCapabilities, Tool, ToolAnnotations,
};
#[allow(
    deprecated,
    reason = "log notifications are the sign-in fallback for clients without URL elicitation"
)]
use rmcp::model::{LoggingLevel, LoggingMessageNotificationParam, SetLevelRequestParams};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use serde_json::{Map, Value, json};
use std::borrow::Cow;
use std::sync::Arc;
use std::time::Instant;

/// The newest protocol revision served; every known older one down to 2024-11-05 is accepted.
const NEWEST_PROTOCOL: ProtocolVersion = ProtocolVersion::V_2025_11_25;

const INSTRUCTIONS: &str = "Tools for FLORA, the creative-AI canvas. Find a Technique with \
    list_techniques, read its inputs with retrieve_technique, start it with \
    create_technique_run (billed in USD to the workspace), then poll retrieve_technique_run \
    until it is completed. Workspaces, projects, models and assets have list and retrieve tools.";

/// A loaded component and its catalog in MCP form.
struct Loaded {
    runtime: Arc<Runtime>,
    tools: Vec<Tool>,
}

/// The MCP server. The loaded component can be replaced while serving: calls in flight keep
/// the one they started on.
#[derive(Clone)]
pub struct FloraServer {
    loaded: Arc<std::sync::RwLock<Arc<Loaded>>>,
    read_only: bool,
}

impl FloraServer {
    /// Builds the server from a runtime and the catalog the component returned.
    ///
    /// # Errors
    /// Fails when a descriptor's schemas are not JSON objects.
    pub fn new(runtime: Arc<Runtime>, catalog: Vec<ToolDescriptor>) -> anyhow::Result<FloraServer> {
        let loaded = Arc::new(Self::prepare(runtime, catalog)?);
        Ok(FloraServer {
            loaded: Arc::new(std::sync::RwLock::new(loaded)),
            read_only: false,
        })
    }

    /// Offers only tools whose annotations say they change nothing; the others are neither
    /// listed nor callable.
    pub fn read_only(self, read_only: bool) -> FloraServer {
        FloraServer { read_only, ..self }
    }

    fn offered(&self, tool: &Tool) -> bool {
        !self.read_only || tool.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(true)
    }

    /// Serves new calls from `runtime` from now on.
    ///
    /// # Errors
    /// Fails when a descriptor's schemas are not JSON objects; the old component stays then.
    pub fn replace(
        &self,
        runtime: Arc<Runtime>,
        catalog: Vec<ToolDescriptor>,
    ) -> anyhow::Result<()> {
        let loaded = Arc::new(Self::prepare(runtime, catalog)?);
        *self
            .loaded
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = loaded;
        Ok(())
    }

    fn prepare(runtime: Arc<Runtime>, catalog: Vec<ToolDescriptor>) -> anyhow::Result<Loaded> {
        let tools = catalog
            .into_iter()
            .map(to_mcp_tool)
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Loaded { runtime, tools })
    }

    fn current(&self) -> Arc<Loaded> {
        self.loaded
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The tools as `tools/list` returns them now.
    pub fn tools(&self) -> Vec<Tool> {
        self.current()
            .tools
            .iter()
            .filter(|tool| self.offered(tool))
            .cloned()
            .collect()
    }

    async fn run(
        &self,
        name: &str,
        arguments: &str,
        progress: Option<ProgressSender>,
    ) -> Result<CallToolResult, McpError> {
        let started = Instant::now();
        let runtime = self.current().runtime.clone();
        let outcome = runtime.call(name, arguments, progress).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match outcome {
            Ok(output) => {
                tracing::info!(
                    tool = name,
                    elapsed_ms,
                    is_error = output.is_error,
                    "tool call"
                );
                let mut result = if output.is_error {
                    CallToolResult::error(vec![ContentBlock::text(output.text)])
                } else {
                    CallToolResult::success(vec![ContentBlock::text(output.text)])
                };
                if let Some(structured) = output.structured {
                    match serde_json::from_str::<Value>(&structured) {
                        Ok(value @ Value::Object(_)) => result.structured_content = Some(value),
                        _ => tracing::warn!(
                            tool = name,
                            "dropping structured output that is not a JSON object"
                        ),
                    }
                }
                Ok(result)
            }
            Err(RunError::Refused(CallError::UnknownTool(name))) => Err(unknown_tool(&name)),
            Err(RunError::Refused(CallError::InvalidArguments(problem))) => {
                tracing::info!(tool = name, field = %problem.field, "arguments refused");
                let message = format!(
                    "invalid arguments for tool `{name}`: {} (at `{}`: expected {})",
                    problem.message,
                    if problem.field.is_empty() {
                        "/"
                    } else {
                        &problem.field
                    },
                    problem.expected
                );
                let data =
                    json!({ "tool": name, "field": problem.field, "expected": problem.expected });
                Err(McpError::invalid_params(message, Some(data)))
            }
            Err(RunError::Deadline(limit)) => {
                tracing::warn!(tool = name, elapsed_ms, "tool call stopped at its deadline");
                Ok(CallToolResult::error(vec![ContentBlock::text(format!(
                    "{name} ran longer than {} s and was stopped. Nothing more will happen for \
                     this call; check the state with a list or retrieve tool before retrying.",
                    limit.as_secs()
                ))]))
            }
            Err(RunError::Trap(err)) => {
                tracing::warn!(
                    tool = name,
                    elapsed_ms,
                    "tool call failed in the sandbox: {err:#}"
                );
                Ok(CallToolResult::error(vec![ContentBlock::text(format!(
                    "{name} failed inside the sandbox ({}). The server keeps serving; retrying \
                     may help if FLORA was not reached.",
                    err.root_cause()
                ))]))
            }
        }
    }
}

/// Shows the sign-in URL to the person through the MCP client: as a URL-mode elicitation when
/// the client supports it, otherwise as a `notifications/message` log notice. Never as a tool
/// result, which the model would read.
pub struct ClientPrompt {
    peer: rmcp::Peer<RoleServer>,
}

impl ClientPrompt {
    /// A prompt through `peer`.
    pub fn new(peer: rmcp::Peer<RoleServer>) -> ClientPrompt {
        ClientPrompt { peer }
    }
}

impl crate::auth::SignInPrompt for ClientPrompt {
    #[allow(
        deprecated,
        reason = "log notifications are the sign-in fallback for clients without URL elicitation"
    )]
    fn show(&self, url: &str) {
        let peer = self.peer.clone();
        let url = url.to_owned();
        let message = "flora-mcp needs you to sign in to FLORA: open this page in your browser, \
                       sign in and pick a workspace, then return here.";
        tokio::spawn(async move {
            let Ok(parsed) = url::Url::parse(&url) else {
                return;
            };
            let id = format!("flora-sign-in-{}", std::process::id());
            match peer.elicit_url(message, parsed, id).await {
                Err(rmcp::service::ElicitationError::CapabilityNotSupported) => {
                    let data = json!({ "message": message, "url": url });
                    let notice = LoggingMessageNotificationParam::new(LoggingLevel::Alert, data)
                        .with_logger("flora-mcp/sign-in");
                    if let Err(err) = peer.notify_logging_message(notice).await {
                        tracing::debug!("could not send the sign-in notice: {err}");
                    }
                }
                Err(err) => tracing::debug!("the sign-in elicitation ended: {err}"),
                Ok(_) => {}
            }
        });
    }
}

/// Passes a call's progress reports on to the client as `notifications/progress`.
async fn forward_progress(
    token: ProgressToken,
    mut reports: tokio::sync::mpsc::UnboundedReceiver<Progress>,
    peer: rmcp::Peer<RoleServer>,
) {
    while let Some((done, total, message)) = reports.recv().await {
        let mut param = ProgressNotificationParam::new(token.clone(), done);
        if let Some(total) = total {
            param = param.with_total(total);
        }
        if let Some(message) = message {
            param = param.with_message(message);
        }
        if peer.notify_progress(param).await.is_err() {
            break;
        }
    }
}

fn unknown_tool(name: &str) -> McpError {
    McpError::invalid_params(
        format!("unknown tool `{name}`; call tools/list for the tools this server offers"),
        Some(json!({ "tool": name })),
    )
}

fn to_mcp_tool(descriptor: ToolDescriptor) -> anyhow::Result<Tool> {
    let object = |text: &str, what: &str| -> anyhow::Result<Map<String, Value>> {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => Ok(map),
            _ => anyhow::bail!(
                "the {what} of tool `{}` is not a JSON object",
                descriptor.name
            ),
        }
    };
    let input = object(&descriptor.input_schema, "input schema")?;
    let annotations = ToolAnnotations::with_title(descriptor.title.clone())
        .read_only(descriptor.annotations.read_only)
        .destructive(descriptor.annotations.destructive)
        .idempotent(descriptor.annotations.idempotent)
        .open_world(descriptor.annotations.open_world);
    let mut tool = Tool::new(
        descriptor.name.clone(),
        descriptor.description.clone(),
        Arc::new(input),
    )
    .with_title(descriptor.title.clone())
    .with_annotations(annotations);
    if let Some(output) = &descriptor.output_schema {
        tool = tool.with_raw_output_schema(Arc::new(object(output, "output schema")?));
    }
    Ok(tool)
}

impl ServerHandler for FloraServer {
    #[allow(
        deprecated,
        reason = "logging carries the sign-in notice for older clients"
    )]
    fn get_info(&self) -> InitializeResult {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_tool_list_changed()
            .enable_logging()
            .build();
        let server =
            Implementation::new("flora-mcp", env!("CARGO_PKG_VERSION")).with_title("FLORA");
        InitializeResult::new(capabilities)
            .with_protocol_version(NEWEST_PROTOCOL)
            .with_server_info(server)
            .with_instructions(INSTRUCTIONS)
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        Cow::Borrowed(ProtocolVersion::known_up_to(&NEWEST_PROTOCOL))
    }

    #[allow(
        deprecated,
        reason = "clients may still set a level; the notices ignore it"
    )]
    async fn set_level(
        &self,
        _request: SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        // The only messages sent are sign-in notices, which the person must see at any level.
        Ok(())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(self.tools()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let name = request.name.to_string();
        let loaded = self.current();
        let Some(tool) = loaded.tools.iter().find(|tool| tool.name == name) else {
            return Err(unknown_tool(&name));
        };
        if !self.offered(tool) {
            return Err(McpError::invalid_params(
                format!(
                    "tool `{name}` can change or spend at FLORA, and this server runs with \
                     --read-only; the person running it can drop that flag"
                ),
                Some(json!({ "tool": name, "read_only": true })),
            ));
        }
        let arguments = Value::Object(request.arguments.unwrap_or_default()).to_string();
        let (progress, forwarding) = match context.meta.get_progress_token() {
            Some(token) => {
                let (sender, reports) = tokio::sync::mpsc::unbounded_channel::<Progress>();
                let task = tokio::spawn(forward_progress(token, reports, context.peer.clone()));
                (Some(sender), Some(task))
            }
            None => (None, None),
        };
        tokio::select! {
            result = self.run(&name, &arguments, progress) => {
                // The instance is gone, so its reports are all queued: let them reach the client
                // before the result does, as progress after a result is discarded.
                if let Some(task) = forwarding {
                    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), task).await;
                }
                result.map(CallToolResponse::from)
            }
            () = context.ct.cancelled() => {
                tracing::info!(tool = %name, "tool call cancelled by the client");
                Err(McpError::internal_error("the call was cancelled", None))
            }
        }
    }
}
