//! FLORA tools for `flora-mcp`, compiled to a WASI component that runs in the host's sandbox.
//!
//! This crate owns the tool table (names, descriptions, schemas, annotations), argument checks,
//! the mapping of each tool onto FLORA's REST API, and the turning of FLORA's answers and errors
//! into tool results. It knows nothing of tokens, files or the MCP wire format: it talks to FLORA
//! through an [`http::Http`] transport, which inside the component is `wasi:http` filtered by the
//! host, and in unit tests is a scripted fake.
//!
//! Everything except `component` and `rt` is plain Rust that builds and tests natively;
//! `component` holds the `wit-bindgen` glue and `rt` the no_std runtime, both only for `wasm32`.
//!
//! On `wasm32` the crate is `no_std`: the Rust standard library on `wasm32-wasip2` would make
//! the component import environment variables, exit and the standard streams, none of which
//! the tools need or the host grants. `alloc` and `core` are all the tools use.

#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

pub mod args;
pub mod catalog;
pub mod http;
mod prelude;
pub mod query;
pub mod render;
pub mod rest;
pub mod schema;
pub mod tools;

#[cfg(all(target_arch = "wasm32", feature = "export"))]
mod component;
#[cfg(target_arch = "wasm32")]
pub mod rt;
