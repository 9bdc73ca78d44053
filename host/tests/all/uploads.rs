//! `upload_file` and `import_url` through the real binary against the fake FLORA and its fake
//! storage: files of every size path, each way a path is refused before anything is created,
//! renewed and twice-expired targets, processing failures, cancellation midway, and the MCP
//! client's roots as allowed folders.

use crate::support::{Fake, Launch, Server};
use fake_flora::{RecordedRequest, SEED_PROJECT_ID};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const MIB: u64 = 1024 * 1024;

/// A fake FLORA, a folder allowed for uploads, and a server that may read from it.
struct Setup {
    fake: Fake,
    dir: tempfile::TempDir,
    server: Server,
}

impl Setup {
    fn new() -> Setup {
        let fake = Fake::start();
        let dir = tempfile::tempdir().expect("temp dir");
        let mut launch = Launch::against(&fake.fake);
        launch.args = vec![
            "--allow-dir".to_owned(),
            dir.path().display().to_string(),
            "--storage-origin".to_owned(),
            fake.fake.storage_origin(),
        ];
        let mut server = launch.spawn();
        server.initialize();
        Setup { fake, dir, server }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn upload(&mut self, path: &Path) -> Value {
        let path = path.to_str().unwrap();
        self.server.call("upload_file", json!({ "path": path }))
    }

    fn uploaded(&mut self, path: &Path) -> Value {
        let result = self.upload(path);
        assert_ne!(result["isError"], true, "upload failed: {result}");
        result["structuredContent"].clone()
    }

    fn refused(&mut self, path: &Path) -> String {
        let result = self.upload(path);
        assert_eq!(result["isError"], true, "upload should fail: {result}");
        Server::text(&result)
    }

    /// The requests FLORA received that create or change an asset.
    fn asset_writes(&self) -> Vec<RecordedRequest> {
        self.fake
            .fake
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.starts_with("/api/v1/assets"))
            .collect()
    }

    fn assert_nothing_created(&self) {
        let writes = self.asset_writes();
        assert!(writes.is_empty(), "assets were touched: {writes:?}");
        assert!(self.fake.fake.stored_uploads().is_empty());
    }
}

/// A PNG of `size` bytes: a real 32×32 header, then padding.
fn png(path: &Path, size: usize) {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend_from_slice(&32u32.to_be_bytes());
    bytes.extend_from_slice(&32u32.to_be_bytes());
    bytes.resize(size, 0);
    std::fs::write(path, bytes).unwrap();
}

/// An MP4 of `size` bytes: an `ftyp` box, then zeros (sparse, never held in memory).
fn mp4(path: &Path, size: u64) {
    let file = std::fs::File::create(path).unwrap();
    std::io::Write::write_all(&mut &file, b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2").unwrap();
    file.set_len(size).unwrap();
}

fn requests_to(setup: &Setup, suffix: &str) -> usize {
    setup
        .asset_writes()
        .iter()
        .filter(|r| r.path.ends_with(suffix))
        .count()
}

#[test]
fn a_one_kilobyte_image_becomes_a_ready_asset_in_one_direct_post() {
    let mut setup = Setup::new();
    let path = setup.path("photo.png");
    png(&path, 1024);
    let asset = setup.uploaded(&path);
    assert_eq!(asset["status"], "ready", "{asset}");
    assert_eq!(asset["content_type"], "image/png");
    assert_eq!(asset["size_bytes"], 1024);
    assert_eq!(asset["name"], "photo.png");
    assert!(asset["asset_id"].as_str().unwrap().starts_with("asset_"));
    assert!(asset["url"].as_str().unwrap().starts_with("https://"));
    let writes = setup.asset_writes();
    assert_eq!(writes.len(), 1, "one multipart POST /assets: {writes:?}");
    assert!(
        setup.fake.fake.stored_uploads().is_empty(),
        "no signed path"
    );
}

#[test]
fn a_twenty_megabyte_video_takes_the_signed_path_with_progress_in_bytes() {
    let mut setup = Setup::new();
    let path = setup.path("clip.mp4");
    mp4(&path, 20 * MIB);
    let (response, progress) = call_with_progress(
        &mut setup.server,
        "upload_file",
        json!({ "path": path.to_str().unwrap(), "project_id": SEED_PROJECT_ID }),
    );
    let result = &response["result"];
    assert_ne!(result["isError"], true, "{response}");
    let asset = &result["structuredContent"];
    assert_eq!(asset["status"], "ready", "{asset}");
    assert_eq!(asset["content_type"], "video/mp4");
    assert_eq!(asset["size_bytes"], 20 * MIB);
    let on_canvas = setup
        .server
        .call("list_assets", json!({ "project_id": SEED_PROJECT_ID }));
    let ids: Vec<&Value> = on_canvas["structuredContent"]["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["asset_id"])
        .collect();
    assert!(
        ids.contains(&&asset["asset_id"]),
        "not on the canvas: {on_canvas}"
    );

    let stored = setup.fake.fake.stored_uploads();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].size_bytes, 20 * MIB);
    assert_eq!(stored[0].detected_type.as_deref(), Some("video/mp4"));
    assert_eq!(stored[0].file_name.as_deref(), Some("clip.mp4"));
    assert_eq!(requests_to(&setup, "/complete"), 1);
    assert_eq!(requests_to(&setup, "/retry"), 0);

    let sent: Vec<f64> = progress
        .iter()
        .filter_map(|p| p["progress"].as_f64())
        .collect();
    assert!(sent.len() >= 5, "progress by bytes sent: {progress:?}");
    assert!(sent.windows(2).all(|w| w[0] <= w[1]), "{sent:?}");
    assert_eq!(*sent.last().unwrap(), (20 * MIB) as f64);
    assert!(
        progress
            .iter()
            .all(|p| p["total"] == json!((20 * MIB) as f64))
    );
}

#[test]
fn a_zero_byte_file_is_refused_before_anything_is_created() {
    let mut setup = Setup::new();
    let path = setup.path("empty.png");
    std::fs::write(&path, b"").unwrap();
    let text = setup.refused(&path);
    assert!(text.contains("empty (0 bytes)"), "{text}");
    setup.assert_nothing_created();
}

#[test]
fn paths_outside_the_allowed_folder_are_refused_before_anything_is_created() {
    let mut setup = Setup::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let outside = elsewhere.path().join("secret.png");
    png(&outside, 1024);
    let escape = setup
        .path("..")
        .join(elsewhere.path().file_name().unwrap())
        .join("secret.png");
    for path in [outside.clone(), escape] {
        let text = setup.refused(&path);
        assert!(text.contains("not in a folder allowed"), "{text}");
    }
    let result = setup
        .server
        .call("upload_file", json!({ "path": "photo.png" }));
    assert!(Server::text(&result).contains("not absolute"), "{result}");
    setup.assert_nothing_created();
}

#[cfg(unix)]
#[test]
fn a_symlink_pointing_out_of_the_allowed_folder_is_refused() {
    let mut setup = Setup::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let outside = elsewhere.path().join("secret.png");
    png(&outside, 1024);
    let link = setup.path("innocent.png");
    std::os::unix::fs::symlink(&outside, &link).unwrap();
    let folder_link = setup.path("linked");
    std::os::unix::fs::symlink(elsewhere.path(), &folder_link).unwrap();
    for path in [link, folder_link.join("secret.png")] {
        let text = setup.refused(&path);
        assert!(text.contains("symbolic link"), "{text}");
    }
    setup.assert_nothing_created();
}

#[test]
fn a_missing_file_and_a_directory_are_named_as_such() {
    let mut setup = Setup::new();
    let text = setup.refused(&setup.path("nope.png"));
    assert!(text.contains("no file exists"), "{text}");
    std::fs::create_dir(setup.path("folder.png")).unwrap();
    let text = setup.refused(&setup.path("folder.png"));
    assert!(text.contains("not a regular file"), "{text}");
    setup.assert_nothing_created();
}

#[test]
fn a_file_whose_extension_lies_about_its_type_is_refused() {
    let mut setup = Setup::new();
    let path = setup.path("holiday.jpg");
    std::fs::write(&path, b"MZ\x90\0\x03\0\0\0 this is a Windows program").unwrap();
    let text = setup.refused(&path);
    assert!(
        text.contains("extension says image/jpeg") && text.contains("not a type FLORA accepts"),
        "{text}"
    );
    setup.assert_nothing_created();
}

#[test]
fn an_expired_target_is_renewed_once_by_retry() {
    let mut setup = Setup::new();
    let path = setup.path("clip.mp4");
    mp4(&path, 5 * MIB);
    setup.fake.fake.expire_next_targets(1);
    let asset = setup.uploaded(&path);
    assert_eq!(asset["status"], "ready", "{asset}");
    assert_eq!(requests_to(&setup, "/retry"), 1);
    assert_eq!(requests_to(&setup, "/complete"), 1);
    assert_eq!(setup.fake.fake.stored_uploads().len(), 1);
}

#[test]
fn a_target_that_expires_again_is_a_clear_error() {
    let mut setup = Setup::new();
    let path = setup.path("clip.mp4");
    mp4(&path, 5 * MIB);
    setup.fake.fake.expire_next_targets(2);
    let text = setup.refused(&path);
    assert!(
        text.contains("refused the file twice") && text.contains("Policy expired"),
        "{text}"
    );
    assert_eq!(requests_to(&setup, "/retry"), 1, "renewed once only");
    assert_eq!(requests_to(&setup, "/complete"), 0);
    assert!(setup.fake.fake.stored_uploads().is_empty());
}

#[test]
fn a_target_on_a_storage_origin_not_allowed_says_how_to_allow_it_without_a_retry() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut launch = Launch::against(&fake.fake);
    // The default storage origins only: the fake's loopback storage is not among them.
    launch.args = vec!["--allow-dir".to_owned(), dir.path().display().to_string()];
    let mut server = launch.spawn();
    server.initialize();
    let path = dir.path().join("clip.mp4");
    mp4(&path, 5 * MIB);
    let result = server.call("upload_file", json!({ "path": path.to_str().unwrap() }));
    assert_eq!(result["isError"], true, "{result}");
    let text = Server::text(&result);
    assert!(text.contains("--storage-origin"), "{text}");
    let requests = fake.fake.requests();
    assert!(
        !requests.iter().any(|r| r.path.ends_with("/retry")),
        "a renewal cannot help: {requests:?}"
    );
    assert!(fake.fake.stored_uploads().is_empty());
}

#[test]
fn a_processing_failure_is_reported_with_floras_reason() {
    let mut setup = Setup::new();
    let path = setup.path("clip.mp4");
    mp4(&path, 5 * MIB);
    setup
        .fake
        .fake
        .fail_next_processing("the moov atom is missing");
    let text = setup.refused(&path);
    assert!(
        text.contains("could not process") && text.contains("the moov atom is missing"),
        "{text}"
    );
}

#[test]
fn cancellation_midway_stops_the_transfer_and_the_server_goes_on() {
    let mut setup = Setup::new();
    let path = setup.path("clip.mp4");
    mp4(&path, 20 * MIB);
    setup.fake.fake.slow_storage(Duration::from_millis(30));
    let id = 7001;
    setup.server.send_line(
        &json!({ "jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
            "name": "upload_file", "arguments": { "path": path.to_str().unwrap() },
            "_meta": { "progressToken": "up" } } })
        .to_string(),
    );
    let started = Instant::now();
    loop {
        let message = setup.server.next_message();
        assert_ne!(
            message["id"], id,
            "finished before it was cancelled: {message}"
        );
        let done = message["params"]["progress"].as_f64().unwrap_or(0.0);
        if message["method"] == "notifications/progress" && done > 0.0 {
            assert!(done < (20 * MIB) as f64, "{message}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no progress");
    }
    setup.server.notify(
        "notifications/cancelled",
        json!({ "requestId": id, "reason": "changed my mind" }),
    );
    std::thread::sleep(Duration::from_millis(300));
    let late = progress_until_ping(&mut setup.server);
    std::thread::sleep(Duration::from_secs(1));
    let later = progress_until_ping(&mut setup.server);
    assert!(
        later.is_empty(),
        "progress went on after the cancel: {late:?} {later:?}"
    );
    assert!(setup.fake.fake.stored_uploads().is_empty());
    assert_eq!(requests_to(&setup, "/complete"), 0);
    let result = setup.server.call("list_workspaces", json!({}));
    assert_ne!(result["isError"], true, "{result}");
}

#[test]
fn the_clients_roots_become_allowed_folders() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photo.png");
    png(&path, 2048);
    let mut server = Launch::against(&fake.fake).spawn();
    let init = json!({
        "protocolVersion": "2025-06-18",
        "capabilities": { "roots": { "listChanged": true } },
        "clientInfo": { "name": "flora-mcp-tests", "version": "0" },
    });
    server.request("initialize", init);
    server.notify("notifications/initialized", json!({}));
    let ask = server.next_message();
    assert_eq!(ask["method"], "roots/list", "{ask}");
    let uri = url::Url::from_directory_path(dir.path())
        .unwrap()
        .to_string();
    let answer = json!({ "jsonrpc": "2.0", "id": ask["id"],
        "result": { "roots": [{ "uri": uri, "name": "project" }] } });
    server.send_line(&answer.to_string());
    std::thread::sleep(Duration::from_millis(300));
    let result = server.call("upload_file", json!({ "path": path.to_str().unwrap() }));
    assert_ne!(result["isError"], true, "{result}");
    assert_eq!(result["structuredContent"]["size_bytes"], 2048);
}

#[test]
fn with_no_allowed_folder_uploads_say_how_to_allow_one() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photo.png");
    png(&path, 1024);
    let mut server = Launch::against(&fake.fake).spawn();
    server.initialize();
    let result = server.call("upload_file", json!({ "path": path.to_str().unwrap() }));
    assert_eq!(result["isError"], true, "{result}");
    assert!(Server::text(&result).contains("--allow-dir"), "{result}");
}

#[test]
fn import_url_has_flora_fetch_a_public_url_and_waits_until_ready() {
    let mut setup = Setup::new();
    let result = setup.server.call(
        "import_url",
        json!({ "url": "https://example.com/media/storefront.png" }),
    );
    assert_ne!(result["isError"], true, "{result}");
    let asset = &result["structuredContent"];
    assert_eq!(asset["status"], "ready", "{asset}");
    assert_eq!(asset["name"], "storefront.png");
    let refused = setup
        .server
        .call("import_url", json!({ "url": "http://example.com/a.png" }));
    assert_eq!(refused["isError"], true, "{refused}");
    assert!(Server::text(&refused).contains("https://"), "{refused}");
}

/// Calls a tool with a progress token; returns the response and every progress notification.
fn call_with_progress(server: &mut Server, tool: &str, arguments: Value) -> (Value, Vec<Value>) {
    let id = 9001;
    let request = json!({ "jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {
        "name": tool, "arguments": arguments, "_meta": { "progressToken": "p" } } });
    server.send_line(&request.to_string());
    let mut progress = Vec::new();
    loop {
        let message = server.next_message();
        if message["id"] == id {
            return (message, progress);
        }
        if message["method"] == "notifications/progress" {
            progress.push(message["params"].clone());
        }
    }
}

/// Sends a ping and returns the progress notifications that arrived before its answer.
fn progress_until_ping(server: &mut Server) -> Vec<Value> {
    static NEXT: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(8000);
    let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    server.send_line(&json!({ "jsonrpc": "2.0", "id": id, "method": "ping" }).to_string());
    let mut progress = Vec::new();
    loop {
        let message = server.next_message();
        if message["id"] == id {
            return progress;
        }
        if message["method"] == "notifications/progress" {
            progress.push(message);
        }
    }
}
