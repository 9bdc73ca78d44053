//! Cursor pagination and id-prefix validation on list and retrieve routes.

use crate::support::Api;
use base64::Engine;
use fake_flora::{SEED_TECHNIQUE_COUNT, SEED_TECHNIQUE_ID, SEED_WORKSPACE_ID};
use std::collections::HashSet;

#[tokio::test]
async fn pages_cover_the_catalog_once_and_end_with_null() {
    let api = Api::start().await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/techniques?limit=5&cursor={cursor}"),
            None => "/techniques?limit=5".to_owned(),
        };
        let reply = api.get(&path).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        let items = reply.json["techniques"].as_array().unwrap();
        assert!(items.len() <= 5);
        seen.extend(
            items
                .iter()
                .map(|t| t["technique_id"].as_str().unwrap().to_owned()),
        );
        pages += 1;
        match &reply.json["meta"]["next_cursor"] {
            serde_json::Value::String(next) => cursor = Some(next.clone()),
            serde_json::Value::Null => break,
            other => panic!("next_cursor is {other}"),
        }
    }
    assert_eq!(pages, SEED_TECHNIQUE_COUNT.div_ceil(5));
    assert_eq!(seen.len(), SEED_TECHNIQUE_COUNT);
    assert_eq!(
        seen.iter().collect::<HashSet<_>>().len(),
        SEED_TECHNIQUE_COUNT
    );

    let default = api.get("/techniques").await;
    assert_eq!(
        default.json["techniques"].as_array().unwrap().len(),
        SEED_TECHNIQUE_COUNT.min(20)
    );
}

#[tokio::test]
async fn cursors_are_base64_json_offsets_in_either_alphabet() {
    let api = Api::start().await;
    let first = api.get("/techniques?limit=3").await;
    let cursor = first.json["meta"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(fake_flora::decode_cursor(&cursor), Some(3));
    let padded = base64::engine::general_purpose::STANDARD.encode("{\"offset\":3}");
    let by_ours = api
        .get(&format!("/techniques?limit=3&cursor={cursor}"))
        .await;
    let by_padded = api
        .get(&format!(
            "/techniques?limit=3&cursor={}",
            padded.replace('=', "%3D")
        ))
        .await;
    assert_eq!(by_ours.json, by_padded.json);
    assert_ne!(by_ours.json["techniques"][0], first.json["techniques"][0]);

    let past_end = fake_flora::encode_cursor(500);
    let empty = api.get(&format!("/techniques?cursor={past_end}")).await;
    assert_eq!(empty.json["techniques"], serde_json::json!([]));
    assert!(empty.json["meta"]["next_cursor"].is_null());
}

#[tokio::test]
async fn limits_and_cursors_are_validated() {
    let api = Api::start().await;
    for limit in ["0", "101", "-1", "abc", "2.5", ""] {
        api.get(&format!("/techniques?limit={limit}"))
            .await
            .assert_invalid(&["limit"]);
    }
    assert_eq!(api.get("/techniques?limit=1").await.status, 200);
    assert_eq!(api.get("/techniques?limit=100").await.status, 200);
    for cursor in ["garbage!", "bm90IGpzb24", ""] {
        api.get(&format!("/techniques?cursor={cursor}"))
            .await
            .assert_invalid(&["cursor"]);
    }
    let both = api.get("/technique-runs?limit=0&cursor=zz").await;
    both.assert_invalid(&["limit", "cursor"]);
    let projects = api
        .get(&format!(
            "/projects?workspace_id={SEED_WORKSPACE_ID}&limit=101"
        ))
        .await;
    projects.assert_invalid(&["limit"]);
    api.get("/assets?limit=500")
        .await
        .assert_invalid(&["limit"]);
}

#[tokio::test]
async fn ids_must_carry_their_prefix() {
    let api = Api::start().await;
    let cases = [
        ("/projects/abc", "project_id", "prj_"),
        ("/assets/abc", "asset_id", "asset_"),
        ("/projects?workspace_id=abc", "workspace_id", "ws_"),
        ("/assets?workspace_id=abc", "workspace_id", "ws_"),
        ("/assets?project_id=abc", "project_id", "prj_"),
        ("/technique-runs?project_id=abc", "project_id", "prj_"),
        ("/technique-runs?workspace_id=abc", "workspace_id", "ws_"),
        ("/techniques?workspace_id=abc", "workspace_id", "ws_"),
    ];
    for (path, field, prefix) in cases {
        let reply = api.get(path).await;
        reply.assert_invalid(&[field]);
        assert_eq!(
            reply.message(),
            format!("{field} must start with {prefix}"),
            "{path}"
        );
    }
    let run = api
        .get(&format!("/techniques/{SEED_TECHNIQUE_ID}/runs/abc"))
        .await;
    run.assert_invalid(&["run_id"]);
    assert!(run.message().contains("run_"));
    api.get("/technique-runs?status=done")
        .await
        .assert_invalid(&["status"]);
}
