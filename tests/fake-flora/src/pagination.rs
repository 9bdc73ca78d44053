//! Cursor pagination as FLORA does it: `limit` 1–100 (default 20), `cursor` = base64 of
//! `{"offset":N}` (URL-safe or standard alphabet, padded or not), `meta.next_cursor` null at the end.

use crate::errors::FieldError;
use crate::extract::Params;
use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Serialize;
use serde_json::{Value, json};

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;

/// Which slice of a collection a list request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: usize,
    pub offset: usize,
}

impl PageRequest {
    /// Reads `limit` and `cursor`, noting bad values in `errors`.
    pub fn parse(params: &Params, errors: &mut Vec<FieldError>) -> PageRequest {
        let limit = match params.get("limit") {
            None => DEFAULT_LIMIT,
            Some(raw) => match raw.parse::<usize>() {
                Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => limit,
                _ => {
                    let message = format!("limit must be an integer between 1 and {MAX_LIMIT}");
                    errors.push(FieldError::new("limit", message));
                    DEFAULT_LIMIT
                }
            },
        };
        let offset = match params.get("cursor") {
            None => 0,
            Some(raw) => decode_cursor(raw).unwrap_or_else(|| {
                errors.push(FieldError::new(
                    "cursor",
                    "cursor is not a valid pagination cursor",
                ));
                0
            }),
        };
        PageRequest { limit, offset }
    }
}

/// `{"<collection>": [...], "meta": {"next_cursor": …}}` for the requested slice of `items`.
pub fn page<T: Serialize>(collection: &str, items: Vec<T>, request: PageRequest) -> Value {
    let total = items.len();
    let end = request.offset.saturating_add(request.limit).min(total);
    let slice: Vec<T> = items
        .into_iter()
        .skip(request.offset)
        .take(request.limit)
        .collect();
    let next_cursor = (end < total && !slice.is_empty()).then(|| encode_cursor(end));
    json!({ collection: slice, "meta": { "next_cursor": next_cursor } })
}

/// The cursor for `offset`: URL-safe base64, unpadded, of `{"offset":N}`.
pub fn encode_cursor(offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{{\"offset\":{offset}}}"))
}

/// The offset in a cursor, if it is one.
pub fn decode_cursor(cursor: &str) -> Option<usize> {
    let config =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let bytes = [alphabet::URL_SAFE, alphabet::STANDARD]
        .iter()
        .find_map(|alphabet| GeneralPurpose::new(alphabet, config).decode(cursor).ok())?;
    let value: Value = serde_json::from_slice(&bytes).ok()?;
    let offset = value.as_object()?.get("offset")?.as_u64()?;
    usize::try_from(offset).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_in_every_spelling() {
        assert_eq!(encode_cursor(20), "eyJvZmZzZXQiOjIwfQ");
        assert_eq!(decode_cursor("eyJvZmZzZXQiOjIwfQ"), Some(20));
        assert_eq!(decode_cursor("eyJvZmZzZXQiOjIwfQ=="), Some(20));
        // These carry `/`, `+` (standard) and `_`, `-` (URL-safe), and padding.
        assert_eq!(decode_cursor("eyJvZmZzZXQiOjEwLCJrIjoiID8+In0="), Some(10));
        assert_eq!(decode_cursor("eyJvZmZzZXQiOjEwLCJrIjoiID8-In0"), Some(10));
        assert_eq!(decode_cursor("eyJvZmZzZXQiOjAsImsiOiI/PiJ9"), Some(0));
        assert_eq!(decode_cursor("eyJvZmZzZXQiOjAsImsiOiI_PiJ9"), Some(0));
    }

    #[test]
    fn junk_is_not_a_cursor() {
        for junk in [
            "",
            "%%%",
            "bm90IGpzb24",
            "eyJvZmZzZXQiOi0xfQ",
            "eyJwYWdlIjoxfQ",
        ] {
            assert_eq!(decode_cursor(junk), None, "{junk}");
        }
    }

    #[test]
    fn pages_end_with_a_null_cursor() {
        let request = PageRequest {
            limit: 2,
            offset: 0,
        };
        let first = page("xs", vec![1, 2, 3], request);
        assert_eq!(first["xs"], json!([1, 2]));
        let next = first["meta"]["next_cursor"].as_str().unwrap();
        let request = PageRequest {
            limit: 2,
            offset: decode_cursor(next).unwrap(),
        };
        let second = page("xs", vec![1, 2, 3], request);
        assert_eq!(
            second,
            json!({ "xs": [3], "meta": { "next_cursor": null } })
        );
    }
}
