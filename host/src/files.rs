//! Local files the component may send, never read: the folders the person allowed (flags,
//! settings and the MCP client's roots), confinement of a path to them (after resolving `..` and
//! symbolic links, and again on the opened handle), the checks made before any byte is sent
//! (regular file, not empty, within the size limit, a FLORA type detected from content), and
//! the streamed body that reads the file in chunks. Nothing here logs a path's contents.

mod sniff;

pub use sniff::{ALLOWED_TYPES, detect, from_name};

use bytes::{Bytes, BytesMut};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

/// Largest file the host sends. FLORA documents no maximum for signed uploads; this keeps a
/// mistaken path (a disk image, a backup) from starting an hours-long transfer.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Bytes read from the file per chunk of the streamed body.
pub const CHUNK_BYTES: usize = 64 * 1024;

/// Why a file cannot be sent; mirrors the WIT `file-error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// Outside every allowed folder, relative, or no folder allowed.
    NotAllowed(String),
    /// Nothing at the path.
    NotFound,
    /// A directory or another non-regular file.
    NotAFile,
    /// Zero bytes.
    Empty,
    /// Content of a type FLORA does not accept; what the extension claimed, if anything.
    UnsupportedType(Option<String>),
    /// Larger than [`MAX_FILE_BYTES`] (carried).
    TooLarge(u64),
    /// Could not be opened or read.
    Unreadable(String),
}

/// The folders uploads may come from: the configured ones, fixed at start, and the roots the
/// MCP client declares, replaced whenever it sends a new list. Shared by every call.
#[derive(Debug, Default)]
pub struct AllowedDirs {
    configured: Vec<Root>,
    client: RwLock<Vec<Root>>,
}

/// One allowed folder as given (absolute) and as resolved on disk.
#[derive(Debug, Clone)]
struct Root {
    given: PathBuf,
    real: PathBuf,
}

impl Root {
    fn new(dir: &Path) -> std::io::Result<Root> {
        let real = std::fs::canonicalize(dir)?;
        if !real.is_dir() {
            return Err(std::io::Error::other("not a folder"));
        }
        Ok(Root {
            given: lexical(&std::path::absolute(dir)?),
            real,
        })
    }
}

impl AllowedDirs {
    /// The configured folders.
    ///
    /// # Errors
    /// Names a folder that does not exist or is not a folder.
    pub fn new(dirs: &[PathBuf]) -> anyhow::Result<AllowedDirs> {
        let configured = dirs
            .iter()
            .map(|dir| {
                Root::new(dir).map_err(|err| {
                    anyhow::anyhow!("check the allowed folder {}: {err}", dir.display())
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(AllowedDirs {
            configured,
            client: RwLock::new(Vec::new()),
        })
    }

    /// Replaces the client's roots with these folders; ones that do not exist are skipped.
    pub fn set_client_roots(&self, dirs: &[PathBuf]) {
        let roots = dirs
            .iter()
            .filter_map(|dir| match Root::new(dir) {
                Ok(root) => Some(root),
                Err(err) => {
                    tracing::warn!(dir = %dir.display(), "ignoring a client root: {err}");
                    None
                }
            })
            .collect();
        *self.client.write().unwrap_or_else(|p| p.into_inner()) = roots;
    }

    /// Every allowed folder as resolved on disk, configured ones first.
    pub fn folders(&self) -> Vec<PathBuf> {
        self.roots().into_iter().map(|r| r.real).collect()
    }

    fn roots(&self) -> Vec<Root> {
        let client = self.client.read().unwrap_or_else(|p| p.into_inner());
        self.configured
            .iter()
            .chain(client.iter())
            .cloned()
            .collect()
    }

    fn contains_real(&self, real: &Path) -> bool {
        self.roots().iter().any(|root| real.starts_with(&root.real))
    }

    fn contains_lexically(&self, path: &Path) -> bool {
        self.roots()
            .iter()
            .any(|root| path.starts_with(&root.given) || path.starts_with(&root.real))
    }

    /// Opens the file at `raw` for sending, after every check.
    ///
    /// # Errors
    /// A [`FileError`] naming the first check that failed; nothing was read but, for the type
    /// check, the first bytes.
    pub fn open(&self, raw: &str) -> Result<Checked, FileError> {
        let given = Path::new(raw);
        if !given.is_absolute() {
            return Err(FileError::NotAllowed(
                "the path is not absolute; give the full path of the file".to_owned(),
            ));
        }
        if self.roots().is_empty() {
            return Err(FileError::NotAllowed(
                "no folder is allowed for uploads; the person running flora-mcp can allow one \
                 with --allow-dir or FLORA_MCP_ALLOW_DIRS, or the MCP client can declare roots"
                    .to_owned(),
            ));
        }
        let outside = || {
            FileError::NotAllowed(
                "the path leads outside the allowed folders (directly, through `..` or through \
                 a symbolic link)"
                    .to_owned(),
            )
        };
        // Refuse before touching the disk what is outside even on paper, so nobody can probe
        // which files exist elsewhere.
        if !self.contains_lexically(&lexical(given)) {
            return Err(outside());
        }
        let real = std::fs::canonicalize(given).map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => FileError::NotFound,
            _ => FileError::Unreadable(err.to_string()),
        })?;
        if !self.contains_real(&real) {
            return Err(outside());
        }
        let meta = std::fs::symlink_metadata(&real).map_err(unreadable)?;
        if !meta.file_type().is_file() {
            return Err(FileError::NotAFile);
        }
        let file = open_no_follow(&real)?;
        // The path was resolved before it was opened; check what was actually opened, so a
        // folder swapped for a symbolic link in between cannot lead out.
        if let Some(opened) = opened_path(&file)
            && !self.contains_real(&opened)
        {
            return Err(outside());
        }
        Checked::new(file, given)
    }
}

/// `path` with `.` dropped and `..` applied, without asking the disk.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn unreadable(err: std::io::Error) -> FileError {
    FileError::Unreadable(err.to_string())
}

/// Opens without following a final symbolic link and without blocking on a FIFO.
fn open_no_follow(path: &Path) -> Result<File, FileError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options.open(path).map_err(unreadable)
}

/// Where an open handle really points, where the platform says so.
fn opened_path(file: &File) -> Option<PathBuf> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())).ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = file;
        None
    }
}

/// An opened file that passed every check, positioned at its start.
#[derive(Debug)]
pub struct Checked {
    /// The open handle.
    pub file: File,
    /// Size in bytes when checked.
    pub size: u64,
    /// The media type detected from its first bytes.
    pub media_type: &'static str,
    /// Its own name, the last segment of the path as given.
    pub file_name: String,
}

impl Checked {
    fn new(mut file: File, given: &Path) -> Result<Checked, FileError> {
        let meta = file.metadata().map_err(unreadable)?;
        if !meta.is_file() {
            return Err(FileError::NotAFile);
        }
        let size = meta.len();
        if size == 0 {
            return Err(FileError::Empty);
        }
        if size > MAX_FILE_BYTES {
            return Err(FileError::TooLarge(MAX_FILE_BYTES));
        }
        let mut head = [0u8; sniff::HEAD_LEN];
        let mut filled = 0;
        while filled < head.len() {
            match file.read(&mut head[filled..]).map_err(unreadable)? {
                0 => break,
                n => filled += n,
            }
        }
        let file_name = given
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "upload".to_owned());
        let Some(media_type) = detect(&head[..filled]) else {
            let claimed = from_name(&file_name).map(str::to_owned);
            return Err(FileError::UnsupportedType(claimed));
        };
        file.seek(SeekFrom::Start(0)).map_err(unreadable)?;
        Ok(Checked {
            file,
            size,
            media_type,
            file_name,
        })
    }
}

/// A request body made of `prefix`, the file's bytes and `suffix`, read in chunks as it is
/// sent. `sent` is told the running total of file bytes handed on; `changed` is set when the
/// file did not have the size it was checked with, and the body then ends with an error.
pub fn body(
    checked: Checked,
    prefix: Bytes,
    suffix: Bytes,
    sent: impl Fn(u64) + Send + Sync + 'static,
    changed: Arc<AtomicBool>,
) -> reqwest::Body {
    let size = checked.size;
    let file = tokio::fs::File::from_std(checked.file);
    let sent = Arc::new(sent);
    let state = (Some(prefix), file, 0u64, Some(suffix));
    let stream = futures::stream::unfold(state, move |(prefix, mut file, done, suffix)| {
        let (changed, sent) = (changed.clone(), sent.clone());
        async move {
            if let Some(prefix) = prefix.filter(|p| !p.is_empty()) {
                return Some((Ok(prefix), (None, file, done, suffix)));
            }
            if done < size {
                return Some(match read_chunk(&mut file, size - done).await {
                    Ok(chunk) if !chunk.is_empty() => {
                        let done = done + chunk.len() as u64;
                        sent(done);
                        (Ok(chunk), (None, file, done, suffix))
                    }
                    Ok(_) => {
                        changed.store(true, Ordering::SeqCst);
                        (Err(shrunk()), (None, file, size, None))
                    }
                    Err(err) => (Err(err), (None, file, size, None)),
                });
            }
            let suffix = suffix?;
            // One more byte past the checked size means the file grew while it was sent.
            let mut probe = [0u8; 1];
            if let Ok(1) = tokio::io::AsyncReadExt::read(&mut file, &mut probe).await {
                changed.store(true, Ordering::SeqCst);
                return Some((Err(shrunk()), (None, file, done, None)));
            }
            Some((Ok(suffix), (None, file, done, None)))
        }
    });
    reqwest::Body::wrap_stream(stream)
}

fn shrunk() -> std::io::Error {
    std::io::Error::other("the file changed size while it was sent")
}

async fn read_chunk(file: &mut tokio::fs::File, left: u64) -> std::io::Result<Bytes> {
    use tokio::io::AsyncReadExt;
    let want = CHUNK_BYTES.min(usize::try_from(left).unwrap_or(CHUNK_BYTES));
    let mut buf = BytesMut::zeroed(want);
    let n = file.read(&mut buf).await?;
    buf.truncate(n);
    Ok(buf.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01";

    fn dirs() -> (tempfile::TempDir, AllowedDirs) {
        let dir = tempfile::tempdir().unwrap();
        let allowed = AllowedDirs::new(&[dir.path().to_owned()]).unwrap();
        (dir, allowed)
    }

    fn path(dir: &tempfile::TempDir, name: &str) -> String {
        dir.path().join(name).to_string_lossy().into_owned()
    }

    #[test]
    fn a_png_inside_an_allowed_folder_opens_with_its_detected_type() {
        let (dir, allowed) = dirs();
        std::fs::write(dir.path().join("a.png"), PNG).unwrap();
        let checked = allowed.open(&path(&dir, "a.png")).unwrap();
        assert_eq!(
            (checked.size, checked.media_type),
            (PNG.len() as u64, "image/png")
        );
        assert_eq!(checked.file_name, "a.png");
    }

    #[test]
    fn paths_outside_relative_or_through_dot_dot_are_not_allowed() {
        let (dir, allowed) = dirs();
        let other = tempfile::tempdir().unwrap();
        std::fs::write(other.path().join("b.png"), PNG).unwrap();
        let escape = format!("{}/../{}/b.png", path(&dir, ""), other.path().display());
        for raw in [path(&other, "b.png"), "b.png".to_owned(), escape] {
            assert!(
                matches!(allowed.open(&raw), Err(FileError::NotAllowed(_))),
                "{raw}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_leading_out_is_refused_and_one_staying_in_is_followed() {
        let (dir, allowed) = dirs();
        let other = tempfile::tempdir().unwrap();
        std::fs::write(other.path().join("b.png"), PNG).unwrap();
        std::fs::write(dir.path().join("in.png"), PNG).unwrap();
        std::os::unix::fs::symlink(other.path().join("b.png"), dir.path().join("out.png")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("in.png"), dir.path().join("alias.png"))
            .unwrap();
        let out = allowed.open(&path(&dir, "out.png"));
        assert!(matches!(out, Err(FileError::NotAllowed(_))), "{out:?}");
        assert!(allowed.open(&path(&dir, "alias.png")).is_ok());
    }

    #[test]
    fn missing_empty_directories_and_wrong_types_are_named() {
        let (dir, allowed) = dirs();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("empty.png"), b"").unwrap();
        std::fs::write(dir.path().join("fake.png"), b"MZ\x90\0not an image").unwrap();
        assert_eq!(
            allowed.open(&path(&dir, "nope.png")).unwrap_err(),
            FileError::NotFound
        );
        assert_eq!(
            allowed.open(&path(&dir, "sub")).unwrap_err(),
            FileError::NotAFile
        );
        assert_eq!(
            allowed.open(&path(&dir, "empty.png")).unwrap_err(),
            FileError::Empty
        );
        assert_eq!(
            allowed.open(&path(&dir, "fake.png")).unwrap_err(),
            FileError::UnsupportedType(Some("image/png".to_owned()))
        );
    }

    #[test]
    fn no_allowed_folder_refuses_everything() {
        let allowed = AllowedDirs::new(&[]).unwrap();
        assert!(matches!(
            allowed.open("/etc/hostname"),
            Err(FileError::NotAllowed(_))
        ));
    }
}
