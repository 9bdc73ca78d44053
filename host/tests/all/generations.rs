//! `generate` (start a generation and wait) and the run tools: `create_generation`,
//! `start_generation`, `start_technique_run`, `retrieve_run`, `list_generations`, through the
//! binary against the fake, on success and on failure.

use crate::support::{
    Fake, Server, call_with_progress, cancelling_ends_the_call_within_a_second, failed, links, ok,
    started_with,
};
use fake_flora::{Fault, OTHER_PROJECT_ID, SEED_MODEL_ID, SEED_PROJECT_ID, SEED_WORKSPACE_ID};
use serde_json::{Value, json};

/// A server offering the `runs` toolset beside `core`.
fn started(fake: &Fake) -> Server {
    started_with(fake, &["--toolsets", "runs"])
}

fn generation(extra: Value) -> Value {
    let mut args = json!({
        "prompt": "A ceramic mug on a sunlit table",
        "type": "image",
        "project_id": SEED_PROJECT_ID,
        "model": SEED_MODEL_ID,
    });
    for (k, v) in extra.as_object().unwrap() {
        args[k] = v.clone();
    }
    args
}

fn posts(fake: &Fake) -> usize {
    fake.fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count()
}

#[test]
fn generate_waits_for_the_outputs_with_progress_and_links_the_media() {
    let fake = Fake::start();
    let mut server = started(&fake);
    let (progress, response) =
        call_with_progress(&mut server, 51, "generate", generation(json!({})));
    let result = &response["result"];
    assert_ne!(result["isError"], true, "{response}");
    let data = &result["structuredContent"];
    assert_eq!(data["status"], "completed", "{response}");
    assert_eq!(data["workspace_id"], SEED_WORKSPACE_ID);
    assert_eq!(data["workspace_source"], "only_one");
    assert_eq!(data["model_id"], SEED_MODEL_ID);
    let url = data["outputs"][0]["url"].as_str().expect("an output URL");
    let text = Server::text(result);
    assert!(text.contains(url), "{text}");
    assert!(
        text.contains("the only one this credential can use"),
        "{text}"
    );
    let links = links(result);
    assert_eq!(links.len(), 1, "{result}");
    assert_eq!(links[0]["uri"], url);
    assert!(progress.len() >= 2, "{progress:?}");
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");
    assert_eq!(progress.last(), Some(&100.0));
    let runs = fake.fake.api_runs();
    assert_eq!(runs.len(), 1, "exactly one generation");
    let post = fake
        .fake
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert!(
        post.header("idempotency-key").is_some(),
        "billed creates carry a key"
    );
}

#[test]
fn a_failed_generation_is_an_error_with_its_code_and_retry_advice() {
    let fake = Fake::start();
    let mut server = started(&fake);
    let args = generation(json!({ "prompt": "a mug fail:GENERATION_PROMPT_MODERATED" }));
    let result = server.call("generate", args);
    assert_eq!(result["isError"], true, "{result}");
    let text = Server::text(&result);
    assert!(
        text.contains("GENERATION_PROMPT_MODERATED") && text.contains("change the inputs"),
        "{text}"
    );
    assert_eq!(result["structuredContent"]["retry_advice"], "change_input");

    let args = generation(json!({ "prompt": "a mug fail:GENERATION_QUEUE_TOO_LARGE" }));
    let result = server.call("generate", args);
    assert_eq!(result["structuredContent"]["retry_advice"], "retry_later");
}

#[test]
fn generate_in_a_project_of_another_workspace_is_a_404_and_402_is_not_retried() {
    let fake = Fake::start();
    let mut server = started(&fake);
    let text = failed(
        &mut server,
        "generate",
        generation(json!({ "project_id": OTHER_PROJECT_ID })),
    );
    assert!(text.contains("404 not_found"), "{text}");
    fake.fake.clear_requests();
    fake.fake
        .inject(Fault::error("POST", "/generate", "insufficient_credits"));
    let text = failed(&mut server, "generate", generation(json!({})));
    assert!(text.contains("402 insufficient_credits"), "{text}");
    assert_eq!(posts(&fake), 1, "a 402 is not retried");
    assert!(fake.fake.api_runs().is_empty());
}

#[test]
fn a_generation_over_the_spend_ceiling_is_refused_on_the_models_estimate() {
    let fake = Fake::start();
    // t2i-flux-2-pro is estimated at 30 credits ($0.03); klein at 4 ($0.004).
    let mut server = started_with(&fake, &["--max-run-cost", "0.01", "--toolsets", "runs"]);
    for tool in ["generate", "create_generation", "start_generation"] {
        let text = failed(&mut server, tool, generation(json!({})));
        assert!(
            text.contains("$0.03") && text.contains("$0.01") && text.contains("--max-run-cost"),
            "{text}"
        );
    }
    // Without a model, priced as the most expensive image model.
    let mut args = generation(json!({}));
    args.as_object_mut().unwrap().remove("model");
    let text = failed(&mut server, "generate", args);
    assert!(text.contains("most expensive"), "{text}");
    assert_eq!(posts(&fake), 0, "nothing was created");
    ok(
        &mut server,
        "create_generation",
        generation(json!({ "model": "t2i-flux-2-klein-4b" })),
    );
    assert_eq!(fake.fake.api_runs().len(), 1);
}

#[test]
fn cancelling_a_waiting_generate_ends_the_call_within_a_second() {
    let fake = Fake::start();
    cancelling_ends_the_call_within_a_second(&fake, "generate", generation(json!({})));
}

#[test]
fn generate_hands_back_a_run_still_going_with_how_to_poll_it() {
    let fake = Fake::start();
    let mut server = started_with(&fake, &["--workspace", SEED_WORKSPACE_ID]);
    let (text, run) = ok(
        &mut server,
        "generate",
        generation(json!({ "max_wait_seconds": 0 })),
    );
    assert_ne!(run["status"], "completed");
    assert_eq!(run["workspace_source"], "default");
    assert!(
        text.contains("stopped waiting") && text.contains("retrieve_run"),
        "{text}"
    );
    assert!(text.contains("the configured default"), "{text}");
    let run_id = run["run_id"].as_str().unwrap();
    let mut last = Value::Null;
    for _ in 0..5 {
        let (_, polled) = ok(&mut server, "retrieve_run", json!({ "run_id": run_id }));
        last = polled;
        if last["status"] == "completed" {
            break;
        }
    }
    assert_eq!(last["status"], "completed", "{last}");
}

#[test]
fn create_generation_returns_at_once_and_retrieve_run_polls_it_to_its_outputs() {
    let fake = Fake::start();
    let mut server = started(&fake);
    let (text, started) = ok(&mut server, "create_generation", generation(json!({})));
    let run_id = started["run_id"].as_str().unwrap().to_owned();
    assert_eq!(started["type"], "generation");
    assert!(text.contains("retrieve_run"), "{text}");
    let mut result = Value::Null;
    for _ in 0..5 {
        result = server.call("retrieve_run", json!({ "run_id": run_id }));
        if result["structuredContent"]["status"] == "completed" {
            break;
        }
    }
    assert_eq!(
        result["structuredContent"]["status"], "completed",
        "{result}"
    );
    assert_eq!(links(&result).len(), 1, "{result}");

    let text = failed(
        &mut server,
        "create_generation",
        generation(json!({ "model": "no-such-model" })),
    );
    assert!(
        text.contains("400") && text.contains("field `model`"),
        "{text}"
    );
    let text = failed(
        &mut server,
        "retrieve_run",
        json!({ "run_id": "run_missing" }),
    );
    assert!(text.contains("404 not_found"), "{text}");
}

#[test]
fn list_generations_shows_history_and_reports_refusals() {
    let fake = Fake::start();
    let mut server = started(&fake);
    let (_, started) = ok(&mut server, "create_generation", generation(json!({})));
    let (text, list) = ok(
        &mut server,
        "list_generations",
        json!({ "project_id": SEED_PROJECT_ID }),
    );
    assert_eq!(list["generations"][0]["run_id"], started["run_id"]);
    assert!(text.contains(started["run_id"].as_str().unwrap()), "{text}");
    fake.fake
        .inject(Fault::error("GET", "/generations", "forbidden"));
    let text = failed(&mut server, "list_generations", json!({}));
    assert!(text.contains("403 forbidden"), "{text}");
}

#[test]
fn start_generation_uses_the_deprecated_endpoint_and_reports_402() {
    let fake = Fake::start();
    let mut server = started(&fake);
    let (_, started) = ok(&mut server, "start_generation", generation(json!({})));
    assert_eq!(started["type"], "generation");
    assert!(
        fake.fake
            .requests()
            .iter()
            .any(|r| r.method == "POST" && r.path.ends_with("/runs/generation")),
    );
    fake.fake.inject(Fault::error(
        "POST",
        "/runs/generation",
        "insufficient_credits",
    ));
    let text = failed(&mut server, "start_generation", generation(json!({})));
    assert!(text.contains("402 insufficient_credits"), "{text}");
}

#[test]
fn start_technique_run_starts_in_the_workspace_and_reports_unknown_techniques() {
    let fake = Fake::start();
    let mut server = started(&fake);
    let inputs = json!({ "input_image": "https://media.flora.ai/samples/storefront.png" });
    let (text, started) = ok(
        &mut server,
        "start_technique_run",
        json!({ "technique_id": "tech_cctv-cam", "inputs": inputs }),
    );
    assert_eq!(started["type"], "technique");
    assert_eq!(started["workspace_id"], SEED_WORKSPACE_ID);
    assert!(text.contains("retrieve_run"), "{text}");
    assert_eq!(fake.fake.technique_runs().len(), 1);
    let text = failed(
        &mut server,
        "start_technique_run",
        json!({ "technique_id": "tech_no-such", "inputs": inputs }),
    );
    assert!(text.contains("404"), "{text}");
}
