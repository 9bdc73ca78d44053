//! Signing in to FLORA: where the bearer for the API comes from (`FLORA_API_KEY`, else a key or
//! an OAuth sign-in stored in the keychain), the OAuth 2.1 authorization-code flow with PKCE
//! S256 in the browser ([`discovery`], [`loopback`], [`browser`]), refresh before expiry, and
//! one sign-in or refresh at a time within a process (a mutex) and across processes ([`lock`],
//! re-reading the keychain after taking it).
//!
//! This module knows nothing of MCP: the protocol layer hands it a [`SignInPrompt`] that shows
//! the sign-in URL to the person. The URL never goes into a tool result, and no token ever
//! leaves this module except as the `Authorization` value the egress hook attaches.

mod browser;
pub mod discovery;
mod lock;
mod loopback;
mod tokens;

use crate::keychain::{Keychain, KeychainError};
use crate::secrets::{AccessToken, ApiKey, ClientSecret, RefreshToken};
use oauth2::{AuthorizationCode, CsrfToken, PkceCodeChallenge};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokens::{check_callback, client, send, session_from, token_error};

/// FLORA's authorization server, used when the API names none in its 401 challenge.
pub const DEFAULT_ISSUER: &str = "https://agents.flora.ai";

/// Why no bearer could be had. Never contains a token, a key or the sign-in URL.
#[derive(Debug)]
#[non_exhaustive]
pub enum AuthError {
    /// The keychain cannot be used.
    Keychain(KeychainError),
    /// The authorization server or the API could not be reached, or answered 5xx: retryable,
    /// the stored sign-in is kept.
    Unreachable(String),
    /// The discovery documents or the registration are unusable.
    Discovery(String),
    /// The authorization server does not offer PKCE with S256.
    NoS256(String),
    /// The loopback redirect failed (port taken, nobody came in time).
    Callback(String),
    /// The redirect was refused (state, iss, an error from the server).
    SignIn(String),
    /// No browser could be started.
    NoBrowser(String),
    /// The cross-process lock could not be taken.
    Lock(String),
    /// The refresh token is no longer valid (`invalid_grant`): signed out.
    SignedOut(String),
    /// The token endpoint refused or answered something unreadable.
    Token(String),
    /// No credential, and signing in from here is turned off.
    NotSignedIn,
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::Keychain(err) => write!(f, "{err}"),
            AuthError::Unreachable(why) => {
                write!(f, "{why}; the FLORA sign-in is kept, try again in a moment")
            }
            AuthError::Discovery(why)
            | AuthError::NoS256(why)
            | AuthError::Callback(why)
            | AuthError::NoBrowser(why)
            | AuthError::Lock(why)
            | AuthError::Token(why) => write!(f, "{why}"),
            AuthError::SignIn(why) => write!(f, "the FLORA sign-in was refused: {why}"),
            AuthError::SignedOut(why) => write!(
                f,
                "signed out of FLORA ({why}); run `flora-mcp login` or call a tool again to \
                 sign in"
            ),
            AuthError::NotSignedIn => write!(
                f,
                "flora-mcp is not signed in to FLORA; the person running it must run \
                 `flora-mcp login` (or set FLORA_API_KEY)"
            ),
        }
    }
}

impl std::error::Error for AuthError {}

/// Shows the sign-in URL to the person through the MCP client.
pub trait SignInPrompt: Send + Sync {
    /// Shows `url`; returns at once (any waiting happens elsewhere).
    fn show(&self, url: &str);
}

/// How a [`Credentials`] behaves.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// The API base URL; also the keychain account of its sign-in.
    pub api_url: String,
    /// The issuer to use when the API names no authorization server.
    pub issuer: String,
    /// A pre-registered client id; otherwise flora-mcp registers itself.
    pub client_id: Option<String>,
    /// The loopback port for the redirect; 0 picks a free one at sign-in.
    pub callback_port: u16,
    /// How long to wait for the person to finish signing in.
    pub sign_in_timeout: Duration,
    /// Whether a tool call may start a browser sign-in.
    pub interactive: bool,
    /// Folder of the cross-process lock file.
    pub lock_dir: PathBuf,
    /// `FLORA_API_KEY`, which overrides everything stored.
    pub env_key: Option<ApiKey>,
}

/// How requests are authenticated right now, for `status` and the session view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// No credential yet.
    #[default]
    None,
    /// `FLORA_API_KEY`.
    EnvApiKey,
    /// An API key stored with `flora-mcp login --api-key`.
    StoredApiKey,
    /// An OAuth sign-in.
    OAuth,
}

/// What can be said about the credential without showing it.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Where the credential comes from.
    pub method: Method,
    /// The workspace picked at sign-in, if the server said.
    pub workspace_id: Option<String>,
    /// Who signed in, if the server said.
    pub account: Option<String>,
    /// When the access token expires (Unix seconds).
    pub expires_at: Option<u64>,
    /// The authorization server.
    pub issuer: Option<String>,
}

/// An OAuth sign-in as stored in the keychain.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct OAuthSession {
    access_token: AccessToken,
    refresh_token: Option<RefreshToken>,
    issued_at: u64,
    expires_at: Option<u64>,
    client_id: String,
    client_secret: Option<ClientSecret>,
    issuer: String,
    token_endpoint: String,
    revocation_endpoint: Option<String>,
    resource: String,
    workspace_id: Option<String>,
    account: Option<String>,
}

/// What the keychain holds for one API.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Record {
    ApiKey { api_key: ApiKey },
    Oauth(Box<OAuthSession>),
}

/// The source of the bearer the egress hook attaches. Cheap to clone.
#[derive(Clone)]
pub struct Credentials {
    inner: Arc<Inner>,
}

struct Inner {
    settings: AuthSettings,
    http: reqwest::Client,
    keychain: std::sync::OnceLock<Result<Keychain, String>>,
    current: tokio::sync::Mutex<Option<Record>>,
    facts: std::sync::RwLock<Facts>,
    prompt: std::sync::RwLock<Option<Arc<dyn SignInPrompt>>>,
    /// The SHA-256 of the last bearer FLORA refused: never used again.
    refused: std::sync::Mutex<Option<String>>,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl OAuthSession {
    /// Usable for a while yet: refreshed when a quarter of its life (at most a minute) is left.
    fn fresh(&self) -> bool {
        let Some(expires) = self.expires_at else {
            return true;
        };
        let margin = (expires.saturating_sub(self.issued_at) / 4).min(60);
        now() + margin < expires
    }
}

impl Record {
    fn bearer(&self) -> Option<String> {
        match self {
            Record::ApiKey { api_key } => Some(api_key.bearer()),
            Record::Oauth(session) if session.fresh() => {
                Some(format!("Bearer {}", session.access_token.secret()))
            }
            Record::Oauth(_) => None,
        }
    }
}

impl Credentials {
    /// A credential source for `settings`.
    ///
    /// # Errors
    /// Fails when the HTTP client cannot be built.
    pub fn new(settings: AuthSettings) -> anyhow::Result<Credentials> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .user_agent(concat!("flora-mcp-host/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| anyhow::anyhow!("build the sign-in HTTP client: {e}"))?;
        let facts = Facts {
            method: if settings.env_key.is_some() {
                Method::EnvApiKey
            } else {
                Method::None
            },
            ..Facts::default()
        };
        Ok(Credentials {
            inner: Arc::new(Inner {
                settings,
                http,
                keychain: std::sync::OnceLock::new(),
                current: tokio::sync::Mutex::new(None),
                facts: std::sync::RwLock::new(facts),
                prompt: std::sync::RwLock::new(None),
                refused: std::sync::Mutex::new(None),
            }),
        })
    }

    /// Where sign-in URLs are shown besides stderr (the MCP client).
    pub fn set_prompt(&self, prompt: Arc<dyn SignInPrompt>) {
        *self
            .inner
            .prompt
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(prompt);
    }

    /// What is known of the credential now (no I/O).
    pub fn facts(&self) -> Facts {
        self.inner
            .facts
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The keychain backend in use, opening it if needed.
    ///
    /// # Errors
    /// Fails when no keychain can be used.
    pub fn keychain(&self) -> Result<&Keychain, AuthError> {
        self.inner
            .keychain
            .get_or_init(|| Keychain::open().map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|why| AuthError::Keychain(KeychainError::from_message(why)))
    }

    fn account(&self) -> &str {
        &self.inner.settings.api_url
    }

    fn read_record(&self) -> Result<Option<Record>, AuthError> {
        let Some(json) = self
            .keychain()?
            .read(self.account())
            .map_err(AuthError::Keychain)?
        else {
            return Ok(None);
        };
        match serde_json::from_str(&json) {
            Ok(record) => Ok(Some(record)),
            Err(_) => {
                tracing::warn!("the stored FLORA sign-in is unreadable; it is ignored");
                Ok(None)
            }
        }
    }

    fn save(&self, record: &Record) -> Result<(), AuthError> {
        let json = serde_json::to_string(record)
            .map_err(|e| AuthError::Token(format!("encode the sign-in: {e}")))?;
        self.keychain()?
            .write(self.account(), &json)
            .map_err(AuthError::Keychain)
    }

    fn note(&self, record: Option<&Record>) {
        let mut facts = Facts::default();
        if self.inner.settings.env_key.is_some() {
            facts.method = Method::EnvApiKey;
        } else {
            match record {
                Some(Record::ApiKey { .. }) => facts.method = Method::StoredApiKey,
                Some(Record::Oauth(session)) => {
                    facts = Facts {
                        method: Method::OAuth,
                        workspace_id: session.workspace_id.clone(),
                        account: session.account.clone(),
                        expires_at: session.expires_at,
                        issuer: Some(session.issuer.clone()),
                    };
                }
                None => {}
            }
        }
        *self
            .inner
            .facts
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = facts;
    }

    /// Reads what the keychain holds, so the session view is right before the first call.
    ///
    /// # Errors
    /// Fails when the keychain cannot be read.
    pub async fn preload(&self) -> Result<Facts, AuthError> {
        if self.inner.settings.env_key.is_none() {
            let mut current = self.inner.current.lock().await;
            *current = self.read_record()?;
            self.note(current.as_ref());
        }
        Ok(self.facts())
    }

    /// The `Authorization` value for the next FLORA request: `FLORA_API_KEY`, a stored key, or
    /// a stored OAuth token — refreshed when due, or signed in afresh (in the browser) when
    /// there is none and signing in is allowed.
    ///
    /// # Errors
    /// Fails when there is no credential and none could be had; see [`AuthError`].
    pub async fn bearer(&self) -> Result<String, AuthError> {
        if let Some(key) = &self.inner.settings.env_key {
            return Ok(key.bearer());
        }
        let mut current = self.inner.current.lock().await;
        if current.is_none() {
            *current = self.read_record()?;
            self.note(current.as_ref());
        }
        if let Some(bearer) = self.usable(current.as_ref()) {
            return Ok(bearer);
        }
        if current.is_none() && !self.inner.settings.interactive {
            return Err(AuthError::NotSignedIn);
        }

        // Another process may be refreshing or signing in: wait for it, then look again.
        let _held = lock::acquire(&self.lock_path()).await?;
        *current = self.read_record()?;
        self.note(current.as_ref());
        if let Some(bearer) = self.usable(current.as_ref()) {
            return Ok(bearer);
        }
        let session = match current.take() {
            Some(Record::ApiKey { api_key }) => {
                // FLORA refused the stored key; nothing here can mend that.
                let bearer = api_key.bearer();
                *current = Some(Record::ApiKey { api_key });
                return Ok(bearer);
            }
            Some(Record::Oauth(old)) if old.refresh_token.is_some() => {
                match self.refresh(&old).await {
                    Ok(new) => new,
                    Err(AuthError::SignedOut(why)) => {
                        tracing::warn!("signed out of FLORA ({why}); signing in again once");
                        self.keychain()?
                            .delete(self.account())
                            .map_err(AuthError::Keychain)?;
                        self.note(None);
                        if !self.inner.settings.interactive {
                            return Err(AuthError::SignedOut(why));
                        }
                        self.sign_in().await?
                    }
                    Err(err) => {
                        *current = Some(Record::Oauth(old));
                        return Err(err);
                    }
                }
            }
            _ if !self.inner.settings.interactive => return Err(AuthError::NotSignedIn),
            _ => self.sign_in().await?,
        };
        // Saved before use: a rotated refresh token must not exist only in memory.
        let record = Record::Oauth(Box::new(session));
        self.save(&record)?;
        let bearer = record.bearer().unwrap_or_default();
        self.note(Some(&record));
        *current = Some(record);
        Ok(bearer)
    }

    /// FLORA refused `bearer` (401): the access token is treated as expired, so the next
    /// request refreshes it.
    pub async fn refused(&self, bearer: &str) {
        let current = self.inner.current.lock().await;
        if let Some(Record::Oauth(_)) = current.as_ref() {
            *self
                .inner
                .refused
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(digest(bearer));
        }
    }

    /// The record's bearer, unless it is due for refresh or FLORA refused it.
    fn usable(&self, record: Option<&Record>) -> Option<String> {
        let bearer = record?.bearer()?;
        let refused = self
            .inner
            .refused
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        (refused.as_deref() != Some(digest(&bearer).as_str())).then_some(bearer)
    }

    fn lock_path(&self) -> PathBuf {
        let digest = digest(self.account());
        self.inner
            .settings
            .lock_dir
            .join(format!("sign-in-{}.lock", &digest[..16]))
    }

    async fn refresh(&self, old: &OAuthSession) -> Result<OAuthSession, AuthError> {
        let Some(refresh_token) = &old.refresh_token else {
            return Err(AuthError::SignedOut("no refresh token".to_owned()));
        };
        let client = client(
            &old.client_id,
            old.client_secret.as_ref(),
            None,
            &old.token_endpoint,
            old.revocation_endpoint.as_deref(),
            None,
        )?;
        let http = self.inner.http.clone();
        let call = move |request| send(http.clone(), request);
        let token = oauth2::RefreshToken::new(refresh_token.secret().to_owned());
        let answer = client
            .exchange_refresh_token(&token)
            .add_extra_param("resource", &old.resource)
            .request_async(&call)
            .await
            .map_err(|e| token_error(e, "refresh the FLORA sign-in"))?;
        tracing::info!("refreshed the FLORA access token");
        let mut session = session_from(&answer, old.clone());
        if session.refresh_token.is_none() {
            session.refresh_token = old.refresh_token.clone();
        }
        Ok(session)
    }

    fn present(&self, url: &str) {
        tracing::warn!("sign in to FLORA in your browser: {url}");
        let prompt = self
            .inner
            .prompt
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        if let Some(prompt) = prompt {
            prompt.show(url);
        }
        if let Err(err) = browser::open(url) {
            tracing::warn!("{err}; open the sign-in URL above yourself");
        }
    }

    async fn sign_in(&self) -> Result<OAuthSession, AuthError> {
        let settings = &self.inner.settings;
        let http = &self.inner.http;
        let server = discovery::discover(http, &settings.api_url, &settings.issuer).await?;
        if !server.s256 {
            return Err(AuthError::NoS256(format!(
                "the authorization server {} does not offer PKCE with S256, so flora-mcp will \
                 not sign in there",
                server.issuer
            )));
        }
        let listener = loopback::Listener::bind(settings.callback_port).await?;
        let redirect = listener.redirect_uri();
        let client_id = match (&settings.client_id, &server.registration_endpoint) {
            (Some(id), _) => id.clone(),
            (None, Some(endpoint)) => discovery::register(http, endpoint, &redirect).await?,
            (None, None) => {
                return Err(AuthError::Discovery(format!(
                    "the authorization server {} offers no client registration; set \
                     --oauth-client-id",
                    server.issuer
                )));
            }
        };
        let client = client(
            &client_id,
            None,
            Some(&server.authorization_endpoint),
            &server.token_endpoint,
            server.revocation_endpoint.as_deref(),
            Some(&redirect),
        )?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = client
            .authorize_url(CsrfToken::new_random)
            .map_err(|e| AuthError::Discovery(format!("build the sign-in URL: {e}")))?
            .set_pkce_challenge(challenge)
            .add_extra_param("resource", &server.resource)
            .url();
        self.present(url.as_str());

        let callback = listener.wait(settings.sign_in_timeout).await?;
        let code = match check_callback(&callback.params, state.secret(), &server.issuer) {
            Ok(code) => code,
            Err(why) => {
                callback.finish(Err(&why)).await;
                return Err(AuthError::SignIn(why));
            }
        };
        let http = http.clone();
        let call = move |request| send(http.clone(), request);
        let answer = client
            .exchange_code(AuthorizationCode::new(code))
            .set_pkce_verifier(verifier)
            .add_extra_param("resource", &server.resource)
            .request_async(&call)
            .await;
        let answer = match answer {
            Ok(answer) => answer,
            Err(err) => {
                let err = token_error(err, "exchange the sign-in code");
                callback
                    .finish(Err("the code could not be exchanged"))
                    .await;
                return Err(err);
            }
        };
        callback.finish(Ok(())).await;
        tracing::info!(issuer = %server.issuer, "signed in to FLORA");
        let base = OAuthSession {
            access_token: AccessToken::new(String::new()),
            refresh_token: None,
            issued_at: 0,
            expires_at: None,
            client_id,
            client_secret: None,
            issuer: server.issuer,
            token_endpoint: server.token_endpoint,
            revocation_endpoint: server.revocation_endpoint,
            resource: server.resource,
            workspace_id: None,
            account: None,
        };
        Ok(session_from(&answer, base))
    }

    /// Signs in in the browser now, whatever is stored, and saves the result.
    ///
    /// # Errors
    /// Fails when the sign-in does not complete or cannot be saved.
    pub async fn login(&self) -> Result<Facts, AuthError> {
        let mut current = self.inner.current.lock().await;
        let _held = lock::acquire(&self.lock_path()).await?;
        self.keychain()?;
        let record = Record::Oauth(Box::new(self.sign_in().await?));
        self.save(&record)?;
        self.note(Some(&record));
        *current = Some(record);
        Ok(self.facts())
    }

    /// Stores an API key in the keychain in place of any sign-in.
    ///
    /// # Errors
    /// Fails when the keychain cannot be written.
    pub async fn store_api_key(&self, api_key: ApiKey) -> Result<(), AuthError> {
        let mut current = self.inner.current.lock().await;
        let _held = lock::acquire(&self.lock_path()).await?;
        let record = Record::ApiKey { api_key };
        self.save(&record)?;
        self.note(Some(&record));
        *current = Some(record);
        Ok(())
    }

    /// Revokes the stored sign-in where the server offers RFC 7009, then deletes it. Returns
    /// what was done, in words.
    ///
    /// # Errors
    /// Fails when the keychain cannot be read or written; a failed revocation is reported in
    /// the returned text and the local copy is deleted anyway.
    pub async fn logout(&self) -> Result<String, AuthError> {
        let mut current = self.inner.current.lock().await;
        let _held = lock::acquire(&self.lock_path()).await?;
        let said = match self.read_record()? {
            None => "nothing was stored".to_owned(),
            Some(Record::ApiKey { .. }) => "deleted the stored API key".to_owned(),
            Some(Record::Oauth(session)) => match self.revoke(&session).await {
                Ok(true) => "revoked the sign-in at the authorization server and deleted it",
                Ok(false) => "deleted the sign-in (the server offers no revocation)",
                Err(err) => {
                    tracing::warn!("revocation failed: {err}");
                    "deleted the sign-in; revoking it at the server failed"
                }
            }
            .to_owned(),
        };
        self.keychain()?
            .delete(self.account())
            .map_err(AuthError::Keychain)?;
        *current = None;
        self.note(None);
        Ok(said)
    }

    /// RFC 7009: posts the refresh token (or the access token) to the revocation endpoint.
    async fn revoke(&self, session: &OAuthSession) -> Result<bool, AuthError> {
        let Some(endpoint) = &session.revocation_endpoint else {
            return Ok(false);
        };
        let (token, hint) = match &session.refresh_token {
            Some(refresh) => (refresh.secret(), "refresh_token"),
            None => (session.access_token.secret(), "access_token"),
        };
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("token", token)
            .append_pair("token_type_hint", hint)
            .append_pair("client_id", &session.client_id);
        if let Some(secret) = &session.client_secret {
            form.append_pair("client_secret", secret.secret());
        }
        let response = self
            .inner
            .http
            .post(endpoint)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.finish())
            .send()
            .await
            .map_err(|e| {
                AuthError::Unreachable(format!("revoke the sign-in at {endpoint}: {e}"))
            })?;
        if !response.status().is_success() {
            return Err(AuthError::Token(format!(
                "revoke the sign-in at {endpoint}: it answered {}",
                response.status()
            )));
        }
        Ok(true)
    }
}

/// The SHA-256 of `text` in hex (for comparing bearers without keeping them, and lock names).
fn digest(text: &str) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_callback_needs_the_same_state_and_a_matching_iss() {
        let issuer = "https://agents.flora.ai";
        let good = params(&[("code", "c1"), ("state", "s1"), ("iss", issuer)]);
        assert_eq!(check_callback(&good, "s1", issuer).unwrap(), "c1");
        let no_iss = params(&[("code", "c1"), ("state", "s1")]);
        assert!(check_callback(&no_iss, "s1", issuer).is_ok());
        let wrong_state = params(&[("code", "c1"), ("state", "s2")]);
        assert!(
            check_callback(&wrong_state, "s1", issuer)
                .unwrap_err()
                .contains("state")
        );
        let no_state = params(&[("code", "c1")]);
        assert!(
            check_callback(&no_state, "s1", issuer)
                .unwrap_err()
                .contains("no state")
        );
        let wrong_iss = params(&[("code", "c1"), ("state", "s1"), ("iss", "https://evil")]);
        assert!(
            check_callback(&wrong_iss, "s1", issuer)
                .unwrap_err()
                .contains("iss")
        );
        let refused = params(&[("error", "access_denied"), ("state", "s1")]);
        assert!(
            check_callback(&refused, "s1", issuer)
                .unwrap_err()
                .contains("access_denied")
        );
    }

    #[test]
    fn a_token_is_refreshed_before_it_expires() {
        let mut session = OAuthSession {
            access_token: AccessToken::new("a".into()),
            refresh_token: None,
            issued_at: now(),
            expires_at: Some(now() + 3600),
            client_id: "c".into(),
            client_secret: None,
            issuer: "i".into(),
            token_endpoint: "t".into(),
            revocation_endpoint: None,
            resource: "r".into(),
            workspace_id: None,
            account: None,
        };
        assert!(session.fresh());
        session.issued_at = now() - 3570;
        session.expires_at = Some(now() + 30);
        assert!(
            !session.fresh(),
            "an hour-long token within its last minute"
        );
        session.issued_at = now();
        session.expires_at = Some(now() + 8);
        assert!(
            session.fresh(),
            "short-lived tokens get a quarter of their life as margin"
        );
    }

    #[test]
    fn stored_records_keep_secrets_out_of_debug() {
        let record = Record::Oauth(Box::new(OAuthSession {
            access_token: AccessToken::new("fat_canary".into()),
            refresh_token: Some(RefreshToken::new("frt_canary".into())),
            issued_at: 0,
            expires_at: None,
            client_id: "c".into(),
            client_secret: None,
            issuer: "i".into(),
            token_endpoint: "t".into(),
            revocation_endpoint: None,
            resource: "r".into(),
            workspace_id: None,
            account: None,
        }));
        assert!(!format!("{record:?}").contains("canary"));
        let json = serde_json::to_string(&record).unwrap();
        let back: Record = serde_json::from_str(&json).unwrap();
        assert_eq!(back.bearer().as_deref(), Some("Bearer fat_canary"));
    }
}
