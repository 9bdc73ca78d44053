//! The REST client the tools use: sends JSON requests to FLORA through the [`Http`] transport
//! and sorts every answer into a JSON value or a [`Failure`] that says what went wrong, with
//! FLORA's error code, message, field errors and request id when FLORA gave them.
//!
//! Retries: a request that is safe to repeat (a GET, or a create that carries an
//! `Idempotency-Key` generated once per tool call) is retried on 5xx, 408 and connection
//! failures with capped, jittered exponential backoff, and on 429 after `retry-after` when that
//! is short. Nothing else is retried: a 402 or a 4xx is the agent's to act on.
//!
//! Request and response shapes follow the official SDK `@flora-ai/flora` 0.11.0
//! (`src/resources/**`), and the error envelope its `src/core/error.ts` reads:
//! `{"error":{"code","message","fields"?:[{"field","message"}]}}`.

use crate::http::{Http, Method, Request, Response, TransportError};
use crate::prelude::*;
use crate::query;
use serde_json::Value;

/// Identifies this client to FLORA, like the official SDK's `User-Agent`.
pub const USER_AGENT: &str = concat!("flora-mcp/", env!("CARGO_PKG_VERSION"));

/// A request that got no usable answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// FLORA answered with an error status.
    Api(Box<ApiError>),
    /// No HTTP answer at all.
    Transport(TransportError),
    /// FLORA answered with a redirect, which is never followed.
    Redirect {
        /// The 3xx status.
        status: u16,
        /// Where it pointed.
        location: Option<String>,
    },
    /// A success status whose body is not a JSON object.
    BadBody {
        /// The status.
        status: u16,
        /// The request id, if FLORA sent one.
        request_id: Option<String>,
    },
}

/// FLORA's error envelope and what came with it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// FLORA's machine-readable code, such as `not_found`; empty if the body had none.
    pub code: String,
    /// FLORA's message, or a short excerpt of a body that was not an envelope.
    pub message: String,
    /// Field errors as `(field, message)`.
    pub fields: Vec<(String, String)>,
    /// The `request-id` header.
    pub request_id: Option<String>,
    /// The `retry-after` header, as sent.
    pub retry_after: Option<String>,
}

/// How many times a safe request is retried after its first attempt.
pub const MAX_RETRIES: u32 = 3;
/// The first backoff; each retry doubles it, up to [`MAX_BACKOFF_MS`].
const BASE_BACKOFF_MS: u64 = 500;
const MAX_BACKOFF_MS: u64 = 4_000;
/// The longest `retry-after` honoured by waiting; longer ones are reported to the agent.
pub const MAX_RETRY_AFTER_S: u64 = 10;

/// Talks to one FLORA API base through a transport.
pub struct Client<'a> {
    http: &'a dyn Http,
    base: &'a str,
}

impl<'a> Client<'a> {
    /// A client for the API at `base` (such as `https://app.flora.ai/api/v1`).
    pub fn new(http: &'a dyn Http, base: &'a str) -> Client<'a> {
        Client { http, base }
    }

    /// `GET base/segments…?query`; query pairs with empty values are left out.
    pub fn get(&self, segments: &[&str], query: &[(&str, String)]) -> Result<Value, Failure> {
        let query: Vec<(&str, String)> = query
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .cloned()
            .collect();
        let request = Request {
            method: Method::Get,
            url: query::url(self.base, segments, &query),
            headers: common_headers(),
            body: None,
        };
        self.exchange(request)
    }

    /// `POST base/segments…` with a JSON body, once: for requests that must not repeat.
    pub fn post(&self, segments: &[&str], body: &Value) -> Result<Value, Failure> {
        let request = self.post_request(segments, body, None);
        sort(self.http.send(request).map_err(Failure::Transport)?)
    }

    /// `method base/segments…` with an optional JSON body, once: for changes that carry no
    /// idempotency key (a `PATCH`, a `DELETE`, a `POST` FLORA does not deduplicate), which
    /// must not be repeated blindly.
    pub fn send_once(
        &self,
        method: Method,
        segments: &[&str],
        body: Option<&Value>,
    ) -> Result<Value, Failure> {
        let mut request = match body {
            Some(body) => self.post_request(segments, body, None),
            None => Request {
                method,
                url: query::url(self.base, segments, &[]),
                headers: common_headers(),
                body: None,
            },
        };
        request.method = method;
        sort(self.http.send(request).map_err(Failure::Transport)?)
    }

    /// `method base/segments…` with an `Idempotency-Key` made once for this call and reused by
    /// every retry, like [`Client::create`] but for any method and without a body key to
    /// replay: a retry that meets `409 idempotency_duplicate` reports it, since FLORA does not
    /// hand back what the lost attempt did.
    pub fn change(
        &self,
        method: Method,
        segments: &[&str],
        body: Option<&Value>,
    ) -> Result<Value, Failure> {
        let key = self.idempotency_key();
        let make = || {
            let mut request = match body {
                Some(body) => self.post_request(segments, body, Some(&key)),
                None => {
                    let mut headers = common_headers();
                    headers.push(("idempotency-key".to_owned(), key.clone()));
                    Request {
                        method,
                        url: query::url(self.base, segments, &[]),
                        headers,
                        body: None,
                    }
                }
            };
            request.method = method;
            request
        };
        self.with_retries(make).map_err(|(failure, _)| failure)
    }

    /// `POST base/segments…` that creates something, with an `Idempotency-Key` made once for
    /// this call and reused by every retry, so a retried create never creates twice.
    ///
    /// When `body` also carries that key as `idempotency_key` (technique runs take one) and a
    /// retry meets `409 idempotency_duplicate` — the first attempt did create, but its answer
    /// was lost — the create is sent once more without the header, and FLORA answers with
    /// what the first attempt created.
    pub fn create(&self, segments: &[&str], body: &Value) -> Result<Value, Failure> {
        let key = self.idempotency_key();
        let mut body = body.clone();
        let replayable = body.get("idempotency_key").is_some();
        if replayable {
            body["idempotency_key"] = Value::String(key.clone());
        }
        let outcome = self.with_retries(|| self.post_request(segments, &body, Some(&key)));
        match outcome {
            Err((Failure::Api(err), attempts))
                if attempts > 1 && replayable && err.code == "idempotency_duplicate" =>
            {
                let request = self.post_request(segments, &body, None);
                sort(self.http.send(request).map_err(Failure::Transport)?)
            }
            other => other.map_err(|(failure, _)| failure),
        }
    }

    /// `POST base/segments…` without a body (`complete`, `retry`), with an `Idempotency-Key`
    /// made once for this call and reused by every retry.
    pub fn create_bare(&self, segments: &[&str]) -> Result<Value, Failure> {
        let key = self.idempotency_key();
        let make = || {
            let mut headers = common_headers();
            headers.push(("idempotency-key".to_owned(), key.clone()));
            Request {
                method: Method::Post,
                url: self.url(segments),
                headers,
                body: None,
            }
        };
        self.with_retries(make).map_err(|(failure, _)| failure)
    }

    /// The absolute URL of `segments` under the API base.
    pub fn url(&self, segments: &[&str]) -> String {
        query::url(self.base, segments, &[])
    }

    /// A fresh idempotency key: 128 random bits in hex.
    pub fn idempotency_key(&self) -> String {
        format!(
            "fmcp_{:016x}{:016x}",
            self.http.random_u64(),
            self.http.random_u64()
        )
    }

    fn post_request(&self, segments: &[&str], body: &Value, key: Option<&str>) -> Request {
        let mut headers = common_headers();
        headers.push(("content-type".to_owned(), "application/json".to_owned()));
        if let Some(key) = key {
            headers.push(("idempotency-key".to_owned(), key.to_owned()));
        }
        Request {
            method: Method::Post,
            url: query::url(self.base, segments, &[]),
            headers,
            body: Some(body.to_string().into_bytes()),
        }
    }

    fn exchange(&self, request: Request) -> Result<Value, Failure> {
        self.with_retries(|| request.clone())
            .map_err(|(failure, _)| failure)
    }

    /// Sends the request `make` builds until it succeeds, fails for good, or the retries run
    /// out; on failure also returns how many attempts were made.
    fn with_retries(&self, make: impl Fn() -> Request) -> Result<Value, (Failure, u32)> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self
                .http
                .send(make())
                .map_err(Failure::Transport)
                .and_then(sort);
            let failure = match outcome {
                Ok(value) => return Ok(value),
                Err(failure) => failure,
            };
            match self.retry_wait(&failure, attempt) {
                Some(wait_ms) if attempt <= MAX_RETRIES => self.http.sleep_ms(wait_ms),
                _ => return Err((failure, attempt)),
            }
        }
    }

    /// How long to wait before retrying after `failure`, or `None` when it must not be retried.
    fn retry_wait(&self, failure: &Failure, attempt: u32) -> Option<u64> {
        let backoff = || {
            let exp = BASE_BACKOFF_MS.saturating_mul(1 << (attempt - 1).min(10));
            let capped = exp.min(MAX_BACKOFF_MS);
            // Jitter: 75% to 125% of the capped backoff.
            let spread = capped / 2;
            capped - capped / 4 + self.http.random_u64() % (spread + 1)
        };
        match failure {
            Failure::Transport(TransportError::Unreachable(_) | TransportError::Timeout) => {
                Some(backoff())
            }
            Failure::Api(err) => match err.status {
                429 => match err.retry_after.as_deref().map(str::trim) {
                    None => Some(backoff()),
                    Some(after) => match after.parse::<u64>() {
                        Ok(secs) if secs <= MAX_RETRY_AFTER_S => Some(secs * 1000),
                        _ => None,
                    },
                },
                408 | 500 | 502 | 503 | 504 => Some(backoff()),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The headers every request to FLORA carries.
pub fn common_headers() -> Vec<(String, String)> {
    vec![
        ("accept".to_owned(), "application/json".to_owned()),
        ("user-agent".to_owned(), USER_AGENT.to_owned()),
    ]
}

/// Sorts a response into a JSON object or a failure.
pub fn sort(response: Response) -> Result<Value, Failure> {
    let request_id = response.header("request-id").map(str::to_owned);
    match response.status {
        200..=299 => match serde_json::from_slice::<Value>(&response.body) {
            Ok(value @ Value::Object(_)) => Ok(value),
            _ => Err(Failure::BadBody {
                status: response.status,
                request_id,
            }),
        },
        300..=399 => Err(Failure::Redirect {
            status: response.status,
            location: response.header("location").map(str::to_owned),
        }),
        status => Err(Failure::Api(Box::new(envelope(
            status, &response, request_id,
        )))),
    }
}

fn envelope(status: u16, response: &Response, request_id: Option<String>) -> ApiError {
    let mut error = ApiError {
        status,
        request_id,
        retry_after: response.header("retry-after").map(str::to_owned),
        ..ApiError::default()
    };
    let parsed: Option<Value> = serde_json::from_slice(&response.body).ok();
    match parsed
        .as_ref()
        .and_then(|v| v.get("error"))
        .filter(|e| e.is_object())
    {
        Some(inner) => {
            error.code = inner["code"].as_str().unwrap_or_default().to_owned();
            error.message = inner["message"].as_str().unwrap_or_default().to_owned();
            if let Some(fields) = inner["fields"].as_array() {
                error.fields = fields
                    .iter()
                    .map(|f| {
                        let field = f["field"].as_str().unwrap_or_default().to_owned();
                        (field, f["message"].as_str().unwrap_or_default().to_owned())
                    })
                    .collect();
            }
        }
        None => error.message = excerpt(&response.body),
    }
    error
}

/// The start of a body that is not FLORA's envelope, printable and short.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let clean: String = text
        .chars()
        .filter(|c| !c.is_control() || *c == ' ')
        .take(200)
        .collect();
    if clean.trim().is_empty() {
        "(empty body)".to_owned()
    } else {
        format!(
            "the body is not FLORA's JSON error envelope: {}",
            clean.trim()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// Answers every request with one canned response and remembers the requests.
    pub struct Canned {
        pub response: Result<Response, TransportError>,
        pub seen: RefCell<Vec<Request>>,
    }

    impl Http for Canned {
        fn send(&self, request: Request) -> Result<Response, TransportError> {
            self.seen.borrow_mut().push(request);
            self.response.clone()
        }
    }

    fn canned(status: u16, body: &str) -> Canned {
        let headers = vec![("request-id".to_owned(), "req_abc".to_owned())];
        let response = Ok(Response {
            status,
            headers,
            body: body.as_bytes().to_vec(),
        });
        Canned {
            response,
            seen: RefCell::new(Vec::new()),
        }
    }

    #[test]
    fn a_success_returns_the_object_and_drops_empty_query_values() {
        let http = canned(200, r#"{"workspaces":[]}"#);
        let client = Client::new(&http, "http://h/api/v1");
        let got = client.get(
            &["techniques"],
            &[("query", String::new()), ("limit", "2".into())],
        );
        assert_eq!(got.unwrap()["workspaces"], serde_json::json!([]));
        assert_eq!(
            http.seen.borrow()[0].url,
            "http://h/api/v1/techniques?limit=2"
        );
    }

    #[test]
    fn the_error_envelope_is_read_with_fields_and_request_id() {
        let body = r#"{"error":{"code":"input_validation_error","message":"bad",
            "fields":[{"field":"limit","message":"too big"}]}}"#;
        let http = canned(400, body);
        let Err(Failure::Api(err)) = Client::new(&http, "http://h").get(&["x"], &[]) else {
            panic!("expected an API failure");
        };
        assert_eq!(err.code, "input_validation_error");
        assert_eq!(err.fields, vec![("limit".to_owned(), "too big".to_owned())]);
        assert_eq!(err.request_id.as_deref(), Some("req_abc"));
    }

    #[test]
    fn a_body_that_is_not_an_envelope_is_quoted_briefly() {
        let http = canned(502, "<html>Bad gateway</html>");
        let Err(Failure::Api(err)) = Client::new(&http, "http://h").get(&["x"], &[]) else {
            panic!("expected an API failure");
        };
        assert!(err.message.contains("<html>Bad gateway</html>"));
        assert!(err.code.is_empty());
    }

    #[test]
    fn redirects_and_non_json_successes_are_failures() {
        let http = canned(302, "");
        let got = Client::new(&http, "http://h").get(&["x"], &[]);
        assert!(matches!(got, Err(Failure::Redirect { status: 302, .. })));
        let http = canned(200, "[1,2]");
        let got = Client::new(&http, "http://h").get(&["x"], &[]);
        assert!(matches!(got, Err(Failure::BadBody { status: 200, .. })));
    }

    #[test]
    fn a_post_sends_json_with_its_content_type() {
        let http = canned(201, r#"{"run_id":"run_1"}"#);
        let body = serde_json::json!({"mode":"async"});
        Client::new(&http, "http://h")
            .post(&["techniques", "t", "runs"], &body)
            .unwrap();
        let seen = &http.seen.borrow()[0];
        assert_eq!(seen.method, Method::Post);
        assert!(
            seen.headers
                .contains(&("content-type".into(), "application/json".into()))
        );
        assert_eq!(
            seen.body.as_deref(),
            Some(br#"{"mode":"async"}"#.as_slice())
        );
    }

    /// Answers from a list of (status, body, retry-after) in order, recording requests and
    /// the waits asked for.
    struct Sequence {
        answers: RefCell<Vec<(u16, &'static str, Option<&'static str>)>>,
        seen: RefCell<Vec<Request>>,
        waits: RefCell<Vec<u64>>,
    }

    impl Http for Sequence {
        fn send(&self, request: Request) -> Result<Response, TransportError> {
            self.seen.borrow_mut().push(request);
            let (status, body, retry_after) = self.answers.borrow_mut().remove(0);
            if status == 0 {
                return Err(TransportError::Unreachable("refused".to_owned()));
            }
            let mut headers = vec![("request-id".to_owned(), "req_x".to_owned())];
            if let Some(after) = retry_after {
                headers.push(("retry-after".to_owned(), after.to_owned()));
            }
            Ok(Response {
                status,
                headers,
                body: body.as_bytes().to_vec(),
            })
        }

        fn sleep_ms(&self, ms: u64) {
            self.waits.borrow_mut().push(ms);
        }
    }

    fn sequence(answers: Vec<(u16, &'static str, Option<&'static str>)>) -> Sequence {
        Sequence {
            answers: RefCell::new(answers),
            seen: RefCell::new(Vec::new()),
            waits: RefCell::new(Vec::new()),
        }
    }

    const ERR: &str = r#"{"error":{"code":"unknown_error","message":"boom"}}"#;

    #[test]
    fn gets_are_retried_on_5xx_and_connection_failures_with_growing_waits() {
        let http = sequence(vec![(503, ERR, None), (0, "", None), (200, "{}", None)]);
        assert!(Client::new(&http, "http://h").get(&["x"], &[]).is_ok());
        let waits = http.waits.borrow();
        assert_eq!(waits.len(), 2);
        assert!(
            (375..=625).contains(&waits[0]) && (750..=1250).contains(&waits[1]),
            "{waits:?}"
        );
    }

    #[test]
    fn retries_stop_after_the_limit_and_4xx_are_never_retried() {
        let http = sequence(vec![(500, ERR, None); 5]);
        assert!(Client::new(&http, "http://h").get(&["x"], &[]).is_err());
        assert_eq!(http.seen.borrow().len(), 1 + MAX_RETRIES as usize);
        let credits = r#"{"error":{"code":"insufficient_credits","message":"no"}}"#;
        let http = sequence(vec![(402, credits, None), (200, "{}", None)]);
        assert!(
            Client::new(&http, "http://h")
                .create(&["runs"], &serde_json::json!({}))
                .is_err()
        );
        assert_eq!(http.seen.borrow().len(), 1);
    }

    #[test]
    fn a_short_retry_after_is_waited_for_and_a_long_one_is_reported() {
        let limited = r#"{"error":{"code":"rate_limited","message":"slow down"}}"#;
        let http = sequence(vec![(429, limited, Some("2")), (200, "{}", None)]);
        assert!(Client::new(&http, "http://h").get(&["x"], &[]).is_ok());
        assert_eq!(*http.waits.borrow(), vec![2000]);
        let http = sequence(vec![(429, limited, Some("120")), (200, "{}", None)]);
        assert!(Client::new(&http, "http://h").get(&["x"], &[]).is_err());
        assert!(http.waits.borrow().is_empty());
    }

    #[test]
    fn a_retried_create_reuses_its_idempotency_key_and_a_plain_post_is_never_retried() {
        let http = sequence(vec![(500, ERR, None), (201, r#"{"run_id":"run_1"}"#, None)]);
        let body = serde_json::json!({ "mode": "async", "idempotency_key": null });
        let created = Client::new(&http, "http://h")
            .create(&["runs"], &body)
            .unwrap();
        assert_eq!(created["run_id"], "run_1");
        let seen = http.seen.borrow();
        let key = |r: &Request| {
            r.headers
                .iter()
                .find(|(n, _)| n == "idempotency-key")
                .map(|(_, v)| v.clone())
        };
        assert!(key(&seen[0]).is_some());
        assert_eq!(key(&seen[0]), key(&seen[1]));
        let sent: Value = serde_json::from_slice(seen[1].body.as_deref().unwrap()).unwrap();
        assert_eq!(sent["idempotency_key"].as_str(), key(&seen[1]).as_deref());

        let http = sequence(vec![(500, ERR, None), (201, "{}", None)]);
        assert!(
            Client::new(&http, "http://h")
                .post(&["runs"], &body)
                .is_err()
        );
        assert_eq!(http.seen.borrow().len(), 1);
    }

    #[test]
    fn a_duplicate_key_after_a_lost_answer_replays_the_first_create() {
        let duplicate = r#"{"error":{"code":"idempotency_duplicate","message":"dup"}}"#;
        let http = sequence(vec![
            (0, "", None),
            (409, duplicate, None),
            (200, r#"{"run_id":"run_first"}"#, None),
        ]);
        let body = serde_json::json!({ "idempotency_key": null });
        let created = Client::new(&http, "http://h")
            .create(&["runs"], &body)
            .unwrap();
        assert_eq!(created["run_id"], "run_first");
        let seen = http.seen.borrow();
        assert!(!seen[2].headers.iter().any(|(n, _)| n == "idempotency-key"));
    }

    #[test]
    fn a_retried_change_keeps_its_method_and_key() {
        let http = sequence(vec![(503, ERR, None), (200, r#"{"ok":true}"#, None)]);
        let body = serde_json::json!({ "definition": {} });
        let done = Client::new(&http, "http://h")
            .change(Method::Put, &["d"], Some(&body))
            .unwrap();
        assert_eq!(done["ok"], true);
        let seen = http.seen.borrow();
        assert!(seen.iter().all(|r| r.method == Method::Put));
        let key = |r: &Request| {
            r.headers
                .iter()
                .find(|(n, _)| n == "idempotency-key")
                .map(|(_, v)| v.clone())
        };
        assert!(key(&seen[0]).is_some());
        assert_eq!(key(&seen[0]), key(&seen[1]));

        let http = sequence(vec![(503, ERR, None), (200, "{}", None)]);
        let once = Client::new(&http, "http://h").send_once(Method::Delete, &["d"], None);
        assert!(once.is_err());
        assert_eq!(http.seen.borrow().len(), 1, "sent once");
        assert_eq!(http.seen.borrow()[0].method, Method::Delete);
    }
}
