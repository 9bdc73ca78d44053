//! One sign-in or refresh at a time across processes: an exclusive lock on a file in the data
//! folder. The file holds no secret (it stays empty); the lock goes with the process.

use super::AuthError;
use std::fs::{File, OpenOptions};
use std::path::Path;

/// A held lock; released when dropped.
pub struct Held(#[allow(dead_code, reason = "held for its lock, released on drop")] File);

/// Waits for the lock on `path`, creating the file (and its folder) if needed.
///
/// # Errors
/// Fails when the file cannot be created or locked.
pub async fn acquire(path: &Path) -> Result<Held, AuthError> {
    let path = path.to_owned();
    let fail =
        |e: std::io::Error, path: &Path| AuthError::Lock(format!("lock {}: {e}", path.display()));
    tokio::task::spawn_blocking(move || {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| fail(e, parent))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| fail(e, &path))?;
        file.lock().map_err(|e| fail(e, &path))?;
        Ok(Held(file))
    })
    .await
    .map_err(|e| AuthError::Lock(format!("wait for the sign-in lock: {e}")))?
}
