//! Generations and the top-level run resource: `POST /generate` (and its deprecated twin),
//! `GET /runs/{runId}` for every kind of run, `GET /generations`, and `POST /runs/technique`.

use crate::support::Api;
use fake_flora::{
    OTHER_API_KEY, OTHER_PROJECT_ID, SEED_MODEL_ID, SEED_PROJECT_2_ID, SEED_PROJECT_ID,
    SEED_TECHNIQUE_ID, SEED_WORKSPACE_ID, TEXT_TECHNIQUE_ID,
};
use serde_json::{Value, json};

fn generation(prompt: &str) -> Value {
    json!({
        "type": "image",
        "prompt": prompt,
        "workspace_id": SEED_WORKSPACE_ID,
        "project_id": SEED_PROJECT_ID,
        "model": SEED_MODEL_ID,
        "params": { "aspect_ratio": "landscape_16_9" },
    })
}

#[tokio::test]
async fn a_generation_starts_then_completes_with_progress_stuck_at_zero() {
    let api = Api::start().await;
    let started = api.post("/generate", &generation("A ceramic mug")).await;
    assert_eq!(started.status, 201, "{}", started.text);
    let run_id = started.json["run_id"].as_str().unwrap().to_owned();
    assert!(run_id.starts_with("run_"), "{run_id}");
    assert_eq!(started.json["type"], "generation");
    assert_eq!(started.json["estimated_seconds"], 18);
    assert_eq!(started.json["charged_cost"], 0.03);
    assert_eq!(started.json["model"], json!({ "model_id": SEED_MODEL_ID }));
    assert_eq!(started.json["project_id"], SEED_PROJECT_ID);
    let poll_url = started.json["poll_url"].as_str().unwrap().to_owned();
    assert_eq!(poll_url, format!("{}/runs/{run_id}", api.fake.base_url()));

    let mut seen = Vec::new();
    let mut last = Value::Null;
    for _ in 0..4 {
        last = api.get_url(&poll_url).await.json;
        seen.push((last["status"].clone(), last["progress"].clone()));
    }
    assert_eq!(
        seen,
        [
            (json!("running"), json!(0)),
            (json!("running"), json!(0)),
            (json!("completed"), json!(100)),
            (json!("completed"), json!(100)),
        ]
    );
    assert_eq!(last["charged_cost"], 0.03);
    assert_eq!(
        last["outputs"][0]["url"],
        format!("https://media.flora.ai/fake/{run_id}/output_1.png")
    );
    let foreign = api
        .get_as(Some(OTHER_API_KEY), &format!("/runs/{run_id}"))
        .await;
    assert_eq!(foreign.status, 404, "another workspace's run is not found");
    let records = api.fake.api_runs();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].prompt.as_deref(), Some("A ceramic mug"));
    assert_eq!(records[0].params["aspect_ratio"], "landscape_16_9");

    let history = api.get("/generations?status=completed").await;
    assert_eq!(history.status, 200, "{}", history.text);
    let item = &history.json["generations"][0];
    assert_eq!(item["generation_id"], run_id.as_str());
    assert_eq!(item["workspace_id"], SEED_WORKSPACE_ID);
    assert_eq!(item["model"]["model_id"], SEED_MODEL_ID);
    assert_eq!(history.json["meta"]["next_cursor"], Value::Null);
    let none = api.get("/generations?status=running").await;
    assert_eq!(none.json["generations"], json!([]));
}

#[tokio::test]
async fn the_deprecated_route_and_the_default_model_work_and_fail_markers_fail() {
    let api = Api::start().await;
    let mut body = generation("fail:GENERATION_PROMPT_MODERATED");
    body.as_object_mut().unwrap().remove("model");
    body["type"] = json!("video");
    body["project_id"] = json!(SEED_PROJECT_2_ID);
    let started = api.post("/runs/generation", &body).await;
    assert_eq!(started.status, 201, "{}", started.text);
    assert_eq!(
        started.json["model"]["model_id"],
        "i2v-gengateway-seedance-2-5-i2v"
    );
    let poll_url = started.json["poll_url"].as_str().unwrap().to_owned();
    let mut last = Value::Null;
    for _ in 0..4 {
        last = api.get_url(&poll_url).await.json;
    }
    assert_eq!(last["status"], "failed");
    assert_eq!(last["error_code"], "GENERATION_PROMPT_MODERATED");
    assert_eq!(last["charged_cost"], 0.0);
    assert!(last.get("outputs").is_none());
    let filtered = api
        .get(&format!("/generations?project_id={SEED_PROJECT_ID}"))
        .await;
    assert_eq!(filtered.json["generations"], json!([]));
}

#[tokio::test]
async fn bad_generation_bodies_are_refused() {
    let api = Api::start().await;
    let mut unknown = generation("x");
    unknown["model"] = json!("t2i-nope");
    let reply = api.post("/generate", &unknown).await;
    reply.assert_invalid(&["model"]);
    assert!(reply.message().contains("t2i-flux-2-pro"), "{}", reply.text);
    assert!(
        reply.message().contains("t2i-seedream-v4"),
        "{}",
        reply.text
    );
    let mut mismatched = generation("x");
    mismatched["type"] = json!("audio");
    api.post("/generate", &mismatched)
        .await
        .assert_invalid(&["model"]);
    let bad = json!({
        "type": "t2i",
        "prompt": "",
        "workspace_id": "abc",
        "project_id": SEED_PROJECT_ID,
        "seed": 1,
    });
    api.post("/generate", &bad)
        .await
        .assert_invalid(&["type", "prompt", "workspace_id", "seed"]);
    let mut elsewhere = generation("x");
    elsewhere["project_id"] = json!(OTHER_PROJECT_ID);
    assert_eq!(api.post("/generate", &elsewhere).await.status, 404);
    let mut http = generation("x");
    http["callback_url"] = json!("http://example.com/hook");
    api.post("/generate", &http)
        .await
        .assert_invalid(&["callback_url"]);
    let reply = api.post_with("/generate", "[1]".into(), &[]).await;
    assert_eq!((reply.status, reply.code()), (400, "invalid_json"));
    assert!(api.fake.api_runs().is_empty());
    assert_eq!(api.get("/runs/run_missing").await.status, 404);
    api.get("/runs/missing").await.assert_invalid(&["run_id"]);
}

#[tokio::test]
async fn idempotency_keys_guard_generations() {
    let api = Api::start().await;
    let body = generation("once").to_string();
    let headers = [("idempotency-key", "gen-1")];
    let first = api.post_with("/generate", body.clone(), &headers).await;
    assert_eq!(first.status, 201);
    let again = api.post_with("/generate", body, &headers).await;
    assert_eq!((again.status, again.code()), (409, "idempotency_duplicate"));
    assert_eq!(api.fake.api_runs().len(), 1);
}

#[tokio::test]
async fn technique_runs_start_from_an_input_map_and_poll_through_runs() {
    let api = Api::start().await;
    let body = json!({
        "technique_id": SEED_TECHNIQUE_ID,
        "workspace_id": SEED_WORKSPACE_ID,
        "inputs": { "input_image": "https://media.flora.ai/in.png" },
    });
    let started = api.post("/runs/technique", &body).await;
    assert_eq!(started.status, 201, "{}", started.text);
    assert_eq!(started.json["type"], "technique");
    assert_eq!(started.json["charged_cost"], 0.05);
    assert_eq!(started.json["estimated_seconds"], Value::Null);
    assert_eq!(
        started.json["technique"],
        json!({ "technique_id": SEED_TECHNIQUE_ID, "name": "CCTV Cam" })
    );
    let run_id = started.json["run_id"].as_str().unwrap();
    let first = api.get(&format!("/runs/{run_id}")).await;
    assert_eq!(
        (
            first.json["status"].as_str(),
            first.json["progress"].as_u64()
        ),
        (Some("running"), Some(35))
    );
    let listed = api.get("/technique-runs").await;
    assert_eq!(listed.json["technique_runs"][0]["run_id"], run_id);
    assert_eq!(api.fake.technique_runs()[0].inputs[0].kind, "imageUrl");

    let bad = json!({
        "technique_id": TEXT_TECHNIQUE_ID,
        "workspace_id": SEED_WORKSPACE_ID,
        "inputs": { "source_text": "Hi", "tone": "", "colour": "red" },
    });
    api.post("/runs/technique", &bad).await.assert_invalid(&[
        "inputs.tone",
        "inputs.colour",
        "inputs",
    ]);
    let unknown =
        json!({ "technique_id": "tech_nope", "workspace_id": SEED_WORKSPACE_ID, "inputs": {} });
    assert_eq!(api.post("/runs/technique", &unknown).await.status, 404);
    let slug =
        json!({ "technique_id": "cctv-cam", "workspace_id": SEED_WORKSPACE_ID, "inputs": [] });
    api.post("/runs/technique", &slug)
        .await
        .assert_invalid(&["technique_id", "inputs"]);
}
