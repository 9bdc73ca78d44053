//! The settings file: what it sets, what overrides it, and how a bad one is reported.

use crate::support::{Fake, Launch, Server};
use serde_json::{Value, json};
use std::path::Path;

fn launch_with_file(fake: &Fake, dir: &Path, contents: &str) -> Launch {
    let path = dir.join("settings.toml");
    std::fs::write(&path, contents).unwrap();
    let mut launch = Launch::against(&fake.fake);
    launch
        .env
        .push(("FLORA_MCP_CONFIG".into(), path.display().to_string()));
    launch
}

fn tool_names(server: &mut Server) -> Vec<String> {
    let list = server.request("tools/list", json!({}));
    list["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

fn cctv_run(server: &mut Server) -> Value {
    let inputs = json!([{ "id": "input_image", "type": "imageUrl",
                          "value": "https://example.com/cam.png" }]);
    server.call(
        "create_technique_run",
        json!({ "technique_id": "cctv-cam", "inputs": inputs }),
    )
}

#[test]
fn the_file_sets_the_spend_ceiling_and_read_only_mode() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();
    let mut server = launch_with_file(&fake, dir.path(), "max-run-cost = 0.01\n").spawn();
    server.initialize();
    let result = cctv_run(&mut server);
    assert_eq!(result["isError"], true, "{result}");
    assert!(Server::text(&result).contains("$0.01"), "{result}");
    assert!(fake.fake.technique_runs().is_empty());

    let mut server = launch_with_file(&fake, dir.path(), "read-only = true\n").spawn();
    server.initialize();
    let names = tool_names(&mut server);
    assert!(names.contains(&"list_techniques".to_owned()));
    assert!(
        !names.contains(&"create_technique_run".to_owned()),
        "{names:?}"
    );
}

#[test]
fn flags_and_environment_variables_win_over_the_file() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();
    let file = "max-run-cost = 0.01\nread-only = true\n";
    let mut launch = launch_with_file(&fake, dir.path(), file);
    launch.args = vec!["--max-run-cost".into(), "1".into()];
    launch.env.push(("FLORA_MCP_READ_ONLY".into(), "0".into()));
    let mut server = launch.spawn();
    server.initialize();
    assert!(tool_names(&mut server).contains(&"create_technique_run".to_owned()));
    let result = cctv_run(&mut server);
    assert_ne!(result["isError"], true, "{result}");
    assert_eq!(fake.fake.technique_runs().len(), 1);
}

#[test]
fn the_default_file_is_read_from_the_configuration_folder() {
    let fake = Fake::start();
    let config_home = tempfile::tempdir().unwrap();
    let folder = config_home.path().join("flora-mcp");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("config.toml"), "read-only = true\n").unwrap();
    let mut launch = Launch::against(&fake.fake);
    launch.env.push((
        "XDG_CONFIG_HOME".into(),
        config_home.path().display().to_string(),
    ));
    let mut server = launch.spawn();
    server.initialize();
    assert!(!tool_names(&mut server).contains(&"create_technique_run".to_owned()));
}

fn startup_error(launch: Launch) -> String {
    let mut server = launch.spawn();
    let (status, _) = server.close();
    assert!(
        !status.success(),
        "a bad settings file must stop the server"
    );
    assert!(
        server.all_stdout().trim().is_empty(),
        "nothing but JSON-RPC on stdout"
    );
    server.stderr()
}

#[test]
fn a_bad_file_stops_the_server_with_a_message_naming_the_problem() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();

    let stderr = startup_error(launch_with_file(&fake, dir.path(), "max-run-costs = 1\n"));
    assert!(stderr.contains("max-run-costs"), "{stderr}");
    assert!(stderr.contains("settings.toml"), "{stderr}");

    let stderr = startup_error(launch_with_file(
        &fake,
        dir.path(),
        "call-timeout = \"soon\"\n",
    ));
    assert!(stderr.contains("line 1"), "{stderr}");

    let canary = "sk_live_settings_canary_000000";
    let stderr = startup_error(launch_with_file(
        &fake,
        dir.path(),
        &format!("api-key = \"{canary}\"\n"),
    ));
    assert!(stderr.contains("FLORA_API_KEY"), "{stderr}");
    assert!(
        !stderr.contains(canary),
        "the secret must not be echoed: {stderr}"
    );

    let mut launch = Launch::against(&fake.fake);
    let missing = dir.path().join("missing.toml");
    launch
        .env
        .push(("FLORA_MCP_CONFIG".into(), missing.display().to_string()));
    let stderr = startup_error(launch);
    assert!(stderr.contains("missing.toml"), "{stderr}");
}

#[test]
fn the_file_chooses_toolsets_and_a_wrong_one_is_named() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();
    let mut server = launch_with_file(&fake, dir.path(), "").spawn();
    server.initialize();
    assert!(!tool_names(&mut server).contains(&"record_feedback".to_owned()));

    let mut server = launch_with_file(&fake, dir.path(), "toolsets = [\"feedback\"]\n").spawn();
    server.initialize();
    let names = tool_names(&mut server);
    assert!(names.contains(&"record_feedback".to_owned()), "{names:?}");
    assert!(
        names.contains(&"run_technique".to_owned()),
        "core stays on: {names:?}"
    );

    let stderr = startup_error(launch_with_file(
        &fake,
        dir.path(),
        "toolsets = \"fedback\"\n",
    ));
    assert!(
        stderr.contains("fedback") && stderr.contains("feedback"),
        "{stderr}"
    );
}
