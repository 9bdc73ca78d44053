//! URL building for FLORA requests: path segments and query values are percent-encoded here,
//! once, so an id or search text can never change the shape of the request.

use crate::prelude::*;
/// Percent-encodes `s` for use as one path segment or one query value (RFC 3986 unreserved
/// characters stay as they are).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for byte in s.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Joins `base` (no trailing slash), the encoded `segments` and the non-empty `query` pairs.
pub fn url(base: &str, segments: &[&str], query: &[(&str, String)]) -> String {
    let mut out = base.trim_end_matches('/').to_owned();
    for segment in segments {
        out.push('/');
        out.push_str(&encode(segment));
    }
    let mut sep = '?';
    for (name, value) in query {
        out.push(sep);
        out.push_str(&encode(name));
        out.push('=');
        out.push_str(&encode(value));
        sep = '&';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cannot_add_path_levels_or_queries() {
        let u = url("https://x/api/v1", &["techniques", "../admin?x=1"], &[]);
        assert_eq!(u, "https://x/api/v1/techniques/..%2Fadmin%3Fx%3D1");
    }

    #[test]
    fn query_values_are_encoded_and_joined() {
        let q = [
            ("query", "red & blue".to_owned()),
            ("limit", "5".to_owned()),
        ];
        let u = url("https://x/api/v1/", &["techniques"], &q);
        assert_eq!(
            u,
            "https://x/api/v1/techniques?query=red%20%26%20blue&limit=5"
        );
    }
}
