//! The shared state behind every route: the immutable catalog, the mutable world (projects, runs,
//! idempotency records), injected faults and recorded requests, plus lookups over them.

use crate::catalog::{Asset, Model, Project, Technique, Workspace};
use crate::faults::Fault;
use crate::idempotency::IdempotencyLedger;
use crate::recording::RecordedRequest;
use crate::runs::{Run, RunRecord};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// What handlers and middleware share.
pub type AppState = Arc<Shared>;

pub struct Shared {
    /// `http://127.0.0.1:PORT`, used to build `poll_url`s.
    pub origin: String,
    /// API key → workspace id.
    pub api_keys: HashMap<String, String>,
    pub workspaces: Vec<Workspace>,
    pub models: Vec<Model>,
    pub techniques: Vec<Technique>,
    pub assets: Vec<Asset>,
    pub world: Mutex<World>,
    pub faults: Mutex<Vec<Fault>>,
    pub recorded: Mutex<Vec<RecordedRequest>>,
}

/// The parts of the fake that requests change.
pub struct World {
    pub projects: Vec<Project>,
    /// Technique runs in creation order.
    pub runs: Vec<Run>,
    /// (workspace id, body `idempotency_key`) → run id.
    pub run_keys: HashMap<(String, String), String>,
    /// `Idempotency-Key` header reservations.
    pub idempotency: IdempotencyLedger,
}

/// Locks `mutex`, carrying on past a panic in another holder (tests may panic mid-request).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }

    /// The technique named by an id (`tech_cctv-cam`) or a slug (`cctv-cam`).
    pub fn technique(&self, reference: &str) -> Option<&Technique> {
        self.techniques.iter().find(|t| t.is_named_by(reference))
    }

    pub fn workspace(&self, workspace_id: &str) -> Option<&Workspace> {
        self.workspaces
            .iter()
            .find(|w| w.workspace_id == workspace_id)
    }

    /// The id of the workspace's first project (most recent activity first), where runs land.
    pub fn default_project(world: &World, workspace_id: &str) -> Option<String> {
        let mut projects: Vec<&Project> = world
            .projects
            .iter()
            .filter(|p| p.workspace_id == workspace_id)
            .collect();
        sort_by_activity(&mut projects);
        projects.first().map(|p| p.project_id.clone())
    }
}

/// Orders projects most recent activity first (last modified, else created).
pub fn sort_by_activity(projects: &mut [&Project]) {
    projects.sort_by_key(|p| std::cmp::Reverse(p.last_modified.unwrap_or(p.created_at)));
}

/// Test-facing views and controls, shared by the library API and the `/__fake` routes.
impl Shared {
    /// Arms `fault`.
    pub fn inject(&self, fault: Fault) {
        lock(&self.faults).push(fault);
    }

    /// Disarms every fault, returning how many were armed.
    pub fn clear_faults(&self) -> usize {
        std::mem::take(&mut *lock(&self.faults)).len()
    }

    /// Every request recorded under `/api/v1`, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.recorded).clone()
    }

    /// Forgets the recorded requests, returning how many there were.
    pub fn clear_requests(&self) -> usize {
        std::mem::take(&mut *lock(&self.recorded)).len()
    }

    /// Every technique run created so far, oldest first.
    pub fn technique_runs(&self) -> Vec<RunRecord> {
        self.world().runs.iter().map(Run::record).collect()
    }
}
