//! A small MCP client over stdio, for measuring servers rather than using them: it spawns a
//! server with a clean environment, performs the handshake, sends JSON-RPC requests from any
//! number of threads with answers matched by id, reads the server's resident memory while it
//! runs, and reaps it with its wall time and peak RSS.

use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, mpsc};
use std::time::{Duration, Instant};

/// The MCP revision the bench asks for; both servers speak it.
pub const PROTOCOL_VERSION: &str = "2025-06-18";

/// How to start one server.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Name in messages and the table.
    pub label: String,
    /// The executable.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<String>,
    /// Its whole environment: nothing is inherited.
    pub env: Vec<(String, String)>,
    /// Where its standard error is appended.
    pub log: PathBuf,
}

/// How a server ended.
#[derive(Debug, Clone, Copy)]
pub struct Exit {
    /// From just before the spawn to the moment it was reaped.
    pub wall: Duration,
    /// Its peak resident set, in KiB (`ru_maxrss`).
    pub peak_rss_kib: u64,
    /// Whether it exited with status 0.
    pub success: bool,
}

type Pending = Arc<Mutex<HashMap<u64, mpsc::Sender<Value>>>>;

/// A running server and the client end of its stdio.
pub struct Server {
    label: String,
    child: Child,
    stdin: Mutex<Option<ChildStdin>>,
    pending: Pending,
    next_id: AtomicU64,
    spawned: Instant,
    reaped: bool,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Server {
    /// Starts the server of `spec`; the clock of [`Exit::wall`] starts here.
    ///
    /// # Errors
    /// Fails when the program cannot be started or its log cannot be opened.
    pub fn spawn(spec: &Spec) -> anyhow::Result<Server> {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&spec.log)
            .with_context(|| format!("open the log {}", spec.log.display()))?;
        let mut command = Command::new(&spec.program);
        command
            .args(&spec.args)
            .env_clear()
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log);
        let spawned = Instant::now();
        let mut child = command
            .spawn()
            .with_context(|| format!("start {} ({})", spec.label, spec.program.display()))?;
        let stdout = child
            .stdout
            .take()
            .context("the server has no stdout pipe")?;
        let stdin = child.stdin.take().context("the server has no stdin pipe")?;
        let pending = Pending::default();
        let answers = pending.clone();
        std::thread::Builder::new()
            .name(format!("read {}", spec.label))
            .spawn(move || read_answers(stdout, &answers))
            .context("start the reader thread")?;
        Ok(Server {
            label: spec.label.clone(),
            child,
            stdin: Mutex::new(Some(stdin)),
            pending,
            next_id: AtomicU64::new(1),
            spawned,
            reaped: false,
        })
    }

    /// Starts the server and performs the MCP handshake.
    ///
    /// # Errors
    /// Fails when the server does not start or does not answer `initialize`.
    pub fn start(spec: &Spec, timeout: Duration) -> anyhow::Result<Server> {
        let server = Server::spawn(spec)?;
        server.handshake(timeout)?;
        Ok(server)
    }

    /// Time since just before the spawn.
    pub fn elapsed(&self) -> Duration {
        self.spawned.elapsed()
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `initialize`, then `notifications/initialized`.
    ///
    /// # Errors
    /// Fails when the server does not answer in time or answers with an error.
    pub fn handshake(&self, timeout: Duration) -> anyhow::Result<()> {
        let params = json!({
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": { "name": "flora-bench", "version": env!("CARGO_PKG_VERSION") },
        });
        self.request("initialize", params, timeout)?;
        self.notify("notifications/initialized")
    }

    /// Sends request `method` and waits for its answer's `result`.
    ///
    /// # Errors
    /// Fails on a JSON-RPC error, a closed server or no answer within `timeout`.
    pub fn request(&self, method: &str, params: Value, timeout: Duration) -> anyhow::Result<Value> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel();
        lock(&self.pending).insert(id, tx);
        let message = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        if let Err(err) = self.send(&message) {
            lock(&self.pending).remove(&id);
            return Err(err);
        }
        let answer = match rx.recv_timeout(timeout) {
            Ok(answer) => answer,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                lock(&self.pending).remove(&id);
                bail!("{} did not answer {method} within {timeout:?}", self.label)
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                bail!("{} closed its output before answering {method}", self.label)
            }
        };
        if let Some(error) = answer.get("error") {
            bail!("{} answered {method} with an error: {error}", self.label);
        }
        answer
            .get("result")
            .cloned()
            .with_context(|| format!("{} answered {method} without a result", self.label))
    }

    /// Calls tool `name` and checks that the result is not an error and mentions `expect`.
    ///
    /// # Errors
    /// Fails when the request fails, the tool reports an error, or `expect` is missing.
    pub fn call_tool(
        &self,
        name: &str,
        arguments: &Value,
        expect: &str,
        timeout: Duration,
    ) -> anyhow::Result<()> {
        let params = json!({ "name": name, "arguments": arguments });
        let result = self.request("tools/call", params, timeout)?;
        let text = result.to_string();
        if result.get("isError").and_then(Value::as_bool) == Some(true) {
            bail!("{}'s {name} reported an error: {}", self.label, clip(&text));
        }
        if !text.contains(expect) {
            bail!(
                "{}'s {name} answered without {expect:?}: {}",
                self.label,
                clip(&text)
            );
        }
        Ok(())
    }

    /// Sends notification `method` without parameters.
    ///
    /// # Errors
    /// Fails when the server's stdin is closed.
    pub fn notify(&self, method: &str) -> anyhow::Result<()> {
        self.send(&json!({ "jsonrpc": "2.0", "method": method }))
    }

    fn send(&self, message: &Value) -> anyhow::Result<()> {
        let mut line = serde_json::to_vec(message)?;
        line.push(b'\n');
        let mut stdin = lock(&self.stdin);
        let pipe = stdin
            .as_mut()
            .with_context(|| format!("{}'s stdin is already closed", self.label))?;
        pipe.write_all(&line)
            .and_then(|()| pipe.flush())
            .with_context(|| format!("write to {}", self.label))
    }

    /// The server's resident set now, in KiB.
    ///
    /// # Errors
    /// Fails when `/proc` has no such process or no `VmRSS` line.
    pub fn rss_kib(&self) -> anyhow::Result<u64> {
        let path = format!("/proc/{}/status", self.pid());
        let status = std::fs::read_to_string(&path).with_context(|| format!("read {path}"))?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .with_context(|| format!("no VmRSS in {path}"))
    }

    /// The server's peak resident set so far (`VmHWM`), in KiB. Unlike the `ru_maxrss` that
    /// [`Server::finish`] reports, it does not count pages the child held between fork and
    /// exec, which are the bench's own and grow as the bench does.
    ///
    /// # Errors
    /// Fails when `/proc` has no such process or no `VmHWM` line.
    pub fn peak_rss_kib(&self) -> anyhow::Result<u64> {
        let path = format!("/proc/{}/status", self.pid());
        let status = std::fs::read_to_string(&path).with_context(|| format!("read {path}"))?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .with_context(|| format!("no VmHWM in {path}"))
    }

    /// Closes stdin and waits up to `timeout` for the server to exit on its own; a server that
    /// does not is killed and reported as an error.
    ///
    /// # Errors
    /// Fails when the server outlives `timeout` or cannot be waited for.
    pub fn finish(mut self, timeout: Duration) -> anyhow::Result<Exit> {
        drop(lock(&self.stdin).take());
        let deadline = Instant::now() + timeout;
        let pid = i32::try_from(self.pid()).context("process id out of range")?;
        loop {
            if let Some((status, peak_rss_kib)) = try_reap(pid)? {
                self.reaped = true;
                return Ok(Exit {
                    wall: self.spawned.elapsed(),
                    peak_rss_kib,
                    success: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
                });
            }
            if Instant::now() > deadline {
                bail!(
                    "{} did not exit within {timeout:?} of stdin closing",
                    self.label
                );
            }
            std::thread::sleep(Duration::from_micros(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if !self.reaped {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Reaps child `pid` if it has exited: its wait status and peak RSS in KiB.
fn try_reap(pid: i32) -> anyhow::Result<Option<(i32, u64)>> {
    let mut status = 0;
    // SAFETY: `rusage` is plain old data for which all-zero bytes are a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are to live, writable locals; `pid` is a child of this process
    // that nothing else waits for.
    let reaped = unsafe { libc::wait4(pid, &raw mut status, libc::WNOHANG, &raw mut usage) };
    match reaped {
        0 => Ok(None),
        -1 => Err(std::io::Error::last_os_error()).context("wait for the server"),
        _ => Ok(Some((status, u64::try_from(usage.ru_maxrss).unwrap_or(0)))),
    }
}

/// Hands every answer on `stdout` to the request waiting for its id; skips notifications and
/// anything that is not JSON. When the server closes stdout, waiting requests fail at once.
fn read_answers(stdout: ChildStdout, pending: &Pending) {
    for line in BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        let Ok(message) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if message.get("method").is_some() {
            continue;
        }
        if let Some(id) = message.get("id").and_then(Value::as_u64)
            && let Some(waiting) = lock(pending).remove(&id)
        {
            let _ = waiting.send(message);
        }
    }
    lock(pending).clear();
}

/// The first 300 characters of `text`, for error messages.
fn clip(text: &str) -> String {
    text.chars().take(300).collect()
}
