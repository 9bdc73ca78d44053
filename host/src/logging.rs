//! Logging setup: `tracing` to standard error only, because standard output carries JSON-RPC.
//!
//! The filter comes from `--log-level` or `FLORA_MCP_LOG` (for example `debug` or
//! `flora_mcp=debug,wasmtime=warn`); the Wasm compiler's own targets stay at `warn` unless named.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber writing to standard error at `level`.
///
/// # Errors
/// Fails when `level` is not a valid filter directive.
pub fn init(level: &str) -> anyhow::Result<()> {
    let directives = format!("warn,flora_mcp={level},cranelift_codegen=warn,wasmtime=warn");
    let directives = if level.contains('=') || level.contains(',') {
        level.to_owned()
    } else {
        directives
    };
    let filter = EnvFilter::try_new(&directives)
        .map_err(|err| anyhow::anyhow!("parse the log level `{level}`: {err}"))?;
    let stderr_is_terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(stderr_is_terminal)
        .try_init()
        .map_err(|err| anyhow::anyhow!("install the logger: {err}"))
}
