//! Projects and their canvases: creation, the media-node list, the Mermaid view and patch,
//! action nodes and their runs, attaching assets, and feedback.

use crate::support::Api;
use fake_flora::{
    OTHER_ASSET_ID, OTHER_PROJECT_ID, OTHER_WORKSPACE_ID, SEED_ASSET_ID, SEED_IMAGE_NODE_ID,
    SEED_PROJECT_3_ID, SEED_PROJECT_ID, SEED_WORKSPACE_ID,
};
use reqwest::Method;
use serde_json::{Value, json};

async fn new_project(api: &Api) -> String {
    let body = json!({ "name": "Autumn Drop", "workspace_id": SEED_WORKSPACE_ID });
    let created = api.post("/projects", &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.json["project_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn projects_are_created_listed_first_and_start_empty() {
    let api = Api::start().await;
    let body = json!({ "name": "Autumn Drop", "workspace_id": SEED_WORKSPACE_ID });
    let created = api.post("/projects", &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let project = &created.json;
    let project_id = project["project_id"].as_str().unwrap();
    assert!(
        project_id.starts_with("prj_") && project_id.len() == 36,
        "{project_id}"
    );
    assert_eq!(project["origin"], "api");
    assert_eq!(project["last_modified"], Value::Null);
    assert!(project["created_at"].is_u64());
    let keys: Vec<&String> = project.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 6, "{keys:?}");
    let listed = api
        .get(&format!("/projects?workspace_id={SEED_WORKSPACE_ID}"))
        .await;
    assert_eq!(listed.json["projects"][0]["project_id"], project_id);
    let nodes = api.get(&format!("/projects/{project_id}/nodes")).await;
    assert_eq!(
        nodes.json,
        json!({ "nodes": [], "meta": { "next_cursor": null } })
    );

    api.post("/projects", &json!({ "name": "", "workspace_id": "x" }))
        .await
        .assert_invalid(&["name", "workspace_id"]);
    let elsewhere = json!({ "name": "x", "workspace_id": OTHER_WORKSPACE_ID });
    assert_eq!(api.post("/projects", &elsewhere).await.status, 404);
}

#[tokio::test]
async fn nodes_list_visible_media_with_cursor_pages() {
    let api = Api::start().await;
    let first = api
        .get(&format!("/projects/{SEED_PROJECT_ID}/nodes?limit=2"))
        .await;
    assert_eq!(first.status, 200, "{}", first.text);
    let nodes = first.json["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 2);
    assert_eq!(nodes[0]["node_id"], SEED_IMAGE_NODE_ID);
    assert_eq!(nodes[0]["type"], "image");
    assert_eq!(nodes[0]["asset_id"], SEED_ASSET_ID);
    assert_eq!(nodes[0]["width"], 2048);
    assert_eq!(nodes[1]["type"], "text");
    assert_eq!(nodes[1]["url"], "Step lightly into spring.");
    let cursor = first.json["meta"]["next_cursor"].as_str().unwrap();
    let second = api
        .get(&format!(
            "/projects/{SEED_PROJECT_ID}/nodes?limit=2&cursor={cursor}"
        ))
        .await;
    assert_eq!(second.json["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(second.json["meta"]["next_cursor"], Value::Null);
    assert_eq!(
        api.get(&format!("/projects/{OTHER_PROJECT_ID}/nodes"))
            .await
            .status,
        404
    );
    api.get("/projects/abc/nodes")
        .await
        .assert_invalid(&["project_id"]);
}

#[tokio::test]
async fn the_canvas_reads_as_mermaid_and_takes_add_only_patches() {
    let api = Api::start().await;
    let canvas = api
        .get(&format!("/projects/{SEED_PROJECT_ID}/canvas"))
        .await;
    assert_eq!(canvas.status, 200, "{}", canvas.text);
    assert_eq!(
        canvas.json["canvas_url"],
        format!("https://app.flora.ai/projects/{SEED_PROJECT_ID}")
    );
    let diagram = canvas.json["diagram"].as_str().unwrap();
    assert!(diagram.starts_with("graph LR\n"), "{diagram}");
    assert!(
        diagram.contains("n1[\"hero-shot.png (Image)\"]"),
        "{diagram}"
    );
    assert!(diagram.contains("n1 --> n3"), "{diagram}");
    assert_eq!(
        canvas.json["summary"],
        json!({ "node_count": 3, "edge_count": 2, "group_count": 0,
                "isolated_node_count": 0, "workflow_count": 1 })
    );

    let patch = json!({
        "diagram": concat!(
            "graph LR\n  img1[\"(Image)\"]\n  out[\"Editorial campaign image (Image)\"]\n",
            "  n1 --> out\n  img1 --> out\n  n3[\"Another (Video)\"]\n  subgraph g\n  end",
        ),
        "node_params": {
            "img1": { "content_url": "https://media.flora.ai/ref.png" },
            "out": { "model": "t2i-seedream-v4", "aspect_ratio": "portrait_9_16" },
        },
    });
    let path = format!("/projects/{SEED_PROJECT_ID}/canvas");
    let applied = api.send(Method::PATCH, &path, Some(&patch)).await;
    assert_eq!(applied.status, 200, "{}", applied.text);
    assert_eq!(applied.json["created_node_count"], 3);
    assert_eq!(applied.json["created_edge_count"], 2);
    let warnings = applied.json["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    let applied_diagram = applied.json["diagram"].as_str().unwrap();
    assert!(applied_diagram.contains("n1 --> n5"), "{applied_diagram}");
    let after = api.get(&path).await;
    assert_eq!(after.json["summary"]["node_count"], 6);
    assert_eq!(after.json["summary"]["isolated_node_count"], 1);

    let graph = api
        .get(&format!(
            "/workspaces/{SEED_WORKSPACE_ID}/projects/{SEED_PROJECT_ID}/graph"
        ))
        .await;
    if graph.status == 200 {
        let out = graph.json["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == "n5")
            .cloned()
            .unwrap();
        assert_eq!(out["model_id"], "t2i-seedream-v4");
        assert_eq!(out["prompt"], "Editorial campaign image");
        assert_eq!(out["params"]["aspect_ratio"], "portrait_9_16");
    }
}

#[tokio::test]
async fn bad_canvas_patches_change_nothing() {
    let api = Api::start().await;
    let path = format!("/projects/{SEED_PROJECT_3_ID}/canvas");
    let not_mermaid = json!({ "diagram": "sequenceDiagram\n a->>b: hi" });
    api.send(Method::PATCH, &path, Some(&not_mermaid))
        .await
        .assert_invalid(&["diagram"]);
    let clash = json!({
        "diagram": "graph LR\n a[\"(Text)\"]\n b[\"x (Image)\"]",
        "node_params": {
            "a": { "content_url": "https://media.flora.ai/a.png" },
            "b": { "prompt": "p", "content_url": "https://media.flora.ai/b.png", "seed": 1 },
            "zz": { "prompt": "p" },
        },
    });
    api.send(Method::PATCH, &path, Some(&clash))
        .await
        .assert_invalid(&[
            "node_params.a.content_url",
            "node_params.b.content_url",
            "node_params.b.seed",
            "node_params.zz",
        ]);
    let canvas = api.get(&path).await;
    assert_eq!(canvas.json["diagram"], "graph LR");
    assert_eq!(canvas.json["summary"]["node_count"], 0);
}

#[tokio::test]
async fn action_nodes_run_on_their_wired_inputs() {
    let api = Api::start().await;
    let project_id = new_project(&api).await;
    let patch = json!({
        "diagram": "graph LR\n  photo[\"(Image)\"]",
        "node_params": { "photo": { "content_url": "https://media.flora.ai/p.png" } },
    });
    let canvas = format!("/projects/{project_id}/canvas");
    assert_eq!(
        api.send(Method::PATCH, &canvas, Some(&patch)).await.status,
        200
    );
    let body = json!({ "action_id": "rotate-image-browser", "params": { "angle": 180 } });
    let created = api
        .post(&format!("/projects/{project_id}/actions"), &body)
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json["action_id"], "rotate-image-browser");
    assert_eq!(created.json["project_id"], project_id.as_str());
    let node_id = created.json["node_id"].as_str().unwrap().to_owned();
    // Wire the photo (n1) into the action node (n2).
    let wire = json!({ "diagram": "graph LR\n  n1 --> n2" });
    let wired = api.send(Method::PATCH, &canvas, Some(&wire)).await;
    assert_eq!(wired.json["created_edge_count"], 1, "{}", wired.text);

    let run_path = format!("/projects/{project_id}/actions/{node_id}/run");
    let started = api.post_with(&run_path, String::new(), &[]).await;
    assert_eq!(started.status, 201, "{}", started.text);
    assert_eq!(started.json["type"], "action");
    assert_eq!(started.json["charged_cost"], 0.0);
    let record = &api.fake.api_runs()[0];
    assert_eq!(record.node_id.as_deref(), Some(node_id.as_str()));
    assert_eq!(record.inputs[0]["url"], "https://media.flora.ai/p.png");
    let poll_url = started.json["poll_url"].as_str().unwrap().to_owned();
    let mut last = Value::Null;
    for _ in 0..3 {
        last = api.get_url(&poll_url).await.json;
    }
    assert_eq!(last["status"], "completed");

    // An action node with nothing wired in still starts, then fails.
    let bare = api
        .post(&format!("/projects/{project_id}/actions"), &body)
        .await;
    let bare_node = bare.json["node_id"].as_str().unwrap();
    let started = api
        .post_with(
            &format!("/projects/{project_id}/actions/{bare_node}/run"),
            String::new(),
            &[],
        )
        .await;
    let poll_url = started.json["poll_url"].as_str().unwrap().to_owned();
    for _ in 0..3 {
        last = api.get_url(&poll_url).await.json;
    }
    assert_eq!(last["error_code"], "GENERATION_INPUT_VALIDATION");

    let bad = json!({ "action_id": "rotate-image-browser", "params": { "spin": true } });
    api.post(&format!("/projects/{project_id}/actions"), &bad)
        .await
        .assert_invalid(&["params.spin"]);
    let photo_run = format!("/projects/{project_id}/actions/n1/run");
    api.post_with(&photo_run, String::new(), &[])
        .await
        .assert_invalid(&["node_id"]);
    let missing = format!("/projects/{project_id}/actions/node_nope/run");
    assert_eq!(
        api.post_with(&missing, String::new(), &[]).await.status,
        404
    );
}

#[tokio::test]
async fn ready_assets_attach_as_static_nodes() {
    let api = Api::start().await;
    let project_id = new_project(&api).await;
    let path = format!("/projects/{project_id}/assets/{SEED_ASSET_ID}/attach");
    let attached = api.post_with(&path, String::new(), &[]).await;
    assert_eq!(attached.status, 201, "{}", attached.text);
    assert_eq!(attached.json["asset_id"], SEED_ASSET_ID);
    let node_id = attached.json["node_id"].as_str().unwrap();
    assert!(node_id.starts_with("node_"), "{node_id}");
    assert_eq!(
        attached.json["canvas_url"],
        format!("https://app.flora.ai/projects/{project_id}")
    );
    let nodes = api.get(&format!("/projects/{project_id}/nodes")).await;
    assert_eq!(nodes.json["nodes"][0]["node_id"], node_id);
    assert_eq!(nodes.json["nodes"][0]["asset_id"], SEED_ASSET_ID);
    let foreign = format!("/projects/{project_id}/assets/{OTHER_ASSET_ID}/attach");
    assert_eq!(
        api.post_with(&foreign, String::new(), &[]).await.status,
        404
    );
    let bad = format!("/projects/{project_id}/assets/abc/attach");
    api.post_with(&bad, String::new(), &[])
        .await
        .assert_invalid(&["asset_id"]);
}

#[tokio::test]
async fn feedback_is_recorded() {
    let api = Api::start().await;
    let body = json!({
        "kind": "missing_capability",
        "summary": "Need Instagram CDN URLs",
        "detail": "upload-asset rejected an image on cdninstagram.com",
        "attempted_tools": ["upload_asset"],
        "workspace_id": SEED_WORKSPACE_ID,
        "project_id": SEED_PROJECT_ID,
    });
    let recorded = api.post("/feedback", &body).await;
    assert_eq!(recorded.status, 201, "{}", recorded.text);
    let feedback_id = recorded.json["feedback_id"].as_str().unwrap();
    assert!(feedback_id.starts_with("fb_"), "{feedback_id}");
    assert!(recorded.json["received_at"].is_u64());
    let records = api.fake.feedback();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].attempted_tools, ["upload_asset"]);
    let bad = json!({ "kind": "praise", "summary": "x", "run_id": "abc", "mood": "happy" });
    api.post("/feedback", &bad)
        .await
        .assert_invalid(&["kind", "detail", "run_id", "mood"]);
    let foreign =
        json!({ "kind": "bug", "summary": "x", "detail": "y", "project_id": OTHER_PROJECT_ID });
    assert_eq!(api.post("/feedback", &foreign).await.status, 404);
}
