//! The REST client the tools use: sends JSON requests to FLORA through the [`Http`] transport
//! and sorts every answer into a JSON value or a [`Failure`] that says what went wrong, with
//! FLORA's error code, message, field errors and request id when FLORA gave them.
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

    /// `POST base/segments…` with a JSON body.
    pub fn post(&self, segments: &[&str], body: &Value) -> Result<Value, Failure> {
        let mut headers = common_headers();
        headers.push(("content-type".to_owned(), "application/json".to_owned()));
        let request = Request {
            method: Method::Post,
            url: query::url(self.base, segments, &[]),
            headers,
            body: Some(body.to_string().into_bytes()),
        };
        self.exchange(request)
    }

    fn exchange(&self, request: Request) -> Result<Value, Failure> {
        let response = self.http.send(request).map_err(Failure::Transport)?;
        sort(response)
    }
}

fn common_headers() -> Vec<(String, String)> {
    vec![
        ("accept".to_owned(), "application/json".to_owned()),
        ("user-agent".to_owned(), USER_AGENT.to_owned()),
    ]
}

/// Sorts a response into a JSON object or a failure.
fn sort(response: Response) -> Result<Value, Failure> {
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
}
