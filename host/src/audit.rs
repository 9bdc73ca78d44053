//! `flora-mcp audit`: what the sandbox can do, read from the component that would actually be
//! loaded (not from the sources), with the egress policy, credential storage and limits in force.
//! Printed for people, or as JSON with `--json`.

use crate::config::Settings;
use crate::egress::{MAX_RESPONSE_BODY, MAX_RESPONSE_HEADERS, Policy};
use crate::files::{ALLOWED_TYPES, MAX_FILE_BYTES};
use crate::runtime::{self, MAX_INSTANCE_MEMORY};
use serde_json::{Value, json};

/// Builds the audit report for `settings`.
///
/// # Errors
/// Fails when the component cannot be read or compiled.
pub fn report(settings: &Settings) -> anyhow::Result<Value> {
    let source = format!(
        "{} ({})",
        settings.component.describe(),
        settings.component_reason
    );
    let bytes = settings.component.read()?;
    let inspection = runtime::inspect(&bytes)?;
    let approved = runtime::approved_imports();
    let imports: Vec<Value> = inspection
        .imports
        .iter()
        .map(|name| json!({ "name": name, "approved": approved.contains(&name.as_str()) }))
        .collect();
    let all_approved = inspection
        .imports
        .iter()
        .all(|i| approved.contains(&i.as_str()));
    let policy = Policy::for_api_and_storage(&settings.api, &settings.storage_origins);
    let rules: Vec<Value> = policy
        .rules()
        .iter()
        .map(|rule| {
            json!({
                "scheme": rule.scheme,
                "host": rule.host,
                "port": rule.port,
                "path_prefix": rule.path_prefix,
                "methods": if rule.methods.is_empty() {
                    json!("any")
                } else {
                    json!(rule.methods.iter().map(|m| m.as_str()).collect::<Vec<_>>())
                },
                // FLORA_API_KEY, a stored key, or an OAuth token signed in for on demand.
                "credential_added": rule.credential,
                "file_bodies_only": rule.file_bodies_only,
                "addresses": if rule.is_loopback() {
                    "loopback allowed (local API)"
                } else {
                    "public only, checked after DNS resolution"
                },
            })
        })
        .collect();
    Ok(json!({
        "component": {
            "source": source,
            "sha256": inspection.digest,
            "size_bytes": inspection.size,
            "wit_package": inspection.package_version().map(|v| format!("flora:mcp@{v}")),
            "imports": imports,
            "exports": inspection.exports,
            "all_imports_approved": all_approved,
        },
        "egress": {
            "allowed": rules,
            "redirects_followed": false,
            "guest_may_set":
                "any header but authorization, cookie, proxy-authorization and hop-by-hop ones",
            "max_response_body_bytes": MAX_RESPONSE_BODY,
            "max_response_header_bytes": MAX_RESPONSE_HEADERS,
        },
        "files": {
            "allowed_folders": settings
                .allow_dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>(),
            "client_roots": "added while serving, when the MCP client declares roots",
            "component_sees": "size and detected media type only, never the bytes",
            "max_file_bytes": MAX_FILE_BYTES,
            "accepted_types": ALLOWED_TYPES,
        },
        "credentials": {
            "api_key": if settings.api_key.is_some() {
                "set, from FLORA_API_KEY"
            } else {
                "not set"
            },
            "oauth": "without FLORA_API_KEY, a key or sign-in stored in the OS keychain; the first \
                call that needs FLORA signs in in the browser unless --no-sign-in",
            "held": "in host memory and the OS keychain only; never written to a file, logged, or \
                given to the component",
        },
        "limits": {
            "memory_per_instance_bytes": MAX_INSTANCE_MEMORY,
            "call_timeout_seconds": settings.call_timeout.as_secs(),
            "instance_per_call": "fresh",
            "max_run_cost_usd": settings.max_run_cost,
            "toolsets": settings.toolsets.describe(),
        },
    }))
}

/// Renders the report for people.
pub fn render(report: &Value) -> String {
    let c = &report["component"];
    let e = &report["egress"]["allowed"][0];
    let mut out = String::new();
    out.push_str(&format!(
        "component   {}\n",
        c["source"].as_str().unwrap_or("?")
    ));
    out.push_str(&format!(
        "sha256      {}\n",
        c["sha256"].as_str().unwrap_or("?")
    ));
    out.push_str(&format!("size        {} bytes\n", c["size_bytes"]));
    out.push_str(&format!(
        "wit         {}\n",
        c["wit_package"].as_str().unwrap_or("unknown")
    ));
    out.push_str("imports\n");
    for import in c["imports"].as_array().into_iter().flatten() {
        let mark = if import["approved"] == true {
            "approved"
        } else {
            "NOT APPROVED"
        };
        out.push_str(&format!(
            "  {:<40} {mark}\n",
            import["name"].as_str().unwrap_or("?")
        ));
    }
    out.push_str("exports\n");
    for export in c["exports"].as_array().into_iter().flatten() {
        out.push_str(&format!("  {}\n", export.as_str().unwrap_or("?")));
    }
    out.push_str(&format!(
        "egress      {}://{}:{}{}* (credential added: {}); everything else denied; redirects \
         never followed; responses capped at {} bytes\n",
        e["scheme"].as_str().unwrap_or("?"),
        e["host"].as_str().unwrap_or("?"),
        e["port"],
        e["path_prefix"].as_str().unwrap_or("?"),
        if e["credential_added"] == true {
            "yes"
        } else {
            "no"
        },
        report["egress"]["max_response_body_bytes"],
    ));
    for rule in report["egress"]["allowed"]
        .as_array()
        .into_iter()
        .flatten()
        .skip(1)
    {
        out.push_str(&format!(
            "storage     {}://{}:{}/* {} of a local file only, never with the credential\n",
            rule["scheme"].as_str().unwrap_or("?"),
            rule["host"].as_str().unwrap_or("?"),
            rule["port"],
            rule["methods"]
                .as_array()
                .map(|m| m
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "))
                .unwrap_or_default(),
        ));
    }
    let folders: Vec<&str> = report["files"]["allowed_folders"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    out.push_str(&format!(
        "files       uploads from {} and the MCP client's roots; the component sees size and \
         type, never bytes\n",
        if folders.is_empty() {
            "no configured folder".to_owned()
        } else {
            folders.join(", ")
        }
    ));
    out.push_str(&format!(
        "credentials API key {}; otherwise {}; {}\n",
        report["credentials"]["api_key"].as_str().unwrap_or("?"),
        report["credentials"]["oauth"].as_str().unwrap_or("?"),
        report["credentials"]["held"].as_str().unwrap_or("?"),
    ));
    out.push_str(&format!(
        "limits      {} bytes of memory per instance, {} s per call, a fresh instance per call\n",
        report["limits"]["memory_per_instance_bytes"], report["limits"]["call_timeout_seconds"],
    ));
    out.push_str(&format!(
        "toolsets    {} (core is always offered)\n",
        report["limits"]["toolsets"].as_str().unwrap_or("core"),
    ));
    out
}
