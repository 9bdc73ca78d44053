//! Request extractors that fail in FLORA's envelope instead of axum's plain-text rejections: query
//! parameters, path parameters and JSON object bodies.

use crate::errors::{ApiError, FieldError};
use crate::ids::check_prefix;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The query string as name/value pairs, in order.
#[derive(Debug, Clone, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// The first value given for `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The value of `name` if given and carrying `prefix`; a bad prefix is noted in `errors`.
    pub fn id(&self, name: &str, prefix: &str, errors: &mut Vec<FieldError>) -> Option<String> {
        let value = self.get(name)?;
        match check_prefix(name, value, prefix) {
            Ok(()) => Some(value.to_owned()),
            Err(error) => {
                errors.push(error);
                None
            }
        }
    }

    /// The lower-cased `query` search text, if any.
    pub fn search(&self) -> Option<String> {
        self.get("query")
            .map(str::to_lowercase)
            .filter(|q| !q.is_empty())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::field("query", "query string is malformed"))?;
        Ok(Params(pairs))
    }
}

/// Path parameters; a path that does not decode reads as an unknown route.
pub struct PathParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(value) = Path::<T>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found())?;
        Ok(PathParams(value))
    }
}

/// Parses `bytes` as a JSON object (else 400 `invalid_json`).
pub fn json_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(object)) => Ok(object),
        _ => Err(ApiError::invalid_json()),
    }
}
