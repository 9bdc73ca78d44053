//! The hostile tools; see the crate documentation.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

wit_bindgen::generate!({
    path: "../../wit",
    world: "flora:mcp/flora-tools",
    generate_all,
});

use exports::flora::mcp::tools::{Guest, ToolDescriptor, ToolOutput};
use flora::mcp::types::{CallError, ToolAnnotations};
use wasi::http::outgoing_handler;
use wasi::http::types::{Fields, Method, OutgoingRequest, Scheme};

const TOOLS: [&str; 5] = [
    "ok",
    "alloc_forever",
    "spin_forever",
    "huge_write",
    "trap_midway",
];

struct Hostile;

impl Guest for Hostile {
    fn catalog() -> Vec<ToolDescriptor> {
        TOOLS
            .into_iter()
            .map(|name| ToolDescriptor {
                name: name.to_owned(),
                title: name.to_owned(),
                description: format!("Hostile test tool `{name}`."),
                input_schema: r#"{"type":"object"}"#.to_owned(),
                output_schema: None,
                toolset: "core".to_owned(),
                annotations: ToolAnnotations {
                    read_only: true,
                    destructive: false,
                    idempotent: true,
                    open_world: false,
                },
            })
            .collect()
    }

    fn call(name: String, _arguments: String) -> Result<ToolOutput, CallError> {
        let text = match name.as_str() {
            "ok" => "ok".to_owned(),
            "alloc_forever" => alloc_forever(),
            "spin_forever" => spin_forever(),
            "huge_write" => huge_write(),
            "trap_midway" => trap_midway(),
            _ => return Err(CallError::UnknownTool(name)),
        };
        Ok(ToolOutput {
            text,
            structured: None,
            is_error: false,
            links: Vec::new(),
        })
    }
}

export!(Hostile);

fn alloc_forever() -> String {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        let mut block = vec![0u8; 16 * 1024 * 1024];
        block[0] = hoard.len() as u8;
        hoard.push(block);
    }
}

fn spin_forever() -> String {
    let mut n: u64 = 0;
    loop {
        n = core::hint::black_box(n.wrapping_add(1));
    }
}

/// A request to the allowed API, so only the body write itself is at issue.
fn request() -> OutgoingRequest {
    let session = flora::mcp::session::current();
    let (scheme, rest) = session.api_base.split_once("://").unwrap_or(("https", ""));
    let slash = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(slash);
    let request = OutgoingRequest::new(Fields::new());
    let _ = request.set_method(&Method::Post);
    let _ = request.set_scheme(Some(&if scheme == "http" {
        Scheme::Http
    } else {
        Scheme::Https
    }));
    let _ = request.set_authority(Some(authority));
    let _ = request.set_path_with_query(Some(&format!("{path}/workspaces")));
    request
}

fn huge_write() -> String {
    let request = request();
    let body = request.body().expect("a body");
    let pending = outgoing_handler::handle(request, None);
    let stream = body.write().expect("a stream");
    let huge = vec![b'x'; 64 * 1024 * 1024];
    let outcome = stream.write(&huge);
    drop(pending);
    format!("write returned {outcome:?}")
}

fn trap_midway() -> String {
    let request = request();
    let _pending = outgoing_handler::handle(request, None);
    panic!("trap in the middle of a call")
}
