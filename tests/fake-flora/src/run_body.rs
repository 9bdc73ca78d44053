//! Validation of the `POST /techniques/{techniqueId}/runs` body against FLORA's schema (no unknown
//! fields, typed inputs matching the technique's slots, a known mode), field by field.

use crate::catalog::Technique;
use crate::errors::{ApiError, FieldError};
use crate::runs::{RunInput, RunRequest};
use serde_json::{Map, Value};
use std::collections::HashSet;

const BODY_FIELDS: [&str; 4] = ["inputs", "mode", "callback_url", "idempotency_key"];
const INPUT_FIELDS: [&str; 3] = ["id", "type", "value"];
const INPUT_TYPES: [&str; 3] = ["text", "imageUrl", "videoUrl"];
const MODES: [&str; 2] = ["async", "stream"];

/// Checks `body` against `technique`, returning every problem at once.
pub fn validate(technique: &Technique, body: &Map<String, Value>) -> Result<RunRequest, ApiError> {
    let mut errors = Vec::new();
    unknown_fields(body, &BODY_FIELDS, "", &mut errors);
    let inputs = inputs(technique, body.get("inputs"), &mut errors);
    let mode = match body.get("mode") {
        None => required("mode", &mut errors),
        Some(Value::String(mode)) if MODES.contains(&mode.as_str()) => Some(mode.clone()),
        Some(_) => {
            errors.push(FieldError::new("mode", "mode must be one of async, stream"));
            None
        }
    };
    let callback_url = match body.get("callback_url") {
        None | Some(Value::Null) => None,
        Some(Value::String(url)) if url.starts_with("https://") && url.len() > 8 => {
            Some(url.clone())
        }
        Some(_) => {
            errors.push(FieldError::new(
                "callback_url",
                "callback_url must be an HTTPS URL",
            ));
            None
        }
    };
    let idempotency_key = match body.get("idempotency_key") {
        None | Some(Value::Null) => None,
        Some(Value::String(key)) if !key.trim().is_empty() => Some(key.clone()),
        Some(_) => {
            let message = "idempotency_key must be a non-empty string";
            errors.push(FieldError::new("idempotency_key", message));
            None
        }
    };
    ApiError::check(errors)?;
    Ok(RunRequest {
        inputs: inputs.unwrap_or_default(),
        mode: mode.unwrap_or_default(),
        callback_url,
        idempotency_key,
    })
}

fn required<T>(field: &str, errors: &mut Vec<FieldError>) -> Option<T> {
    errors.push(FieldError::new(field, format!("{field} is required")));
    None
}

fn unknown_fields(
    object: &Map<String, Value>,
    known: &[&str],
    path: &str,
    errors: &mut Vec<FieldError>,
) {
    for key in object.keys().filter(|k| !known.contains(&k.as_str())) {
        let field = format!("{path}{key}");
        errors.push(FieldError::new(
            &field,
            format!("{field} is not a recognized field"),
        ));
    }
}

fn inputs(
    technique: &Technique,
    value: Option<&Value>,
    errors: &mut Vec<FieldError>,
) -> Option<Vec<RunInput>> {
    let items = match value {
        None => return required("inputs", errors),
        Some(Value::Array(items)) if items.is_empty() => {
            errors.push(FieldError::new(
                "inputs",
                "inputs must contain at least 1 item",
            ));
            return None;
        }
        Some(Value::Array(items)) => items,
        Some(_) => {
            errors.push(FieldError::new("inputs", "inputs must be an array"));
            return None;
        }
    };
    let mut given = Vec::new();
    let mut seen = HashSet::new();
    for (index, item) in items.iter().enumerate() {
        let path = format!("inputs[{index}]");
        let Some(object) = item.as_object() else {
            errors.push(FieldError::new(&path, format!("{path} must be an object")));
            continue;
        };
        unknown_fields(object, &INPUT_FIELDS, &format!("{path}."), errors);
        let id = string_field(object, &path, "id", errors);
        let kind = string_field(object, &path, "type", errors);
        let value = string_field(object, &path, "value", errors);
        if let Some(kind) = &kind
            && !INPUT_TYPES.contains(&kind.as_str())
        {
            let field = format!("{path}.type");
            let message = format!("{field} must be one of text, imageUrl, videoUrl");
            errors.push(FieldError::new(field, message));
        }
        if let Some(value) = &value
            && value.trim().is_empty()
        {
            let field = format!("{path}.value");
            errors.push(FieldError::new(
                &field,
                format!("{field} must not be empty"),
            ));
        }
        let Some(id) = id else { continue };
        let Some(slot) = technique.inputs.iter().find(|slot| slot.id == id) else {
            let field = format!("{path}.id");
            let expected: Vec<&str> = technique.inputs.iter().map(|slot| slot.id).collect();
            let message = format!(
                "{field} \"{id}\" is not an input of {}; expected one of {}",
                technique.technique_id,
                expected.join(", ")
            );
            errors.push(FieldError::new(field, message));
            continue;
        };
        if !seen.insert(id.clone()) && !slot.allows_multiple() {
            let field = format!("{path}.id");
            let message = format!("{field} \"{id}\" is given more than once");
            errors.push(FieldError::new(field, message));
        }
        if let Some(kind) = &kind
            && INPUT_TYPES.contains(&kind.as_str())
            && kind != slot.kind.as_str()
        {
            let field = format!("{path}.type");
            let expected = slot.kind.as_str();
            let message = format!("{field} must be {expected} for input \"{id}\"");
            errors.push(FieldError::new(field, message));
        }
        if let (Some(kind), Some(value)) = (kind, value) {
            given.push(RunInput { id, kind, value });
        }
    }
    for slot in technique.inputs.iter().filter(|slot| !slot.is_optional()) {
        if !seen.contains(slot.id) {
            let message = format!("inputs is missing required input \"{}\"", slot.id);
            errors.push(FieldError::new("inputs", message));
        }
    }
    Some(given)
}

fn string_field(
    object: &Map<String, Value>,
    path: &str,
    name: &str,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let field = format!("{path}.{name}");
    match object.get(name) {
        None | Some(Value::Null) => required(&field, errors),
        Some(Value::String(text)) => Some(text.clone()),
        Some(_) => {
            errors.push(FieldError::new(&field, format!("{field} must be a string")));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::{MULTI_INPUT_TECHNIQUE_ID, seed};
    use serde_json::json;

    fn check(body: Value) -> Result<RunRequest, Vec<String>> {
        let technique = seed()
            .techniques
            .into_iter()
            .find(|t| t.technique_id == MULTI_INPUT_TECHNIQUE_ID)
            .unwrap();
        validate(&technique, body.as_object().unwrap())
            .map_err(|e| e.fields.into_iter().map(|f| f.field).collect())
    }

    fn input(id: &str, kind: &str, value: &str) -> Value {
        json!({ "id": id, "type": kind, "value": value })
    }

    #[test]
    fn accepts_a_complete_body_without_the_optional_input() {
        let body = json!({
            "inputs": [
                input("theme", "text", "calm"),
                input("reference_image_1", "imageUrl", "https://a/1.png"),
                input("reference_image_2", "imageUrl", "https://a/2.png"),
            ],
            "mode": "async",
            "idempotency_key": "k1",
        });
        let request = check(body).unwrap();
        assert_eq!(request.inputs.len(), 3);
        assert_eq!(request.idempotency_key.as_deref(), Some("k1"));
    }

    #[test]
    fn names_every_bad_field() {
        let body = json!({
            "inputs": [
                input("nope", "text", "x"),
                input("theme", "imageUrl", "https://a/1.png"),
                { "id": "reference_image_1", "type": "imageUrl", "value": "", "extra": 1 },
            ],
            "mode": "sync",
            "colour": "red",
        });
        let mut fields = check(body).unwrap_err();
        fields.sort();
        assert_eq!(
            fields,
            [
                "colour",
                "inputs",
                "inputs[0].id",
                "inputs[1].type",
                "inputs[2].extra",
                "inputs[2].value",
                "mode"
            ]
        );
    }

    #[test]
    fn rejects_missing_and_empty_inputs() {
        assert_eq!(check(json!({ "mode": "async" })).unwrap_err(), ["inputs"]);
        assert_eq!(
            check(json!({ "inputs": [], "mode": "async" })).unwrap_err(),
            ["inputs"]
        );
        assert_eq!(
            check(json!({ "inputs": "x" })).unwrap_err(),
            ["inputs", "mode"]
        );
    }
}
