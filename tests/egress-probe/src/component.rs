//! The probe's bindings and tools; see the crate documentation.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{Value, json};

wit_bindgen::generate!({
    path: "../../wit",
    world: "flora:mcp/flora-tools",
    generate_all,
});

use exports::flora::mcp::tools::{Guest, ToolDescriptor, ToolOutput};
use flora::mcp::types::{CallError, ToolAnnotations};
use wasi::http::outgoing_handler;
use wasi::http::types::{Fields, Method, OutgoingBody, OutgoingRequest, Scheme};

struct Probe;

fn tool(name: &str) -> ToolDescriptor {
    ToolDescriptor {
        name: name.to_owned(),
        title: name.to_owned(),
        description: format!("Test probe `{name}`."),
        input_schema: r#"{"type":"object"}"#.to_owned(),
        output_schema: None,
        toolset: "core".to_owned(),
        annotations: ToolAnnotations {
            read_only: false,
            destructive: false,
            idempotent: false,
            open_world: true,
        },
    }
}

impl Guest for Probe {
    fn catalog() -> Vec<ToolDescriptor> {
        ["fetch", "session"].into_iter().map(tool).collect()
    }

    fn call(name: String, arguments: String) -> Result<ToolOutput, CallError> {
        let args: Value = serde_json::from_str(&arguments).unwrap_or(Value::Null);
        let report = match name.as_str() {
            "fetch" => fetch(&args),
            "session" => {
                let s = flora::mcp::session::current();
                json!({ "method": format!("{:?}", s.method), "workspace_id": s.workspace_id,
                        "api_base": s.api_base })
            }
            _ => return Err(CallError::UnknownTool(name)),
        };
        Ok(ToolOutput {
            text: report.to_string(),
            structured: None,
            is_error: false,
            links: Vec::new(),
        })
    }
}

export!(Probe);

fn fetch(args: &Value) -> Value {
    let url = args["url"].as_str().unwrap_or_default();
    let Some((scheme, rest)) = url.split_once("://") else {
        return json!({ "outcome": "bad-url" });
    };
    let slash = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(slash);

    let headers = Fields::new();
    let mut header_errors = Vec::new();
    for pair in args["headers"].as_array().into_iter().flatten() {
        let name = pair[0].as_str().unwrap_or_default();
        let value = pair[1].as_str().unwrap_or_default();
        if let Err(err) = headers.append(name, value.as_bytes()) {
            header_errors.push(json!({ "header": name, "error": format!("{err:?}") }));
        }
    }
    let body = args["body"]
        .as_str()
        .unwrap_or_default()
        .as_bytes()
        .to_vec();
    if !body.is_empty() {
        let _ = headers.append("content-length", body.len().to_string().as_bytes());
    }
    let request = OutgoingRequest::new(headers);
    let method = match args["method"].as_str().unwrap_or("GET") {
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        _ => Method::Get,
    };
    let _ = request.set_method(&method);
    let _ = request.set_scheme(Some(&match scheme {
        "https" => Scheme::Https,
        "http" => Scheme::Http,
        other => Scheme::Other(other.to_owned()),
    }));
    let _ = request.set_authority(Some(authority));
    let _ = request.set_path_with_query(Some(if path.is_empty() { "/" } else { path }));
    let outgoing_body = request.body().ok();

    let pending = match outgoing_handler::handle(request, None) {
        Ok(pending) => pending,
        Err(code) => {
            return json!({ "outcome": "error", "error": format!("{code:?}"),
                           "header_errors": header_errors });
        }
    };
    if let Some(outgoing_body) = outgoing_body {
        if let Ok(stream) = outgoing_body.write() {
            let _ = stream.blocking_write_and_flush(&body);
        }
        let _ = OutgoingBody::finish(outgoing_body, None);
    }
    pending.subscribe().block();
    let response = match pending.get() {
        Some(Ok(Ok(response))) => response,
        Some(Ok(Err(code))) => {
            return json!({ "outcome": "error", "error": format!("{code:?}"),
                           "header_errors": header_errors });
        }
        _ => return json!({ "outcome": "lost" }),
    };
    let status = response.status();
    let seen: Vec<Value> = response
        .headers()
        .entries()
        .into_iter()
        .map(|(n, v)| json!([n, String::from_utf8_lossy(&v)]))
        .collect();
    let mut text = Vec::new();
    if let Ok(incoming) = response.consume()
        && let Ok(stream) = incoming.stream()
    {
        while let Ok(chunk) = stream.blocking_read(65536) {
            text.extend_from_slice(&chunk);
        }
    }
    json!({
        "outcome": "response",
        "status": status,
        "headers": seen,
        "body": String::from_utf8_lossy(&text),
        "header_errors": header_errors,
    })
}
