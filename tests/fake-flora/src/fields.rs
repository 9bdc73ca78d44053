//! Field-by-field validation of JSON object bodies (closed field sets, required strings, id
//! prefixes, enums, HTTPS URLs), collecting every problem so one 400 can name them all.

use crate::errors::{ApiError, FieldError};
use crate::ids::check_prefix;
use serde_json::{Map, Value};

/// A JSON object being checked; problems pile up in `errors` until [`Fields::finish`].
pub struct Fields<'a> {
    object: &'a Map<String, Value>,
    /// Prepended to field names, e.g. `add[0].`.
    path: String,
    pub errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    /// Starts checking `object`, whose only allowed fields are `known`.
    pub fn new(object: &'a Map<String, Value>, known: &[&str]) -> Fields<'a> {
        Fields::nested(object, known, "")
    }

    /// Like [`Fields::new`] for an object found at `path` (e.g. `inputs[0].`).
    pub fn nested(object: &'a Map<String, Value>, known: &[&str], path: &str) -> Fields<'a> {
        let mut fields = Fields {
            object,
            path: path.to_owned(),
            errors: Vec::new(),
        };
        for key in object.keys().filter(|k| !known.contains(&k.as_str())) {
            let field = fields.name(key);
            let message = format!("{field} is not a recognized field");
            fields.errors.push(FieldError::new(field, message));
        }
        fields
    }

    /// The full name of field `key`.
    pub fn name(&self, key: &str) -> String {
        format!("{}{key}", self.path)
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.object.get(key).filter(|v| !v.is_null())
    }

    /// Records a problem with `key`; `message` is appended to the field name.
    pub fn fail(&mut self, key: &str, message: &str) {
        let field = self.name(key);
        let message = format!("{field} {message}");
        self.errors.push(FieldError::new(field, message));
    }

    /// A string that must be present and not blank.
    pub fn required_string(&mut self, key: &str) -> Option<String> {
        if self.get(key).is_none() {
            self.fail(key, "is required");
            return None;
        }
        self.optional_string(key)
    }

    /// A string that may be absent (or null) but not blank.
    pub fn optional_string(&mut self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(text) if text.trim().is_empty() => {
                self.fail(key, "must not be empty");
                None
            }
            Value::String(text) => Some(text.clone()),
            _ => {
                self.fail(key, "must be a string");
                None
            }
        }
    }

    /// A public id that must be present and carry `prefix`.
    pub fn required_id(&mut self, key: &str, prefix: &str) -> Option<String> {
        let value = self.required_string(key)?;
        self.prefixed(key, value, prefix)
    }

    /// A public id that may be absent but, if given, carries `prefix`.
    pub fn optional_id(&mut self, key: &str, prefix: &str) -> Option<String> {
        let value = self.optional_string(key)?;
        self.prefixed(key, value, prefix)
    }

    fn prefixed(&mut self, key: &str, value: String, prefix: &str) -> Option<String> {
        match check_prefix(&self.name(key), &value, prefix) {
            Ok(()) => Some(value),
            Err(error) => {
                self.errors.push(error);
                None
            }
        }
    }

    /// A string that must be one of `allowed` (and present when `required`).
    pub fn one_of(&mut self, key: &str, allowed: &[&str], required: bool) -> Option<String> {
        let value = if required {
            self.required_string(key)?
        } else {
            self.optional_string(key)?
        };
        if allowed.contains(&value.as_str()) {
            Some(value)
        } else {
            self.fail(key, &format!("must be one of {}", allowed.join(", ")));
            None
        }
    }

    /// An optional `https://` URL.
    pub fn optional_https(&mut self, key: &str) -> Option<String> {
        let value = self.optional_string(key)?;
        if is_https_url(&value) {
            Some(value)
        } else {
            self.fail(key, "must be an HTTPS URL");
            None
        }
    }

    /// An optional JSON object.
    pub fn optional_object(&mut self, key: &str) -> Option<&'a Map<String, Value>> {
        match self.get(key)? {
            Value::Object(object) => Some(object),
            _ => {
                self.fail(key, "must be an object");
                None
            }
        }
    }

    /// An optional array of strings.
    pub fn optional_strings(&mut self, key: &str) -> Option<Vec<String>> {
        let items = match self.get(key)? {
            Value::Array(items) => items,
            _ => {
                self.fail(key, "must be an array of strings");
                return None;
            }
        };
        let strings: Option<Vec<String>> = items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect();
        if strings.is_none() {
            self.fail(key, "must be an array of strings");
        }
        strings
    }

    /// The accumulated problems as one 400, if any.
    pub fn finish(self) -> Result<(), ApiError> {
        ApiError::check(self.errors)
    }
}

/// Whether `value` is an `https://` URL with a host.
pub fn is_https_url(value: &str) -> bool {
    value
        .strip_prefix("https://")
        .and_then(|rest| rest.split(['/', '?', '#']).next())
        .is_some_and(|host| !host.is_empty() && !host.contains(char::is_whitespace))
}

/// Whether `value` is an HTTPS URL on a public host: not loopback, private, link-local or
/// metadata addresses, nor `localhost`, `*.local` or `*.internal` names (FLORA's SSRF rules).
pub fn is_public_https(value: &str) -> bool {
    if !is_https_url(value) {
        return false;
    }
    let authority = value["https://".len()..]
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("");
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = if host.starts_with('[') {
        host.split(']').next().unwrap_or("").trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or("")
    }
    .to_ascii_lowercase();
    if host == "localhost"
        || [".localhost", ".local", ".internal"]
            .iter()
            .any(|suffix| host.ends_with(suffix))
    {
        return false;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => {
            !(ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast())
        }
        Ok(std::net::IpAddr::V6(ip)) => {
            let first = ip.segments()[0];
            !(ip.is_loopback()
                || ip.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn collects_every_problem() {
        let body = json!({ "a": "", "b": 3, "ws": "x", "kind": "z", "extra": 1 });
        let object = body.as_object().unwrap();
        let mut fields = Fields::new(object, &["a", "b", "ws", "kind", "missing"]);
        assert_eq!(fields.optional_string("a"), None);
        assert_eq!(fields.optional_string("b"), None);
        assert_eq!(fields.required_id("ws", "ws_"), None);
        assert_eq!(fields.one_of("kind", &["x", "y"], true), None);
        assert_eq!(fields.required_string("missing"), None);
        let names: Vec<_> = fields.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(names, ["extra", "a", "b", "ws", "kind", "missing"]);
        assert_eq!(fields.errors[4].message, "kind must be one of x, y");
    }

    #[test]
    fn https_urls() {
        assert!(is_https_url("https://a.b/c"));
        assert!(!is_https_url("https://"));
        assert!(!is_https_url("http://a.b"));
        assert!(is_public_https("https://media.flora.ai/a.png"));
        for private in [
            "https://localhost/a",
            "https://127.0.0.1:8443/a",
            "https://10.1.2.3/a",
            "https://169.254.169.254/latest",
            "https://[::1]/a",
            "https://metadata.google.internal/x",
            "https://user@192.168.0.1/x",
        ] {
            assert!(!is_public_https(private), "{private}");
        }
    }
}
