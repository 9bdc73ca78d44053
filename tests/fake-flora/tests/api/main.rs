//! Integration tests of the fake FLORA over loopback: each module starts its own fake and talks
//! to it with a plain HTTP client, as the MCP server would.

mod actions;
mod auth;
mod binary;
mod catalog;
mod faults;
mod generations;
mod idempotency;
mod pagination;
mod projects;
mod runs;
mod support;
mod uploads;
mod workspace_canvas;
