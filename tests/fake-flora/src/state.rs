//! The shared state behind every route: the immutable catalog, the mutable world (projects,
//! canvases, assets, runs, folders, feedback, idempotency records), injected faults, recorded
//! requests and stored uploads, plus lookups over them.

use crate::actions::Action;
use crate::api_runs::{ApiRun, ApiRunRecord};
use crate::canvas::Canvas;
use crate::catalog::{Asset, Model, Project, Technique, Workspace};
use crate::errors::ApiError;
use crate::faults::Fault;
use crate::feedback::FeedbackRecord;
use crate::folders::{LibraryFolder, LibraryFolderRecord, ProjectFolder};
use crate::idempotency::IdempotencyLedger;
use crate::ids::random_token;
use crate::recording::RecordedRequest;
use crate::runs::{Run, RunRecord};
use crate::uploads::StoredUpload;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// What handlers and middleware share.
pub type AppState = Arc<Shared>;

pub struct Shared {
    /// `http://127.0.0.1:PORT`, used to build `poll_url`s.
    pub origin: String,
    /// `http://127.0.0.1:PORT` of the fake storage listener, where upload targets point.
    pub storage_origin: String,
    /// How long a signed upload target stays valid.
    pub upload_ttl: Duration,
    /// API key → workspace id.
    pub api_keys: HashMap<String, String>,
    pub workspaces: Vec<Workspace>,
    pub models: Vec<Model>,
    pub techniques: Vec<Technique>,
    pub actions: Vec<Action>,
    pub world: Mutex<World>,
    pub faults: Mutex<Vec<Fault>>,
    pub recorded: Mutex<Vec<RecordedRequest>>,
    pub stored: Mutex<Vec<StoredUpload>>,
    /// A pause after each chunk the fake storage reads, to make uploads slow enough to cancel.
    pub storage_pause: Mutex<Duration>,
    /// The authorization server's clients, codes, tokens, knobs and counters.
    pub oauth: Mutex<crate::oauth::OAuthState>,
}

/// The parts of the fake that requests change.
pub struct World {
    pub projects: Vec<Project>,
    /// Project id → its canvas.
    pub canvases: HashMap<String, Canvas>,
    pub assets: Vec<Asset>,
    /// Technique runs in creation order.
    pub runs: Vec<Run>,
    /// Generation and action runs in creation order.
    pub api_runs: Vec<ApiRun>,
    /// (workspace id, body `idempotency_key`) → run id.
    pub run_keys: HashMap<(String, String), String>,
    /// `Idempotency-Key` header reservations.
    pub idempotency: IdempotencyLedger,
    pub folders: Vec<ProjectFolder>,
    pub library: Vec<LibraryFolder>,
    pub feedback: Vec<FeedbackRecord>,
    /// The next asset to finish processing fails with this message.
    pub fail_next_processing: Option<String>,
    /// How many upload targets still to be issued are born expired.
    pub expire_next_targets: u32,
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

    pub fn model(&self, model_id: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.model_id == model_id)
    }

    pub fn action(&self, action_id: &str) -> Option<&Action> {
        self.actions.iter().find(|a| a.action_id == action_id)
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

impl World {
    /// The project `project_id` if `workspace_id` owns it, else 404.
    pub fn project(&self, workspace_id: &str, project_id: &str) -> Result<&Project, ApiError> {
        self.projects
            .iter()
            .find(|p| p.project_id == project_id && p.workspace_id == workspace_id)
            .ok_or_else(ApiError::not_found)
    }

    /// The canvas of a project `workspace_id` owns, else 404.
    pub fn canvas_mut(
        &mut self,
        workspace_id: &str,
        project_id: &str,
    ) -> Result<&mut Canvas, ApiError> {
        self.project(workspace_id, project_id)?;
        Ok(self.canvases.entry(project_id.to_owned()).or_default())
    }

    /// Creates an empty project (origin `api`) in `workspace_id`, filed in `folder_id`.
    pub fn create_project(
        &mut self,
        workspace_id: &str,
        name: &str,
        folder_id: Option<String>,
        now: u64,
    ) -> Project {
        let project = Project {
            project_id: format!("prj_{}", random_token(32)),
            workspace_id: workspace_id.to_owned(),
            name: name.to_owned(),
            origin: Some("api".to_owned()),
            created_at: now,
            last_modified: None,
            folder_id,
        };
        self.canvases
            .insert(project.project_id.clone(), Canvas::default());
        self.projects.push(project.clone());
        project
    }

    /// Records activity on a project now.
    pub fn touch_project(&mut self, project_id: &str, now: u64) {
        if let Some(project) = self
            .projects
            .iter_mut()
            .find(|p| p.project_id == project_id)
        {
            project.last_modified = Some(now);
        }
    }

    /// The asset `asset_id` if `workspace_id` owns it, else 404.
    pub fn asset_mut(
        &mut self,
        workspace_id: &str,
        asset_id: &str,
    ) -> Result<&mut Asset, ApiError> {
        self.assets
            .iter_mut()
            .find(|a| a.asset_id == asset_id && a.workspace_id == workspace_id)
            .ok_or_else(ApiError::not_found)
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

    /// Every generation and action run created so far, oldest first.
    pub fn api_runs(&self) -> Vec<ApiRunRecord> {
        self.world().api_runs.iter().map(ApiRun::record).collect()
    }

    /// Every feedback record, oldest first.
    pub fn feedback(&self) -> Vec<FeedbackRecord> {
        self.world().feedback.clone()
    }

    /// Every library folder that exists now, oldest first.
    pub fn library_folders(&self) -> Vec<LibraryFolderRecord> {
        self.world()
            .library
            .iter()
            .map(LibraryFolder::record)
            .collect()
    }

    /// The project folder a project was created into, if any.
    pub fn project_folder(&self, project_id: &str) -> Option<String> {
        let world = self.world();
        let project = world.projects.iter().find(|p| p.project_id == project_id)?;
        project.folder_id.clone()
    }

    /// Every upload the fake storage accepted, oldest first.
    pub fn stored_uploads(&self) -> Vec<StoredUpload> {
        lock(&self.stored).clone()
    }

    /// Makes every open upload target expired; returns how many were.
    pub fn expire_upload_targets(&self) -> usize {
        let mut world = self.world();
        let mut count = 0;
        for upload in world.assets.iter_mut().filter_map(|a| a.upload.as_mut()) {
            if let Some(target) = upload.target.as_mut().filter(|_| !upload.processing) {
                target.expires_at = 0;
                count += 1;
            }
        }
        count
    }

    /// Makes the next `count` upload targets issued (by `POST /assets` or `retry`) expired
    /// from the start.
    pub fn expire_next_targets(&self, count: u32) {
        self.world().expire_next_targets = count;
    }

    /// Makes the fake storage pause this long after each chunk it reads.
    pub fn set_storage_pause(&self, pause: Duration) {
        *lock(&self.storage_pause) = pause;
    }

    /// Makes the next asset to finish processing fail with `message`.
    pub fn fail_next_processing(&self, message: &str) {
        self.world().fail_next_processing = Some(message.to_owned());
    }
}
