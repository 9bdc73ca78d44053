//! `flora-mcp component …`: the commands that install, check, list and roll back components and
//! manage trusted keys and pins. Output goes to stdout (these commands do not serve MCP).

use super::Store;
use super::trust::PublisherSecret;
use crate::cli::ComponentCommand;
use crate::config::Settings;
use anyhow::{Context, bail};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;

/// Runs one component command.
///
/// # Errors
/// Fails with the reason a component was refused, or when the data folder is unusable.
pub fn run(command: ComponentCommand, settings: &Settings) -> anyhow::Result<()> {
    let data_dir = settings
        .data_dir
        .as_deref()
        .context("no data folder: pass --data-dir or set FLORA_MCP_DATA_DIR")?;
    let store = Store::new(data_dir);
    let text = match command {
        ComponentCommand::Install { file, signature } => {
            let checked = store
                .install(&file, signature.as_deref(), settings.cache_dir.as_deref())
                .with_context(|| format!("install {}", file.display()))?;
            format!(
                "installed {} (flora:mcp@{}; {}); running servers switch to it for new calls\n",
                checked.digest, checked.wit_version, checked.reason
            )
        }
        ComponentCommand::List => {
            let entries = store.list()?;
            if entries.is_empty() {
                "no component is installed; the built-in one serves\n".to_owned()
            } else {
                entries
                    .iter()
                    .map(|(digest, role)| format!("{digest}  {role}\n"))
                    .collect()
            }
        }
        ComponentCommand::Verify { file: Some(file) } => {
            let bytes = std::fs::read(&file).with_context(|| format!("read {}", file.display()))?;
            let signature = std::fs::read_to_string(format!("{}.sig", file.display())).ok();
            let checked = super::check(&bytes, signature.as_deref(), &store.trust()?)
                .with_context(|| format!("verify {}", file.display()))?;
            format!(
                "ok: {} (flora:mcp@{}; {})\n",
                checked.digest, checked.wit_version, checked.reason
            )
        }
        ComponentCommand::Verify { file: None } => {
            let Some(digest) = store.current()? else {
                bail!("no component is installed; pass a file to verify");
            };
            let checked = store.verify(&digest)?;
            format!(
                "ok: {} (flora:mcp@{}; {})\n",
                checked.digest, checked.wit_version, checked.reason
            )
        }
        ComponentCommand::Rollback => {
            let checked = store.rollback()?;
            format!("rolled back to {} ({})\n", checked.digest, checked.reason)
        }
        ComponentCommand::Trust { key } => {
            store.trust()?.add_key(&key)?;
            format!("trusting components signed by {}\n", key.trim())
        }
        ComponentCommand::Pin { digest } => {
            store.trust()?.pin(&digest)?;
            format!("trusting the component with digest {}\n", digest.trim())
        }
        ComponentCommand::Keygen { out } => keygen(&out)?,
        ComponentCommand::Sign { file, key } => sign(&file, key.as_deref())?,
    };
    std::io::stdout()
        .write_all(text.as_bytes())
        .context("write to stdout")
}

fn keygen(out: &Path) -> anyhow::Result<String> {
    use std::os::unix::fs::OpenOptionsExt;
    let secret = PublisherSecret::generate()?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(out)
        .with_context(|| format!("create {} (it must not exist yet)", out.display()))?;
    file.write_all(format!("{}\n", secret.to_hex()).as_bytes())
        .with_context(|| format!("write {}", out.display()))?;
    Ok(format!("{}\n", secret.public_hex()))
}

fn sign(file: &Path, key: Option<&Path>) -> anyhow::Result<String> {
    let secret = match key {
        Some(path) => {
            let looks_like_a_key = {
                let raw = path.as_os_str().to_string_lossy();
                raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit())
            };
            if looks_like_a_key && !path.exists() {
                // Never echo what may be the secret itself.
                bail!(
                    "--key takes the path of a key file written by `component keygen`, not the \
                     key itself; pass the key in FLORA_MCP_SIGNING_KEY instead"
                );
            }
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("read the signing key file {}", path.display()))?;
            PublisherSecret::from_hex(&text)?
        }
        None => match std::env::var("FLORA_MCP_SIGNING_KEY") {
            Ok(text) => PublisherSecret::from_hex(&text)?,
            Err(_) => bail!("no signing key: pass --key FILE or set FLORA_MCP_SIGNING_KEY"),
        },
    };
    let bytes = std::fs::read(file).with_context(|| format!("read {}", file.display()))?;
    let digest = hex::encode(Sha256::digest(&bytes));
    let out = format!("{}.sig", file.display());
    std::fs::write(&out, secret.sign(&digest)).with_context(|| format!("write {out}"))?;
    Ok(format!(
        "signed {digest} with key {}; wrote {out}\n",
        secret.public_hex()
    ))
}
