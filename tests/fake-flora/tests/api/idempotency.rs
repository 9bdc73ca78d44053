//! Idempotency: the body `idempotency_key` replays the existing run; the `Idempotency-Key` header
//! refuses reuse with 409 inside its window and is released when a request fails.

use crate::support::Api;
use fake_flora::{Config, SEED_TECHNIQUE_ID};
use serde_json::json;
use std::time::Duration;

fn body(key: Option<&str>) -> String {
    let mut body = json!({
        "inputs": [{ "id": "input_image", "type": "imageUrl", "value": "https://a/1.png" }],
        "mode": "async",
    });
    if let Some(key) = key {
        body["idempotency_key"] = json!(key);
    }
    body.to_string()
}

fn path() -> String {
    format!("/techniques/{SEED_TECHNIQUE_ID}/runs")
}

#[tokio::test]
async fn a_repeated_body_key_returns_the_existing_run() {
    let api = Api::start().await;
    let first = api.post_with(&path(), body(Some("order-42")), &[]).await;
    assert_eq!(first.status, 201);
    api.get_url(first.json["poll_url"].as_str().unwrap()).await;

    let again = api.post_with(&path(), body(Some("order-42")), &[]).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.json["run_id"], first.json["run_id"]);
    assert_eq!(
        again.json["status"], "running",
        "current state, not the original"
    );
    assert_eq!(api.fake.technique_runs().len(), 1);

    let other = api.post_with(&path(), body(Some("order-43")), &[]).await;
    assert_eq!(other.status, 201);
    assert_ne!(other.json["run_id"], first.json["run_id"]);
}

#[tokio::test]
async fn a_reused_header_key_is_a_conflict() {
    let api = Api::start().await;
    let header = [("Idempotency-Key", "retry-1")];
    let first = api.post_with(&path(), body(None), &header).await;
    assert_eq!(first.status, 201);
    let second = api.post_with(&path(), body(None), &header).await;
    assert_eq!(second.status, 409);
    assert_eq!(second.code(), "idempotency_duplicate");
    assert_eq!(second.message(), "Duplicate idempotency key.");
    assert_eq!(api.fake.technique_runs().len(), 1);
    let fresh = api
        .post_with(&path(), body(None), &[("Idempotency-Key", "retry-2")])
        .await;
    assert_eq!(fresh.status, 201);
}

#[tokio::test]
async fn a_failed_request_releases_its_header_key() {
    let api = Api::start().await;
    let header = [("Idempotency-Key", "try-again")];
    let bad = api.post_with(&path(), "{}".to_owned(), &header).await;
    assert_eq!(bad.status, 400);
    let good = api.post_with(&path(), body(None), &header).await;
    assert_eq!(good.status, 201, "{}", good.text);
}

#[tokio::test]
async fn header_keys_expire_after_the_window() {
    let config = Config {
        idempotency_window: Duration::from_millis(150),
        ..Config::default()
    };
    let api = Api::start_with(config).await;
    let header = [("Idempotency-Key", "short-lived")];
    assert_eq!(
        api.post_with(&path(), body(None), &header).await.status,
        201
    );
    assert_eq!(
        api.post_with(&path(), body(None), &header).await.status,
        409
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        api.post_with(&path(), body(None), &header).await.status,
        201
    );
}
