//! The Wasm runtime: one engine, the component compiled once (and cached on disk by digest and
//! engine), pre-linked against exactly the capabilities of the `flora:mcp` world, and a fresh
//! instance for every call, with a memory ceiling and a deadline.

use crate::config::Settings;
use crate::egress::Egress;
use anyhow::{Context, bail};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Duration;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

mod bindings {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "flora:mcp/flora-tools",
        // Sending a file waits on the network, so it is async on the host (blocking to Wasm).
        imports: { "flora:mcp/files.send": async | trappable, default: trappable },
        exports: { default: async },
        with: {
            "wasi:http": wasmtime_wasi_http::p2::bindings::http,
            "wasi:io": wasmtime_wasi::p2::bindings::io,
            "wasi:clocks": wasmtime_wasi::p2::bindings::clocks,
            "wasi:random": wasmtime_wasi::p2::bindings::random,
        },
        require_store_data_send: true,
    });
}

use bindings::flora::mcp::files::{FileError, FileInfo, FileRequest, FileResponse, SendError};
pub use bindings::flora::mcp::session::AuthMethod;
use bindings::flora::mcp::session::SessionInfo;
pub use bindings::flora::mcp::types::{CallError, ResourceLink, ToolDescriptor, ToolOutput};

/// Adds a description of the failed action to a wasmtime error, as `anyhow::Context` does.
trait WasmContext<T> {
    fn ctx(self, action: &'static str) -> anyhow::Result<T>;
}

impl<T> WasmContext<T> for wasmtime::Result<T> {
    fn ctx(self, action: &'static str) -> anyhow::Result<T> {
        self.map_err(|err| anyhow::Error::from(err).context(action))
    }
}

/// The committed list of interfaces a component may import (`host/approved-imports.txt`).
const APPROVED_IMPORTS_FILE: &str = include_str!("../approved-imports.txt");

/// The interfaces a component may import, as listed in `host/approved-imports.txt`.
pub fn approved_imports() -> Vec<&'static str> {
    APPROVED_IMPORTS_FILE
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

/// The `flora:mcp` package version this host implements, read from `wit/flora-mcp.wit`.
pub fn wit_version() -> &'static str {
    const WIT: &str = include_str!("../../wit/flora-mcp.wit");
    WIT.lines()
        .find_map(|line| line.trim().strip_prefix("package flora:mcp@"))
        .map(|rest| rest.trim_end_matches(';'))
        .expect("wit/flora-mcp.wit declares `package flora:mcp@<version>;`")
}

/// Whether a component with these imports and exports can run on this host: it exports the
/// `flora:mcp` tools at a version this host implements (same major version; for 0.x, the same
/// minor too, as 0.x minors may break) and imports nothing outside the approved list.
///
/// # Errors
/// Names the incompatible version or the unapproved imports.
pub fn check_compatible(imports: &[String], exports: &[String]) -> anyhow::Result<()> {
    let Some(version) = exports
        .iter()
        .find_map(|e| e.strip_prefix("flora:mcp/tools@"))
    else {
        bail!("the component does not export the flora:mcp tools interface");
    };
    let series = |v: &str| -> String {
        let mut parts = v.split('.');
        let major = parts.next().unwrap_or_default();
        if major == "0" {
            format!("0.{}", parts.next().unwrap_or_default())
        } else {
            major.to_owned()
        }
    };
    if series(version) != series(wit_version()) {
        bail!(
            "the component implements flora:mcp@{version}, but this host implements \
             flora:mcp@{}; use a component built for {} or a host that supports {version}",
            wit_version(),
            series(wit_version())
        );
    }
    let approved = approved_imports();
    let unapproved: Vec<&str> = imports
        .iter()
        .map(String::as_str)
        .filter(|i| !approved.contains(i))
        .collect();
    if !unapproved.is_empty() {
        bail!(
            "the component imports {}, which this host does not grant; it may import only {}",
            unapproved.join(", "),
            approved.join(", ")
        );
    }
    Ok(())
}

/// The component embedded at build time.
const BUILTIN_COMPONENT: &[u8] = include_bytes!(env!("FLORA_MCP_BUILTIN_COMPONENT"));
/// Memory one instance may grow to.
pub const MAX_INSTANCE_MEMORY: usize = 256 * 1024 * 1024;
/// How often the engine's epoch advances; running Wasm yields to the async runtime this often.
const EPOCH_TICK: Duration = Duration::from_millis(50);

/// What a call can see of the session.
#[derive(Debug, Clone)]
pub struct SessionView {
    /// How requests are authenticated.
    pub method: AuthMethod,
    /// The default workspace.
    pub workspace_id: Option<String>,
    /// The API base URL.
    pub api_base: String,
    /// The spend ceiling per call, in USD.
    pub max_run_cost: Option<f64>,
}

/// One progress report from the component: done, total (when known), message.
pub type Progress = (f64, Option<f64>, Option<String>);

/// Where a call's progress reports go; `None` when the client asked for none.
pub type ProgressSender = tokio::sync::mpsc::UnboundedSender<Progress>;

/// Why a call produced no tool output.
#[derive(Debug)]
pub enum RunError {
    /// The component refused the call (unknown tool, bad arguments).
    Refused(CallError),
    /// The call ran past its deadline and was stopped.
    Deadline(Duration),
    /// The component trapped or could not be instantiated.
    Trap(anyhow::Error),
}

/// A loaded component, ready to run calls.
pub struct Runtime {
    engine: Engine,
    pre: bindings::FloraToolsPre<CallState>,
    egress: Egress,
    session: SessionView,
    call_timeout: Duration,
    digest: String,
    slots: tokio::sync::Semaphore,
}

/// Per-call store state: the WASI and HTTP contexts with nothing granted beyond the world.
struct CallState {
    table: ResourceTable,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    egress: Egress,
    session: SessionView,
    progress: Option<ProgressSender>,
    limits: StoreLimits,
}

impl WasiView for CallState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl wasmtime_wasi_io::IoView for CallState {
    fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }
}

impl WasiHttpView for CallState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.egress,
        }
    }
}

impl bindings::flora::mcp::session::Host for CallState {
    fn current(&mut self) -> wasmtime::Result<SessionInfo> {
        let (method, signed_in_workspace) = match self.egress.credentials().map(|c| c.facts()) {
            None => (self.session.method, None),
            Some(facts) => (
                match facts.method {
                    crate::auth::Method::None => AuthMethod::None,
                    crate::auth::Method::EnvApiKey | crate::auth::Method::StoredApiKey => {
                        AuthMethod::ApiKey
                    }
                    crate::auth::Method::OAuth => AuthMethod::Oauth,
                },
                facts.workspace_id,
            ),
        };
        Ok(SessionInfo {
            method,
            workspace_id: self.session.workspace_id.clone().or(signed_in_workspace),
            api_base: self.session.api_base.clone(),
            max_run_cost: self.session.max_run_cost,
        })
    }
}

impl bindings::flora::mcp::progress::Host for CallState {
    fn report(
        &mut self,
        done: f64,
        total: Option<f64>,
        message: Option<String>,
    ) -> wasmtime::Result<()> {
        if let Some(progress) = &self.progress
            && done.is_finite()
        {
            // A closed channel means the call is over; nothing is left to tell.
            let _ = progress.send((done, total.filter(|t| t.is_finite()), message));
        }
        Ok(())
    }
}

impl bindings::flora::mcp::files::Host for CallState {
    fn inspect(&mut self, path: String) -> wasmtime::Result<Result<FileInfo, FileError>> {
        Ok(self
            .egress
            .inspect_file(&path)
            .map(|checked| FileInfo {
                size: checked.size,
                media_type: checked.media_type.to_owned(),
                file_name: checked.file_name,
            })
            .map_err(file_error))
    }

    async fn send(
        &mut self,
        request: FileRequest,
    ) -> wasmtime::Result<Result<FileResponse, SendError>> {
        let send = crate::egress::FileSend {
            method: request.method,
            url: request.url,
            headers: request.headers,
            path: request.path,
            form: request.form.map(|form| crate::egress::Form {
                fields: form.fields,
                file_field: form.file_field,
                file_name: form.file_name,
            }),
        };
        let progress = self.progress.clone();
        // Progress of a file is counted in bytes, from the host's side of the transfer.
        let sent: crate::egress::Sent = Box::new(move |done, total| {
            if let Some(progress) = &progress {
                let message = format!("sent {done} of {total} bytes");
                let _ = progress.send((done as f64, Some(total as f64), Some(message)));
            }
        });
        let egress = self.egress.clone();
        let outcome = egress.send_file(send, sent).await;
        Ok(outcome
            .map(|answer| FileResponse {
                status: answer.status,
                headers: answer.headers,
                body: answer.body,
            })
            .map_err(|err| match err {
                crate::egress::SendError::File(e) => SendError::File(file_error(e)),
                crate::egress::SendError::Denied(why) => SendError::Denied(why),
                crate::egress::SendError::Unreachable(why) => SendError::Unreachable(why),
                crate::egress::SendError::Timeout => SendError::Timeout,
                crate::egress::SendError::Changed => SendError::Changed,
            }))
    }
}

fn file_error(err: crate::files::FileError) -> FileError {
    use crate::files::FileError as E;
    match err {
        E::NotAllowed(why) => FileError::NotAllowed(why),
        E::NotFound => FileError::NotFound,
        E::NotAFile => FileError::NotAFile,
        E::Empty => FileError::Empty,
        E::UnsupportedType(claimed) => FileError::UnsupportedType(claimed),
        E::TooLarge(limit) => FileError::TooLarge(limit),
        E::Unreadable(why) => FileError::Unreadable(why),
    }
}

impl bindings::flora::mcp::types::Host for CallState {}

struct HasSelf;
impl wasmtime::component::HasData for HasSelf {
    type Data<'a> = &'a mut CallState;
}

impl Runtime {
    /// Loads the component named in `settings`, compiling it or reading it from the cache.
    ///
    /// # Errors
    /// Fails when the component cannot be read or compiled, or imports anything the host does
    /// not grant.
    pub fn load(
        settings: &Settings,
        egress: Egress,
        session: SessionView,
    ) -> anyhow::Result<Runtime> {
        let engine = Engine::new(&engine_config()).ctx("create the Wasm engine")?;
        spawn_epoch_ticker(&engine);

        let bytes = settings.component.read()?;
        let digest = hex::encode(Sha256::digest(&bytes));
        let component = compile(&engine, &bytes, &digest, settings.cache_dir.as_deref())?;

        let exports = exports_of(&engine, &component);
        check_compatible(&imports_of(&engine, &component), &exports)?;
        let mut linker = Linker::<CallState>::new(&engine);
        link(&mut linker)?;
        let instance_pre = linker.instantiate_pre(&component).map_err(|err| {
            anyhow::anyhow!(
                "the component imports something this host does not grant (only wasi:http, \
                 wasi:clocks, wasi:random, wasi:io and flora:mcp/session, progress and files \
                 are available): {err:#}"
            )
        })?;
        let pre = bindings::FloraToolsPre::new(instance_pre)
            .ctx("the component does not export the flora:mcp tools interface")?;
        tracing::info!(digest = %&digest[..16], "component ready");
        Ok(Runtime {
            engine,
            pre,
            egress,
            session,
            call_timeout: settings.call_timeout,
            digest,
            slots: tokio::sync::Semaphore::new(settings.max_concurrent_calls.max(1)),
        })
    }

    /// The SHA-256 of the loaded component, in hex.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// Asks the component for its tool catalog.
    ///
    /// # Errors
    /// Fails when the component traps or runs past its deadline.
    pub async fn catalog(&self) -> anyhow::Result<Vec<ToolDescriptor>> {
        let (mut store, tools) = self.instantiate(None).await?;
        let catalog = tools.flora_mcp_tools().call_catalog(&mut store).await;
        catalog.map_err(|e| anyhow::Error::from(e).context("list the component's tools"))
    }

    /// Runs tool `name` with JSON `arguments` in a fresh instance.
    ///
    /// At most `max_concurrent_calls` run at once; others wait for a slot. The deadline counts
    /// from the request, for Wasm code and for time spent waiting on the host alike (a slow
    /// FLORA response): when it passes, or when the caller drops the returned future, the
    /// instance is dropped with its outbound requests. Progress reports go to `progress`.
    pub async fn call(
        &self,
        name: &str,
        arguments: &str,
        progress: Option<ProgressSender>,
    ) -> Result<ToolOutput, RunError> {
        let run = async {
            let _permit = self
                .slots
                .acquire()
                .await
                .map_err(|e| RunError::Trap(e.into()))?;
            let (mut store, tools) = self.instantiate(progress).await.map_err(RunError::Trap)?;
            let result = tools
                .flora_mcp_tools()
                .call_call(&mut store, name, arguments)
                .await;
            match result {
                Ok(Ok(output)) => Ok(output),
                Ok(Err(refusal)) => Err(RunError::Refused(refusal)),
                Err(err) => Err(RunError::Trap(err.into())),
            }
        };
        match tokio::time::timeout(self.call_timeout, run).await {
            Ok(outcome) => outcome,
            Err(_) => Err(RunError::Deadline(self.call_timeout)),
        }
    }

    async fn instantiate(
        &self,
        progress: Option<ProgressSender>,
    ) -> anyhow::Result<(Store<CallState>, bindings::FloraTools)> {
        let state = CallState {
            table: ResourceTable::new(),
            // No arguments, environment, preopened folders, sockets or stdio are granted.
            wasi: WasiCtx::builder()
                .allow_blocking_current_thread(false)
                .build(),
            http: WasiHttpCtx::new(),
            egress: self.egress.for_call(),
            session: self.session.clone(),
            progress,
            limits: StoreLimitsBuilder::new()
                .memory_size(MAX_INSTANCE_MEMORY)
                .instances(4)
                .build(),
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limits);
        // Wasm code hands control back to the async runtime at every epoch tick, so a call
        // that computes without end can still be cancelled or stopped at its deadline.
        store.epoch_deadline_async_yield_and_update(1);
        let tools = self.pre.instantiate_async(&mut store).await;
        let tools =
            tools.map_err(|e| anyhow::Error::from(e).context("instantiate the component"))?;
        Ok((store, tools))
    }
}

/// Adds exactly the world's imports to `linker`.
fn link(linker: &mut Linker<CallState>) -> anyhow::Result<()> {
    use wasmtime_wasi::clocks::{WasiClocks, WasiClocksView as _};
    use wasmtime_wasi::p2::bindings::{clocks, random};
    use wasmtime_wasi::random::WasiRandom;

    wasmtime_wasi_io::add_to_linker_async(linker)?;
    clocks::wall_clock::add_to_linker::<CallState, WasiClocks>(linker, CallState::clocks)?;
    clocks::monotonic_clock::add_to_linker::<CallState, WasiClocks>(linker, CallState::clocks)?;
    random::random::add_to_linker::<CallState, WasiRandom>(linker, |s| s.wasi.random())?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(linker)?;
    bindings::flora::mcp::session::add_to_linker::<CallState, HasSelf>(linker, |s| s)?;
    bindings::flora::mcp::progress::add_to_linker::<CallState, HasSelf>(linker, |s| s)?;
    bindings::flora::mcp::files::add_to_linker::<CallState, HasSelf>(linker, |s| s)?;
    Ok(())
}

/// Compiles `bytes` into the cache ahead of a start, so the next start does not compile.
///
/// # Errors
/// Fails when the component does not compile.
pub fn precompile(bytes: &[u8], cache: &Path) -> anyhow::Result<()> {
    let engine = Engine::new(&engine_config()).ctx("create the Wasm engine")?;
    let digest = hex::encode(Sha256::digest(bytes));
    compile(&engine, bytes, &digest, Some(cache)).map(drop)
}

fn engine_config() -> Config {
    let mut config = Config::new();
    config.epoch_interruption(true).wasm_component_model(true);
    config
}

/// Checks that `bytes` start like a WebAssembly component before the compiler sees them: its
/// own message for any other file is a dump of the first bytes.
fn check_header(bytes: &[u8]) -> anyhow::Result<()> {
    match bytes.get(..8) {
        // `\0asm`, a version, then layer 1: a component.
        Some([0, b'a', b's', b'm', _, _, 1, 0]) => Ok(()),
        Some([0, b'a', b's', b'm', _, _, 0, 0]) => anyhow::bail!(
            "this is a core WebAssembly module, not a component: build it for wasm32-wasip2"
        ),
        _ => anyhow::bail!(
            "this file is not a WebAssembly component (it does not start with the `\\0asm` \
             header)"
        ),
    }
}

/// Compiles `bytes`, or loads the compiled artifact cached for this digest and engine.
fn compile(
    engine: &Engine,
    bytes: &[u8],
    digest: &str,
    cache: Option<&Path>,
) -> anyhow::Result<Component> {
    check_header(bytes)?;
    let Some(cache) = cache else {
        tracing::debug!("no compile cache; compiling the component");
        return Component::new(engine, bytes).ctx("compile the component");
    };
    let engine_hash = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut h);
        h.finish()
    };
    let path: PathBuf = cache.join(format!("{digest}-{engine_hash:016x}.cwasm"));
    if path.is_file() {
        // SAFETY: the file is one this host wrote into the user's own cache folder for this
        // digest and engine; wasmtime checks its header and engine compatibility again.
        match unsafe { Component::deserialize_file(engine, &path) } {
            Ok(component) => {
                let path = path.display();
                tracing::debug!(%path, "loaded the precompiled component from the cache");
                return Ok(component);
            }
            Err(err) => tracing::warn!(
                "ignoring unusable cached component {}: {err:#}",
                path.display()
            ),
        }
    }
    tracing::debug!("compiling the component (not in the cache yet)");
    let serialized = engine
        .precompile_component(bytes)
        .ctx("compile the component")?;
    if let Err(err) = write_atomically(cache, &path, &serialized) {
        tracing::warn!(
            "could not cache the compiled component in {}: {err:#}",
            cache.display()
        );
    }
    // SAFETY: `serialized` was produced just now by this engine.
    unsafe { Component::deserialize(engine, &serialized) }.ctx("load the compiled component")
}

fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    crate::components::write_atomically(path, bytes)
}

/// Advances the engine's epoch on a background thread so call deadlines fire.
fn spawn_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("flora-mcp-epoch".to_owned())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .map(drop)
        .unwrap_or_else(|err| tracing::warn!("no epoch ticker, so no call deadlines: {err}"));
}

/// What a component declares, read from the compiled component itself.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// SHA-256 of the component bytes, in hex.
    pub digest: String,
    /// Size in bytes.
    pub size: usize,
    /// Imported interfaces, sorted, with versions.
    pub imports: Vec<String>,
    /// Exported interfaces, sorted, with versions.
    pub exports: Vec<String>,
}

impl Inspection {
    /// The version of the `flora:mcp` package the component exports, such as `0.3.0`.
    pub fn package_version(&self) -> Option<&str> {
        self.exports
            .iter()
            .find_map(|name| name.strip_prefix("flora:mcp/tools@"))
    }
}

/// Compiles `bytes` and lists what the component imports and exports.
///
/// # Errors
/// Fails when `bytes` is not a component this engine can compile.
pub fn inspect(bytes: &[u8]) -> anyhow::Result<Inspection> {
    check_header(bytes)?;
    let engine = Engine::default();
    let component = Component::new(&engine, bytes).ctx("compile the component")?;
    let exports = exports_of(&engine, &component);
    Ok(Inspection {
        digest: hex::encode(Sha256::digest(bytes)),
        size: bytes.len(),
        imports: imports_of(&engine, &component),
        exports,
    })
}

fn exports_of(engine: &Engine, component: &Component) -> Vec<String> {
    let ty = component.component_type();
    let mut names: Vec<String> = ty
        .exports(engine)
        .map(|(name, _)| name.to_owned())
        .collect();
    names.sort();
    names
}

fn imports_of(engine: &Engine, component: &Component) -> Vec<String> {
    let ty = component.component_type();
    let mut names: Vec<String> = ty
        .imports(engine)
        .map(|(name, _)| name.to_owned())
        .collect();
    names.sort();
    names
}

/// The built-in component's bytes.
pub fn builtin_component() -> &'static [u8] {
    BUILTIN_COMPONENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_that_are_not_components_are_named_as_such() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let err = inspect(png).unwrap_err().to_string();
        assert!(err.contains("not a WebAssembly component"), "{err}");
        let module = b"\0asm\x01\0\0\0";
        let err = inspect(module).unwrap_err().to_string();
        assert!(err.contains("core WebAssembly module"), "{err}");
        assert!(check_header(builtin_component()).is_ok());
    }

    #[test]
    fn the_builtin_component_imports_only_approved_interfaces() {
        let imports = inspect(builtin_component()).unwrap().imports;
        let approved = approved_imports();
        let extra: Vec<&String> = imports
            .iter()
            .filter(|i| !approved.contains(&i.as_str()))
            .collect();
        assert!(extra.is_empty(), "unapproved imports: {extra:?}");
        assert!(
            imports
                .iter()
                .any(|i| i.starts_with("wasi:http/outgoing-handler"))
        );
    }
}
