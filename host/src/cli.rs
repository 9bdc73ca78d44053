//! The command line: `flora-mcp [serve]` and its settings, read from flags and the environment,
//! then the serving loop on stdio.

use crate::config::{self, ApiBase, ComponentSource, Settings};
use crate::egress::{Egress, Policy};
use crate::mcp::FloraServer;
use crate::runtime::{AuthMethod, Runtime, SessionView};
use crate::secrets::ApiKey;
use anyhow::Context;
use clap::{Parser, Subcommand};
use rmcp::ServiceExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Local MCP server for FLORA; its tools run in a WASI sandbox that never sees a credential.
///
/// The FLORA API key is read from the environment variable FLORA_API_KEY only, never from a
/// flag, so it does not show up in process listings.
#[derive(Debug, Parser)]
#[command(name = "flora-mcp", version, about)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Settings for serving.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Speak MCP on standard input and output (the default).
    Serve,
    /// Print what the sandbox can do: the component's imports and exports, its digest and WIT
    /// version, the egress policy, where credentials live, and the limits.
    Audit {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Settings of `serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Base URL of the FLORA REST API. Plain http is accepted for loopback addresses only.
    #[arg(long, env = "FLORA_BASE_URL", default_value = config::DEFAULT_API_BASE, global = true)]
    pub api_base: String,
    /// Default workspace (`ws_…`) for tools that take a workspace_id.
    #[arg(long, env = "FLORA_WORKSPACE_ID", global = true)]
    pub workspace: Option<String>,
    /// Run this component file instead of the built-in one (for development).
    #[arg(long, env = "FLORA_MCP_COMPONENT", global = true)]
    pub component: Option<PathBuf>,
    /// Do not read or write the compiled-component cache.
    #[arg(long, global = true)]
    pub no_cache: bool,
    /// Seconds one tool call may run before it is stopped.
    #[arg(
        long,
        env = "FLORA_MCP_CALL_TIMEOUT",
        default_value_t = 300,
        global = true
    )]
    pub call_timeout: u64,
    /// How many tool calls may run at once; more wait for a free slot.
    #[arg(long, env = "FLORA_MCP_MAX_CALLS", default_value_t = 8, global = true)]
    pub max_concurrent_calls: usize,
    /// Log filter for standard error: error, warn, info, debug, trace, or tracing directives.
    #[arg(long, env = "FLORA_MCP_LOG", default_value = "info", global = true)]
    pub log_level: String,
}

/// Runs the command line. Returns once serving has ended.
///
/// # Errors
/// Fails on settings that do not make sense, a component that cannot be loaded, or a
/// broken standard output.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    crate::logging::init(&cli.serve.log_level)?;
    let settings = settings(&cli.serve)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("start the async runtime")?;
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => runtime.block_on(serve(settings)),
        Command::Audit { json } => audit(&settings, json),
    };
    // Calls still in flight when standard input closed are abandoned, not awaited.
    runtime.shutdown_timeout(Duration::from_millis(200));
    result
}

/// Prints the audit report to stdout; this command does not serve MCP.
fn audit(settings: &Settings, json: bool) -> anyhow::Result<()> {
    use std::io::Write;
    let report = crate::audit::report(settings)?;
    let text = if json {
        serde_json::to_string_pretty(&report)? + "\n"
    } else {
        crate::audit::render(&report)
    };
    std::io::stdout()
        .write_all(text.as_bytes())
        .context("write the audit report")
}

fn settings(args: &ServeArgs) -> anyhow::Result<Settings> {
    let api = ApiBase::parse(&args.api_base).context("check --api-base / FLORA_BASE_URL")?;
    let workspace_id = match args.workspace.as_deref().filter(|w| !w.trim().is_empty()) {
        Some(raw) => Some(config::workspace_id(raw)?),
        None => None,
    };
    let api_key = match std::env::var("FLORA_API_KEY") {
        Ok(raw) if raw.trim().is_empty() => {
            tracing::warn!("FLORA_API_KEY is set but empty; FLORA will refuse every request");
            None
        }
        Ok(raw) => Some(ApiKey::new(&raw).context("read FLORA_API_KEY")?),
        Err(_) => {
            tracing::warn!("FLORA_API_KEY is not set; FLORA will refuse every request");
            None
        }
    };
    if args.call_timeout == 0 {
        anyhow::bail!("--call-timeout must be at least 1 second");
    }
    if args.max_concurrent_calls == 0 {
        anyhow::bail!("--max-concurrent-calls must be at least 1");
    }
    let component = match &args.component {
        Some(path) => ComponentSource::File(path.clone()),
        None => ComponentSource::Builtin,
    };
    crate::runtime::check_source(&component)?;
    Ok(Settings {
        api,
        workspace_id,
        api_key,
        component,
        cache_dir: if args.no_cache {
            None
        } else {
            config::default_cache_dir()
        },
        call_timeout: Duration::from_secs(args.call_timeout),
        max_concurrent_calls: args.max_concurrent_calls,
    })
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let session = SessionView {
        method: if settings.api_key.is_some() {
            AuthMethod::ApiKey
        } else {
            AuthMethod::None
        },
        workspace_id: settings.workspace_id.clone(),
        api_base: settings.api.url(),
    };
    let egress = Egress::new(Policy::for_api(&settings.api), settings.api_key.clone())?;
    let runtime = Arc::new(Runtime::load(&settings, egress, session)?);
    let catalog = runtime.catalog().await?;
    let server = FloraServer::new(runtime, catalog)?;
    tracing::info!(api = %settings.api.url(), tools = server.tools().len(), "serving MCP on stdio");

    let transport = crate::stdio::transport(tokio::io::stdin(), tokio::io::stdout());
    let service = match server.serve(transport).await {
        Ok(service) => service,
        Err(err) => {
            // The client went away before or during initialization: nothing left to serve.
            tracing::info!("the MCP session ended before it started: {err}");
            return Ok(());
        }
    };
    let reason = service.waiting().await.context("serve MCP")?;
    tracing::info!(?reason, "standard input closed; exiting");
    Ok(())
}
