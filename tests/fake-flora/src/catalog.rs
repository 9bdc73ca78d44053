//! The shapes of FLORA's catalog and workspace resources (workspaces, models, techniques, projects,
//! assets), serialised with the exact snake_case field names of SDK 0.11.0.

use crate::time::iso8601;
use serde::Serialize;
use serde_json::{Value, json};

/// A workspace as listed by `GET /workspaces`.
#[derive(Debug, Clone, Serialize)]
pub struct Workspace {
    pub workspace_id: String,
    pub name: String,
    pub created_at: Option<u64>,
    pub role: String,
}

/// One entry of `GET /models`.
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    pub model_id: &'static str,
    pub name: &'static str,
    pub provider: &'static str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub capabilities: Vec<&'static str>,
    pub estimated_credits: u32,
    pub estimated_seconds: u32,
    pub params: Vec<ModelParam>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beta: Option<bool>,
}

/// A generation parameter a model accepts.
#[derive(Debug, Clone, Serialize)]
pub struct ModelParam {
    pub name: &'static str,
    pub required: bool,
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<ParamOption>>,
}

/// One allowed value of an enum-like model parameter.
#[derive(Debug, Clone, Serialize)]
pub struct ParamOption {
    pub label: &'static str,
    pub value: &'static str,
}

/// Media type of a technique input or output (and of a run output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum IoType {
    ImageUrl,
    VideoUrl,
    AudioUrl,
    Text,
    DocumentUrl,
}

impl IoType {
    /// The wire spelling, e.g. `imageUrl`.
    pub fn as_str(self) -> &'static str {
        match self {
            IoType::ImageUrl => "imageUrl",
            IoType::VideoUrl => "videoUrl",
            IoType::AudioUrl => "audioUrl",
            IoType::Text => "text",
            IoType::DocumentUrl => "documentUrl",
        }
    }

    /// File extension of a fake media URL of this type; `None` for text.
    pub fn extension(self) -> Option<&'static str> {
        match self {
            IoType::ImageUrl => Some("png"),
            IoType::VideoUrl => Some("mp4"),
            IoType::AudioUrl => Some("mp3"),
            IoType::DocumentUrl => Some("pdf"),
            IoType::Text => None,
        }
    }
}

/// A technique input or output slot.
#[derive(Debug, Clone, Serialize)]
pub struct TechniqueIo {
    pub id: &'static str,
    pub name: &'static str,
    #[serde(rename = "type")]
    pub kind: IoType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_multiple: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepts_element: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub specified_aspect_ratio: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub specified_duration: Option<u32>,
}

impl TechniqueIo {
    pub fn is_optional(&self) -> bool {
        self.optional == Some(true)
    }

    pub fn allows_multiple(&self) -> bool {
        self.allow_multiple == Some(true)
    }
}

/// A reusable technique from the catalog.
#[derive(Debug, Clone, Serialize)]
pub struct Technique {
    pub technique_id: &'static str,
    pub name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'static str>,
    pub run_cost: f64,
    pub inputs: Vec<TechniqueIo>,
    pub outputs: Vec<TechniqueIo>,
}

impl Technique {
    /// The slug, i.e. the id without `tech_`.
    pub fn slug(&self) -> &'static str {
        self.technique_id
            .strip_prefix("tech_")
            .unwrap_or(self.technique_id)
    }

    /// Whether `reference` (an id such as `tech_cctv-cam` or a slug such as `cctv-cam`) names it.
    pub fn is_named_by(&self, reference: &str) -> bool {
        reference == self.technique_id || reference == self.slug()
    }
}

/// A project in a workspace.
#[derive(Debug, Clone, Serialize)]
pub struct Project {
    pub project_id: String,
    pub workspace_id: String,
    pub name: String,
    pub origin: Option<String>,
    pub created_at: u64,
    pub last_modified: Option<u64>,
    /// The project folder it is filed in, if any (not part of FLORA's project shape).
    #[serde(skip)]
    pub folder_id: Option<String>,
}

/// A stored asset; rendered differently by the list and detail routes.
#[derive(Debug, Clone)]
pub struct Asset {
    pub asset_id: String,
    pub workspace_id: String,
    pub project_id: Option<String>,
    pub node_id: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub url: String,
    pub content_type: String,
    pub upload_content_type: Option<String>,
    pub uploaded_via: String,
    pub status: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub size_bytes: Option<u64>,
    pub created_at: u64,
    pub failure_message: Option<String>,
    /// Signed-upload and processing state of an asset still being created.
    pub upload: Option<crate::uploads::UploadState>,
}

impl Asset {
    /// The `GET /assets` item: `created_at` in epoch ms, with `node_id` and `project_id`.
    pub fn list_item(&self) -> Value {
        json!({
            "asset_id": self.asset_id,
            "content_type": self.content_type,
            "created_at": self.created_at,
            "description": self.description,
            "height": self.height,
            "name": self.name,
            "node_id": self.node_id,
            "project_id": self.project_id,
            "size_bytes": self.size_bytes,
            "status": self.status,
            "upload_content_type": self.upload_content_type,
            "uploaded_via": self.uploaded_via,
            "url": (self.status == "ready").then_some(&self.url),
            "width": self.width,
            "workspace_id": self.workspace_id,
        })
    }

    /// The `GET /assets/{assetId}` body: `created_at` as ISO-8601, with `failure_message`.
    pub fn detail(&self) -> Value {
        json!({
            "asset_id": self.asset_id,
            "content_type": self.content_type,
            "created_at": iso8601(self.created_at),
            "description": self.description,
            "failure_message": self.failure_message,
            "height": self.height,
            "name": self.name,
            "size_bytes": self.size_bytes,
            "status": self.status,
            "upload_content_type": self.upload_content_type,
            "uploaded_via": self.uploaded_via,
            "url": (self.status == "ready").then_some(&self.url),
            "width": self.width,
            "workspace_id": self.workspace_id,
        })
    }
}
