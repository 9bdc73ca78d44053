//! Argument checks: parse a tool's JSON arguments and hold them to the tool's parameter table
//! before any request is made, naming the field and what was expected when they do not fit.

use crate::prelude::*;
use crate::schema::{Kind, Param};
use serde_json::{Map, Value};

/// Arguments that fit their table, ready to be read.
#[derive(Debug, Clone, Default)]
pub struct Args(Map<String, Value>);

/// Why arguments were refused: the field, what was expected there and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Path of the field, such as `/inputs/0/id`; empty for the whole object.
    pub field: String,
    /// What was expected, in words.
    pub expected: String,
    /// What was wrong, in words.
    pub message: String,
}

impl Problem {
    fn new(field: &str, expected: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            field: field.to_owned(),
            expected: expected.into(),
            message: message.into(),
        }
    }
}

impl Args {
    /// Parses `raw` (JSON text; empty means `{}`) and checks it against `params`.
    pub fn parse(raw: &str, params: &[Param]) -> Result<Args, Problem> {
        let raw = if raw.trim().is_empty() { "{}" } else { raw };
        let value: Value = serde_json::from_str(raw).map_err(|err| {
            Problem::new(
                "",
                "a JSON object",
                format!("the arguments are not valid JSON: {err}"),
            )
        })?;
        let Value::Object(map) = value else {
            return Err(Problem::new(
                "",
                "a JSON object",
                "the arguments are not a JSON object",
            ));
        };
        check_object(&map, params, "")?;
        Ok(Args(map))
    }

    /// The string value of `name`, if present.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }

    /// The integer value of `name`, if present.
    pub fn int(&self, name: &str) -> Option<i64> {
        self.0.get(name).and_then(Value::as_i64)
    }

    /// The boolean value of `name`, if present.
    pub fn bool(&self, name: &str) -> Option<bool> {
        self.0.get(name).and_then(Value::as_bool)
    }

    /// The numeric value of `name`, if present.
    pub fn number(&self, name: &str) -> Option<f64> {
        self.0.get(name).and_then(Value::as_f64)
    }

    /// The raw value of `name`, if present.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
}

fn check_object(map: &Map<String, Value>, params: &[Param], at: &str) -> Result<(), Problem> {
    if let Some(unknown) = map
        .keys()
        .find(|k| !params.iter().any(|p| p.name == k.as_str()))
    {
        let known: Vec<&str> = params.iter().map(|p| p.name).collect();
        return Err(Problem::new(
            &format!("{at}/{unknown}"),
            format!("one of the properties {}", known.join(", ")),
            format!("unknown property `{unknown}`"),
        ));
    }
    for param in params {
        let field = format!("{at}/{}", param.name);
        match map.get(param.name) {
            None if param.required => {
                return Err(Problem::new(
                    &field,
                    expected(param),
                    format!("`{}` is required", param.name),
                ));
            }
            None => {}
            Some(value) => check_value(value, param, &field)?,
        }
    }
    Ok(())
}

fn check_value(value: &Value, param: &Param, field: &str) -> Result<(), Problem> {
    let wrong = |what: String| Err(Problem::new(field, expected(param), what));
    match param.kind {
        Kind::Str {
            prefix,
            one_of,
            min_len,
        } => {
            let Some(s) = value.as_str() else {
                return wrong(format!(
                    "`{}` is {}, not a string",
                    param.name,
                    type_name(value)
                ));
            };
            if let Some(prefix) = prefix
                && (!s.starts_with(prefix) || s.chars().any(char::is_whitespace))
            {
                let name = param.name;
                return wrong(format!(
                    "`{name}` is `{s}`, which does not start with `{prefix}`"
                ));
            }
            if s.chars().count() < min_len {
                return wrong(format!("`{}` is too short", param.name));
            }
            if !one_of.is_empty() && !one_of.contains(&s) {
                return wrong(format!(
                    "`{}` is `{s}`, which is not an allowed value",
                    param.name
                ));
            }
        }
        Kind::Int { min, max } => match value.as_i64() {
            Some(n) if (min..=max).contains(&n) => {}
            Some(n) => return wrong(format!("`{}` is {n}, out of range", param.name)),
            None => {
                return wrong(format!(
                    "`{}` is {}, not an integer",
                    param.name,
                    type_name(value)
                ));
            }
        },
        Kind::Objects { items, min_items } => {
            let Some(list) = value.as_array() else {
                return wrong(format!(
                    "`{}` is {}, not an array",
                    param.name,
                    type_name(value)
                ));
            };
            if list.len() < min_items {
                return wrong(format!("`{}` has {} items", param.name, list.len()));
            }
            for (i, item) in list.iter().enumerate() {
                let at = format!("{field}/{i}");
                let Some(map) = item.as_object() else {
                    let msg = format!("item {i} of `{}` is {}", param.name, type_name(item));
                    return Err(Problem::new(&at, "an object", msg));
                };
                check_object(map, items, &at)?;
            }
        }
        Kind::Bool => {
            if !value.is_boolean() {
                let what = type_name(value);
                return wrong(format!("`{}` is {what}, not true or false", param.name));
            }
        }
        Kind::Number { min, max } => match value.as_f64() {
            Some(n) if n >= min && n <= max => {}
            Some(n) => return wrong(format!("`{}` is {n}, out of range", param.name)),
            None => {
                let what = type_name(value);
                return wrong(format!("`{}` is {what}, not a number", param.name));
            }
        },
        Kind::Map => {
            if !value.is_object() {
                let what = type_name(value);
                return wrong(format!("`{}` is {what}, not an object", param.name));
            }
        }
        Kind::Strings {
            min_items,
            max_items,
        } => {
            let Some(list) = value.as_array() else {
                let what = type_name(value);
                return wrong(format!("`{}` is {what}, not an array", param.name));
            };
            if list.len() < min_items || list.len() > max_items {
                return wrong(format!("`{}` has {} items", param.name, list.len()));
            }
            if let Some(i) = list
                .iter()
                .position(|v| v.as_str().is_none_or(str::is_empty))
            {
                let msg = format!("item {i} of `{}` is not a non-empty string", param.name);
                return Err(Problem::new(
                    &format!("{field}/{i}"),
                    "a non-empty string",
                    msg,
                ));
            }
        }
        Kind::Maps { min_items } => {
            let Some(list) = value.as_array() else {
                let what = type_name(value);
                return wrong(format!("`{}` is {what}, not an array", param.name));
            };
            if list.len() < min_items {
                return wrong(format!("`{}` has {} items", param.name, list.len()));
            }
            if let Some(i) = list.iter().position(|v| !v.is_object()) {
                let msg = format!("item {i} of `{}` is {}", param.name, type_name(&list[i]));
                return Err(Problem::new(&format!("{field}/{i}"), "an object", msg));
            }
        }
    }
    Ok(())
}

/// What `param` expects, in words.
fn expected(param: &Param) -> String {
    match param.kind {
        Kind::Str {
            prefix: Some("https://"),
            ..
        } => "an HTTPS URL (`https://…`)".to_owned(),
        Kind::Str {
            prefix: Some(prefix),
            ..
        } => format!("a FLORA id starting with `{prefix}`"),
        Kind::Str { one_of, .. } if !one_of.is_empty() => format!("one of {}", one_of.join(", ")),
        Kind::Str { .. } => "a non-empty string".to_owned(),
        Kind::Int { min, max } => format!("an integer from {min} to {max}"),
        Kind::Objects { min_items, .. } | Kind::Maps { min_items } => {
            format!("an array of at least {min_items} objects")
        }
        Kind::Bool => "true or false".to_owned(),
        Kind::Number { min, max } => format!("a number from {min} to {max}"),
        Kind::Map => "a JSON object".to_owned(),
        Kind::Strings {
            min_items,
            max_items,
        } => format!("an array of {min_items} to {max_items} non-empty strings"),
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{LIMIT, choice, id, text};

    const PARAMS: &[Param] = &[
        id("workspace_id", "ws_", true, "Workspace."),
        LIMIT,
        choice("status", &["pending", "completed"], false, "Status."),
    ];

    #[test]
    fn empty_arguments_count_as_an_empty_object() {
        let err = Args::parse("", PARAMS).unwrap_err();
        assert_eq!(err.field, "/workspace_id");
        assert!(err.message.contains("required"));
    }

    #[test]
    fn a_wrong_prefix_names_the_field_and_the_prefix() {
        let err = Args::parse(r#"{"workspace_id":"abc"}"#, PARAMS).unwrap_err();
        assert_eq!(err.field, "/workspace_id");
        assert_eq!(err.expected, "a FLORA id starting with `ws_`");
    }

    #[test]
    fn out_of_range_and_unknown_properties_are_refused() {
        let err = Args::parse(r#"{"workspace_id":"ws_1","limit":101}"#, PARAMS).unwrap_err();
        assert_eq!(err.expected, "an integer from 1 to 100");
        let err = Args::parse(r#"{"workspace_id":"ws_1","lmit":5}"#, PARAMS).unwrap_err();
        assert_eq!(err.field, "/lmit");
    }

    #[test]
    fn enums_and_non_objects_are_checked() {
        let err = Args::parse(r#"{"workspace_id":"ws_1","status":"done"}"#, PARAMS).unwrap_err();
        assert!(err.expected.contains("pending"));
        assert!(Args::parse("[1]", PARAMS).is_err());
        assert!(
            Args::parse("{not json", PARAMS)
                .unwrap_err()
                .message
                .contains("not valid JSON")
        );
    }

    #[test]
    fn nested_objects_are_checked_item_by_item() {
        const ITEMS: &[Param] = &[text("id", true, "Input id.")];
        const NESTED: &[Param] = &[Param {
            name: "inputs",
            kind: Kind::Objects {
                items: ITEMS,
                min_items: 1,
            },
            required: true,
            description: "Inputs.",
        }];
        let err = Args::parse(r#"{"inputs":[{"id":"a"},{"id":""}]}"#, NESTED).unwrap_err();
        assert_eq!(err.field, "/inputs/1/id");
        assert!(Args::parse(r#"{"inputs":[]}"#, NESTED).is_err());
        assert!(Args::parse(r#"{"inputs":[{"id":"a"}]}"#, NESTED).is_ok());
    }
}
