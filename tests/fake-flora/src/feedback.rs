//! Product feedback (`POST /feedback`): the closed set of kinds and the record kept for tests.

use serde::Serialize;

/// Every feedback `kind` FLORA accepts.
pub const KINDS: [&str; 4] = [
    "feature_request",
    "bug",
    "technique_request",
    "missing_capability",
];

/// One piece of feedback as received, seen through [`crate::FakeFlora::feedback`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedbackRecord {
    pub feedback_id: String,
    pub received_at: u64,
    pub kind: String,
    pub summary: String,
    pub detail: String,
    pub attempted_tools: Vec<String>,
    pub workspace_id: Option<String>,
    pub project_id: Option<String>,
    pub run_id: Option<String>,
}
