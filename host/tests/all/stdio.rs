//! Standard input and output: a malformed line gets a JSON-RPC parse error and serving goes
//! on; closing stdin ends the process promptly with status 0; stdout is JSON-RPC only.

use crate::support::{Fake, Launch, Server};
use serde_json::json;
use std::time::Duration;

#[test]
fn a_malformed_line_gets_a_parse_error_and_the_server_keeps_serving() {
    let fake = Fake::start();
    let mut server = Launch::against(&fake.fake).spawn();
    server.initialize();
    server.send_line("{\"jsonrpc\": \"2.0\", \"id\": 99, \"method\": ");
    let error = server.next_message();
    assert_eq!(error["error"]["code"], -32700, "{error}");
    assert_eq!(error["id"], serde_json::Value::Null);

    server.send_line(r#"{"jsonrpc":"2.0","id":"x"}"#);
    let invalid = server.next_message();
    assert_eq!(
        (invalid["error"]["code"].as_i64(), invalid["id"].as_str()),
        (Some(-32600), Some("x"))
    );

    let tools = server.request("tools/list", json!({}));
    assert!(
        tools["result"]["tools"]
            .as_array()
            .is_some_and(|t| !t.is_empty())
    );
}

#[test]
fn closing_stdin_ends_the_process_promptly_with_status_zero() {
    let fake = Fake::start();
    let mut server = Launch::against(&fake.fake).spawn();
    server.initialize();
    let (status, took) = server.close();
    assert!(
        status.success(),
        "exit status {status:?}; stderr:\n{}",
        server.stderr()
    );
    assert!(took < Duration::from_secs(5), "took {took:?} to exit");
}

#[test]
fn closing_stdin_before_initialize_also_exits_cleanly() {
    let fake = Fake::start();
    let mut server = Launch::against(&fake.fake).spawn();
    let (status, _) = server.close();
    assert!(
        status.success(),
        "exit status {status:?}; stderr:\n{}",
        server.stderr()
    );
}

#[test]
fn stdout_carries_only_json_rpc_at_the_most_verbose_log_level() {
    let fake = Fake::start();
    let mut launch = Launch::against(&fake.fake);
    launch.log = "trace".to_owned();
    let mut server = launch.spawn();
    server.initialize();
    server.request("tools/list", json!({}));
    server.call("list_workspaces", json!({}));
    server.call(
        "retrieve_asset",
        json!({ "asset_id": "asset_doesnotexist" }),
    );
    server.send_line("not json at all");
    server.next_message();
    server.close();
    assert!(!server.stderr().is_empty(), "logs should go to stderr");
    for line in server.stdout.lock().unwrap().iter() {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("non-JSON stdout ({e}): {line}"));
        assert_eq!(value["jsonrpc"], "2.0", "{line}");
    }
}

#[test]
fn a_server_started_without_arguments_serves() {
    // `serve` is the default; an explicit `serve` behaves the same.
    let fake = Fake::start();
    let mut launch = Launch::against(&fake.fake);
    launch.args = vec!["serve".to_owned()];
    let mut server: Server = launch.spawn();
    let init = server.initialize();
    assert_eq!(init["result"]["serverInfo"]["name"], "flora-mcp");
}

#[test]
fn a_warm_cache_loads_the_component_without_compiling_it() {
    let fake = Fake::start();
    let cache = tempfile::tempdir().unwrap();
    let start = || {
        let mut launch = Launch::against(&fake.fake);
        launch.cache = Some(cache.path().to_owned());
        let mut server = launch.spawn();
        server.initialize();
        server.close();
        server.stderr()
    };
    let cold = start();
    assert!(cold.contains("compiling the component"), "{cold}");
    let warm = start();
    assert!(
        warm.contains("loaded the precompiled component from the cache"),
        "{warm}"
    );
    assert!(!warm.contains("compiling the component"), "{warm}");
}
