//! Asset uploads in all three modes, the fake storage's checks, and the complete/retry
//! lifecycle with expiry and processing failures.

use crate::support::{Api, Part, form, png, read};
use fake_flora::{Config, DEFAULT_API_KEY, SEED_PROJECT_ID, SEED_WORKSPACE_ID};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

/// `POST /assets` with a multipart body.
async fn post_form(api: &Api, parts: &[Part<'_>]) -> crate::support::Reply {
    let (content_type, body) = form(parts);
    let request = api
        .http()
        .post(format!("{}/assets", api.fake.base_url()))
        .bearer_auth(DEFAULT_API_KEY)
        .header("content-type", content_type)
        .body(body);
    read(request).await
}

/// Reserves a signed upload.
async fn reserve(api: &Api, name: &str, content_type: &str) -> Value {
    let body = json!({
        "source": "signed-url",
        "workspace_id": SEED_WORKSPACE_ID,
        "file_name": name,
        "content_type": content_type,
    });
    let reply = api.post("/assets", &body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json
}

/// Uploads `file` to a ticket's target the way the SDK does: every form field, then the file.
async fn upload_to(
    api: &Api,
    ticket: &Value,
    file: &[u8],
    tweak: impl FnOnce(&mut Vec<(String, String)>),
) -> crate::support::Reply {
    let upload = &ticket["upload"];
    let mut fields: Vec<(String, String)> = upload["form_fields"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    tweak(&mut fields);
    let mut parts: Vec<Part<'_>> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), None, None, v.as_bytes()))
        .collect();
    parts.push(("file", Some("clip.mp4"), Some("video/mp4"), file));
    let (content_type, body) = form(&parts);
    let request = api
        .http()
        .post(upload["url"].as_str().unwrap())
        .header("content-type", content_type)
        .body(body);
    read(request).await
}

fn mp4(size: usize) -> Vec<u8> {
    let mut bytes = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2".to_vec();
    bytes.resize(size, 0x5a);
    bytes
}

#[tokio::test]
async fn direct_bytes_are_ready_at_once_and_surface_on_the_project() {
    let api = Api::start().await;
    let image = png(640, 480);
    let reply = post_form(
        &api,
        &[
            ("workspace_id", None, None, SEED_WORKSPACE_ID.as_bytes()),
            ("project_id", None, None, SEED_PROJECT_ID.as_bytes()),
            ("file", Some("swatch.png"), Some("image/png"), &image),
        ],
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.json["status"], "ready");
    assert_eq!(reply.json["uploaded_via"], "direct");
    assert_eq!(reply.json["visibility"], "workspace");
    let asset_id = reply.json["asset_id"].as_str().unwrap();
    assert!(asset_id.starts_with("asset_"), "{asset_id}");
    assert!(reply.json["url"].as_str().unwrap().ends_with("/swatch.png"));
    assert!(reply.json.get("upload").is_none());
    let detail = api.get(&format!("/assets/{asset_id}")).await;
    assert_eq!(detail.json["content_type"], "image/png");
    assert_eq!(
        (
            detail.json["width"].as_u64(),
            detail.json["height"].as_u64()
        ),
        (Some(640), Some(480))
    );
    assert_eq!(detail.json["size_bytes"], image.len());
    let nodes = api.get(&format!("/projects/{SEED_PROJECT_ID}/nodes")).await;
    let placed = nodes.json["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["asset_id"] == asset_id);
    assert!(placed, "{}", nodes.text);
}

#[tokio::test]
async fn direct_bytes_are_checked() {
    let api = Api::start().await;
    let ws = SEED_WORKSPACE_ID.as_bytes();
    let exe = post_form(
        &api,
        &[
            ("workspace_id", None, None, ws),
            ("file", Some("a.exe"), None, b"MZ\x90\0rest"),
        ],
    )
    .await;
    exe.assert_invalid(&["file"]);
    let big = vec![0u8; 4 * 1024 * 1024 + 1];
    let too_big = post_form(
        &api,
        &[
            ("workspace_id", None, None, ws),
            ("file", Some("a.png"), None, &big),
        ],
    )
    .await;
    too_big.assert_invalid(&["file"]);
    assert!(too_big.message().contains("signed-url"), "{}", too_big.text);
    let huge = png(20_000, 10_000);
    post_form(
        &api,
        &[
            ("workspace_id", None, None, ws),
            ("file", Some("a.png"), None, &huge),
        ],
    )
    .await
    .assert_invalid(&["file"]);
    let image = png(1, 1);
    post_form(
        &api,
        &[
            ("source", None, None, b"https://a.b/c.png"),
            ("colour", None, None, b"red"),
            ("file", None, Some("application/zip"), &image),
        ],
    )
    .await
    .assert_invalid(&["source", "colour", "workspace_id", "content_type"]);
}

#[tokio::test]
async fn url_imports_are_pretended_and_ready_after_a_poll() {
    let api = Api::start().await;
    let body = json!({
        "source": "https://cdn.example.com/photos/shoe.webp",
        "workspace_id": SEED_WORKSPACE_ID,
        "project_id": SEED_PROJECT_ID,
    });
    let created = api.post("/assets", &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json["status"], "pending_upload");
    assert_eq!(created.json["uploaded_via"], "url");
    assert!(
        created.json["url"]
            .as_str()
            .unwrap()
            .ends_with("/shoe.webp")
    );
    let asset_id = created.json["asset_id"].as_str().unwrap();
    // Not ready yet, so it cannot be attached.
    let attach = format!("/projects/{SEED_PROJECT_ID}/assets/{asset_id}/attach");
    let early = api.post_with(&attach, String::new(), &[]).await;
    assert_eq!(
        (early.status, early.code()),
        (409, "conflict"),
        "{}",
        early.text
    );
    let listed = api
        .get(&format!("/assets?project_id={SEED_PROJECT_ID}"))
        .await;
    assert_eq!(listed.json["assets"][0]["status"], "pending_upload");
    assert_eq!(listed.json["assets"][0]["url"], Value::Null);
    let detail = api.get(&format!("/assets/{asset_id}")).await;
    assert_eq!(detail.json["status"], "ready", "{}", detail.text);
    assert_eq!(detail.json["content_type"], "image/webp");
    assert_eq!(api.post_with(&attach, String::new(), &[]).await.status, 201);

    let failing = json!({
        "source": "https://cdn.example.com/fail:x/broken.png",
        "workspace_id": SEED_WORKSPACE_ID,
    });
    let created = api.post("/assets", &failing).await;
    let detail = api
        .get(&format!(
            "/assets/{}",
            created.json["asset_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(detail.json["status"], "failed");
    assert_eq!(
        detail.json["failure_message"],
        "the source could not be fetched"
    );
    for source in [
        "http://cdn.example.com/a.png",
        "https://127.0.0.1/a.png",
        "https://localhost/a.png",
        "ftp://x",
    ] {
        api.post(
            "/assets",
            &json!({ "source": source, "workspace_id": SEED_WORKSPACE_ID }),
        )
        .await
        .assert_invalid(&["source"]);
    }
    api.post(
        "/assets",
        &json!({
            "source": "signed-url",
            "workspace_id": SEED_WORKSPACE_ID,
            "content_type": "text/html",
            "tags": [],
        }),
    )
    .await
    .assert_invalid(&["content_type", "tags"]);
    assert!(
        api.fake.stored_uploads().is_empty(),
        "nothing was fetched or stored"
    );
}

#[tokio::test]
async fn signed_uploads_go_to_the_fake_storage_then_complete() {
    let api = Api::start().await;
    let ticket = reserve(&api, "big.mp4", "video/mp4").await;
    assert_eq!(ticket["status"], "pending_upload");
    assert_eq!(ticket["uploaded_via"], "signed_url");
    let upload = &ticket["upload"];
    assert_eq!(upload["method"], "POST");
    assert_eq!(upload["content_type"], "multipart/form-data");
    assert_eq!(upload["file_field"], "file");
    assert!(
        upload["url"]
            .as_str()
            .unwrap()
            .starts_with(&api.fake.storage_origin())
    );
    assert_ne!(api.fake.storage_origin(), api.fake.origin());
    let fields = upload["form_fields"].as_object().unwrap();
    for key in ["key", "policy", "x-goog-signature", "Content-Type"] {
        assert!(fields.contains_key(key), "{key}: {fields:?}");
    }
    assert!(ticket["expires_at"].as_str().unwrap().ends_with('Z'));
    let asset_id = ticket["asset_id"].as_str().unwrap();

    let early = api
        .post_with(&format!("/assets/{asset_id}/complete"), String::new(), &[])
        .await;
    assert_eq!((early.status, early.code()), (409, "conflict"));
    let size = 12 * 1024 * 1024 + 7;
    let stored = upload_to(&api, &ticket, &mp4(size), |_| {}).await;
    assert_eq!(stored.status, 204, "{}", stored.text);
    let uploads = api.fake.stored_uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].size_bytes, size as u64);
    assert_eq!(uploads[0].detected_type.as_deref(), Some("video/mp4"));
    assert_eq!(uploads[0].asset_id, asset_id);

    let completed = api
        .post_with(&format!("/assets/{asset_id}/complete"), String::new(), &[])
        .await;
    assert_eq!(completed.status, 200, "{}", completed.text);
    assert_eq!(completed.json["status"], "pending_upload");
    assert_eq!(completed.json["url"], Value::Null);
    assert!(completed.json.get("upload").is_none());
    let first = api.get(&format!("/assets/{asset_id}")).await;
    assert_eq!(first.json["status"], "pending_upload");
    let second = api.get(&format!("/assets/{asset_id}")).await;
    assert_eq!(second.json["status"], "ready", "{}", second.text);
    assert_eq!(second.json["size_bytes"], size);
    assert_eq!(second.json["content_type"], "video/mp4");
    assert_eq!(second.json["uploaded_via"], "signed_url");
    assert!(second.json["url"].as_str().unwrap().ends_with("/big.mp4"));
    let again = api
        .post_with(&format!("/assets/{asset_id}/complete"), String::new(), &[])
        .await;
    assert_eq!(again.status, 409);
    let retry = api
        .post_with(&format!("/assets/{asset_id}/retry"), String::new(), &[])
        .await;
    assert_eq!((retry.status, retry.code()), (409, "conflict"));
}

#[tokio::test]
async fn storage_checks_every_field_and_refuses_credentials() {
    let api = Api::start().await;
    let ticket = reserve(&api, "clip.mp4", "video/mp4").await;
    let file = mp4(64);
    let tampered = upload_to(&api, &ticket, &file, |fields| {
        for (name, value) in fields.iter_mut() {
            if name == "x-goog-signature" {
                value.push('0');
            }
        }
    })
    .await;
    assert_eq!(tampered.status, 403, "{}", tampered.text);
    assert!(
        tampered.text.contains("<Code>AccessDenied</Code>"),
        "{}",
        tampered.text
    );
    assert!(
        tampered.text.contains("x-goog-signature"),
        "{}",
        tampered.text
    );
    let missing = upload_to(&api, &ticket, &file, |fields| {
        fields.retain(|(n, _)| n != "policy")
    })
    .await;
    assert_eq!(missing.status, 403);
    let extra = upload_to(&api, &ticket, &file, |fields| {
        fields.push(("acl".into(), "public-read".into()))
    })
    .await;
    assert_eq!(extra.status, 403);
    assert!(api.fake.stored_uploads().is_empty());

    let (content_type, body) = form(&[("key", None, None, b"k")]);
    let url = ticket["upload"]["url"].as_str().unwrap();
    let with_auth = api
        .http()
        .post(url)
        .bearer_auth(DEFAULT_API_KEY)
        .header("content-type", content_type)
        .body(body);
    let reply = read(with_auth).await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(reply.text.contains("authorization"), "{}", reply.text);
    let fields: Vec<(String, String)> = ticket["upload"]["form_fields"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    let mut parts: Vec<Part<'_>> = vec![("file", Some("a.mp4"), None, &file)];
    parts.extend(
        fields
            .iter()
            .map(|(k, v)| (k.as_str(), None, None, v.as_bytes())),
    );
    let (content_type, body) = form(&parts);
    let file_first = read(
        api.http()
            .post(url)
            .header("content-type", content_type)
            .body(body),
    )
    .await;
    assert_eq!(file_first.status, 400, "{}", file_first.text);
    let wrong_bucket = read(
        api.http()
            .post(format!("{}/other", api.fake.storage_origin()))
            .body("x"),
    )
    .await;
    assert_eq!(wrong_bucket.status, 404);
}

#[tokio::test]
async fn expired_targets_are_refused_and_retry_issues_new_ones() {
    let api = Api::start_with(Config {
        upload_ttl: Duration::ZERO,
        ..Config::default()
    })
    .await;
    let ticket = reserve(&api, "late.mp4", "video/mp4").await;
    let asset_id = ticket["asset_id"].as_str().unwrap().to_owned();
    let refused = upload_to(&api, &ticket, &mp4(64), |_| {}).await;
    assert_eq!(refused.status, 403);
    assert!(refused.text.contains("Policy expired"), "{}", refused.text);
    let complete = api
        .post_with(&format!("/assets/{asset_id}/complete"), String::new(), &[])
        .await;
    assert_eq!(complete.status, 409);
    assert!(complete.message().contains("retry"), "{}", complete.text);

    let api = Api::start().await;
    let ticket = reserve(&api, "late.mp4", "video/mp4").await;
    let asset_id = ticket["asset_id"].as_str().unwrap().to_owned();
    let retry_path = format!("/assets/{asset_id}/retry");
    let too_soon = api.post_with(&retry_path, String::new(), &[]).await;
    assert_eq!(too_soon.status, 409, "an open target is not retryable");
    assert_eq!(api.fake.expire_upload_targets(), 1);
    assert_eq!(upload_to(&api, &ticket, &mp4(64), |_| {}).await.status, 403);
    let fresh = api.post_with(&retry_path, String::new(), &[]).await;
    assert_eq!(fresh.status, 200, "{}", fresh.text);
    assert_eq!(fresh.json["status"], "pending_upload");
    assert_ne!(
        fresh.json["upload"]["form_fields"]["x-goog-signature"],
        ticket["upload"]["form_fields"]["x-goog-signature"]
    );
    assert_eq!(
        upload_to(&api, &fresh.json, &mp4(64), |_| {}).await.status,
        204
    );
    assert_eq!(
        api.post_with(&format!("/assets/{asset_id}/complete"), String::new(), &[])
            .await
            .status,
        200
    );
    api.get(&format!("/assets/{asset_id}")).await;
    assert_eq!(
        api.get(&format!("/assets/{asset_id}")).await.json["status"],
        "ready"
    );
}

#[tokio::test]
async fn the_next_targets_can_be_born_expired_and_storage_can_be_slowed() {
    let api = Api::start().await;
    api.fake.expire_next_targets(1);
    let ticket = reserve(&api, "late.mp4", "video/mp4").await;
    let asset_id = ticket["asset_id"].as_str().unwrap().to_owned();
    assert_eq!(upload_to(&api, &ticket, &mp4(64), |_| {}).await.status, 403);
    let fresh = api
        .post_with(&format!("/assets/{asset_id}/retry"), String::new(), &[])
        .await;
    assert_eq!(fresh.status, 200, "{}", fresh.text);
    api.fake.slow_storage(Duration::from_millis(200));
    let started = std::time::Instant::now();
    assert_eq!(
        upload_to(&api, &fresh.json, &mp4(64), |_| {}).await.status,
        204,
        "only the first target was born expired"
    );
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn processing_can_be_told_to_fail_and_the_http_control_works() {
    let api = Api::start().await;
    let control = api
        .raw(Method::POST, "/__fake/storage")
        .header("content-type", "application/json")
        .body(json!({ "fail_next_processing": "the file is corrupt" }).to_string());
    assert_eq!(read(control).await.status, 200);
    let ticket = reserve(&api, "bad.mp4", "video/mp4").await;
    let asset_id = ticket["asset_id"].as_str().unwrap().to_owned();
    assert_eq!(upload_to(&api, &ticket, &mp4(64), |_| {}).await.status, 204);
    api.post_with(&format!("/assets/{asset_id}/complete"), String::new(), &[])
        .await;
    api.get(&format!("/assets/{asset_id}")).await;
    let failed = api.get(&format!("/assets/{asset_id}")).await;
    assert_eq!(failed.json["status"], "failed");
    assert_eq!(failed.json["failure_message"], "the file is corrupt");
    let retried = api
        .post_with(&format!("/assets/{asset_id}/retry"), String::new(), &[])
        .await;
    assert_eq!(retried.status, 200, "{}", retried.text);
    assert_eq!(retried.json["failure_message"], Value::Null);
    assert!(retried.json["upload"]["url"].is_string());

    // Bytes of a type FLORA does not take fail processing too.
    let ticket = reserve(&api, "notes.mp4", "video/mp4").await;
    let asset_id = ticket["asset_id"].as_str().unwrap().to_owned();
    assert_eq!(
        upload_to(&api, &ticket, b"MZ not a video", |_| {})
            .await
            .status,
        204
    );
    api.post_with(&format!("/assets/{asset_id}/complete"), String::new(), &[])
        .await;
    api.get(&format!("/assets/{asset_id}")).await;
    let failed = api.get(&format!("/assets/{asset_id}")).await;
    assert_eq!(failed.json["status"], "failed");
    assert!(
        failed.json["failure_message"]
            .as_str()
            .unwrap()
            .contains("unsupported file type")
    );

    let listing = read(api.raw(Method::GET, "/__fake/storage")).await;
    assert_eq!(listing.json["uploads"].as_array().unwrap().len(), 2);
    assert_eq!(listing.json["storage_origin"], api.fake.storage_origin());
    let bad = read(
        api.raw(Method::POST, "/__fake/storage")
            .body("{\"explode\":true}"),
    )
    .await;
    assert_eq!(bad.status, 400);
}
