//! `upload_file` and `import_url`: a local file or a public HTTPS URL in, a ready FLORA asset
//! out, in one call, as SDK 0.11.0's `assets.upload` (`src/lib/upload.ts`) does it.
//!
//! A local file is checked by the host first (allowed folder, regular, not empty, an accepted
//! type detected from its content, within the size limit), so a bad path creates nothing at
//! FLORA. Up to 4 MiB it goes as one multipart `POST /assets`; above, `POST /assets` with
//! `source: "signed-url"` reserves an upload target, the host streams the bytes there (a form
//! POST with every `form_fields` entry before the file, or the `upload_url` PUT fallback),
//! `POST /assets/{id}/complete` starts processing, and `GET /assets/{id}` is polled until the
//! asset is `ready` or `failed`. A target that refuses the bytes (expired, or any storage error)
//! is renewed once with `POST /assets/{id}/retry`. The component never sees the file's bytes:
//! the host sends them ([`crate::http::Http::send_file`]).

use super::wait::asset_link;
use super::{Ctx, Handler, Outcome, Output, Stop};
use crate::args::Args;
use crate::http::{
    FileError, FileInfo, FileRequest, FileSendError, Form, Response, TransportError,
};
use crate::prelude::*;
use crate::rest::{self, Failure};
use serde_json::{Value, json};

/// Largest file sent as direct bytes in one `POST /assets` (4 MiB, as the SDK).
pub const DIRECT_MAX_BYTES: u64 = 4 * 1024 * 1024;
/// How often an asset being processed is polled, as the SDK.
const POLL_INTERVAL_MS: u64 = 1_000;
/// How long processing is waited for, as the SDK.
const POLL_TIMEOUT_MS: u64 = 120_000;

/// Where an upload target sends the bytes.
enum Target {
    /// A form POST (or the method named) to `url`, fields first.
    Form {
        url: String,
        method: String,
        file_field: String,
        fields: Vec<(String, String)>,
    },
    /// A raw PUT to `url`.
    Put { url: String },
}

/// The handler of tool `name`, if it is one of this file's.
pub(super) fn handler(name: &str) -> Option<Handler> {
    let run: Handler = match name {
        "upload_file" => |ctx, args| ctx.upload_file(args),
        "import_url" => |ctx, args| ctx.import_url(args),
        _ => return None,
    };
    Some(run)
}

impl Ctx<'_> {
    /// `upload_file`: a local path in, a ready asset out.
    pub(super) fn upload_file(&self, args: &Args) -> Outcome {
        let path = args.str("path").unwrap_or_default();
        let info = self
            .http
            .inspect_file(path)
            .map_err(|err| Stop::Refused(file_refusal(path, &err)))?;
        let workspace = self.workspace(args)?;
        let name = args
            .str("file_name")
            .map_or_else(|| info.file_name.clone(), str::to_owned);
        let project = args.str("project_id");
        let asset_id = if info.size <= DIRECT_MAX_BYTES {
            self.upload_direct(path, &info, &name, &workspace.id, project)?
        } else {
            self.upload_signed(path, &info, &name, &workspace.id, project)?
        };
        let message = format!("{} bytes sent; FLORA is processing {name}", info.size);
        let size = info.size as f64;
        self.http.progress(size, Some(size), &message);
        let asset = self.wait_ready(&asset_id, &name)?;
        let links = asset_link(&asset).into_iter().collect();
        let text = format!("{}\n{}", uploaded(&asset, &name, project), workspace.line());
        Ok(Output::ok(text, asset).with_links(links))
    }

    /// `import_url`: FLORA fetches a public HTTPS URL itself.
    pub(super) fn import_url(&self, args: &Args) -> Outcome {
        let url = args.str("url").unwrap_or_default();
        if !url.to_ascii_lowercase().starts_with("https://") {
            return Err(Stop::Refused(format!(
                "import_url takes a public https:// URL, and `{url}` is not one; for a file on \
                 this computer use upload_file with its absolute path."
            )));
        }
        let workspace = self.workspace(args)?;
        let mut body = json!({ "source": url, "workspace_id": workspace.id });
        if let Some(name) = args.str("file_name") {
            body["file_name"] = json!(name);
        }
        if let Some(project) = args.str("project_id") {
            body["project_id"] = json!(project);
        }
        let ticket = self.client.create(&["assets"], &body)?;
        let asset_id = ticket_id(&ticket)?;
        let name = args.str("file_name").unwrap_or(url);
        let asset = self.wait_ready(&asset_id, name)?;
        let project = args.str("project_id");
        let links = asset_link(&asset).into_iter().collect();
        let text = format!("{}\n{}", uploaded(&asset, name, project), workspace.line());
        Ok(Output::ok(text, asset).with_links(links))
    }

    /// One multipart `POST /assets` carrying the file; returns the asset id.
    fn upload_direct(
        &self,
        path: &str,
        info: &FileInfo,
        name: &str,
        workspace: &str,
        project: Option<&str>,
    ) -> Result<String, Stop> {
        let mut fields = vec![
            ("workspace_id".to_owned(), workspace.to_owned()),
            ("content_type".to_owned(), info.media_type.clone()),
            ("file_name".to_owned(), name.to_owned()),
        ];
        if let Some(project) = project {
            fields.push(("project_id".to_owned(), project.to_owned()));
        }
        let mut headers = rest::common_headers();
        headers.push(("idempotency-key".to_owned(), self.client.idempotency_key()));
        let request = FileRequest {
            method: "POST".to_owned(),
            url: self.client.url(&["assets"]),
            headers,
            path: path.to_owned(),
            form: Some(Form {
                fields,
                file_field: "file".to_owned(),
                file_name: name.to_owned(),
            }),
        };
        let response = self.send_file(path, request)?;
        let ticket = rest::sort(response)?;
        ticket_id(&ticket)
    }

    /// Reserve, send to the target (renewed once if it refuses), complete; returns the id.
    fn upload_signed(
        &self,
        path: &str,
        info: &FileInfo,
        name: &str,
        workspace: &str,
        project: Option<&str>,
    ) -> Result<String, Stop> {
        let mut body = json!({
            "source": "signed-url",
            "workspace_id": workspace,
            "content_type": info.media_type,
            "file_name": name,
        });
        if let Some(project) = project {
            body["project_id"] = json!(project);
        }
        let ticket = self.client.create(&["assets"], &body)?;
        let asset_id = ticket_id(&ticket)?;
        if let Err(first) = self.send_to_target(path, info, name, &ticket, &asset_id)? {
            let renewed = self.client.create_bare(&["assets", &asset_id, "retry"])?;
            if let Err(second) = self.send_to_target(path, info, name, &renewed, &asset_id)? {
                return Err(Stop::Refused(format!(
                    "The upload target for {name} (asset {asset_id}) refused the file twice: \
                     first {first}, then, after a renewal with retry, {second}. Nothing was \
                     uploaded and the asset stays pending_upload at FLORA; try upload_file \
                     again later."
                )));
            }
        }
        self.client
            .create_bare(&["assets", &asset_id, "complete"])?;
        Ok(asset_id)
    }

    /// Sends the file to the target a ticket names: `Ok(Err(why))` when storage refused it
    /// (worth one renewal), `Err` for what a renewal cannot fix.
    fn send_to_target(
        &self,
        path: &str,
        info: &FileInfo,
        name: &str,
        ticket: &Value,
        asset_id: &str,
    ) -> Result<Result<(), String>, Stop> {
        let request = match target(ticket) {
            Some(Target::Form {
                url,
                method,
                file_field,
                fields,
            }) => FileRequest {
                method,
                url,
                headers: Vec::new(),
                path: path.to_owned(),
                form: Some(Form {
                    fields,
                    file_field,
                    file_name: name.to_owned(),
                }),
            },
            Some(Target::Put { url }) => FileRequest {
                method: "PUT".to_owned(),
                url,
                headers: vec![("content-type".to_owned(), info.media_type.clone())],
                path: path.to_owned(),
                form: None,
            },
            None => {
                return Err(Stop::Refused(format!(
                    "FLORA reserved asset {asset_id} but gave no upload target, so the file \
                     cannot be sent; the asset stays pending_upload."
                )));
            }
        };
        let response = match self.http.send_file(request) {
            Ok(response) => response,
            // A renewed target would point at the same origin: say how to allow it instead.
            Err(FileSendError::Transport(TransportError::Denied(why))) => {
                return Err(Stop::Refused(format!(
                    "FLORA reserved asset {asset_id} for {name}, but this server may not send \
                     files to its upload target ({why}). The person can allow that storage \
                     origin with --storage-origin (or `storage-origins` in the settings file); \
                     the asset stays pending_upload at FLORA."
                )));
            }
            Err(FileSendError::Transport(err)) => return Ok(Err(format!("{err}"))),
            Err(other) => return Err(Stop::Refused(send_refusal(path, other))),
        };
        if (200..300).contains(&response.status) {
            return Ok(Ok(()));
        }
        Ok(Err(storage_error(&response)))
    }

    /// Sends a file request, turning what cannot be sent into a refusal.
    fn send_file(&self, path: &str, request: FileRequest) -> Result<Response, Stop> {
        match self.http.send_file(request) {
            Ok(response) => Ok(response),
            Err(FileSendError::Transport(err)) => Err(Stop::Failed(Failure::Transport(err))),
            Err(other) => Err(Stop::Refused(send_refusal(path, other))),
        }
    }

    /// Polls the asset until it is `ready` (returned) or `failed` (a refusal), or time is up.
    fn wait_ready(&self, asset_id: &str, name: &str) -> Result<Value, Stop> {
        let deadline = self.http.now_ms().saturating_add(POLL_TIMEOUT_MS);
        let mut waited = 0;
        loop {
            let asset = self.client.get(&["assets", asset_id], &[])?;
            match asset["status"].as_str() {
                Some("ready") => return Ok(asset),
                Some("failed") => {
                    let why = asset["failure_message"]
                        .as_str()
                        .unwrap_or("no reason given");
                    return Err(Stop::Refused(format!(
                        "FLORA could not process {name} (asset {asset_id}): {why}. The asset is \
                         marked failed; check the file and upload it again."
                    )));
                }
                _ => {}
            }
            if waited >= POLL_TIMEOUT_MS || self.http.now_ms() >= deadline {
                return Err(Stop::Refused(format!(
                    "FLORA is still processing {name} (asset {asset_id}) after {} s; check it \
                     later with retrieve_asset.",
                    POLL_TIMEOUT_MS / 1000
                )));
            }
            self.http.sleep_ms(POLL_INTERVAL_MS);
            waited += POLL_INTERVAL_MS;
        }
    }
}

/// The asset id of a ticket.
fn ticket_id(ticket: &Value) -> Result<String, Stop> {
    match ticket["asset_id"].as_str() {
        Some(id) if !id.is_empty() => Ok(id.to_owned()),
        _ => Err(Stop::Refused(
            "FLORA answered without an asset_id, so the upload cannot go on.".to_owned(),
        )),
    }
}

/// The upload target a ticket names: its `upload` form, else its `upload_url` for a PUT.
fn target(ticket: &Value) -> Option<Target> {
    let upload = &ticket["upload"];
    if let Some(url) = upload["url"].as_str().filter(|u| !u.is_empty()) {
        let fields = upload["form_fields"]
            .as_object()
            .map(|map| {
                map.iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        return Some(Target::Form {
            url: url.to_owned(),
            method: upload["method"].as_str().unwrap_or("POST").to_owned(),
            file_field: upload["file_field"]
                .as_str()
                .filter(|f| !f.is_empty())
                .unwrap_or("file")
                .to_owned(),
            fields,
        });
    }
    let url = ticket["upload_url"].as_str().filter(|u| !u.is_empty())?;
    Some(Target::Put {
        url: url.to_owned(),
    })
}

/// What a storage error answer says: its XML `Code` and `Message`, or the status.
fn storage_error(response: &Response) -> String {
    let body = String::from_utf8_lossy(&response.body);
    let tag = |name: &str| -> Option<String> {
        let open = format!("<{name}>");
        let start = body.find(&open)? + open.len();
        let end = body[start..].find("</")? + start;
        Some(body[start..end].to_owned())
    };
    match (tag("Code"), tag("Message")) {
        (Some(code), Some(message)) => {
            format!("storage answered {} {code}: {message}", response.status)
        }
        _ => format!("storage answered {}", response.status),
    }
}

/// Why a file cannot be uploaded, in words the agent can act on.
pub fn file_refusal(path: &str, err: &FileError) -> String {
    let why = match err {
        FileError::NotAllowed(why) => format!("it is not in a folder allowed for uploads: {why}"),
        FileError::NotFound => "no file exists at that path; check the spelling".to_owned(),
        FileError::NotAFile => "it is a folder or a special file, not a regular file".to_owned(),
        FileError::Empty => "the file is empty (0 bytes); there is nothing to upload".to_owned(),
        FileError::UnsupportedType(claimed) => {
            let claim = claimed.as_ref().map_or_else(String::new, |c| {
                format!(" (its extension says {c}, but its content is not)")
            });
            format!(
                "its content is not a type FLORA accepts{claim}; FLORA takes images (jpeg, png, \
                 webp, gif, avif, heic, heif), video (mp4, webm, quicktime), audio (mpeg, wav, \
                 ogg) and PDF"
            )
        }
        FileError::TooLarge(limit) => format!("it is larger than the {limit}-byte upload limit"),
        FileError::Unreadable(why) => format!("it cannot be read: {why}"),
    };
    format!("Cannot upload {path}: {why}. Nothing was sent to FLORA.")
}

fn send_refusal(path: &str, err: FileSendError) -> String {
    match err {
        FileSendError::File(err) => file_refusal(path, &err),
        FileSendError::Changed => format!(
            "{path} changed while it was being uploaded, so the transfer was abandoned; upload \
             it again once it is no longer being written."
        ),
        FileSendError::Transport(err) => format!("Uploading {path} failed: {err}."),
    }
}

/// The text for a ready asset.
fn uploaded(asset: &Value, name: &str, project: Option<&str>) -> String {
    let id = asset["asset_id"].as_str().unwrap_or("?");
    let kind = asset["content_type"].as_str().unwrap_or("unknown type");
    let url = asset["url"].as_str().unwrap_or("(no URL)");
    let size = asset["size_bytes"]
        .as_f64()
        .map_or_else(String::new, |b| format!(", {b} bytes"));
    let input = match kind.split('/').next() {
        Some("image") => "an imageUrl",
        Some("video") => "a videoUrl",
        Some("audio") => "an audioUrl",
        _ => "a documentUrl",
    };
    let canvas = project.map_or_else(String::new, |p| format!(" It is on project {p}'s canvas."));
    format!(
        "{name} is asset {id} ({kind}{size}), ready at {url}. Use that URL as {input} Technique \
         input.{canvas}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_target_keeps_its_fields_and_a_bare_upload_url_is_a_put() {
        let ticket = json!({"upload": {"url": "https://s/b", "method": "POST",
            "file_field": "file", "form_fields": {"key": "k", "policy": "p"}}});
        match target(&ticket) {
            Some(Target::Form { url, fields, .. }) => {
                assert_eq!(url, "https://s/b");
                assert_eq!(fields.len(), 2);
            }
            _ => panic!("expected a form target"),
        }
        let put = json!({"upload_url": "https://s/put"});
        assert!(matches!(target(&put), Some(Target::Put { url }) if url == "https://s/put"));
        assert!(target(&json!({})).is_none());
    }

    #[test]
    fn storage_xml_errors_are_read_out() {
        let response = Response {
            status: 403,
            headers: Vec::new(),
            body: b"<?xml version='1.0'?><Error><Code>AccessDenied</Code><Message>Policy \
                expired.</Message></Error>"
                .to_vec(),
        };
        assert_eq!(
            storage_error(&response),
            "storage answered 403 AccessDenied: Policy expired."
        );
    }

    #[test]
    fn a_misleading_extension_is_named_in_the_refusal() {
        let text = file_refusal(
            "/x/a.png",
            &FileError::UnsupportedType(Some("image/png".to_owned())),
        );
        assert!(text.contains("extension says image/png"), "{text}");
        assert!(text.contains("Nothing was sent"), "{text}");
    }
}
