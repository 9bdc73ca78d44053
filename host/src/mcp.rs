//! The MCP protocol layer (via rmcp): `initialize` with version negotiation, `tools/list` from
//! the component's catalog, `tools/call` on a fresh instance per call with cancellation, and
//! the mapping of refusals and sandbox failures to MCP errors and error results, the toolset and
//! read-only filters, and the component's resource links as `resource_link` content; and the
//! client's `roots`, asked for after initialization and again on every `list_changed`, which
//! become folders uploads may come from.

use crate::config::Toolsets;
use crate::files::AllowedDirs;
use crate::runtime::{CallError, Progress, ProgressSender, RunError, Runtime, ToolDescriptor};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    InitializeResult, ListToolsResult, PaginatedRequestParams, ProgressNotificationParam,
    ProgressToken, ProtocolVersion, Resource, ServerCapabilities, Tool, ToolAnnotations,
};
#[allow(
    deprecated,
    reason = "log notifications are the sign-in fallback for clients without URL elicitation"
)]
use rmcp::model::{LoggingLevel, LoggingMessageNotificationParam, SetLevelRequestParams};
use rmcp::service::{NotificationContext, RequestContext};
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use serde_json::{Map, Value, json};
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// The newest protocol revision served; every known older one down to 2024-11-05 is accepted.
const NEWEST_PROTOCOL: ProtocolVersion = ProtocolVersion::V_2025_11_25;

const INSTRUCTIONS: &str = "Tools for FLORA, the creative-AI canvas. Find a Technique with \
    list_techniques, read its inputs with retrieve_technique and run it with run_technique, or \
    pick a model with list_models and generate with it (both billed in USD to the workspace, \
    both wait and report progress). Workspaces, projects, models, runs and assets have list \
    and retrieve tools. To use a local file as an input, upload_file it (by absolute path) and \
    pass the asset URL; import_url brings in a public HTTPS file. More groups of tools \
    (canvas, library, actions …) are offered when the person enables them with --toolsets.";

/// How long the client may take to answer `roots/list`.
const ROOTS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// A loaded component and its catalog in MCP form.
struct Loaded {
    runtime: Arc<Runtime>,
    tools: Vec<Tool>,
    /// Each tool's toolset, by name (`core` when the descriptor names none).
    toolsets: HashMap<String, String>,
}

/// The MCP server. The loaded component can be replaced while serving: calls in flight keep
/// the one they started on.
#[derive(Clone)]
pub struct FloraServer {
    loaded: Arc<std::sync::RwLock<Arc<Loaded>>>,
    read_only: bool,
    toolsets: Toolsets,
    allowed: Option<Arc<AllowedDirs>>,
}

impl FloraServer {
    /// Builds the server from a runtime and the catalog the component returned, offering the
    /// `core` toolset, read and write, until [`FloraServer::toolsets`] and
    /// [`FloraServer::read_only`] say otherwise.
    ///
    /// # Errors
    /// Fails when a descriptor's schemas are not JSON objects.
    pub fn new(runtime: Arc<Runtime>, catalog: Vec<ToolDescriptor>) -> anyhow::Result<FloraServer> {
        let loaded = Arc::new(Self::prepare(runtime, catalog)?);
        Ok(FloraServer {
            loaded: Arc::new(std::sync::RwLock::new(loaded)),
            read_only: false,
            toolsets: Toolsets::default(),
            allowed: None,
        })
    }

    /// Adds the file:// roots the client declares to `allowed`, replacing them when the client
    /// says its roots changed.
    pub fn with_allowed_dirs(self, allowed: Arc<AllowedDirs>) -> FloraServer {
        FloraServer {
            allowed: Some(allowed),
            ..self
        }
    }

    /// Refreshes the roots in the background, so a client slow to answer holds nothing up.
    fn spawn_roots_refresh(&self, peer: rmcp::Peer<RoleServer>) {
        let server = self.clone();
        tokio::spawn(async move { server.refresh_roots(&peer).await });
    }

    /// Asks the client for its roots, when it declared it has some, and allows those folders.
    #[expect(
        deprecated,
        reason = "roots are deprecated by SEP-2577, but the clients we serve still declare them; \
                  TODO(#5): drop when the clients move to its replacement"
    )]
    async fn refresh_roots(&self, peer: &rmcp::Peer<RoleServer>) {
        let Some(allowed) = &self.allowed else {
            return;
        };
        let declared = peer
            .peer_info()
            .is_some_and(|info| info.capabilities.roots.is_some());
        if !declared {
            return;
        }
        let answer = tokio::time::timeout(ROOTS_TIMEOUT, peer.list_roots()).await;
        match answer {
            Err(_) => tracing::warn!("the client did not list its roots in time"),
            Ok(Err(err)) => tracing::warn!("could not list the client's roots: {err}"),
            Ok(Ok(list)) => {
                let dirs: Vec<PathBuf> = list
                    .roots
                    .iter()
                    .filter_map(|root| file_uri_path(&root.uri))
                    .collect();
                tracing::info!(
                    roots = dirs.len(),
                    "the client's roots are allowed for uploads"
                );
                allowed.set_client_roots(&dirs);
            }
        }
    }

    /// Offers only tools whose annotations say they change nothing; the others are neither
    /// listed nor callable.
    pub fn read_only(self, read_only: bool) -> FloraServer {
        FloraServer { read_only, ..self }
    }

    /// Offers only the tools of these toolsets (`core` is always among them).
    pub fn toolsets(self, toolsets: Toolsets) -> FloraServer {
        FloraServer { toolsets, ..self }
    }

    fn offered(&self, loaded: &Loaded, tool: &Tool) -> Result<(), Refusal> {
        let set = loaded
            .toolsets
            .get(tool.name.as_ref())
            .map_or("core", String::as_str);
        if !self.toolsets.offers(set) {
            return Err(Refusal::Toolset(set.to_owned()));
        }
        let read_only = tool.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(true);
        if self.read_only && !read_only {
            return Err(Refusal::ReadOnly);
        }
        Ok(())
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
        let toolsets = catalog
            .iter()
            .map(|d| {
                let set = if d.toolset.is_empty() {
                    "core"
                } else {
                    &d.toolset
                };
                (d.name.clone(), set.to_owned())
            })
            .collect();
        let tools = catalog
            .into_iter()
            .map(to_mcp_tool)
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Loaded {
            runtime,
            tools,
            toolsets,
        })
    }

    fn current(&self) -> Arc<Loaded> {
        self.loaded
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The tools as `tools/list` returns them now.
    pub fn tools(&self) -> Vec<Tool> {
        let loaded = self.current();
        loaded
            .tools
            .iter()
            .filter(|tool| self.offered(&loaded, tool).is_ok())
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
                let mut content = vec![ContentBlock::text(output.text)];
                content.extend(output.links.into_iter().filter_map(resource_link));
                let mut result = if output.is_error {
                    CallToolResult::error(content)
                } else {
                    CallToolResult::success(content)
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

/// Why an existing tool is not offered.
enum Refusal {
    /// Its toolset is not enabled.
    Toolset(String),
    /// It can change or spend and the server is read-only.
    ReadOnly,
}

/// A `resource_link` content block for a link the component reported; `None` for one without
/// a URI.
fn resource_link(link: crate::runtime::ResourceLink) -> Option<ContentBlock> {
    if link.uri.trim().is_empty() {
        return None;
    }
    let mut resource = Resource::new(link.uri, link.name);
    if let Some(mime) = link.mime_type {
        resource = resource.with_mime_type(mime);
    }
    if let Some(description) = link.description {
        resource = resource.with_description(description);
    }
    Some(ContentBlock::resource_link(resource))
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

/// The local folder a `file://` URI names, if it is one.
fn file_uri_path(uri: &str) -> Option<PathBuf> {
    let url = url::Url::parse(uri).ok()?;
    if url.scheme() != "file" {
        tracing::warn!(uri, "ignoring a root that is not a file:// URI");
        return None;
    }
    url.to_file_path().ok()
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

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        self.spawn_roots_refresh(context.peer);
    }

    async fn on_roots_list_changed(&self, context: NotificationContext<RoleServer>) {
        self.spawn_roots_refresh(context.peer);
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
        match self.offered(&loaded, tool) {
            Ok(()) => {}
            Err(Refusal::ReadOnly) => {
                return Err(McpError::invalid_params(
                    format!(
                        "tool `{name}` can change or spend at FLORA, and this server runs with \
                         --read-only; the person running it can drop that flag"
                    ),
                    Some(json!({ "tool": name, "read_only": true })),
                ));
            }
            Err(Refusal::Toolset(set)) => {
                return Err(McpError::invalid_params(
                    format!(
                        "tool `{name}` is in the `{set}` toolset, which this server does not \
                         offer; the person running it can add it with --toolsets {set} (or all)"
                    ),
                    Some(json!({ "tool": name, "toolset": set })),
                ));
            }
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
