//! Technique runs, driven by polls rather than time: each retrieve moves a run one step
//! (pending → running 35 → running 70 → completed|failed → settled, see [`Lifecycle`]), and this
//! file renders a run as FLORA's `RunStatus` and technique-run list item.

use crate::catalog::{IoType, Technique};
use crate::lifecycle::{Lifecycle, failure_message, injected_failure};
use serde::{Deserialize, Serialize};

/// One value given for a technique input when the run was created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInput {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

/// One output of a completed run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunOutput {
    pub output_id: String,
    #[serde(rename = "type")]
    pub kind: IoType,
    pub url: String,
}

/// FLORA's `RunStatus`, as returned by create and retrieve.
#[derive(Debug, Clone, Serialize)]
pub struct RunStatus {
    pub run_id: String,
    pub status: &'static str,
    pub progress: u8,
    pub created_at: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charged_cost: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outputs: Option<Vec<RunOutput>>,
    pub poll_url: String,
}

/// The `technique` object of a technique-run list item.
#[derive(Debug, Clone, Serialize)]
pub struct TechniqueRef {
    pub technique_id: &'static str,
    pub name: &'static str,
}

/// One item of `GET /technique-runs`.
#[derive(Debug, Clone, Serialize)]
pub struct RunListItem {
    #[serde(flatten)]
    pub status: RunStatus,
    pub project_id: String,
    pub workspace_id: String,
    pub technique_run_id: String,
    pub technique: TechniqueRef,
}

/// A run as tests see it through [`crate::FakeFlora::technique_runs`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRecord {
    pub run_id: String,
    /// The canonical id, e.g. `tech_cctv-cam`.
    pub technique_id: String,
    /// The id or slug the run was created through.
    pub technique_ref: String,
    pub workspace_id: String,
    pub project_id: String,
    pub status: String,
    pub progress: u8,
    pub inputs: Vec<RunInput>,
    pub mode: String,
    pub callback_url: Option<String>,
    pub idempotency_key: Option<String>,
    /// How many retrieves have moved it along.
    pub polls: u32,
}

/// What a validated create request carries.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub inputs: Vec<RunInput>,
    pub mode: String,
    pub callback_url: Option<String>,
    pub idempotency_key: Option<String>,
}

/// A technique run in the fake's world.
#[derive(Debug, Clone)]
pub struct Run {
    pub run_id: String,
    pub technique: Technique,
    pub technique_ref: String,
    pub workspace_id: String,
    pub project_id: String,
    pub request: RunRequest,
    pub created_at: u64,
    lifecycle: Lifecycle,
}

impl Run {
    pub fn new(
        run_id: String,
        technique: &Technique,
        technique_ref: &str,
        workspace_id: &str,
        project_id: &str,
        request: RunRequest,
        now: u64,
    ) -> Run {
        let failure = injected_failure(request.inputs.iter().map(|i| i.value.as_str()));
        Run {
            run_id,
            technique: technique.clone(),
            technique_ref: technique_ref.to_owned(),
            workspace_id: workspace_id.to_owned(),
            project_id: project_id.to_owned(),
            request,
            created_at: now,
            lifecycle: Lifecycle::new(failure, (35, 70)),
        }
    }

    /// Moves the run one step along, as a poll does.
    pub fn advance(&mut self, now: u64) {
        self.lifecycle.advance(now);
    }

    pub fn status(&self) -> &'static str {
        self.lifecycle.status()
    }

    pub fn progress(&self) -> u8 {
        self.lifecycle.progress()
    }

    /// `<origin>/api/v1/techniques/<technique as given>/runs/<run_id>`.
    pub fn poll_url(&self, origin: &str) -> String {
        format!(
            "{origin}/api/v1/techniques/{}/runs/{}",
            self.technique_ref, self.run_id
        )
    }

    /// The run as FLORA's `RunStatus`.
    pub fn view(&self, origin: &str) -> RunStatus {
        let life = &self.lifecycle;
        let terminal = life.is_terminal();
        let charged_cost = life.is_settled().then(|| {
            if life.fails() {
                0.0
            } else {
                self.technique.run_cost
            }
        });
        let failure = life.failure();
        RunStatus {
            run_id: self.run_id.clone(),
            status: self.status(),
            progress: self.progress(),
            created_at: self.created_at,
            started_at: life.started_at(),
            completed_at: life.completed_at(),
            charged_cost,
            error_code: failure.map(str::to_owned),
            error_message: failure.map(failure_message),
            outputs: (terminal && !life.fails()).then(|| self.outputs()),
            poll_url: self.poll_url(origin),
        }
    }

    /// The run as an item of `GET /technique-runs`.
    pub fn list_item(&self, origin: &str) -> RunListItem {
        RunListItem {
            status: self.view(origin),
            project_id: self.project_id.clone(),
            workspace_id: self.workspace_id.clone(),
            technique_run_id: self.run_id.clone(),
            technique: TechniqueRef {
                technique_id: self.technique.technique_id,
                name: self.technique.name,
            },
        }
    }

    pub fn record(&self) -> RunRecord {
        RunRecord {
            run_id: self.run_id.clone(),
            technique_id: self.technique.technique_id.to_owned(),
            technique_ref: self.technique_ref.clone(),
            workspace_id: self.workspace_id.clone(),
            project_id: self.project_id.clone(),
            status: self.status().to_owned(),
            progress: self.progress(),
            inputs: self.request.inputs.clone(),
            mode: self.request.mode.clone(),
            callback_url: self.request.callback_url.clone(),
            idempotency_key: self.request.idempotency_key.clone(),
            polls: self.lifecycle.polls(),
        }
    }

    /// One output per technique output: a fake media URL, or for text the text itself.
    fn outputs(&self) -> Vec<RunOutput> {
        let first_text = self.request.inputs.iter().find(|i| i.kind == "text");
        let text = match first_text {
            Some(input) => format!("{} output for \"{}\"", self.technique.name, input.value),
            None => format!("{} output for {}", self.technique.name, self.run_id),
        };
        self.technique
            .outputs
            .iter()
            .map(|output| RunOutput::fake(&self.run_id, output.id, output.kind, &text))
            .collect()
    }
}

impl RunOutput {
    /// A fake output: a media URL under `media.flora.ai`, or for text `text` itself.
    pub fn fake(run_id: &str, output_id: &str, kind: IoType, text: &str) -> RunOutput {
        RunOutput {
            output_id: output_id.to_owned(),
            kind,
            url: match kind.extension() {
                Some(ext) => format!("https://media.flora.ai/fake/{run_id}/{output_id}.{ext}"),
                None => text.to_owned(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::seed;

    fn run(value: &str) -> Run {
        let technique = seed().techniques.into_iter().next().unwrap();
        let request = RunRequest {
            inputs: vec![RunInput {
                id: "input_image".into(),
                kind: "imageUrl".into(),
                value: value.into(),
            }],
            mode: "async".into(),
            callback_url: None,
            idempotency_key: None,
        };
        Run::new(
            "run_x".into(),
            &technique,
            "cctv-cam",
            "ws_a",
            "prj_a",
            request,
            1,
        )
    }

    #[test]
    fn completes_after_three_polls_then_settles() {
        let mut run = run("https://example.com/a.png");
        let mut seen = Vec::new();
        for now in 2..7 {
            run.advance(now);
            let view = run.view("http://o");
            seen.push((view.status, view.progress, view.charged_cost));
        }
        assert_eq!(
            seen,
            [
                ("running", 35, None),
                ("running", 70, None),
                ("completed", 100, None),
                ("completed", 100, Some(0.05)),
                ("completed", 100, Some(0.05)),
            ]
        );
        let view = run.view("http://o");
        assert_eq!(
            view.poll_url,
            "http://o/api/v1/techniques/cctv-cam/runs/run_x"
        );
        assert_eq!(view.started_at, Some(2));
        assert_eq!(view.completed_at, Some(4));
        let outputs = view.outputs.unwrap();
        assert_eq!(
            outputs[0].url,
            "https://media.flora.ai/fake/run_x/output_image.png"
        );
    }

    #[test]
    fn fails_where_it_would_complete() {
        let mut run = run("fail:GENERATION_PROMPT_MODERATED please");
        run.advance(2);
        run.advance(3);
        assert_eq!(run.view("o").status, "running");
        assert!(run.view("o").error_code.is_none());
        run.advance(4);
        let view = run.view("o");
        assert_eq!(view.status, "failed");
        assert_eq!(view.progress, 100);
        assert_eq!(
            view.error_code.as_deref(),
            Some("GENERATION_PROMPT_MODERATED")
        );
        assert!(view.outputs.is_none());
    }
}
