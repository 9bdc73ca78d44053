//! Catalog and workspace reads: models, techniques, projects and assets, in SDK shapes.

use crate::support::Api;
use fake_flora::{
    SEED_ASSET_ID, SEED_MODEL_ID, SEED_PROJECT_2_ID, SEED_PROJECT_3_ID, SEED_PROJECT_ID,
    SEED_TECHNIQUE_COUNT, SEED_TECHNIQUE_ID, SEED_TECHNIQUE_SLUG, SEED_WORKSPACE_ID,
};
use serde_json::json;

#[tokio::test]
async fn models_filter_by_type() {
    let api = Api::start().await;
    let all = api.get("/models").await;
    let models = all.json["models"].as_array().unwrap();
    assert!(models.len() >= 8);
    let flux = models
        .iter()
        .find(|m| m["model_id"] == SEED_MODEL_ID)
        .unwrap();
    for key in [
        "name",
        "provider",
        "type",
        "capabilities",
        "estimated_credits",
        "estimated_seconds",
    ] {
        assert!(flux.get(key).is_some(), "{key} missing: {flux}");
    }
    assert!(
        flux["params"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["required"].is_boolean())
    );
    assert!(all.json.get("meta").is_none(), "not paginated");

    let video = api.get("/models?type=video").await;
    let video = video.json["models"].as_array().unwrap();
    assert!(!video.is_empty());
    assert!(video.iter().all(|m| m["type"] == "video"));

    api.get("/models?type=i2v").await.assert_invalid(&["type"]);
}

#[tokio::test]
async fn techniques_by_id_slug_and_search() {
    let api = Api::start().await;
    let by_id = api.get(&format!("/techniques/{SEED_TECHNIQUE_ID}")).await;
    assert_eq!(by_id.status, 200);
    assert_eq!(
        by_id.json,
        json!({
            "technique_id": "tech_cctv-cam",
            "name": "CCTV Cam",
            "description": "Turns any photo into a grainy security-camera still with a timestamp overlay.",
            "run_cost": 0.05,
            "inputs": [{
                "id": "input_image",
                "name": "Input Image",
                "type": "imageUrl",
                "description": "The photo to re-shoot as CCTV footage",
            }],
            "outputs": [{ "id": "output_image", "name": "Output Image", "type": "imageUrl" }],
        })
    );
    let by_slug = api.get(&format!("/techniques/{SEED_TECHNIQUE_SLUG}")).await;
    assert_eq!(by_slug.json, by_id.json);
    let unknown = api.get("/techniques/tech_nope").await;
    assert_eq!((unknown.status, unknown.code()), (404, "not_found"));

    let found = api.get("/techniques?query=TRANSLATE").await;
    let names: Vec<_> = found.json["techniques"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].clone())
        .collect();
    assert_eq!(names, [json!("Auto Translate")]);
    // Descriptions are searched too.
    let found = api.get("/techniques?query=security-camera").await;
    assert_eq!(
        found.json["techniques"][0]["technique_id"],
        SEED_TECHNIQUE_ID
    );

    let scoped = api
        .get(&format!(
            "/techniques?workspace_id={SEED_WORKSPACE_ID}&limit=100"
        ))
        .await;
    assert_eq!(
        scoped.json["techniques"].as_array().unwrap().len(),
        SEED_TECHNIQUE_COUNT
    );
}

#[tokio::test]
async fn projects_need_a_workspace_and_come_most_recent_first() {
    let api = Api::start().await;
    let missing = api.get("/projects").await;
    missing.assert_invalid(&["workspace_id"]);

    let listed = api
        .get(&format!("/projects?workspace_id={SEED_WORKSPACE_ID}"))
        .await;
    let ids: Vec<_> = listed.json["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["project_id"].clone())
        .collect();
    assert_eq!(
        ids,
        [
            json!(SEED_PROJECT_ID),
            json!(SEED_PROJECT_2_ID),
            json!(SEED_PROJECT_3_ID)
        ]
    );
    assert_eq!(listed.json["meta"]["next_cursor"], json!(null));

    let one = api.get(&format!("/projects/{SEED_PROJECT_ID}")).await;
    let mut keys: Vec<_> = one.json.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "created_at",
            "last_modified",
            "name",
            "origin",
            "project_id",
            "workspace_id"
        ]
    );
    let searched = api
        .get(&format!(
            "/projects?workspace_id={SEED_WORKSPACE_ID}&query=product"
        ))
        .await;
    assert_eq!(
        searched.json["projects"][0]["project_id"],
        SEED_PROJECT_2_ID
    );
    let unknown = api.get("/projects/prj_nope").await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn assets_list_and_detail_differ_in_shape() {
    let api = Api::start().await;
    let listed = api.get("/assets").await;
    let assets = listed.json["assets"].as_array().unwrap();
    assert_eq!(assets.len(), 4);
    assert!(
        assets
            .iter()
            .all(|a| a["workspace_id"] == SEED_WORKSPACE_ID && a["status"] == "ready")
    );
    let hero = assets
        .iter()
        .find(|a| a["asset_id"] == SEED_ASSET_ID)
        .unwrap();
    assert!(hero["created_at"].is_u64());
    assert_eq!(hero["project_id"], SEED_PROJECT_ID);
    assert!(hero["node_id"].as_str().unwrap().starts_with("node_"));

    let detail = api.get(&format!("/assets/{SEED_ASSET_ID}")).await;
    let created = detail.json["created_at"].as_str().expect("an ISO string");
    assert!(created.ends_with('Z') && created.contains('T'), "{created}");
    assert!(detail.json["failure_message"].is_null());
    assert!(detail.json.get("failure_message").is_some());
    assert!(detail.json.get("node_id").is_none());
    assert!(detail.json.get("project_id").is_none());

    let in_project = api
        .get(&format!("/assets?project_id={SEED_PROJECT_ID}"))
        .await;
    assert_eq!(in_project.json["assets"].as_array().unwrap().len(), 1);
    let searched = api.get("/assets?query=JINGLE").await;
    assert_eq!(searched.json["assets"][0]["name"], "jingle.mp3");
    assert_eq!(api.get("/assets/asset_nope").await.status, 404);
}
