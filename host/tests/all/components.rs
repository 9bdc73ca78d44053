//! Installing, verifying, rolling back and live-swapping tool components through the real
//! `flora-mcp component …` commands, and a running server that switches to a new install.

use crate::support::{Fake, Launch, Server, test_component};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A data folder, a cache folder and a scratch folder for one test.
struct Setup {
    data: tempfile::TempDir,
    cache: tempfile::TempDir,
    scratch: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let dir = || tempfile::tempdir().unwrap();
        Setup {
            data: dir(),
            cache: dir(),
            scratch: dir(),
        }
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_flora-mcp"))
            .args(args)
            .env("FLORA_MCP_DATA_DIR", self.data.path())
            .env("XDG_CACHE_HOME", self.cache.path())
            .env("FLORA_MCP_LOG", "warn")
            .env_remove("FLORA_API_KEY")
            .envs(env.iter().copied())
            .output()
            .expect("run flora-mcp")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args, &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?} failed: {stderr}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn refused(&self, args: &[&str]) -> String {
        let out = self.run(args, &[]);
        assert!(!out.status.success(), "{args:?} should have failed");
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// A new publisher key; returns the key file and the public key.
    fn key(&self, name: &str) -> (PathBuf, String) {
        let file = self.scratch.path().join(name);
        let public = self.ok(&["component", "keygen", "--out", file.to_str().unwrap()]);
        (file, public.trim().to_owned())
    }

    /// Copies test component `name` into the scratch folder and signs it with `key`.
    fn signed(&self, name: &str, key: &Path) -> PathBuf {
        let file = self.scratch.path().join(format!("{name}.wasm"));
        std::fs::copy(test_component(name), &file).unwrap();
        self.ok(&[
            "component",
            "sign",
            file.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ]);
        file
    }

    fn list(&self) -> String {
        self.ok(&["component", "list"])
    }

    fn launch(&self, fake: &Fake) -> Launch {
        let mut launch = Launch::against(&fake.fake);
        launch.cache = Some(self.cache.path().to_owned());
        launch.env = vec![
            (
                "FLORA_MCP_DATA_DIR".to_owned(),
                self.data.path().display().to_string(),
            ),
            ("FLORA_MCP_WATCH_MS".to_owned(), "100".to_owned()),
        ];
        launch
    }
}

fn tool_names(server: &mut Server) -> Vec<String> {
    let list = server.request("tools/list", json!({}));
    list["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str().map(str::to_owned))
        .collect()
}

fn digest_of(file: &Path) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(std::fs::read(file).unwrap()))
}

#[test]
fn a_signed_update_from_a_trusted_key_is_installed_and_served() {
    let setup = Setup::new();
    let (key, public) = setup.key("publisher");
    setup.ok(&["component", "trust", &public]);
    let probe = setup.signed("egress_probe", &key);
    let installed = setup.ok(&["component", "install", probe.to_str().unwrap()]);
    assert!(installed.contains(&digest_of(&probe)), "{installed}");
    assert!(
        setup
            .list()
            .contains(&format!("{}  current", digest_of(&probe)))
    );
    assert!(
        setup.ok(&["status"]).contains("installed"),
        "status names the installed component"
    );
    assert!(setup.ok(&["component", "verify"]).starts_with("ok:"));

    let fake = Fake::start();
    let mut server = setup.launch(&fake).spawn();
    server.initialize();
    assert_eq!(tool_names(&mut server), ["fetch", "session"]);
}

#[test]
fn a_flipped_byte_a_wrong_key_and_a_missing_signature_are_each_refused() {
    let setup = Setup::new();
    let (trusted, public) = setup.key("trusted");
    let (stranger, _) = setup.key("stranger");
    setup.ok(&["component", "trust", &public]);

    let tampered = setup.signed("egress_probe", &trusted);
    let mut bytes = std::fs::read(&tampered).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&tampered, bytes).unwrap();
    let err = setup.refused(&["component", "install", tampered.to_str().unwrap()]);
    assert!(err.contains("does not match the component"), "{err}");

    let foreign = setup.signed("hostile", &stranger);
    let err = setup.refused(&["component", "install", foreign.to_str().unwrap()]);
    assert!(err.contains("does not trust"), "{err}");

    let unsigned = setup.scratch.path().join("unsigned.wasm");
    std::fs::copy(test_component("hostile"), &unsigned).unwrap();
    let err = setup.refused(&["component", "install", unsigned.to_str().unwrap()]);
    assert!(err.contains("no signature"), "{err}");
    assert!(setup.list().contains("no component is installed"));

    // Pinning the exact digest is the other way to trust it.
    setup.ok(&["component", "pin", &digest_of(&unsigned)]);
    setup.ok(&["component", "install", unsigned.to_str().unwrap()]);
    assert!(setup.list().contains("current"));
}

#[test]
fn an_incompatible_wit_version_or_an_extra_import_is_refused_before_it_runs() {
    let setup = Setup::new();
    let (key, public) = setup.key("publisher");
    setup.ok(&["component", "trust", &public]);
    let future = setup.signed("incompatible", &key);
    let err = setup.refused(&["component", "install", future.to_str().unwrap()]);
    assert!(
        err.contains("flora:mcp@2.0.0") && err.contains("flora:mcp@0.3.0"),
        "{err}"
    );
    let std_based = setup.signed("hostile_std", &key);
    let err = setup.refused(&["component", "install", std_based.to_str().unwrap()]);
    assert!(
        err.contains("wasi:cli/environment") && err.contains("does not grant"),
        "{err}"
    );
    assert!(setup.list().contains("no component is installed"));

    let fake = Fake::start();
    let mut launch = setup.launch(&fake);
    launch.args = vec!["--component".to_owned(), future.display().to_string()];
    let mut server = launch.spawn();
    let (status, _) = server.close();
    assert!(!status.success());
    assert!(
        server.stderr().contains("flora:mcp@2.0.0"),
        "{}",
        server.stderr()
    );
}

#[test]
fn a_crash_in_the_middle_of_an_install_leaves_the_old_component_in_place() {
    let setup = Setup::new();
    let (key, public) = setup.key("publisher");
    setup.ok(&["component", "trust", &public]);
    let old = setup.signed("egress_probe", &key);
    setup.ok(&["component", "install", old.to_str().unwrap()]);
    let new = setup.signed("hostile", &key);
    let crashed = setup.run(
        &["component", "install", new.to_str().unwrap()],
        &[("FLORA_MCP_FAILPOINT", "install-before-switch")],
    );
    assert!(
        !crashed.status.success(),
        "the failpoint should have aborted the install"
    );
    assert!(
        setup
            .list()
            .contains(&format!("{}  current", digest_of(&old))),
        "{}",
        setup.list()
    );

    let fake = Fake::start();
    let mut server = setup.launch(&fake).spawn();
    server.initialize();
    assert_eq!(tool_names(&mut server), ["fetch", "session"]);
}

#[test]
fn rollback_returns_to_the_previous_component() {
    let setup = Setup::new();
    let (key, public) = setup.key("publisher");
    setup.ok(&["component", "trust", &public]);
    let first = setup.signed("egress_probe", &key);
    let second = setup.signed("hostile", &key);
    setup.ok(&["component", "install", first.to_str().unwrap()]);
    setup.ok(&["component", "install", second.to_str().unwrap()]);
    let list = setup.list();
    assert!(
        list.contains(&format!("{}  current", digest_of(&second))),
        "{list}"
    );
    assert!(
        list.contains(&format!("{}  previous", digest_of(&first))),
        "{list}"
    );
    setup.ok(&["component", "rollback"]);
    let list = setup.list();
    assert!(
        list.contains(&format!("{}  current", digest_of(&first))),
        "{list}"
    );
    assert!(
        list.contains(&format!("{}  previous", digest_of(&second))),
        "{list}"
    );
}

#[test]
fn a_live_swap_lets_the_long_call_finish_on_the_old_component_and_the_next_use_the_new() {
    use fake_flora::Fault;
    let setup = Setup::new();
    let (key, public) = setup.key("publisher");
    setup.ok(&["component", "trust", &public]);
    let old = setup.signed("egress_probe", &key);
    let new = setup.signed("hostile", &key);
    setup.ok(&["component", "install", old.to_str().unwrap()]);

    let fake = Fake::start();
    let mut server = setup.launch(&fake).spawn();
    server.initialize();
    fake.fake
        .inject(Fault::new("GET", "/workspaces").delay(Duration::from_secs(3)));
    let id = 9001;
    let url = format!("{}/workspaces", fake.fake.base_url());
    let call = json!({ "jsonrpc": "2.0", "id": id, "method": "tools/call",
                       "params": { "name": "fetch", "arguments": { "url": url } } });
    server.send_line(&call.to_string());
    while fake.fake.requests().is_empty() {
        std::thread::sleep(Duration::from_millis(20));
    }
    setup.ok(&["component", "install", new.to_str().unwrap()]);

    let (mut changed, mut long_call) = (false, None::<Value>);
    let deadline = Instant::now() + Duration::from_secs(20);
    while (!changed || long_call.is_none()) && Instant::now() < deadline {
        let message = server.next_message();
        if message["method"] == "notifications/tools/list_changed" {
            changed = true;
        } else if message["id"] == id {
            long_call = Some(message);
        }
    }
    assert!(changed, "the client was not told the tool list changed");
    let long_call = long_call.expect("the long call finished");
    let report: Value =
        serde_json::from_str(&Server::text(&long_call["result"])).expect("the probe answered");
    assert_eq!(
        report["status"], 200,
        "the long call ended on the old component: {report}"
    );

    let names = tool_names(&mut server);
    assert!(names.contains(&"ok".to_owned()), "{names:?}");
    assert_eq!(Server::text(&server.call("ok", json!({}))), "ok");
}
