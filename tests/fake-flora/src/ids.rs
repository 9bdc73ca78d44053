//! Identifiers: fresh Convex-like ids for new resources, `req_…` request ids, and the check that
//! a public id carries its expected prefix (`ws_`, `prj_`, `run_`, `asset_`).

use crate::errors::{ApiError, FieldError};
use rand::Rng;

const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// `len` random lowercase alphanumerics.
pub fn random_token(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A value for the `request-id` header: `req_` and 24 lowercase alphanumerics.
pub fn request_id() -> String {
    format!("req_{}", random_token(24))
}

/// A new run id shaped like FLORA's (`run_` and a 32-character Convex-style id).
pub fn run_id() -> String {
    format!("run_{}", random_token(32))
}

/// Checks a path parameter's prefix, as a 400 naming `field`.
pub fn path_id(field: &str, value: &str, prefix: &str) -> Result<(), ApiError> {
    check_prefix(field, value, prefix).map_err(|e| ApiError::validation(vec![e]))
}

/// Checks that `value` is `prefix` followed by at least one non-space character.
pub fn check_prefix(field: &str, value: &str, prefix: &str) -> Result<(), FieldError> {
    match value.strip_prefix(prefix) {
        Some(rest) if !rest.is_empty() && !rest.chars().any(char::is_whitespace) => Ok(()),
        _ => Err(FieldError::new(
            field,
            format!("{field} must start with {prefix}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_well_formed() {
        let id = request_id();
        assert_eq!(id.len(), 28);
        assert!(id[4..].bytes().all(|b| ALPHABET.contains(&b)));
    }

    #[test]
    fn prefixes_are_enforced() {
        assert!(check_prefix("project_id", "prj_abc", "prj_").is_ok());
        let error = check_prefix("project_id", "abc", "prj_").unwrap_err();
        assert_eq!(error.message, "project_id must start with prj_");
        assert!(check_prefix("project_id", "prj_", "prj_").is_err());
        assert!(check_prefix("project_id", "prj_a b", "prj_").is_err());
    }
}
