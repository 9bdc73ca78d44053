//! Finding the authorization server: the API's 401 challenge names its protected-resource
//! metadata ([RFC 9728](https://www.rfc-editor.org/rfc/rfc9728)), which names the
//! authorization server, whose own metadata ([RFC 8414](https://www.rfc-editor.org/rfc/rfc8414))
//! gives the endpoints. The configured issuer is the fallback when the API names none.

use super::AuthError;
use serde::Deserialize;
use url::Url;

/// What the client needs to know about the authorization server.
#[derive(Debug, Clone)]
pub struct ServerInfo {
    /// The issuer identifier, checked against the `iss` of the redirect (RFC 9207).
    pub issuer: String,
    /// Where the browser goes.
    pub authorization_endpoint: String,
    /// Where codes and refresh tokens are exchanged.
    pub token_endpoint: String,
    /// Dynamic client registration (RFC 7591), when offered.
    pub registration_endpoint: Option<String>,
    /// Token revocation (RFC 7009), when offered.
    pub revocation_endpoint: Option<String>,
    /// The RFC 8707 `resource` to ask tokens for.
    pub resource: String,
    /// Whether PKCE S256 is advertised.
    pub s256: bool,
}

#[derive(Deserialize)]
struct ResourceMetadata {
    resource: Option<String>,
    #[serde(default)]
    authorization_servers: Vec<String>,
}

#[derive(Deserialize)]
struct ServerMetadata {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    registration_endpoint: Option<String>,
    revocation_endpoint: Option<String>,
    #[serde(default)]
    code_challenge_methods_supported: Vec<String>,
}

/// An `https` URL, or `http` to a loopback host (the local fake).
pub fn check_url(raw: &str, what: &str) -> Result<Url, AuthError> {
    let url = Url::parse(raw)
        .map_err(|e| AuthError::Discovery(format!("the {what} `{raw}` is not a URL: {e}")))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(AuthError::Discovery(format!(
            "the {what} `{raw}` must use https (http only on loopback)"
        ))),
    }
}

/// The `resource_metadata` URL in a `WWW-Authenticate: Bearer …` challenge, if any.
pub fn resource_metadata_url(challenge: &str) -> Option<String> {
    let (_, rest) = challenge.split_once("resource_metadata=")?;
    let rest = rest.trim_start();
    let value = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next()?,
        None => rest.split([',', ' ']).next()?,
    };
    (!value.is_empty()).then(|| value.to_owned())
}

/// The RFC 8414 metadata URL of `issuer`: the well-known segment goes before any path.
fn metadata_url(issuer: &Url) -> String {
    let path = issuer.path().trim_end_matches('/');
    let mut origin = issuer.clone();
    origin.set_path("");
    format!(
        "{}/.well-known/oauth-authorization-server{path}",
        origin.as_str().trim_end_matches('/')
    )
}

async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    what: &str,
) -> Result<T, AuthError> {
    let response = http
        .get(url)
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| AuthError::Unreachable(format!("fetch the {what} from {url}: {e}")))?;
    let status = response.status();
    if status.is_server_error() {
        return Err(AuthError::Unreachable(format!(
            "fetch the {what} from {url}: it answered {status}"
        )));
    }
    if !status.is_success() {
        return Err(AuthError::Discovery(format!(
            "fetch the {what} from {url}: it answered {status}"
        )));
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| AuthError::Unreachable(format!("read the {what} from {url}: {e}")))?;
    serde_json::from_slice(&body)
        .map_err(|e| AuthError::Discovery(format!("read the {what} from {url}: {e}")))
}

/// Discovers the authorization server for the API at `api_url`.
///
/// # Errors
/// Fails when a document cannot be fetched or read, names an insecure URL, or the metadata's
/// `issuer` is not the one it was fetched for.
pub async fn discover(
    http: &reqwest::Client,
    api_url: &str,
    fallback_issuer: &str,
) -> Result<ServerInfo, AuthError> {
    let challenge = match http.get(api_url).send().await {
        Ok(response) if response.status() == reqwest::StatusCode::UNAUTHORIZED => response
            .headers()
            .get_all(reqwest::header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(resource_metadata_url),
        Ok(_) => None,
        Err(e) => {
            return Err(AuthError::Unreachable(format!(
                "ask the FLORA API at {api_url} how to sign in: {e}"
            )));
        }
    };
    let (issuer, resource) = match challenge {
        Some(url) => {
            check_url(&url, "protected-resource metadata URL")?;
            let metadata: ResourceMetadata =
                get_json(http, &url, "protected-resource metadata").await?;
            let issuer = metadata
                .authorization_servers
                .into_iter()
                .next()
                .ok_or_else(|| {
                    AuthError::Discovery(format!("{url} names no authorization server"))
                })?;
            (
                issuer,
                metadata.resource.unwrap_or_else(|| api_url.to_owned()),
            )
        }
        None => {
            tracing::info!(
                issuer = fallback_issuer,
                "the API named no authorization server; using the configured issuer"
            );
            (fallback_issuer.to_owned(), api_url.to_owned())
        }
    };
    let issuer_url = check_url(&issuer, "authorization server")?;
    let url = metadata_url(&issuer_url);
    let metadata: ServerMetadata = get_json(http, &url, "authorization server metadata").await?;
    if metadata.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(AuthError::Discovery(format!(
            "the authorization server metadata at {url} names issuer {}, not {issuer}",
            metadata.issuer
        )));
    }
    check_url(&metadata.authorization_endpoint, "authorization endpoint")?;
    check_url(&metadata.token_endpoint, "token endpoint")?;
    for optional in [
        &metadata.registration_endpoint,
        &metadata.revocation_endpoint,
    ]
    .into_iter()
    .flatten()
    {
        check_url(optional, "endpoint")?;
    }
    Ok(ServerInfo {
        issuer: metadata.issuer,
        authorization_endpoint: metadata.authorization_endpoint,
        token_endpoint: metadata.token_endpoint,
        registration_endpoint: metadata.registration_endpoint,
        revocation_endpoint: metadata.revocation_endpoint,
        resource,
        s256: metadata
            .code_challenge_methods_supported
            .iter()
            .any(|m| m == "S256"),
    })
}

/// Registers flora-mcp as a public client with a loopback redirect (RFC 7591); the client id.
///
/// # Errors
/// Fails when the server refuses or cannot be reached.
pub async fn register(
    http: &reqwest::Client,
    endpoint: &str,
    redirect_uri: &str,
) -> Result<String, AuthError> {
    let body = serde_json::json!({
        "client_name": "flora-mcp",
        "redirect_uris": [redirect_uri],
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
    });
    let response = http
        .post(endpoint)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| AuthError::Unreachable(format!("register flora-mcp at {endpoint}: {e}")))?;
    let status = response.status();
    let bytes = response.bytes().await.unwrap_or_default();
    let answer: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    if !status.is_success() {
        let why = answer["error_description"]
            .as_str()
            .or(answer["error"].as_str())
            .unwrap_or("no reason given");
        return Err(AuthError::Discovery(format!(
            "register flora-mcp at {endpoint}: it answered {status} ({why})"
        )));
    }
    answer["client_id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| AuthError::Discovery(format!("{endpoint} returned no client_id")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_names_the_resource_metadata() {
        let challenge = "Bearer error=\"invalid_token\", \
            resource_metadata=\"https://a.example/.well-known/oauth-protected-resource/v1\"";
        assert_eq!(
            resource_metadata_url(challenge).as_deref(),
            Some("https://a.example/.well-known/oauth-protected-resource/v1")
        );
        assert_eq!(resource_metadata_url("Bearer realm=\"x\""), None);
    }

    #[test]
    fn metadata_urls_put_the_well_known_segment_before_the_path() {
        let plain = Url::parse("https://agents.flora.ai").unwrap();
        assert_eq!(
            metadata_url(&plain),
            "https://agents.flora.ai/.well-known/oauth-authorization-server"
        );
        let pathed = Url::parse("https://id.example/tenant1").unwrap();
        assert_eq!(
            metadata_url(&pathed),
            "https://id.example/.well-known/oauth-authorization-server/tenant1"
        );
    }

    #[test]
    fn only_https_or_loopback_http_is_accepted() {
        assert!(check_url("https://agents.flora.ai/authorize", "x").is_ok());
        assert!(check_url("http://127.0.0.1:9/authorize", "x").is_ok());
        assert!(check_url("http://agents.flora.ai/authorize", "x").is_err());
        assert!(check_url("file:///etc/passwd", "x").is_err());
    }
}
