//! Egress confinement, proven with the hostile `egress-probe` component loaded through
//! `--component`: it may reach only the FLORA API origin under its prefix, cannot set or see
//! the credential, and gets redirects back unfollowed.

use crate::support::{Fake, Launch, Server, probe_component};
use serde_json::{Value, json};
use std::net::TcpListener;

fn probe(fake: &Fake) -> Server {
    let mut launch = Launch::against(&fake.fake);
    launch.args = vec![
        "--component".to_owned(),
        probe_component().display().to_string(),
    ];
    let mut server = launch.spawn();
    server.initialize();
    server
}

fn fetch(server: &mut Server, arguments: Value) -> Value {
    let result = server.call("fetch", arguments);
    serde_json::from_str(&Server::text(&result)).expect("probe reports JSON")
}

#[test]
fn the_guest_reaches_no_origin_but_the_configured_api() {
    let fake = Fake::start();
    // A second server the probe must not reach, on the same loopback address.
    let other = TcpListener::bind("127.0.0.1:0").unwrap();
    let other_port = other.local_addr().unwrap().port();
    other.set_nonblocking(true).unwrap();
    let origin = fake.fake.origin();
    let port = origin.rsplit(':').next().unwrap().to_owned();

    let mut server = probe(&fake);
    for url in [
        format!("http://127.0.0.1:{other_port}/api/v1/workspaces"),
        format!("http://localhost:{port}/api/v1/workspaces"),
        format!("https://127.0.0.1:{port}/api/v1/workspaces"),
        format!("{origin}/__fake/requests"),
        format!("{origin}/api/v1/../__fake/requests"),
        format!("{origin}/api/v2/workspaces"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
    ] {
        let report = fetch(&mut server, json!({ "url": url }));
        assert_eq!(report["outcome"], "error", "{url} was not denied: {report}");
        assert_eq!(
            report["error"], "ErrorCode::HttpRequestDenied",
            "{url}: {report}"
        );
    }
    assert!(other.accept().is_err(), "the other server was contacted");
    assert!(
        fake.fake.requests().is_empty(),
        "denied requests reached the fake"
    );

    let allowed = fetch(
        &mut server,
        json!({ "url": format!("{}/workspaces", fake.fake.base_url()) }),
    );
    assert_eq!(allowed["status"], 200, "{allowed}");
}

#[test]
fn the_guest_cannot_set_credentials_and_the_host_adds_its_own() {
    let fake = Fake::start();
    let mut server = probe(&fake);
    let report = fetch(
        &mut server,
        json!({
            "url": format!("{}/workspaces", fake.fake.base_url()),
            "headers": [["authorization", "Bearer sk_live_stolen"], ["cookie", "session=1"],
                        ["proxy-authorization", "Basic eA=="], ["x-probe", "yes"]],
        }),
    );
    assert_eq!(report["status"], 200, "{report}");
    let refused: Vec<&str> = report["header_errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["header"].as_str())
        .collect();
    assert_eq!(
        refused,
        ["authorization", "cookie", "proxy-authorization"],
        "{report}"
    );

    let requests = fake.fake.requests();
    assert_eq!(requests.len(), 1);
    let expected = format!("Bearer {}", fake_flora::DEFAULT_API_KEY);
    assert_eq!(requests[0].header("authorization"), Some(expected.as_str()));
    assert_eq!(requests[0].header("cookie"), None);
    assert_eq!(requests[0].header("proxy-authorization"), None);
    assert_eq!(requests[0].header("x-probe"), Some("yes"));
}

#[test]
fn redirects_come_back_to_the_guest_unfollowed() {
    let fake = Fake::start();
    let mut server = probe(&fake);
    let target = format!("{}/workspaces", fake.fake.base_url());
    let url = format!("{}/__fake/redirect?to={target}", fake.fake.base_url());
    let report = fetch(&mut server, json!({ "url": url }));
    assert_eq!(report["status"], 302, "{report}");
    assert_eq!(fake.fake.requests().len(), 1, "the redirect was followed");
}

#[test]
fn the_api_key_never_appears_in_guest_data_mcp_output_or_logs() {
    let fake = Fake::start();
    let key = fake_flora::DEFAULT_API_KEY;
    let mut launch = Launch::against(&fake.fake);
    launch.args = vec![
        "--component".to_owned(),
        probe_component().display().to_string(),
    ];
    launch.log = "trace".to_owned();
    let cache = tempfile::tempdir().unwrap();
    launch.cache = Some(cache.path().to_owned());
    let mut server = launch.spawn();
    server.initialize();

    // Everything the guest can learn: the session, and responses from every kind of endpoint.
    let session = server.call("session", json!({}));
    assert!(Server::text(&session).contains("ApiKey"), "{session}");
    let base = fake.fake.base_url();
    for path in [
        "/workspaces",
        "/techniques",
        "/nope",
        "/__fake/redirect?to=http://x/",
    ] {
        let report = fetch(&mut server, json!({ "url": format!("{base}{path}") }));
        assert!(
            !report.to_string().contains(key),
            "the guest saw the key via {path}"
        );
    }
    server.close();
    assert!(
        !server.all_stdout().contains(key),
        "the key reached MCP output"
    );
    assert!(!server.stderr().contains(key), "the key reached the logs");
    assert!(
        std::fs::read_dir(cache.path()).unwrap().next().is_some(),
        "nothing was cached"
    );
    for dir in [cache.path(), server.home()] {
        let leaked = crate::support::files_containing(dir, key);
        assert!(leaked.is_empty(), "the key was written to {leaked:?}");
    }
    assert!(fake.fake.requests().iter().all(|r| {
        r.headers
            .iter()
            .any(|(n, v)| n.eq_ignore_ascii_case("authorization") && v.ends_with(key))
    }));
}

#[test]
fn the_real_tools_also_keep_the_key_out_of_output_and_logs() {
    let fake = Fake::start();
    let key = fake_flora::DEFAULT_API_KEY;
    let mut launch = Launch::against(&fake.fake);
    launch.log = "trace".to_owned();
    let mut server = launch.spawn();
    server.initialize();
    server.request("tools/list", json!({}));
    for (tool, args) in [
        ("list_workspaces", json!({})),
        ("list_techniques", json!({ "limit": 2 })),
        ("retrieve_asset", json!({ "asset_id": "asset_missing" })),
    ] {
        server.call(tool, args);
    }
    server.close();
    assert!(!server.all_stdout().contains(key));
    assert!(!server.stderr().contains(key));
}
