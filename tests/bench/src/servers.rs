//! The contenders: how to start our `flora-mcp` and the official `flora-mcp@0.11.0` npm server
//! against the fake FLORA, each with a clean, hermetic environment, and the equivalent tool call
//! on each.
//!
//! The official server is started so that it reaches nothing but the fake: its code tool runs
//! locally in Deno (`--code-execution-mode local`, Deno allowed only the fake's host), its docs
//! search uses its built-in index (`--docs-search-mode local`), Deno's update check is off, and
//! the two hosted endpoints it could call are pointed at the fake as a safety net.

use crate::mcp::Spec;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// The fake FLORA's key; it exists only inside the fake.
pub const FAKE_API_KEY: &str = "sk_test_fake_0000000000000000";

/// Folders the bench reads and writes.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The workspace root.
    pub root: PathBuf,
    /// `target/bench`: results, logs, caches, the official server's install.
    pub out: PathBuf,
}

impl Paths {
    /// The workspace that holds this crate.
    pub fn from_workspace() -> Paths {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let root = root.canonicalize().unwrap_or(root);
        let out = root.join("target/bench");
        Paths { root, out }
    }

    /// `target/release/<name>`.
    pub fn release_binary(&self, name: &str) -> PathBuf {
        self.root.join("target/release").join(name)
    }

    /// The built component the host embeds.
    pub fn component(&self) -> PathBuf {
        self.root
            .join("target/wasm32-wasip2/release/flora_guest.wasm")
    }

    /// The throwaway npm folder holding the official server.
    pub fn official(&self) -> PathBuf {
        self.out.join("official")
    }

    /// The official server's entry point, if it is installed.
    pub fn official_entry(&self) -> Option<PathBuf> {
        let entry = self.official().join("node_modules/flora-mcp/index.js");
        entry.is_file().then_some(entry)
    }
}

/// Variables every server gets: a private home and the system `PATH`, nothing else inherited.
fn base_env(paths: &Paths, api_base: &str) -> Vec<(String, String)> {
    let home = paths.out.join("home");
    let _ = std::fs::create_dir_all(&home);
    vec![
        ("HOME".into(), home.display().to_string()),
        ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
        ("LANG".into(), "C.UTF-8".into()),
        ("FLORA_BASE_URL".into(), api_base.into()),
        ("FLORA_API_KEY".into(), FAKE_API_KEY.into()),
    ]
}

/// Our server: the release binary, the built-in component, a private data folder (so no
/// installed component is picked up) and a private compile cache. `extra` adds flags.
pub fn ours(paths: &Paths, api_base: &str, extra: &[&str]) -> Spec {
    let mut env = base_env(paths, api_base);
    env.extend([
        ("FLORA_MCP_LOG".into(), "warn".into()),
        // Never a browser, and any authorization-server lookup stays on the fake.
        ("FLORA_MCP_NO_SIGN_IN".into(), "1".into()),
        (
            "FLORA_OAUTH_ISSUER".into(),
            api_base.trim_end_matches("/api/v1").to_owned(),
        ),
        (
            "FLORA_MCP_DATA_DIR".into(),
            paths.out.join("data").display().to_string(),
        ),
        (
            "XDG_CACHE_HOME".into(),
            paths.out.join("cache").display().to_string(),
        ),
    ]);
    Spec {
        label: "flora-mcp".into(),
        program: paths.release_binary("flora-mcp"),
        args: extra.iter().map(|&a| a.to_owned()).collect(),
        env,
        log: paths.out.join("logs/flora-mcp.log"),
    }
}

/// How the official server is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficialMode {
    /// As `npx flora-mcp` starts it: code and docs tools served by Stainless's hosted services
    /// (which it does not contact until a tool is called, and which the bench never calls).
    Default,
    /// Everything local: code runs in Deno on this machine, docs come from the built-in index.
    Offline,
}

/// The official server under `node`, or `None` when it or `node` is missing.
pub fn official(paths: &Paths, api_base: &str, mode: OfficialMode) -> Option<Spec> {
    let entry = paths.official_entry()?;
    let node = find_in_path("node")?;
    let bin = paths.official().join("node_modules/.bin");
    let mut env = base_env(paths, api_base);
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let unused = format!(
        "{}/bench-unused-hosted-endpoint",
        api_base.trim_end_matches('/')
    );
    env.retain(|(k, _)| k != "PATH");
    env.extend([
        ("PATH".into(), path),
        // Its command line requires OAuth client settings even for stdio, where they go unused.
        ("MCP_SERVER_OAUTH_CLIENT_ID".into(), "unused".into()),
        ("MCP_SERVER_OAUTH_CLIENT_SECRET".into(), "unused".into()),
        ("CODE_MODE_ENDPOINT_URL".into(), unused.clone()),
        ("DOCS_SEARCH_URL".into(), unused),
        ("DENO_NO_UPDATE_CHECK".into(), "1".into()),
        (
            "DENO_DIR".into(),
            paths.official().join("deno-dir").display().to_string(),
        ),
        ("NO_COLOR".into(), "1".into()),
    ]);
    let mut args = vec![entry.display().to_string()];
    let label = match mode {
        OfficialMode::Default => "official",
        OfficialMode::Offline => {
            args.extend(
                [
                    "--code-execution-mode",
                    "local",
                    "--docs-search-mode",
                    "local",
                ]
                .map(String::from),
            );
            "official (offline)"
        }
    };
    Some(Spec {
        label: label.into(),
        program: node,
        args,
        env,
        log: paths.out.join("logs/official.log"),
    })
}

/// The equivalent tool call on each server: fetch the `cctv-cam` Technique.
pub struct ToolCall {
    /// Tool name.
    pub name: &'static str,
    /// Its arguments.
    pub arguments: Value,
    /// Text the result must contain.
    pub expect: &'static str,
}

/// `retrieve_technique` of `cctv-cam`.
pub fn our_call() -> ToolCall {
    ToolCall {
        name: "retrieve_technique",
        arguments: json!({ "technique_id": "cctv-cam" }),
        expect: "tech_cctv-cam",
    }
}

/// The official server's only way to call FLORA: `execute` with SDK code doing the same GET.
pub fn official_call() -> ToolCall {
    ToolCall {
        name: "execute",
        arguments: json!({
            "code": "async function run(client) {\n  \
                     return await client.techniques.retrieve('cctv-cam');\n}",
            "intent": "get the cctv-cam technique",
        }),
        expect: "tech_cctv-cam",
    }
}

/// The official server's docs search, which needs no FLORA call at all.
pub fn official_docs_call() -> ToolCall {
    ToolCall {
        name: "search_docs",
        arguments: json!({ "query": "retrieve a technique", "language": "typescript" }),
        expect: "techniques",
    }
}

/// `name` in the `PATH` of this process.
pub fn find_in_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

/// The `version` field of an installed npm package, if it is there.
pub fn npm_version(paths: &Paths, package: &str) -> Option<String> {
    let manifest = paths
        .official()
        .join("node_modules")
        .join(package)
        .join("package.json");
    let text = std::fs::read_to_string(manifest).ok()?;
    let value: Value = serde_json::from_str(&text).ok()?;
    value.get("version")?.as_str().map(str::to_owned)
}
