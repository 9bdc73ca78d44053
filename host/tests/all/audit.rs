//! `flora-mcp audit` reads the component that would be loaded and reports its capability
//! surface; a component that imports more than the host grants is refused before it runs.

use crate::support::probe_component;
use serde_json::Value;
use std::process::Command;

fn audit(extra: &[&str]) -> (Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_flora-mcp"))
        .args(["audit", "--json"])
        .args(extra)
        .env_remove("FLORA_API_KEY")
        .output()
        .expect("run flora-mcp audit");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = serde_json::from_slice(&output.stdout).expect("audit --json prints JSON");
    (report, String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn the_shipped_component_imports_exactly_approved_interfaces() {
    let (report, _) = audit(&[]);
    let component = &report["component"];
    assert_eq!(component["all_imports_approved"], true, "{report}");
    assert_eq!(component["wit_package"], "flora:mcp@0.3.0");
    assert_eq!(
        component["exports"],
        serde_json::json!(["flora:mcp/tools@0.3.0"])
    );
    let imports: Vec<&str> = component["imports"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["name"].as_str())
        .collect();
    for forbidden in ["wasi:filesystem", "wasi:sockets", "wasi:cli"] {
        assert!(
            !imports.iter().any(|i| i.starts_with(forbidden)),
            "{imports:?}"
        );
    }
    assert_eq!(component["sha256"].as_str().map(str::len), Some(64));
    assert_eq!(report["egress"]["redirects_followed"], false);
    assert_eq!(report["credentials"]["api_key"], "not set");
    assert_eq!(report["limits"]["toolsets"], "core");
    assert!(
        imports.contains(&"flora:mcp/files@0.3.0"),
        "uploads need the files interface: {imports:?}"
    );
}

#[test]
fn audit_shows_the_storage_origins_as_file_body_only_rules_without_the_credential() {
    let (report, _) = audit(&[
        "--storage-origin",
        "https://storage.example",
        "--allow-dir",
        "/tmp",
    ]);
    let rules = report["egress"]["allowed"].as_array().unwrap();
    assert_eq!(rules.len(), 2, "{report}");
    assert_eq!(rules[0]["file_bodies_only"], false);
    let storage = &rules[1];
    assert_eq!(storage["host"], "storage.example");
    assert_eq!(storage["methods"], serde_json::json!(["POST", "PUT"]));
    assert_eq!(storage["file_bodies_only"], true);
    assert_eq!(storage["credential_added"], false);
    assert_eq!(
        report["files"]["allowed_folders"],
        serde_json::json!(["/tmp"])
    );
}

#[test]
fn audit_shows_the_active_toolsets() {
    let (report, _) = audit(&["--toolsets", "library,canvas"]);
    assert_eq!(report["limits"]["toolsets"], "canvas, core, library");
    let (report, _) = audit(&["--toolsets", "all"]);
    assert_eq!(report["limits"]["toolsets"], "all");
}

#[test]
fn audit_reads_the_component_given_with_the_flag() {
    let probe = probe_component();
    let (report, _) = audit(&["--component", probe.to_str().unwrap()]);
    assert!(
        report["component"]["source"]
            .as_str()
            .unwrap()
            .contains("egress_probe.wasm")
    );
    let (builtin, _) = audit(&[]);
    assert_ne!(
        report["component"]["sha256"],
        builtin["component"]["sha256"]
    );
}

#[test]
fn status_shows_the_active_toolsets() {
    let home = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_flora-mcp"))
        .args(["status", "--toolsets", "feedback,canvas"])
        .env("HOME", home.path())
        .env_remove("FLORA_API_KEY")
        .env_remove("FLORA_MCP_TOOLSETS")
        .output()
        .expect("run flora-mcp status");
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("toolsets    canvas, core, feedback"),
        "{text}"
    );
}
