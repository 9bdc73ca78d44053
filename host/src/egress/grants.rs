//! Upload-target grants: a storage origin is reachable only for an upload FLORA itself asked
//! for. When a call's `POST /assets` or `POST /assets/{id}/retry` succeeds, the host reads the
//! ticket it returned (before the component does) and remembers its target: the `upload.url`
//! with `upload.method`, or the `upload_url` with `PUT`. A file may then go to exactly that URL
//! by exactly that method, once, within the same call. Nothing else on a storage origin can be
//! reached, whatever the component asks.

use http::Method;
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// Largest ticket read for its targets; FLORA's tickets are a few KiB.
pub const MAX_TICKET_BYTES: usize = 1024 * 1024;

/// One upload the host saw FLORA hand out.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Grant {
    method: Method,
    url: String,
}

/// The targets one call may still send a file to; a fresh, empty set for every call.
#[derive(Debug, Clone, Default)]
pub struct Grants(Arc<Mutex<Vec<Grant>>>);

impl Grants {
    /// Whether a request is one whose answer is a ticket with an upload target.
    pub fn is_ticket_request(method: &Method, path: &str) -> bool {
        if method != Method::POST {
            return false;
        }
        let path = path.trim_end_matches('/');
        if path.ends_with("/assets") {
            return true;
        }
        let mut segments = path.rsplit('/');
        segments.next() == Some("retry")
            && segments.next().is_some_and(|id| id.starts_with("asset_"))
            && segments.next() == Some("assets")
    }

    /// Remembers the upload target of a ticket's JSON body, if it has one.
    pub fn learn(&self, body: &[u8]) {
        let Ok(ticket) = serde_json::from_slice::<Value>(body) else {
            return;
        };
        let upload = &ticket["upload"];
        let grant = if let Some(url) = upload["url"].as_str().filter(|u| !u.is_empty()) {
            let method = upload["method"]
                .as_str()
                .unwrap_or("POST")
                .to_ascii_uppercase();
            Method::from_bytes(method.as_bytes())
                .ok()
                .map(|method| Grant {
                    method,
                    url: url.to_owned(),
                })
        } else {
            ticket["upload_url"]
                .as_str()
                .filter(|u| !u.is_empty())
                .map(|url| Grant {
                    method: Method::PUT,
                    url: url.to_owned(),
                })
        };
        if let Some(grant) = grant {
            tracing::debug!(method = %grant.method, "upload target granted for this call");
            self.lock().push(grant);
        }
    }

    /// Uses up the grant for `method` to `url`; false when there is none.
    pub fn take(&self, method: &Method, url: &str) -> bool {
        let mut grants = self.lock();
        match grants
            .iter()
            .position(|g| g.method == *method && g.url == url)
        {
            Some(at) => {
                grants.remove(at);
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Grant>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_requests_are_asset_creates_and_retries_only() {
        for (method, path, expected) in [
            (Method::POST, "/api/v1/assets", true),
            (Method::POST, "/api/v1/assets/asset_1/retry", true),
            (Method::POST, "/api/v1/assets/asset_1/complete", false),
            (Method::GET, "/api/v1/assets", false),
            (
                Method::POST,
                "/api/v1/projects/prj_1/assets/asset_1/attach",
                false,
            ),
        ] {
            assert_eq!(Grants::is_ticket_request(&method, path), expected, "{path}");
        }
    }

    #[test]
    fn a_target_is_granted_once_for_its_method_and_url_only() {
        let grants = Grants::default();
        grants.learn(br#"{"asset_id":"asset_1","upload":{"url":"https://s/b","method":"POST"}}"#);
        assert!(!grants.take(&Method::PUT, "https://s/b"));
        assert!(!grants.take(&Method::POST, "https://s/other"));
        assert!(grants.take(&Method::POST, "https://s/b"));
        assert!(!grants.take(&Method::POST, "https://s/b"), "used up");
        grants.learn(br#"{"upload_url":"https://s/put?sig=1"}"#);
        assert!(grants.take(&Method::PUT, "https://s/put?sig=1"));
        grants.learn(br#"{"asset_id":"asset_2","status":"ready"}"#);
        assert!(grants.lock().is_empty());
    }
}
