//! The asset-creation state machine behind `POST /assets`, `/complete` and `/retry`: signed
//! upload targets (a Cloud-Storage-style POST policy aimed at the fake storage listener), what
//! storage received, and processing that ends `ready` or `failed` after a poll or two.

use crate::catalog::Asset;
use crate::ids::random_token;
use crate::sniff;
use crate::time::iso8601;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The bucket name in upload URLs and policies.
pub const BUCKET: &str = "flora-fake-uploads";

/// Where and how a client may upload the bytes of one asset.
#[derive(Debug, Clone)]
pub struct Target {
    pub object_key: String,
    pub expires_at: u64,
    /// Every field the upload form must carry, exactly.
    pub form_fields: BTreeMap<String, String>,
}

/// What storage received for a target.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub size: u64,
    /// The first bytes, for type detection.
    pub head: Vec<u8>,
}

/// An asset still being created (or whose creation failed).
#[derive(Debug, Clone, Default)]
pub struct UploadState {
    pub target: Option<Target>,
    pub received: Option<Receipt>,
    /// `POST /assets/{id}/complete` (or, for URL imports, creation) started processing.
    pub processing: bool,
    /// Polls of `GET /assets/{id}` still answered `pending_upload` while processing.
    pub polls_left: u32,
    /// Processing will fail with this message.
    pub failure: Option<String>,
}

/// One upload the fake storage accepted, as tests see it through
/// [`crate::FakeFlora::stored_uploads`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredUpload {
    pub asset_id: String,
    pub object_key: String,
    /// The file part's `filename`.
    pub file_name: Option<String>,
    /// The file part's `Content-Type`.
    pub content_type: Option<String>,
    pub size_bytes: u64,
    /// What the first bytes say the file is, if it is an allowed kind.
    pub detected_type: Option<String>,
    /// The form fields as sent.
    pub form_fields: BTreeMap<String, String>,
}

/// A new asset record of `workspace_id`, served from the fake CDN under `name`.
pub fn new_asset(workspace_id: &str, name: &str, content_type: &str, via: &str, now: u64) -> Asset {
    let asset_id = format!("asset_{}", random_token(32));
    Asset {
        url: format!("https://ik.imagekit.io/flora/fake/{asset_id}/{name}"),
        asset_id,
        workspace_id: workspace_id.to_owned(),
        project_id: None,
        node_id: None,
        name: name.to_owned(),
        description: None,
        content_type: content_type.to_owned(),
        upload_content_type: None,
        uploaded_via: via.to_owned(),
        status: "ready".to_owned(),
        width: None,
        height: None,
        size_bytes: None,
        created_at: now,
        failure_message: None,
        upload: None,
    }
}

/// The last path segment of a URL, if it names something.
pub fn name_from_url(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let rest = path.split_once("://").map_or(path, |(_, rest)| rest);
    let (_, path) = rest.split_once('/')?;
    path.rsplit('/')
        .next()
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
}

impl Target {
    /// A fresh target for `asset`, valid for `ttl_ms` from `now`.
    pub fn issue(asset: &Asset, ttl_ms: u64, now: u64) -> Target {
        let object_key = format!(
            "uploads/{}/{}/{}",
            asset.workspace_id, asset.asset_id, asset.name
        );
        let expires_at = now.saturating_add(ttl_ms);
        let stamp = iso8601(now);
        let date = format!(
            "{}{}{}T{}{}{}Z",
            &stamp[0..4],
            &stamp[5..7],
            &stamp[8..10],
            &stamp[11..13],
            &stamp[14..16],
            &stamp[17..19]
        );
        let policy = json!({
            "expiration": iso8601(expires_at),
            "conditions": [
                { "bucket": BUCKET },
                { "key": object_key },
                ["content-length-range", 0, 5_368_709_120_u64],
            ],
        });
        let policy = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            policy.to_string(),
        );
        let mut form_fields = BTreeMap::from([
            ("key".to_owned(), object_key.clone()),
            ("policy".to_owned(), policy),
            ("x-goog-algorithm".to_owned(), "GOOG4-RSA-SHA256".to_owned()),
            (
                "x-goog-credential".to_owned(),
                format!(
                    "uploader@flora-fake.iam.gserviceaccount.com/{}/auto/storage/goog4_request",
                    &date[..8]
                ),
            ),
            ("x-goog-date".to_owned(), date),
            ("x-goog-signature".to_owned(), random_token(64)),
            ("success_action_status".to_owned(), "204".to_owned()),
        ]);
        if let Some(content_type) = &asset.upload_content_type {
            form_fields.insert("Content-Type".to_owned(), content_type.clone());
        }
        Target {
            object_key,
            expires_at,
            form_fields,
        }
    }

    pub fn is_expired(&self, now: u64) -> bool {
        now >= self.expires_at
    }
}

/// `{url, method, content_type, file_field, form_fields}` for `target`.
pub fn upload_object(target: &Target, storage_origin: &str) -> Value {
    json!({
        "url": format!("{storage_origin}/{BUCKET}"),
        "method": "POST",
        "content_type": "multipart/form-data",
        "file_field": "file",
        "form_fields": target.form_fields,
    })
}

/// The ticket `POST /assets` (`creation`), `/complete` and `/retry` answer with.
pub fn ticket(asset: &Asset, storage_origin: &str, creation: bool) -> Value {
    let url = if creation {
        json!(asset.url)
    } else {
        asset_url(asset)
    };
    let mut ticket = json!({
        "asset_id": asset.asset_id,
        "status": asset.status,
        "url": url,
        "visibility": "workspace",
        "workspace_id": asset.workspace_id,
    });
    if creation {
        ticket["uploaded_via"] = json!(asset.uploaded_via);
    } else {
        ticket["failure_message"] = json!(asset.failure_message);
    }
    let open_target = asset
        .upload
        .as_ref()
        .filter(|u| !u.processing && u.received.is_none())
        .and_then(|u| u.target.as_ref());
    if let Some(target) = open_target {
        ticket["expires_at"] = json!(iso8601(target.expires_at));
        ticket["upload"] = upload_object(target, storage_origin);
    }
    ticket
}

/// The asset URL while it is still pending is null, except on a creation ticket.
fn asset_url(asset: &Asset) -> Value {
    match asset.status.as_str() {
        "ready" => json!(asset.url),
        "failed" => Value::Null,
        _ if asset.upload.as_ref().is_some_and(|u| u.processing) => Value::Null,
        _ => json!(asset.url),
    }
}

/// One poll of a processing asset: counts down, then settles it `ready` or `failed`. Returns
/// whether it just became ready.
pub fn poll(asset: &mut Asset) -> bool {
    let Some(upload) = asset.upload.as_mut().filter(|u| u.processing) else {
        return false;
    };
    if upload.polls_left > 0 {
        upload.polls_left -= 1;
        return false;
    }
    let upload = asset.upload.take().unwrap_or_default();
    let detected = match &upload.received {
        Some(receipt) => sniff::detect(&receipt.head),
        None => sniff::from_name(&asset.name).or_else(|| {
            let declared = asset.upload_content_type.as_deref();
            declared.and_then(sniff::allowed)
        }),
    };
    let failure = upload.failure.or_else(|| match detected {
        None => Some(format!(
            "unsupported file type; allowed types are {}",
            sniff::ALLOWED_TYPES.join(", ")
        )),
        Some(_) => None,
    });
    if let Some(message) = failure {
        asset.status = "failed".to_owned();
        asset.failure_message = Some(message);
        return false;
    }
    if let Some(kind) = detected {
        asset.content_type = kind.to_owned();
    }
    if let Some(receipt) = &upload.received {
        asset.size_bytes = Some(receipt.size);
        if let Some((width, height)) = sniff::dimensions(&receipt.head) {
            asset.width = Some(width);
            asset.height = Some(height);
        }
    }
    asset.status = "ready".to_owned();
    true
}
