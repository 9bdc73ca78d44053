//! File bodies: the `flora:mcp/files` send path. The same policy decides the destination (with
//! the storage rules, which plain requests never match), the same client sends it (no
//! redirects, public addresses only), credentials the component names are dropped and the
//! host's own is added only where the rule says so, and a storage origin takes only a target
//! FLORA granted this call ([`super::grants`]); the file is checked and opened by
//! [`crate::files`], streamed with a `Content-Length` in chunks, and its progress counted in
//! bytes. The response body is cut at [`MAX_FILE_RESPONSE_BODY`].

use super::{CREDENTIAL_HEADERS, Egress};
use crate::files::{self, FileError};
use futures::StreamExt;
use http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Largest response body handed back for a file request (tickets and storage answers are small).
pub const MAX_FILE_RESPONSE_BODY: usize = 1024 * 1024;

/// Headers the host sets itself on a file request, so the component's are dropped.
const HOST_SET_HEADERS: [HeaderName; 8] = [
    header::HOST,
    header::CONTENT_LENGTH,
    header::CONTENT_TYPE,
    header::TRANSFER_ENCODING,
    header::CONNECTION,
    header::TE,
    header::UPGRADE,
    header::EXPECT,
];

/// One request whose body is a local file, as the component asked for it.
#[derive(Debug, Clone)]
pub struct FileSend {
    /// `POST` or `PUT`.
    pub method: String,
    /// Absolute URL.
    pub url: String,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// The file's path as given.
    pub path: String,
    /// Send as the file part of this form, or raw when `None`.
    pub form: Option<Form>,
}

/// A `multipart/form-data` body around the file.
#[derive(Debug, Clone)]
pub struct Form {
    /// Text fields, sent first in this order.
    pub fields: Vec<(String, String)>,
    /// The file part's field name.
    pub file_field: String,
    /// The file part's `filename`.
    pub file_name: String,
}

/// The answer to a file request.
#[derive(Debug, Clone)]
pub struct FileAnswer {
    /// HTTP status.
    pub status: u16,
    /// Headers, names lowercase, without `set-cookie`.
    pub headers: Vec<(String, String)>,
    /// Body, cut at [`MAX_FILE_RESPONSE_BODY`].
    pub body: Vec<u8>,
}

/// Why a file request got no answer; mirrors the WIT `send-error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The file failed a check; nothing was sent.
    File(FileError),
    /// The policy refused the destination; nothing was sent.
    Denied(String),
    /// No connection, or it broke.
    Unreachable(String),
    /// The server took too long.
    Timeout,
    /// The file changed size while it was sent.
    Changed,
}

/// Reports `(bytes sent, total bytes)` of the file.
pub type Sent = Box<dyn Fn(u64, u64) + Send + Sync>;

impl Egress {
    /// Checks the file at `path` as a send would, without sending.
    ///
    /// # Errors
    /// The [`FileError`] of the first failed check.
    pub fn inspect_file(&self, path: &str) -> Result<files::Checked, FileError> {
        self.allowed.open(path)
    }

    /// Sends the file request, streaming the file, and reads the answer.
    ///
    /// # Errors
    /// A [`SendError`]; nothing is sent when the destination or the file fails its checks.
    pub async fn send_file(&self, send: FileSend, sent: Sent) -> Result<FileAnswer, SendError> {
        let method = match send.method.to_ascii_uppercase().as_str() {
            "POST" => Method::POST,
            "PUT" => Method::PUT,
            other => {
                return Err(SendError::Denied(format!(
                    "method {other} cannot carry a file"
                )));
            }
        };
        let uri: http::Uri = send
            .url
            .parse()
            .map_err(|_| SendError::Denied("the URL does not parse".to_owned()))?;
        let credential = match self.policy.check_file_body(&method, &uri) {
            Ok(rule) => rule.credential,
            Err(denial) => {
                tracing::warn!(%method, host = ?uri.host(), path = uri.path(),
                    "file egress denied: {}", denial.0);
                return Err(SendError::Denied(denial.0));
            }
        };
        // A storage origin takes only the upload FLORA handed this call, once.
        if !credential && !self.grants.take(&method, &send.url) {
            tracing::warn!(%method, host = ?uri.host(), "file egress denied: no upload target");
            return Err(SendError::Denied(format!(
                "{method} {} is not an upload target FLORA issued in this call",
                uri.host().unwrap_or("?")
            )));
        }
        let checked = self.allowed.open(&send.path).map_err(SendError::File)?;
        let mut headers = component_headers(&send.headers)?;
        // The same credential as the component's other FLORA requests: the environment's
        // key, a stored key or the OAuth token, refreshed if due.
        let bearer = if credential {
            self.bearer().await.map_err(|_| {
                SendError::Unreachable("signing in to FLORA did not succeed".to_owned())
            })?
        } else {
            None
        };
        if let Some(bearer) = bearer {
            let mut value = HeaderValue::from_str(&bearer)
                .map_err(|_| SendError::Denied("unusable credential".to_owned()))?;
            value.set_sensitive(true);
            headers.insert(header::AUTHORIZATION, value);
        }

        let (prefix, suffix, content_type) = match &send.form {
            Some(form) => multipart(form, checked.media_type),
            None => (Vec::new(), Vec::new(), checked.media_type.to_owned()),
        };
        let size = checked.size;
        let length = prefix.len() as u64 + size + suffix.len() as u64;
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
        let content_type = HeaderValue::from_str(&content_type)
            .map_err(|_| SendError::Denied("unusable content type".to_owned()))?;
        headers.insert(header::CONTENT_TYPE, content_type);
        let changed = Arc::new(AtomicBool::new(false));
        let body = files::body(
            checked,
            prefix.into(),
            suffix.into(),
            throttled(sent, size),
            changed.clone(),
        );

        let request = self.client.request(method.clone(), send.url.as_str());
        let started = std::time::Instant::now();
        let outcome = request.headers(headers).body(body).send().await;
        let response = match outcome {
            Ok(response) => response,
            Err(_) if changed.load(Ordering::SeqCst) => return Err(SendError::Changed),
            Err(err) if err.is_timeout() => return Err(SendError::Timeout),
            Err(err) => {
                tracing::debug!("file egress failed: {err}");
                let why = if err.is_connect() {
                    "the connection was refused"
                } else {
                    "the connection broke during the transfer"
                };
                return Err(SendError::Unreachable(why.to_owned()));
            }
        };
        tracing::debug!(%method, path = uri.path(), status = response.status().as_u16(),
            bytes = length, elapsed_ms = started.elapsed().as_millis() as u64, "file egress");
        read_answer(response).await
    }
}

/// The component's headers, minus credentials and what the host sets itself.
fn component_headers(given: &[(String, String)]) -> Result<HeaderMap, SendError> {
    let mut headers = HeaderMap::new();
    for (name, value) in given {
        let bad = || SendError::Denied(format!("header {name} is not valid"));
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad())?;
        if CREDENTIAL_HEADERS.contains(&name) || HOST_SET_HEADERS.contains(&name) {
            continue;
        }
        let value = HeaderValue::from_str(value).map_err(|_| bad())?;
        headers.append(name, value);
    }
    Ok(headers)
}

/// The text before and after the file in a form, and the body's content type. Field names and
/// file names lose quotes and line breaks, so they cannot end their part early.
fn multipart(form: &Form, media_type: &str) -> (Vec<u8>, Vec<u8>, String) {
    let boundary = format!("flora-mcp-{:032x}", random_u128());
    let clean = |s: &str| s.replace(['"', '\r', '\n'], "");
    let mut prefix = String::new();
    for (name, value) in &form.fields {
        prefix.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n{value}\r\n",
            clean(name)
        ));
    }
    prefix.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\n\
         Content-Type: {media_type}\r\n\r\n",
        clean(&form.file_field),
        clean(&form.file_name)
    ));
    let suffix = format!("\r\n--{boundary}--\r\n");
    let content_type = format!("multipart/form-data; boundary={boundary}");
    (prefix.into_bytes(), suffix.into_bytes(), content_type)
}

fn random_u128() -> u128 {
    let mut bytes = [0u8; 16];
    // A boundary only needs to be unlikely in the file; the clock will do if randomness fails.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        return nanos;
    }
    u128::from_le_bytes(bytes)
}

/// Passes on progress at most every 1% (and at least every 4 MiB) of the file, and at the end.
fn throttled(sent: Sent, total: u64) -> impl Fn(u64) + Send + Sync + 'static {
    let step = (total / 100).clamp(64 * 1024, 4 * 1024 * 1024);
    let last = AtomicU64::new(0);
    move |done| {
        let before = last.load(Ordering::Relaxed);
        if done >= total || done - before >= step {
            last.store(done, Ordering::Relaxed);
            sent(done, total);
        }
    }
}

async fn read_answer(response: reqwest::Response) -> Result<FileAnswer, SendError> {
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .filter(|(name, _)| **name != header::SET_COOKIE)
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_owned(), value)
        })
        .collect();
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| SendError::Unreachable("the answer broke off".to_owned()))?;
        let room = MAX_FILE_RESPONSE_BODY - body.len();
        body.extend_from_slice(&chunk[..room.min(chunk.len())]);
        if body.len() >= MAX_FILE_RESPONSE_BODY {
            break;
        }
    }
    Ok(FileAnswer {
        status,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_come_before_the_file_and_cannot_break_out_of_their_part() {
        let form = Form {
            fields: vec![
                ("key".to_owned(), "k1".to_owned()),
                ("po\"licy\r\n".to_owned(), "p".to_owned()),
            ],
            file_field: "file".to_owned(),
            file_name: "a\".png".to_owned(),
        };
        let (prefix, suffix, content_type) = multipart(&form, "image/png");
        let prefix = String::from_utf8(prefix).unwrap();
        let boundary = content_type.split("boundary=").nth(1).unwrap();
        assert!(prefix.starts_with(&format!("--{boundary}\r\n")));
        let key = prefix.find("name=\"key\"").unwrap();
        let policy = prefix.find("name=\"policy\"").unwrap();
        let file = prefix.find("name=\"file\"; filename=\"a.png\"").unwrap();
        assert!(key < policy && policy < file, "{prefix}");
        assert!(prefix.ends_with("Content-Type: image/png\r\n\r\n"));
        assert_eq!(suffix, format!("\r\n--{boundary}--\r\n").into_bytes());
    }

    #[tokio::test]
    async fn a_storage_origin_takes_no_file_without_a_target_flora_granted_this_call() {
        use crate::config::ApiBase;
        use crate::egress::Policy;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.png");
        std::fs::write(&path, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
        let api = ApiBase::parse("https://app.flora.ai/api/v1").unwrap();
        let storage = ApiBase::parse("https://storage.example").unwrap();
        let allowed = crate::files::AllowedDirs::new(&[dir.path().to_owned()]).unwrap();
        let egress = Egress::new(Policy::for_api_and_storage(&api, &[storage]), None)
            .unwrap()
            .with_allowed_dirs(Arc::new(allowed));
        let send = FileSend {
            method: "POST".to_owned(),
            url: "https://storage.example/attacker-bucket".to_owned(),
            headers: Vec::new(),
            path: path.display().to_string(),
            form: None,
        };
        let err = egress
            .send_file(send, Box::new(|_, _| {}))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, SendError::Denied(why) if why.contains("not an upload target")),
            "{err:?}"
        );
    }

    #[test]
    fn credentials_and_framing_headers_from_the_component_are_dropped() {
        let given = [
            ("Authorization", "Bearer stolen"),
            ("cookie", "a=b"),
            ("content-length", "1"),
            ("x-goog-meta", "ok"),
        ]
        .map(|(n, v)| (n.to_owned(), v.to_owned()));
        let headers = component_headers(&given).unwrap();
        assert_eq!(headers.len(), 1);
        assert_eq!(headers["x-goog-meta"], "ok");
    }
}
