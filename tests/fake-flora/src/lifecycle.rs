//! The poll-driven run lifecycle shared by every kind of run: each poll moves a run one step
//! (pending → running → running → completed|failed → settled), and a `fail:<CODE>` marker
//! in what the caller sent makes it fail where it would have completed.

/// Where a run stands; each poll moves it to the next variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Pending,
    RunningEarly,
    RunningLate,
    /// Terminal, first read: `charged_cost` not settled yet.
    Finished,
    /// Terminal, later reads: `charged_cost` present.
    Settled,
}

/// One run's progress through its states, with the timestamps FLORA reports.
#[derive(Debug, Clone)]
pub struct Lifecycle {
    step: Step,
    polls: u32,
    started_at: Option<u64>,
    completed_at: Option<u64>,
    failure: Option<String>,
    /// `progress` while running, early then late (generations report 0 until done).
    running_progress: (u8, u8),
}

impl Lifecycle {
    /// A pending run that will fail with `failure` if it is `Some`.
    pub fn new(failure: Option<String>, running_progress: (u8, u8)) -> Lifecycle {
        Lifecycle {
            step: Step::Pending,
            polls: 0,
            started_at: None,
            completed_at: None,
            failure,
            running_progress,
        }
    }

    /// Moves the run one step along, as a poll does.
    pub fn advance(&mut self, now: u64) {
        self.polls += 1;
        self.step = match self.step {
            Step::Pending => Step::RunningEarly,
            Step::RunningEarly => Step::RunningLate,
            Step::RunningLate => Step::Finished,
            Step::Finished | Step::Settled => Step::Settled,
        };
        if self.step >= Step::RunningEarly && self.started_at.is_none() {
            self.started_at = Some(now);
        }
        if self.step >= Step::Finished && self.completed_at.is_none() {
            self.completed_at = Some(now);
        }
    }

    pub fn status(&self) -> &'static str {
        match (self.step, &self.failure) {
            (Step::Pending, _) => "pending",
            (Step::RunningEarly | Step::RunningLate, _) => "running",
            (_, None) => "completed",
            (_, Some(_)) => "failed",
        }
    }

    pub fn progress(&self) -> u8 {
        match self.step {
            Step::Pending => 0,
            Step::RunningEarly => self.running_progress.0,
            Step::RunningLate => self.running_progress.1,
            Step::Finished | Step::Settled => 100,
        }
    }

    pub fn is_terminal(&self) -> bool {
        self.step >= Step::Finished
    }

    /// Whether `charged_cost` is reported yet (one poll after the run turned terminal).
    pub fn is_settled(&self) -> bool {
        self.step == Step::Settled
    }

    /// The failure code, once the run has failed.
    pub fn failure(&self) -> Option<&str> {
        self.failure.as_deref().filter(|_| self.is_terminal())
    }

    /// Whether the run will fail (or has).
    pub fn fails(&self) -> bool {
        self.failure.is_some()
    }

    pub fn polls(&self) -> u32 {
        self.polls
    }

    pub fn started_at(&self) -> Option<u64> {
        self.started_at
    }

    pub fn completed_at(&self) -> Option<u64> {
        self.completed_at
    }
}

/// The code after `fail:` in any of `values` (e.g. `fail:GENERATION_PROMPT_MODERATED`);
/// a bare `fail:` means `GENERATION_GENERIC_ERROR`.
pub fn injected_failure<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<String> {
    values.into_iter().find_map(|value| {
        let (_, rest) = value.split_once("fail:")?;
        let code: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        Some(if code.is_empty() {
            "GENERATION_GENERIC_ERROR".to_owned()
        } else {
            code
        })
    })
}

/// A readable message for a run failure code.
pub fn failure_message(code: &str) -> String {
    match code {
        "GENERATION_PROMPT_MODERATED" => "The prompt was rejected by the safety system.".into(),
        "GENERATION_PROVIDER_TIMEOUT" => "The provider timed out before finishing.".into(),
        "GENERATION_INVALID_URL" => "Failed to load inputs: an input URL is not reachable.".into(),
        "GENERATION_INPUT_VALIDATION" => "The run has no usable inputs.".into(),
        "BILLING_NOT_ENOUGH_CREDITS" => "The workspace does not have enough credits.".into(),
        _ => format!("The run failed ({code})."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_and_progress() {
        let mut run = Lifecycle::new(None, (0, 0));
        let mut seen = Vec::new();
        for now in 1..6 {
            run.advance(now);
            seen.push((run.status(), run.progress(), run.is_settled()));
        }
        assert_eq!(
            seen,
            [
                ("running", 0, false),
                ("running", 0, false),
                ("completed", 100, false),
                ("completed", 100, true),
                ("completed", 100, true),
            ]
        );
        assert_eq!((run.started_at(), run.completed_at()), (Some(1), Some(3)));
    }

    #[test]
    fn markers_name_codes() {
        assert_eq!(
            injected_failure(["a", "x fail:LLM_REFUSAL."]).as_deref(),
            Some("LLM_REFUSAL")
        );
        assert_eq!(
            injected_failure(["fail:"]).as_deref(),
            Some("GENERATION_GENERIC_ERROR")
        );
        assert_eq!(injected_failure(["fine"]), None);
    }
}
