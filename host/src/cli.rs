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
    /// Sign in to FLORA in the browser (OAuth) and keep the sign-in in the OS keychain; with
    /// --api-key, store an API key read from standard input instead.
    Login {
        /// Read a FLORA API key from standard input and store it in the keychain.
        #[arg(long)]
        api_key: bool,
    },
    /// Revoke the stored sign-in at FLORA where possible, then delete it from the keychain.
    Logout,
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
    /// Sign a component, writing `<file>.sig`, with the secret key in the file given with
    /// `--key`, or else in the FLORA_MCP_SIGNING_KEY environment variable (64 hex digits).
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
    /// The OAuth issuer to sign in with when the API names no authorization server.
    #[arg(long, env = "FLORA_OAUTH_ISSUER", default_value = crate::auth::DEFAULT_ISSUER,
        global = true)]
    pub oauth_issuer: String,
    /// A client id registered with the authorization server; without it flora-mcp registers
    /// itself (RFC 7591).
    #[arg(long, env = "FLORA_OAUTH_CLIENT_ID", global = true)]
    pub oauth_client_id: Option<String>,
    /// Loopback port for the sign-in redirect; 0 picks a free one at each sign-in.
    #[arg(
        long,
        env = "FLORA_MCP_OAUTH_CALLBACK_PORT",
        default_value_t = 0,
        global = true
    )]
    pub oauth_callback_port: u16,
    /// Seconds to wait for the person to finish signing in in the browser.
    #[arg(
        long,
        env = "FLORA_MCP_SIGN_IN_TIMEOUT",
        default_value_t = 300,
        global = true
    )]
    pub sign_in_timeout: u64,
    /// Never open a browser from a tool call; tools report the missing sign-in instead.
    #[arg(long, env = "FLORA_MCP_NO_SIGN_IN", global = true,
        value_parser = clap::builder::BoolishValueParser::new(),
        action = clap::ArgAction::SetTrue)]
    pub no_sign_in: bool,
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
        if let Some(v) = file.oauth_issuer.filter(|_| free("oauth_issuer")) {
            self.oauth_issuer = v;
        }
        if let Some(v) = file.oauth_client_id.filter(|_| free("oauth_client_id")) {
            self.oauth_client_id = Some(v);
        }
        if let Some(v) = file
            .oauth_callback_port
            .filter(|_| free("oauth_callback_port"))
        {
            self.oauth_callback_port = v;
        }
        if let Some(v) = file.sign_in_timeout.filter(|_| free("sign_in_timeout")) {
            self.sign_in_timeout = v;
        }
        if let Some(v) = file.no_sign_in.filter(|_| free("no_sign_in")) {
            self.no_sign_in = v;
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
        Command::Status => runtime.block_on(status(&settings)),
        Command::Login { api_key } => runtime.block_on(login(&settings, api_key)),
        Command::Logout => runtime.block_on(logout(&settings)),
        Command::Component(command) => crate::components::cli::run(command, &settings),
    };
    // Calls still in flight when standard input closed are abandoned, not awaited.
    runtime.shutdown_timeout(Duration::from_millis(200));
    result
}

/// Prints the status to stdout; this command does not serve MCP.
async fn status(settings: &Settings) -> anyhow::Result<()> {
    use std::io::Write;
    let credentials = crate::auth::Credentials::new(settings.auth.clone())?;
    let credential = describe_credential(&credentials).await;
    let show = |p: &Option<PathBuf>| {
        p.as_ref()
            .map_or("none".to_owned(), |p| p.display().to_string())
    };
    let facts = credentials.facts();
    let workspace = match (&settings.workspace_id, &facts.workspace_id) {
        (Some(id), _) => id.clone(),
        (None, Some(id)) => format!("{id} (picked at sign-in)"),
        (None, None) => "none (the only one the credential can use)".to_owned(),
    };
    let text = format!(
        "component   {} ({})\napi         {}\nworkspace   {workspace}\ncredential  {credential}\n\
         toolsets    {}\ndata        {}\ncache       {}\nsettings    {}\n",
        settings.component.describe(),
        settings.component_reason,
        settings.api.url(),
        settings.toolsets.describe(),
        show(&settings.data_dir),
        show(&settings.cache_dir),
        show(&settings.config_file),
    );
    std::io::stdout()
        .write_all(text.as_bytes())
        .context("write the status")
}

/// Where the credential comes from, who it is and when it expires; never the secret.
async fn describe_credential(credentials: &crate::auth::Credentials) -> String {
    use crate::auth::Method;
    let facts = match credentials.preload().await {
        Ok(facts) => facts,
        Err(err) => return format!("unknown: {err}"),
    };
    let backend = credentials
        .keychain()
        .map(|k| k.backend().to_string())
        .unwrap_or_else(|err| err.to_string());
    match facts.method {
        Method::EnvApiKey => "API key from FLORA_API_KEY".to_owned(),
        Method::StoredApiKey => format!("API key stored in {backend}"),
        Method::None => "none (run `flora-mcp login`, or set FLORA_API_KEY)".to_owned(),
        Method::OAuth => {
            let expires = match facts.expires_at {
                Some(at) => {
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs());
                    if at > now {
                        format!("access token expires in {} s (at Unix time {at})", at - now)
                    } else {
                        format!("access token expired at Unix time {at}; it is refreshed on use")
                    }
                }
                None => "access token without an expiry".to_owned(),
            };
            format!(
                "OAuth sign-in as {} with {}, stored in {backend}; {expires}",
                facts.account.as_deref().unwrap_or("an unnamed account"),
                facts.issuer.as_deref().unwrap_or("an unknown issuer"),
            )
        }
    }
}

/// `flora-mcp login [--api-key]`.
async fn login(settings: &Settings, api_key: bool) -> anyhow::Result<()> {
    use std::io::{Read, Write};
    let mut auth = settings.auth.clone();
    auth.interactive = true;
    auth.env_key = None;
    let credentials = crate::auth::Credentials::new(auth)?;
    let said = if api_key {
        let mut raw = String::new();
        std::io::stdin()
            .read_to_string(&mut raw)
            .context("read the API key from standard input")?;
        let key = ApiKey::new(&raw).context("read the API key from standard input")?;
        credentials.store_api_key(key).await?;
        let backend = credentials.keychain()?.backend();
        format!("Stored the FLORA API key in {backend}.\n")
    } else {
        let facts = credentials.login().await?;
        format!(
            "Signed in to FLORA as {}{}.\n",
            facts.account.as_deref().unwrap_or("an unnamed account"),
            facts
                .workspace_id
                .map(|w| format!(", workspace {w}"))
                .unwrap_or_default()
        )
    };
    if settings.api_key.is_some() {
        tracing::warn!("FLORA_API_KEY is set and overrides what was stored");
    }
    std::io::stdout()
        .write_all(said.as_bytes())
        .context("write the outcome")
}

/// `flora-mcp logout`.
async fn logout(settings: &Settings) -> anyhow::Result<()> {
    use std::io::Write;
    let credentials = crate::auth::Credentials::new(settings.auth.clone())?;
    let said = credentials.logout().await?;
    std::io::stdout()
        .write_all(format!("Signed out of FLORA: {said}.\n").as_bytes())
        .context("write the outcome")
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
        Err(_) => None,
    };
    if args.sign_in_timeout == 0 {
        anyhow::bail!("--sign-in-timeout must be at least 1 second");
    }
    let issuer = args.oauth_issuer.trim().to_owned();
    crate::auth::discovery::check_url(&issuer, "OAuth issuer (--oauth-issuer)")?;
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
    let auth = crate::auth::AuthSettings {
        api_url: api.url(),
        issuer,
        client_id: args
            .oauth_client_id
            .clone()
            .filter(|id| !id.trim().is_empty()),
        callback_port: args.oauth_callback_port,
        sign_in_timeout: Duration::from_secs(args.sign_in_timeout),
        interactive: !args.no_sign_in,
        lock_dir: data_dir.clone().unwrap_or_else(std::env::temp_dir),
        env_key: api_key.clone(),
    };
    Ok(Settings {
        auth,
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
    let credentials = crate::auth::Credentials::new(settings.auth.clone())?;
    if let Err(err) = credentials.preload().await {
        tracing::warn!("the stored FLORA sign-in cannot be read yet: {err}");
    }
    let policy = Policy::for_api_and_storage(&settings.api, &settings.storage_origins);
    let egress = Egress::new(policy, settings.api_key.clone())?
        .with_allowed_dirs(Arc::new(allowed))
        .with_credentials(credentials.clone());
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
    credentials.set_prompt(Arc::new(crate::mcp::ClientPrompt::new(
        service.peer().clone(),
    )));
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
