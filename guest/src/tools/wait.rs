//! Waiting for a run, shared by `run_technique` and `generate`: poll every few seconds,
//! report the run's progress to the client, stop at the run's end or at the caller's wait
//! limit; and what a finished run adds to a result (retry advice, resource links).

use super::{Ctx, Link, Stop};
use crate::args::Args;
use crate::prelude::*;
use crate::render::RetryAdvice;
use crate::rest::Failure;
use serde_json::Value;

/// How often a run is polled.
pub const POLL_INTERVAL_MS: u64 = 2_000;
/// How long a waiting tool waits by default before it hands back a run still going.
const DEFAULT_WAIT_S: i64 = 120;

/// Whether a run has ended.
pub fn is_terminal(run: &Value) -> bool {
    matches!(run["status"].as_str(), Some("completed" | "failed"))
}

/// The wait the caller asked for (`max_wait_seconds`), in milliseconds.
pub fn wait_ms(args: &Args) -> u64 {
    args.int("max_wait_seconds")
        .unwrap_or(DEFAULT_WAIT_S)
        .max(0)
        .unsigned_abs()
        * 1000
}

impl Ctx<'_> {
    /// Polls `run` with `poll` until it ends or `wait_ms` have passed, reporting progress
    /// before each wait and 100 at the end; returns the last state seen.
    pub(super) fn wait_for(
        &self,
        mut run: Value,
        wait_ms: u64,
        poll: &dyn Fn() -> Result<Value, Failure>,
    ) -> Result<Value, Stop> {
        let deadline = self.http.now_ms().saturating_add(wait_ms);
        let mut waited = 0;
        while !is_terminal(&run) && waited < wait_ms && self.http.now_ms() < deadline {
            let progress = run["progress"].as_f64().unwrap_or(0.0);
            let status = run["status"].as_str().unwrap_or("pending");
            self.http
                .progress(progress, Some(100.0), &format!("{status}, {progress}%"));
            self.http.sleep_ms(POLL_INTERVAL_MS);
            waited += POLL_INTERVAL_MS;
            run = poll()?;
        }
        if is_terminal(&run) {
            self.http
                .progress(100.0, Some(100.0), run["status"].as_str().unwrap_or("done"));
        }
        Ok(advised(run))
    }
}

/// Adds `retry_advice` to a failed run.
pub fn advised(mut run: Value) -> Value {
    if run["status"] == "failed"
        && let Some(code) = run["error_code"].as_str()
    {
        let advice = RetryAdvice::of(code).as_str();
        run["retry_advice"] = Value::String(advice.to_owned());
    }
    run
}

/// One resource link per media output of a run.
pub fn output_links(run: &Value) -> Vec<Link> {
    let id = run["run_id"].as_str().unwrap_or("the run");
    run["outputs"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|output| {
            let kind = output["type"].as_str()?;
            let url = output["url"].as_str()?;
            if kind == "text" || !url.starts_with("https://") && !url.starts_with("http://") {
                return None;
            }
            Some(Link {
                uri: url.to_owned(),
                name: output["output_id"].as_str().unwrap_or("output").to_owned(),
                mime_type: mime_type(url, kind),
                description: Some(format!("{kind} output of run {id}")),
            })
        })
        .collect()
}

/// A link to an asset's media, when it has a URL.
pub fn asset_link(asset: &Value) -> Option<Link> {
    let url = asset["url"].as_str().filter(|u| u.starts_with("http"))?;
    let id = asset["asset_id"].as_str().unwrap_or("asset");
    let content_type = asset["content_type"]
        .as_str()
        .filter(|t| t.contains('/'))
        .map(str::to_owned);
    Some(Link {
        uri: url.to_owned(),
        name: asset["name"].as_str().unwrap_or(id).to_owned(),
        mime_type: content_type.or_else(|| mime_type(url, "")),
        description: Some(format!("FLORA asset {id}")),
    })
}

/// The media type of `url` from its extension, or `None` when it cannot be told.
fn mime_type(url: &str, kind: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let known = match ext.as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("gif") => "image/gif",
        Some("avif") => "image/avif",
        Some("mp4") => "video/mp4",
        Some("webm") => "video/webm",
        Some("mov") => "video/quicktime",
        Some("mp3") => "audio/mpeg",
        Some("wav") => "audio/wav",
        Some("ogg") => "audio/ogg",
        Some("pdf") => "application/pdf",
        _ => return (kind == "documentUrl").then(|| "application/pdf".to_owned()),
    };
    Some(known.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn media_outputs_become_links_and_text_does_not() {
        let run = json!({"run_id":"run_1","status":"completed","outputs":[
            {"output_id":"img","type":"imageUrl","url":"https://m/x.png"},
            {"output_id":"caption","type":"text","url":"a cat"},
            {"output_id":"clip","type":"videoUrl","url":"https://m/y"}]});
        let links = output_links(&run);
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].mime_type.as_deref(), Some("image/png"));
        assert_eq!(links[1].mime_type, None);
        assert_eq!(links[1].name, "clip");
    }

    #[test]
    fn failed_runs_get_retry_advice() {
        let run = advised(json!({"status":"failed","error_code":"BILLING_NOT_ENOUGH_CREDITS"}));
        assert_eq!(run["retry_advice"], "not_retryable");
        let run = advised(json!({"status":"completed"}));
        assert!(run.get("retry_advice").is_none());
    }
}
