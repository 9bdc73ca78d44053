//! Prebuilt actions: the catalog (`GET /actions`, `GET /actions/{id}`) and headless runs
//! (`POST /runs/action`) with inputs and params checked against the action's schema.

use crate::support::Api;
use fake_flora::{SEED_PROJECT_ID, SEED_WORKSPACE_ID};
use serde_json::{Value, json};

fn rotate(params: Value, inputs: Value) -> Value {
    json!({
        "action_id": "rotate-image-browser",
        "workspace_id": SEED_WORKSPACE_ID,
        "project_id": SEED_PROJECT_ID,
        "inputs": inputs,
        "params": params,
    })
}

#[tokio::test]
async fn the_catalog_lists_the_sdk_action_ids_with_their_params() {
    let api = Api::start().await;
    let listed = api.get("/actions").await;
    assert_eq!(listed.status, 200);
    let actions = listed.json["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 40);
    assert!(listed.json.get("meta").is_none(), "not paginated");
    let one = api.get("/actions/rotate-image-browser").await;
    assert_eq!(one.status, 200);
    assert_eq!(one.json["language"], "javascript");
    assert_eq!(one.json["charged_cost"], 0);
    assert_eq!(
        one.json["inputs"],
        json!([{ "name": "image", "type": "image" }])
    );
    let keys: Vec<&str> = one.json["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "angle",
            "background",
            "canvas_mode",
            "direction",
            "transparent"
        ]
    );
    let mode = &one.json["params"][2];
    assert_eq!(mode["type"], "select");
    assert_eq!(mode["available_values"][2]["value"], "expand");
    let video = api.get("/actions/reverse-video").await;
    assert_eq!(video.json["language"], "python");
    assert_eq!(api.get("/actions/rotate-image").await.status, 404);
}

#[tokio::test]
async fn an_action_run_starts_free_and_completes_through_runs() {
    let api = Api::start().await;
    let body = rotate(
        json!({ "angle": 90, "canvas_mode": "expand" }),
        json!([{ "type": "image", "url": "https://media.flora.ai/in.png" }]),
    );
    let started = api.post("/runs/action", &body).await;
    assert_eq!(started.status, 201, "{}", started.text);
    assert_eq!(started.json["type"], "action");
    assert_eq!(started.json["charged_cost"], 0.0);
    assert_eq!(
        started.json["action"],
        json!({ "action_id": "rotate-image-browser" })
    );
    let poll_url = started.json["poll_url"].as_str().unwrap().to_owned();
    let first = api.get_url(&poll_url).await;
    assert_eq!(first.json["progress"], 40);
    let mut last = Value::Null;
    for _ in 0..3 {
        last = api.get_url(&poll_url).await.json;
    }
    assert_eq!(last["status"], "completed");
    assert_eq!(last["charged_cost"], 0.0);
    assert_eq!(last["outputs"][0]["type"], "imageUrl");
    let record = &api.fake.api_runs()[0];
    assert_eq!(record.action_id.as_deref(), Some("rotate-image-browser"));
    assert_eq!(record.params["angle"], 90);
    // Action runs are not generations.
    assert_eq!(api.get("/generations").await.json["generations"], json!([]));
}

#[tokio::test]
async fn action_bodies_are_checked_against_the_schema() {
    let api = Api::start().await;
    let bad_params = rotate(
        json!({ "angle": "ninety", "canvas_mode": "huge", "zoom": 2 }),
        json!([
            { "type": "video", "url": "https://media.flora.ai/in.mp4" },
            { "type": "image" },
            { "type": "text", "text": "x", "extra": 1 },
        ]),
    );
    let reply = api.post("/runs/action", &bad_params).await;
    reply.assert_invalid(&[
        "params.angle",
        "params.canvas_mode",
        "params.zoom",
        "inputs[0].type",
        "inputs[1].url",
        "inputs[2].type",
        "inputs[2].extra",
    ]);
    let unknown = json!({
        "action_id": "rotate-image",
        "workspace_id": SEED_WORKSPACE_ID,
        "project_id": SEED_PROJECT_ID,
        "inputs": [],
    });
    api.post("/runs/action", &unknown)
        .await
        .assert_invalid(&["action_id", "inputs"]);
    assert!(api.fake.api_runs().is_empty());
}
