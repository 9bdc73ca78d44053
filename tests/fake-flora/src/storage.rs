//! The fake storage listener that signed upload targets point at: it takes a Cloud-Storage-style
//! POST policy upload (`multipart/form-data`, every policy field exactly as issued and before
//! the file, no `Authorization` header, before the target expires), counts and sniffs the file
//! bytes as they stream in without buffering them, and answers 204 — or an XML error.

use crate::multipart::{self, PartHeaders, Reader, Sink};
use crate::sniff;
use crate::state::{AppState, Shared, lock};
use crate::time::now_ms;
use crate::uploads::{BUCKET, Receipt, StoredUpload};
use axum::Router;
use axum::body::{Body, HttpBody};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use std::collections::BTreeMap;
use std::pin::Pin;

/// Largest form field value kept.
const MAX_FIELD: usize = 64 * 1024;

/// The storage application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/{bucket}", post(upload))
        .fallback(|| async { StorageError::new(404, "NoSuchKey", "no such resource") })
        .with_state(state)
}

/// A storage failure, answered as `<Error><Code>…</Code><Message>…</Message></Error>`.
#[derive(Debug, Clone)]
struct StorageError {
    status: u16,
    code: &'static str,
    message: String,
}

impl StorageError {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> StorageError {
        StorageError {
            status,
            code,
            message: message.into(),
        }
    }

    fn invalid(message: impl Into<String>) -> StorageError {
        StorageError::new(400, "InvalidArgument", message)
    }

    fn policy(message: impl Into<String>) -> StorageError {
        StorageError::new(403, "AccessDenied", message)
    }
}

impl IntoResponse for StorageError {
    fn into_response(self) -> Response {
        let body = format!(
            concat!(
                "<?xml version='1.0' encoding='UTF-8'?>",
                "<Error><Code>{}</Code><Message>{}</Message></Error>"
            ),
            self.code,
            self.message.replace('&', "&amp;").replace('<', "&lt;")
        );
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml; charset=UTF-8"),
        );
        response
    }
}

async fn upload(
    State(state): State<AppState>,
    Path(bucket): Path<String>,
    headers: HeaderMap,
    mut body: Body,
) -> Response {
    let mut problem = upfront_problem(&bucket, &headers);
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(multipart::boundary);
    if problem.is_none() && boundary.is_none() {
        problem = Some(StorageError::invalid(
            "the upload must be multipart/form-data with a boundary",
        ));
    }
    let mut reader = Reader::new(boundary.as_deref().unwrap_or("-"));
    let mut sink = UploadSink::new(&state);
    // Read to the end even after a problem, so the client sees the answer, not a reset.
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let Ok(frame) = frame else {
            return StorageError::invalid("the upload body could not be read").into_response();
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let pause = *lock(&state.storage_pause);
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
        if problem.is_none()
            && let Err(message) = reader.feed(&data, &mut sink)
        {
            problem = Some(
                sink.error
                    .take()
                    .unwrap_or_else(|| StorageError::invalid(message)),
            );
        }
    }
    if let Some(problem) = problem {
        return problem.into_response();
    }
    if let Err(message) = reader.finish() {
        return StorageError::invalid(message).into_response();
    }
    match sink.store() {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => error.into_response(),
    }
}

/// What can be refused before reading the body.
fn upfront_problem(bucket: &str, headers: &HeaderMap) -> Option<StorageError> {
    if bucket != BUCKET {
        return Some(StorageError::new(
            404,
            "NoSuchBucket",
            "the bucket does not exist",
        ));
    }
    if headers.contains_key(header::AUTHORIZATION) {
        return Some(StorageError::invalid(
            "a POST policy upload must not carry an authorization header",
        ));
    }
    None
}

/// The part being read.
enum Current {
    None,
    Field(String, Vec<u8>),
    File,
}

/// The file part's facts.
struct FileInfo {
    filename: Option<String>,
    content_type: Option<String>,
    size: u64,
    head: Vec<u8>,
}

/// Checks the form against the reservation as it streams in.
struct UploadSink<'a> {
    state: &'a Shared,
    fields: BTreeMap<String, String>,
    current: Current,
    file: Option<FileInfo>,
    asset_id: Option<String>,
    error: Option<StorageError>,
}

impl<'a> UploadSink<'a> {
    fn new(state: &'a Shared) -> UploadSink<'a> {
        UploadSink {
            state,
            fields: BTreeMap::new(),
            current: Current::None,
            file: None,
            asset_id: None,
            error: None,
        }
    }

    fn fail(&mut self, error: StorageError) -> Result<(), String> {
        let message = error.message.clone();
        self.error = Some(error);
        Err(message)
    }

    /// Matches the fields received so far against the reservation they name.
    fn authorize(&self) -> Result<String, StorageError> {
        let key = self
            .fields
            .get("key")
            .ok_or_else(|| StorageError::invalid("the form has no key field"))?;
        let world = self.state.world();
        let (asset, target) = world
            .assets
            .iter()
            .find_map(|a| {
                let target = a.upload.as_ref()?.target.as_ref()?;
                (&target.object_key == key).then_some((a, target))
            })
            .ok_or_else(|| StorageError::policy("no upload was reserved for this key"))?;
        if target.is_expired(now_ms()) {
            return Err(StorageError::policy(
                "Invalid according to Policy: Policy expired.",
            ));
        }
        let mut wrong: Vec<&str> = target
            .form_fields
            .iter()
            .filter(|(name, value)| self.fields.get(*name) != Some(value))
            .map(|(name, _)| name.as_str())
            .collect();
        wrong.extend(
            self.fields
                .keys()
                .filter(|name| !target.form_fields.contains_key(*name))
                .map(String::as_str),
        );
        if !wrong.is_empty() {
            return Err(StorageError::policy(format!(
                "Invalid according to Policy: form fields missing, changed or unexpected: {}",
                wrong.join(", ")
            )));
        }
        Ok(asset.asset_id.clone())
    }

    /// Records what arrived against the asset.
    fn store(self) -> Result<(), StorageError> {
        let (Some(file), Some(asset_id)) = (self.file, self.asset_id) else {
            return Err(StorageError::invalid("the form has no file field"));
        };
        let object_key = self.fields.get("key").cloned().unwrap_or_default();
        {
            let mut world = self.state.world();
            let upload = world
                .assets
                .iter_mut()
                .find(|a| a.asset_id == asset_id)
                .and_then(|a| a.upload.as_mut())
                .filter(|u| {
                    u.target
                        .as_ref()
                        .is_some_and(|t| t.object_key == object_key)
                })
                .ok_or_else(|| StorageError::policy("the upload reservation was replaced"))?;
            upload.received = Some(Receipt {
                size: file.size,
                head: file.head.clone(),
            });
        }
        lock(&self.state.stored).push(StoredUpload {
            asset_id,
            object_key,
            file_name: file.filename,
            content_type: file.content_type,
            size_bytes: file.size,
            detected_type: sniff::detect(&file.head).map(str::to_owned),
            form_fields: self.fields,
        });
        Ok(())
    }
}

impl Sink for UploadSink<'_> {
    fn part(&mut self, headers: PartHeaders) -> Result<(), String> {
        if self.file.is_some() {
            return self.fail(StorageError::invalid(
                "form fields must come before the file",
            ));
        }
        if headers.name == "file" {
            match self.authorize() {
                Ok(asset_id) => self.asset_id = Some(asset_id),
                Err(error) => return self.fail(error),
            }
            self.file = Some(FileInfo {
                filename: headers.filename,
                content_type: headers.content_type,
                size: 0,
                head: Vec::new(),
            });
            self.current = Current::File;
        } else if self.fields.contains_key(&headers.name) {
            let message = format!("form field {} is given twice", headers.name);
            return self.fail(StorageError::invalid(message));
        } else {
            self.current = Current::Field(headers.name, Vec::new());
        }
        Ok(())
    }

    fn data(&mut self, bytes: &[u8]) -> Result<(), String> {
        match &mut self.current {
            Current::Field(name, value) => {
                if value.len() + bytes.len() > MAX_FIELD {
                    let message = format!("form field {name} is too large");
                    return self.fail(StorageError::invalid(message));
                }
                value.extend_from_slice(bytes);
            }
            Current::File => {
                if let Some(file) = self.file.as_mut() {
                    file.size += bytes.len() as u64;
                    let room = sniff::HEAD_LEN.saturating_sub(file.head.len());
                    file.head.extend_from_slice(&bytes[..room.min(bytes.len())]);
                }
            }
            Current::None => {}
        }
        Ok(())
    }

    fn end_part(&mut self) -> Result<(), String> {
        if let Current::Field(name, value) = std::mem::replace(&mut self.current, Current::None) {
            self.fields
                .insert(name, String::from_utf8_lossy(&value).into_owned());
        }
        Ok(())
    }
}
