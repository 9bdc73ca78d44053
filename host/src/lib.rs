//! `flora-mcp`: a local MCP server for FLORA whose tools run in a WASI sandbox.
//!
//! The binary speaks MCP on stdio ([`mcp`], [`stdio`]), runs each tool call in a fresh instance
//! of the FLORA tool component ([`runtime`]), and grants that component exactly what the
//! `flora:mcp` WIT world names: outbound HTTP filtered by [`egress`], clocks, randomness, a
//! secret-free view of the session, and local files from allowed folders ([`files`]) sent as
//! request bodies without their bytes entering the sandbox. Credentials ([`secrets`]) never
//! leave the host: the egress hook adds them to requests after the component has handed them
//! over.
//!
//! Layering: `mcp` sits on top of `runtime`; `runtime`, `egress`, `secrets` and `config` know
//! nothing of MCP.

#![deny(missing_docs)]

pub mod audit;
pub mod auth;
pub mod cli;
pub mod components;
pub mod config;
pub mod egress;
pub mod files;
pub mod keychain;
pub mod logging;
pub mod mcp;
pub mod runtime;
pub mod secrets;
pub mod stdio;
