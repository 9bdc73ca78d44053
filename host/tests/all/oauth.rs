//! Signing in with OAuth against the fake authorization server: the flow through a scripted
//! browser, its refusals (state, iss, no S256, a taken port, no browser), refresh and its
//! faults, three processes refreshing at once, the CLI (`login`, `status`, `logout`), the
//! keychain's absence, and the canary that must never leave the host.

use crate::support::{Fake, Launch, Server, files_containing, origin_of, unique_service};
use fake_flora::{OAuthKnobs, OTHER_PROJECT_ID, OTHER_WORKSPACE_ID, SEED_PROJECT_ID};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The scripted browser that plays the person at the fake's sign-in page.
fn scripted_browser() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/browsers/scripted_browser.py")
}

/// A launch with no API key that may sign in through the scripted browser, which appends to
/// `log`.
fn signing_in(fake: &Fake, log: &Path) -> Launch {
    let mut launch = Launch::against(&fake.fake)
        .env("FLORA_MCP_NO_SIGN_IN", "0")
        .env("FLORA_MCP_SIGN_IN_TIMEOUT", "20")
        .env("BROWSER", scripted_browser().to_str().unwrap())
        .env("SCRIPTED_BROWSER_LOG", log.to_str().unwrap());
    launch.api_key = None;
    launch.sign_out_on_drop = true;
    launch
}

/// Signs out (deleting the stored sign-in) when dropped, so tests do not fill the kernel key
/// store of the machine that runs them.
struct SignOutAtEnd(Launch);

impl SignOutAtEnd {
    fn of(fake: &Fake, service: &str) -> SignOutAtEnd {
        let mut launch = Launch::against(&fake.fake);
        launch.api_key = None;
        launch.keychain_service = service.to_owned();
        SignOutAtEnd(launch)
    }
}

impl Drop for SignOutAtEnd {
    fn drop(&mut self) {
        let _ = cli(&self.0, &["logout"], "");
    }
}

fn browser_log(log: &Path) -> String {
    std::fs::read_to_string(log).unwrap_or_default()
}

/// The browser log once it contains `needle` (the browser may still be reading the callback
/// page when the tool call returns), or as it is after fifteen seconds.
/// How many times the scripted browser was opened.
fn browser_opens(log: &Path) -> usize {
    browser_log(log).matches("opened").count()
}

fn browser_log_with(log: &Path, needle: &str) -> String {
    let started = Instant::now();
    loop {
        let text = browser_log(log);
        if text.contains(needle) || started.elapsed() > Duration::from_secs(15) {
            return text;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn is_error(result: &Value) -> bool {
    result["isError"] == true
}

/// Runs `flora-mcp` with `args` and the environment of `launch`; (exit ok, stdout, stderr).
fn cli(launch: &Launch, args: &[&str], stdin: &str) -> (bool, String, String) {
    let home = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_flora-mcp"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("FLORA_BASE_URL", &launch.api_base)
        .env("FLORA_OAUTH_ISSUER", origin_of(&launch.api_base))
        .env("FLORA_MCP_KEYCHAIN", "keyutils")
        .env("FLORA_MCP_KEYCHAIN_SERVICE", &launch.keychain_service)
        .envs(launch.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(key) = &launch.api_key {
        command.env("FLORA_API_KEY", key);
    }
    let mut child = command.spawn().expect("spawn flora-mcp");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_first_tool_call_signs_in_in_the_browser_and_later_calls_are_silent() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("browser.log");
    let launch = signing_in(&fake, &log).env("SCRIPTED_BROWSER_WORKSPACE", OTHER_WORKSPACE_ID);
    let mut server = launch.spawn();
    server.initialize();

    let result = server.call("list_projects", json!({}));
    assert!(!is_error(&result), "{result}\n{}", server.stderr());
    let text = Server::text(&result);
    assert!(
        text.contains(OTHER_PROJECT_ID) && !text.contains(SEED_PROJECT_ID),
        "the workspace picked at sign-in is the default: {text}"
    );
    assert!(
        browser_log(&log).contains("Signed in to FLORA"),
        "{}",
        browser_log(&log)
    );

    let again = server.call("list_techniques", json!({}));
    assert!(!is_error(&again), "{again}");
    assert_eq!(browser_opens(&log), 1, "one sign-in only");
    let counters = fake.fake.oauth_counters();
    assert_eq!((counters.registrations, counters.code_exchanges), (1, 1));
    let authorized = fake
        .fake
        .requests()
        .iter()
        .filter(|r| {
            r.header("authorization")
                .is_some_and(|a| a.starts_with("Bearer fat_"))
        })
        .count();
    assert!(authorized >= 2, "API requests carry the OAuth access token");
}

#[test]
fn a_redirect_with_a_wrong_or_missing_state_is_refused() {
    for mode in ["wrong-state", "drop-state"] {
        let fake = Fake::start();
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("browser.log");
        let mut server = signing_in(&fake, &log)
            .env("SCRIPTED_BROWSER_MODE", mode)
            .spawn();
        server.initialize();
        let result = server.call("list_workspaces", json!({}));
        let text = Server::text(&result);
        assert!(is_error(&result), "{mode}: {text}");
        assert!(
            text.contains("state"),
            "{mode}: the refusal names the state: {text}"
        );
        let shown = browser_log_with(&log, "could not sign in");
        assert!(shown.contains("could not sign in"), "{mode}: {shown}");
        assert_eq!(fake.fake.oauth_counters().code_exchanges, 0, "{mode}");
    }
}

#[test]
fn a_redirect_whose_iss_does_not_match_is_refused() {
    let fake = Fake::start();
    fake.fake.set_oauth_knobs(OAuthKnobs {
        wrong_iss: Some("https://impostor.example".to_owned()),
        ..OAuthKnobs::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let mut server = signing_in(&fake, &dir.path().join("b.log")).spawn();
    server.initialize();
    let result = server.call("list_workspaces", json!({}));
    let text = Server::text(&result);
    assert!(is_error(&result) && text.contains("iss"), "{text}");
    assert!(text.contains("impostor.example"), "{text}");
    assert_eq!(fake.fake.oauth_counters().code_exchanges, 0);
}

#[test]
fn an_authorization_server_without_s256_is_refused_before_the_browser_opens() {
    let fake = Fake::start();
    fake.fake.set_oauth_knobs(OAuthKnobs {
        no_s256: true,
        ..OAuthKnobs::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("b.log");
    let mut server = signing_in(&fake, &log).spawn();
    server.initialize();
    let result = server.call("list_workspaces", json!({}));
    let text = Server::text(&result);
    assert!(is_error(&result) && text.contains("S256"), "{text}");
    assert!(browser_log(&log).is_empty(), "no browser was opened");
}

#[test]
fn a_callback_port_taken_by_another_program_is_named() {
    let fake = Fake::start();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("b.log");
    let mut server = signing_in(&fake, &log)
        .env("FLORA_MCP_OAUTH_CALLBACK_PORT", &port)
        .spawn();
    server.initialize();
    let result = server.call("list_workspaces", json!({}));
    let text = Server::text(&result);
    assert!(is_error(&result), "{text}");
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(text.contains("another program"), "{text}");
    assert!(browser_log(&log).is_empty());
}

#[test]
fn without_a_browser_the_url_reaches_the_person_but_never_the_tool_result() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();
    let mut launch = signing_in(&fake, &dir.path().join("b.log"))
        .env("BROWSER", "/nonexistent/browser")
        .env("FLORA_MCP_SIGN_IN_TIMEOUT", "3");
    launch.log = "info".to_owned();
    let mut server = launch.spawn();
    server.initialize();
    let result = server.call("list_workspaces", json!({}));
    let text = Server::text(&result);
    assert!(is_error(&result), "{text}");
    assert!(text.contains("within 3 s"), "the wait timed out: {text}");
    assert!(
        !text.contains("/authorize"),
        "no sign-in URL in the tool result: {text}"
    );
    let authorize = format!("{}/authorize?", fake.fake.origin());
    assert!(server.stderr().contains(&authorize), "{}", server.stderr());
    assert!(
        server.stderr().contains("/nonexistent/browser"),
        "{}",
        server.stderr()
    );
    let stdout = server.all_stdout();
    let notice = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|m| m["method"] == "notifications/message")
        .unwrap_or_else(|| panic!("a log notification carries the URL: {stdout}"));
    assert!(
        notice["params"]["data"]["url"]
            .as_str()
            .is_some_and(|u| u.starts_with(&authorize)),
        "{notice}"
    );
}

#[test]
fn an_expired_token_is_refreshed_and_the_rotated_refresh_token_is_kept() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("b.log");
    let mut server = signing_in(&fake, &log).spawn();
    server.initialize();
    assert!(!is_error(&server.call("list_workspaces", json!({}))));

    for round in 1..=2 {
        fake.fake.expire_access_tokens();
        // The host still thinks its token is fresh: FLORA's 401 marks it expired.
        let refused = server.call("list_workspaces", json!({}));
        let result = if is_error(&refused) {
            server.call("list_workspaces", json!({}))
        } else {
            refused
        };
        assert!(
            !is_error(&result),
            "round {round}: {result}\n{}",
            server.stderr()
        );
    }
    let counters = fake.fake.oauth_counters();
    assert_eq!(counters.refresh_requests, 2, "{counters:?}");
    assert_eq!(browser_opens(&log), 1, "no second sign-in");
}

#[test]
fn short_lived_tokens_are_refreshed_before_they_expire() {
    let fake = Fake::start();
    fake.fake.set_oauth_knobs(OAuthKnobs {
        access_token_ttl: 2,
        ..OAuthKnobs::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let mut server = signing_in(&fake, &dir.path().join("b.log")).spawn();
    server.initialize();
    assert!(!is_error(&server.call("list_workspaces", json!({}))));
    std::thread::sleep(Duration::from_millis(2100));
    let result = server.call("list_workspaces", json!({}));
    assert!(!is_error(&result), "{result}");
    assert_eq!(fake.fake.oauth_counters().refresh_requests, 1);
}

#[test]
fn a_refresh_answered_with_invalid_grant_means_one_new_sign_in() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("b.log");
    let mut server = signing_in(&fake, &log).spawn();
    server.initialize();
    assert!(!is_error(&server.call("list_workspaces", json!({}))));
    fake.fake.set_oauth_knobs(OAuthKnobs {
        next_refresh_invalid_grant: true,
        ..OAuthKnobs::default()
    });
    fake.fake.expire_access_tokens();
    let _ = server.call("list_workspaces", json!({}));
    let result = server.call("list_workspaces", json!({}));
    assert!(!is_error(&result), "{result}\n{}", server.stderr());
    assert_eq!(browser_opens(&log), 2, "exactly one new sign-in");
    assert_eq!(
        server.stderr().matches("signed out of FLORA").count(),
        1,
        "{}",
        server.stderr()
    );
}

#[test]
fn a_refresh_answered_with_503_keeps_the_sign_in_and_says_to_retry() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("b.log");
    let mut server = signing_in(&fake, &log).spawn();
    server.initialize();
    assert!(!is_error(&server.call("list_workspaces", json!({}))));
    fake.fake.set_oauth_knobs(OAuthKnobs {
        next_refresh_unavailable: 1,
        ..OAuthKnobs::default()
    });
    fake.fake.expire_access_tokens();
    let failed = server.call("list_workspaces", json!({}));
    let text = Server::text(&failed);
    assert!(
        is_error(&failed) && text.contains("503") && text.contains("kept"),
        "{text}"
    );
    let result = server.call("list_workspaces", json!({}));
    assert!(!is_error(&result), "the kept refresh token works: {result}");
    assert_eq!(fake.fake.oauth_counters().refresh_requests, 2);
    assert_eq!(browser_opens(&log), 1, "no new sign-in");
}

#[test]
fn three_processes_refreshing_at_once_send_one_refresh() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("b.log");
    let service = unique_service();
    let _out = SignOutAtEnd::of(&fake, &service);
    let launch = |fake: &Fake| {
        let mut launch = signing_in(fake, &log).env("FLORA_MCP_DATA_DIR", data.to_str().unwrap());
        launch.keychain_service = service.clone();
        launch.sign_out_on_drop = false;
        launch
    };
    let mut first = launch(&fake).spawn();
    first.initialize();
    assert!(!is_error(&first.call("list_workspaces", json!({}))));
    drop(first);

    fake.fake.set_oauth_knobs(OAuthKnobs {
        refresh_delay_ms: 500,
        ..OAuthKnobs::default()
    });
    fake.fake.expire_access_tokens();
    // The stored token still looks fresh: each process learns otherwise from FLORA's 401.
    let mut servers: Vec<Server> = (0..3).map(|_| launch(&fake).spawn()).collect();
    for server in &mut servers {
        server.initialize();
    }
    let started = Instant::now();
    let handles: Vec<_> = servers
        .into_iter()
        .map(|mut server| {
            std::thread::spawn(move || {
                let mut result = server.call("list_workspaces", json!({}));
                if is_error(&result) {
                    result = server.call("list_workspaces", json!({}));
                }
                (result, server.stderr())
            })
        })
        .collect();
    for handle in handles {
        let (result, stderr) = handle.join().unwrap();
        assert!(!is_error(&result), "{result}\n{stderr}");
    }
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(
        fake.fake.oauth_counters().refresh_requests,
        1,
        "exactly one refresh"
    );
    assert_eq!(browser_opens(&log), 1, "one sign-in in all");
}

#[test]
fn login_with_an_api_key_status_and_logout() {
    let fake = Fake::start();
    let mut launch = Launch::against(&fake.fake);
    launch.api_key = None;
    let key = fake_flora::OTHER_API_KEY;
    let (ok, out, err) = cli(&launch, &["login", "--api-key"], &format!("{key}\n"));
    assert!(ok, "{err}");
    assert!(out.contains("kernel keyutils"), "{out}");
    let (_, status, _) = cli(&launch, &["status"], "");
    assert!(
        status.contains("API key stored in the kernel keyutils store"),
        "{status}"
    );
    assert!(!status.contains(key) && !out.contains(key) && !err.contains(key));

    let mut serving = Launch::against(&fake.fake);
    serving.api_key = None;
    serving.keychain_service = launch.keychain_service.clone();
    let mut server = serving.spawn();
    server.initialize();
    let result = server.call("list_projects", json!({}));
    assert!(Server::text(&result).contains(OTHER_PROJECT_ID), "{result}");
    drop(server);

    let (ok, out, err) = cli(&launch, &["logout"], "");
    assert!(
        ok && out.contains("deleted the stored API key"),
        "{out}{err}"
    );
    let (_, status, _) = cli(&launch, &["status"], "");
    assert!(status.contains("credential  none"), "{status}");
}

#[test]
fn login_signs_in_status_tells_who_and_logout_revokes() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("b.log");
    let launch = signing_in(&fake, &log).env("SCRIPTED_BROWSER_WORKSPACE", OTHER_WORKSPACE_ID);
    let (ok, out, err) = cli(&launch, &["login"], "");
    assert!(ok, "{err}");
    assert!(
        out.contains("person@example.com") && out.contains(OTHER_WORKSPACE_ID),
        "{out}"
    );
    let (_, status, _) = cli(&launch, &["status"], "");
    assert!(
        status.contains("OAuth sign-in as person@example.com"),
        "{status}"
    );
    assert!(status.contains("expires in"), "{status}");
    assert!(
        status.contains(&format!("{OTHER_WORKSPACE_ID} (picked at sign-in)")),
        "{status}"
    );
    assert!(
        !status.contains("fat_") && !status.contains("frt_"),
        "{status}"
    );

    let (ok, out, err) = cli(&launch, &["logout"], "");
    assert!(ok && out.contains("revoked"), "{out}{err}");
    assert_eq!(fake.fake.oauth_counters().revocations, 1);
    let (_, status, _) = cli(&launch, &["status"], "");
    assert!(status.contains("credential  none"), "{status}");
}

#[test]
fn an_absent_keychain_is_named_with_the_fallback_tried() {
    let fake = Fake::start();
    let mut launch = Launch::against(&fake.fake)
        .env("FLORA_MCP_KEYCHAIN", "secret-service")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/flora-mcp-test-bus",
        );
    launch.api_key = None;
    let (ok, _, err) = cli(
        &launch,
        &["login", "--api-key"],
        "sk_test_fake_0000000000000000\n",
    );
    assert!(!ok);
    assert!(
        err.contains("no usable keychain") && err.contains("Secret Service"),
        "{err}"
    );
    assert!(!err.contains("sk_test_fake_0000000000000000"), "{err}");

    // Left to choose, it falls back to the kernel store and says so.
    let auto = Launch::against(&fake.fake)
        .env("FLORA_MCP_KEYCHAIN", "")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/flora-mcp-test-bus",
        );
    let mut auto = auto;
    auto.api_key = None;
    let (ok, out, err) = cli(
        &auto,
        &["login", "--api-key"],
        "sk_test_fake_0000000000000000\n",
    );
    assert!(ok && out.contains("kernel keyutils"), "{out}{err}");
    let _ = cli(&auto, &["logout"], "");
}

#[test]
fn the_oauth_tokens_never_reach_the_guest_mcp_output_logs_or_files() {
    const CANARY: &str = "CANARYtok3nXYZ";
    let fake = Fake::start();
    fake.fake.set_oauth_knobs(OAuthKnobs {
        canary: Some(CANARY.to_owned()),
        ..OAuthKnobs::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut launch = signing_in(&fake, &dir.path().join("b.log"))
        .env("FLORA_MCP_DATA_DIR", data.to_str().unwrap());
    launch.log = "trace".to_owned();
    let mut server = launch.spawn();
    server.initialize();
    for tool in ["list_workspaces", "list_projects", "list_techniques"] {
        let result = server.call(tool, json!({}));
        assert!(!is_error(&result), "{tool}: {result}");
    }
    fake.fake.expire_access_tokens();
    let _ = server.call("list_workspaces", json!({}));
    assert!(!is_error(&server.call("list_workspaces", json!({}))));
    assert!(fake.fake.oauth_counters().refresh_requests >= 1);
    // The guest-visible session and everything the process wrote.
    let stdout = server.all_stdout();
    let stderr = server.stderr();
    server.close();
    assert!(!stdout.contains(CANARY), "MCP output");
    assert!(!stderr.contains(CANARY), "stderr at trace");
    assert!(files_containing(&data, CANARY).is_empty(), "data folder");
    assert!(
        files_containing(server.home(), CANARY).is_empty(),
        "home folder"
    );
}

#[test]
fn a_sign_in_is_kept_in_a_real_secret_service_and_logout_removes_it() {
    for tool in ["dbus-run-session", "gnome-keyring-daemon", "secret-tool"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            found,
            "{tool} is missing: apt-get install dbus gnome-keyring libsecret-tools"
        );
    }
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("b.log");
    let service = unique_service();
    // One private D-Bus session with an unlocked GNOME Keyring; nothing of the desktop's.
    let script = r#"
        printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 20
        "$FLORA_MCP" login || exit 21
        "$FLORA_MCP" status || exit 22
        echo "stored: $(secret-tool lookup service "$FLORA_MCP_KEYCHAIN_SERVICE" \
            username "$FLORA_BASE_URL" | cut -c1-16)"
        "$FLORA_MCP" logout || exit 23
        echo "after: $(secret-tool lookup service "$FLORA_MCP_KEYCHAIN_SERVICE" \
            username "$FLORA_BASE_URL")."
    "#;
    let out = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", script])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("FLORA_MCP", env!("CARGO_BIN_EXE_flora-mcp"))
        .env("FLORA_BASE_URL", fake.fake.base_url())
        .env("FLORA_OAUTH_ISSUER", fake.fake.origin())
        .env("FLORA_MCP_KEYCHAIN", "secret-service")
        .env("FLORA_MCP_KEYCHAIN_SERVICE", &service)
        .env("FLORA_MCP_DATA_DIR", dir.path().join("data"))
        .env("BROWSER", scripted_browser())
        .env("SCRIPTED_BROWSER_LOG", &log)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("Signed in to FLORA as person@example.com"),
        "{stdout}"
    );
    assert!(
        stdout.contains("OAuth sign-in as person@example.com")
            && stdout.contains("stored in the Secret Service"),
        "{stdout}"
    );
    assert!(stdout.contains(r#"stored: {"kind":"oauth""#), "{stdout}");
    assert!(stdout.contains("after: ."), "logout deleted it: {stdout}");
    assert_eq!(fake.fake.oauth_counters().revocations, 1);
}

#[test]
fn tokens_longer_than_one_keychain_entry_are_split_and_read_back() {
    let fake = Fake::start();
    // Each token the fake issues carries this 1200-character canary: the stored sign-in spans
    // several keychain entries, as it must under the Windows Credential Manager's size limit.
    fake.fake.set_oauth_knobs(OAuthKnobs {
        canary: Some("L".repeat(1200)),
        ..OAuthKnobs::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("b.log");
    let service = unique_service();
    let _out = SignOutAtEnd::of(&fake, &service);
    let launch = |fake: &Fake| {
        let mut launch = signing_in(fake, &log);
        launch.keychain_service = service.clone();
        launch.sign_out_on_drop = false;
        launch
    };
    let mut first = launch(&fake).spawn();
    first.initialize();
    assert!(!is_error(&first.call("list_workspaces", json!({}))));
    drop(first);

    // A new process reads the split sign-in back and needs no browser.
    let mut second = launch(&fake).spawn();
    second.initialize();
    let result = second.call("list_workspaces", json!({}));
    assert!(!is_error(&result), "{result}\n{}", second.stderr());
    assert_eq!(browser_opens(&log), 1);
    let (_, status, _) = cli(&launch(&fake), &["status"], "");
    assert!(
        status.contains("OAuth sign-in as person@example.com"),
        "{status}"
    );
    let (ok, out, _) = cli(&launch(&fake), &["logout"], "");
    assert!(ok && out.contains("revoked"), "{out}");
}

#[test]
fn three_processes_needing_a_sign_in_at_once_open_one_browser() {
    let fake = Fake::start();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("b.log");
    let service = unique_service();
    let _out = SignOutAtEnd::of(&fake, &service);
    let mut servers: Vec<Server> = (0..3)
        .map(|_| {
            let mut launch =
                signing_in(&fake, &log).env("FLORA_MCP_DATA_DIR", data.to_str().unwrap());
            launch.keychain_service = service.clone();
            launch.sign_out_on_drop = false;
            let mut server = launch.spawn();
            server.initialize();
            server
        })
        .collect();
    let handles: Vec<_> = servers
        .drain(..)
        .map(|mut server| {
            std::thread::spawn(move || {
                let result = server.call("list_workspaces", json!({}));
                (result, server.stderr())
            })
        })
        .collect();
    for handle in handles {
        let (result, stderr) = handle.join().unwrap();
        assert!(!is_error(&result), "{result}\n{stderr}");
    }
    assert_eq!(browser_opens(&log), 1, "one browser window");
    assert_eq!(fake.fake.oauth_counters().code_exchanges, 1);
}
