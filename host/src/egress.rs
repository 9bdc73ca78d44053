//! The outbound-HTTP hook: every request the component makes passes here. Only the configured
//! FLORA API origin under its path prefix is reachable; credentials the component tries to set
//! are refused and stripped; the host's own credential is added; redirects are never followed;
//! response bodies are capped. Nothing here logs a body or a header value.

use crate::config::ApiBase;
use crate::secrets::ApiKey;
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
/// How long a request may wait for its response headers when the component sets no timeout.
const DEFAULT_FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(60);

/// Headers the component may not set: credentials and cookies belong to the host.
const CREDENTIAL_HEADERS: [HeaderName; 3] = [
    header::AUTHORIZATION,
    header::COOKIE,
    header::PROXY_AUTHORIZATION,
];

/// Why a request was refused. Its text names the rule, never a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial(pub String);

/// Which requests may leave the machine.
#[derive(Debug, Clone)]
pub struct Policy {
    api: ApiBase,
}

impl Policy {
    /// A policy that allows exactly the FLORA API at `api`.
    pub fn new(api: ApiBase) -> Policy {
        Policy { api }
    }

    /// The one API the policy allows.
    pub fn api(&self) -> &ApiBase {
        &self.api
    }

    /// Checks `uri` against the allowed origin and path prefix.
    ///
    /// # Errors
    /// A [`Denial`] naming what did not match: scheme, host, port, user info, or a path
    /// outside the prefix or with `.`/`..` segments.
    pub fn check(&self, uri: &http::Uri) -> Result<(), Denial> {
        let scheme = uri.scheme_str().unwrap_or("");
        let authority = uri.authority().map(|a| a.as_str()).unwrap_or("");
        let deny = |why: String| Err(Denial(why));
        if authority.contains('@') {
            return deny("the URL carries user info".to_owned());
        }
        if !scheme.eq_ignore_ascii_case(&self.api.scheme) {
            return deny(format!("scheme {scheme} is not {}", self.api.scheme));
        }
        let host = uri
            .host()
            .unwrap_or("")
            .trim_start_matches('[')
            .trim_end_matches(']');
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if host != self.api.host {
            return deny(format!(
                "host {host} is not the FLORA API host {}",
                self.api.host
            ));
        }
        let default_port = if self.api.scheme == "https" { 443 } else { 80 };
        let port = uri.port_u16().unwrap_or(default_port);
        if port != self.api.port {
            return deny(format!("port {port} is not {}", self.api.port));
        }
        let path = uri.path();
        if !path.starts_with(&self.api.path_prefix) {
            return deny(format!("path {path} is outside {}", self.api.path_prefix));
        }
        if path.split('/').any(is_dot_segment) {
            return deny(format!("path {path} has a `.` or `..` segment"));
        }
        Ok(())
    }
}

fn is_dot_segment(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase().replace("%2e", ".");
    lower == "." || lower == ".."
}

/// The state the hook needs, shared by every call of one serving process.
#[derive(Clone)]
pub struct Egress {
    policy: Arc<Policy>,
    client: reqwest::Client,
    api_key: Option<Arc<ApiKey>>,
}

impl Egress {
    /// An egress for `policy` that adds `api_key` to allowed requests.
    ///
    /// # Errors
    /// Fails when the HTTP client cannot be built (no TLS roots).
    pub fn new(policy: Policy, api_key: Option<ApiKey>) -> anyhow::Result<Egress> {
        // TLS uses ring; installing it again when it already is the process default is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("flora-mcp-host/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| anyhow::anyhow!("build the HTTP client: {e}"))?;
        Ok(Egress {
            policy: Arc::new(policy),
            client,
            api_key: api_key.map(Arc::new),
        })
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
        let decision = self.policy.check(request.uri());
        let egress = self.clone();
        Box::new(async move {
            if let Err(Denial(why)) = decision {
                tracing::warn!(method = %request.method(), host = ?request.uri().host(),
                    path = request.uri().path(), "egress denied: {why}");
                return Err(HttpError::HttpRequestDenied);
            }
            egress.forward(request, options).await
        })
    }
}

impl Egress {
    async fn forward(
        &self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
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
        if let Some(key) = &self.api_key {
            let mut value = HeaderValue::from_str(&key.bearer())
                .map_err(|_| HttpError::InternalError(Some("unusable API key".to_owned())))?;
            value.set_sensitive(true);
            parts.headers.insert(header::AUTHORIZATION, value);
        }
        let method = parts.method.clone();
        let path = parts.uri.path().to_owned();
        let request = http::Request::from_parts(parts, outgoing_body(body));
        let request =
            reqwest::Request::try_from(request).map_err(|_| HttpError::HttpRequestUriInvalid)?;

        let wait = options
            .and_then(|o| o.first_byte_timeout)
            .unwrap_or(DEFAULT_FIRST_BYTE_TIMEOUT);
        let started = Instant::now();
        let response = match tokio::time::timeout(wait, self.client.execute(request)).await {
            Err(_) => return Err(HttpError::HttpResponseTimeout),
            Ok(Err(err)) => return Err(classify(&err)),
            Ok(Ok(response)) => response,
        };
        tracing::debug!(%method, path, status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64, "egress request");

        let mut response: http::Response<reqwest::Body> = response.into();
        response.headers_mut().remove(header::SET_COOKIE);
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

    fn policy(base: &str) -> Policy {
        Policy::new(ApiBase::parse(base).unwrap())
    }

    fn check(p: &Policy, uri: &str) -> Result<(), Denial> {
        p.check(&uri.parse().unwrap())
    }

    #[test]
    fn the_api_origin_and_prefix_are_allowed_in_any_case_or_trailing_dot() {
        let p = policy("https://app.flora.ai/api/v1");
        assert!(check(&p, "https://app.flora.ai/api/v1/techniques?limit=1").is_ok());
        assert!(check(&p, "https://APP.FLORA.AI./api/v1/workspaces").is_ok());
        assert!(check(&p, "https://app.flora.ai:443/api/v1/workspaces").is_ok());
    }

    #[test]
    fn other_hosts_schemes_ports_and_paths_are_denied() {
        let p = policy("https://app.flora.ai/api/v1");
        for uri in [
            "https://evil.example/api/v1/workspaces",
            "http://app.flora.ai/api/v1/workspaces",
            "https://app.flora.ai:8443/api/v1/workspaces",
            "https://app.flora.ai/api/v2/workspaces",
            "https://app.flora.ai/api/v1x/workspaces",
            "https://app.flora.ai/api/v1/../admin",
            "https://app.flora.ai/api/v1/%2E%2E/admin",
            "https://user@app.flora.ai/api/v1/workspaces",
            "https://app.flora.ai.evil.example/api/v1/workspaces",
        ] {
            assert!(check(&p, uri).is_err(), "{uri} should be denied");
        }
    }

    #[test]
    fn loopback_fakes_are_matched_by_address_and_port() {
        let p = policy("http://127.0.0.1:4010/api/v1");
        assert!(check(&p, "http://127.0.0.1:4010/api/v1/models").is_ok());
        assert!(check(&p, "http://127.0.0.1:4011/api/v1/models").is_err());
        assert!(check(&p, "http://localhost:4010/api/v1/models").is_err());
        assert!(check(&p, "http://127.0.0.1:4010/__fake/requests").is_err());
    }

    #[test]
    fn credential_headers_are_forbidden_to_the_component() {
        let egress = Egress::new(policy(crate::config::DEFAULT_API_BASE), None).unwrap();
        let filter = egress.clone().forbidden_header_filter();
        for name in ["authorization", "cookie", "proxy-authorization"] {
            assert!(filter(&HeaderName::from_static(name)), "{name}");
        }
        assert!(!filter(&HeaderName::from_static("accept")));
    }
}
