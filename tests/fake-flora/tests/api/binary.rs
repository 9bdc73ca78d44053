//! The `fake-flora` binary: one stdout line with the base URL, serving, and exit on stdin close
//! or SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn spawn(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-flora"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn fake-flora");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("read stdout");
    (child, line)
}

fn wait_for_exit(child: &mut Child) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("fake-flora did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn prints_its_url_serves_and_exits_when_stdin_closes() {
    let (mut child, line) = spawn(&["--exit-on-stdin-close"]);
    let base = line
        .trim_end()
        .strip_prefix("fake-flora listening on ")
        .unwrap_or_else(|| panic!("unexpected line: {line:?}"))
        .to_owned();
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/api/v1"),
        "{base}"
    );
    let reply = crate::support::client()
        .get(format!("{base}/workspaces"))
        .bearer_auth(fake_flora::DEFAULT_API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    drop(child.stdin.take());
    assert!(wait_for_exit(&mut child).success());
}

#[cfg(unix)]
#[test]
fn exits_on_sigterm() {
    let (mut child, line) = spawn(&[]);
    assert!(
        line.starts_with("fake-flora listening on http://127.0.0.1:"),
        "{line}"
    );
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(wait_for_exit(&mut child).success());
}

#[tokio::test]
async fn shutdown_is_prompt_and_closes_the_port() {
    let fake = fake_flora::FakeFlora::start(fake_flora::Config::default())
        .await
        .unwrap();
    let client = crate::support::client();
    let url = format!("{}/models", fake.base_url());
    let reply = client
        .get(&url)
        .bearer_auth(fake_flora::DEFAULT_API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let started = Instant::now();
    fake.shutdown().await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    let fresh = crate::support::client();
    assert!(
        fresh.get(&url).send().await.is_err(),
        "still serving after shutdown"
    );
}

#[tokio::test]
async fn keys_must_map_to_seeded_workspaces() {
    let mut config = fake_flora::Config::default();
    config
        .api_keys
        .insert("sk_test_x".into(), "ws_unknown".into());
    let error = fake_flora::FakeFlora::start(config)
        .await
        .err()
        .expect("refused");
    assert!(error.to_string().contains("ws_unknown"), "{error}");
}
