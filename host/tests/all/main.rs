//! Integration tests: the real `flora-mcp` binary, driven over stdio, against the fake FLORA
//! started by each test on 127.0.0.1.

/// Spawning the binary, speaking JSON-RPC to it, and starting the fake FLORA.
mod support;

/// `flora-mcp audit` and the approved-imports gate.
mod audit;
/// The `canvas` toolset against the fake.
mod canvas;
/// Installing, trusting, rolling back and live-swapping components.
mod components;
/// Egress confinement and credential handling, proven with a hostile probe component.
mod egress;
/// `generate` and the run tools against the fake, with progress and cancellation.
mod generations;
/// Hostile components: memory, loops, huge writes, traps, forbidden imports.
mod hostile;
/// OAuth sign-in, refresh, the keychain and the sign-in CLI, against the fake authorization
/// server.
mod oauth;
/// The MCP protocol surface: negotiation, tool listing, refusals.
mod protocol;
/// Projects, assets, actions, library and feedback tools against the fake.
mod resources;
/// The settings file and its precedence below flags and environment variables.
mod settings;
/// Standard input and output: framing, parse errors, shutdown, nothing but JSON-RPC on stdout.
mod stdio;
/// Each FLORA tool against the fake, on success and on failure.
mod tools;
/// Uploading local files and importing URLs: confinement, checks, signed targets, cancellation.
mod uploads;
