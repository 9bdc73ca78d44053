//! The `canvas` toolset through the binary against the fake: media nodes, the Mermaid view and
//! patch, the graph, node runs (with the spend ceiling), the definition, changesets, and
//! action nodes — each on success and on failure.

use crate::support::{Fake, Server, failed, ok, started_with};
use fake_flora::{OTHER_PROJECT_ID, SEED_IMAGE_NODE_ID, SEED_PROJECT_ID};
use serde_json::json;

fn canvas_tools(fake: &Fake) -> Server {
    started_with(fake, &["--toolsets", "canvas"])
}

#[test]
fn nodes_and_the_mermaid_view_are_read_and_missing_projects_are_404() {
    let fake = Fake::start();
    let mut server = canvas_tools(&fake);
    let (_, nodes) = ok(
        &mut server,
        "list_project_nodes",
        json!({ "project_id": SEED_PROJECT_ID }),
    );
    assert!(
        nodes["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["node_id"] == SEED_IMAGE_NODE_ID),
        "{nodes}"
    );
    let (text, canvas) = ok(
        &mut server,
        "retrieve_canvas",
        json!({ "project_id": SEED_PROJECT_ID }),
    );
    assert_eq!(canvas["summary"]["node_count"], 3);
    assert!(text.contains("graph"), "{text}");
    for tool in [
        "list_project_nodes",
        "retrieve_canvas",
        "retrieve_project_graph",
    ] {
        let text = failed(&mut server, tool, json!({ "project_id": OTHER_PROJECT_ID }));
        assert!(text.contains("404"), "{tool}: {text}");
    }
}

#[test]
fn a_mermaid_patch_adds_nodes_and_a_bad_diagram_is_refused() {
    let fake = Fake::start();
    let mut server = canvas_tools(&fake);
    let patch = json!({
        "project_id": SEED_PROJECT_ID,
        "diagram": "graph LR\n  img1[\"(Image)\"]\n  out[\"Poster (Image)\"]\n  img1 --> out",
        "node_params": { "img1": { "content_url": "https://media.flora.ai/ref.png" } },
    });
    let (text, done) = ok(&mut server, "update_canvas", patch);
    assert_eq!(done["created_node_count"], 2, "{text}");
    assert_eq!(done["created_edge_count"], 1);
    let (_, canvas) = ok(
        &mut server,
        "retrieve_canvas",
        json!({ "project_id": SEED_PROJECT_ID }),
    );
    assert_eq!(canvas["summary"]["node_count"], 5);
    let text = failed(
        &mut server,
        "update_canvas",
        json!({ "project_id": SEED_PROJECT_ID, "diagram": "sequenceDiagram\n a->>b: hi" }),
    );
    assert!(text.contains("400"), "{text}");
    assert!(
        fake.fake
            .requests()
            .iter()
            .filter(|r| r.method == "PATCH")
            .all(|r| r.header("idempotency-key").is_none()),
        "a PATCH without a key is sent once"
    );
}

#[test]
fn the_graph_is_read_and_nodes_run_within_the_spend_ceiling() {
    let fake = Fake::start();
    let mut server = canvas_tools(&fake);
    let (text, graph) = ok(
        &mut server,
        "retrieve_project_graph",
        json!({ "project_id": SEED_PROJECT_ID }),
    );
    assert_eq!(graph["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(graph["workspace_source"], "only_one");
    assert!(text.contains("n3"), "{text}");
    let (text, runs) = ok(
        &mut server,
        "run_project_nodes",
        json!({ "project_id": SEED_PROJECT_ID, "node_ids": ["n3", "n9"] }),
    );
    assert_eq!(runs["runs"][0]["status"], "started", "{text}");
    assert_eq!(runs["runs"][1]["status"], "skipped");
    assert!(text.contains("node_not_found"), "{text}");
    assert_eq!(fake.fake.api_runs().len(), 1);

    // n3 runs t2i-flux-2-pro, estimated at 30 credits ($0.03).
    let mut server = started_with(&fake, &["--toolsets", "canvas", "--max-run-cost", "0.01"]);
    fake.fake.clear_requests();
    let text = failed(
        &mut server,
        "run_project_nodes",
        json!({ "project_id": SEED_PROJECT_ID, "node_ids": ["n3"] }),
    );
    assert!(
        text.contains("$0.03") && text.contains("--max-run-cost"),
        "{text}"
    );
    assert!(fake.fake.requests().iter().all(|r| r.method == "GET"));
    assert_eq!(fake.fake.api_runs().len(), 1);
}

#[test]
fn a_definition_round_trips_and_a_broken_one_names_its_fields() {
    let fake = Fake::start();
    let mut server = canvas_tools(&fake);
    let (_, read) = ok(
        &mut server,
        "retrieve_canvas_definition",
        json!({ "project_id": SEED_PROJECT_ID }),
    );
    assert_eq!(read["definition"]["nodes"][0]["id"], SEED_IMAGE_NODE_ID);
    let definition = json!({
        "nodes": [
            { "id": "node_keep", "type": "textBlock", "data": { "label": "Brief" } },
            { "id": SEED_IMAGE_NODE_ID, "type": "staticImageBlock",
              "data": { "label": "hero" }, "position": { "x": 5, "y": 6 } },
        ],
        "edges": [{ "id": "edge_1", "source": SEED_IMAGE_NODE_ID, "target": "node_keep",
                    "source_handle": null, "target_handle": null }],
        "node_inputs": { "node_keep": { "prompt": "Write a brief" } },
        "node_outputs": {},
    });
    let (text, replaced) = ok(
        &mut server,
        "replace_canvas_definition",
        json!({ "project_id": SEED_PROJECT_ID, "definition": definition }),
    );
    assert_eq!(replaced["summary"]["node_count"], 2, "{text}");
    let put = fake
        .fake
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .unwrap();
    assert!(put.header("idempotency-key").is_some());
    let broken = json!({ "nodes": [{ "id": "x" }], "edges": [], "node_inputs": {},
                         "node_outputs": {} });
    let text = failed(
        &mut server,
        "replace_canvas_definition",
        json!({ "project_id": SEED_PROJECT_ID, "definition": broken }),
    );
    assert!(
        text.contains("400") && text.contains("definition.nodes[0]"),
        "{text}"
    );
    let (_, after) = ok(
        &mut server,
        "retrieve_canvas_definition",
        json!({ "project_id": SEED_PROJECT_ID }),
    );
    assert_eq!(after["summary"]["node_count"], 2, "nothing applied");
}

#[test]
fn a_changeset_applies_atomically_or_names_every_cause() {
    let fake = Fake::start();
    let mut server = canvas_tools(&fake);
    let changes = json!({
        "project_id": SEED_PROJECT_ID,
        "add": [{ "ref": "shot", "type": "image", "prompt": "A studio shot" }],
        "update": [{ "id": "n2", "label": "Spring tagline" }],
        "connect": [{ "from": "n1", "to": "shot", "in": "image" }],
    });
    let (text, applied) = ok(&mut server, "apply_canvas_changeset", changes);
    assert_eq!(applied["applied"]["added"], 1, "{text}");
    let shot = applied["created"]["shot"]["id"].as_str().unwrap();
    assert!(text.contains(shot), "{text}");
    let (_, graph) = ok(
        &mut server,
        "retrieve_project_graph",
        json!({ "project_id": SEED_PROJECT_ID }),
    );
    assert_eq!(graph["revision"], applied["revision"]);

    let bad = json!({
        "project_id": SEED_PROJECT_ID,
        "update": [{ "id": "n99" }],
        "remove": [{ "id": "n3" }],
    });
    let text = failed(&mut server, "apply_canvas_changeset", bad);
    assert!(
        text.contains("400") && text.contains("update[0].id"),
        "{text}"
    );
    let (_, after) = ok(
        &mut server,
        "retrieve_project_graph",
        json!({ "project_id": SEED_PROJECT_ID }),
    );
    assert_eq!(after["revision"], applied["revision"], "nothing applied");
    let text = failed(
        &mut server,
        "apply_canvas_changeset",
        json!({ "project_id": SEED_PROJECT_ID }),
    );
    assert!(text.contains("at least one of add"), "{text}");
}

#[test]
fn an_action_node_is_created_wired_and_run_and_a_missing_one_is_a_404() {
    let fake = Fake::start();
    let mut server = canvas_tools(&fake);
    let (text, node) = ok(
        &mut server,
        "create_action_node",
        json!({ "project_id": SEED_PROJECT_ID, "action_id": "rotate-image-browser",
                "params": { "angle": 180 } }),
    );
    let node_id = node["node_id"].as_str().unwrap().to_owned();
    assert!(text.contains("run_action_node"), "{text}");
    let (_, graph) = ok(
        &mut server,
        "retrieve_project_graph",
        json!({ "project_id": SEED_PROJECT_ID }),
    );
    let short = graph["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node_id"] == node_id.as_str())
        .and_then(|n| n["id"].as_str())
        .unwrap()
        .to_owned();
    ok(
        &mut server,
        "apply_canvas_changeset",
        json!({ "project_id": SEED_PROJECT_ID, "connect": [{ "from": "n1", "to": short }] }),
    );
    let (text, started) = ok(
        &mut server,
        "run_action_node",
        json!({ "project_id": SEED_PROJECT_ID, "node_id": node_id }),
    );
    assert_eq!(started["type"], "action", "{text}");
    assert_eq!(
        fake.fake.api_runs()[0].node_id.as_deref(),
        Some(node_id.as_str())
    );
    let text = failed(
        &mut server,
        "run_action_node",
        json!({ "project_id": SEED_PROJECT_ID, "node_id": "node_missing" }),
    );
    assert!(text.contains("404"), "{text}");
    let text = failed(
        &mut server,
        "create_action_node",
        json!({ "project_id": SEED_PROJECT_ID, "action_id": "rotate-image-browser",
                "params": { "spin": true } }),
    );
    assert!(text.contains("400"), "{text}");
}
