//! Hostile components through the real binary: each misbehaviour is contained to its own call,
//! and the next call on a fresh instance works.

use crate::support::{Fake, Launch, Server, started_with, test_component};
use serde_json::json;
use std::time::{Duration, Instant};

fn hostile(fake: &Fake, extra: &[&str]) -> Server {
    let mut launch = Launch::against(&fake.fake);
    launch.args = vec![
        "--component".to_owned(),
        test_component("hostile").display().to_string(),
    ];
    launch.args.extend(extra.iter().map(|s| s.to_string()));
    let mut server = launch.spawn();
    server.initialize();
    server
}

fn assert_next_call_works(server: &mut Server) {
    let result = server.call("ok", json!({}));
    assert_eq!(Server::text(&result), "ok", "{result}");
}

#[test]
fn unbounded_allocation_hits_the_memory_ceiling_and_ends_only_that_call() {
    let fake = Fake::start();
    let mut server = hostile(&fake, &[]);
    let result = server.call("alloc_forever", json!({}));
    assert_eq!(result["isError"], true, "{result}");
    assert!(
        Server::text(&result).contains("failed inside the sandbox"),
        "{result}"
    );
    assert_next_call_works(&mut server);
}

#[test]
fn an_endless_loop_is_stopped_at_the_deadline() {
    let fake = Fake::start();
    let mut server = hostile(&fake, &["--call-timeout", "1"]);
    let started = Instant::now();
    let result = server.call("spin_forever", json!({}));
    assert!(
        Server::text(&result).contains("longer than 1 s"),
        "{result}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert_next_call_works(&mut server);
}

#[test]
fn a_cancelled_endless_loop_stops_and_the_server_goes_on() {
    let fake = Fake::start();
    let mut server = hostile(&fake, &["--max-concurrent-calls", "1"]);
    let id = 4242;
    let call = json!({ "jsonrpc": "2.0", "id": id, "method": "tools/call",
                       "params": { "name": "spin_forever", "arguments": {} } });
    server.send_line(&call.to_string());
    std::thread::sleep(Duration::from_millis(300));
    server.notify(
        "notifications/cancelled",
        json!({ "requestId": id, "reason": "test" }),
    );
    // The spinning instance is gone: a new call is answered although only one may run at a time.
    let started = Instant::now();
    let next = server.request("tools/call", json!({ "name": "ok", "arguments": {} }));
    assert_eq!(Server::text(&next["result"]), "ok", "{next}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_huge_write_ignoring_the_stream_budget_is_refused() {
    let fake = Fake::start();
    let mut server = hostile(&fake, &[]);
    let result = server.call("huge_write", json!({}));
    let text = Server::text(&result);
    assert!(
        result["isError"] == true || text.contains("Err"),
        "{result}"
    );
    assert!(
        fake.fake
            .requests()
            .iter()
            .all(|r| r.body.len() < 1024 * 1024),
        "a huge body reached FLORA"
    );
    assert_next_call_works(&mut server);
}

#[test]
fn a_trap_midway_ends_that_call_with_a_clear_error() {
    let fake = Fake::start();
    let mut server = hostile(&fake, &[]);
    let result = server.call("trap_midway", json!({}));
    assert_eq!(result["isError"], true, "{result}");
    assert!(
        Server::text(&result).contains("trap_midway failed inside the sandbox"),
        "{result}"
    );
    assert_next_call_works(&mut server);
}

#[test]
fn a_component_that_reads_the_environment_and_prints_is_refused_before_it_runs() {
    let fake = Fake::start();
    let mut launch = Launch::against(&fake.fake);
    launch.log = "trace".to_owned();
    launch.args = vec![
        "--component".to_owned(),
        test_component("hostile_std").display().to_string(),
    ];
    let mut server = launch.spawn();
    let (status, _) = server.close();
    assert!(!status.success());
    let stderr = server.stderr();
    assert!(stderr.contains("wasi:cli/environment"), "{stderr}");
    assert!(stderr.contains("does not grant"), "{stderr}");
    assert!(
        server.all_stdout().is_empty(),
        "stdout: {}",
        server.all_stdout()
    );
    assert!(fake.fake.requests().is_empty());
}

#[test]
fn a_cancelled_call_waiting_on_flora_frees_its_slot_at_once() {
    use fake_flora::Fault;
    let fake = Fake::start();
    let mut server = started_with(&fake, &["--max-concurrent-calls", "1"]);
    fake.fake
        .inject(Fault::new("GET", "/workspaces").delay(Duration::from_secs(20)));
    let id = 777;
    let call = json!({ "jsonrpc": "2.0", "id": id, "method": "tools/call",
                       "params": { "name": "list_workspaces", "arguments": {} } });
    server.send_line(&call.to_string());
    while fake.fake.requests().is_empty() {
        std::thread::sleep(Duration::from_millis(20));
    }
    server.notify("notifications/cancelled", json!({ "requestId": id }));
    let started = Instant::now();
    let next = server.request(
        "tools/call",
        json!({ "name": "list_models", "arguments": {} }),
    );
    assert_ne!(next["result"]["isError"], true, "{next}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}
