//! Settings of a serving process: where FLORA's API is, which workspace is the default, which
//! component to load and how long a call may run, resolved from flags and environment.

use crate::secrets::ApiKey;
use anyhow::{Context, bail};
use std::path::PathBuf;
use std::time::Duration;
use url::{Host, Url};

/// FLORA's production API base URL.
pub const DEFAULT_API_BASE: &str = "https://app.flora.ai/api/v1";

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
    fn workspace_ids_must_look_like_workspace_ids() {
        assert_eq!(workspace_id(" ws_abc ").unwrap(), "ws_abc");
        assert!(workspace_id("abc").is_err());
    }
}
