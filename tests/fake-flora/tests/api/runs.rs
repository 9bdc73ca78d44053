//! Technique runs: creation, body validation, the poll-driven lifecycle to completed and to
//! failed, run scoping, and the technique-run history.

use crate::support::Api;
use fake_flora::{
    MULTI_INPUT_TECHNIQUE_ID, OTHER_API_KEY, SEED_PROJECT_ID, SEED_TECHNIQUE_ID,
    SEED_TECHNIQUE_SLUG, SEED_WORKSPACE_ID, TEXT_TECHNIQUE_ID,
};
use serde_json::{Value, json};

#[tokio::test]
async fn a_run_completes_after_three_polls_and_settles_its_cost() {
    let api = Api::start().await;
    let created = api
        .start_run(SEED_TECHNIQUE_ID, "https://media.flora.ai/in.png")
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let run_id = created.json["run_id"].as_str().unwrap().to_owned();
    assert!(run_id.starts_with("run_") && run_id.len() > 20, "{run_id}");
    assert_eq!(created.json["status"], "pending");
    assert_eq!(created.json["progress"], 0);
    assert!(created.json["created_at"].is_u64());
    for absent in [
        "started_at",
        "completed_at",
        "charged_cost",
        "outputs",
        "error_code",
    ] {
        assert!(
            created.json.get(absent).is_none(),
            "{absent}: {}",
            created.text
        );
    }
    let poll_url = created.json["poll_url"].as_str().unwrap().to_owned();
    assert_eq!(
        poll_url,
        format!(
            "{}/api/v1/techniques/{SEED_TECHNIQUE_ID}/runs/{run_id}",
            api.fake.origin()
        )
    );

    let first = api.get_url(&poll_url).await;
    assert_eq!(
        (
            first.json["status"].as_str(),
            first.json["progress"].as_u64()
        ),
        (Some("running"), Some(35))
    );
    assert!(first.json["started_at"].is_u64());
    let second = api.get_url(&poll_url).await;
    assert_eq!(
        (
            second.json["status"].as_str(),
            second.json["progress"].as_u64()
        ),
        (Some("running"), Some(70))
    );

    let done = api.get_url(&poll_url).await;
    assert_eq!(done.json["status"], "completed");
    assert_eq!(done.json["progress"], 100);
    assert!(done.json["completed_at"].is_u64());
    assert!(
        done.json.get("charged_cost").is_none(),
        "not settled yet: {}",
        done.text
    );
    assert_eq!(
        done.json["outputs"],
        json!([{
            "output_id": "output_image",
            "type": "imageUrl",
            "url": format!("https://media.flora.ai/fake/{run_id}/output_image.png"),
        }])
    );
    let settled = api.get_url(&poll_url).await;
    assert_eq!(settled.json["charged_cost"], 0.05);
    assert_eq!(settled.json["completed_at"], done.json["completed_at"]);

    let runs = api.fake.technique_runs();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].run_id, run_id);
    assert_eq!(runs[0].project_id, SEED_PROJECT_ID);
    assert_eq!(runs[0].polls, 4);
}

#[tokio::test]
async fn a_fail_marker_fails_the_run_where_it_would_complete() {
    let api = Api::start().await;
    let created = api
        .start_run(SEED_TECHNIQUE_SLUG, "fail:GENERATION_PROMPT_MODERATED")
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let poll_url = created.json["poll_url"].as_str().unwrap().to_owned();
    assert!(
        poll_url.contains(&format!("/techniques/{SEED_TECHNIQUE_SLUG}/runs/")),
        "{poll_url}"
    );
    let mut last = Value::Null;
    for _ in 0..3 {
        last = api.get_url(&poll_url).await.json;
    }
    assert_eq!(last["status"], "failed");
    assert_eq!(last["progress"], 100);
    assert_eq!(last["error_code"], "GENERATION_PROMPT_MODERATED");
    assert!(!last["error_message"].as_str().unwrap().is_empty());
    assert!(last.get("outputs").is_none());
}

#[tokio::test]
async fn text_outputs_carry_the_text_itself() {
    let api = Api::start().await;
    let body = json!({
        "inputs": [
            { "id": "source_text", "type": "text", "value": "Hello" },
            { "id": "target_language", "type": "text", "value": "French" },
        ],
        "mode": "stream",
    });
    let created = api
        .post(&format!("/techniques/{TEXT_TECHNIQUE_ID}/runs"), &body)
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let poll_url = created.json["poll_url"].as_str().unwrap().to_owned();
    let mut done = Value::Null;
    for _ in 0..3 {
        done = api.get_url(&poll_url).await.json;
    }
    let output = &done["outputs"][0];
    assert_eq!(output["type"], "text");
    assert!(
        output["url"].as_str().unwrap().contains("Hello"),
        "{output}"
    );
}

#[tokio::test]
async fn runs_are_scoped_to_their_technique_and_workspace() {
    let api = Api::start().await;
    let created = api
        .start_run(SEED_TECHNIQUE_ID, "https://media.flora.ai/in.png")
        .await;
    let run_id = created.json["run_id"].as_str().unwrap();
    let wrong_technique = api
        .get(&format!("/techniques/tech_glam-shots/runs/{run_id}"))
        .await;
    assert_eq!(wrong_technique.status, 404);
    let unknown_technique = api
        .get(&format!("/techniques/tech_nope/runs/{run_id}"))
        .await;
    assert_eq!(unknown_technique.status, 404);
    let other_key = api
        .get_as(
            Some(OTHER_API_KEY),
            &format!("/techniques/{SEED_TECHNIQUE_ID}/runs/{run_id}"),
        )
        .await;
    assert_eq!(other_key.status, 404);
    let unknown_run = api
        .get(&format!("/techniques/{SEED_TECHNIQUE_ID}/runs/run_nope"))
        .await;
    assert_eq!(unknown_run.status, 404);
    // The slug reaches the same run.
    let by_slug = api
        .get(&format!("/techniques/{SEED_TECHNIQUE_SLUG}/runs/{run_id}"))
        .await;
    assert_eq!(by_slug.status, 200);
    let unknown_create = api.start_run("tech_nope", "https://a/b.png").await;
    assert_eq!(unknown_create.status, 404);
}

#[tokio::test]
async fn bad_bodies_are_refused_field_by_field() {
    let api = Api::start().await;
    let path = format!("/techniques/{MULTI_INPUT_TECHNIQUE_ID}/runs");
    let input =
        |id: &str, kind: &str, value: &str| json!({ "id": id, "type": kind, "value": value });
    let full = || {
        vec![
            input("theme", "text", "calm"),
            input("reference_image_1", "imageUrl", "https://a/1.png"),
            input("reference_image_2", "imageUrl", "https://a/2.png"),
        ]
    };
    let cases = [
        (
            json!({ "inputs": full(), "mode": "async", "colour": 1 }),
            vec!["colour"],
        ),
        (json!({ "inputs": [], "mode": "async" }), vec!["inputs"]),
        (json!({ "mode": "async" }), vec!["inputs"]),
        (json!({ "inputs": full(), "mode": "sync" }), vec!["mode"]),
        (json!({ "inputs": full() }), vec!["mode"]),
        (
            json!({ "inputs": [input("nope", "text", "x")], "mode": "async" }),
            vec!["inputs[0].id", "inputs", "inputs", "inputs"],
        ),
        (
            json!({ "inputs": [input("theme", "imageUrl", "https://a/1.png"), input("reference_image_1", "imageUrl", "https://a/1.png"), input("reference_image_2", "imageUrl", "")], "mode": "async" }),
            vec!["inputs[0].type", "inputs[2].value"],
        ),
        (
            json!({ "inputs": [input("theme", "text", "calm"), input("reference_image_1", "imageUrl", "https://a/1.png")], "mode": "async" }),
            vec!["inputs"],
        ),
        (
            json!({ "inputs": full(), "mode": "async", "callback_url": "http://insecure" }),
            vec!["callback_url"],
        ),
        (
            json!({ "inputs": full(), "mode": "async", "idempotency_key": 7 }),
            vec!["idempotency_key"],
        ),
    ];
    for (body, fields) in cases {
        let reply = api.post(&path, &body).await;
        reply.assert_invalid(&fields);
    }
    let missing = api
        .post(&path, &json!({ "inputs": full()[..2], "mode": "async" }))
        .await;
    assert!(
        missing.message().contains("reference_image_2"),
        "{}",
        missing.text
    );

    for raw in ["not json", "[1,2]", "\"text\"", ""] {
        let reply = api.post_with(&path, raw.to_owned(), &[]).await;
        assert_eq!((reply.status, reply.code()), (400, "invalid_json"), "{raw}");
    }
    assert!(api.fake.technique_runs().is_empty());

    let optional_left_out = api
        .post(&path, &json!({ "inputs": full(), "mode": "async" }))
        .await;
    assert_eq!(optional_left_out.status, 201, "{}", optional_left_out.text);
}

#[tokio::test]
async fn history_lists_runs_newest_first_with_filters() {
    let api = Api::start().await;
    let first = api.start_run(SEED_TECHNIQUE_ID, "https://a/1.png").await;
    let second = api.start_run(SEED_TECHNIQUE_SLUG, "https://a/2.png").await;
    let first_id = first.json["run_id"].clone();
    let second_id = second.json["run_id"].clone();
    api.get_url(first.json["poll_url"].as_str().unwrap()).await;

    let listed = api.get("/technique-runs").await;
    let runs = listed.json["technique_runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["run_id"], second_id);
    assert_eq!(runs[1]["run_id"], first_id);
    let item = &runs[1];
    assert_eq!(item["technique_run_id"], first_id);
    assert_eq!(item["workspace_id"], SEED_WORKSPACE_ID);
    assert_eq!(item["project_id"], SEED_PROJECT_ID);
    assert_eq!(
        item["technique"],
        json!({ "technique_id": SEED_TECHNIQUE_ID, "name": "CCTV Cam" })
    );
    assert_eq!(item["status"], "running");
    assert_eq!(item["poll_url"], first.json["poll_url"]);
    assert!(listed.json["meta"]["next_cursor"].is_null());

    let running = api.get("/technique-runs?status=running").await;
    assert_eq!(running.json["technique_runs"].as_array().unwrap().len(), 1);
    let by_slug = api
        .get(&format!(
            "/technique-runs?technique_id={SEED_TECHNIQUE_SLUG}"
        ))
        .await;
    assert_eq!(by_slug.json["technique_runs"].as_array().unwrap().len(), 2);
    let other = api
        .get("/technique-runs?technique_id=tech_glam-shots")
        .await;
    assert_eq!(other.json["technique_runs"], json!([]));
    let paged = api.get("/technique-runs?limit=1").await;
    assert_eq!(paged.json["technique_runs"][0]["run_id"], second_id);
    assert!(paged.json["meta"]["next_cursor"].is_string());
    let in_project = api
        .get(&format!("/technique-runs?project_id={SEED_PROJECT_ID}"))
        .await;
    assert_eq!(
        in_project.json["technique_runs"].as_array().unwrap().len(),
        2
    );

    // Listing does not advance runs.
    let again = api.get("/technique-runs").await;
    assert_eq!(again.json["technique_runs"][0]["status"], "pending");
    let other_key = api.get_as(Some(OTHER_API_KEY), "/technique-runs").await;
    assert_eq!(other_key.json["technique_runs"], json!([]));
}
