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

/// `tools/list` as committed in `host/tests/snapshots/tools-list.json`. A change to a tool's
/// name, schema, annotations or description fails here until the snapshot is updated in the
/// same commit: `FLORA_MCP_BLESS=1 cargo test -p flora-mcp --test all snapshot`.
#[test]
fn tools_list_matches_the_committed_snapshot() {
    let fake = Fake::start();
    let mut server = Launch::against(&fake.fake).spawn();
    server.initialize();
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
