//! Whom an installed component is trusted from: ed25519 publisher keys (compiled in from
//! `host/trusted-keys.txt`, plus any the user adds with `component trust`) and SHA-256 digests
//! the user pinned with `component pin`.
//!
//! A signature file (`<component>.sig`) is three lines of text:
//!
//! ```text
//! flora-mcp-signature-v1
//! key <64 hex digits: the ed25519 public key>
//! sig <128 hex digits: the signature>
//! ```
//!
//! The signed message is `flora-mcp component v1\n` followed by the component's SHA-256 in hex,
//! so a signature can never be replayed for other bytes or another purpose.

use anyhow::{Context, bail};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use std::fmt;
use std::path::{Path, PathBuf};

/// Publisher keys compiled into this host.
const COMPILED_IN_KEYS: &str = include_str!("../../trusted-keys.txt");
const SIGNATURE_HEADER: &str = "flora-mcp-signature-v1";

/// Why a component is trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustReason {
    /// Signed by this trusted publisher key (hex).
    Signed(String),
    /// Its digest was pinned by the user.
    Pinned,
}

impl fmt::Display for TrustReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustReason::Signed(key) => write!(f, "signed by trusted key {}…", &key[..16]),
            TrustReason::Pinned => write!(f, "its digest is pinned"),
        }
    }
}

/// An ed25519 signing key, read from a file or the environment. Never printed.
pub struct PublisherSecret(SigningKey);

impl fmt::Debug for PublisherSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PublisherSecret(<redacted>)")
    }
}

impl PublisherSecret {
    /// A fresh random key.
    ///
    /// # Errors
    /// Fails when the operating system has no randomness to give.
    pub fn generate() -> anyhow::Result<PublisherSecret> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("get random bytes: {e}"))?;
        Ok(PublisherSecret(SigningKey::from_bytes(&seed)))
    }

    /// Parses 64 hex digits (the key's 32-byte seed).
    ///
    /// # Errors
    /// Fails on anything else, without echoing the input.
    pub fn from_hex(text: &str) -> anyhow::Result<PublisherSecret> {
        let bytes = hex::decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok());
        match bytes {
            Some(seed) => Ok(PublisherSecret(SigningKey::from_bytes(&seed))),
            None => bail!("the signing key is not 64 hex digits"),
        }
    }

    /// The seed as hex, for writing to a key file.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }

    /// The public key as hex.
    pub fn public_hex(&self) -> String {
        hex::encode(self.0.verifying_key().to_bytes())
    }

    /// The signature file text for a component with this digest.
    pub fn sign(&self, digest: &str) -> String {
        let signature = self.0.sign(&message(digest));
        format!(
            "{SIGNATURE_HEADER}\nkey {}\nsig {}\n",
            self.public_hex(),
            hex::encode(signature.to_bytes())
        )
    }
}

fn message(digest: &str) -> Vec<u8> {
    format!("flora-mcp component v1\n{digest}").into_bytes()
}

/// Parses a public key written as 64 hex digits.
///
/// # Errors
/// Fails when the text is not a valid ed25519 public key.
pub fn parse_public_key(text: &str) -> anyhow::Result<VerifyingKey> {
    let bytes = hex::decode(text.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .context("a public key is 64 hex digits")?;
    VerifyingKey::from_bytes(&bytes).context("the public key is not a valid ed25519 key")
}

/// The keys and pins in force.
pub struct Trust {
    keys: Vec<VerifyingKey>,
    pins: Vec<String>,
    dir: PathBuf,
}

impl Trust {
    /// Loads the compiled-in keys and the user's keys and pins from `dir`.
    ///
    /// # Errors
    /// Fails when a key file or the pin list cannot be read or parsed.
    pub fn load(dir: &Path) -> anyhow::Result<Trust> {
        let mut keys = Vec::new();
        for line in lines(COMPILED_IN_KEYS) {
            keys.push(parse_public_key(line).context("read host/trusted-keys.txt")?);
        }
        let user_keys = read_optional(&dir.join("keys.txt"))?;
        for line in lines(&user_keys) {
            keys.push(
                parse_public_key(line)
                    .with_context(|| format!("read {}/keys.txt", dir.display()))?,
            );
        }
        let pins = lines(&read_optional(&dir.join("pins.txt"))?)
            .map(str::to_owned)
            .collect();
        Ok(Trust {
            keys,
            pins,
            dir: dir.to_owned(),
        })
    }

    /// Adds a trusted publisher key.
    ///
    /// # Errors
    /// Fails when the key is not valid or the file cannot be written.
    pub fn add_key(&mut self, hex_key: &str) -> anyhow::Result<()> {
        let key = parse_public_key(hex_key)?;
        if !self.keys.contains(&key) {
            append_line(&self.dir.join("keys.txt"), &hex::encode(key.to_bytes()))?;
            self.keys.push(key);
        }
        Ok(())
    }

    /// Pins a component digest.
    ///
    /// # Errors
    /// Fails when the digest is not 64 hex digits or the file cannot be written.
    pub fn pin(&mut self, digest: &str) -> anyhow::Result<()> {
        let digest = digest.trim().to_ascii_lowercase();
        if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            bail!("a digest is the 64 hex digits of a SHA-256, as `component list` shows");
        }
        if !self.pins.contains(&digest) {
            append_line(&self.dir.join("pins.txt"), &digest)?;
            self.pins.push(digest);
        }
        Ok(())
    }

    /// Decides whether the component with `digest` and signature text `signature` is trusted.
    ///
    /// # Errors
    /// Names the check that failed: no signature and no pin, a malformed signature, a key
    /// this host does not trust, or a signature that does not match these bytes.
    pub fn check(&self, digest: &str, signature: Option<&str>) -> anyhow::Result<TrustReason> {
        if self.pins.iter().any(|pin| pin == digest) {
            return Ok(TrustReason::Pinned);
        }
        let Some(text) = signature else {
            bail!(
                "the component has no signature and its digest {digest} is not pinned; sign it \
                 (`flora-mcp component sign`) or pin it (`flora-mcp component pin {digest}`)"
            );
        };
        let (key, signature) = parse_signature(text)?;
        if !self.keys.contains(&key) {
            bail!(
                "the component is signed by key {}, which this host does not trust (add it with \
                 `flora-mcp component trust <key>`)",
                hex::encode(key.to_bytes())
            );
        }
        key.verify(&message(digest), &signature).map_err(|_| {
            anyhow::anyhow!(
                "the signature does not match the component: its bytes changed after signing, or \
                 the signature belongs to another component"
            )
        })?;
        Ok(TrustReason::Signed(hex::encode(key.to_bytes())))
    }
}

fn parse_signature(text: &str) -> anyhow::Result<(VerifyingKey, Signature)> {
    let mut lines = text.lines().map(str::trim);
    if lines.next() != Some(SIGNATURE_HEADER) {
        bail!("the signature file does not start with `{SIGNATURE_HEADER}`");
    }
    let key = lines
        .next()
        .and_then(|l| l.strip_prefix("key "))
        .context("the signature file has no `key` line")?;
    let sig = lines
        .next()
        .and_then(|l| l.strip_prefix("sig "))
        .context("the signature file has no `sig` line")?;
    let sig = hex::decode(sig)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .context("the signature is not 128 hex digits")?;
    Ok((parse_public_key(key)?, Signature::from_bytes(&sig)))
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

fn read_optional(path: &Path) -> anyhow::Result<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(err) => Err(err).with_context(|| format!("read {}", path.display())),
    }
}

fn append_line(path: &Path, line: &str) -> anyhow::Result<()> {
    let mut text = read_optional(path)?;
    text.push_str(line);
    text.push('\n');
    super::write_atomically(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_digest_and_a_trusted_key() {
        let dir = tempfile::tempdir().unwrap();
        let mut trust = Trust::load(dir.path()).unwrap();
        let publisher = PublisherSecret::generate().unwrap();
        let digest = "a".repeat(64);
        let signature = publisher.sign(&digest);

        let err = trust
            .check(&digest, Some(&signature))
            .unwrap_err()
            .to_string();
        assert!(err.contains("does not trust"), "{err}");
        trust.add_key(&publisher.public_hex()).unwrap();
        let reloaded = Trust::load(dir.path()).unwrap();
        assert!(matches!(
            reloaded.check(&digest, Some(&signature)),
            Ok(TrustReason::Signed(_))
        ));
        let err = reloaded
            .check(&"b".repeat(64), Some(&signature))
            .unwrap_err()
            .to_string();
        assert!(err.contains("does not match"), "{err}");
        let err = reloaded.check(&digest, None).unwrap_err().to_string();
        assert!(err.contains("no signature"), "{err}");
    }

    #[test]
    fn a_pinned_digest_needs_no_signature_and_secrets_do_not_print() {
        let dir = tempfile::tempdir().unwrap();
        let mut trust = Trust::load(dir.path()).unwrap();
        let digest = "c".repeat(64);
        trust.pin(&digest).unwrap();
        assert_eq!(
            Trust::load(dir.path())
                .unwrap()
                .check(&digest, None)
                .unwrap(),
            TrustReason::Pinned
        );
        assert!(trust.pin("not-a-digest").is_err());
        let secret = PublisherSecret::generate().unwrap();
        assert!(!format!("{secret:?}").contains(&secret.to_hex()));
    }
}
