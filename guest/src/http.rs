//! The transport the tools talk through: a minimal request/response model and the [`Http`]
//! trait, so that the REST mapping can be tested natively with a scripted transport.

use crate::prelude::*;
/// An HTTP method the tools use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`, safe to repeat.
    Get,
    /// `POST`, creates or changes something.
    Post,
    /// `PUT`, replaces something whole.
    Put,
    /// `PATCH`, changes part of something.
    Patch,
    /// `DELETE`, removes something.
    Delete,
}

impl Method {
    /// The method as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// A request to the FLORA API.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// Absolute URL, built from the session's API base.
    pub url: String,
    /// Extra headers (the transport adds none of its own but `content-type` for a body).
    pub headers: Vec<(String, String)>,
    /// A JSON body, if any.
    pub body: Option<Vec<u8>>,
}

/// A response from the FLORA API, whatever its status.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// Response headers, names in lowercase.
    pub headers: Vec<(String, String)>,
    /// The whole body.
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of header `name` (lowercase), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request got no HTTP response at all.
#[derive(Debug, Clone, PartialEq)]
pub enum TransportError {
    /// The host's egress policy refused the request before anything was sent.
    Denied(String),
    /// The server could not be reached (DNS, connection refused, TLS).
    Unreachable(String),
    /// The request or response took longer than allowed.
    Timeout,
    /// The response was larger than the transport accepts.
    TooLarge(u64),
    /// Anything else the transport reported.
    Other(String),
}

impl core::fmt::Display for TransportError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TransportError::Denied(why) => write!(f, "the host refused the request: {why}"),
            TransportError::Unreachable(why) => write!(f, "FLORA could not be reached: {why}"),
            TransportError::Timeout => write!(f, "the request to FLORA timed out"),
            TransportError::TooLarge(limit) => {
                write!(f, "FLORA's response was larger than {limit} bytes")
            }
            TransportError::Other(why) => write!(f, "the request to FLORA failed: {why}"),
        }
    }
}

/// What the host found out about a local file; the tools never see its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    /// Size in bytes.
    pub size: u64,
    /// The media type detected from its content, one FLORA accepts.
    pub media_type: String,
    /// The file's own name.
    pub file_name: String,
}

/// Why the host will not send a local file; decided before any byte is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// Outside the allowed folders, relative, or no folder allowed; the reason.
    NotAllowed(String),
    /// Nothing at the path.
    NotFound,
    /// A directory or another non-regular file.
    NotAFile,
    /// Zero bytes.
    Empty,
    /// Not a type FLORA accepts; what the extension claimed, if anything.
    UnsupportedType(Option<String>),
    /// Larger than the host's limit (carried, in bytes).
    TooLarge(u64),
    /// Could not be opened or read; the reason.
    Unreadable(String),
}

/// A `multipart/form-data` body around a file: fields first, then the file part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// Text fields, in order.
    pub fields: Vec<(String, String)>,
    /// The file part's field name.
    pub file_field: String,
    /// The file part's `filename`.
    pub file_name: String,
}

/// A request whose body is a local file, which the host sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRequest {
    /// `POST` or `PUT`.
    pub method: String,
    /// Absolute URL.
    pub url: String,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// The file's absolute path.
    pub path: String,
    /// A form around the file, or `None` for the raw bytes.
    pub form: Option<Form>,
}

/// Why a file request got no answer.
#[derive(Debug, Clone, PartialEq)]
pub enum FileSendError {
    /// The file failed a check; nothing was sent.
    File(FileError),
    /// The request failed as any request can.
    Transport(TransportError),
    /// The file changed size while it was sent.
    Changed,
}

/// What the tools need from their host: send a request and wait for the response, plus the
/// clock, randomness and progress reports that polling and retries use.
pub trait Http {
    /// Checks a local file for sending, without sending it.
    fn inspect_file(&self, path: &str) -> Result<FileInfo, FileError> {
        let _ = path;
        Err(FileError::NotAllowed(
            "this transport sends no files".to_owned(),
        ))
    }

    /// Sends a request whose body is a local file; the host streams it.
    fn send_file(&self, request: FileRequest) -> Result<Response, FileSendError> {
        let _ = request;
        Err(FileSendError::File(FileError::NotAllowed(
            "this transport sends no files".to_owned(),
        )))
    }

    /// Sends `request`; any HTTP status is a `Response`, only a missing answer is an error.
    fn send(&self, request: Request) -> Result<Response, TransportError>;

    /// Waits `ms` milliseconds before a retry. Scripted transports need not wait.
    fn sleep_ms(&self, ms: u64) {
        let _ = ms;
    }

    /// Milliseconds on a monotonic clock, for polling deadlines. Scripted transports may
    /// count their own sleeps.
    fn now_ms(&self) -> u64 {
        0
    }

    /// Tells the client how far the call has come (`done` of `total`), when it asked.
    fn progress(&self, done: f64, total: Option<f64>, message: &str) {
        let _ = (done, total, message);
    }

    /// A random number, for idempotency keys and retry jitter. Scripted transports may return
    /// a fixed one.
    fn random_u64(&self) -> u64 {
        0x5eed_5eed_5eed_5eed
    }
}
