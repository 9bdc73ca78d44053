//! Measurements inside this process, below MCP: the host's own `Runtime::call` (a fresh
//! component instance per call, as `flora-mcp serve` runs it), raw instantiation of the
//! component with wasmtime's default on-demand allocator and with its pooling allocator, and a
//! bare HTTP GET of the same FLORA endpoint with the HTTP client the host uses.

use crate::servers::FAKE_API_KEY;
use crate::stats::{Summary, summarize};
use anyhow::{Context, bail};
use flora_mcp::config::{ApiBase, ComponentSource, Settings};
use flora_mcp::egress::{Egress, Policy};
use flora_mcp::runtime::{AuthMethod, RunError, Runtime, SessionView};
use flora_mcp::secrets::ApiKey;
use std::path::Path;
use std::time::{Duration, Instant};
use wasmtime::component::{Component, Linker};
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store, StoreLimits,
    StoreLimitsBuilder,
};

/// Memory one instance may grow to, as in the host.
const MAX_INSTANCE_MEMORY: usize = flora_mcp::runtime::MAX_INSTANCE_MEMORY;

/// The host's runtime, loaded as `flora-mcp serve` loads it, with the built-in component.
pub struct HostRuntime {
    runtime: Runtime,
}

impl HostRuntime {
    /// Loads the built-in component against the FLORA API at `api_base`, caching the compiled
    /// component in `cache`.
    ///
    /// # Errors
    /// Fails when the settings are invalid or the component does not load.
    pub fn load(api_base: &str, cache: &Path) -> anyhow::Result<HostRuntime> {
        let api = ApiBase::parse(api_base)?;
        let api_key = ApiKey::new(FAKE_API_KEY)?;
        let settings = Settings {
            auth: flora_mcp::auth::AuthSettings {
                api_url: api.url(),
                issuer: flora_mcp::auth::DEFAULT_ISSUER.to_owned(),
                client_id: None,
                callback_port: 0,
                sign_in_timeout: Duration::from_secs(300),
                interactive: false,
                lock_dir: std::env::temp_dir(),
                env_key: Some(api_key.clone()),
            },
            api: api.clone(),
            workspace_id: None,
            api_key: Some(api_key.clone()),
            component: ComponentSource::Builtin,
            component_reason: "built in (benchmark)".into(),
            data_dir: None,
            cache_dir: Some(cache.to_owned()),
            call_timeout: Duration::from_secs(30),
            max_concurrent_calls: 8,
            read_only: false,
            max_run_cost: None,
            config_file: None,
            toolsets: Default::default(),
            allow_dirs: Vec::new(),
            storage_origins: Vec::new(),
        };
        let egress = Egress::new(Policy::for_api(&api), Some(api_key))?;
        let session = SessionView {
            method: AuthMethod::ApiKey,
            workspace_id: None,
            api_base: api.url(),
            max_run_cost: None,
        };
        let runtime = Runtime::load(&settings, egress, session)?;
        Ok(HostRuntime { runtime })
    }

    /// `n` calls of `retrieve_technique` with arguments the component refuses before it sends
    /// anything: a fresh instance and an argument check, no HTTP. Microseconds per call.
    ///
    /// # Errors
    /// Fails when a call is not refused as expected.
    pub async fn refused_calls(&self, n: usize) -> anyhow::Result<Vec<f64>> {
        let mut samples = Vec::with_capacity(n);
        for _ in 0..n {
            let start = Instant::now();
            let outcome = self.runtime.call("retrieve_technique", "{}", None).await;
            samples.push(micros(start.elapsed()));
            match outcome {
                Err(RunError::Refused(_)) => {}
                Ok(_) => bail!("retrieve_technique without technique_id was not refused"),
                Err(err) => bail!("retrieve_technique without arguments failed: {err:?}"),
            }
        }
        Ok(samples)
    }

    /// `n` calls of `retrieve_technique` of `cctv-cam` against the fake. Microseconds per call.
    ///
    /// # Errors
    /// Fails when a call fails or reports an error.
    pub async fn tool_calls(&self, n: usize) -> anyhow::Result<Vec<f64>> {
        let mut samples = Vec::with_capacity(n);
        for _ in 0..n {
            let start = Instant::now();
            let outcome = self
                .runtime
                .call("retrieve_technique", r#"{"technique_id":"cctv-cam"}"#, None)
                .await;
            samples.push(micros(start.elapsed()));
            match outcome {
                Ok(output) if !output.is_error => {}
                Ok(output) => bail!("retrieve_technique reported an error: {}", output.text),
                Err(err) => bail!("retrieve_technique failed: {err:?}"),
            }
        }
        Ok(samples)
    }
}

/// A bare HTTP GET of a FLORA endpoint with reqwest, the client the host's egress uses, over a
/// kept-alive connection.
pub struct BareGet {
    client: reqwest::Client,
    url: String,
}

impl BareGet {
    /// A client for `GET {api_base}/techniques/cctv-cam`.
    ///
    /// # Errors
    /// Fails when the client cannot be built.
    pub fn new(api_base: &str) -> anyhow::Result<BareGet> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .context("build the HTTP client")?;
        let url = format!("{}/techniques/cctv-cam", api_base.trim_end_matches('/'));
        Ok(BareGet { client, url })
    }

    /// `n` GETs, each reading the whole body. Microseconds per request.
    ///
    /// # Errors
    /// Fails on a transport error or a status other than 200.
    pub async fn run(&self, n: usize) -> anyhow::Result<Vec<f64>> {
        let mut samples = Vec::with_capacity(n);
        for _ in 0..n {
            let start = Instant::now();
            let response = self
                .client
                .get(&self.url)
                .bearer_auth(FAKE_API_KEY)
                .send()
                .await
                .context("GET the technique")?;
            let status = response.status();
            let body = response.bytes().await.context("read the technique")?;
            samples.push(micros(start.elapsed()));
            if status != reqwest::StatusCode::OK || body.is_empty() {
                bail!("GET {} answered {status}", self.url);
            }
        }
        Ok(samples)
    }
}

/// Which instance allocator raw instantiation uses.
#[derive(Debug, Clone, Copy)]
pub enum Allocator {
    /// wasmtime's default: memories and tables mapped on demand for each instance.
    OnDemand,
    /// Slots reserved once and reused by each new instance.
    Pooling,
}

/// Per-instance state of the raw instantiation harness.
struct Bare {
    limits: StoreLimits,
}

/// Store creation, instantiation and drop of `component`, `n` times, with an engine configured
/// as the host's (epoch interruption, component model) and every import stubbed with a trap, so
/// only wasmtime's own work is timed. Microseconds per instance.
///
/// # Errors
/// Fails when the engine cannot be built with `allocator` or the component does not
/// instantiate.
pub async fn raw_instantiation(
    component: &[u8],
    allocator: Allocator,
    n: usize,
) -> anyhow::Result<Summary> {
    let mut config = Config::new();
    config.epoch_interruption(true).wasm_component_model(true);
    if let Allocator::Pooling = allocator {
        // Room for the host's 8 concurrent calls with headroom; each slot as large as the
        // host's per-instance memory ceiling.
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(16)
            .total_core_instances(128)
            .total_memories(32)
            .total_tables(64)
            .total_stacks(16)
            .max_memory_size(MAX_INSTANCE_MEMORY);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    }
    let engine = Engine::new(&config).map_err(anyhow::Error::from)?;
    let component = Component::new(&engine, component).map_err(anyhow::Error::from)?;
    let mut linker = Linker::<Bare>::new(&engine);
    linker
        .define_unknown_imports_as_traps(&component)
        .map_err(anyhow::Error::from)?;
    let pre = linker
        .instantiate_pre(&component)
        .map_err(anyhow::Error::from)?;
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let state = Bare {
            limits: StoreLimitsBuilder::new()
                .memory_size(MAX_INSTANCE_MEMORY)
                .instances(4)
                .build(),
        };
        let mut store = Store::new(&engine, state);
        store.limiter(|state| &mut state.limits);
        store.epoch_deadline_async_yield_and_update(1);
        let instance = pre.instantiate_async(&mut store).await;
        instance
            .map_err(anyhow::Error::from)
            .context("instantiate the component")?;
        drop(store);
        samples.push(micros(start.elapsed()));
    }
    summarize(&samples).context("no samples")
}

fn micros(elapsed: Duration) -> f64 {
    elapsed.as_secs_f64() * 1e6
}
