//! Generation and action runs (the runs `GET /runs/{runId}` serves besides technique runs): what
//! started them, their poll-driven [`Lifecycle`], and their renderings as `RunStart`, `RunStatus`
//! and `GET /generations` item.

use crate::actions::Action;
use crate::catalog::{IoType, Model};
use crate::lifecycle::{Lifecycle, failure_message, injected_failure};
use crate::runs::{RunOutput, RunStatus};
use serde::Serialize;
use serde_json::{Map, Value, json};

/// What a run does.
#[derive(Debug, Clone)]
pub enum Job {
    /// A model generation from a prompt (`POST /generate`, or a canvas node run).
    Generation {
        model: Model,
        prompt: String,
        params: Map<String, Value>,
    },
    /// A prebuilt action over inputs (`POST /runs/action`, or a canvas action node run).
    Action {
        action: Action,
        inputs: Vec<Value>,
        params: Map<String, Value>,
    },
}

/// A generation or action run in the fake's world.
#[derive(Debug, Clone)]
pub struct ApiRun {
    pub run_id: String,
    pub workspace_id: String,
    pub project_id: String,
    pub job: Job,
    pub callback_url: Option<String>,
    /// The canvas node it runs for, if any.
    pub node_id: Option<String>,
    pub created_at: u64,
    lifecycle: Lifecycle,
}

/// A generation or action run as tests see it through [`crate::FakeFlora::api_runs`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiRunRecord {
    pub run_id: String,
    /// `generation` or `action`.
    pub run_type: String,
    pub workspace_id: String,
    pub project_id: String,
    pub model_id: Option<String>,
    pub action_id: Option<String>,
    /// The canvas node it runs for, if started from the canvas.
    pub node_id: Option<String>,
    pub prompt: Option<String>,
    /// Model parameters or action parameters, as sent.
    pub params: Value,
    /// Action inputs, as sent (empty for generations).
    pub inputs: Value,
    pub callback_url: Option<String>,
    pub status: String,
    pub progress: u8,
    pub polls: u32,
}

/// A `RunStart` body (the answer to every run-starting request).
pub fn run_start(
    run_id: &str,
    run_type: &str,
    estimated_seconds: Option<u32>,
    charged_cost: f64,
    poll_url: &str,
    project_id: &str,
) -> Value {
    json!({
        "run_id": run_id,
        "type": run_type,
        "estimated_seconds": estimated_seconds,
        "charged_cost": charged_cost,
        "poll_url": poll_url,
        "project_id": project_id,
    })
}

/// USD for `credits` (1 credit ≈ $0.001).
pub fn credits_to_usd(credits: u32) -> f64 {
    f64::from(credits) / 1000.0
}

impl ApiRun {
    pub fn new(run_id: String, workspace_id: &str, project_id: &str, job: Job, now: u64) -> ApiRun {
        let (failure, progress) = match &job {
            Job::Generation { prompt, .. } => (injected_failure([prompt.as_str()]), (0, 0)),
            Job::Action { inputs, .. } => {
                let values = inputs
                    .iter()
                    .flat_map(|i| [i.get("url"), i.get("text")])
                    .filter_map(|v| v.and_then(Value::as_str));
                let failure = if inputs.is_empty() {
                    Some("GENERATION_INPUT_VALIDATION".to_owned())
                } else {
                    injected_failure(values)
                };
                (failure, (40, 80))
            }
        };
        ApiRun {
            run_id,
            workspace_id: workspace_id.to_owned(),
            project_id: project_id.to_owned(),
            job,
            callback_url: None,
            node_id: None,
            created_at: now,
            lifecycle: Lifecycle::new(failure, progress),
        }
    }

    pub fn run_type(&self) -> &'static str {
        match self.job {
            Job::Generation { .. } => "generation",
            Job::Action { .. } => "action",
        }
    }

    pub fn advance(&mut self, now: u64) {
        self.lifecycle.advance(now);
    }

    pub fn status(&self) -> &'static str {
        self.lifecycle.status()
    }

    pub fn is_terminal(&self) -> bool {
        self.lifecycle.is_terminal()
    }

    /// The failure code and message, once failed.
    pub fn failure(&self) -> Option<(String, String)> {
        self.lifecycle
            .failure()
            .map(|code| (code.to_owned(), failure_message(code)))
    }

    /// `<origin>/api/v1/runs/<run_id>`.
    pub fn poll_url(&self, origin: &str) -> String {
        format!("{origin}/api/v1/runs/{}", self.run_id)
    }

    /// The cost quoted at start, which is also what a successful run settles at.
    pub fn quote(&self) -> f64 {
        match &self.job {
            Job::Generation { model, .. } => credits_to_usd(model.estimated_credits),
            Job::Action { .. } => 0.0,
        }
    }

    pub fn estimated_seconds(&self) -> Option<u32> {
        match &self.job {
            Job::Generation { model, .. } => Some(model.estimated_seconds),
            Job::Action { .. } => Some(10),
        }
    }

    /// The `RunStart` answer for this run.
    pub fn start(&self, origin: &str) -> Value {
        let mut start = run_start(
            &self.run_id,
            self.run_type(),
            self.estimated_seconds(),
            self.quote(),
            &self.poll_url(origin),
            &self.project_id,
        );
        match &self.job {
            Job::Generation { model, .. } => start["model"] = json!({ "model_id": model.model_id }),
            Job::Action { action, .. } => {
                start["action"] = json!({ "action_id": action.action_id });
            }
        }
        start
    }

    /// The run as `RunStatus`.
    pub fn view(&self, origin: &str) -> RunStatus {
        let life = &self.lifecycle;
        let failure = life.failure();
        RunStatus {
            run_id: self.run_id.clone(),
            status: life.status(),
            progress: life.progress(),
            created_at: self.created_at,
            started_at: life.started_at(),
            completed_at: life.completed_at(),
            charged_cost: life
                .is_settled()
                .then(|| if life.fails() { 0.0 } else { self.quote() }),
            error_code: failure.map(str::to_owned),
            error_message: failure.map(failure_message),
            outputs: (life.is_terminal() && !life.fails()).then(|| self.outputs()),
            poll_url: self.poll_url(origin),
        }
    }

    /// The `GET /generations` item.
    pub fn generation_item(&self, origin: &str) -> Value {
        let mut item = serde_json::to_value(self.view(origin)).unwrap_or_default();
        item["generation_id"] = json!(self.run_id);
        item["project_id"] = json!(self.project_id);
        item["workspace_id"] = json!(self.workspace_id);
        if let Job::Generation { model, .. } = &self.job {
            item["model"] = json!({ "model_id": model.model_id });
        }
        item
    }

    /// The outputs a completed run reports.
    pub fn outputs(&self) -> Vec<RunOutput> {
        match &self.job {
            Job::Generation { model, prompt, .. } => {
                let kind = io_type(model.kind);
                let text = format!("{} response to \"{prompt}\"", model.name);
                vec![RunOutput::fake(&self.run_id, "output_1", kind, &text)]
            }
            Job::Action { action, .. } => {
                let text = format!("{} output for {}", action.name, self.run_id);
                let kinds = action
                    .outputs
                    .iter()
                    .flat_map(|slot| vec![slot.kind; if slot.multiple { 2 } else { 1 }]);
                kinds
                    .enumerate()
                    .map(|(i, kind)| {
                        let id = format!("output_{}", i + 1);
                        RunOutput::fake(&self.run_id, &id, io_type(kind), &text)
                    })
                    .collect()
            }
        }
    }

    pub fn record(&self) -> ApiRunRecord {
        let (model_id, action_id, prompt, params, inputs) = match &self.job {
            Job::Generation {
                model,
                prompt,
                params,
            } => (
                Some(model.model_id.to_owned()),
                None,
                Some(prompt.clone()),
                Value::Object(params.clone()),
                json!([]),
            ),
            Job::Action {
                action,
                inputs,
                params,
            } => (
                None,
                Some(action.action_id.to_owned()),
                None,
                Value::Object(params.clone()),
                Value::Array(inputs.clone()),
            ),
        };
        ApiRunRecord {
            run_id: self.run_id.clone(),
            run_type: self.run_type().to_owned(),
            workspace_id: self.workspace_id.clone(),
            project_id: self.project_id.clone(),
            model_id,
            action_id,
            node_id: self.node_id.clone(),
            prompt,
            params,
            inputs,
            callback_url: self.callback_url.clone(),
            status: self.status().to_owned(),
            progress: self.lifecycle.progress(),
            polls: self.lifecycle.polls(),
        }
    }
}

/// The run-output type of a media type (`image` → `imageUrl`).
pub fn io_type(media: &str) -> IoType {
    match media {
        "video" => IoType::VideoUrl,
        "audio" => IoType::AudioUrl,
        "text" => IoType::Text,
        _ => IoType::ImageUrl,
    }
}
