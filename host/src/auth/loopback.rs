//! The loopback redirect of [RFC 8252 §7.3](https://www.rfc-editor.org/rfc/rfc8252#section-7.3):
//! a listener on 127.0.0.1, on a port chosen when the sign-in starts (or the configured one),
//! that answers `/callback` once with a short page and then closes. Other paths get a 404 and
//! do not end the wait; the wait ends after a timeout.

use super::AuthError;
use std::collections::HashMap;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The one path the listener answers.
const PATH: &str = "/callback";

/// A bound listener waiting for the browser.
pub struct Listener {
    listener: TcpListener,
    port: u16,
}

/// What came back on the redirect, before any check.
pub struct Callback {
    /// Query parameters of the redirect.
    pub params: HashMap<String, String>,
    stream: TcpStream,
}

impl Listener {
    /// Binds 127.0.0.1 on `port`, or on a free port when `port` is 0.
    ///
    /// # Errors
    /// Fails when the port is taken, naming it.
    pub async fn bind(port: u16) -> Result<Listener, AuthError> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
            AuthError::Callback(format!(
                "listen for the sign-in redirect on 127.0.0.1:{port}: {e}; another program \
                 holds that port — free it or choose another with --oauth-callback-port"
            ))
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| AuthError::Callback(format!("read the callback address: {e}")))?
            .port();
        Ok(Listener { listener, port })
    }

    /// The redirect URI to register and send.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{PATH}", self.port)
    }

    /// Waits up to `timeout` for the browser to arrive at the callback path.
    ///
    /// # Errors
    /// Fails when nobody arrives in time.
    pub async fn wait(self, timeout: Duration) -> Result<Callback, AuthError> {
        let waiting = async {
            loop {
                let Ok((mut stream, _)) = self.listener.accept().await else {
                    continue;
                };
                let Some(target) = read_target(&mut stream).await else {
                    continue;
                };
                let (path, query) = target.split_once('?').unwrap_or((&target, ""));
                if path != PATH {
                    let _ = respond(&mut stream, 404, "Not found", "Nothing here.").await;
                    continue;
                }
                let params = url::form_urlencoded::parse(query.as_bytes())
                    .into_owned()
                    .collect();
                return Callback { params, stream };
            }
        };
        tokio::time::timeout(timeout, waiting).await.map_err(|_| {
            AuthError::Callback(format!(
                "nobody finished signing in within {} s; run `flora-mcp login` to try again",
                timeout.as_secs()
            ))
        })
    }
}

impl Callback {
    /// Tells the browser how it went and closes the connection.
    pub async fn finish(mut self, outcome: Result<(), &str>) {
        let (status, title, text) = match outcome {
            Ok(()) => (
                200,
                "Signed in to FLORA",
                "flora-mcp is signed in. You can close this tab and return to your MCP client."
                    .to_owned(),
            ),
            Err(why) => (
                400,
                "Sign-in failed",
                format!(
                    "flora-mcp could not sign in: {why}. Return to your MCP client and try again."
                ),
            ),
        };
        let _ = respond(&mut self.stream, status, title, &text).await;
    }
}

/// Reads the request head and returns its target (`/callback?…`).
async fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 2048];
    let read = async {
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
            let n = stream.read(&mut buffer).await.ok()?;
            if n == 0 {
                return None;
            }
            head.extend_from_slice(&buffer[..n]);
        }
        Some(())
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .ok()??;
    let line = String::from_utf8_lossy(&head);
    let mut parts = line.lines().next()?.split(' ');
    let method = parts.next()?;
    (method == "GET").then(|| parts.next().map(str::to_owned))?
}

async fn respond(
    stream: &mut TcpStream,
    status: u16,
    title: &str,
    text: &str,
) -> std::io::Result<()> {
    let escape = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{}</title></head><body>\
         <h1>{}</h1><p id=\"outcome\">{}</p></body></html>",
        escape(title),
        escape(title),
        escape(text)
    );
    let reason = if status == 200 { "OK" } else { "Error" };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: text/html; charset=utf-8\r\n\
         content-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}
