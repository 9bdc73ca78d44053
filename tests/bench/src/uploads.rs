//! Memory while uploading: the serving `flora-mcp`'s peak RSS (`VmHWM`, read just before the
//! session ends) over a session that uploads one 1 MiB image (direct multipart) and over one
//! that uploads one 200 MiB video (the signed path, streamed to the fake storage). The host
//! streams files in chunks, so the two peaks should differ by a few MiB at most.

use crate::mcp::Server;
use crate::report::Metric;
use crate::servers::{self, Paths};
use crate::{EXIT_TIMEOUT, START_TIMEOUT, say, tokio_runtime};
use anyhow::Context;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;

const MIB: u64 = 1024 * 1024;
/// How long one upload may take, fake storage included.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(300);

/// Measures both uploads and adds their lines.
///
/// # Errors
/// Fails when the fake's storage cannot be found or an upload fails.
pub fn upload_memory(paths: &Paths, base: &str, metrics: &mut Vec<Metric>) -> anyhow::Result<()> {
    say("peak RSS over an upload of 1 MiB and one of 200 MiB");
    let storage = storage_origin(base)?;
    let dir = paths.out.join("uploads");
    std::fs::create_dir_all(&dir).with_context(|| format!("create {}", dir.display()))?;
    let small = dir.join("small.png");
    let large = dir.join("large.mp4");
    write_sparse(
        &small,
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x20\0\0\0\x20",
        MIB,
    )?;
    write_sparse(&large, b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2", 200 * MIB)?;

    let peak = |file: &Path| -> anyhow::Result<f64> {
        let dir = dir.display().to_string();
        let flags = ["--allow-dir", &dir, "--storage-origin", &storage];
        let server = Server::spawn(&servers::ours(paths, base, &flags))?;
        server.handshake(START_TIMEOUT)?;
        let arguments = json!({ "path": file.display().to_string() });
        server.call_tool("upload_file", &arguments, "ready at", UPLOAD_TIMEOUT)?;
        let peak = server.peak_rss_kib()?;
        server.finish(EXIT_TIMEOUT)?;
        Ok(peak as f64 / 1024.0)
    };
    let small_peak = peak(&small)?;
    let large_peak = peak(&large)?;
    let _ = std::fs::remove_file(&large);

    metrics.push(Metric::new(
        "upload_1mib_peak_rss_mib",
        "peak RSS, session uploading 1 MiB (direct)",
        "MiB",
        "flora-mcp",
        Some(small_peak),
    ));
    metrics.push(
        Metric::new(
            "upload_200mib_peak_rss_mib",
            "peak RSS, session uploading 200 MiB (signed, streamed)",
            "MiB",
            "flora-mcp",
            Some(large_peak),
        )
        .against("1 MiB upload", Some(small_peak)),
    );
    metrics.push(Metric::new(
        "upload_peak_rss_growth_mib",
        "peak RSS growth, 200 MiB upload over 1 MiB",
        "MiB",
        "flora-mcp",
        Some(large_peak - small_peak),
    ));
    Ok(())
}

/// A file of `size` bytes: `head`, then zeros left as a hole, so it costs no disk or memory.
fn write_sparse(path: &Path, head: &[u8], size: u64) -> anyhow::Result<()> {
    let file = std::fs::File::create(path).with_context(|| format!("create {}", path.display()))?;
    std::io::Write::write_all(&mut &file, head)?;
    file.set_len(size)?;
    Ok(())
}

/// The fake storage's origin, as the fake's control endpoint reports it.
fn storage_origin(base: &str) -> anyhow::Result<String> {
    let origin = base.trim_end_matches('/').trim_end_matches("/api/v1");
    let url = format!("{origin}/__fake/storage");
    let bytes = tokio_runtime()?
        .block_on(async { reqwest::get(&url).await?.bytes().await })
        .with_context(|| format!("read {url}"))?;
    let body: Value = serde_json::from_slice(&bytes).with_context(|| format!("parse {url}"))?;
    body["storage_origin"]
        .as_str()
        .map(str::to_owned)
        .context("the fake did not say where its storage is")
}
