//! Fault injection (library and HTTP control) and request recording.

use crate::support::{Api, read};
use fake_flora::{DEFAULT_API_KEY, Fault};
use reqwest::Method;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn an_error_fault_fires_for_its_count_then_disarms() {
    let api = Api::start().await;
    api.fake.inject(
        Fault::error("GET", "/techniques", "rate_limited")
            .retry_after("2")
            .times(2),
    );
    for _ in 0..2 {
        let reply = api.get("/techniques").await;
        assert_eq!(reply.status, 429);
        assert_eq!(reply.code(), "rate_limited");
        assert_eq!(reply.message(), "Rate limit exceeded.");
        assert_eq!(reply.header("retry-after"), Some("2"));
        assert!(reply.header("request-id").is_some());
    }
    assert_eq!(api.get("/techniques").await.status, 200);
    // Other methods and paths were never affected.
    assert_eq!(api.get("/models").await.status, 200);
}

#[tokio::test]
async fn status_code_and_message_can_be_chosen() {
    let api = Api::start().await;
    api.fake
        .inject(Fault::new("GET", "/workspaces").status(500));
    api.fake
        .inject(Fault::new("POST", "/techniques").code("insufficient_credits"));
    api.fake.inject(
        Fault::new("*", "/models")
            .status(403)
            .message("Key not allowed here."),
    );
    let server = api.get("/workspaces").await;
    assert_eq!((server.status, server.code()), (500, "unknown_error"));
    assert_eq!(server.message(), "An unknown error occurred.");
    let credits = api.start_run("tech_cctv-cam", "https://a/1.png").await;
    assert_eq!(
        (credits.status, credits.code()),
        (402, "insufficient_credits")
    );
    assert!(api.fake.technique_runs().is_empty());
    let forbidden = api.get("/models").await;
    assert_eq!((forbidden.status, forbidden.code()), (403, "forbidden"));
    assert_eq!(forbidden.message(), "Key not allowed here.");
}

#[tokio::test]
async fn raw_bodies_and_delays() {
    let api = Api::start().await;
    api.fake
        .inject(Fault::new("GET", "/models").raw_body("<html>bad gateway</html>", "text/html"));
    let raw = api.get("/models").await;
    assert_eq!(raw.status, 502);
    assert_eq!(raw.text, "<html>bad gateway</html>");
    assert_eq!(raw.header("content-type"), Some("text/html"));

    api.fake
        .inject(Fault::new("GET", "/models").delay(Duration::from_millis(150)));
    let started = Instant::now();
    let slow = api.get("/models").await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(
        slow.status, 200,
        "a delay-only fault lets the request through"
    );

    api.fake
        .inject(Fault::new("GET", "/models").status(500).times(5));
    api.fake.clear_faults();
    assert_eq!(api.get("/models").await.status, 200);
}

#[tokio::test]
async fn faults_can_be_armed_and_cleared_over_http() {
    let api = Api::start().await;
    let fault = json!({ "method": "GET", "path_prefix": "/api/v1/projects", "status": 429, "retry_after": "1", "count": 3 });
    let armed = read(
        api.raw(Method::POST, "/__fake/faults")
            .body(fault.to_string()),
    )
    .await;
    assert_eq!(armed.status, 201, "{}", armed.text);
    let limited = api.get("/projects/prj_x").await;
    assert_eq!((limited.status, limited.code()), (429, "rate_limited"));
    let cleared = read(api.raw(Method::DELETE, "/__fake/faults")).await;
    assert_eq!(cleared.json["cleared"], 1);
    assert_eq!(api.get("/projects/prj_x").await.status, 404);

    let list = json!([{ "path_prefix": "/models", "raw_body": "oops" }, { "path_prefix": "/models", "code": "unknown_error" }]);
    assert_eq!(
        read(
            api.raw(Method::POST, "/__fake/faults")
                .body(list.to_string())
        )
        .await
        .status,
        201
    );
    assert_eq!(api.get("/models").await.text, "oops");
    assert_eq!(api.get("/models").await.status, 500);
    assert_eq!(api.get("/models").await.status, 200);

    let bad = read(
        api.raw(Method::POST, "/__fake/faults")
            .body(json!({ "bogus": true }).to_string()),
    )
    .await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn requests_are_recorded_with_headers_and_bodies() {
    let api = Api::start().await;
    api.get("/techniques?limit=2&query=cam").await;
    api.get_as(None, "/workspaces").await;
    api.start_run("cctv-cam", "https://a/1.png").await;
    read(api.raw(Method::GET, "/__fake/requests")).await;

    let requests = api.fake.requests();
    assert_eq!(requests.len(), 3, "control endpoints are not recorded");
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/api/v1/techniques");
    assert_eq!(requests[0].query.as_deref(), Some("limit=2&query=cam"));
    assert_eq!(
        requests[0].header("Authorization"),
        Some(format!("Bearer {DEFAULT_API_KEY}").as_str())
    );
    assert_eq!(requests[1].header("authorization"), None);
    assert_eq!(requests[2].method, "POST");
    assert!(requests[2].body.contains("input_image"));

    let over_http = read(api.raw(Method::GET, "/__fake/requests")).await;
    assert_eq!(over_http.json["requests"].as_array().unwrap().len(), 3);
    assert_eq!(over_http.json["requests"][0]["path"], "/api/v1/techniques");
    let runs = read(api.raw(Method::GET, "/__fake/runs")).await;
    assert_eq!(runs.json["technique_runs"].as_array().unwrap().len(), 1);

    api.fake.clear_requests();
    assert!(api.fake.requests().is_empty());
}
