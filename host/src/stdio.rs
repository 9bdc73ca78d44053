//! The stdio transport: one JSON-RPC message per line on standard input and output.
//!
//! rmcp's own stdio transport silently skips lines that are not JSON; MCP clients and people
//! debugging by hand deserve JSON-RPC's answer instead, so this transport reads lines itself,
//! answers `-32700 parse error` (or `-32600 invalid request` for JSON that is no message), and
//! passes the rest on. One writer task owns standard output, so nothing but whole JSON-RPC lines
//! ever reaches it.

use futures::SinkExt;
use futures::channel::mpsc;
use rmcp::RoleServer;
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use serde_json::{Value, json};
use std::fmt;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};

/// Largest line accepted on standard input.
const MAX_LINE: usize = 64 * 1024 * 1024;
/// How long, after standard input ends, requests already read may take to be answered.
const DRAIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Ids of requests read but not yet answered, so that the end of standard input does not cut
/// off answers still being prepared.
#[derive(Default)]
struct Pending {
    ids: std::sync::Mutex<std::collections::HashSet<String>>,
    changed: tokio::sync::Notify,
}

impl Pending {
    fn update(&self, f: impl FnOnce(&mut std::collections::HashSet<String>)) {
        f(&mut self.ids.lock().unwrap_or_else(|p| p.into_inner()));
        self.changed.notify_waiters();
    }

    fn is_empty(&self) -> bool {
        self.ids
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty()
    }

    async fn drained(&self) {
        loop {
            let changed = self.changed.notified();
            if self.is_empty() {
                return;
            }
            changed.await;
        }
    }
}

/// The writer task; it ends once every answer has been written and the sink is dropped.
pub type Writer = tokio::task::JoinHandle<()>;

/// Standard output has closed, so no more messages can be sent.
#[derive(Debug)]
pub struct OutputClosed(String);

impl fmt::Display for OutputClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "write a JSON-RPC message to standard output: {}", self.0)
    }
}

impl std::error::Error for OutputClosed {}

impl From<mpsc::SendError> for OutputClosed {
    fn from(err: mpsc::SendError) -> OutputClosed {
        OutputClosed(err.to_string())
    }
}

/// The sink rmcp writes responses and notifications to.
pub type MessageSink = std::pin::Pin<
    Box<dyn futures::Sink<TxJsonRpcMessage<RoleServer>, Error = OutputClosed> + Send>,
>;

/// The stream rmcp reads requests and notifications from.
pub type MessageStream = mpsc::Receiver<RxJsonRpcMessage<RoleServer>>;

/// Serves JSON-RPC lines over `input` and `output` (standard input and output in production).
///
/// The returned stream ends when `input` reaches its end or fails.
///
/// When standard input ends, requests already read are still answered (for up to 30 s)
/// before the stream ends; await the returned [`Writer`] to know every answer is written.
pub fn transport<R, W>(input: R, output: W) -> (MessageSink, MessageStream, Writer)
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (line_tx, line_rx) = mpsc::channel::<String>(64);
    let (message_tx, message_rx) = mpsc::channel(64);
    let pending = std::sync::Arc::new(Pending::default());
    let writer = tokio::spawn(write_lines(output, line_rx));
    tokio::spawn(read_lines(
        input,
        message_tx,
        line_tx.clone(),
        pending.clone(),
    ));
    let sink = line_tx.sink_map_err(OutputClosed::from).with(
        move |message: TxJsonRpcMessage<RoleServer>| {
            let line = serde_json::to_string(&message).map_err(|e| OutputClosed(e.to_string()));
            if let Ok(line) = &line
                && let Ok(value) = serde_json::from_str::<Value>(line)
                && value.get("method").is_none()
                && let Some(id) = value.get("id")
            {
                let id = id.to_string();
                pending.update(|ids| {
                    ids.remove(&id);
                });
            }
            futures::future::ready(line)
        },
    );
    (Box::pin(sink), message_rx, writer)
}

async fn write_lines<W: AsyncWrite + Unpin>(mut output: W, mut lines: mpsc::Receiver<String>) {
    use futures::StreamExt;
    while let Some(mut line) = lines.next().await {
        line.push('\n');
        if let Err(err) = output.write_all(line.as_bytes()).await {
            tracing::debug!("standard output closed: {err}");
            return;
        }
        if output.flush().await.is_err() {
            return;
        }
    }
}

async fn read_lines<R: AsyncRead + Unpin>(
    input: R,
    mut messages: mpsc::Sender<RxJsonRpcMessage<RoleServer>>,
    mut replies: mpsc::Sender<String>,
    pending: std::sync::Arc<Pending>,
) {
    read_until_end(input, &mut messages, &mut replies, &pending).await;
    if tokio::time::timeout(DRAIN_TIMEOUT, pending.drained())
        .await
        .is_err()
    {
        tracing::warn!("standard input ended; stopped waiting for unanswered requests");
    }
}

async fn read_until_end<R: AsyncRead + Unpin>(
    input: R,
    messages: &mut mpsc::Sender<RxJsonRpcMessage<RoleServer>>,
    replies: &mut mpsc::Sender<String>,
    pending: &Pending,
) {
    let mut input = BufReader::new(input);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match (&mut input)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)
            .await
        {
            Ok(0) => return,
            Ok(_) => {}
            Err(err) => {
                tracing::debug!("standard input failed: {err}");
                return;
            }
        }
        if buf.len() > MAX_LINE {
            let reply = error_line(Value::Null, -32600, "the message is longer than 64 MiB");
            let _ = replies.send(reply).await;
            skip_rest_of_line(&mut input).await;
            continue;
        }
        let line = trim_line(&buf);
        if line.is_empty() {
            continue;
        }
        match classify(line) {
            Incoming::Message(message) => {
                track(line, pending);
                if messages.send(*message).await.is_err() {
                    return;
                }
            }
            Incoming::Reply(reply) => {
                if replies.send(reply).await.is_err() {
                    return;
                }
            }
            Incoming::Ignore => {}
        }
    }
}

/// Records a request's id as unanswered, or forgets one the client cancelled.
fn track(line: &[u8], pending: &Pending) {
    let Ok(value) = serde_json::from_slice::<Value>(line) else {
        return;
    };
    match (value.get("method").and_then(Value::as_str), value.get("id")) {
        (Some(_), Some(id)) => {
            let id = id.to_string();
            pending.update(|ids| {
                ids.insert(id);
            });
        }
        (Some("notifications/cancelled"), None) => {
            if let Some(id) = value.pointer("/params/requestId") {
                let id = id.to_string();
                pending.update(|ids| {
                    ids.remove(&id);
                });
            }
        }
        _ => {}
    }
}

async fn skip_rest_of_line<R: AsyncRead + Unpin>(input: &mut BufReader<R>) {
    let mut sink = Vec::new();
    loop {
        sink.clear();
        match input.take(1024 * 1024).read_until(b'\n', &mut sink).await {
            Ok(0) | Err(_) => return,
            Ok(_) if sink.ends_with(b"\n") => return,
            Ok(_) => {}
        }
    }
}

fn trim_line(buf: &[u8]) -> &[u8] {
    let line = buf.strip_suffix(b"\n").unwrap_or(buf);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    line.trim_ascii()
}

/// What to do with one input line.
enum Incoming {
    /// A message for rmcp.
    Message(Box<RxJsonRpcMessage<RoleServer>>),
    /// An error line to write back.
    Reply(String),
    /// Nothing: an invalid notification gets no answer.
    Ignore,
}

fn classify(line: &[u8]) -> Incoming {
    let err = match serde_json::from_slice::<RxJsonRpcMessage<RoleServer>>(line) {
        Ok(message) => return Incoming::Message(Box::new(message)),
        Err(err) => err,
    };
    let value = match serde_json::from_slice::<Value>(line) {
        Ok(value) => value,
        Err(_) => {
            tracing::debug!("answering a line that is not JSON with a parse error");
            return Incoming::Reply(error_line(
                Value::Null,
                -32700,
                &format!("parse error: {err}"),
            ));
        }
    };
    let id = value
        .get("id")
        .filter(|id| id.is_string() || id.is_number())
        .cloned();
    match (id, value.get("method")) {
        (None, Some(_)) => Incoming::Ignore,
        (id, _) => Incoming::Reply(error_line(
            id.unwrap_or(Value::Null),
            -32600,
            &format!("invalid request: {err}"),
        )),
    }
}

fn error_line(id: Value, code: i64, message: &str) -> String {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_that_is_not_json_gets_a_parse_error_with_a_null_id() {
        let Incoming::Reply(reply) = classify(b"{not json") else {
            panic!("expected a reply")
        };
        let reply: Value = serde_json::from_str(&reply).unwrap();
        assert_eq!(reply["error"]["code"], -32700);
        assert_eq!(reply["id"], Value::Null);
    }

    #[test]
    fn json_that_is_no_message_gets_invalid_request_with_its_id() {
        let Incoming::Reply(reply) = classify(br#"{"jsonrpc":"2.0","id":7}"#) else {
            panic!("expected a reply")
        };
        let reply: Value = serde_json::from_str(&reply).unwrap();
        assert_eq!(
            (reply["error"]["code"].as_i64(), reply["id"].as_i64()),
            (Some(-32600), Some(7))
        );
    }

    #[test]
    fn a_valid_request_is_passed_on() {
        let line = br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
        assert!(matches!(classify(line), Incoming::Message(_)));
    }

    #[test]
    fn line_endings_and_a_byte_order_mark_are_trimmed() {
        assert_eq!(trim_line(b"\xEF\xBB\xBF{}\r\n"), b"{}");
    }
}
