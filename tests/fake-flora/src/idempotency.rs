//! The `Idempotency-Key` header ledger: a key used by a successful mutating request is reserved
//! for a window (7200 s by default) per workspace and operation; reuse within it is a 409. A
//! [`Guard`] wraps the check-then-reserve dance for one handler.

use crate::errors::ApiError;
use axum::http::HeaderMap;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// One reservation's identity: workspace id, operation (method and destination), key.
pub type Scope = (String, String, String);

pub struct IdempotencyLedger {
    window: Duration,
    reserved: HashMap<Scope, Instant>,
}

impl IdempotencyLedger {
    pub fn new(window: Duration) -> IdempotencyLedger {
        IdempotencyLedger {
            window,
            reserved: HashMap::new(),
        }
    }

    /// Whether `scope` is reserved and still inside the window.
    pub fn is_reserved(&mut self, scope: &Scope) -> bool {
        let window = self.window;
        self.reserved.retain(|_, at| at.elapsed() < window);
        self.reserved.contains_key(scope)
    }

    /// Reserves `scope`; call only once the request has succeeded, so failures release the key.
    pub fn reserve(&mut self, scope: Scope) {
        self.reserved.insert(scope, Instant::now());
    }
}

/// One request's claim on its `Idempotency-Key` header, if it sent one.
pub struct Guard(Option<Scope>);

impl Guard {
    /// The claim of a request with `headers` on `operation` (method and path) in a workspace.
    pub fn new(headers: &HeaderMap, workspace_id: &str, operation: String) -> Guard {
        let key = headers
            .get("idempotency-key")
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
            .filter(|key| !key.is_empty());
        Guard(key.map(|key| (workspace_id.to_owned(), operation, key.to_owned())))
    }

    /// A 409 `idempotency_duplicate` if the key is already reserved.
    pub fn check(&self, ledger: &mut IdempotencyLedger) -> Result<(), ApiError> {
        match &self.0 {
            Some(scope) if ledger.is_reserved(scope) => Err(ApiError::idempotency_duplicate()),
            _ => Ok(()),
        }
    }

    /// Reserves the key; call once the request has succeeded.
    pub fn reserve(self, ledger: &mut IdempotencyLedger) {
        if let Some(scope) = self.0 {
            ledger.reserve(scope);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(key: &str) -> Scope {
        (
            "ws_a".into(),
            "POST /techniques/tech_x/runs".into(),
            key.into(),
        )
    }

    #[test]
    fn keys_expire_after_the_window() {
        let mut ledger = IdempotencyLedger::new(Duration::from_millis(30));
        ledger.reserve(scope("k"));
        assert!(ledger.is_reserved(&scope("k")));
        assert!(!ledger.is_reserved(&scope("other")));
        std::thread::sleep(Duration::from_millis(40));
        assert!(!ledger.is_reserved(&scope("k")));
    }
}
