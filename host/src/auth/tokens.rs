//! The token side of the OAuth flow, on top of the `oauth2` crate: the client for FLORA's
//! endpoints, the HTTP exchange through our own reqwest client (redirects off; a 5xx is a
//! failure, never a refusal), the checks of the redirect (error, `state`, RFC 9207 `iss`), the
//! mapping of token-endpoint failures (never quoting a body, which may hold tokens), and the
//! session a token answer makes.

use super::{AuthError, OAuthSession, now};
use crate::secrets::{AccessToken, ClientSecret, RefreshToken};
use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
    BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthUrl, ClientId, EndpointMaybeSet, EndpointNotSet, EndpointSet, RedirectUrl,
    RequestTokenError, RevocationUrl, StandardRevocableToken, StandardTokenResponse, TokenResponse,
    TokenUrl,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// Fields beyond RFC 6749 that FLORA's fake (and possibly FLORA) return with a token.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct Extra {
    #[serde(default)]
    workspace_id: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

impl oauth2::ExtraTokenFields for Extra {}

pub(super) type Token = StandardTokenResponse<Extra, BasicTokenType>;

pub(super) type Client = oauth2::Client<
    BasicErrorResponse,
    Token,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointMaybeSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointSet,
>;

/// A failure of the HTTP exchange under `oauth2`; a 5xx is one, so it is never taken for a
/// refusal.
#[derive(Debug)]
pub(super) struct HttpFailure(String);

impl fmt::Display for HttpFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HttpFailure {}

pub(super) async fn send(
    http: reqwest::Client,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, HttpFailure> {
    let url = request.uri().to_string();
    let request = reqwest::Request::try_from(request.map(reqwest::Body::from))
        .map_err(|e| HttpFailure(format!("build the request to {url}: {e}")))?;
    let response = http
        .execute(request)
        .await
        .map_err(|e| HttpFailure(format!("reach {url}: {e}")))?;
    let status = response.status();
    if status.is_server_error() {
        return Err(HttpFailure(format!("{url} answered {status}")));
    }
    let headers = response.headers().clone();
    let body = response
        .bytes()
        .await
        .map_err(|e| HttpFailure(format!("read the answer of {url}: {e}")))?;
    let mut answer = http::Response::new(body.to_vec());
    *answer.status_mut() = status;
    *answer.headers_mut() = headers;
    Ok(answer)
}

/// Maps a token-endpoint failure; never includes the response body (it may hold tokens).
pub(super) fn token_error(
    err: RequestTokenError<HttpFailure, BasicErrorResponse>,
    what: &str,
) -> AuthError {
    match err {
        RequestTokenError::ServerResponse(answer)
            if *answer.error() == BasicErrorResponseType::InvalidGrant =>
        {
            AuthError::SignedOut(format!(
                "the authorization server answered invalid_grant to {what}"
            ))
        }
        RequestTokenError::ServerResponse(answer) => AuthError::Token(format!(
            "{what}: the authorization server answered {}",
            answer.error()
        )),
        RequestTokenError::Request(failure) => AuthError::Unreachable(format!("{what}: {failure}")),
        RequestTokenError::Parse(_, _) => {
            AuthError::Token(format!("{what}: the token response could not be read"))
        }
        RequestTokenError::Other(why) => AuthError::Token(format!("{what}: {why}")),
    }
}

/// Checks the redirect's parameters: the server's error, `state`, `iss` (RFC 9207); the code.
pub(super) fn check_callback(
    params: &HashMap<String, String>,
    state: &str,
    issuer: &str,
) -> Result<String, String> {
    if let Some(error) = params.get("error") {
        let description = params.get("error_description").map_or("", String::as_str);
        return Err(format!(
            "the authorization server answered {error} {description}"
        ));
    }
    match params.get("state") {
        None => return Err("the redirect carried no state".to_owned()),
        Some(got) if got != state => {
            return Err(
                "the redirect's state does not match this sign-in (a stale or \
                        forged redirect)"
                    .to_owned(),
            );
        }
        Some(_) => {}
    }
    if let Some(iss) = params.get("iss")
        && iss.trim_end_matches('/') != issuer.trim_end_matches('/')
    {
        return Err(format!(
            "the redirect's iss `{iss}` is not the authorization server {issuer} (RFC 9207)"
        ));
    }
    params
        .get("code")
        .cloned()
        .ok_or_else(|| "the redirect carried no code".to_owned())
}

pub(super) fn client(
    session_client: &str,
    secret: Option<&ClientSecret>,
    authorize: Option<&str>,
    token: &str,
    revocation: Option<&str>,
    redirect: Option<&str>,
) -> Result<Client, AuthError> {
    let bad = |what: &str, e: oauth2::url::ParseError| {
        AuthError::Discovery(format!("the {what} is not a URL: {e}"))
    };
    let mut client = oauth2::Client::new(ClientId::new(session_client.to_owned()))
        .set_auth_uri_option(
            authorize
                .map(|u| AuthUrl::new(u.to_owned()).map_err(|e| bad("authorization endpoint", e)))
                .transpose()?,
        )
        .set_token_uri(TokenUrl::new(token.to_owned()).map_err(|e| bad("token endpoint", e))?)
        .set_revocation_url_option(
            revocation
                .map(|u| {
                    RevocationUrl::new(u.to_owned()).map_err(|e| bad("revocation endpoint", e))
                })
                .transpose()?,
        );
    if let Some(secret) = secret {
        client = client.set_client_secret(oauth2::ClientSecret::new(secret.secret().to_owned()));
    }
    if let Some(redirect) = redirect {
        client = client.set_redirect_uri(
            RedirectUrl::new(redirect.to_owned()).map_err(|e| bad("redirect URI", e))?,
        );
    }
    Ok(client)
}

/// The session a token answer makes, keeping what the answer does not carry from `base`.
pub(super) fn session_from(answer: &Token, base: OAuthSession) -> OAuthSession {
    let issued_at = now();
    let extra = answer.extra_fields();
    OAuthSession {
        access_token: AccessToken::new(answer.access_token().secret().to_owned()),
        refresh_token: answer
            .refresh_token()
            .map(|t| RefreshToken::new(t.secret().to_owned())),
        issued_at,
        expires_at: answer.expires_in().map(|d| issued_at + d.as_secs()),
        workspace_id: extra.workspace_id.clone().or(base.workspace_id.clone()),
        account: extra.email.clone().or(base.account.clone()),
        ..base
    }
}
