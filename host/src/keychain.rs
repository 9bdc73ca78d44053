//! The OS keychain (via the `keyring` crate): the macOS keychain, the Windows Credential
//! Manager, the Secret Service on Linux, and the kernel keyutils store where no Secret Service
//! answers. Values are stored whole when short and split into numbered entries when long, so
//! an entry never nears the Windows Credential Manager's limit (2560 bytes of UTF-16).
//!
//! Nothing here logs a value or puts one in an error. Every call runs on a thread of its own:
//! the Secret Service client blocks on its own runtime and must not run on a tokio worker.

use std::fmt;

/// The keychain service name; `FLORA_MCP_KEYCHAIN_SERVICE` overrides it (tests isolate
/// themselves with it).
pub const DEFAULT_SERVICE: &str = "flora-mcp";

/// Longest value kept in one entry; longer ones are split.
const CHUNK: usize = 1000;

/// Marks a first entry that says how many entries the value spans.
const CHUNKED: &str = "flora-mcp-chunks:";

/// Which store holds the secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The freedesktop Secret Service (GNOME Keyring, KWallet) over D-Bus.
    SecretService,
    /// The Linux kernel key store (keyutils), used where no Secret Service answers.
    Keyutils,
    /// The macOS keychain or the Windows Credential Manager.
    Native,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::SecretService => "the Secret Service (D-Bus)",
            Backend::Keyutils => "the kernel keyutils store",
            Backend::Native if cfg!(target_os = "macos") => "the macOS keychain",
            Backend::Native => "the Windows Credential Manager",
        })
    }
}

/// Why the keychain could not be used. Never contains a stored value.
#[derive(Debug)]
pub struct KeychainError(String);

impl std::error::Error for KeychainError {}

impl KeychainError {
    /// An error with this message (which must hold no secret).
    pub fn from_message(message: &str) -> KeychainError {
        KeychainError(message.to_owned())
    }
}

impl fmt::Display for KeychainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The keychain of this user, for one service name.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
    backend: Backend,
}

impl Keychain {
    /// Opens the store: `FLORA_MCP_KEYCHAIN` (`secret-service`, `keyutils`) forces one on Linux;
    /// otherwise the Secret Service when it answers, else the kernel keyutils store.
    ///
    /// # Errors
    /// Fails when no store can be used, naming each one tried and why it failed.
    pub fn open() -> Result<Keychain, KeychainError> {
        let service = std::env::var("FLORA_MCP_KEYCHAIN_SERVICE")
            .ok()
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_SERVICE.to_owned());
        let forced = std::env::var("FLORA_MCP_KEYCHAIN").ok();
        let candidates: Vec<Backend> = if !cfg!(target_os = "linux") {
            vec![Backend::Native]
        } else {
            match forced.as_deref() {
                Some("secret-service") => vec![Backend::SecretService],
                Some("keyutils") => vec![Backend::Keyutils],
                Some("") | None => vec![Backend::SecretService, Backend::Keyutils],
                Some(other) => {
                    return Err(KeychainError(format!(
                        "FLORA_MCP_KEYCHAIN is `{other}`; use `secret-service` or `keyutils`"
                    )));
                }
            }
        };
        let mut tried = Vec::new();
        for backend in candidates {
            let keychain = Keychain {
                service: service.clone(),
                backend,
            };
            match keychain.probe() {
                Ok(()) => {
                    if !tried.is_empty() {
                        tracing::info!(backend = %backend, "using the keychain fallback");
                    }
                    return Ok(keychain);
                }
                Err(why) => tried.push(format!("{backend}: {why}")),
            }
        }
        Err(KeychainError(format!(
            "no usable keychain for the FLORA sign-in; tried {}",
            tried.join("; then ")
        )))
    }

    /// The store in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Reads the value stored under `account`, if any.
    ///
    /// # Errors
    /// Fails when the store cannot be read (locked, gone) or holds a damaged value.
    pub fn read(&self, account: &str) -> Result<Option<String>, KeychainError> {
        let this = self.clone();
        let account = account.to_owned();
        on_own_thread(move || this.read_now(&account))
    }

    /// Stores `value` under `account`, replacing what was there.
    ///
    /// # Errors
    /// Fails when the store cannot be written.
    pub fn write(&self, account: &str, value: &str) -> Result<(), KeychainError> {
        let this = self.clone();
        let (account, value) = (account.to_owned(), value.to_owned());
        on_own_thread(move || this.write_now(&account, &value))
    }

    /// Deletes the value under `account`; deleting nothing is not an error.
    ///
    /// # Errors
    /// Fails when the store cannot be written.
    pub fn delete(&self, account: &str) -> Result<(), KeychainError> {
        let this = self.clone();
        let account = account.to_owned();
        on_own_thread(move || this.delete_now(&account))
    }

    fn entry(&self, user: &str) -> Result<keyring::Entry, String> {
        let credential: Box<keyring::Credential> = match self.backend {
            #[cfg(target_os = "linux")]
            Backend::SecretService => Box::new(
                keyring::secret_service::SsCredential::new_with_target(None, &self.service, user)
                    .map_err(describe)?,
            ),
            _ => return keyring::Entry::new(&self.service, user).map_err(describe),
        };
        Ok(keyring::Entry::new_with_credential(credential))
    }

    fn probe(&self) -> Result<(), String> {
        let service = self.clone();
        #[cfg(target_os = "linux")]
        if self.backend == Backend::Keyutils {
            return on_own_thread(kernel::probe);
        }
        on_own_thread(move || {
            let entry = service.entry("flora-mcp-probe")?;
            match entry.get_password() {
                Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(err) => Err(describe(err)),
            }
        })
    }

    fn get(&self, user: &str) -> Result<Option<String>, KeychainError> {
        let fail =
            |why: String| KeychainError(format!("read the sign-in from {}: {why}", self.backend));
        #[cfg(target_os = "linux")]
        if self.backend == Backend::Keyutils {
            return kernel::get(&self.description(user)).map_err(fail);
        }
        match self.entry(user).map_err(fail)?.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(fail(describe(err))),
        }
    }

    fn set(&self, user: &str, value: &str) -> Result<(), KeychainError> {
        let fail =
            |why: String| KeychainError(format!("save the sign-in in {}: {why}", self.backend));
        #[cfg(target_os = "linux")]
        if self.backend == Backend::Keyutils {
            return kernel::set(&self.description(user), value).map_err(fail);
        }
        self.entry(user)
            .map_err(fail)?
            .set_password(value)
            .map_err(|err| fail(describe(err)))
    }

    fn remove(&self, user: &str) -> Result<(), KeychainError> {
        let fail =
            |why: String| KeychainError(format!("delete the sign-in from {}: {why}", self.backend));
        #[cfg(target_os = "linux")]
        if self.backend == Backend::Keyutils {
            return kernel::delete(&self.description(user)).map_err(fail);
        }
        match self.entry(user).map_err(fail)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(fail(describe(err))),
        }
    }

    /// The keyutils description, the same as the `keyring` crate's own.
    #[cfg(target_os = "linux")]
    fn description(&self, user: &str) -> String {
        format!("keyring-rs:{user}@{}", self.service)
    }

    fn read_now(&self, account: &str) -> Result<Option<String>, KeychainError> {
        let Some(first) = self.get(account)? else {
            return Ok(None);
        };
        let Some(rest) = first.strip_prefix(CHUNKED) else {
            return Ok(Some(first));
        };
        let (count, head) = rest.split_once('\n').unwrap_or((rest, ""));
        let count: usize = count
            .parse()
            .map_err(|_| KeychainError("the stored sign-in is damaged".to_owned()))?;
        let mut value = head.to_owned();
        for part in 1..count {
            match self.get(&format!("{account}#{part}"))? {
                Some(chunk) => value.push_str(&chunk),
                None => return Err(KeychainError("the stored sign-in is incomplete".to_owned())),
            }
        }
        Ok(Some(value))
    }

    fn write_now(&self, account: &str, value: &str) -> Result<(), KeychainError> {
        let chunks = split(value);
        // Later parts first, so a reader never finds a head that names missing parts.
        for (part, chunk) in chunks.iter().enumerate().skip(1).rev() {
            self.set(&format!("{account}#{part}"), chunk)?;
        }
        if chunks.len() == 1 {
            self.set(account, value)
        } else {
            self.set(
                account,
                &format!("{CHUNKED}{}\n{}", chunks.len(), chunks[0]),
            )
        }
    }

    fn delete_now(&self, account: &str) -> Result<(), KeychainError> {
        let parts = match self.get(account)? {
            Some(first) => first
                .strip_prefix(CHUNKED)
                .and_then(|rest| rest.split_once('\n'))
                .and_then(|(count, _)| count.parse::<usize>().ok())
                .unwrap_or(1),
            None => 1,
        };
        self.remove(account)?;
        for part in 1..parts {
            self.remove(&format!("{account}#{part}"))?;
        }
        Ok(())
    }
}

/// The kernel keyutils store, used directly: `keyring`'s own keyutils credential also links
/// each key into the persistent keyring, which fails outright in containers and some user
/// namespaces (and there, asking for the persistent keyring at all made earlier keys vanish from
/// the session keyring). Keys live in the session keyring, so a sign-in kept here lasts as long
/// as the login session.
#[cfg(target_os = "linux")]
mod kernel {
    use linux_keyutils::{KeyError, KeyRing, KeyRingIdentifier};

    fn session() -> Result<KeyRing, String> {
        KeyRing::from_special_id(KeyRingIdentifier::Session, false)
            .map_err(|e| format!("the session keyring is not reachable ({e})"))
    }

    fn missing(err: &KeyError) -> bool {
        matches!(
            err,
            KeyError::KeyDoesNotExist | KeyError::KeyRevoked | KeyError::KeyExpired
        )
    }

    pub fn probe() -> Result<(), String> {
        match session()?.search("flora-mcp-probe") {
            Ok(_) => Ok(()),
            Err(err) if missing(&err) => Ok(()),
            Err(err) => Err(format!("the session keyring cannot be searched ({err})")),
        }
    }

    pub fn get(description: &str) -> Result<Option<String>, String> {
        match session()?.search(description) {
            Ok(key) => {
                let bytes = key
                    .read_to_vec()
                    .map_err(|e| format!("the key cannot be read ({e})"))?;
                String::from_utf8(bytes)
                    .map(Some)
                    .map_err(|_| "the stored value is not text".to_owned())
            }
            Err(err) if missing(&err) => Ok(None),
            Err(err) => Err(format!("the key cannot be found ({err})")),
        }
    }

    pub fn set(description: &str, value: &str) -> Result<(), String> {
        let session = session()?;
        session
            .add_key(description, value.as_bytes())
            .map_err(|e| format!("the key cannot be added ({e})"))?;
        // Over its per-user quota the kernel can drop a key without an error: look it up again.
        if session.search(description).is_err() {
            return Err(
                "the key was not kept; the kernel's per-user key quota may be full \
                (see /proc/key-users), or the session keyring refuses new keys"
                    .to_owned(),
            );
        }
        Ok(())
    }

    pub fn delete(description: &str) -> Result<(), String> {
        match session()?.search(description) {
            Ok(key) => key
                .invalidate()
                .map_err(|e| format!("the key cannot be removed ({e})")),
            Err(err) if missing(&err) => Ok(()),
            Err(err) => Err(format!("the key cannot be found ({err})")),
        }
    }
}

/// Splits a value into pieces of at most [`CHUNK`] bytes, on character boundaries.
fn split(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = value;
    while rest.len() > CHUNK {
        let mut cut = CHUNK;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (head, tail) = rest.split_at(cut);
        parts.push(head);
        rest = tail;
    }
    parts.push(rest);
    parts
}

/// A keyring error in words, without any stored value (`BadEncoding` carries bytes: dropped).
fn describe(err: keyring::Error) -> String {
    match err {
        keyring::Error::PlatformFailure(inner) => format!("the store failed ({inner})"),
        keyring::Error::NoStorageAccess(inner) => {
            format!("the store is locked or not reachable ({inner})")
        }
        keyring::Error::BadEncoding(_) => "the stored value is not text".to_owned(),
        keyring::Error::TooLong(what, limit) => format!("the {what} is over {limit} bytes"),
        keyring::Error::Invalid(what, why) => format!("the {what} is invalid: {why}"),
        keyring::Error::Ambiguous(_) => "several entries match; remove the extras".to_owned(),
        keyring::Error::NoEntry => "no entry".to_owned(),
        other => format!("{other}"),
    }
}

/// Runs `work` on a fresh thread and waits for it (see the module docs for why).
fn on_own_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(work)
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_split_on_character_boundaries() {
        let value = "é".repeat(CHUNK);
        let parts = split(&value);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts.concat(), value);
        assert!(parts.iter().all(|p| p.len() <= CHUNK));
        assert_eq!(split("short"), vec!["short"]);
    }
}
