//! `fake-flora`: a faithful local stand-in for the FLORA REST API (`/api/v1`), served on
//! 127.0.0.1 for tests. This file owns the public library surface: [`Config`], the running
//! [`FakeFlora`] server (start, addresses, faults, recorded requests, shutdown) and re-exports.
//!
//! Behaviour worth knowing when writing tests against it:
//!
//! - Keys: `Authorization: Bearer <key>`; [`DEFAULT_API_KEY`] sees [`SEED_WORKSPACE_ID`] only,
//!   [`OTHER_API_KEY`] sees [`OTHER_WORKSPACE_ID`] only; the other workspace's things are 404.
//! - Technique runs advance one step per retrieve (`GET /techniques/{t}/runs/{r}`): pending (0) →
//!   running (35) → running (70) → completed (100, outputs, no `charged_cost` yet) → completed
//!   with `charged_cost` = the technique's `run_cost`. Listing never advances a run.
//! - An input value containing `fail:<CODE>` makes the run fail with `error_code` `<CODE>` at the
//!   step it would have completed.
//! - Body `idempotency_key` replays the existing run (200); an `Idempotency-Key` header reused
//!   within [`Config::idempotency_window`] after a successful create is a 409.
//! - Faults ([`Fault`], or JSON on `POST /__fake/faults`) answer before authentication; every
//!   request under `/api/v1` is recorded first ([`FakeFlora::requests`], `GET /__fake/requests`).
//! - `GET /api/v1/__fake/redirect?to=<url>` answers 302 to `<url>`.

mod auth;
mod catalog;
mod errors;
mod extract;
mod faults;
mod idempotency;
mod ids;
mod pagination;
mod recording;
mod request_id;
mod routes;
mod run_body;
mod runs;
mod seed;
mod state;
mod time;

pub use errors::FieldError;
pub use faults::Fault;
pub use pagination::{DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor};
pub use recording::RecordedRequest;
pub use runs::{RunInput, RunRecord};
pub use seed::*;

use anyhow::Context;
use state::{AppState, Shared, World};
use std::collections::{BTreeMap, HashMap};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long a used `Idempotency-Key` stays reserved by default (two hours, as FLORA documents).
pub const IDEMPOTENCY_WINDOW: Duration = Duration::from_secs(7200);

/// How the fake starts.
#[derive(Debug, Clone)]
pub struct Config {
    /// API key → workspace id; every workspace must be a seeded one.
    pub api_keys: BTreeMap<String, String>,
    /// Port on 127.0.0.1; `None` picks a free one.
    pub port: Option<u16>,
    /// How long a used `Idempotency-Key` header stays reserved.
    pub idempotency_window: Duration,
}

impl Default for Config {
    /// [`DEFAULT_API_KEY`] → [`SEED_WORKSPACE_ID`], [`OTHER_API_KEY`] → [`OTHER_WORKSPACE_ID`],
    /// any free port, a 7200 s idempotency window.
    fn default() -> Config {
        Config {
            api_keys: seed::default_api_keys().into_iter().collect(),
            port: None,
            idempotency_window: IDEMPOTENCY_WINDOW,
        }
    }
}

/// A running fake FLORA; stops when dropped or on [`FakeFlora::shutdown`].
pub struct FakeFlora {
    addr: SocketAddr,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl FakeFlora {
    /// Binds 127.0.0.1 and serves in the background on the current tokio runtime.
    pub async fn start(config: Config) -> anyhow::Result<FakeFlora> {
        let seed = seed::seed();
        for (key, workspace_id) in &config.api_keys {
            anyhow::ensure!(
                seed.workspaces
                    .iter()
                    .any(|w| &w.workspace_id == workspace_id),
                "api key {key} maps to unknown workspace {workspace_id}"
            );
        }
        let port = config.port.unwrap_or(0);
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .with_context(|| format!("cannot bind 127.0.0.1:{port}"))?;
        let addr = listener
            .local_addr()
            .context("cannot read the bound address")?;
        let state = Arc::new(Shared {
            origin: format!("http://{addr}"),
            api_keys: config.api_keys.into_iter().collect::<HashMap<_, _>>(),
            workspaces: seed.workspaces,
            models: seed.models,
            techniques: seed.techniques,
            assets: seed.assets,
            world: Mutex::new(World {
                projects: seed.projects,
                runs: Vec::new(),
                run_keys: HashMap::new(),
                idempotency: idempotency::IdempotencyLedger::new(config.idempotency_window),
            }),
            faults: Mutex::new(Vec::new()),
            recorded: Mutex::new(Vec::new()),
        });
        let app = routes::router(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(error) = serve.await {
                tracing::error!(%error, "fake flora stopped serving");
            }
        });
        tracing::info!(%addr, "fake flora listening");
        Ok(FakeFlora {
            addr,
            state,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        self.state.origin.clone()
    }

    /// `http://127.0.0.1:PORT/api/v1`, the value for `FLORA_BASE_URL`.
    pub fn base_url(&self) -> String {
        format!("{}/api/v1", self.state.origin)
    }

    /// Every request received under `/api/v1`, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.requests()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.state.clear_requests();
    }

    /// Arms a fault (see [`Fault`]).
    pub fn inject(&self, fault: Fault) {
        self.state.inject(fault);
    }

    /// Disarms every fault.
    pub fn clear_faults(&self) {
        self.state.clear_faults();
    }

    /// Every technique run created so far, oldest first.
    pub fn technique_runs(&self) -> Vec<RunRecord> {
        self.state.technique_runs()
    }

    /// Stops accepting, lets in-flight requests finish (up to five seconds), and returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for FakeFlora {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
