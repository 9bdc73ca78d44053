//! The command line: `flora-mcp [serve]` and its settings, read from flags and the environment,
//! then the serving loop on stdio.

use crate::config::{self, ApiBase, ComponentSource, Settings, Toolsets};
use crate::egress::{Egress, Policy};
use crate::files::AllowedDirs;
use crate::mcp::FloraServer;
use crate::runtime::{AuthMethod, Runtime, SessionView};
use crate::secrets::ApiKey;
use anyhow::Context;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use rmcp::ServiceExt;
use std::collections::BTreeSet;
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
    /// Say which component would serve and why, which API and workspace, and how requests
    /// are authenticated (never the secret itself).
    Status,
    /// Install, check, list and roll back tool components; manage trusted keys and pins.
    #[command(subcommand)]
    Component(ComponentCommand),
    /// Print what the sandbox can do: the component's imports and exports, its digest and WIT
    /// version, the egress policy, where credentials live, and the limits.
    Audit {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// `flora-mcp component …`.
#[derive(Debug, Subcommand)]
pub enum ComponentCommand {
    /// Verify a component (signature or pinned digest, WIT version, imports), precompile it,
    /// and make it the one new calls use; the one it replaces is kept for rollback.
    Install {
        /// The component file (`.wasm`).
        file: PathBuf,
        /// Its signature file; `<file>.sig` by default.
        #[arg(long)]
        signature: Option<PathBuf>,
    },
    /// List installed components, newest first.
    List,
    /// Check a component file, or the installed current one when no file is given.
    Verify {
        /// The component file; its signature is `<file>.sig`.
        file: Option<PathBuf>,
    },
    /// Make the previously installed component current again.
    Rollback,
    /// Trust components signed by this ed25519 public key (64 hex digits).
    Trust {
        /// The publisher's public key.
        key: String,
    },
    /// Trust one exact component by its SHA-256 digest, signed or not.
    Pin {
        /// The digest, as `component list` or `audit` show it.
        digest: String,
    },
    /// Create a publisher key pair: the secret goes to a new file, the public key to stdout.
    Keygen {
        /// Where to write the secret key (created with owner-only permissions).
        #[arg(long)]
        out: PathBuf,
    },
    /// Sign a component, writing `<file>.sig`, with the secret key from `--key` or the
    /// FLORA_MCP_SIGNING_KEY environment variable (64 hex digits).
    Sign {
        /// The component file.
        file: PathBuf,
        /// A secret key file written by `keygen`.
        #[arg(long)]
        key: Option<PathBuf>,
    },
}

impl Cli {
    /// Parses the process's arguments and environment, noting which settings they gave, so
    /// that the settings file fills in only the rest. Exits with clap's message on bad usage.
    pub fn from_process() -> Cli {
        let matches = Cli::command().get_matches();
        let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
        cli.serve.given = given(&matches);
        cli
    }
}

/// The ids of the settings given by a flag or an environment variable, anywhere on the line.
fn given(matches: &ArgMatches) -> BTreeSet<String> {
    let mut given = BTreeSet::new();
    let mut level = Some(matches);
    while let Some(m) = level {
        for id in m.ids() {
            if matches!(
                m.value_source(id.as_str()),
                Some(ValueSource::CommandLine | ValueSource::EnvVariable)
            ) {
                given.insert(id.as_str().to_owned());
            }
        }
        level = m.subcommand().map(|(_, sub)| sub);
    }
    given
}

/// Settings of `serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Read settings from this TOML file instead of `config.toml` in the per-user configuration
    /// folder. Flags and environment variables take precedence over the file.
    #[arg(long, env = "FLORA_MCP_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Base URL of the FLORA REST API. Plain http is accepted for loopback addresses only.
    #[arg(long, env = "FLORA_BASE_URL", default_value = config::DEFAULT_API_BASE, global = true)]
    pub api_base: String,
    /// Default workspace (`ws_…`) for tools that take a workspace_id.
    #[arg(long, env = "FLORA_WORKSPACE_ID", global = true)]
    pub workspace: Option<String>,
    /// Run this component file instead of the built-in one (for development).
    #[arg(long, env = "FLORA_MCP_COMPONENT", global = true)]
    pub component: Option<PathBuf>,
    /// Folder for installed components, trusted keys and pins.
    #[arg(long, env = "FLORA_MCP_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
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
    /// Refuse any single run whose price is above this many USD (checked before anything is
    /// created).
    #[arg(long, env = "FLORA_MCP_MAX_RUN_COST", global = true)]
    pub max_run_cost: Option<f64>,
    /// Offer only tools that cannot spend or change anything at FLORA.
    /// Accepts true/false, 1/0, yes/no, on/off from the environment.
    #[arg(long, env = "FLORA_MCP_READ_ONLY", global = true,
        value_parser = clap::builder::BoolishValueParser::new(),
        action = clap::ArgAction::SetTrue)]
    pub read_only: bool,
    /// Tool groups offered beside the always-on `core` set: a comma list such as
    /// `canvas,library`, or `all`. Unknown names are refused at startup, listing the valid ones.
    #[arg(
        long,
        env = "FLORA_MCP_TOOLSETS",
        default_value = "core",
        global = true
    )]
    pub toolsets: String,
    /// How many tool calls may run at once; more wait for a free slot.
    #[arg(long, env = "FLORA_MCP_MAX_CALLS", default_value_t = 8, global = true)]
    pub max_concurrent_calls: usize,
    /// Log filter for standard error: error, warn, info, debug, trace, or tracing directives.
    #[arg(long, env = "FLORA_MCP_LOG", default_value = "info", global = true)]
    pub log_level: String,
    /// A folder local files may be uploaded from (repeatable); also FLORA_MCP_ALLOW_DIRS, a
    /// path list (`:`-separated on Unix). The MCP client's roots are added while serving.
    #[arg(long = "allow-dir", value_name = "DIR", global = true)]
    pub allow_dirs: Vec<PathBuf>,
    /// An origin FLORA's upload targets may point at (repeatable); replaces the defaults
    /// (ImageKit upload and Google Cloud Storage). Also FLORA_MCP_STORAGE_ORIGINS, comma-separated.
    #[arg(long = "storage-origin", value_name = "ORIGIN", global = true)]
    pub storage_origins: Vec<String>,
    /// The ids of the settings above that a flag or environment variable gave; the settings
    /// file supplies the others. Empty when parsed without [`Cli::from_process`].
    #[arg(skip)]
    pub given: BTreeSet<String>,
}

impl ServeArgs {
    /// Fills every setting that no flag or environment variable gave from the settings file.
    ///
    /// # Errors
    /// Fails when the settings file cannot be read or holds something it must not; see
    /// [`config::file::load`].
    pub fn apply_file(&mut self) -> anyhow::Result<Option<PathBuf>> {
        let (path, explicit) = match &self.config {
            Some(path) => (path.clone(), true),
            None => match config::file::default_path() {
                Some(path) => (path, false),
                None => return Ok(None),
            },
        };
        let Some(file) = config::file::load(&path, explicit)? else {
            return Ok(None);
        };
        let free = |id: &str| !self.given.contains(id);
        if let Some(v) = file.api_base.filter(|_| free("api_base")) {
            self.api_base = v;
        }
        if let Some(v) = file.workspace.filter(|_| free("workspace")) {
            self.workspace = Some(v);
        }
        if let Some(v) = file.component.filter(|_| free("component")) {
            self.component = Some(v);
        }
        if let Some(v) = file.data_dir.filter(|_| free("data_dir")) {
            self.data_dir = Some(v);
        }
        if let Some(v) = file.no_cache.filter(|_| free("no_cache")) {
            self.no_cache = v;
        }
        if let Some(v) = file.call_timeout.filter(|_| free("call_timeout")) {
            self.call_timeout = v;
        }
        if let Some(v) = file.max_run_cost.filter(|_| free("max_run_cost")) {
            self.max_run_cost = Some(v);
        }
        if let Some(v) = file.read_only.filter(|_| free("read_only")) {
            self.read_only = v;
        }
        if let Some(v) = file
            .max_concurrent_calls
            .filter(|_| free("max_concurrent_calls"))
        {
            self.max_concurrent_calls = v;
        }
        if let Some(v) = file.log_level.filter(|_| free("log_level")) {
            self.log_level = v;
        }
        if let Some(v) = file.toolsets.filter(|_| free("toolsets")) {
            self.toolsets = v.joined();
        }
        // These two are lists that flags and FLORA_MCP_ALLOW_DIRS / FLORA_MCP_STORAGE_ORIGINS
        // build up; the file's list is used only when neither gave any.
        if let Some(v) = file.allow_dirs.filter(|_| {
            self.allow_dirs.is_empty() && std::env::var_os("FLORA_MCP_ALLOW_DIRS").is_none()
        }) {
            self.allow_dirs = v;
        }
        if let Some(v) = file.storage_origins.filter(|_| {
            self.storage_origins.is_empty()
                && std::env::var_os("FLORA_MCP_STORAGE_ORIGINS").is_none()
        }) {
            self.storage_origins = v;
        }
        Ok(Some(path))
    }
}

/// Runs the command line. Returns once serving has ended.
///
/// # Errors
/// Fails on settings that do not make sense, a component that cannot be loaded, or a
/// broken standard output.
pub fn run(mut cli: Cli) -> anyhow::Result<()> {
    // The file may set the log level, so it is read first; its errors are reported once
    // logging is up.
    let file = cli.serve.apply_file();
    crate::logging::init(&cli.serve.log_level)?;
    let mut settings = settings(&cli.serve)?;
    settings.config_file = file?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("start the async runtime")?;
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => runtime.block_on(serve(settings)),
        Command::Audit { json } => audit(&settings, json),
        Command::Status => status(&settings),
        Command::Component(command) => crate::components::cli::run(command, &settings),
    };
    // Calls still in flight when standard input closed are abandoned, not awaited.
    runtime.shutdown_timeout(Duration::from_millis(200));
    result
}

/// Prints the status to stdout; this command does not serve MCP.
fn status(settings: &Settings) -> anyhow::Result<()> {
    use std::io::Write;
    let credential = match &settings.api_key {
        Some(_) => "API key from FLORA_API_KEY",
        None => "none (set FLORA_API_KEY)",
    };
    let show = |p: &Option<PathBuf>| {
        p.as_ref()
            .map_or("none".to_owned(), |p| p.display().to_string())
    };
    let text = format!(
        "component   {} ({})\napi         {}\nworkspace   {}\ncredential  {credential}\n\
         toolsets    {}\ndata        {}\ncache       {}\nsettings    {}\n",
        settings.component.describe(),
        settings.component_reason,
        settings.api.url(),
        settings
            .workspace_id
            .as_deref()
            .unwrap_or("none (the only one the key can use)"),
        settings.toolsets.describe(),
        show(&settings.data_dir),
        show(&settings.cache_dir),
        show(&settings.config_file),
    );
    std::io::stdout()
        .write_all(text.as_bytes())
        .context("write the status")
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
    if let Some(limit) = args.max_run_cost
        && !(limit.is_finite() && limit >= 0.0)
    {
        anyhow::bail!("--max-run-cost must be a number of USD, 0 or more (got {limit})");
    }
    if args.max_concurrent_calls == 0 {
        anyhow::bail!("--max-concurrent-calls must be at least 1");
    }
    if let Some(path) = &args.component
        && !path.is_file()
    {
        anyhow::bail!(
            "the component {} does not exist or is not a file",
            path.display()
        );
    }
    let mut allow_dirs = args.allow_dirs.clone();
    if let Some(list) = std::env::var_os("FLORA_MCP_ALLOW_DIRS") {
        allow_dirs.extend(std::env::split_paths(&list).filter(|p| !p.as_os_str().is_empty()));
    }
    let mut storage = args.storage_origins.clone();
    if let Ok(list) = std::env::var("FLORA_MCP_STORAGE_ORIGINS") {
        storage.extend(
            list.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        );
    }
    if storage.is_empty() {
        storage = config::DEFAULT_STORAGE_ORIGINS.map(str::to_owned).to_vec();
    }
    let storage_origins = storage
        .iter()
        .map(|raw| config::storage_origin(raw))
        .collect::<anyhow::Result<Vec<_>>>()
        .context("check --storage-origin / FLORA_MCP_STORAGE_ORIGINS")?;
    let data_dir = args.data_dir.clone().or_else(config::default_data_dir);
    let (component, component_reason) =
        crate::components::choose(args.component.as_deref(), data_dir.as_deref());
    Ok(Settings {
        api,
        workspace_id,
        api_key,
        component,
        component_reason,
        data_dir,
        cache_dir: if args.no_cache {
            None
        } else {
            config::default_cache_dir()
        },
        call_timeout: Duration::from_secs(args.call_timeout),
        max_concurrent_calls: args.max_concurrent_calls,
        read_only: args.read_only,
        max_run_cost: args.max_run_cost,
        config_file: None,
        toolsets: Toolsets::parse(&args.toolsets)
            .context("check --toolsets / FLORA_MCP_TOOLSETS / `toolsets` in the settings file")?,
        allow_dirs,
        storage_origins,
    })
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let allowed = AllowedDirs::new(&settings.allow_dirs)
        .context("check --allow-dir / FLORA_MCP_ALLOW_DIRS")?;
    let policy = Policy::for_api_and_storage(&settings.api, &settings.storage_origins);
    let egress =
        Egress::new(policy, settings.api_key.clone())?.with_allowed_dirs(Arc::new(allowed));
    let runtime = Arc::new(Runtime::load(
        &settings,
        egress.clone(),
        session(&settings),
    )?);
    let catalog = runtime.catalog().await?;
    settings
        .toolsets
        .check(catalog.iter().map(|tool| tool.toolset.as_str()))?;
    let server = FloraServer::new(runtime, catalog)?
        .read_only(settings.read_only)
        .toolsets(settings.toolsets.clone())
        .with_allowed_dirs(egress.allowed_dirs().clone());
    tracing::info!(api = %settings.api.url(), tools = server.tools().len(),
        component = %settings.component.describe(), "serving MCP on stdio");

    let (sink, stream, writer) = crate::stdio::transport(tokio::io::stdin(), tokio::io::stdout());
    let service = match server.clone().serve((sink, stream)).await {
        Ok(service) => service,
        Err(err) => {
            // The client went away before or during initialization: nothing left to serve.
            tracing::info!("the MCP session ended before it started: {err}");
            return Ok(());
        }
    };
    if !matches!(settings.component, ComponentSource::File(_)) {
        tokio::spawn(watch_installs(
            settings.clone(),
            egress,
            server,
            service.peer().clone(),
        ));
    }
    let reason = service.waiting().await.context("serve MCP")?;
    // Every answer the session produced is queued; make sure it is written before exiting.
    let _ = tokio::time::timeout(Duration::from_secs(5), writer).await;
    tracing::info!(?reason, "standard input closed; exiting");
    Ok(())
}

fn session(settings: &Settings) -> SessionView {
    SessionView {
        method: if settings.api_key.is_some() {
            AuthMethod::ApiKey
        } else {
            AuthMethod::None
        },
        workspace_id: settings.workspace_id.clone(),
        api_base: settings.api.url(),
        max_run_cost: settings.max_run_cost,
    }
}

/// Watches the data folder for a newly installed (or rolled back) component; when one appears
/// and passes its checks, new calls use it, calls in flight finish on the old one, and the
/// client is told the tool list changed.
async fn watch_installs(
    settings: Settings,
    egress: Egress,
    server: FloraServer,
    peer: rmcp::Peer<rmcp::RoleServer>,
) {
    let Some(data_dir) = settings.data_dir.clone() else {
        return;
    };
    let store = crate::components::Store::new(&data_dir);
    let interval = std::env::var("FLORA_MCP_WATCH_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(Duration::from_secs(2), Duration::from_millis);
    let mut seen = store.current().ok().flatten();
    loop {
        tokio::time::sleep(interval).await;
        let now = store.current().ok().flatten();
        if now == seen {
            continue;
        }
        seen = now;
        let (component, component_reason) = crate::components::choose(None, Some(&data_dir));
        let next = Settings {
            component,
            component_reason,
            ..settings.clone()
        };
        let (egress, session) = (egress.clone(), session(&next));
        let loaded = tokio::task::spawn_blocking(move || {
            Runtime::load(&next, egress, session).map(|runtime| (runtime, next))
        })
        .await;
        let (runtime, next) = match loaded {
            Ok(Ok(pair)) => pair,
            Ok(Err(err)) => {
                tracing::error!("keeping the current component; the new one did not load: {err:#}");
                continue;
            }
            Err(err) => {
                tracing::error!("keeping the current component; loading failed: {err}");
                continue;
            }
        };
        let runtime = Arc::new(runtime);
        match runtime
            .catalog()
            .await
            .and_then(|catalog| server.replace(runtime, catalog))
        {
            Ok(()) => {
                tracing::info!(component = %next.component.describe(),
                    reason = %next.component_reason, "switched to a newly installed component");
                if let Err(err) = peer.notify_tool_list_changed().await {
                    tracing::warn!("could not send tools/list_changed: {err}");
                }
            }
            Err(err) => tracing::error!("keeping the current component: {err:#}"),
        }
    }
}
