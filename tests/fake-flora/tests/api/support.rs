//! Test support: a started fake plus a small HTTP client that never follows redirects and reads
//! every answer as status, headers and JSON.

use fake_flora::{Config, DEFAULT_API_KEY, FakeFlora};
use reqwest::header::HeaderMap;
use serde_json::Value;

/// A fake and a client for it.
pub struct Api {
    pub fake: FakeFlora,
    http: reqwest::Client,
}

/// One answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
    /// The body as JSON, or `Null` when it is not JSON.
    pub json: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn code(&self) -> &str {
        self.json["error"]["code"].as_str().unwrap_or_default()
    }

    pub fn message(&self) -> &str {
        self.json["error"]["message"].as_str().unwrap_or_default()
    }

    /// The `field` of each entry of `error.fields`.
    pub fn fields(&self) -> Vec<String> {
        let fields = self.json["error"]["fields"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        fields
            .iter()
            .map(|f| f["field"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Asserts a 400 `input_validation_error` naming exactly `fields`.
    pub fn assert_invalid(&self, fields: &[&str]) {
        assert_eq!(self.status, 400, "{}", self.text);
        assert_eq!(self.code(), "input_validation_error", "{}", self.text);
        let mut got = self.fields();
        got.sort();
        let mut want: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        want.sort();
        assert_eq!(got, want, "{}", self.text);
    }
}

impl Api {
    pub async fn start() -> Api {
        Api::start_with(Config::default()).await
    }

    pub async fn start_with(config: Config) -> Api {
        let fake = FakeFlora::start(config).await.expect("start the fake");
        let http = client_builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("build a client");
        Api { fake, http }
    }

    /// `GET <base_url><path>` with the default key.
    pub async fn get(&self, path: &str) -> Reply {
        self.get_as(Some(DEFAULT_API_KEY), path).await
    }

    /// `GET <base_url><path>` with `key`, or no Authorization header at all.
    pub async fn get_as(&self, key: Option<&str>, path: &str) -> Reply {
        let mut request = self.http.get(format!("{}{path}", self.fake.base_url()));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        read(request).await
    }

    /// `GET` of an absolute URL with the default key.
    pub async fn get_url(&self, url: &str) -> Reply {
        read(self.http.get(url).bearer_auth(DEFAULT_API_KEY)).await
    }

    /// `POST <base_url><path>` with a JSON body and the default key.
    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.post_with(path, body.to_string(), &[]).await
    }

    /// `POST <base_url><path>` with a raw body and extra headers.
    pub async fn post_with(&self, path: &str, body: String, headers: &[(&str, &str)]) -> Reply {
        let mut request = self
            .http
            .post(format!("{}{path}", self.fake.base_url()))
            .bearer_auth(DEFAULT_API_KEY)
            .header("content-type", "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        read(request).await
    }

    /// Any method on `<base_url><path>` with the default key and an optional JSON body.
    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.fake.base_url()))
            .bearer_auth(DEFAULT_API_KEY);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        read(request).await
    }

    /// The plain client, for requests the helpers do not cover.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// A raw request on the fake's origin (for `/__fake/*`).
    pub fn raw(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.fake.origin()))
    }

    /// Starts a CCTV Cam run and returns its create reply.
    pub async fn start_run(&self, technique: &str, image: &str) -> Reply {
        let body = serde_json::json!({
            "inputs": [{ "id": "input_image", "type": "imageUrl", "value": image }],
            "mode": "async",
        });
        self.post(&format!("/techniques/{technique}/runs"), &body)
            .await
    }
}

/// A client builder that works whichever TLS features the workspace build turned on for
/// reqwest (the host's build asks for rustls without a built-in crypto provider).
pub fn client_builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// A plain client, as [`client_builder`] builds it.
pub fn client() -> reqwest::Client {
    client_builder().build().expect("build a client")
}

pub async fn read(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("the fake answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("a body");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        text,
        json,
    }
}

/// One part of a hand-built multipart form: name, filename, content type, bytes.
pub type Part<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [u8]);

/// A `multipart/form-data` body of `parts`, in order, and its content type.
pub fn form(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    let boundary = "fakeflora-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, filename, content_type, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{name}\"");
        if let Some(filename) = filename {
            disposition.push_str(&format!("; filename=\"{filename}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(content_type) = content_type {
            body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A tiny PNG header claiming `width` × `height`.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&[8, 6, 0, 0, 0]);
    bytes
}
