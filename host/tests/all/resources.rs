//! The tools of the opt-in toolsets (projects, assets, actions, library, feedback) and the
//! failure cases of the core read tools, through the binary against the fake: each with a
//! success that checks the fake's state or the result's fields, and a real failure.

use crate::support::{Fake, Server, failed, links, ok, refused, started_with};
use fake_flora::{
    Fault, OTHER_FOLDER_ID, OTHER_PROJECT_ID, OTHER_WORKSPACE_ID, SEED_ASSET_ID, SEED_FOLDER_ID,
    SEED_PROJECT_ID, SEED_WORKSPACE_ID,
};
use serde_json::{Value, json};
use std::io::{Read, Write};

fn all_tools(fake: &Fake) -> Server {
    started_with(fake, &["--toolsets", "all"])
}

#[test]
fn the_core_reads_report_missing_ids_and_refusals() {
    let fake = Fake::start();
    let mut server = all_tools(&fake);
    let text = failed(
        &mut server,
        "retrieve_technique_run",
        json!({ "technique_id": "cctv-cam", "run_id": "run_missing" }),
    );
    assert!(text.contains("404 not_found"), "{text}");
    let text = failed(
        &mut server,
        "retrieve_asset",
        json!({ "asset_id": "asset_missing" }),
    );
    assert!(
        text.contains("404 not_found") && text.contains("list tool"),
        "{text}"
    );
    fake.fake
        .inject(Fault::error("GET", "/technique-runs", "forbidden"));
    let text = failed(&mut server, "list_technique_runs", json!({}));
    assert!(text.contains("403 forbidden"), "{text}");
    let text = failed(
        &mut server,
        "list_projects",
        json!({ "workspace_id": OTHER_WORKSPACE_ID }),
    );
    assert!(text.contains("403") || text.contains("404"), "{text}");
    let (_, asset) = ok(
        &mut server,
        "retrieve_asset",
        json!({ "asset_id": SEED_ASSET_ID }),
    );
    let result = server.call("retrieve_asset", json!({ "asset_id": SEED_ASSET_ID }));
    assert_eq!(links(&result)[0]["uri"], asset["url"], "{result}");
}

#[test]
fn projects_are_created_top_level_in_a_workspace_and_in_a_folder() {
    let fake = Fake::start();
    let mut server = all_tools(&fake);
    let (text, project) = ok(
        &mut server,
        "create_project",
        json!({ "name": "Autumn Drop" }),
    );
    assert_eq!(project["workspace_id"], SEED_WORKSPACE_ID);
    assert_eq!(project["workspace_source"], "only_one");
    assert!(text.contains("Autumn Drop"), "{text}");
    let id = project["project_id"].as_str().unwrap();
    let (_, again) = ok(&mut server, "retrieve_project", json!({ "project_id": id }));
    assert_eq!(again["name"], "Autumn Drop");

    let (_, project) = ok(
        &mut server,
        "create_workspace_project",
        json!({ "name": "Spring", "workspace_id": SEED_WORKSPACE_ID }),
    );
    assert_eq!(project["workspace_source"], "argument");
    let (_, filed) = ok(
        &mut server,
        "create_folder_project",
        json!({ "name": "Filed", "folder_id": SEED_FOLDER_ID }),
    );
    let filed_id = filed["project_id"].as_str().unwrap();
    assert_eq!(
        fake.fake.project_folder(filed_id).as_deref(),
        Some(SEED_FOLDER_ID)
    );

    for tool in ["create_project", "create_workspace_project"] {
        let text = failed(
            &mut server,
            tool,
            json!({ "name": "x", "workspace_id": OTHER_WORKSPACE_ID }),
        );
        assert!(
            text.contains("403") || text.contains("404"),
            "{tool}: {text}"
        );
    }
    let text = failed(
        &mut server,
        "create_folder_project",
        json!({ "name": "x", "folder_id": OTHER_FOLDER_ID }),
    );
    assert!(text.contains("404"), "{text}");
}

/// Uploads `bytes` to a signed upload target as FLORA's storage expects: a multipart POST,
/// every form field first, then the file. Returns the HTTP status.
fn upload(target: &Value, bytes: &[u8]) -> u16 {
    let url = target["url"].as_str().unwrap();
    let rest = url
        .strip_prefix("http://")
        .expect("the fake storage is plain http");
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(a, p)| (a, format!("/{p}")));
    let boundary = "fmcp-test-boundary";
    let mut body = Vec::new();
    for (name, value) in target["form_fields"].as_object().unwrap() {
        write!(
            body,
            "--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{}\r\n",
            value.as_str().unwrap()
        )
        .unwrap();
    }
    let field = target["file_field"].as_str().unwrap_or("file");
    write!(
        body,
        "--{boundary}\r\ncontent-disposition: form-data; name=\"{field}\"; \
         filename=\"a.png\"\r\ncontent-type: image/png\r\n\r\n"
    )
    .unwrap();
    body.extend_from_slice(bytes);
    write!(body, "\r\n--{boundary}--\r\n").unwrap();
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nhost: {authority}\r\ncontent-type: multipart/form-data; \
         boundary={boundary}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(&body).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The smallest valid PNG: 1×1, transparent.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

#[test]
fn a_signed_upload_is_reserved_completed_and_retried_after_expiry() {
    let fake = Fake::start();
    let mut server = all_tools(&fake);
    let reserve =
        json!({ "source": "signed-url", "file_name": "a.png", "content_type": "image/png" });
    let (text, ticket) = ok(&mut server, "create_asset", reserve.clone());
    assert_eq!(ticket["status"], "pending_upload");
    assert!(text.contains("complete_asset"), "{text}");
    let asset_id = ticket["asset_id"].as_str().unwrap().to_owned();

    // Completing before the bytes arrived is FLORA's 409.
    let text = failed(
        &mut server,
        "complete_asset",
        json!({ "asset_id": asset_id }),
    );
    assert!(text.contains("409 conflict"), "{text}");
    assert_eq!(upload(&ticket["upload"], PNG), 204);
    let (_, done) = ok(
        &mut server,
        "complete_asset",
        json!({ "asset_id": asset_id }),
    );
    assert_eq!(done["asset_id"], asset_id.as_str());
    let mut last = Value::Null;
    for _ in 0..3 {
        last = server.call("retrieve_asset", json!({ "asset_id": asset_id }));
        if last["structuredContent"]["status"] == "ready" {
            break;
        }
    }
    assert_eq!(last["structuredContent"]["status"], "ready", "{last}");
    assert_eq!(links(&last).len(), 1, "{last}");
    assert_eq!(fake.fake.stored_uploads().len(), 1);

    // An expired target gets a fresh one from retry; a ready asset cannot be retried.
    let (_, second) = ok(&mut server, "create_asset", reserve);
    let second_id = second["asset_id"].as_str().unwrap();
    assert_eq!(fake.fake.expire_upload_targets(), 1);
    let (text, fresh) = ok(&mut server, "retry_asset", json!({ "asset_id": second_id }));
    assert_ne!(fresh["upload"]["url"], Value::Null, "{text}");
    let text = failed(&mut server, "retry_asset", json!({ "asset_id": asset_id }));
    assert!(text.contains("409 conflict"), "{text}");
}

#[test]
fn a_url_import_settles_and_bad_sources_are_refused() {
    let fake = Fake::start();
    let mut server = all_tools(&fake);
    let (text, ticket) = ok(
        &mut server,
        "create_asset",
        json!({ "source": "https://media.flora.ai/samples/storefront.png",
                "project_id": SEED_PROJECT_ID }),
    );
    assert_eq!(ticket["uploaded_via"], "url");
    assert!(text.contains("retrieve_asset"), "{text}");
    let (_, asset) = ok(
        &mut server,
        "retrieve_asset",
        json!({ "asset_id": ticket["asset_id"] }),
    );
    assert_eq!(asset["status"], "ready");

    fake.fake.clear_requests();
    let text = failed(
        &mut server,
        "create_asset",
        json!({ "source": "/home/me/a.png" }),
    );
    assert!(text.contains("HTTPS URL"), "{text}");
    assert!(
        fake.fake.requests().iter().all(|r| r.method == "GET"),
        "nothing was created"
    );
}

#[test]
fn a_ready_asset_is_attached_to_a_canvas_and_a_missing_one_is_a_404() {
    let fake = Fake::start();
    let mut server = all_tools(&fake);
    let (text, attached) = ok(
        &mut server,
        "attach_asset",
        json!({ "asset_id": SEED_ASSET_ID, "project_id": SEED_PROJECT_ID }),
    );
    let node = attached["node_id"].as_str().unwrap();
    assert!(text.contains(node), "{text}");
    let (_, nodes) = ok(
        &mut server,
        "list_project_nodes",
        json!({ "project_id": SEED_PROJECT_ID, "limit": 100 }),
    );
    assert!(
        nodes["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["node_id"] == node),
        "{nodes}"
    );
    let text = failed(
        &mut server,
        "attach_asset",
        json!({ "asset_id": "asset_missing", "project_id": SEED_PROJECT_ID }),
    );
    assert!(text.contains("404"), "{text}");
}

#[test]
fn actions_are_listed_retrieved_and_run_headless() {
    let fake = Fake::start();
    let mut server = all_tools(&fake);
    let (_, list) = ok(&mut server, "list_actions", json!({}));
    assert_eq!(list["actions"].as_array().unwrap().len(), 40);
    let (text, action) = ok(
        &mut server,
        "retrieve_action",
        json!({ "action_id": "rotate-image-browser" }),
    );
    assert_eq!(action["action_id"], "rotate-image-browser");
    assert!(text.contains("angle"), "{text}");
    let run = json!({
        "action_id": "rotate-image-browser",
        "inputs": [{ "type": "image", "url": "https://media.flora.ai/in.png" }],
        "project_id": SEED_PROJECT_ID,
        "params": { "angle": 90, "canvas_mode": "expand" },
    });
    let (_, started) = ok(&mut server, "run_action", run.clone());
    assert_eq!(started["type"], "action");
    let run_id = started["run_id"].as_str().unwrap();
    let mut last = Value::Null;
    for _ in 0..4 {
        let (_, polled) = ok(&mut server, "retrieve_run", json!({ "run_id": run_id }));
        last = polled;
        if last["status"] == "completed" {
            break;
        }
    }
    assert_eq!(last["status"], "completed", "{last}");
    assert_eq!(fake.fake.api_runs().len(), 1);

    let mut bad = run;
    bad["params"] = json!({ "spin": true });
    let text = failed(&mut server, "run_action", bad);
    assert!(
        text.contains("400") && text.contains("field `params"),
        "{text}"
    );
    assert_eq!(fake.fake.api_runs().len(), 1);
    fake.fake
        .inject(Fault::error("GET", "/actions", "unknown_error").times(4));
    let text = failed(&mut server, "list_actions", json!({}));
    assert!(text.contains("500"), "{text}");
    let message = refused(
        &mut server,
        "retrieve_action",
        json!({ "action_id": "rotate" }),
    );
    assert!(message.contains("action_id"), "{message}");
}

#[test]
fn library_folders_are_created_filled_and_deleted() {
    let fake = Fake::start();
    let mut server = all_tools(&fake);
    let (_, folder) = ok(
        &mut server,
        "create_library_folder",
        json!({ "name": "Moodboard" }),
    );
    assert_eq!(folder["name"], "Moodboard");
    let folder_id = folder["folder_id"].as_str().unwrap().to_owned();
    let (text, item) = ok(
        &mut server,
        "add_library_item",
        json!({ "folder_id": folder_id, "type": "image",
                "source": "https://cdn.example.com/a/shoe.jpg", "description": "shoe" }),
    );
    assert!(
        item["saved_node_id"].as_str().unwrap().starts_with("node_"),
        "{text}"
    );
    ok(
        &mut server,
        "add_library_item",
        json!({ "folder_id": folder_id, "type": "text", "text": "a caption" }),
    );
    assert_eq!(fake.fake.library_folders()[0].items.len(), 2);

    let text = failed(
        &mut server,
        "add_library_item",
        json!({ "folder_id": folder_id, "type": "text" }),
    );
    assert!(text.contains("needs `text`"), "{text}");
    let text = failed(
        &mut server,
        "add_library_item",
        json!({ "folder_id": folder_id, "type": "image", "source": "https://127.0.0.1/x.png" }),
    );
    assert!(
        text.contains("400") && text.contains("field `source`"),
        "{text}"
    );

    let (_, deleted) = ok(
        &mut server,
        "delete_library_folder",
        json!({ "folder_id": folder_id }),
    );
    assert_eq!(deleted["deleted"], true);
    assert!(fake.fake.library_folders().is_empty());
    let text = failed(
        &mut server,
        "delete_library_folder",
        json!({ "folder_id": folder_id }),
    );
    assert!(text.contains("404"), "{text}");
    let text = failed(
        &mut server,
        "create_library_folder",
        json!({ "workspace_id": OTHER_WORKSPACE_ID }),
    );
    assert!(text.contains("403") || text.contains("404"), "{text}");
}

#[test]
fn feedback_is_recorded_and_a_foreign_project_is_refused() {
    let fake = Fake::start();
    let mut server = all_tools(&fake);
    let (text, body) = ok(
        &mut server,
        "record_feedback",
        json!({ "kind": "missing_capability", "summary": "Instagram CDN",
                "detail": "create_asset refused an Instagram CDN URL",
                "attempted_tools": ["create_asset"], "project_id": SEED_PROJECT_ID }),
    );
    assert!(body["feedback_id"].as_str().is_some(), "{text}");
    let recorded = fake.fake.feedback();
    assert_eq!(recorded.len(), 1);
    let text = failed(
        &mut server,
        "record_feedback",
        json!({ "kind": "bug", "summary": "x", "detail": "y", "project_id": OTHER_PROJECT_ID }),
    );
    assert!(text.contains("404"), "{text}");
    assert_eq!(fake.fake.feedback().len(), 1);
}
