//! Secrets as types: a credential can be handed to the one place that sends it, but cannot be
//! printed, logged or formatted into an error by accident.

use std::fmt;

/// A FLORA API key (`sk_live_…`, `sk_test_…`). Its `Debug` and `Display` never show the key.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

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
    fn empty_and_malformed_keys_are_refused_without_echoing_them() {
        assert_eq!(ApiKey::new("   "), Err(ApiKeyError::Empty));
        let err = ApiKey::new("sk_test abc").unwrap_err();
        assert!(!err.to_string().contains("abc"));
    }
}
