//! The `Idempotency-Key` header ledger: a key used by a successful mutating request is reserved
//! for a window (7200 s by default) per workspace and operation; reuse within it is a 409.

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
