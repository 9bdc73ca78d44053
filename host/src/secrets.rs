//! Secrets as types: a credential can be handed to the one place that sends it, but cannot be
//! printed, logged or formatted into an error by accident.

use std::fmt;

/// A FLORA API key (`sk_live_…`, `sk_test_…`). Its `Debug` and `Display` never show the key.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ApiKey(String);

impl TryFrom<String> for ApiKey {
    type Error = ApiKeyError;

    fn try_from(raw: String) -> Result<ApiKey, ApiKeyError> {
        ApiKey::new(&raw)
    }
}

impl From<ApiKey> for String {
    fn from(key: ApiKey) -> String {
        key.0
    }
}

/// Why a value cannot be an API key. Never contains the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiKeyError {
    /// The value is empty or only white space.
    Empty,
    /// The value contains white space or control characters, so it cannot be a header value.
    Malformed,
}

impl fmt::Display for ApiKeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiKeyError::Empty => write!(f, "the API key is empty"),
            ApiKeyError::Malformed => {
                write!(f, "the API key contains spaces or control characters")
            }
        }
    }
}

impl std::error::Error for ApiKeyError {}

impl ApiKey {
    /// Wraps `raw` after trimming surrounding white space.
    ///
    /// # Errors
    /// Fails when the key is empty or could not be sent as an HTTP header value.
    pub fn new(raw: &str) -> Result<ApiKey, ApiKeyError> {
        let key = raw.trim();
        if key.is_empty() {
            return Err(ApiKeyError::Empty);
        }
        if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ApiKeyError::Malformed);
        }
        Ok(ApiKey(key.to_owned()))
    }

    /// The `Authorization` header value for this key.
    ///
    /// # Security
    /// The only way to read the key; call it only where the header is attached to a request.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted API key>")
    }
}

/// Declares a secret string newtype: redacted `Debug`, no `Display`, serde as a plain string
/// (only ever into the keychain), and one `secret()` accessor.
macro_rules! secret_string {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: String) -> $name {
                $name(value)
            }

            /// The secret itself.
            ///
            /// # Security
            /// Call it only where the value is sent to the server it belongs to or handed to
            /// the keychain; never log it or put it in an error.
            pub fn secret(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}(<redacted>)", stringify!($name))
            }
        }
    };
}

secret_string!(
    /// An OAuth access token for the FLORA API.
    AccessToken
);
secret_string!(
    /// An OAuth refresh token.
    RefreshToken
);
secret_string!(
    /// An OAuth client secret (only confidential clients have one; flora-mcp registers as a
    /// public client, but a configured client may carry one).
    ClientSecret
);

impl ApiKey {
    /// The key itself, for storing it in the keychain.
    ///
    /// # Security
    /// Call it only to hand the key to the keychain.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_never_shows_in_debug_or_display() {
        let key = ApiKey::new("  sk_test_secret123 ").unwrap();
        assert!(!format!("{key:?} {key}").contains("secret123"));
        assert_eq!(key.bearer(), "Bearer sk_test_secret123");
    }

    #[test]
    fn oauth_secrets_are_redacted_in_debug() {
        let token = AccessToken::new("fat_secret123".to_owned());
        let refresh = RefreshToken::new("frt_secret456".to_owned());
        let shown = format!("{token:?} {refresh:?}");
        assert!(
            shown.contains("redacted") && !shown.contains("secret"),
            "{shown}"
        );
        assert_eq!(token.secret(), "fat_secret123");
    }

    #[test]
    fn empty_and_malformed_keys_are_refused_without_echoing_them() {
        assert_eq!(ApiKey::new("   "), Err(ApiKeyError::Empty));
        let err = ApiKey::new("sk_test abc").unwrap_err();
        assert!(!err.to_string().contains("abc"));
    }
}
