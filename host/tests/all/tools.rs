//! Each FLORA tool through the real binary against the fake: a success with structured data
//! that matches FLORA's shapes, and failures that carry FLORA's code, request id and next step.

use crate::support::{
    Fake, Launch, Server, cancelling_ends_the_call_within_a_second, started_with,
};
use fake_flora::{SEED_ASSET_ID, SEED_PROJECT_ID, SEED_WORKSPACE_ID};
use serde_json::{Value, json};

fn started(fake: &Fake) -> Server {
    let mut server = Launch::against(&fake.fake).spawn();
    server.initialize();
    server
}

fn ok(server: &mut Server, tool: &str, arguments: Value) -> (String, Value) {
    let result = server.call(tool, arguments);
    assert_ne!(result["isError"], true, "{tool} failed: {result}");
    (Server::text(&result), result["structuredContent"].clone())
}

fn failed(server: &mut Server, tool: &str, arguments: Value) -> String {
    let result = server.call(tool, arguments);
    assert_eq!(
        result["isError"], true,
        "{tool} should have failed: {result}"
    );
    Server::text(&result)
}

#[test]
fn list_workspaces_returns_the_keys_workspace() {
    let fake = Fake::start();
    let mut server = started(&fake);
    let (text, data) = ok(&mut server, "list_workspaces", json!({}));
    assert_eq!(data["workspaces"][0]["workspace_id"], SEED_WORKSPACE_ID);
    assert!(text.contains(SEED_WORKSPACE_ID), "{text}");
}

#[test]
fn list_models_filters_by_type() {
    let fake = Fake::start();
    let mut server = started(&fake);
    let (_, data) = ok(&mut server, "list_models", json!({ "type": "video" }));
    let models = data["models"].as_array().unwrap();
    assert!(!models.is_empty());
    assert!(models.iter().all(|m| m["type"] == "video"), "{data}");
}

#[test]
fn list_techniques_pages_with_the_cursor() {
    let fake = Fake::start();
    let mut server = started(&fake);
    let (text, first) = ok(&mut server, "list_techniques", json!({ "limit": 2 }));
    assert_eq!(first["techniques"].as_array().unwrap().len(), 2);
    let cursor = first["meta"]["next_cursor"]
        .as_str()
        .expect("a next cursor")
        .to_owned();
    assert!(text.contains(&cursor), "{text}");
    let (_, second) = ok(
        &mut server,
        "list_techniques",
        json!({ "limit": 2, "cursor": cursor }),
    );
    assert_ne!(first["techniques"][0], second["techniques"][0]);
    let (_, found) = ok(&mut server, "list_techniques", json!({ "query": "CCTV" }));
    assert_eq!(found["techniques"][0]["technique_id"], "tech_cctv-cam");
}

#[test]
fn retrieve_technique_accepts_id_or_slug_and_reports_unknown_ones() {
    let fake = Fake::start();
    let mut server = started(&fake);
    let (text, by_slug) = ok(
        &mut server,
        "retrieve_technique",
        json!({ "technique_id": "cctv-cam" }),
    );
    let (_, by_id) = ok(
        &mut server,
        "retrieve_technique",
        json!({ "technique_id": "tech_cctv-cam" }),
    );
    assert_eq!(by_slug, by_id);
    assert!(
        text.contains("input_image") && text.contains("$0.05"),
        "{text}"
    );
    let text = failed(
        &mut server,
        "retrieve_technique",
        json!({ "technique_id": "no-such" }),
    );
    assert!(
        text.contains("404 not_found") && text.contains("request-id: req_"),
        "{text}"
    );
}

#[test]
fn a_technique_run_is_created_polled_to_completion_and_listed() {
    let fake = Fake::start();
    let mut server = started(&fake);
    let inputs = json!([{ "id": "input_image", "type": "imageUrl",
                          "value": "https://media.flora.ai/samples/storefront.png" }]);
    let (text, run) = ok(
        &mut server,
        "create_technique_run",
        json!({ "technique_id": "cctv-cam", "inputs": inputs }),
    );
    let run_id = run["run_id"].as_str().unwrap().to_owned();
    assert_eq!(run["status"], "pending");
    assert!(text.contains("retrieve_technique_run"), "{text}");

    let mut last = Value::Null;
    for _ in 0..10 {
        let args = json!({ "technique_id": "cctv-cam", "run_id": run_id });
        let (text, run) = ok(&mut server, "retrieve_technique_run", args);
        last = run;
        if last["status"] == "completed" {
            assert!(
                text.contains(last["outputs"][0]["url"].as_str().unwrap()),
                "{text}"
            );
            break;
        }
    }
    assert_eq!(last["status"], "completed", "{last}");

    let (_, history) = ok(
        &mut server,
        "list_technique_runs",
        json!({ "status": "completed" }),
    );
    let ids: Vec<&str> = history["technique_runs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["run_id"].as_str())
        .collect();
    assert!(ids.contains(&run_id.as_str()), "{history}");
    assert_eq!(
        fake.fake.technique_runs().len(),
        1,
        "exactly one run was created"
    );
}

#[test]
fn a_failed_run_reports_its_code_and_whether_retrying_helps() {
    let fake = Fake::start();
    let mut server = started(&fake);
    let value = "https://media.flora.ai/x.png#fail:GENERATION_PROMPT_MODERATED";
    let inputs = json!([{ "id": "input_image", "type": "imageUrl", "value": value }]);
    let (_, run) = ok(
        &mut server,
        "create_technique_run",
        json!({ "technique_id": "cctv-cam", "inputs": inputs }),
    );
    let args = json!({ "technique_id": "cctv-cam", "run_id": run["run_id"] });
    let mut text = String::new();
    for _ in 0..10 {
        let (t, run) = ok(&mut server, "retrieve_technique_run", args.clone());
        text = t;
        if run["status"] == "failed" {
            break;
        }
    }
    assert!(text.contains("GENERATION_PROMPT_MODERATED"), "{text}");
    assert!(text.contains("change the inputs"), "{text}");
}

#[test]
fn a_run_with_inputs_flora_refuses_names_the_fields() {
    let fake = Fake::start();
    let mut server = started(&fake);
    let inputs = json!([{ "id": "wrong_input", "type": "imageUrl", "value": "https://x/y.png" }]);
    let text = failed(
        &mut server,
        "create_technique_run",
        json!({ "technique_id": "cctv-cam", "inputs": inputs }),
    );
    assert!(text.contains("400 input_validation_error"), "{text}");
    assert!(text.contains("field `inputs"), "{text}");
    assert!(fake.fake.technique_runs().is_empty());
}

#[test]
fn projects_are_listed_in_the_only_workspace_and_retrieved() {
    let fake = Fake::start();
    let mut server = started(&fake);
    let (text, data) = ok(&mut server, "list_projects", json!({}));
    assert!(
        text.contains("the only one this credential can use"),
        "{text}"
    );
    assert!(
        data["projects"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["project_id"] == SEED_PROJECT_ID)
    );
    let (_, project) = ok(
        &mut server,
        "retrieve_project",
        json!({ "project_id": SEED_PROJECT_ID }),
    );
    assert_eq!(project["workspace_id"], SEED_WORKSPACE_ID);
    let text = failed(
        &mut server,
        "retrieve_project",
        json!({ "project_id": "prj_missing" }),
    );
    assert!(text.contains("404"), "{text}");
}

#[test]
fn a_configured_default_workspace_is_used_and_said() {
    let fake = Fake::start();
    let mut launch = Launch::against(&fake.fake);
    launch.args = vec!["--workspace".to_owned(), SEED_WORKSPACE_ID.to_owned()];
    let mut server = launch.spawn();
    server.initialize();
    let (text, _) = ok(&mut server, "list_projects", json!({}));
    assert!(text.contains("the configured default"), "{text}");
}

#[test]
fn assets_are_listed_and_retrieved() {
    let fake = Fake::start();
    let mut server = started(&fake);
    let (_, data) = ok(&mut server, "list_assets", json!({ "limit": 10 }));
    assert!(
        data["assets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["asset_id"] == SEED_ASSET_ID)
    );
    let (text, asset) = ok(
        &mut server,
        "retrieve_asset",
        json!({ "asset_id": SEED_ASSET_ID }),
    );
    assert_eq!(asset["status"], "ready");
    assert!(text.contains(SEED_ASSET_ID), "{text}");
}

#[test]
fn a_wrong_or_missing_key_is_reported_with_what_to_do() {
    let fake = Fake::start();
    let mut launch = Launch::against(&fake.fake);
    launch.api_key = Some("sk_test_not_a_real_key".to_owned());
    let mut server = launch.spawn();
    server.initialize();
    let text = failed(&mut server, "list_workspaces", json!({}));
    assert!(text.contains("401 invalid_api_key"), "{text}");
    assert!(text.contains("valid API key"), "{text}");

    let mut launch = Launch::against(&fake.fake);
    launch.api_key = None;
    let mut server = launch.spawn();
    server.initialize();
    let text = failed(&mut server, "list_workspaces", json!({}));
    assert!(
        text.contains("401 unauthorized") && text.contains("FLORA_API_KEY"),
        "{text}"
    );
}

#[test]
fn an_unreachable_flora_is_a_tool_error_and_serving_goes_on() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let fake = Fake::start();
    let mut launch = Launch::against(&fake.fake);
    launch.api_base = format!("http://127.0.0.1:{port}/api/v1");
    let mut server = launch.spawn();
    server.initialize();
    let text = failed(&mut server, "list_techniques", json!({}));
    assert!(text.contains("could not be reached"), "{text}");
    let text = failed(&mut server, "list_workspaces", json!({}));
    assert!(text.contains("could not be reached"), "{text}");
}

#[test]
fn flora_server_errors_rate_limits_and_bad_bodies_become_readable_tool_errors() {
    use fake_flora::Fault;
    let fake = Fake::start();
    let mut server = started(&fake);

    // Safe requests are retried three times, so these faults must outlast four attempts.
    fake.fake
        .inject(Fault::error("GET", "/techniques", "unknown_error").times(4));
    let text = failed(&mut server, "list_techniques", json!({}));
    assert!(
        text.contains("500 unknown_error") && text.contains("retry in a moment"),
        "{text}"
    );

    fake.fake
        .inject(Fault::error("GET", "/models", "rate_limited").retry_after("30"));
    let text = failed(&mut server, "list_models", json!({}));
    assert!(
        text.contains("429 rate_limited") && text.contains("wait 30 seconds"),
        "{text}"
    );

    fake.fake.inject(
        Fault::new("GET", "/workspaces")
            .status(502)
            .raw_body("<html>bad gateway</html>", "text/html")
            .times(4),
    );
    let text = failed(&mut server, "list_workspaces", json!({}));
    assert!(
        text.contains("502") && text.contains("bad gateway"),
        "{text}"
    );

    fake.fake
        .inject(Fault::error("GET", "/assets", "forbidden"));
    let text = failed(&mut server, "list_assets", json!({}));
    assert!(
        text.contains("403 forbidden") && text.contains("list_workspaces"),
        "{text}"
    );

    // The faults are used up: the same calls now succeed.
    ok(&mut server, "list_techniques", json!({}));
    ok(&mut server, "list_workspaces", json!({}));
}

#[test]
fn a_call_that_outlives_its_deadline_is_stopped_and_the_next_call_works() {
    use fake_flora::Fault;
    use std::time::{Duration, Instant};
    let fake = Fake::start();
    let mut server = started_with(&fake, &["--call-timeout", "1"]);
    fake.fake
        .inject(Fault::new("GET", "/workspaces").delay(Duration::from_secs(5)));
    let started = Instant::now();
    let text = failed(&mut server, "list_workspaces", json!({}));
    assert!(text.contains("longer than 1 s"), "{text}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "took {:?}",
        started.elapsed()
    );
    ok(&mut server, "list_models", json!({}));
}

#[test]
fn a_create_retried_after_a_500_makes_exactly_one_run_and_a_402_is_not_retried() {
    use fake_flora::Fault;
    let fake = Fake::start();
    let mut server = started(&fake);
    let inputs = json!([{ "id": "input_image", "type": "imageUrl",
                          "value": "https://media.flora.ai/samples/storefront.png" }]);
    let args = json!({ "technique_id": "cctv-cam", "inputs": inputs });

    fake.fake.inject(Fault::error(
        "POST",
        "/techniques/cctv-cam/runs",
        "unknown_error",
    ));
    let (_, run) = ok(&mut server, "create_technique_run", args.clone());
    assert_eq!(fake.fake.technique_runs().len(), 1, "exactly one run");
    let posts: Vec<_> = fake
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(posts.len(), 2, "one failed attempt, one retry");
    let key = posts[0]
        .header("idempotency-key")
        .expect("an Idempotency-Key header");
    assert_eq!(
        posts[1].header("idempotency-key"),
        Some(key),
        "the retry reuses the key"
    );
    assert_eq!(
        fake.fake.technique_runs()[0].run_id,
        run["run_id"].as_str().unwrap()
    );

    fake.fake.clear_requests();
    fake.fake.inject(Fault::error(
        "POST",
        "/techniques/cctv-cam/runs",
        "insufficient_credits",
    ));
    let text = failed(&mut server, "create_technique_run", args);
    assert!(
        text.contains("402 insufficient_credits") && text.contains("out of credits"),
        "{text}"
    );
    let posts = fake
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1, "a 402 is not retried");
    assert_eq!(fake.fake.technique_runs().len(), 1);
}

#[test]
fn a_short_outage_on_a_read_is_ridden_out_by_retries() {
    use fake_flora::Fault;
    let fake = Fake::start();
    let mut server = started(&fake);
    fake.fake.inject(
        Fault::error("GET", "/workspaces", "unknown_error")
            .status(503)
            .times(2),
    );
    let (_, data) = ok(&mut server, "list_workspaces", json!({}));
    assert_eq!(data["workspaces"][0]["workspace_id"], SEED_WORKSPACE_ID);
    assert_eq!(fake.fake.requests().len(), 3);
}

fn cctv_args(extra: Value) -> Value {
    let mut args = json!({
        "technique_id": "cctv-cam",
        "inputs": [{ "id": "input_image", "type": "imageUrl",
                     "value": "https://media.flora.ai/samples/storefront.png" }],
    });
    for (k, v) in extra.as_object().unwrap() {
        args[k] = v.clone();
    }
    args
}

#[test]
fn a_run_over_the_spend_ceiling_is_refused_before_anything_could_bill() {
    let fake = Fake::start();
    let mut server = started_with(&fake, &["--max-run-cost", "0.01"]);
    for tool in ["create_technique_run", "run_technique"] {
        let text = failed(&mut server, tool, cctv_args(json!({})));
        assert!(text.contains("$0.05") && text.contains("$0.01"), "{text}");
        assert!(text.contains("--max-run-cost"), "{text}");
    }
    assert!(
        fake.fake.requests().iter().all(|r| r.method == "GET"),
        "only the price was read"
    );
    assert!(fake.fake.technique_runs().is_empty());

    let mut server = started_with(&fake, &["--max-run-cost", "1"]);
    ok(&mut server, "create_technique_run", cctv_args(json!({})));
    assert_eq!(fake.fake.technique_runs().len(), 1);
}

#[test]
fn run_technique_waits_for_the_outputs_and_reports_progress() {
    let fake = Fake::start();
    let mut server = started(&fake);
    let call = json!({
        "jsonrpc": "2.0", "id": 31, "method": "tools/call",
        "params": { "name": "run_technique", "arguments": cctv_args(json!({})),
                    "_meta": { "progressToken": "tok-31" } },
    });
    server.send_line(&call.to_string());
    let mut progress = Vec::new();
    let response = loop {
        let message = server.next_message();
        if message["method"] == "notifications/progress" {
            assert_eq!(message["params"]["progressToken"], "tok-31");
            progress.push(message["params"]["progress"].as_f64().unwrap());
        } else if message["id"] == 31 {
            break message;
        }
    };
    let result = &response["result"];
    assert_ne!(result["isError"], true, "{response}");
    assert_eq!(
        result["structuredContent"]["status"], "completed",
        "{response}"
    );
    assert!(
        Server::text(result).contains("https://media.flora.ai/"),
        "{response}"
    );
    assert!(progress.len() >= 2, "{progress:?}");
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");
    assert_eq!(progress.last(), Some(&100.0));
    assert_eq!(fake.fake.technique_runs().len(), 1);
}

#[test]
fn run_technique_hands_back_a_run_still_going_with_how_to_poll_it() {
    let fake = Fake::start();
    let mut server = started(&fake);
    let (text, run) = ok(
        &mut server,
        "run_technique",
        cctv_args(json!({ "max_wait_seconds": 0 })),
    );
    assert_eq!(run["status"], "pending");
    assert!(
        text.contains("stopped waiting") && text.contains("retrieve_technique_run"),
        "{text}"
    );
}

#[test]
fn cancelling_a_waiting_run_technique_ends_the_call_within_a_second() {
    let fake = Fake::start();
    cancelling_ends_the_call_within_a_second(&fake, "run_technique", cctv_args(json!({})));
}
