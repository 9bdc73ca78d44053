//! The MCP surface: protocol negotiation, the tool list, and refusals as protocol errors.

use crate::support::{Fake, Launch, started_with};
use serde_json::json;

#[test]
fn both_current_protocol_versions_are_negotiated_as_asked() {
    let fake = Fake::start();
    for version in ["2025-06-18", "2025-11-25", "2025-03-26"] {
        let mut server = Launch::against(&fake.fake).spawn();
        let init = server.initialize_with(version);
        assert_eq!(init["result"]["protocolVersion"], version, "{init}");
        assert!(init["result"]["capabilities"]["tools"].is_object());
    }
}

#[test]
fn an_unknown_newer_version_gets_the_newest_supported_one() {
    let fake = Fake::start();
    let mut server = Launch::against(&fake.fake).spawn();
    let init = server.initialize_with("2099-01-01");
    assert_eq!(init["result"]["protocolVersion"], "2025-11-25", "{init}");
}

#[test]
fn tools_list_offers_the_core_workflow_with_schemas_and_annotations() {
    let fake = Fake::start();
    let mut server = Launch::against(&fake.fake).spawn();
    server.initialize();
    let list = server.request("tools/list", json!({}));
    let tools = list["result"]["tools"].as_array().expect("tools");
    let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    for expected in [
        "list_workspaces",
        "list_models",
        "list_techniques",
        "retrieve_technique",
        "create_technique_run",
        "retrieve_technique_run",
        "list_technique_runs",
        "list_projects",
        "retrieve_project",
        "list_assets",
        "retrieve_asset",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    for tool in tools {
        assert_eq!(tool["inputSchema"]["type"], "object", "{tool}");
        assert_eq!(tool["outputSchema"]["type"], "object", "{tool}");
        assert!(
            tool["description"].as_str().is_some_and(|d| d.len() > 40),
            "{tool}"
        );
        assert!(tool["annotations"]["readOnlyHint"].is_boolean(), "{tool}");
    }
    let create = tools
        .iter()
        .find(|t| t["name"] == "create_technique_run")
        .unwrap();
    assert_eq!(create["annotations"]["readOnlyHint"], false);
    assert_eq!(
        create["inputSchema"]["required"],
        json!(["technique_id", "inputs"])
    );
}

#[test]
fn an_unknown_tool_is_a_protocol_error_naming_it() {
    let fake = Fake::start();
    let mut server = Launch::against(&fake.fake).spawn();
    server.initialize();
    let response = server.request("tools/call", json!({ "name": "delete_everything" }));
    assert_eq!(response["error"]["code"], -32602, "{response}");
    assert!(
        response["error"]["message"]
            .as_str()
            .unwrap()
            .contains("delete_everything")
    );
    // The server keeps serving.
    assert!(server.call("list_workspaces", json!({}))["isError"] != true);
}

#[test]
fn arguments_that_fail_the_schema_name_the_tool_field_and_expectation() {
    let fake = Fake::start();
    let mut server = Launch::against(&fake.fake).spawn();
    server.initialize();
    let cases = [
        (
            "list_techniques",
            json!({ "limit": 500 }),
            "/limit",
            "an integer from 1 to 100",
        ),
        (
            "retrieve_project",
            json!({ "project_id": "abc" }),
            "/project_id",
            "`prj_`",
        ),
        ("retrieve_project", json!({}), "/project_id", "`prj_`"),
        (
            "list_models",
            json!({ "type": "hologram" }),
            "/type",
            "image",
        ),
        (
            "list_assets",
            json!({ "workspace": "ws_1" }),
            "/workspace",
            "workspace_id",
        ),
        (
            "create_technique_run",
            json!({ "technique_id": "cctv-cam",
                    "inputs": [{ "id": "input_image", "type": "imageUrl" }] }),
            "/inputs/0/value",
            "a non-empty string",
        ),
    ];
    for (tool, arguments, field, expected) in cases {
        let response = server.request(
            "tools/call",
            json!({ "name": tool, "arguments": arguments }),
        );
        let error = &response["error"];
        assert_eq!(error["code"], -32602, "{tool}: {response}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(tool), "{message}");
        assert_eq!(error["data"]["field"], field, "{response}");
        assert!(
            error["data"]["expected"]
                .as_str()
                .unwrap()
                .contains(expected),
            "{response}"
        );
    }
    assert!(
        fake.fake.requests().is_empty(),
        "refused calls must not reach FLORA"
    );
}

#[test]
fn read_only_mode_offers_and_runs_only_tools_that_change_nothing() {
    let fake = Fake::start();
    let mut server = started_with(&fake, &["--read-only"]);
    let list = server.request("tools/list", json!({}));
    let tools = list["result"]["tools"].as_array().unwrap();
    assert!(!tools.is_empty());
    assert!(
        tools
            .iter()
            .all(|t| t["annotations"]["readOnlyHint"] == true),
        "{list}"
    );
    assert!(!tools.iter().any(|t| t["name"] == "create_technique_run"));
    let inputs = json!([{ "id": "input_image", "type": "imageUrl", "value": "https://x/y.png" }]);
    let refused = server.request(
        "tools/call",
        json!({ "name": "create_technique_run",
                "arguments": { "technique_id": "cctv-cam", "inputs": inputs } }),
    );
    assert_eq!(refused["error"]["code"], -32602, "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--read-only")
    );
    assert!(fake.fake.technique_runs().is_empty());
}

/// `tools/list` with every toolset as committed in `host/tests/snapshots/tools-list.json`. A
/// change to a tool's name, schema, annotations or description fails here until the snapshot is
/// updated in the same commit: `FLORA_MCP_BLESS=1 cargo test -p flora-mcp --test all snapshot`.
#[test]
fn tools_list_matches_the_committed_snapshot() {
    let fake = Fake::start();
    let mut server = started_with(&fake, &["--toolsets", "all"]);
    let list = server.request("tools/list", json!({}));
    let actual = serde_json::to_string_pretty(&list["result"]["tools"]).unwrap() + "\n";
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/tools-list.json");
    if std::env::var_os("FLORA_MCP_BLESS").is_some() {
        std::fs::write(&path, &actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "tools/list differs from {}; if the change is intended, bless it with \
         FLORA_MCP_BLESS=1 cargo test -p flora-mcp --test all snapshot",
        path.display()
    );
}

/// Names of the tools `tools/list` offers.
fn listed(server: &mut crate::support::Server) -> Vec<serde_json::Value> {
    let list = server.request("tools/list", json!({}));
    list["result"]["tools"].as_array().expect("tools").clone()
}

#[test]
fn by_default_only_the_core_toolset_is_offered_and_the_rest_is_refused_by_name() {
    let fake = Fake::start();
    let mut server = Launch::against(&fake.fake).spawn();
    server.initialize();
    let tools = listed(&mut server);
    let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    assert!(names.len() <= 25, "{} core tools: {names:?}", names.len());
    for core in [
        "generate",
        "run_technique",
        "retrieve_run",
        "list_generations",
    ] {
        assert!(names.contains(&core), "{core} missing from {names:?}");
    }
    assert!(!names.contains(&"apply_canvas_changeset"), "{names:?}");
    let refused = server.request(
        "tools/call",
        json!({ "name": "list_actions", "arguments": {} }),
    );
    let message = refused["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("`actions` toolset") && message.contains("--toolsets actions"),
        "{refused}"
    );
    assert!(fake.fake.requests().is_empty(), "nothing reached FLORA");
}

#[test]
fn named_toolsets_add_their_tools_and_all_offers_every_operation() {
    let fake = Fake::start();
    let mut server = started_with(&fake, &["--toolsets", "canvas,library"]);
    let names: Vec<String> = listed(&mut server)
        .iter()
        .filter_map(|t| t["name"].as_str().map(str::to_owned))
        .collect();
    for expected in [
        "list_workspaces",
        "apply_canvas_changeset",
        "delete_library_folder",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected}: {names:?}");
    }
    assert!(!names.iter().any(|n| n == "record_feedback"), "{names:?}");

    let mut launch = Launch::against(&fake.fake);
    launch.env = vec![("FLORA_MCP_TOOLSETS".to_owned(), "all".to_owned())];
    let mut server = launch.spawn();
    server.initialize();
    let tools = listed(&mut server);
    // 40 SDK operations, plus the workflow tools run_technique, generate, upload_file and
    // import_url.
    assert_eq!(tools.len(), 44, "{}", tools.len());
    for tool in &tools {
        let name = tool["name"].as_str().unwrap();
        for schema in ["inputSchema", "outputSchema"] {
            assert_eq!(tool[schema]["type"], "object", "{name} {schema}");
            for combinator in ["oneOf", "anyOf", "allOf"] {
                assert!(tool[schema].get(combinator).is_none(), "{name} {schema}");
            }
        }
        let properties = tool["inputSchema"]["properties"].as_object().unwrap();
        for (key, property) in properties {
            assert!(
                property["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty()),
                "{name}.{key} has no description"
            );
        }
        for hint in [
            "readOnlyHint",
            "destructiveHint",
            "idempotentHint",
            "openWorldHint",
        ] {
            assert!(tool["annotations"][hint].is_boolean(), "{name} {hint}");
        }
    }
    let by_name = |n: &str| tools.iter().find(|t| t["name"] == n).unwrap().clone();
    assert_eq!(
        by_name("delete_library_folder")["annotations"]["destructiveHint"],
        true
    );
    let replace = by_name("replace_canvas_definition");
    assert_eq!(replace["annotations"]["destructiveHint"], true);
    assert_eq!(replace["annotations"]["idempotentHint"], true);
    assert_eq!(
        by_name("retrieve_run")["inputSchema"]["properties"]["run_id"]["pattern"],
        "^run_\\S+$"
    );
}

#[test]
fn an_unknown_toolset_stops_the_server_at_startup_listing_the_valid_ones() {
    let fake = Fake::start();
    let mut launch = Launch::against(&fake.fake);
    launch.args = vec!["--toolsets".to_owned(), "canvas,nope".to_owned()];
    let mut server = launch.spawn();
    let (status, _) = server.close();
    assert!(!status.success());
    // The stderr reader may still be draining the last lines.
    let waited = std::time::Instant::now();
    while !server.stderr().contains("unknown toolset")
        && waited.elapsed() < std::time::Duration::from_secs(2)
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let stderr = server.stderr();
    assert!(
        stderr.contains("unknown toolset `nope`")
            && stderr.contains("canvas")
            && stderr.contains("library")
            && stderr.contains("all"),
        "{stderr}"
    );
}
