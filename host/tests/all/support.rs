//! Test support: a JSON-RPC client for the `flora-mcp` binary and the fake FLORA it talks to.

use fake_flora::{Config, FakeFlora};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long any single answer may take before a test fails.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// A fake FLORA on its own runtime, alive as long as this value.
pub struct Fake {
    pub fake: FakeFlora,
    _runtime: tokio::runtime::Runtime,
}

impl Fake {
    pub fn start() -> Fake {
        let runtime = tokio::runtime::Runtime::new().expect("start a runtime for the fake");
        let fake = runtime
            .block_on(FakeFlora::start(Config::default()))
            .expect("start the fake");
        Fake {
            fake,
            _runtime: runtime,
        }
    }
}

/// A server against `fake` with extra command-line `args`, initialized.
pub fn started_with(fake: &Fake, args: &[&str]) -> Server {
    let mut launch = Launch::against(&fake.fake);
    launch.args = args.iter().map(|a| a.to_string()).collect();
    let mut server = launch.spawn();
    server.initialize();
    server
}

/// Where the test component `name` (file stem, such as `egress_probe`) is built.
pub fn test_component(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!(
        "../target/test-components/wasm32-wasip2/release/{name}.wasm"
    ));
    let hint = "build the test components first: just build-guest";
    assert!(path.is_file(), "{hint} ({})", path.display());
    path
}

/// The egress probe component.
pub fn probe_component() -> PathBuf {
    test_component("egress_probe")
}

/// A running `flora-mcp` process.
pub struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    /// Every stdout line so far.
    pub stdout: Arc<Mutex<Vec<String>>>,
    /// Everything written to stderr so far.
    pub stderr: Arc<Mutex<String>>,
    next_id: i64,
    _home: tempfile::TempDir,
    /// (API base, keychain service) to sign out of when dropped.
    sign_out: Option<(String, String)>,
}

/// How to start the server.
pub struct Launch {
    pub api_base: String,
    pub api_key: Option<String>,
    pub args: Vec<String>,
    pub log: String,
    /// The compiled-component cache folder; one shared by all tests of this run when `None`.
    pub cache: Option<PathBuf>,
    /// More environment variables (they win over the defaults below).
    pub env: Vec<(String, String)>,
    /// The keychain service name: one of its own per launch unless a test shares one.
    pub keychain_service: String,
    /// Delete what this server stored in the keychain when it is dropped (tests that sign in
    /// and do not share the sign-in with another process).
    pub sign_out_on_drop: bool,
}

/// `http://127.0.0.1:PORT` of a fake's base URL.
pub fn origin_of(api_base: &str) -> String {
    api_base.trim_end_matches("/api/v1").to_owned()
}

/// A keychain service name no other test uses.
pub fn unique_service() -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("flora-mcp-test-{}-{n}", std::process::id())
}

/// A cache folder shared by every server this test run starts, so each compiles the component
/// at most once.
fn shared_cache() -> PathBuf {
    static CACHE: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    CACHE
        .get_or_init(|| tempfile::tempdir().expect("temp dir"))
        .path()
        .to_owned()
}

/// Compiles the built-in component into the shared cache once, before the first server that
/// uses it starts: otherwise every test starting at the same moment compiles it at once, and
/// on a loaded machine some wait longer than [`ANSWER_TIMEOUT`] for their first answer.
fn warm_shared_cache(cache: &std::path::Path) {
    static WARM: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    WARM.get_or_init(|| {
        let home = tempfile::tempdir().expect("temp dir");
        // With standard input closed the server loads (and caches) the component, then exits.
        let status = Command::new(env!("CARGO_BIN_EXE_flora-mcp"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("XDG_CACHE_HOME", cache)
            .env("FLORA_BASE_URL", "http://127.0.0.1:9/api/v1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run flora-mcp to warm the compile cache");
        assert!(
            status.success(),
            "warming the compile cache failed: {status}"
        );
    });
}

impl Launch {
    /// Against `fake` with its default key.
    pub fn against(fake: &FakeFlora) -> Launch {
        Launch {
            api_base: fake.base_url(),
            api_key: Some(fake_flora::DEFAULT_API_KEY.to_owned()),
            args: Vec::new(),
            log: "debug".to_owned(),
            cache: None,
            env: Vec::new(),
            keychain_service: unique_service(),
            sign_out_on_drop: false,
        }
    }

    /// Adds an environment variable.
    pub fn env(mut self, key: &str, value: &str) -> Launch {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    pub fn spawn(self) -> Server {
        let home = tempfile::tempdir().expect("temp dir");
        let cache = self.cache.clone().unwrap_or_else(shared_cache);
        if self.cache.is_none() {
            warm_shared_cache(&cache);
        }
        let mut command = Command::new(env!("CARGO_BIN_EXE_flora-mcp"));
        command
            .args(&self.args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("XDG_CACHE_HOME", &cache)
            .env("FLORA_BASE_URL", &self.api_base)
            .env("FLORA_MCP_LOG", &self.log)
            // Tests keep their secrets in the kernel keyutils store under a service name of
            // their own, and never open a browser unless they say so.
            .env("FLORA_MCP_KEYCHAIN", "keyutils")
            .env("FLORA_MCP_KEYCHAIN_SERVICE", &self.keychain_service)
            .env("FLORA_MCP_NO_SIGN_IN", "1")
            // Never the real authorization server, even as a fallback.
            .env("FLORA_OAUTH_ISSUER", origin_of(&self.api_base))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(key) = &self.api_key {
            command.env("FLORA_API_KEY", key);
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        let mut child = command.spawn().expect("spawn flora-mcp");
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut stderr = BufReader::new(child.stderr.take().unwrap());

        let (tx, lines) = channel();
        let all_stdout = Arc::new(Mutex::new(Vec::new()));
        let seen = all_stdout.clone();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                seen.lock().unwrap().push(line.clone());
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let all_stderr = Arc::new(Mutex::new(String::new()));
        let sink = all_stderr.clone();
        std::thread::spawn(move || {
            let mut line = String::new();
            while stderr.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                sink.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        Server {
            child,
            stdin,
            lines,
            stdout: all_stdout,
            stderr: all_stderr,
            next_id: 1,
            _home: home,
            sign_out: self
                .sign_out_on_drop
                .then(|| (self.api_base.clone(), self.keychain_service.clone())),
        }
    }
}

impl Server {
    /// Writes one raw line to stdin.
    pub fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        writeln!(stdin, "{line}").expect("write to flora-mcp");
        stdin.flush().unwrap();
    }

    /// The next stdout line as JSON; every stdout line must be a JSON-RPC 2.0 message.
    pub fn next_message(&mut self) -> Value {
        let line = match self.lines.recv_timeout(ANSWER_TIMEOUT) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => panic!("no answer; stderr:\n{}", self.stderr()),
            Err(RecvTimeoutError::Disconnected) => {
                panic!("stdout closed; stderr:\n{}", self.stderr())
            }
        };
        let value: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
        assert_eq!(value["jsonrpc"], "2.0", "not JSON-RPC: {line}");
        value
    }

    /// Sends a request and returns its response, skipping notifications.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let line = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        self.send_line(&line.to_string());
        self.response_to(id)
    }

    /// Waits for the response with `id`.
    pub fn response_to(&mut self, id: i64) -> Value {
        loop {
            let message = self.next_message();
            if message["id"] == id {
                return message;
            }
        }
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        let line = json!({ "jsonrpc": "2.0", "method": method, "params": params });
        self.send_line(&line.to_string());
    }

    /// `initialize` with `version`, then `notifications/initialized`.
    pub fn initialize_with(&mut self, version: &str) -> Value {
        let params = json!({
            "protocolVersion": version,
            "capabilities": {},
            "clientInfo": { "name": "flora-mcp-tests", "version": "0" },
        });
        let response = self.request("initialize", params);
        self.notify("notifications/initialized", json!({}));
        response
    }

    pub fn initialize(&mut self) -> Value {
        self.initialize_with("2025-06-18")
    }

    /// `tools/call` and its `result` (panics on a protocol error).
    pub fn call(&mut self, tool: &str, arguments: Value) -> Value {
        let response = self.request(
            "tools/call",
            json!({ "name": tool, "arguments": arguments }),
        );
        assert!(
            response.get("error").is_none(),
            "{tool} gave a protocol error: {response}"
        );
        response["result"].clone()
    }

    /// The text of a tool result's first content block.
    pub fn text(result: &Value) -> String {
        result["content"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Closes stdin and waits for the process to exit, returning its status and how long it took.
    pub fn close(&mut self) -> (std::process::ExitStatus, Duration) {
        drop(self.stdin.take());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status, started.elapsed());
            }
            // Generous: a refused component is compiled before its imports are checked, which
            // takes seconds in a debug build on a loaded machine. Tests that care how fast the
            // process exits check the returned duration.
            if started.elapsed() > Duration::from_secs(30) {
                let _ = self.child.kill();
                panic!("flora-mcp did not exit after stdin closed");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The process's `HOME` folder.
    pub fn home(&self) -> &std::path::Path {
        self._home.path()
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub fn all_stdout(&self) -> String {
        self.stdout.lock().unwrap().join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some((api_base, service)) = &self.sign_out {
            let _ = Command::new(env!("CARGO_BIN_EXE_flora-mcp"))
                .arg("logout")
                .env_clear()
                .env("HOME", self._home.path())
                .env("FLORA_BASE_URL", api_base)
                .env("FLORA_MCP_KEYCHAIN", "keyutils")
                .env("FLORA_MCP_KEYCHAIN_SERVICE", service)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// Every file below `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &std::path::Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path)
                && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
            {
                found.push(path);
            }
        }
    }
    found
}

/// Calls `tool` and returns its text and structured content, failing the test on an error
/// result.
pub fn ok(server: &mut Server, tool: &str, arguments: Value) -> (String, Value) {
    let result = server.call(tool, arguments);
    assert_ne!(result["isError"], true, "{tool} failed: {result}");
    (Server::text(&result), result["structuredContent"].clone())
}

/// Calls `tool` and returns its text, failing the test unless the result is an error.
pub fn failed(server: &mut Server, tool: &str, arguments: Value) -> String {
    let result = server.call(tool, arguments);
    assert_eq!(
        result["isError"], true,
        "{tool} should have failed: {result}"
    );
    Server::text(&result)
}

/// Calls `tool` expecting a JSON-RPC error, and returns its message.
pub fn refused(server: &mut Server, tool: &str, arguments: Value) -> String {
    let response = server.request(
        "tools/call",
        json!({ "name": tool, "arguments": arguments }),
    );
    assert!(
        response.get("error").is_some(),
        "{tool} was not refused: {response}"
    );
    response["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Calls `tool` with a progress token and returns the progress values reported and the
/// response.
pub fn call_with_progress(
    server: &mut Server,
    id: i64,
    tool: &str,
    arguments: Value,
) -> (Vec<f64>, Value) {
    let call = json!({
        "jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": { "name": tool, "arguments": arguments,
                    "_meta": { "progressToken": format!("tok-{id}") } },
    });
    server.send_line(&call.to_string());
    let mut progress = Vec::new();
    loop {
        let message = server.next_message();
        if message["method"] == "notifications/progress" {
            assert_eq!(message["params"]["progressToken"], format!("tok-{id}"));
            progress.push(message["params"]["progress"].as_f64().unwrap());
        } else if message["id"] == id {
            return (progress, message);
        }
    }
}

/// The `resource_link` content blocks of a result.
pub fn links(result: &Value) -> Vec<Value> {
    result["content"]
        .as_array()
        .map(|c| {
            c.iter()
                .filter(|b| b["type"] == "resource_link")
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// Starts `tool` with `arguments` on a server that runs one call at a time, cancels it after
/// its first progress notification, and checks that a next call is answered within a second:
/// with a single slot, that answer proves the waiting call has ended.
pub fn cancelling_ends_the_call_within_a_second(fake: &Fake, tool: &str, arguments: Value) {
    let mut server = started_with(fake, &["--max-concurrent-calls", "1"]);
    let call = json!({
        "jsonrpc": "2.0", "id": 41, "method": "tools/call",
        "params": { "name": tool, "arguments": arguments, "_meta": { "progressToken": 41 } },
    });
    server.send_line(&call.to_string());
    while server.next_message()["method"] != "notifications/progress" {}
    server.notify("notifications/cancelled", json!({ "requestId": 41 }));
    let started = Instant::now();
    let next = server.request(
        "tools/call",
        json!({ "name": "list_models", "arguments": {} }),
    );
    assert_ne!(next["result"]["isError"], true, "{next}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{tool} took {:?} to end",
        started.elapsed()
    );
}
