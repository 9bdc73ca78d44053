//! `flora-bench`: measures `flora-mcp` side by side with the official FLORA MCP server
//! (`flora-mcp@0.11.0` from npm) against a local fake FLORA, checks each line against
//! `tests/bench/budgets.toml`, prints the table, and writes it to `target/bench/latest.json` and
//! `target/bench/latest.md`. `just bench` builds the binaries, installs the official server and
//! runs this.
//!
//! Everything stays on 127.0.0.1: the fake FLORA is started here and both MCP servers talk to it
//! alone. Every loop is bounded in count and time. Over-budget lines are reported, not failed:
//! the process exits 0 unless measuring `flora-mcp` itself breaks.

mod budgets;
mod inprocess;
mod mcp;
mod report;
mod servers;
mod stats;
mod uploads;

use anyhow::{Context, anyhow, bail};
use inprocess::{Allocator, BareGet, HostRuntime};
use mcp::{Server, Spec};
use report::Metric;
use serde_json::json;
use servers::{OfficialMode, Paths, ToolCall};
use stats::{Summary, summarize};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Measured cold starts of each server (after one unmeasured warm-up each).
const COLD_RUNS: usize = 10;
/// First starts of flora-mcp with no compile cache.
const NO_CACHE_RUNS: usize = 3;
/// Rounds of the round-trip phase; each round runs every contender in turn.
const ROUNDS: usize = 7;
/// flora-mcp tool calls and bare GETs per round.
const FAST_CALLS_PER_ROUND: usize = 200;
/// Official `search_docs` calls per round.
const DOCS_CALLS_PER_ROUND: usize = 10;
/// Calls per in-process measurement.
const IN_PROCESS_CALLS: usize = 2_000;
/// Calls in flight in the throughput phase.
const CONCURRENCY: usize = 8;
/// Calls before the first RSS reading.
const FIRST_CALLS: usize = 1_000;
/// Calls before the second RSS reading.
const TOTAL_CALLS: usize = 10_000;
/// Official `execute` calls in its throughput run: each one starts a Deno process.
const OFFICIAL_THROUGHPUT_CALLS: usize = 16;

pub(crate) const START_TIMEOUT: Duration = Duration::from_secs(60);
const CALL_TIMEOUT: Duration = Duration::from_secs(30);
const OFFICIAL_CALL_TIMEOUT: Duration = Duration::from_secs(180);
pub(crate) const EXIT_TIMEOUT: Duration = Duration::from_secs(15);

const MIB: f64 = 1024.0 * 1024.0;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("flora-bench: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let paths = Paths::from_workspace();
    let budget_file = paths.root.join("tests/bench/budgets.toml");
    let budgets = budgets::load(&budget_file)?;
    prepare(&paths)?;
    for binary in ["flora-mcp", "fake-flora"] {
        if !paths.release_binary(binary).is_file() {
            bail!("target/release/{binary} is missing: run `just bench`, which builds it");
        }
    }
    let fake = Fake::start(&paths)?;
    let base = fake.base.clone();
    say(&format!("fake FLORA at {base}"));
    let official = Official::probe(&paths, &base);
    if let Some(reason) = &official.missing {
        say(&format!(
            "the official server will not be measured: {reason}"
        ));
    }

    let mut metrics = Vec::new();
    cold_starts(&paths, &base, &official, &mut metrics)?;
    round_trips(&paths, &base, &official, &mut metrics)?;
    throughput(&paths, &base, &official, &mut metrics)?;
    in_process(&paths, &base, &mut metrics)?;
    uploads::upload_memory(&paths, &base, &mut metrics)?;
    sizes(&paths, &mut metrics)?;
    drop(fake);

    let unused = budgets::apply(&budgets, &mut metrics);
    for key in unused {
        say(&format!("budget {key} matches no measured line"));
    }
    publish(&paths, &official, &metrics)
}

/// Fresh logs and data folder; the compile cache is kept between runs on purpose.
fn prepare(paths: &Paths) -> anyhow::Result<()> {
    let logs = paths.out.join("logs");
    let data = paths.out.join("data");
    for dir in [&logs, &data] {
        if dir.exists() {
            std::fs::remove_dir_all(dir).with_context(|| format!("clear {}", dir.display()))?;
        }
        std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    }
    Ok(())
}

pub(crate) fn say(message: &str) {
    eprintln!("flora-bench: {message}");
}

/// The fake FLORA, started from the release build on a free loopback port.
struct Fake {
    child: Child,
    base: String,
}

impl Fake {
    fn start(paths: &Paths) -> anyhow::Result<Fake> {
        let log = std::fs::File::create(paths.out.join("logs/fake-flora.log"))?;
        let mut child = Command::new(paths.release_binary("fake-flora"))
            .args(["--port", "0", "--exit-on-stdin-close"])
            .env("FAKE_FLORA_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .context("start the fake FLORA")?;
        let stdout = child
            .stdout
            .take()
            .context("the fake FLORA has no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let base = line
            .trim()
            .strip_prefix("fake-flora listening on ")
            .map(str::to_owned);
        match base {
            Some(base) => Ok(Fake { child, base }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                bail!("the fake FLORA did not start: {line:?}")
            }
        }
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The official server's two configurations, or why it cannot run.
struct Official {
    default: Option<Spec>,
    offline: Option<Spec>,
    missing: Option<String>,
}

impl Official {
    fn probe(paths: &Paths, base: &str) -> Official {
        let missing = if paths.official_entry().is_none() {
            Some(
                "it is not installed in target/bench/official (`just bench` installs it with \
                 npm; did npm install fail?)"
                    .to_owned(),
            )
        } else if servers::find_in_path("node").is_none() {
            Some("node is not on PATH".to_owned())
        } else {
            None
        };
        Official {
            default: servers::official(paths, base, OfficialMode::Default),
            offline: servers::official(paths, base, OfficialMode::Offline),
            missing,
        }
    }
}

/// One cold start: spawn, initialize, tools/list, stdin closed, exit.
struct Cold {
    wall_ms: f64,
    ready_ms: f64,
    peak_rss_mib: f64,
}

fn cold_start(spec: &Spec) -> anyhow::Result<Cold> {
    let server = Server::spawn(spec)?;
    server.handshake(START_TIMEOUT)?;
    let listed = server.request("tools/list", json!({}), START_TIMEOUT)?;
    let ready = server.elapsed();
    let tools = listed
        .get("tools")
        .and_then(|t| t.as_array())
        .map_or(0, Vec::len);
    if tools == 0 {
        bail!("{} listed no tools", spec.label);
    }
    let exit = server.finish(EXIT_TIMEOUT)?;
    if !exit.success {
        bail!("{} exited unsuccessfully after stdin closed", spec.label);
    }
    Ok(Cold {
        wall_ms: exit.wall.as_secs_f64() * 1e3,
        ready_ms: ready.as_secs_f64() * 1e3,
        peak_rss_mib: exit.peak_rss_kib as f64 / 1024.0,
    })
}

/// The samples of one contender; a contender that fails once is dropped with its reason.
struct Contender {
    spec: Spec,
    runs: Vec<Cold>,
    failure: Option<String>,
}

impl Contender {
    fn new(spec: Spec) -> Contender {
        Contender {
            spec,
            runs: Vec::new(),
            failure: None,
        }
    }

    fn median(&self, pick: fn(&Cold) -> f64) -> Option<f64> {
        let samples: Vec<f64> = self.runs.iter().map(pick).collect();
        summarize(&samples).map(|s| s.p50)
    }
}

fn cold_starts(
    paths: &Paths,
    base: &str,
    official: &Official,
    metrics: &mut Vec<Metric>,
) -> anyhow::Result<()> {
    say("cold starts, alternating the servers run by run");
    let mut contenders = vec![Contender::new(servers::ours(paths, base, &[]))];
    contenders.extend(official.default.clone().map(Contender::new));
    contenders.extend(official.offline.clone().map(Contender::new));
    // One unmeasured start each: fills the page cache and flora-mcp's compile cache.
    for contender in &mut contenders {
        if let Err(err) = cold_start(&contender.spec) {
            contender.failure = Some(format!("{err:#}"));
        }
    }
    for run in 0..COLD_RUNS {
        let order: Vec<usize> = if run % 2 == 0 {
            (0..contenders.len()).collect()
        } else {
            (0..contenders.len()).rev().collect()
        };
        for i in order {
            let contender = &mut contenders[i];
            if contender.failure.is_some() {
                continue;
            }
            match cold_start(&contender.spec) {
                Ok(cold) => contender.runs.push(cold),
                Err(err) => contender.failure = Some(format!("{err:#}")),
            }
        }
    }
    if let Some(failure) = &contenders[0].failure {
        bail!("flora-mcp failed its cold start: {failure}");
    }
    let mut no_cache = Vec::new();
    for _ in 0..NO_CACHE_RUNS {
        no_cache.push(cold_start(&servers::ours(paths, base, &["--no-cache"]))?.wall_ms);
    }

    let find = |label: &str| contenders.iter().find(|c| c.spec.label == label);
    let why = |c: Option<&Contender>| -> Option<String> {
        match c {
            None => official.missing.clone(),
            Some(c) => c.failure.clone(),
        }
    };
    let ours = &contenders[0];
    let theirs = find("official");
    let offline = find("official (offline)");
    let theirs_median = |pick: fn(&Cold) -> f64| theirs.and_then(|c| c.median(pick));
    let with_reason = |metric: Metric, reason: Option<String>| match reason {
        Some(reason) => metric.note(format!("official not measured: {reason}")),
        None => metric,
    };
    metrics.push(with_reason(
        Metric::new(
            "cold_start_ms",
            "cold start, median",
            "ms",
            "flora-mcp",
            ours.median(|c| c.wall_ms),
        )
        .against("official", theirs_median(|c| c.wall_ms))
        .note(format!(
            "spawn, initialize, tools/list, stdin closed, exit; {COLD_RUNS} runs each, the \
             servers alternating run by run, after one unmeasured start each; the official \
             server as `npx flora-mcp` starts it"
        )),
        why(theirs),
    ));
    metrics.push(
        Metric::new(
            "cold_start_peak_rss_mib",
            "cold start peak RSS, median",
            "MiB",
            "flora-mcp",
            ours.median(|c| c.peak_rss_mib),
        )
        .against("official", theirs_median(|c| c.peak_rss_mib)),
    );
    metrics.push(
        Metric::new(
            "ready_ms",
            "spawn to tools/list answer, median",
            "ms",
            "flora-mcp",
            ours.median(|c| c.ready_ms),
        )
        .against("official", theirs_median(|c| c.ready_ms)),
    );
    metrics.push(with_reason(
        Metric::new(
            "official_offline_cold_start_ms",
            "cold start, official offline, median",
            "ms",
            "official (offline)",
            offline.and_then(|c| c.median(|c| c.wall_ms)),
        )
        .against("flora-mcp", ours.median(|c| c.wall_ms))
        .note(
            "the configuration the official tool calls below need: --code-execution-mode local \
             --docs-search-mode local; the docs index is built at start",
        ),
        why(offline),
    ));
    metrics.push(
        Metric::new(
            "first_start_no_cache_ms",
            "first start without compile cache, median",
            "ms",
            "flora-mcp",
            summarize(&no_cache).map(|s| s.p50),
        )
        .against("official", theirs_median(|c| c.wall_ms))
        .note(
            "--no-cache: flora-mcp compiles its component on a first start and caches it; the \
             cold starts above load it from the cache",
        ),
    );
    Ok(())
}

/// Times `n` sequential calls on `server`, in milliseconds.
fn time_calls(
    server: &Server,
    call: &ToolCall,
    n: usize,
    timeout: Duration,
) -> anyhow::Result<Vec<f64>> {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        server.call_tool(call.name, &call.arguments, call.expect, timeout)?;
        samples.push(start.elapsed().as_secs_f64() * 1e3);
    }
    Ok(samples)
}

pub(crate) fn tokio_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("start the async runtime")
}

fn round_trips(
    paths: &Paths,
    base: &str,
    official: &Official,
    metrics: &mut Vec<Metric>,
) -> anyhow::Result<()> {
    say("tool call round trips, alternating flora-mcp, a bare GET and the official server");
    let rt = tokio_runtime()?;
    let get = BareGet::new(base)?;
    let ours = Server::start(&servers::ours(paths, base, &[]), START_TIMEOUT)?;
    let our_call = servers::our_call();
    let execute = servers::official_call();
    let docs = servers::official_docs_call();
    let mut theirs_failure = official.missing.clone();
    let mut docs_failure = official.missing.clone();
    let theirs = match &official.offline {
        Some(spec) => match Server::start(spec, START_TIMEOUT) {
            Ok(server) => Some(server),
            Err(err) => {
                theirs_failure = Some(format!("{err:#}"));
                docs_failure.clone_from(&theirs_failure);
                None
            }
        },
        None => None,
    };
    // Warm-ups: connections, caches and the official server's first TypeScript compile.
    time_calls(&ours, &our_call, 50, CALL_TIMEOUT)?;
    rt.block_on(get.run(50))?;
    let mut execute_ok = false;
    let mut docs_ok = false;
    if let Some(theirs) = &theirs {
        match time_calls(theirs, &execute, 1, OFFICIAL_CALL_TIMEOUT) {
            Ok(_) => execute_ok = true,
            Err(err) => theirs_failure = Some(format!("{err:#}")),
        }
        match time_calls(theirs, &docs, 3, CALL_TIMEOUT) {
            Ok(_) => docs_ok = true,
            Err(err) => docs_failure = Some(format!("{err:#}")),
        }
    }
    let (mut ours_ms, mut get_ms, mut execute_ms, mut docs_ms) = (vec![], vec![], vec![], vec![]);
    for _ in 0..ROUNDS {
        ours_ms.extend(time_calls(
            &ours,
            &our_call,
            FAST_CALLS_PER_ROUND,
            CALL_TIMEOUT,
        )?);
        let get_us = rt.block_on(get.run(FAST_CALLS_PER_ROUND))?;
        get_ms.extend(get_us.iter().map(|us| us / 1e3));
        if let Some(theirs) = theirs.as_ref().filter(|_| execute_ok) {
            match time_calls(theirs, &execute, 1, OFFICIAL_CALL_TIMEOUT) {
                Ok(samples) => execute_ms.extend(samples),
                Err(err) => {
                    theirs_failure = Some(format!("{err:#}"));
                    execute_ok = false;
                }
            }
        }
        if let Some(theirs) = theirs.as_ref().filter(|_| docs_ok) {
            match time_calls(theirs, &docs, DOCS_CALLS_PER_ROUND, CALL_TIMEOUT) {
                Ok(samples) => docs_ms.extend(samples),
                Err(err) => {
                    docs_failure = Some(format!("{err:#}"));
                    docs_ok = false;
                }
            }
        }
    }
    if execute_ok {
        theirs_failure = None;
    }
    if docs_ok {
        docs_failure = None;
    }
    ours.finish(EXIT_TIMEOUT)?;
    if let Some(theirs) = theirs {
        let _ = theirs.finish(EXIT_TIMEOUT);
    }

    let p50 = |samples: &[f64]| summarize(samples).map(|s| s.p50);
    let get_p50 = p50(&get_ms);
    metrics.push(
        Metric::new(
            "tool_call_ms",
            "tool call round trip, median",
            "ms",
            "flora-mcp",
            p50(&ours_ms),
        )
        .against("bare GET", get_p50)
        .note(format!(
            "retrieve_technique of cctv-cam over MCP stdio; bare GET: GET /techniques/cctv-cam \
             of the same fake with reqwest (the host's HTTP client) on a kept-alive connection; \
             {} samples each, in alternating batches",
            ours_ms.len()
        )),
    );
    let mut official_line = Metric::new(
        "official_tool_call_ms",
        "tool call round trip, official execute, median",
        "ms",
        "official",
        p50(&execute_ms),
    )
    .against("bare GET", get_p50);
    official_line = official_line.note(match &theirs_failure {
        Some(reason) => format!("not measured: {reason}"),
        None => format!(
            "`execute` of client.techniques.retrieve('cctv-cam'), the official server's only \
             way to call FLORA, run in local Deno (a Deno process per call); its default, \
             Stainless's hosted sandbox, is not reachable here and was not called; {} samples, \
             alternating with the batches above",
            execute_ms.len()
        ),
    });
    metrics.push(official_line);
    metrics.push(
        Metric::new(
            "tool_call_vs_official_ms",
            "tool call round trip vs official, median",
            "ms",
            "flora-mcp",
            p50(&ours_ms),
        )
        .against("official", p50(&execute_ms)),
    );
    metrics.push(
        Metric::new(
            "official_docs_search_ms",
            "search_docs round trip, official, median",
            "ms",
            "official",
            p50(&docs_ms),
        )
        .against("flora-mcp tool call", p50(&ours_ms))
        .note(match &docs_failure {
            Some(reason) => format!("not measured: {reason}"),
            None => "its other tool, from its built-in index (no FLORA request): a floor for \
                     the official server's MCP overhead"
                .to_owned(),
        }),
    );
    Ok(())
}

/// Runs `calls` calls on `server` with `concurrency` in flight; returns the elapsed time.
fn closed_loop(
    server: &Server,
    call: &ToolCall,
    calls: usize,
    concurrency: usize,
    timeout: Duration,
) -> anyhow::Result<Duration> {
    let remaining = AtomicUsize::new(calls);
    let start = Instant::now();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..concurrency)
            .map(|_| {
                scope.spawn(|| -> anyhow::Result<()> {
                    while remaining
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok()
                    {
                        if let Err(err) =
                            server.call_tool(call.name, &call.arguments, call.expect, timeout)
                        {
                            remaining.store(0, Ordering::SeqCst);
                            return Err(err);
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        for worker in workers {
            worker
                .join()
                .map_err(|_| anyhow!("a benchmark worker panicked"))??;
        }
        Ok::<(), anyhow::Error>(())
    })?;
    Ok(start.elapsed())
}

fn throughput(
    paths: &Paths,
    base: &str,
    official: &Official,
    metrics: &mut Vec<Metric>,
) -> anyhow::Result<()> {
    say(&format!(
        "throughput with {CONCURRENCY} calls in flight; RSS after {FIRST_CALLS} and \
         {TOTAL_CALLS} calls"
    ));
    let call = servers::our_call();
    let ours = Server::start(&servers::ours(paths, base, &[]), START_TIMEOUT)?;
    let rss_start = ours.rss_kib()? as f64 / 1024.0;
    closed_loop(&ours, &call, FIRST_CALLS, CONCURRENCY, CALL_TIMEOUT)?;
    let rss_first = ours.rss_kib()? as f64 / 1024.0;
    let rest = TOTAL_CALLS - FIRST_CALLS;
    let elapsed = closed_loop(&ours, &call, rest, CONCURRENCY, CALL_TIMEOUT)?;
    let rss_total = ours.rss_kib()? as f64 / 1024.0;
    ours.finish(EXIT_TIMEOUT)?;
    let ours_rate = rest as f64 / elapsed.as_secs_f64();

    let mut theirs_rate = None;
    let mut theirs_failure = official.missing.clone();
    if let Some(spec) = &official.offline {
        let execute = servers::official_call();
        let measured = Server::start(spec, START_TIMEOUT).and_then(|theirs| {
            let elapsed = closed_loop(
                &theirs,
                &execute,
                OFFICIAL_THROUGHPUT_CALLS,
                CONCURRENCY,
                OFFICIAL_CALL_TIMEOUT,
            )?;
            let _ = theirs.finish(EXIT_TIMEOUT);
            Ok(OFFICIAL_THROUGHPUT_CALLS as f64 / elapsed.as_secs_f64())
        });
        match measured {
            Ok(rate) => {
                theirs_rate = Some(rate);
                theirs_failure = None;
            }
            Err(err) => theirs_failure = Some(format!("{err:#}")),
        }
    }
    metrics.push(
        Metric::new(
            "throughput_calls_per_s",
            "throughput, 8 calls in flight",
            "calls/s",
            "flora-mcp",
            Some(ours_rate),
        )
        .against("official", theirs_rate)
        .note(match theirs_failure {
            Some(reason) => format!(
                "flora-mcp: calls {FIRST_CALLS}..{TOTAL_CALLS} of retrieve_technique; official \
                 not measured: {reason}"
            ),
            None => format!(
                "one MCP session each; flora-mcp: calls {FIRST_CALLS}..{TOTAL_CALLS} of \
                 retrieve_technique; official: {OFFICIAL_THROUGHPUT_CALLS} `execute` calls, \
                 bounded because each starts a Deno process"
            ),
        }),
    );
    metrics.push(
        Metric::new(
            "rss_after_1k_mib",
            "RSS after 1,000 calls",
            "MiB",
            "flora-mcp",
            Some(rss_first),
        )
        .against("at start", Some(rss_start))
        .note(format!(
            "VmRSS of the serving flora-mcp process, read from /proc between the closed-loop \
             runs of the throughput line ({CONCURRENCY} calls in flight)"
        )),
    );
    metrics.push(
        Metric::new(
            "rss_after_10k_mib",
            "RSS after 10,000 calls",
            "MiB",
            "flora-mcp",
            Some(rss_total),
        )
        .against("after 1,000", Some(rss_first)),
    );
    metrics.push(Metric::new(
        "rss_growth_percent",
        "RSS growth, 1,000 to 10,000 calls",
        "%",
        "flora-mcp",
        Some((rss_total - rss_first) / rss_first * 100.0),
    ));
    Ok(())
}

fn in_process(paths: &Paths, base: &str, metrics: &mut Vec<Metric>) -> anyhow::Result<()> {
    say("per-call instantiation, in process");
    let rt = tokio_runtime()?;
    let host = HostRuntime::load(base, &paths.out.join("cache/in-process"))?;
    let get = BareGet::new(base)?;
    let (refused, tool, get_us) = rt.block_on(async {
        host.refused_calls(200).await?;
        host.tool_calls(200).await?;
        get.run(200).await?;
        let refused = host.refused_calls(IN_PROCESS_CALLS).await?;
        let tool = host.tool_calls(IN_PROCESS_CALLS).await?;
        let get_us = get.run(IN_PROCESS_CALLS).await?;
        Ok::<_, anyhow::Error>((refused, tool, get_us))
    })?;
    let component = flora_mcp::runtime::builtin_component();
    let on_demand = rt.block_on(async {
        inprocess::raw_instantiation(component, Allocator::OnDemand, 100).await?;
        inprocess::raw_instantiation(component, Allocator::OnDemand, IN_PROCESS_CALLS).await
    })?;
    let pooling = rt.block_on(async {
        inprocess::raw_instantiation(component, Allocator::Pooling, 100).await?;
        inprocess::raw_instantiation(component, Allocator::Pooling, IN_PROCESS_CALLS).await
    });
    let refused = summarize(&refused).context("no samples")?;
    let tool = summarize(&tool).context("no samples")?;
    let get_us = summarize(&get_us).context("no samples")?;
    metrics.push(
        Metric::new(
            "instantiate_p50_us",
            "instantiation per call (Runtime::call), p50",
            "µs",
            "flora-mcp",
            Some(refused.p50),
        )
        .note(
            "Runtime::call of retrieve_technique with {}: a fresh store and instance, the \
             argument check, the refusal; no HTTP",
        ),
    );
    metrics.push(Metric::new(
        "instantiate_p99_us",
        "instantiation per call (Runtime::call), p99",
        "µs",
        "flora-mcp",
        Some(refused.p99),
    ));
    metrics.push(
        Metric::new(
            "in_process_call_us",
            "tool call in process (no MCP), p50",
            "µs",
            "flora-mcp",
            Some(tool.p50),
        )
        .against("bare GET", Some(get_us.p50))
        .note(
            "Runtime::call of retrieve_technique cctv-cam as the MCP layer makes it: instance, \
             wasi:http request through the host's egress, the component's JSON work",
        ),
    );
    let raw = |key: &str, what: &str, s: &Summary, pick: fn(&Summary) -> f64| {
        Metric::new(key, what, "µs", "flora-mcp", Some(pick(s)))
    };
    metrics.push(
        raw(
            "raw_instantiate_p50_us",
            "raw instantiation, on-demand, p50",
            &on_demand,
            |s| s.p50,
        )
        .note(
            "Store::new, instantiate_pre'd instantiate and drop of the built-in component in an \
             engine configured as the host's, imports stubbed; the host's Runtime does not \
             expose raw instantiation, so this harness mirrors it",
        ),
    );
    metrics.push(raw(
        "raw_instantiate_p99_us",
        "raw instantiation, on-demand, p99",
        &on_demand,
        |s| s.p99,
    ));
    match pooling {
        Ok(pooled) => {
            metrics.push(
                raw(
                    "pooled_instantiate_p50_us",
                    "raw instantiation, pooling, p50",
                    &pooled,
                    |s| s.p50,
                )
                .against("on-demand", Some(on_demand.p50))
                .note(
                    "wasmtime's pooling allocator, tried in this harness only: the host's engine \
                     configuration is private to host/src/runtime.rs",
                ),
            );
            metrics.push(
                raw(
                    "pooled_instantiate_p99_us",
                    "raw instantiation, pooling, p99",
                    &pooled,
                    |s| s.p99,
                )
                .against("on-demand", Some(on_demand.p99)),
            );
        }
        Err(err) => metrics.push(
            Metric::new(
                "pooled_instantiate_p50_us",
                "raw instantiation, pooling, p50",
                "µs",
                "flora-mcp",
                None,
            )
            .note(format!("not measured: {err:#}")),
        ),
    }
    Ok(())
}

/// Bytes under `dir`, not following symbolic links, skipping top-level names in `skip`.
fn dir_size(dir: &Path, skip: &[&str]) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| !skip.iter().any(|s| e.file_name() == *s))
        .map(|entry| match entry.metadata() {
            Ok(meta) if meta.is_dir() => dir_size(&entry.path(), &[]),
            Ok(meta) if meta.is_file() => meta.len(),
            _ => 0,
        })
        .sum()
}

fn sizes(paths: &Paths, metrics: &mut Vec<Metric>) -> anyhow::Result<()> {
    let component = std::fs::metadata(paths.component())
        .with_context(|| format!("read {}", paths.component().display()))?
        .len();
    let host = std::fs::metadata(paths.release_binary("flora-mcp"))?.len();
    let modules = paths.official().join("node_modules");
    let official = paths
        .official_entry()
        .map(|_| dir_size(&modules, &["deno", "@deno", ".bin"]) as f64 / MIB);
    let deno = dir_size(&modules.join("@deno"), &[]) as f64 / MIB;
    metrics.push(
        Metric::new(
            "component_kib",
            "component size",
            "KiB",
            "flora-mcp",
            Some(component as f64 / 1024.0),
        )
        .note("target/wasm32-wasip2/release/flora_guest.wasm, built into the host"),
    );
    let mut host_line = Metric::new(
        "host_binary_mib",
        "host binary size",
        "MiB",
        "flora-mcp",
        Some(host as f64 / MIB),
    )
    .against("official node_modules", official);
    host_line = host_line.note(if official.is_some() {
        format!(
            "target/release/flora-mcp, component built in; official: its npm install without \
             Node itself and without the Deno its offline code tool needs ({} MiB more)",
            report::number(deno)
        )
    } else {
        "target/release/flora-mcp, component built in".to_owned()
    });
    metrics.push(host_line);
    Ok(())
}

/// Prints the table and verdicts; writes `latest.json` and `latest.md`.
fn publish(paths: &Paths, official: &Official, metrics: &[Metric]) -> anyhow::Result<()> {
    let table = report::text(metrics);
    println!("\n{table}");
    let (within, over, unmeasured) = report::tally(metrics);
    println!("budgets: {within} within, {over} over, {unmeasured} not measured");
    for metric in metrics {
        if metric.verdict == Some(budgets::Verdict::Over) {
            println!(
                "OVER BUDGET: {} ({}): {} against {}",
                metric.key,
                metric.what,
                metric
                    .ratio
                    .map(|r| format!("{}×", report::number(r)))
                    .or(metric
                        .value
                        .map(|v| format!("{} {}", report::number(v), metric.unit)))
                    .unwrap_or_default(),
                metric.budget.as_deref().unwrap_or_default()
            );
        }
    }
    if over > 0 {
        println!("(benchmarks report budgets; they do not fail the build)");
    }
    let generated = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let document = json!({
        "generated_unix": generated,
        "machine": machine(paths),
        "official_measured": official.missing.is_none(),
        "budgets": { "within": within, "over": over, "not_measured": unmeasured },
        "metrics": metrics,
    });
    let json_path = paths.out.join("latest.json");
    std::fs::write(&json_path, serde_json::to_string_pretty(&document)? + "\n")?;
    let md_path = paths.out.join("latest.md");
    std::fs::write(&md_path, report::markdown(metrics))?;
    println!("wrote {} and {}", json_path.display(), md_path.display());
    Ok(())
}

/// What the numbers were measured on.
fn machine(paths: &Paths) -> serde_json::Value {
    let node = Command::new("node")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|k| k.trim().to_owned());
    json!({
        "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "kernel": kernel,
        "node": node,
        "official_server": servers::npm_version(paths, "flora-mcp"),
        "official_mcp_sdk": servers::npm_version(paths, "@modelcontextprotocol/sdk"),
        "deno": servers::npm_version(paths, "deno"),
        "mcp_protocol": mcp::PROTOCOL_VERSION,
    })
}
