//! Opening the sign-in page: only `https` URLs (or `http` to a loopback issuer, for the fake),
//! handed to one program as one argument and never through a shell. `BROWSER` (the first of its
//! `:`-separated commands) wins over the platform opener.

use super::AuthError;
use super::discovery::check_url;
use std::process::{Command, Stdio};

/// Starts a browser on `url`.
///
/// # Errors
/// Fails for a URL that is not https (or loopback http), or when no browser could be started;
/// the caller then shows the URL to the person instead.
pub fn open(url: &str) -> Result<(), AuthError> {
    check_url(url, "sign-in URL")?;
    let (program, args): (String, Vec<&str>) = match std::env::var("BROWSER") {
        Ok(browser) if !browser.trim().is_empty() => {
            let first = browser
                .split(':')
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned();
            (first, Vec::new())
        }
        _ if cfg!(target_os = "macos") => ("open".to_owned(), Vec::new()),
        _ if cfg!(windows) => ("rundll32".to_owned(), vec!["url.dll,FileProtocolHandler"]),
        _ => ("xdg-open".to_owned(), Vec::new()),
    };
    Command::new(&program)
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|e| AuthError::NoBrowser(format!("start the browser `{program}`: {e}")))
}
