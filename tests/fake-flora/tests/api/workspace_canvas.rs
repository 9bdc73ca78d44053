//! Workspace-scoped project routes (SDK 0.11.0): creating projects (also into folders), the
//! project graph, running canvas nodes, the canvas definition and changesets.

use crate::support::Api;
use fake_flora::{
    OTHER_FOLDER_ID, OTHER_PROJECT_ID, OTHER_WORKSPACE_ID, SEED_FOLDER_ID, SEED_GENERATION_NODE_ID,
    SEED_IMAGE_NODE_ID, SEED_MODEL_ID, SEED_PRIVATE_FOLDER_ID, SEED_PROJECT_ID, SEED_WORKSPACE_ID,
};
use reqwest::Method;
use serde_json::{Value, json};

fn ws(path: &str) -> String {
    format!("/workspaces/{SEED_WORKSPACE_ID}{path}")
}

#[tokio::test]
async fn projects_are_created_in_workspaces_and_folders() {
    let api = Api::start().await;
    let created = api
        .post(&ws("/projects"), &json!({ "name": "Spring Campaign" }))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json["workspace_id"], SEED_WORKSPACE_ID);
    assert_eq!(created.json["name"], "Spring Campaign");
    let filed = api
        .post(
            &ws(&format!("/folders/{SEED_FOLDER_ID}/projects")),
            &json!({ "name": "Filed" }),
        )
        .await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let filed_id = filed.json["project_id"].as_str().unwrap();
    assert_eq!(
        api.fake.project_folder(filed_id).as_deref(),
        Some(SEED_FOLDER_ID)
    );
    let plain_id = created.json["project_id"].as_str().unwrap();
    assert_eq!(api.fake.project_folder(plain_id), None);
    for folder in [SEED_PRIVATE_FOLDER_ID, OTHER_FOLDER_ID, "fld_missing"] {
        let path = ws(&format!("/folders/{folder}/projects"));
        let reply = api.post(&path, &json!({ "name": "x" })).await;
        assert_eq!((reply.status, reply.code()), (404, "not_found"), "{folder}");
    }
    api.post(&ws("/folders/abc/projects"), &json!({ "name": "x" }))
        .await
        .assert_invalid(&["folder_id"]);
    api.post(&ws("/projects"), &json!({ "title": "x" }))
        .await
        .assert_invalid(&["title", "name"]);
    let foreign = format!("/workspaces/{OTHER_WORKSPACE_ID}/projects");
    assert_eq!(
        api.post(&foreign, &json!({ "name": "x" })).await.status,
        404
    );
}

#[tokio::test]
async fn the_graph_reports_every_node_and_a_stable_revision() {
    let api = Api::start().await;
    let path = ws(&format!("/projects/{SEED_PROJECT_ID}/graph"));
    let graph = api.get(&path).await;
    assert_eq!(graph.status, 200, "{}", graph.text);
    let nodes = graph.json["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3);
    assert_eq!(nodes[0]["id"], "n1");
    assert_eq!(nodes[0]["node_id"], SEED_IMAGE_NODE_ID);
    assert_eq!(nodes[0]["type"], "static_image");
    assert_eq!(nodes[0]["status"], Value::Null);
    let generation = &nodes[2];
    assert_eq!(generation["node_id"], SEED_GENERATION_NODE_ID);
    assert_eq!(generation["type"], "image");
    assert_eq!(generation["model"], "FLUX.2 [pro]");
    assert_eq!(generation["model_id"], SEED_MODEL_ID);
    assert_eq!(generation["status"], "idle");
    assert_eq!(generation["action"], Value::Null);
    assert_eq!(generation["position"], json!({ "x": 600.0, "y": 200.0 }));
    assert_eq!(
        graph.json["edges"],
        json!([
            { "from": "n1", "to": "n3", "in": "image" },
            { "from": "n2", "to": "n3", "in": "text" },
        ])
    );
    let again = api.get(&path).await;
    assert_eq!(again.json["revision"], graph.json["revision"]);
    let foreign = format!("/workspaces/{SEED_WORKSPACE_ID}/projects/{OTHER_PROJECT_ID}/graph");
    assert_eq!(api.get(&foreign).await.status, 404);
}

#[tokio::test]
async fn node_runs_start_generations_and_skip_what_cannot_run() {
    let api = Api::start().await;
    let path = ws(&format!("/projects/{SEED_PROJECT_ID}/nodes/run"));
    let body = json!({ "node_ids": ["n3", "n1", "n9"] });
    let reply = api.post(&path, &body).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let runs = reply.json["runs"].as_array().unwrap();
    assert_eq!(runs[0]["node_id"], "n3");
    assert_eq!(runs[0]["status"], "started");
    assert_eq!(runs[0]["type"], "generation");
    assert_eq!(runs[0]["model"], json!({ "model_id": SEED_MODEL_ID }));
    assert_eq!(runs[0]["charged_cost"], 0.03);
    assert_eq!(
        (runs[1]["status"].as_str(), runs[1]["reason"].as_str()),
        (Some("skipped"), Some("node_not_executable"))
    );
    assert_eq!(runs[2]["reason"], "node_not_found");
    let again = api
        .post(&path, &json!({ "node_ids": [SEED_GENERATION_NODE_ID] }))
        .await;
    assert_eq!(
        again.json["runs"][0]["reason"],
        "generation_already_running"
    );

    let record = &api.fake.api_runs()[0];
    assert_eq!(record.node_id.as_deref(), Some(SEED_GENERATION_NODE_ID));
    assert_eq!(record.params["aspect_ratio"], "landscape_16_9");
    let poll_url = runs[0]["poll_url"].as_str().unwrap().to_owned();
    for _ in 0..3 {
        api.get_url(&poll_url).await;
    }
    let graph = api
        .get(&ws(&format!("/projects/{SEED_PROJECT_ID}/graph")))
        .await;
    let node = &graph.json["nodes"][2];
    assert_eq!(node["status"], "done");
    assert!(
        node["output_url"]
            .as_str()
            .unwrap()
            .starts_with("https://media.flora.ai/")
    );

    api.post(&path, &json!({ "node_ids": [] }))
        .await
        .assert_invalid(&["node_ids"]);
    let many: Vec<String> = (0..51).map(|i| format!("n{i}")).collect();
    api.post(&path, &json!({ "node_ids": many }))
        .await
        .assert_invalid(&["node_ids"]);
}

#[tokio::test]
async fn definitions_round_trip_and_replace_atomically() {
    let api = Api::start().await;
    let path = ws(&format!("/projects/{SEED_PROJECT_ID}/canvas/definition"));
    let read = api.get(&path).await;
    assert_eq!(read.status, 200, "{}", read.text);
    let definition = &read.json["definition"];
    assert_eq!(definition["nodes"][0]["id"], SEED_IMAGE_NODE_ID);
    assert_eq!(definition["nodes"][0]["type"], "staticImageBlock");
    assert_eq!(definition["nodes"][2]["type"], "resultImageBlock");
    assert_eq!(definition["edges"][0]["target_handle"], "image");
    assert_eq!(
        definition["node_inputs"][SEED_GENERATION_NODE_ID]["model_id"],
        SEED_MODEL_ID
    );
    assert_eq!(read.json["summary"]["node_count"], 3);

    let replacement = json!({ "definition": {
        "nodes": [
            { "id": "node_keep", "type": "textBlock", "data": { "label": "Brief" } },
            {
                "id": SEED_IMAGE_NODE_ID,
                "type": "staticImageBlock",
                "data": { "label": "hero" },
                "position": { "x": 5, "y": 6 },
            },
        ],
        "edges": [
            {
                "id": "edge_1",
                "source": SEED_IMAGE_NODE_ID,
                "target": "node_keep",
                "source_handle": null,
                "target_handle": null,
            },
        ],
        "node_inputs": { "node_keep": { "prompt": "Write a brief" } },
        "node_outputs": {},
    }});
    let replaced = api.send(Method::PUT, &path, Some(&replacement)).await;
    assert_eq!(replaced.status, 200, "{}", replaced.text);
    assert_eq!(replaced.json["summary"]["node_count"], 2);
    let nodes = replaced.json["definition"]["nodes"].as_array().unwrap();
    assert_eq!(nodes[0]["position"], json!({ "x": 0.0, "y": 0.0 }));
    assert_eq!(nodes[1]["position"], json!({ "x": 5.0, "y": 6.0 }));
    let graph = api
        .get(&ws(&format!("/projects/{SEED_PROJECT_ID}/graph")))
        .await;
    let ids: Vec<&str> = graph.json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["n4", "n1"],
        "short ids survive; new nodes get fresh ones"
    );
    assert_eq!(graph.json["nodes"][0]["prompt"], "Write a brief");

    let broken = json!({ "definition": {
        "nodes": [{ "id": "a", "type": "imageBlock", "data": {} }, { "id": "a", "type": "group" }],
        "edges": [{ "id": "e", "source": "a", "target": "zz", "source_handle": null }],
        "node_inputs": { "ghost": {} },
        "node_outputs": {},
    }});
    api.send(Method::PUT, &path, Some(&broken))
        .await
        .assert_invalid(&[
            "definition.nodes[0].type",
            "definition.nodes[1].id",
            "definition.nodes[1].data",
            "definition.edges[0].target",
            "definition.edges[0].target_handle",
            "definition.node_inputs.ghost",
        ]);
    assert_eq!(api.get(&path).await.json["summary"]["node_count"], 2);
}

#[tokio::test]
async fn changesets_apply_all_or_nothing() {
    let api = Api::start().await;
    let path = ws(&format!("/projects/{SEED_PROJECT_ID}/canvas/changeset"));
    let before = api
        .get(&ws(&format!("/projects/{SEED_PROJECT_ID}/graph")))
        .await;
    let body = json!({
        "add": [
            {
                "ref": "shot",
                "type": "image",
                "prompt": "A studio shot",
                "group": "g",
                "params": { "aspect_ratio": "square_1_1" },
            },
            { "ref": "g", "type": "group", "label": "Variants" },
            {
                "ref": "ref_img",
                "type": "static_image",
                "content_url": "https://media.flora.ai/r.png",
            },
        ],
        "update": [
            { "id": "n3", "prompt": "A brighter editorial image" },
            { "id": "n2", "label": "Spring tagline" },
        ],
        "connect": [
            { "from": "ref_img", "to": "shot", "in": "image" },
            { "from": "n1", "to": "n3" },
        ],
        "disconnect": [{ "from": "n2", "to": "n3" }],
        "remove": [{ "id": "n1" }],
    });
    let applied = api.post(&path, &body).await;
    assert_eq!(applied.status, 200, "{}", applied.text);
    assert_eq!(
        applied.json["applied"],
        json!({ "added": 3, "updated": 1, "connected": 1, "disconnected": 1, "removed": 1 })
    );
    assert_eq!(applied.json["created"]["g"]["id"], "n4");
    assert_eq!(applied.json["created"]["shot"]["id"], "n5");
    let warnings = applied.json["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_ne!(applied.json["revision"], before.json["revision"]);
    let graph = api
        .get(&ws(&format!("/projects/{SEED_PROJECT_ID}/graph")))
        .await;
    assert_eq!(graph.json["revision"], applied.json["revision"]);
    let shot = graph.json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "n5")
        .cloned()
        .unwrap();
    assert_eq!(
        shot["model_id"], "t2i-flux-2-pro",
        "the modality's default model"
    );

    let bad = json!({
        "add": [
            { "ref": "n2", "type": "image" },
            { "ref": "x", "type": "text", "content_url": "https://a.b/c.png" },
        ],
        "update": [{ "id": "n99" }],
        "connect": [{ "from": "n2", "to": "nope" }],
        "remove": [{ "id": "n3" }],
    });
    let refused = api.post(&path, &bad).await;
    refused.assert_invalid(&[
        "add[0].ref",
        "add[1].content_url",
        "update[0].id",
        "connect[0].to",
    ]);
    assert!(
        refused.message().contains("ref_conflict: "),
        "{}",
        refused.text
    );
    let after = api
        .get(&ws(&format!("/projects/{SEED_PROJECT_ID}/graph")))
        .await;
    assert_eq!(
        after.json["revision"], applied.json["revision"],
        "nothing applied"
    );
    api.post(&path, &json!({}))
        .await
        .assert_invalid(&["changeset"]);
}

#[tokio::test]
async fn library_folders_are_created_filled_and_deleted() {
    let api = Api::start().await;
    let created = api
        .post_with(&ws("/library/folders"), String::new(), &[])
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let folder_id = created.json["folder_id"].as_str().unwrap().to_owned();
    assert!(folder_id.starts_with("libfolder_"), "{folder_id}");
    assert!(
        created.json["name"]
            .as_str()
            .unwrap()
            .starts_with("Web Clip ")
    );
    let named = api
        .post(&ws("/library/folders"), &json!({ "name": "Moodboard" }))
        .await;
    assert_eq!(named.json["name"], "Moodboard");

    let items = ws(&format!("/library/folders/{folder_id}/items"));
    let image = api
        .post(
            &items,
            &json!({
                "type": "image",
                "source": "https://cdn.example.com/a/shoe.jpg",
                "description": "shoe",
            }),
        )
        .await;
    assert_eq!(image.status, 201, "{}", image.text);
    let asset_id = image.json["asset_id"].as_str().unwrap();
    assert!(
        image.json["saved_node_id"]
            .as_str()
            .unwrap()
            .starts_with("node_")
    );
    assert!(image.json["url"].as_str().unwrap().ends_with("/shoe.jpg"));
    let asset = api.get(&format!("/assets/{asset_id}")).await;
    assert_eq!(asset.json["content_type"], "image/jpeg");
    let text = api.post(&items, &json!({ "text": "a caption" })).await;
    assert_eq!(text.status, 201, "{}", text.text);
    assert!(text.json.get("asset_id").is_none());
    let folders = api.fake.library_folders();
    assert_eq!(folders[0].items.len(), 2);
    assert_eq!(folders[0].items[1].kind, "text");

    api.post(
        &items,
        &json!({ "type": "image", "source": "https://127.0.0.1/x.png" }),
    )
    .await
    .assert_invalid(&["source"]);
    api.post(&items, &json!({ "type": "text" }))
        .await
        .assert_invalid(&["text"]);
    api.post(
        &items,
        &json!({ "type": "video", "source": "http://a.b/c.mp4" }),
    )
    .await
    .assert_invalid(&["type", "source"]);

    let deleted = api
        .send(
            Method::DELETE,
            &ws(&format!("/library/folders/{folder_id}")),
            None,
        )
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.text);
    assert_eq!(
        deleted.json,
        json!({ "deleted": true, "folder_id": folder_id, "workspace_id": SEED_WORKSPACE_ID })
    );
    let again = api
        .send(
            Method::DELETE,
            &ws(&format!("/library/folders/{folder_id}")),
            None,
        )
        .await;
    assert_eq!(again.status, 404);
    let gone = api.post(&items, &json!({ "text": "late" })).await;
    assert_eq!(gone.status, 404);
    let bad = api
        .send(Method::DELETE, &ws("/library/folders/fld_x"), None)
        .await;
    bad.assert_invalid(&["folder_id"]);
}
