//! Installed tool components: a content-addressed store in the data folder, trust checks
//! ([`trust`]), atomic install with the previous version kept for rollback, and the choice of
//! which component a start uses.
//!
//! Layout of `<data folder>/components/`: `<sha256>.wasm` and, when signed, `<sha256>.wasm.sig`;
//! `current` and `previous` hold a digest each. Installing writes the blob first and switches
//! `current` last, each by an atomic rename, so a crash at any point leaves the old component in
//! place.

pub mod cli;
pub mod trust;

use crate::config::ComponentSource;
use crate::runtime;
use anyhow::{Context, bail};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use trust::{Trust, TrustReason};

/// Writes `bytes` to `path` through a temporary file and a rename, so readers see the old
/// content or the new, never a mix.
///
/// # Errors
/// Fails when the folder is missing or not writable.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut file =
        std::fs::File::create(&tmp).with_context(|| format!("create {}", tmp.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("write {}", tmp.display()))?;
    file.sync_all()
        .with_context(|| format!("flush {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("rename into {}", path.display()))
}

/// A component that passed every check.
#[derive(Debug, Clone)]
pub struct Checked {
    /// SHA-256 in hex.
    pub digest: String,
    /// Why it is trusted.
    pub reason: TrustReason,
    /// The `flora:mcp` version it implements.
    pub wit_version: String,
}

/// The component store in a data folder.
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// The store under `data_dir`.
    pub fn new(data_dir: &Path) -> Store {
        Store {
            root: data_dir.to_owned(),
        }
    }

    fn dir(&self) -> PathBuf {
        self.root.join("components")
    }

    /// The trust settings (keys and pins) of this data folder.
    ///
    /// # Errors
    /// Fails when a key or pin file is unreadable.
    pub fn trust(&self) -> anyhow::Result<Trust> {
        let dir = self.root.join("trust");
        std::fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
        Trust::load(&dir)
    }

    /// Where the component with `digest` is stored.
    pub fn blob(&self, digest: &str) -> PathBuf {
        self.dir().join(format!("{digest}.wasm"))
    }

    fn pointer(&self, name: &str) -> anyhow::Result<Option<String>> {
        let path = self.dir().join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) if !text.trim().is_empty() => Ok(Some(text.trim().to_owned())),
            Ok(_) => Ok(None),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err).with_context(|| format!("read {}", path.display())),
        }
    }

    /// The digest of the installed component in use, if any.
    ///
    /// # Errors
    /// Fails when the pointer file is unreadable.
    pub fn current(&self) -> anyhow::Result<Option<String>> {
        self.pointer("current")
    }

    /// The digest of the component installed before the current one, if any.
    ///
    /// # Errors
    /// Fails when the pointer file is unreadable.
    pub fn previous(&self) -> anyhow::Result<Option<String>> {
        self.pointer("previous")
    }

    /// Checks the stored component `digest`: its bytes still hash to it, it is trusted, and it
    /// is compatible with this host.
    ///
    /// # Errors
    /// Names the check that failed.
    pub fn verify(&self, digest: &str) -> anyhow::Result<Checked> {
        let path = self.blob(digest);
        let bytes = std::fs::read(&path).with_context(|| format!("read {}", path.display()))?;
        let actual = hex::encode(Sha256::digest(&bytes));
        if actual != digest {
            bail!("the stored component {digest} was changed on disk (its bytes hash to {actual})");
        }
        let signature = read_signature(&path.with_extension("wasm.sig"))?;
        check(&bytes, signature.as_deref(), &self.trust()?)
    }

    /// Verifies `file` (with its signature, `<file>.sig` unless given) and makes it current,
    /// keeping the component it replaces for [`Store::rollback`]. Precompiles it into `cache`.
    ///
    /// # Errors
    /// Names the check that failed; nothing changes in the store then.
    pub fn install(
        &self,
        file: &Path,
        signature: Option<&Path>,
        cache: Option<&Path>,
    ) -> anyhow::Result<Checked> {
        let bytes = std::fs::read(file).with_context(|| format!("read {}", file.display()))?;
        let signature_path = match signature {
            Some(path) => path.to_owned(),
            None => PathBuf::from(format!("{}.sig", file.display())),
        };
        let signature = read_signature(&signature_path)?;
        let checked = check(&bytes, signature.as_deref(), &self.trust()?)?;
        if let Some(cache) = cache {
            runtime::precompile(&bytes, cache)?;
        }

        let dir = self.dir();
        std::fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
        let blob = self.blob(&checked.digest);
        write_atomically(&blob, &bytes)?;
        if let Some(text) = &signature {
            write_atomically(&blob.with_extension("wasm.sig"), text.as_bytes())?;
        }
        failpoint("install-before-switch");
        self.switch_to(&checked.digest)?;
        Ok(checked)
    }

    fn switch_to(&self, digest: &str) -> anyhow::Result<()> {
        let current = self.current()?;
        if current.as_deref() == Some(digest) {
            return Ok(());
        }
        if let Some(old) = current {
            write_atomically(&self.dir().join("previous"), old.as_bytes())?;
        }
        write_atomically(&self.dir().join("current"), digest.as_bytes())
    }

    /// Makes the previous component current again (and the current one previous).
    ///
    /// # Errors
    /// Fails when there is no previous component or it no longer passes its checks.
    pub fn rollback(&self) -> anyhow::Result<Checked> {
        let Some(previous) = self.previous()? else {
            bail!("there is no previous component to roll back to");
        };
        let checked = self
            .verify(&previous)
            .context("check the previous component")?;
        self.switch_to(&previous)?;
        Ok(checked)
    }

    /// Every stored component's digest, newest first, with whether it is current or previous.
    ///
    /// # Errors
    /// Fails when the folder cannot be read.
    pub fn list(&self) -> anyhow::Result<Vec<(String, &'static str)>> {
        let (current, previous) = (self.current()?, self.previous()?);
        let mut entries = Vec::new();
        let Ok(dir) = std::fs::read_dir(self.dir()) else {
            return Ok(Vec::new());
        };
        for entry in dir.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(digest) = name.strip_suffix(".wasm") else {
                continue;
            };
            let modified = entry.metadata().and_then(|m| m.modified()).ok();
            let role = if current.as_deref() == Some(digest) {
                "current"
            } else if previous.as_deref() == Some(digest) {
                "previous"
            } else {
                "stored"
            };
            entries.push((modified, digest.to_owned(), role));
        }
        entries.sort_by_key(|entry| std::cmp::Reverse(entry.0));
        Ok(entries
            .into_iter()
            .map(|(_, digest, role)| (digest, role))
            .collect())
    }
}

/// Checks component `bytes` with its signature text against `trust` and this host.
///
/// # Errors
/// Names the check that failed: trust (signature or pin) or compatibility (WIT version,
/// imports).
pub fn check(bytes: &[u8], signature: Option<&str>, trust: &Trust) -> anyhow::Result<Checked> {
    let digest = hex::encode(Sha256::digest(bytes));
    let reason = trust
        .check(&digest, signature)
        .context("refused: the trust check failed")?;
    let inspection = runtime::inspect(bytes).context("refused: not a usable component")?;
    runtime::check_compatible(&inspection.imports, &inspection.exports)
        .context("refused: the component is not compatible with this host")?;
    let wit_version = inspection.package_version().unwrap_or_default().to_owned();
    Ok(Checked {
        digest,
        reason,
        wit_version,
    })
}

fn read_signature(path: &Path) -> anyhow::Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err).with_context(|| format!("read the signature {}", path.display())),
    }
}

/// Test hook: `FLORA_MCP_FAILPOINT=<name>` makes the process abort at the named point, as a
/// crash would, so tests can show installs are atomic.
fn failpoint(name: &str) {
    if std::env::var("FLORA_MCP_FAILPOINT").is_ok_and(|point| point == name) {
        std::process::abort();
    }
}

/// Chooses the component a start uses, and says why: `--component` when given; else the
/// installed current component when it passes its checks; else the built-in one.
pub fn choose(flag: Option<&Path>, data_dir: Option<&Path>) -> (ComponentSource, String) {
    if let Some(path) = flag {
        return (
            ComponentSource::File(path.to_owned()),
            "--component was given".to_owned(),
        );
    }
    let Some(data_dir) = data_dir else {
        return (ComponentSource::Builtin, "no data folder".to_owned());
    };
    let store = Store::new(data_dir);
    match store.current() {
        Ok(None) => (
            ComponentSource::Builtin,
            "no component is installed".to_owned(),
        ),
        Ok(Some(digest)) => match store.verify(&digest) {
            Ok(checked) => (
                ComponentSource::Installed {
                    path: store.blob(&digest),
                    digest,
                },
                format!("installed in {}; {}", data_dir.display(), checked.reason),
            ),
            Err(err) => {
                tracing::error!("not using the installed component {digest}: {err:#}");
                (
                    ComponentSource::Builtin,
                    format!("the installed component was refused: {err:#}"),
                )
            }
        },
        Err(err) => (
            ComponentSource::Builtin,
            format!("the store is unreadable: {err:#}"),
        ),
    }
}
