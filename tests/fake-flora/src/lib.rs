//! `fake-flora`: a faithful local stand-in for the FLORA REST API (`/api/v1`, as SDK 0.11.0
//! types it), served on 127.0.0.1 for tests, with a second loopback listener playing the storage
//! that signed uploads go to. This file owns the public library surface: [`Config`], the running
//! [`FakeFlora`] server (start, addresses, faults, recorded requests, test views, shutdown) and
//! re-exports.
//!
//! Behaviour worth knowing when writing tests against it:
//!
//! - Keys: `Authorization: Bearer <key>`; [`DEFAULT_API_KEY`] sees [`SEED_WORKSPACE_ID`] only,
//!   [`OTHER_API_KEY`] sees [`OTHER_WORKSPACE_ID`] only; the other workspace's things are 404.
//!   Bad id prefixes (`ws_`, `prj_`, `run_`, `asset_`, `tech_`, `fld_`, `libfolder_`) are 400.
//! - Every run advances one step per poll, never with time: pending → running → running →
//!   completed|failed → then `charged_cost` appears. Technique runs report progress 35/70,
//!   generation runs 0 until done, action runs 40/80. `GET /runs/{runId}` polls any run;
//!   `GET /techniques/{t}/runs/{r}` polls technique runs; listings never advance a run.
//! - A `fail:<CODE>` marker (in a technique input, a generation prompt, or an action input URL or
//!   text) makes the run fail with `error_code` `<CODE>` where it would have completed; an action
//!   node run with nothing wired in fails with `GENERATION_INPUT_VALIDATION`.
//! - Creates answer 201: `POST /generate` (and `/runs/generation`), `/runs/technique`,
//!   `/runs/action`, `/projects`, `/workspaces/{ws}/projects`, folder projects, project action
//!   nodes and their runs, attach, `/feedback`, `/assets`, library folders and items. Node runs,
//!   canvas patches, definitions, changesets, `complete` and `retry` answer 200.
//! - Canvases hold nodes with short ids (`n1`, …) and `node_…` ids; [`SEED_PROJECT_ID`]'s has a
//!   static image (`n1`), a text node (`n2`) and an idle `t2i-flux-2-pro` image node (`n3`) wired
//!   from both. A node run's outcome lands on its node when the run is polled to its end.
//! - All 40 SDK action ids are in the catalog; `params` are type-checked, unknown keys rejected.
//! - Assets: multipart bytes (≤ 4 MiB, type sniffed from the bytes) are ready at once; an HTTPS
//!   `source` is never fetched, reads `pending_upload` at creation and settles on the first
//!   `GET /assets/{id}`; `source: "signed-url"` returns an upload target on
//!   [`FakeFlora::storage_origin`], which checks every form field, the expiry and the absence of
//!   `Authorization`, counts the streamed bytes and answers 204 (XML errors otherwise). After
//!   `complete` the asset reads `pending_upload` once, then `ready` (or `failed`). Wrong-state
//!   `complete`/`retry`/attach are 409 with code `conflict`. Steer it with
//!   [`FakeFlora::expire_upload_targets`], [`FakeFlora::fail_next_processing`],
//!   [`FakeFlora::expire_next_targets`], [`FakeFlora::slow_storage`], [`Config::upload_ttl`],
//!   or `POST /__fake/storage`.
//! - Body `idempotency_key` on technique runs replays the existing run (200); an
//!   `Idempotency-Key` header reused within [`Config::idempotency_window`] after a successful
//!   mutating request (same workspace and operation) is a 409 `idempotency_duplicate`.
//! - Faults ([`Fault`], or JSON on `POST /__fake/faults`) answer before authentication; every
//!   request under `/api/v1` is recorded first ([`FakeFlora::requests`], `GET /__fake/requests`).
//!   What was created can be read back: [`FakeFlora::technique_runs`], [`FakeFlora::api_runs`],
//!   [`FakeFlora::feedback`], [`FakeFlora::library_folders`], [`FakeFlora::stored_uploads`]
//!   (also `GET /__fake/runs`, `/__fake/feedback`, `/__fake/storage`).
//! - `GET /api/v1/__fake/redirect?to=<url>` answers 302 to `<url>`.
//! - OAuth ([`oauth`]): the API also accepts access tokens from the fake authorization server
//!   on the same origin (each bound to the workspace picked at sign-in); a 401 carries
//!   `WWW-Authenticate: Bearer resource_metadata="…"` (RFC 9728). Sign in with any email and
//!   [`FAKE_PASSWORD`]; steer it with [`FakeFlora::set_oauth_knobs`] or `POST /__fake/oauth`.

mod actions;
mod api_runs;
mod attach;
mod auth;
mod canvas;
mod canvas_patch;
mod catalog;
mod changeset;
mod definition;
mod errors;
mod extract;
mod faults;
mod feedback;
mod fields;
mod folders;
mod idempotency;
mod ids;
mod lifecycle;
mod mermaid;
mod multipart;
mod node_runs;
mod oauth;
mod pagination;
mod recording;
mod request_id;
mod routes;
mod run_body;
mod runs;
mod seed;
mod sniff;
mod state;
mod storage;
mod time;
mod uploads;

pub use api_runs::ApiRunRecord;
pub use errors::FieldError;
pub use faults::Fault;
pub use feedback::FeedbackRecord;
pub use folders::{LibraryFolderRecord, LibraryItem};
pub use oauth::{FAKE_PASSWORD, OAuthCounters, OAuthKnobs};
pub use pagination::{DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor};
pub use recording::RecordedRequest;
pub use runs::{RunInput, RunRecord};
pub use seed::*;
pub use uploads::StoredUpload;

use anyhow::Context;
use state::{AppState, Shared, World};
use std::collections::{BTreeMap, HashMap};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How long a used `Idempotency-Key` stays reserved by default (two hours, as FLORA documents).
pub const IDEMPOTENCY_WINDOW: Duration = Duration::from_secs(7200);

/// How long a signed upload target stays valid by default.
pub const UPLOAD_TTL: Duration = Duration::from_secs(15 * 60);

/// How the fake starts.
#[derive(Debug, Clone)]
pub struct Config {
    /// API key → workspace id; every workspace must be a seeded one.
    pub api_keys: BTreeMap<String, String>,
    /// Port on 127.0.0.1; `None` picks a free one.
    pub port: Option<u16>,
    /// How long a used `Idempotency-Key` header stays reserved.
    pub idempotency_window: Duration,
    /// Port on 127.0.0.1 of the fake storage that signed uploads go to; `None` picks a free one.
    pub storage_port: Option<u16>,
    /// How long a signed upload target stays valid (zero: expired as soon as issued).
    pub upload_ttl: Duration,
}

impl Default for Config {
    /// [`DEFAULT_API_KEY`] → [`SEED_WORKSPACE_ID`], [`OTHER_API_KEY`] → [`OTHER_WORKSPACE_ID`],
    /// any free ports, a 7200 s idempotency window, 15-minute upload targets.
    fn default() -> Config {
        Config {
            api_keys: seed::default_api_keys().into_iter().collect(),
            port: None,
            idempotency_window: IDEMPOTENCY_WINDOW,
            storage_port: None,
            upload_ttl: UPLOAD_TTL,
        }
    }
}

/// A running fake FLORA (and its fake storage); stops when dropped or on
/// [`FakeFlora::shutdown`].
pub struct FakeFlora {
    addr: SocketAddr,
    storage_addr: SocketAddr,
    state: AppState,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// Binds 127.0.0.1 on `port` (or a free one).
async fn bind(port: Option<u16>) -> anyhow::Result<(TcpListener, SocketAddr)> {
    let port = port.unwrap_or(0);
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .await
        .with_context(|| format!("cannot bind 127.0.0.1:{port}"))?;
    let addr = listener
        .local_addr()
        .context("cannot read the bound address")?;
    Ok((listener, addr))
}

/// Serves `app` on `listener` until `stop` turns true.
fn serve(
    listener: TcpListener,
    app: axum::Router,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        });
        if let Err(error) = serve.await {
            tracing::error!(%error, "fake flora stopped serving");
        }
    })
}

impl FakeFlora {
    /// Binds 127.0.0.1 (the API and the fake storage) and serves in the background on the
    /// current tokio runtime.
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
        let (listener, addr) = bind(config.port).await?;
        let (storage_listener, storage_addr) = bind(config.storage_port).await?;
        let state = Arc::new(Shared {
            origin: format!("http://{addr}"),
            storage_origin: format!("http://{storage_addr}"),
            upload_ttl: config.upload_ttl,
            api_keys: config.api_keys.into_iter().collect::<HashMap<_, _>>(),
            workspaces: seed.workspaces,
            models: seed.models,
            techniques: seed.techniques,
            actions: actions::catalog(),
            world: Mutex::new(World {
                projects: seed.projects,
                canvases: seed.canvases,
                assets: seed.assets,
                runs: Vec::new(),
                api_runs: Vec::new(),
                run_keys: HashMap::new(),
                idempotency: idempotency::IdempotencyLedger::new(config.idempotency_window),
                folders: seed.folders,
                library: Vec::new(),
                feedback: Vec::new(),
                fail_next_processing: None,
                expire_next_targets: 0,
            }),
            faults: Mutex::new(Vec::new()),
            recorded: Mutex::new(Vec::new()),
            stored: Mutex::new(Vec::new()),
            storage_pause: Mutex::new(Duration::ZERO),
            oauth: Mutex::new(oauth::OAuthState::default()),
        });
        let (stop, stopped) = watch::channel(false);
        let tasks = vec![
            serve(listener, routes::router(state.clone()), stopped.clone()),
            serve(storage_listener, storage::router(state.clone()), stopped),
        ];
        tracing::info!(%addr, %storage_addr, "fake flora listening");
        Ok(FakeFlora {
            addr,
            storage_addr,
            state,
            stop,
            tasks,
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

    /// The fake storage's socket address (a second listener; signed upload targets point here).
    pub fn storage_addr(&self) -> SocketAddr {
        self.storage_addr
    }

    /// `http://127.0.0.1:STORAGE_PORT`, the origin of every signed upload target.
    pub fn storage_origin(&self) -> String {
        self.state.storage_origin.clone()
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

    /// Every generation and action run created so far, oldest first.
    pub fn api_runs(&self) -> Vec<ApiRunRecord> {
        self.state.api_runs()
    }

    /// Every piece of feedback received, oldest first.
    pub fn feedback(&self) -> Vec<FeedbackRecord> {
        self.state.feedback()
    }

    /// Every library folder that exists now, with its items, oldest first.
    pub fn library_folders(&self) -> Vec<LibraryFolderRecord> {
        self.state.library_folders()
    }

    /// The project folder (`fld_…`) a project was created into, if any.
    pub fn project_folder(&self, project_id: &str) -> Option<String> {
        self.state.project_folder(project_id)
    }

    /// Every upload the fake storage accepted, oldest first.
    pub fn stored_uploads(&self) -> Vec<StoredUpload> {
        self.state.stored_uploads()
    }

    /// Makes every open signed upload target expired (storage refuses it, `complete` is a 409,
    /// `retry` issues a fresh one); returns how many there were.
    pub fn expire_upload_targets(&self) -> usize {
        self.state.expire_upload_targets()
    }

    /// Makes the next `count` upload targets issued (by `POST /assets` with `signed-url`, or by
    /// `retry`) expired from the start, so storage refuses them.
    pub fn expire_next_targets(&self, count: u32) {
        self.state.expire_next_targets(count);
    }

    /// Makes the fake storage pause `pause` after each chunk of an upload it reads, so a large
    /// upload takes long enough to be cancelled midway.
    pub fn slow_storage(&self, pause: Duration) {
        self.state.set_storage_pause(pause);
    }

    /// Makes the next asset whose processing starts (`complete`, or a URL import) end `failed`
    /// with `message`.
    pub fn fail_next_processing(&self, message: &str) {
        self.state.fail_next_processing(message);
    }

    /// Steers the authorization server (see [`OAuthKnobs`]); replaces every knob.
    pub fn set_oauth_knobs(&self, knobs: OAuthKnobs) {
        self.state.set_oauth_knobs(knobs);
    }

    /// What the authorization server counted so far.
    pub fn oauth_counters(&self) -> OAuthCounters {
        self.state.oauth_counters()
    }

    /// Makes every access token issued so far expired (refresh tokens stay valid).
    pub fn expire_access_tokens(&self) {
        self.state.expire_access_tokens();
    }

    /// Stops accepting, lets in-flight requests finish (up to five seconds), and returns.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for mut task in std::mem::take(&mut self.tasks) {
            if tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}

impl Drop for FakeFlora {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
