//! The fake authorization server beside the API, modelled on FLORA's hosted one: RFC 9728
//! protected-resource metadata, RFC 8414 authorization-server metadata, RFC 7591 dynamic
//! registration of public clients, `/authorize` with a small HTML sign-in and workspace picker,
//! `/token` (authorization code with PKCE S256, refresh with rotation, RFC 7009 revocation on
//! the same URL, as FLORA's metadata says), and the access tokens the API accepts.
//!
//! Knobs ([`OAuthKnobs`], or JSON on `POST /__fake/oauth`): token lifetimes down to a second,
//! metadata without S256, a wrong `iss` on the redirect, the next refresh answered with
//! `invalid_grant` or 503, a canary planted in every token issued. `GET /__fake/oauth` reads the
//! counters (refresh requests, revocations, registrations, live tokens).

use crate::state::{AppState, lock};
use axum::Json;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The password the fake's sign-in form accepts, for any email address.
pub const FAKE_PASSWORD: &str = "flora-fake-password";

/// Test steering for the authorization server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OAuthKnobs {
    /// Seconds an access token lives.
    pub access_token_ttl: u64,
    /// Advertise and accept only `plain` PKCE (a server the client must refuse).
    pub no_s256: bool,
    /// Put this `iss` on the redirect instead of the real issuer.
    pub wrong_iss: Option<String>,
    /// Answer the next refresh with `invalid_grant`.
    pub next_refresh_invalid_grant: bool,
    /// Answer the next this-many refreshes with 503.
    pub next_refresh_unavailable: u32,
    /// Delay every refresh answer by this many milliseconds (to overlap concurrent refreshes).
    pub refresh_delay_ms: u64,
    /// A string planted inside every access and refresh token issued.
    pub canary: Option<String>,
}

impl Default for OAuthKnobs {
    fn default() -> OAuthKnobs {
        OAuthKnobs {
            access_token_ttl: 3600,
            no_s256: false,
            wrong_iss: None,
            next_refresh_invalid_grant: false,
            next_refresh_unavailable: 0,
            refresh_delay_ms: 0,
            canary: None,
        }
    }
}

/// What the authorization server counted, for tests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OAuthCounters {
    /// Clients registered.
    pub registrations: u32,
    /// Authorization codes exchanged.
    pub code_exchanges: u32,
    /// Refresh requests received (answered or failed).
    pub refresh_requests: u32,
    /// Tokens revoked.
    pub revocations: u32,
}

struct Grant {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    resource: String,
    workspace_id: String,
    email: String,
}

struct Refresh {
    client_id: String,
    resource: String,
    workspace_id: String,
    email: String,
}

/// The authorization server's state.
#[derive(Default)]
pub struct OAuthState {
    knobs: OAuthKnobs,
    counters: OAuthCounters,
    clients: HashMap<String, Vec<String>>,
    codes: HashMap<String, Grant>,
    access: HashMap<String, (String, Instant)>,
    refresh: HashMap<String, Refresh>,
}

impl OAuthState {
    /// The workspace an unexpired access token was issued for.
    pub fn workspace_for(&self, token: &str) -> Option<String> {
        let (workspace, expires) = self.access.get(token)?;
        (Instant::now() < *expires).then(|| workspace.clone())
    }
}

impl crate::state::Shared {
    /// Replaces the knobs.
    pub fn set_oauth_knobs(&self, knobs: OAuthKnobs) {
        lock(&self.oauth).knobs = knobs;
    }

    /// The counters so far.
    pub fn oauth_counters(&self) -> OAuthCounters {
        lock(&self.oauth).counters.clone()
    }

    /// Makes every access token issued so far expired.
    pub fn expire_access_tokens(&self) {
        let now = Instant::now();
        for (_, expires) in lock(&self.oauth).access.values_mut() {
            *expires = now;
        }
    }

    fn issuer(&self) -> String {
        self.origin.clone()
    }

    fn resource(&self) -> String {
        format!("{}/api/v1", self.origin)
    }
}

/// The `WWW-Authenticate` value of a 401 from the API (RFC 9728 §5.1).
pub fn challenge(state: &crate::state::Shared, invalid_token: bool) -> HeaderValue {
    let error = if invalid_token {
        "error=\"invalid_token\", "
    } else {
        ""
    };
    let value = format!(
        "Bearer {error}resource_metadata=\"{}/.well-known/oauth-protected-resource/api/v1\"",
        state.origin
    );
    HeaderValue::from_str(&value).expect("a header-safe challenge")
}

/// `GET /.well-known/oauth-protected-resource[/api/v1]`.
pub async fn protected_resource(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "resource": state.resource(),
        "authorization_servers": [state.issuer()],
        "bearer_methods_supported": ["header"],
    }))
}

/// `GET /.well-known/oauth-authorization-server`.
pub async fn metadata(State(state): State<AppState>) -> Json<Value> {
    let methods = if lock(&state.oauth).knobs.no_s256 {
        json!(["plain"])
    } else {
        json!(["plain", "S256"])
    };
    let origin = &state.origin;
    Json(json!({
        "issuer": state.issuer(),
        "authorization_endpoint": format!("{origin}/authorize"),
        "token_endpoint": format!("{origin}/token"),
        "registration_endpoint": format!("{origin}/register"),
        "revocation_endpoint": format!("{origin}/token"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["none"],
        "code_challenge_methods_supported": methods,
        "authorization_response_iss_parameter_supported": true,
    }))
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = json!({ "error": error, "error_description": description });
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

/// A loopback `http` redirect URI, as RFC 8252 §7.3 allows public native clients.
fn loopback_redirect(uri: &str) -> bool {
    uri.strip_prefix("http://127.0.0.1:")
        .or_else(|| uri.strip_prefix("http://[::1]:"))
        .or_else(|| uri.strip_prefix("http://localhost:"))
        .is_some_and(|rest| rest.chars().next().is_some_and(|c| c.is_ascii_digit()))
}

/// `POST /register` (RFC 7591): public clients with loopback redirects only.
pub async fn register(State(state): State<AppState>, Json(body): Json<Value>) -> Response {
    let uris: Vec<String> = body["redirect_uris"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|u| u.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if uris.is_empty() || !uris.iter().all(|u| loopback_redirect(u)) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_redirect_uri",
            "redirect_uris must be loopback http URIs",
        );
    }
    if body["token_endpoint_auth_method"].as_str() != Some("none") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client_metadata",
            "only public clients (token_endpoint_auth_method none) may register",
        );
    }
    let client_id = format!("client_{}", crate::ids::random_token(24));
    let mut oauth = lock(&state.oauth);
    oauth.counters.registrations += 1;
    oauth.clients.insert(client_id.clone(), uris.clone());
    let issued = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let answer = json!({
        "client_id": client_id,
        "client_id_issued_at": issued,
        "redirect_uris": uris,
        "token_endpoint_auth_method": "none",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "client_name": body["client_name"],
    });
    (StatusCode::CREATED, Json(answer)).into_response()
}

/// Redirect URIs match ignoring the loopback port (RFC 8252 §7.3).
fn redirect_matches(registered: &[String], uri: &str) -> bool {
    let strip = |u: &str| -> String {
        let rest = u.strip_prefix("http://").unwrap_or(u);
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        format!("{host}/{path}")
    };
    registered.iter().any(|r| strip(r) == strip(uri))
}

/// The query of `GET /authorize` and the hidden fields of the sign-in form.
#[derive(Debug, Deserialize, Serialize)]
pub struct AuthorizeQuery {
    #[serde(default)]
    response_type: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    code_challenge: String,
    #[serde(default)]
    code_challenge_method: String,
    #[serde(default)]
    resource: String,
    #[serde(default)]
    scope: Option<String>,
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><h1>{title}</h1>{body}</body></html>"
    ))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Checks an authorization request; the error page text when it is bad.
fn check_request(state: &crate::state::Shared, q: &AuthorizeQuery) -> Result<(), String> {
    let oauth = lock(&state.oauth);
    let registered = oauth.clients.get(&q.client_id).ok_or("unknown client_id")?;
    if !redirect_matches(registered, &q.redirect_uri) {
        return Err("redirect_uri is not registered for this client".into());
    }
    if q.response_type != "code" {
        return Err("response_type must be code".into());
    }
    let method_ok = match q.code_challenge_method.as_str() {
        "S256" => !oauth.knobs.no_s256,
        "plain" => oauth.knobs.no_s256,
        _ => false,
    };
    if q.code_challenge.len() < 43 || !method_ok {
        return Err("a PKCE code_challenge with a supported method is required".into());
    }
    if q.state.is_empty() {
        return Err("state is required".into());
    }
    if q.resource != state.resource() {
        return Err(format!("resource must be {}", state.resource()));
    }
    Ok(())
}

/// `GET /authorize`: the sign-in form with a workspace picker.
pub async fn authorize(
    State(state): State<AppState>,
    Query(query): Query<AuthorizeQuery>,
) -> Response {
    if let Err(why) = check_request(&state, &query) {
        return (
            StatusCode::BAD_REQUEST,
            page("Sign-in refused", &escape(&why)),
        )
            .into_response();
    }
    let hidden: String = serde_json::to_value(&query)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(&k),
                escape(&v)
            )
        })
        .collect();
    let workspaces: String = state
        .workspaces
        .iter()
        .enumerate()
        .map(|(i, w)| {
            format!(
                "<label><input type=\"radio\" name=\"workspace_id\" value=\"{id}\"{checked}> \
                 {name}</label><br>",
                id = escape(&w.workspace_id),
                name = escape(&w.name),
                checked = if i == 0 { " checked" } else { "" },
            )
        })
        .collect();
    let form = format!(
        "<form method=\"post\" action=\"/authorize\">{hidden}\
         <label>Email <input name=\"email\" id=\"email\" type=\"email\"></label><br>\
         <label>Password <input name=\"password\" id=\"password\" type=\"password\"></label><br>\
         <fieldset><legend>Workspace</legend>{workspaces}</fieldset>\
         <button type=\"submit\" id=\"allow\">Allow flora-mcp</button></form>"
    );
    page("Sign in to FLORA", &form).into_response()
}

/// The sign-in form as posted.
#[derive(Debug, Deserialize)]
pub struct Consent {
    #[serde(flatten)]
    query: AuthorizeQuery,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    workspace_id: String,
}

/// `POST /authorize`: checks the password and redirects back with a code, `state` and `iss`.
pub async fn consent(State(state): State<AppState>, Form(form): Form<Consent>) -> Response {
    let query = form.query;
    if let Err(why) = check_request(&state, &query) {
        return (
            StatusCode::BAD_REQUEST,
            page("Sign-in refused", &escape(&why)),
        )
            .into_response();
    }
    if form.password != FAKE_PASSWORD || form.email.is_empty() {
        let body = "Wrong email or password.";
        return (StatusCode::UNAUTHORIZED, page("Sign-in failed", body)).into_response();
    }
    if state.workspace(&form.workspace_id).is_none() {
        return (
            StatusCode::BAD_REQUEST,
            page("Sign-in failed", "Pick a workspace."),
        )
            .into_response();
    }
    let code = format!("code_{}", crate::ids::random_token(32));
    let iss = {
        let mut oauth = lock(&state.oauth);
        oauth.codes.insert(
            code.clone(),
            Grant {
                client_id: query.client_id.clone(),
                redirect_uri: query.redirect_uri.clone(),
                challenge: query.code_challenge.clone(),
                resource: query.resource.clone(),
                workspace_id: form.workspace_id.clone(),
                email: form.email.clone(),
            },
        );
        oauth
            .knobs
            .wrong_iss
            .clone()
            .unwrap_or_else(|| state.issuer())
    };
    let mut target = url_with_query(
        &query.redirect_uri,
        &[("code", &code), ("state", &query.state), ("iss", &iss)],
    );
    if target.is_empty() {
        target = query.redirect_uri;
    }
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(&target) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn url_with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", percent(v)))
        .collect();
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{}", encoded.join("&"))
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The body of `POST /token`: a grant, or a revocation when `token` is given.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    grant_type: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    redirect_uri: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    code_verifier: String,
    #[serde(default)]
    refresh_token: String,
    #[serde(default)]
    resource: String,
    #[serde(default)]
    token: String,
}

/// `POST /token`.
pub async fn token(State(state): State<AppState>, Form(form): Form<TokenForm>) -> Response {
    match form.grant_type.as_str() {
        "authorization_code" => exchange_code(&state, &form),
        "refresh_token" => refresh(&state, &form).await,
        "" if !form.token.is_empty() => revoke(&state, &form.token),
        _ => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be authorization_code or refresh_token",
        ),
    }
}

fn s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn exchange_code(state: &crate::state::Shared, form: &TokenForm) -> Response {
    let mut oauth = lock(&state.oauth);
    let Some(grant) = oauth.codes.remove(&form.code) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "unknown or used code",
        );
    };
    let verified = if oauth.knobs.no_s256 {
        form.code_verifier == grant.challenge
    } else {
        s256(&form.code_verifier) == grant.challenge
    };
    if !verified {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "PKCE check failed",
        );
    }
    if grant.client_id != form.client_id || grant.redirect_uri != form.redirect_uri {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "client_id or redirect_uri differ from the authorization request",
        );
    }
    if grant.resource != form.resource {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_target",
            "resource differs",
        );
    }
    oauth.counters.code_exchanges += 1;
    let refresh = Refresh {
        client_id: grant.client_id,
        resource: grant.resource,
        workspace_id: grant.workspace_id,
        email: grant.email,
    };
    issue(&mut oauth, refresh)
}

/// Mints an access token and a fresh refresh token for `refresh`'s grant.
fn issue(oauth: &mut OAuthState, refresh: Refresh) -> Response {
    let canary = oauth.knobs.canary.clone().unwrap_or_default();
    let access = format!("fat_{canary}{}", crate::ids::random_token(32));
    let refresh_token = format!("frt_{canary}{}", crate::ids::random_token(32));
    let ttl = oauth.knobs.access_token_ttl;
    let expires = Instant::now() + Duration::from_secs(ttl);
    oauth
        .access
        .insert(access.clone(), (refresh.workspace_id.clone(), expires));
    let body = json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": ttl,
        "refresh_token": refresh_token,
        "workspace_id": refresh.workspace_id,
        "email": refresh.email,
    });
    oauth.refresh.insert(refresh_token, refresh);
    (
        StatusCode::OK,
        [(header::CACHE_CONTROL, "no-store")],
        Json(body),
    )
        .into_response()
}

async fn refresh(state: &crate::state::Shared, form: &TokenForm) -> Response {
    let delay = {
        let mut oauth = lock(&state.oauth);
        oauth.counters.refresh_requests += 1;
        oauth.knobs.refresh_delay_ms
    };
    tokio::time::sleep(Duration::from_millis(delay)).await;
    let mut oauth = lock(&state.oauth);
    if oauth.knobs.next_refresh_unavailable > 0 {
        oauth.knobs.next_refresh_unavailable -= 1;
        return oauth_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "try again later",
        );
    }
    if std::mem::take(&mut oauth.knobs.next_refresh_invalid_grant) {
        oauth.refresh.clear();
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "refresh token revoked",
        );
    }
    let Some(grant) = oauth.refresh.remove(&form.refresh_token) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "unknown, used or revoked refresh token",
        );
    };
    if grant.client_id != form.client_id || grant.resource != form.resource {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "client_id or resource differ from the grant",
        );
    }
    issue(&mut oauth, grant)
}

/// RFC 7009: always 200, whether or not the token was known.
fn revoke(state: &crate::state::Shared, token: &str) -> Response {
    let mut oauth = lock(&state.oauth);
    let known = oauth.refresh.remove(token).is_some() || oauth.access.remove(token).is_some();
    if known {
        oauth.counters.revocations += 1;
    }
    StatusCode::OK.into_response()
}

/// `GET /__fake/oauth`: the counters and knobs.
pub async fn control_read(State(state): State<AppState>) -> Json<Value> {
    let oauth = lock(&state.oauth);
    Json(json!({
        "counters": oauth.counters,
        "knobs": oauth.knobs,
        "live_refresh_tokens": oauth.refresh.len(),
    }))
}

/// `POST /__fake/oauth`: replaces the knobs (absent fields take their defaults).
pub async fn control_write(
    State(state): State<AppState>,
    Json(knobs): Json<OAuthKnobs>,
) -> Json<Value> {
    state.set_oauth_knobs(knobs.clone());
    Json(json!({ "knobs": knobs }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_match_on_any_port() {
        assert!(loopback_redirect("http://127.0.0.1:5000/callback"));
        assert!(!loopback_redirect("https://evil.example/callback"));
        let registered = vec!["http://127.0.0.1:5000/callback".to_owned()];
        assert!(redirect_matches(
            &registered,
            "http://127.0.0.1:6000/callback"
        ));
        assert!(!redirect_matches(
            &registered,
            "http://127.0.0.1:6000/other"
        ));
    }

    #[test]
    fn s256_is_the_unpadded_base64url_sha256_of_the_verifier() {
        // Expected value computed with Python's hashlib and base64.urlsafe_b64encode.
        assert_eq!(
            s256("dBjftJeZ4CK-yEuWRRv5Q8UFuYgsvB2KFOBXUXoTBO0"),
            "WQJE2lbiZZLWn6-JOQTCcprFMhRkjWlsCQMYwWcTchk"
        );
    }
}
