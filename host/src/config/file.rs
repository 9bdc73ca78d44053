//! The optional settings file, `config.toml`: the same settings as the command-line flags, for
//! people who would rather not repeat them in every MCP client's configuration.
//!
//! Precedence is flag, then environment variable, then this file, then the built-in default.
//! The file never holds a secret: a key that looks like one is refused with a message saying
//! where credentials go instead. Unknown keys are refused too, so a typo is not silently ignored.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Settings read from `config.toml`; every key is optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// `--api-base`.
    pub api_base: Option<String>,
    /// `--workspace`.
    pub workspace: Option<String>,
    /// `--component`.
    pub component: Option<PathBuf>,
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--no-cache`.
    pub no_cache: Option<bool>,
    /// `--call-timeout`, in seconds.
    pub call_timeout: Option<u64>,
    /// `--max-run-cost`, in USD.
    pub max_run_cost: Option<f64>,
    /// `--read-only`.
    pub read_only: Option<bool>,
    /// `--max-concurrent-calls`.
    pub max_concurrent_calls: Option<usize>,
    /// `--log-level`.
    pub log_level: Option<String>,
    /// `--toolsets`: a list of names, or one comma-separated string.
    pub toolsets: Option<Names>,
    /// `--allow-dir`, as a list (`allow-dir` is accepted too, as the flag is spelled).
    #[serde(alias = "allow-dir")]
    pub allow_dirs: Option<Vec<PathBuf>>,
    /// `--storage-origin`, as a list (`storage-origin` is accepted too).
    #[serde(alias = "storage-origin")]
    pub storage_origins: Option<Vec<String>>,
    /// `--oauth-issuer`.
    pub oauth_issuer: Option<String>,
    /// `--oauth-client-id` (a public client's id, not a secret).
    pub oauth_client_id: Option<String>,
    /// `--oauth-callback-port`.
    pub oauth_callback_port: Option<u16>,
    /// `--sign-in-timeout`, in seconds.
    pub sign_in_timeout: Option<u64>,
    /// `--no-sign-in`.
    pub no_sign_in: Option<bool>,
}

/// A list of names, written in the file either as a TOML array or as one comma-separated
/// string (as on the command line).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Names {
    /// `["canvas", "library"]`.
    List(Vec<String>),
    /// `"canvas,library"`.
    Joined(String),
}

impl Names {
    /// The names joined with commas, the command line's form.
    pub fn joined(&self) -> String {
        match self {
            Names::List(names) => names.join(","),
            Names::Joined(joined) => joined.clone(),
        }
    }
}

/// Keys that would put a secret in a plain file; refused with a pointer to the right place.
const SECRET_KEYS: &[&str] = &[
    "api-key",
    "api_key",
    "apikey",
    "token",
    "access-token",
    "refresh-token",
    "client-secret",
    "password",
];

/// Where the settings file is looked for when none is named: `config.toml` in the per-user
/// configuration folder (`~/.config/flora-mcp/` on Linux).
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("ai", "flora", "flora-mcp")
        .map(|d| d.config_dir().join("config.toml"))
}

/// Reads the settings file.
///
/// `explicit` says the path was named by `--config` or `FLORA_MCP_CONFIG`: then a missing file
/// is an error. The default file may be absent, which means no settings from a file.
///
/// # Errors
/// Fails when a named file is missing, when a file cannot be read or is not valid TOML, when it
/// has a key this version does not know or a value of the wrong type (the message names the
/// key and line), or when it holds a secret.
pub fn load(path: &Path, explicit: bool) -> anyhow::Result<Option<ConfigFile>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && !explicit => return Ok(None),
        Err(err) => {
            return Err(err).with_context(|| format!("read the settings file {}", path.display()));
        }
    };
    let mut file =
        parse(&text).with_context(|| format!("read the settings file {}", path.display()))?;
    if let Some(dirs) = &mut file.allow_dirs {
        let base = path.parent().unwrap_or(Path::new("."));
        for dir in dirs.iter_mut() {
            *dir = resolve(dir, base, std::env::var_os("HOME").map(PathBuf::from));
        }
    }
    Ok(Some(file))
}

/// A folder named in the file: `~/…` under `home`, a relative path under the file's folder.
fn resolve(dir: &Path, base: &Path, home: Option<PathBuf>) -> PathBuf {
    if let (Ok(rest), Some(home)) = (dir.strip_prefix("~"), home) {
        return home.join(rest);
    }
    if dir.is_relative() {
        return base.join(dir);
    }
    dir.to_owned()
}

/// Parses the text of a settings file.
///
/// # Errors
/// As [`load`], for the text alone.
pub fn parse(text: &str) -> anyhow::Result<ConfigFile> {
    let table: toml::Table = text.parse().map_err(|err: toml::de::Error| {
        anyhow::anyhow!("not valid TOML: {}", err.message().trim())
    })?;
    if let Some(key) = table
        .keys()
        .find(|key| SECRET_KEYS.contains(&key.to_ascii_lowercase().as_str()))
    {
        bail!(
            "`{key}` does not belong in a settings file, which is plain text: set FLORA_API_KEY \
             in the environment, or store the key in the OS keychain"
        );
    }
    // The error's message names the key; its line is computed here rather than taken from
    // toml's rendering, which quotes the line and so could echo a mistyped secret.
    let file: ConfigFile = toml::from_str(text).map_err(|err| {
        let message = err.message().trim().replace('\n', " ");
        let Some(start) = err.span().map(|span| span.start.min(text.len())) else {
            return anyhow::anyhow!("{message}");
        };
        let line = text[..start].matches('\n').count() + 1;
        let key = text
            .lines()
            .nth(line - 1)
            .and_then(|l| l.split_once('='))
            .map(|(key, _)| key.trim())
            .filter(|key| !key.is_empty() && !message.contains(*key));
        match key {
            Some(key) => anyhow::anyhow!("line {line}: `{key}`: {message}"),
            None => anyhow::anyhow!("line {line}: {message}"),
        }
    })?;
    if let Some(limit) = file.max_run_cost
        && !(limit.is_finite() && limit >= 0.0)
    {
        bail!("`max-run-cost` must be a number of USD, 0 or more (got {limit})");
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_read() {
        let file = parse(
            "api-base = \"http://127.0.0.1:9/api/v1\"\nworkspace = \"ws_1\"\n\
             max-run-cost = 2.5\nread-only = true\ncall-timeout = 30\n\
             max-concurrent-calls = 2\nlog-level = \"debug\"\nno-cache = true\n\
             toolsets = [\"canvas\", \"library\"]\n",
        )
        .unwrap();
        assert_eq!(file.api_base.as_deref(), Some("http://127.0.0.1:9/api/v1"));
        assert_eq!(file.workspace.as_deref(), Some("ws_1"));
        assert_eq!(file.max_run_cost, Some(2.5));
        assert_eq!(file.read_only, Some(true));
        assert_eq!(file.call_timeout, Some(30));
        assert_eq!(file.max_concurrent_calls, Some(2));
        assert_eq!(file.log_level.as_deref(), Some("debug"));
        assert_eq!(file.no_cache, Some(true));
        assert_eq!(file.toolsets.unwrap().joined(), "canvas,library");
        let oauth = parse(
            "oauth-issuer = \"https://id.example\"\noauth-client-id = \"c1\"\n\
             oauth-callback-port = 8765\nsign-in-timeout = 60\nno-sign-in = true\n",
        )
        .unwrap();
        assert_eq!(oauth.oauth_issuer.as_deref(), Some("https://id.example"));
        assert_eq!(oauth.oauth_client_id.as_deref(), Some("c1"));
        assert_eq!(oauth.oauth_callback_port, Some(8765));
        assert_eq!(oauth.sign_in_timeout, Some(60));
        assert_eq!(oauth.no_sign_in, Some(true));
        let joined = parse("toolsets = \"all\"\n").unwrap();
        assert_eq!(joined.toolsets.unwrap().joined(), "all");
    }

    #[test]
    fn an_unknown_key_is_named() {
        let err = parse("max-run-costs = 1\n").unwrap_err().to_string();
        assert!(err.contains("max-run-costs"), "{err}");
    }

    #[test]
    fn a_wrong_type_is_named() {
        let err = parse("log-level = \"info\"\nread-only = \"maybe\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2: `read-only`"), "{err}");
    }

    #[test]
    fn a_secret_is_refused_without_echoing_it() {
        let err = parse("api-key = \"sk_live_canary\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("FLORA_API_KEY"), "{err}");
        assert!(!err.contains("sk_live_canary"), "{err}");
    }

    #[test]
    fn folders_are_resolved_from_home_and_the_files_folder() {
        let home = Some(PathBuf::from("/home/ada"));
        let base = Path::new("/etc/flora");
        assert_eq!(
            resolve(Path::new("~/Pictures"), base, home.clone()),
            PathBuf::from("/home/ada/Pictures")
        );
        assert_eq!(
            resolve(Path::new("renders"), base, home.clone()),
            PathBuf::from("/etc/flora/renders")
        );
        assert_eq!(
            resolve(Path::new("/srv/x"), base, home),
            PathBuf::from("/srv/x")
        );
        let file =
            parse("allow-dirs = [\"/a\", \"b\"]\nstorage-origins = [\"http://127.0.0.1:9\"]\n")
                .unwrap();
        assert_eq!(file.allow_dirs.unwrap().len(), 2);
        assert_eq!(file.storage_origins.unwrap(), vec!["http://127.0.0.1:9"]);
        let singular = parse("allow-dir = [\"/a\"]\nstorage-origin = [\"http://127.0.0.1:9\"]\n");
        assert_eq!(singular.unwrap().allow_dirs.unwrap().len(), 1);
    }

    #[test]
    fn a_negative_ceiling_is_refused() {
        assert!(parse("max-run-cost = -1\n").is_err());
    }

    #[test]
    fn a_missing_default_file_is_no_settings_but_a_missing_named_file_is_an_error() {
        let dir = std::env::temp_dir().join("flora-mcp-config-test-missing");
        let path = dir.join("nope.toml");
        assert_eq!(load(&path, false).unwrap(), None);
        assert!(load(&path, true).is_err());
    }
}
