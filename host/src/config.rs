//! Settings of a serving process: where FLORA's API is, which workspace is the default, which
//! component to load and how long a call may run, resolved from flags and environment.

pub mod file;

use crate::secrets::ApiKey;
use anyhow::{Context, bail};
use std::path::PathBuf;
use std::time::Duration;
use url::{Host, Url};

/// FLORA's production API base URL.
pub const DEFAULT_API_BASE: &str = "https://app.flora.ai/api/v1";

/// The storage origins FLORA's signed upload targets are known to point at (ImageKit's upload
/// API, and Google Cloud Storage POST policies), per the API reference §5.
pub const DEFAULT_STORAGE_ORIGINS: [&str; 2] = [
    "https://upload.imagekit.io",
    "https://storage.googleapis.com",
];

/// The FLORA API the component may reach: one origin and one path prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiBase {
    /// `https` or `http` (loopback only).
    pub scheme: String,
    /// Lowercase host without a trailing dot; IPv6 without brackets.
    pub host: String,
    /// Port, explicit or the scheme's default.
    pub port: u16,
    /// Path prefix with a trailing slash, such as `/api/v1/`.
    pub path_prefix: String,
}

impl ApiBase {
    /// Parses and checks an API base URL.
    ///
    /// # Errors
    /// Fails for a URL that does not parse, that is not `https` (plain `http` is allowed only
    /// to a loopback address, for the local fake FLORA), that carries a user name, password,
    /// query or fragment, or that has no host.
    pub fn parse(raw: &str) -> anyhow::Result<ApiBase> {
        let url =
            Url::parse(raw.trim()).with_context(|| format!("parse the API base URL {raw}"))?;
        if !url.username().is_empty() || url.password().is_some() {
            bail!("the API base URL {url} must not contain a user name or password");
        }
        if url.query().is_some() || url.fragment().is_some() {
            bail!("the API base URL {url} must not have a query or fragment");
        }
        let host = match url.host() {
            Some(Host::Domain(d)) => d.trim_end_matches('.').to_ascii_lowercase(),
            Some(Host::Ipv4(ip)) => ip.to_string(),
            Some(Host::Ipv6(ip)) => ip.to_string(),
            None => bail!("the API base URL {url} has no host"),
        };
        let loopback = match url.host() {
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            _ => host == "localhost",
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => bail!("the API base URL {url} must use https (http is for loopback only)"),
            other => bail!("the API base URL {url} has scheme {other}; use https"),
        }
        let port = url
            .port_or_known_default()
            .context("the API base URL has no port")?;
        let mut path_prefix = url.path().to_owned();
        if !path_prefix.ends_with('/') {
            path_prefix.push('/');
        }
        Ok(ApiBase {
            scheme: url.scheme().to_owned(),
            host,
            port,
            path_prefix,
        })
    }

    /// The base URL as the component sees it, without a trailing slash.
    pub fn url(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let default_port = if self.scheme == "https" { 443 } else { 80 };
        let port = if self.port == default_port {
            String::new()
        } else {
            format!(":{}", self.port)
        };
        format!(
            "{}://{host}{port}{}",
            self.scheme,
            self.path_prefix.trim_end_matches('/')
        )
    }
}

/// Which component to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComponentSource {
    /// The one embedded in this binary at build time.
    Builtin,
    /// A file given with `--component`.
    File(PathBuf),
    /// The verified component installed in the data folder.
    Installed {
        /// Its SHA-256 in hex.
        digest: String,
        /// Where its bytes are.
        path: PathBuf,
    },
}

impl ComponentSource {
    /// The component's bytes.
    ///
    /// # Errors
    /// Fails when a file cannot be read.
    pub fn read(&self) -> anyhow::Result<Vec<u8>> {
        match self {
            ComponentSource::Builtin => Ok(crate::runtime::builtin_component().to_vec()),
            ComponentSource::File(path) | ComponentSource::Installed { path, .. } => {
                std::fs::read(path)
                    .with_context(|| format!("read the component {}", path.display()))
            }
        }
    }

    /// A short description for status and audit output.
    pub fn describe(&self) -> String {
        match self {
            ComponentSource::Builtin => "built in".to_owned(),
            ComponentSource::File(path) => format!("file {} (--component)", path.display()),
            ComponentSource::Installed { digest, .. } => format!("installed {}", &digest[..16]),
        }
    }
}

/// Everything `serve` needs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the credential comes from and how signing in works.
    pub auth: crate::auth::AuthSettings,
    /// The FLORA API.
    pub api: ApiBase,
    /// The default workspace for tools that take `workspace_id`.
    pub workspace_id: Option<String>,
    /// The credential added to requests, if any.
    pub api_key: Option<ApiKey>,
    /// The component.
    pub component: ComponentSource,
    /// Why that component was chosen.
    pub component_reason: String,
    /// The data folder (installed components, trusted keys, pins); `None` when the platform
    /// has none and none was given.
    pub data_dir: Option<PathBuf>,
    /// Where compiled components are cached; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    /// How long one tool call may run before it is stopped.
    pub call_timeout: Duration,
    /// How many tool calls may run at once; more wait for a free slot.
    pub max_concurrent_calls: usize,
    /// Offer only tools that change nothing at FLORA.
    pub read_only: bool,
    /// The spend ceiling per call, in USD.
    pub max_run_cost: Option<f64>,
    /// The settings file that was read, if any.
    pub config_file: Option<PathBuf>,
    /// The toolsets offered beside the always-on `core` set.
    pub toolsets: Toolsets,
    /// Folders local files may be uploaded from (besides the MCP client's roots).
    pub allow_dirs: Vec<PathBuf>,
    /// Origins that upload targets may point at: reachable only by a file body, never with
    /// the credential.
    pub storage_origins: Vec<ApiBase>,
}

/// Parses one storage origin for upload targets: an origin without path, query or user.
///
/// # Errors
/// As [`ApiBase::parse`], and for a URL with a path.
pub fn storage_origin(raw: &str) -> anyhow::Result<ApiBase> {
    let origin = ApiBase::parse(raw).with_context(|| format!("check the storage origin {raw}"))?;
    if origin.path_prefix != "/" {
        bail!("the storage origin {raw} must be an origin only, without a path");
    }
    Ok(origin)
}

/// Which named groups of tools are offered (`--toolsets`, `FLORA_MCP_TOOLSETS`). The `core`
/// toolset is always offered; a component's descriptor names the set of each tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Toolsets {
    /// Every tool of the component (`all`).
    All,
    /// `core` and these sets, sorted, without duplicates, `core` included.
    Named(Vec<String>),
}

impl Default for Toolsets {
    /// `core` only.
    fn default() -> Toolsets {
        Toolsets::Named(vec![CORE_TOOLSET.to_owned()])
    }
}

/// The toolset that is always offered.
pub const CORE_TOOLSET: &str = "core";

impl Toolsets {
    /// Parses a comma-separated list such as `canvas,library` or `all`; blank means `core`.
    ///
    /// # Errors
    /// Fails for a name that is not lowercase letters, digits and `_`, or `all` mixed with
    /// other names. Whether a name exists is checked against the component's catalog once it
    /// is loaded ([`Toolsets::check`]).
    pub fn parse(raw: &str) -> anyhow::Result<Toolsets> {
        let names: Vec<String> = raw
            .split(',')
            .map(|n| n.trim().to_ascii_lowercase())
            .filter(|n| !n.is_empty())
            .collect();
        if names.iter().any(|n| n == "all") {
            if names.len() > 1 {
                bail!("--toolsets `all` already includes every toolset; give it alone");
            }
            return Ok(Toolsets::All);
        }
        if let Some(bad) = names.iter().find(|n| {
            !n.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        }) {
            bail!("the toolset name `{bad}` is not valid (lowercase letters, digits and `_`)");
        }
        let mut names = names;
        names.push(CORE_TOOLSET.to_owned());
        names.sort();
        names.dedup();
        Ok(Toolsets::Named(names))
    }

    /// Whether a tool of toolset `set` (empty counts as `core`) is offered.
    pub fn offers(&self, set: &str) -> bool {
        let set = if set.is_empty() { CORE_TOOLSET } else { set };
        match self {
            Toolsets::All => true,
            Toolsets::Named(names) => names.iter().any(|n| n == set),
        }
    }

    /// Checks every named set against the sets the component's tools carry.
    ///
    /// # Errors
    /// Fails naming the unknown sets and listing the valid ones.
    pub fn check<'a>(&self, known: impl IntoIterator<Item = &'a str>) -> anyhow::Result<()> {
        let Toolsets::Named(names) = self else {
            return Ok(());
        };
        let mut valid: Vec<&str> = known
            .into_iter()
            .map(|s| if s.is_empty() { CORE_TOOLSET } else { s })
            .chain([CORE_TOOLSET])
            .collect();
        valid.sort_unstable();
        valid.dedup();
        let unknown: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|n| !valid.contains(n))
            .collect();
        if !unknown.is_empty() {
            bail!(
                "unknown toolset {} (--toolsets / FLORA_MCP_TOOLSETS); valid toolsets: {}, all",
                unknown
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                valid.join(", ")
            );
        }
        Ok(())
    }

    /// `core, canvas` or `all`, for status and audit output.
    pub fn describe(&self) -> String {
        match self {
            Toolsets::All => "all".to_owned(),
            Toolsets::Named(names) => names.join(", "),
        }
    }
}

/// Checks a default workspace id.
///
/// # Errors
/// Fails when the id does not look like a FLORA workspace id (`ws_…`).
pub fn workspace_id(raw: &str) -> anyhow::Result<String> {
    let id = raw.trim();
    if !id.starts_with("ws_") || id.len() < 4 || id.chars().any(char::is_whitespace) {
        bail!("the default workspace `{id}` is not a FLORA workspace id (`ws_…`)");
    }
    Ok(id.to_owned())
}

/// The per-user data folder, if the platform has one.
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("ai", "flora", "flora-mcp").map(|d| d.data_dir().to_owned())
}

/// The per-user cache folder for compiled components, if the platform has one.
pub fn default_cache_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("ai", "flora", "flora-mcp").map(|d| d.cache_dir().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_base_splits_into_origin_and_prefix() {
        let base = ApiBase::parse(DEFAULT_API_BASE).unwrap();
        assert_eq!((base.host.as_str(), base.port), ("app.flora.ai", 443));
        assert_eq!(base.path_prefix, "/api/v1/");
        assert_eq!(base.url(), DEFAULT_API_BASE);
    }

    #[test]
    fn plain_http_is_only_for_loopback() {
        assert!(ApiBase::parse("http://127.0.0.1:8080/api/v1").is_ok());
        assert!(ApiBase::parse("http://[::1]:8080/api/v1").is_ok());
        let err = ApiBase::parse("http://app.flora.ai/api/v1").unwrap_err();
        assert!(err.to_string().contains("https"));
    }

    #[test]
    fn hosts_are_normalised_and_credentials_refused() {
        let base = ApiBase::parse("https://APP.Flora.AI./api/v1/").unwrap();
        assert_eq!(base.host, "app.flora.ai");
        assert!(ApiBase::parse("https://user:pw@app.flora.ai/api/v1").is_err());
        assert!(ApiBase::parse("https://app.flora.ai/api/v1?x=1").is_err());
    }

    #[test]
    fn toolsets_parse_with_core_always_on_and_all_alone() {
        assert_eq!(Toolsets::parse("").unwrap(), Toolsets::default());
        let sets = Toolsets::parse(" Canvas, library,canvas ").unwrap();
        assert_eq!(
            sets,
            Toolsets::Named(vec!["canvas".into(), "core".into(), "library".into()])
        );
        assert!(sets.offers("core") && sets.offers("") && sets.offers("canvas"));
        assert!(!sets.offers("feedback"));
        assert_eq!(Toolsets::parse("all").unwrap(), Toolsets::All);
        assert!(Toolsets::parse("all,canvas").is_err());
        assert!(Toolsets::parse("can vas").is_err());
    }

    #[test]
    fn unknown_toolsets_are_named_with_the_valid_ones() {
        let sets = Toolsets::parse("canvas,nope").unwrap();
        let err = sets.check(["core", "canvas", "library"]).unwrap_err();
        let err = err.to_string();
        assert!(err.contains("`nope`") && !err.contains("`canvas`"), "{err}");
        assert!(err.contains("canvas, core, library, all"), "{err}");
        assert!(Toolsets::All.check(["core"]).is_ok());
    }

    #[test]
    fn storage_origins_are_origins_only() {
        for raw in DEFAULT_STORAGE_ORIGINS {
            assert_eq!(storage_origin(raw).unwrap().path_prefix, "/");
        }
        assert!(storage_origin("http://127.0.0.1:9/").is_ok());
        assert!(storage_origin("https://storage.googleapis.com/bucket").is_err());
        assert!(storage_origin("http://storage.googleapis.com").is_err());
    }

    #[test]
    fn workspace_ids_must_look_like_workspace_ids() {
        assert_eq!(workspace_id(" ws_abc ").unwrap(), "ws_abc");
        assert!(workspace_id("abc").is_err());
    }
}
