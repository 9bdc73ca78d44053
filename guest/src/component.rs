//! The component's face: `wit-bindgen` bindings for the `flora:mcp/flora-tools` world, the
//! export of the tool catalog and call entry point, and the [`Http`] transport over the
//! host-filtered `wasi:http/outgoing-handler`, with local files sent by the host through
//! `flora:mcp/files`.

use crate::catalog::{self, Tool};
use crate::http::{
    FileError, FileInfo, FileRequest, FileSendError, Http, Method, Request, Response,
    TransportError,
};
use crate::prelude::*;
use crate::tools::{self, AuthMethod, Session};

wit_bindgen::generate!({
    path: "../wit",
    world: "flora:mcp/flora-tools",
    generate_all,
});

use exports::flora::mcp::tools::{Guest, ToolDescriptor, ToolOutput};
use flora::mcp::types::{ArgumentProblem, CallError, ResourceLink, ToolAnnotations};
use flora::mcp::{files, session};
use wasi::http::outgoing_handler;
use wasi::http::types::{
    ErrorCode, Fields, IncomingBody, OutgoingBody, OutgoingRequest, RequestOptions, Scheme,
};
use wasi::io::streams::StreamError;

/// Largest response body the tools read; FLORA's JSON answers are far smaller.
const MAX_RESPONSE_BYTES: u64 = 8 * 1024 * 1024;
/// How long to wait for FLORA to start answering, in nanoseconds.
const FIRST_BYTE_TIMEOUT_NS: u64 = 60_000_000_000;

struct Component;

impl Guest for Component {
    fn catalog() -> Vec<ToolDescriptor> {
        let schemas = catalog::output_schemas();
        catalog::all()
            .map(|tool| descriptor(tool, &schemas))
            .collect()
    }

    fn call(name: String, arguments: String) -> Result<ToolOutput, CallError> {
        let session = current_session();
        match tools::call(&name, &arguments, &session, &WasiHttp) {
            Ok(out) => Ok(ToolOutput {
                text: out.text,
                structured: out.structured.map(|v| v.to_string()),
                is_error: out.is_error,
                links: out
                    .links
                    .into_iter()
                    .map(|link| ResourceLink {
                        uri: link.uri,
                        name: link.name,
                        mime_type: link.mime_type,
                        description: link.description,
                    })
                    .collect(),
            }),
            Err(tools::CallError::UnknownTool(name)) => Err(CallError::UnknownTool(name)),
            Err(tools::CallError::InvalidArguments(p)) => {
                Err(CallError::InvalidArguments(ArgumentProblem {
                    field: p.field,
                    expected: p.expected,
                    message: p.message,
                }))
            }
        }
    }
}

export!(Component);

fn descriptor(tool: &Tool, schemas: &serde_json::Value) -> ToolDescriptor {
    ToolDescriptor {
        name: tool.name.to_owned(),
        title: tool.title.to_owned(),
        description: tool.description.to_owned(),
        input_schema: crate::schema::object_schema(tool.params).to_string(),
        output_schema: Some(schemas[tool.output_schema].to_string()),
        annotations: ToolAnnotations {
            read_only: tool.annotations.read_only,
            destructive: tool.annotations.destructive,
            idempotent: tool.annotations.idempotent,
            open_world: tool.annotations.open_world,
        },
        toolset: tool.toolset.to_owned(),
    }
}

fn current_session() -> Session {
    let info = session::current();
    Session {
        method: match info.method {
            session::AuthMethod::None => AuthMethod::None,
            session::AuthMethod::ApiKey => AuthMethod::ApiKey,
            session::AuthMethod::Oauth => AuthMethod::Oauth,
        },
        workspace_id: info.workspace_id,
        api_base: info.api_base,
        max_run_cost: info.max_run_cost,
    }
}

/// The transport over `wasi:http`.
struct WasiHttp;

impl Http for WasiHttp {
    fn inspect_file(&self, path: &str) -> Result<FileInfo, FileError> {
        files::inspect(path)
            .map(|info| FileInfo {
                size: info.size,
                media_type: info.media_type,
                file_name: info.file_name,
            })
            .map_err(file_error)
    }

    fn send_file(&self, request: FileRequest) -> Result<Response, FileSendError> {
        let request = files::FileRequest {
            method: request.method,
            url: request.url,
            headers: request.headers,
            path: request.path,
            form: request.form.map(|form| files::MultipartForm {
                fields: form.fields,
                file_field: form.file_field,
                file_name: form.file_name,
            }),
        };
        match files::send(&request) {
            Ok(answer) => Ok(Response {
                status: answer.status,
                headers: answer.headers,
                body: answer.body,
            }),
            Err(files::SendError::File(err)) => Err(FileSendError::File(file_error(err))),
            Err(files::SendError::Denied(why)) => {
                Err(FileSendError::Transport(TransportError::Denied(why)))
            }
            Err(files::SendError::Unreachable(why)) => {
                Err(FileSendError::Transport(TransportError::Unreachable(why)))
            }
            Err(files::SendError::Timeout) => {
                Err(FileSendError::Transport(TransportError::Timeout))
            }
            Err(files::SendError::Changed) => Err(FileSendError::Changed),
        }
    }

    fn sleep_ms(&self, ms: u64) {
        wasi::clocks::monotonic_clock::subscribe_duration(ms.saturating_mul(1_000_000)).block();
    }

    fn random_u64(&self) -> u64 {
        wasi::random::random::get_random_u64()
    }

    fn now_ms(&self) -> u64 {
        wasi::clocks::monotonic_clock::now() / 1_000_000
    }

    fn progress(&self, done: f64, total: Option<f64>, message: &str) {
        flora::mcp::progress::report(done, total, Some(message));
    }

    fn send(&self, request: Request) -> Result<Response, TransportError> {
        let (scheme, authority, path) = split_url(&request.url)
            .ok_or_else(|| TransportError::Other(format!("malformed URL {}", request.url)))?;
        let headers = Fields::new();
        for (name, value) in &request.headers {
            headers
                .append(name, value.as_bytes())
                .map_err(|e| TransportError::Other(format!("header {name}: {e:?}")))?;
        }
        if let Some(body) = &request.body {
            let len = body.len().to_string();
            headers
                .append("content-length", len.as_bytes())
                .map_err(|e| TransportError::Other(format!("content-length: {e:?}")))?;
        }
        let outgoing = OutgoingRequest::new(headers);
        let method = match request.method {
            Method::Get => wasi::http::types::Method::Get,
            Method::Post => wasi::http::types::Method::Post,
            Method::Put => wasi::http::types::Method::Put,
            Method::Patch => wasi::http::types::Method::Patch,
            Method::Delete => wasi::http::types::Method::Delete,
        };
        let set = outgoing.set_method(&method).is_ok()
            && outgoing.set_scheme(Some(&scheme)).is_ok()
            && outgoing.set_authority(Some(authority)).is_ok()
            && outgoing.set_path_with_query(Some(path)).is_ok();
        if !set {
            return Err(TransportError::Other(format!(
                "unusable URL {}",
                request.url
            )));
        }
        let body = outgoing
            .body()
            .map_err(|()| other("the request body was taken twice"))?;
        let options = RequestOptions::new();
        let _ = options.set_first_byte_timeout(Some(FIRST_BYTE_TIMEOUT_NS));
        let pending = outgoing_handler::handle(outgoing, Some(options)).map_err(transport)?;
        write_body(body, request.body.as_deref().unwrap_or_default())?;

        pending.subscribe().block();
        let response = match pending.get() {
            Some(Ok(Ok(response))) => response,
            Some(Ok(Err(code))) => return Err(transport(code)),
            Some(Err(())) | None => return Err(other("the response was lost")),
        };
        let status = response.status();
        let headers = response
            .headers()
            .entries()
            .into_iter()
            .map(|(name, value)| {
                (
                    name.to_ascii_lowercase(),
                    String::from_utf8_lossy(&value).into_owned(),
                )
            })
            .collect();
        let incoming = response
            .consume()
            .map_err(|()| other("the response body was taken"))?;
        let body = read_body(incoming)?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// Writes `bytes` within the stream's write budget (`check-write`), then finishes the body.
fn write_body(body: OutgoingBody, bytes: &[u8]) -> Result<(), TransportError> {
    {
        let stream = body
            .write()
            .map_err(|()| other("the request stream was taken"))?;
        let mut rest = bytes;
        while !rest.is_empty() {
            let budget = loop {
                match stream.check_write() {
                    Ok(0) => stream.subscribe().block(),
                    Ok(n) => break n,
                    Err(e) => return Err(stream_error(e)),
                }
            };
            let take = rest
                .len()
                .min(usize::try_from(budget).unwrap_or(usize::MAX));
            stream.write(&rest[..take]).map_err(stream_error)?;
            rest = &rest[take..];
        }
        stream.blocking_flush().map_err(stream_error)?;
    }
    OutgoingBody::finish(body, None).map_err(transport)
}

fn read_body(incoming: IncomingBody) -> Result<Vec<u8>, TransportError> {
    let mut out = Vec::new();
    {
        let stream = incoming
            .stream()
            .map_err(|()| other("the response stream was taken"))?;
        loop {
            match stream.blocking_read(64 * 1024) {
                Ok(chunk) => {
                    out.extend_from_slice(&chunk);
                    if out.len() as u64 > MAX_RESPONSE_BYTES {
                        return Err(TransportError::TooLarge(MAX_RESPONSE_BYTES));
                    }
                }
                Err(StreamError::Closed) => break,
                Err(e) => return Err(stream_error(e)),
            }
        }
    }
    drop(IncomingBody::finish(incoming));
    Ok(out)
}

/// Splits `scheme://authority/path?query` into its three parts.
fn split_url(url: &str) -> Option<(Scheme, &str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = match scheme {
        "https" => Scheme::Https,
        "http" => Scheme::Http,
        _ => return None,
    };
    let slash = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(slash);
    Some((scheme, authority, if path.is_empty() { "/" } else { path }))
}

fn file_error(err: files::FileError) -> FileError {
    match err {
        files::FileError::NotAllowed(why) => FileError::NotAllowed(why),
        files::FileError::NotFound => FileError::NotFound,
        files::FileError::NotAFile => FileError::NotAFile,
        files::FileError::Empty => FileError::Empty,
        files::FileError::UnsupportedType(claimed) => FileError::UnsupportedType(claimed),
        files::FileError::TooLarge(limit) => FileError::TooLarge(limit),
        files::FileError::Unreadable(why) => FileError::Unreadable(why),
    }
}

fn other(what: &str) -> TransportError {
    TransportError::Other(what.to_owned())
}

fn stream_error(err: StreamError) -> TransportError {
    match err {
        StreamError::LastOperationFailed(e) => TransportError::Other(e.to_debug_string()),
        StreamError::Closed => other("the stream closed early"),
    }
}

fn transport(code: ErrorCode) -> TransportError {
    let unreachable = |why: &str| TransportError::Unreachable(why.to_owned());
    match code {
        ErrorCode::HttpRequestDenied => {
            TransportError::Denied("the destination is outside the allowed FLORA API".to_owned())
        }
        ErrorCode::DnsTimeout
        | ErrorCode::ConnectionTimeout
        | ErrorCode::ConnectionReadTimeout
        | ErrorCode::ConnectionWriteTimeout
        | ErrorCode::HttpResponseTimeout => TransportError::Timeout,
        ErrorCode::DnsError(_) | ErrorCode::DestinationNotFound => {
            unreachable("the host name did not resolve")
        }
        ErrorCode::DestinationUnavailable
        | ErrorCode::DestinationIpProhibited
        | ErrorCode::DestinationIpUnroutable => unreachable("the destination is unavailable"),
        ErrorCode::ConnectionRefused => unreachable("the connection was refused"),
        ErrorCode::ConnectionTerminated => unreachable("the connection was closed early"),
        ErrorCode::TlsProtocolError | ErrorCode::TlsCertificateError => {
            unreachable("the TLS handshake failed")
        }
        ErrorCode::TlsAlertReceived(_) => unreachable("the server ended the TLS handshake"),
        ErrorCode::HttpResponseBodySize(_) => TransportError::TooLarge(MAX_RESPONSE_BYTES),
        other => TransportError::Other(format!("{other:?}")),
    }
}
