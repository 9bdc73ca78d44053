//! The outbound-HTTP hook: every request the component makes passes here. Only what the
//! [`Policy`] allows is sent; names resolve only to public addresses ([`resolve`]); credentials
//! the component tries to set are refused and stripped; the host's own credential is added
//! where the rule says so; redirects are never followed; response headers and bodies are
//! capped. Local files go out by the same policy and client through [`upload`]. Nothing here
//! logs a body or a header value.

mod grants;
mod policy;
pub mod resolve;
mod upload;

pub use policy::{Denial, Policy, Rule};
pub use upload::{FileAnswer, FileSend, Form, MAX_FILE_RESPONSE_BODY, SendError, Sent};

use crate::auth::{AuthError, Credentials};
use crate::files::AllowedDirs;
use crate::secrets::ApiKey;
use grants::{Grants, MAX_TICKET_BYTES};
use http::{HeaderName, HeaderValue, header};
use http_body_util::BodyExt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime_wasi_http::{
    DEFAULT_FORBIDDEN_HEADERS, Error as HttpError, ForbiddenHeaderFilter, RequestOptions, WasiBody,
    WasiHttpHooks,
};

/// Largest response body handed to the component.
pub const MAX_RESPONSE_BODY: usize = 16 * 1024 * 1024;
/// Largest response header section (names and values) handed to the component.
pub const MAX_RESPONSE_HEADERS: usize = 64 * 1024;
/// How long a request may wait for its response headers when the component sets no timeout.
const DEFAULT_FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(60);

/// Headers the component may not set: credentials and cookies belong to the host.
const CREDENTIAL_HEADERS: [HeaderName; 3] = [
    header::AUTHORIZATION,
    header::COOKIE,
    header::PROXY_AUTHORIZATION,
];

/// The state the hook needs, shared by every call of one serving process.
#[derive(Clone)]
pub struct Egress {
    policy: Arc<Policy>,
    client: reqwest::Client,
    api_key: Option<Arc<ApiKey>>,
    allowed: Arc<AllowedDirs>,
    grants: Grants,
    credentials: Option<Credentials>,
}

impl Egress {
    /// An egress for `policy` that adds `api_key` to allowed requests.
    ///
    /// # Errors
    /// Fails when the HTTP client cannot be built (no TLS roots).
    pub fn new(policy: Policy, api_key: Option<ApiKey>) -> anyhow::Result<Egress> {
        // TLS uses ring; installing it again when it already is the process default is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let local_names = policy
            .rules()
            .iter()
            .filter(|rule| rule.is_loopback())
            .map(|rule| rule.host.clone());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(resolve::PublicOnly::new(local_names)))
            .no_proxy()
            .user_agent(concat!("flora-mcp-host/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| anyhow::anyhow!("build the HTTP client: {e}"))?;
        Ok(Egress {
            policy: Arc::new(policy),
            client,
            api_key: api_key.map(Arc::new),
            allowed: Arc::new(AllowedDirs::default()),
            grants: Grants::default(),
            credentials: None,
        })
    }

    /// The same egress with no upload target granted yet: one per call, so a target FLORA
    /// handed to one call cannot be used by another.
    pub fn for_call(&self) -> Egress {
        Egress {
            grants: Grants::default(),
            ..self.clone()
        }
    }

    /// Lets file bodies come from `allowed` (none by default).
    pub fn with_allowed_dirs(self, allowed: Arc<AllowedDirs>) -> Egress {
        Egress { allowed, ..self }
    }

    /// The folders file bodies may come from.
    pub fn allowed_dirs(&self) -> &Arc<AllowedDirs> {
        &self.allowed
    }

    /// Takes the bearer from `credentials` (environment key, stored key or OAuth sign-in)
    /// instead of a fixed API key.
    pub fn with_credentials(self, credentials: Credentials) -> Egress {
        Egress {
            credentials: Some(credentials),
            ..self
        }
    }

    /// The credential source, when there is one.
    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// The `Authorization` value for an allowed request, if any.
    pub(crate) async fn bearer(&self) -> Result<Option<String>, HttpError> {
        let Some(credentials) = &self.credentials else {
            return Ok(self.api_key.as_ref().map(|key| key.bearer()));
        };
        match credentials.bearer().await {
            Ok(bearer) => Ok(Some(bearer)),
            // FLORA answers 401 and the component explains how to sign in.
            Err(AuthError::NotSignedIn) => Ok(None),
            Err(err) => {
                tracing::warn!("no FLORA credential for the request: {err}");
                Err(HttpError::InternalError(Some(format!(
                    "signing in to FLORA did not succeed: {err}"
                ))))
            }
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }
}

type SendFuture = Box<
    dyn Future<
            Output = Result<
                (
                    http::Response<WasiBody>,
                    Box<dyn Future<Output = Result<(), HttpError>> + Send>,
                ),
                HttpError,
            >,
        > + Send,
>;

impl WasiHttpHooks for Egress {
    fn forbidden_header_filter(&mut self) -> ForbiddenHeaderFilter {
        Arc::new(|name| {
            CREDENTIAL_HEADERS.contains(name) || DEFAULT_FORBIDDEN_HEADERS.contains(name)
        })
    }

    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ) -> SendFuture {
        drop(fut);
        let decision = self
            .policy
            .check(request.method(), request.uri())
            .map(|rule| rule.credential);
        let egress = self.clone();
        Box::new(async move {
            match decision {
                Err(Denial(why)) => {
                    tracing::warn!(method = %request.method(), host = ?request.uri().host(),
                        path = request.uri().path(), "egress denied: {why}");
                    Err(HttpError::HttpRequestDenied)
                }
                Ok(credential) => egress.forward(request, options, credential).await,
            }
        })
    }
}

impl Egress {
    async fn forward(
        &self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        credential: bool,
    ) -> Result<
        (
            http::Response<WasiBody>,
            Box<dyn Future<Output = Result<(), HttpError>> + Send>,
        ),
        HttpError,
    > {
        let (mut parts, body) = request.into_parts();
        for name in CREDENTIAL_HEADERS.iter().chain([&header::HOST]) {
            parts.headers.remove(name);
        }
        let bearer = if credential {
            self.bearer().await?
        } else {
            None
        };
        // A read can be sent again: after FLORA refuses an OAuth token, once, with the
        // refreshed one. (The component sends reads without a body.)
        let again = matches!(parts.method, http::Method::GET | http::Method::HEAD).then(|| {
            (
                parts.method.clone(),
                parts.uri.clone(),
                parts.headers.clone(),
            )
        });
        let method = parts.method.clone();
        let path = parts.uri.path().to_owned();
        let first = with_bearer(parts, outgoing_body(body), bearer.as_deref())?;
        let wait = options
            .and_then(|o| o.first_byte_timeout)
            .unwrap_or(DEFAULT_FIRST_BYTE_TIMEOUT);
        let started = Instant::now();
        let mut response = self.execute(first, wait).await?;

        if response.status() == reqwest::StatusCode::UNAUTHORIZED
            && let (Some(credentials), Some(refused)) = (&self.credentials, &bearer)
        {
            credentials.refused(refused).await;
            if let Some((method, uri, headers)) = again
                && let Some(fresh) = self.bearer().await?
                && &fresh != refused
            {
                let mut retry = http::Request::new(reqwest::Body::from(Vec::new()));
                *retry.method_mut() = method;
                *retry.uri_mut() = uri;
                *retry.headers_mut() = headers;
                let (parts, body) = retry.into_parts();
                response = self
                    .execute(with_bearer(parts, body, Some(&fresh))?, wait)
                    .await?;
            }
        }
        tracing::debug!(%method, path, status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64, "egress request");

        let mut response: http::Response<reqwest::Body> = response.into();
        response.headers_mut().remove(header::SET_COOKIE);
        let header_bytes: usize = response
            .headers()
            .iter()
            .map(|(n, v)| n.as_str().len() + v.len())
            .sum();
        if header_bytes > MAX_RESPONSE_HEADERS {
            tracing::warn!(path, header_bytes, "response headers over the cap");
            return Err(HttpError::HttpResponseHeaderSectionSize(Some(
                header_bytes as u32,
            )));
        }
        if credential && response.status().is_success() && Grants::is_ticket_request(&method, &path)
        {
            return self.read_ticket(response).await;
        }
        let response = response.map(|body| {
            http_body_util::Limited::new(body, MAX_RESPONSE_BODY)
                .map_err(|err| {
                    if err.is::<http_body_util::LengthLimitError>() {
                        HttpError::HttpResponseBodySize(Some(MAX_RESPONSE_BODY as u64))
                    } else {
                        HttpError::HttpResponseIncomplete
                    }
                })
                .boxed_unsync()
        });
        Ok((response, Box::new(async { Ok(()) })))
    }
}

/// The request to send, with `bearer` as its `Authorization` when there is one.
fn with_bearer(
    mut parts: http::request::Parts,
    body: reqwest::Body,
    bearer: Option<&str>,
) -> Result<reqwest::Request, HttpError> {
    if let Some(bearer) = bearer {
        let mut value = HeaderValue::from_str(bearer)
            .map_err(|_| HttpError::InternalError(Some("unusable credential".to_owned())))?;
        value.set_sensitive(true);
        parts.headers.insert(header::AUTHORIZATION, value);
    }
    reqwest::Request::try_from(http::Request::from_parts(parts, body))
        .map_err(|_| HttpError::HttpRequestUriInvalid)
}

impl Egress {
    async fn execute(
        &self,
        request: reqwest::Request,
        wait: Duration,
    ) -> Result<reqwest::Response, HttpError> {
        match tokio::time::timeout(wait, self.client.execute(request)).await {
            Err(_) => Err(HttpError::HttpResponseTimeout),
            Ok(Err(err)) => Err(classify(&err)),
            Ok(Ok(response)) => Ok(response),
        }
    }
}

type Forwarded = (
    http::Response<WasiBody>,
    Box<dyn Future<Output = Result<(), HttpError>> + Send>,
);

impl Egress {
    /// Reads a ticket whole (it is small), learns its upload target, and hands it on.
    async fn read_ticket(
        &self,
        response: http::Response<reqwest::Body>,
    ) -> Result<Forwarded, HttpError> {
        let (parts, body) = response.into_parts();
        let bytes = http_body_util::Limited::new(body, MAX_TICKET_BYTES)
            .collect()
            .await
            .map_err(|_| HttpError::HttpResponseBodySize(Some(MAX_TICKET_BYTES as u64)))?
            .to_bytes();
        self.grants.learn(&bytes);
        let body = http_body_util::Full::new(bytes)
            .map_err(|never| match never {})
            .boxed_unsync();
        Ok((
            http::Response::from_parts(parts, body),
            Box::new(async { Ok(()) }),
        ))
    }
}

/// Hands the component's request body to the client as a stream, without buffering it.
///
/// The component's body type is not `Sync`, which the client needs, so a task forwards its
/// frames through a channel.
fn outgoing_body(body: WasiBody) -> reqwest::Body {
    use http_body::Body as _;
    if body.size_hint().exact() == Some(0) {
        return reqwest::Body::from(Vec::new());
    }
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        let mut body = body;
        while let Some(frame) = body.frame().await {
            let item = match frame {
                Ok(frame) => match frame.into_data() {
                    Ok(data) => Ok(data),
                    Err(_trailers) => continue,
                },
                Err(err) => Err(std::io::Error::other(err.to_string())),
            };
            if tx.send(item).await.is_err() {
                break;
            }
        }
    });
    reqwest::Body::wrap_stream(ChannelStream(rx))
}

/// A stream over a channel's receiver.
struct ChannelStream(tokio::sync::mpsc::Receiver<Result<bytes::Bytes, std::io::Error>>);

impl futures::Stream for ChannelStream {
    type Item = Result<bytes::Bytes, std::io::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

/// Maps a client error to the `wasi:http` error the component sees. The text is not passed on,
/// so nothing from the host (addresses, proxy settings) leaks into the sandbox.
fn classify(err: &reqwest::Error) -> HttpError {
    if err.is_timeout() {
        HttpError::ConnectionTimeout
    } else if err.is_connect() {
        HttpError::ConnectionRefused
    } else {
        tracing::debug!("egress request failed: {err}");
        HttpError::HttpProtocolError
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ApiBase, DEFAULT_API_BASE};

    #[test]
    fn credential_headers_are_forbidden_to_the_component() {
        let policy = Policy::for_api(&ApiBase::parse(DEFAULT_API_BASE).unwrap());
        let egress = Egress::new(policy, None).unwrap();
        let filter = egress.clone().forbidden_header_filter();
        for name in ["authorization", "cookie", "proxy-authorization"] {
            assert!(filter(&HeaderName::from_static(name)), "{name}");
        }
        assert!(!filter(&HeaderName::from_static("accept")));
    }
}
