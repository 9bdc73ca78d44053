//! Declarative tool parameters: one table per tool that yields both the JSON Schema an MCP
//! client sees and the checks [`crate::args`] applies, so the two can never disagree.

use crate::prelude::*;
use serde_json::{Map, Value, json};

/// The shape of one parameter's value.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A string, optionally with a required prefix, a closed set of values and a minimum length.
    Str {
        /// A prefix the value must start with, such as `ws_`.
        prefix: Option<&'static str>,
        /// When not empty, the only values allowed.
        one_of: &'static [&'static str],
        /// Minimum length in characters.
        min_len: usize,
    },
    /// An integer within bounds.
    Int {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// An array of objects, each described by its own parameter table.
    Objects {
        /// The properties of each object.
        items: &'static [Param],
        /// Minimum number of items.
        min_items: usize,
    },
    /// `true` or `false`.
    Bool,
    /// A number (integer or fraction) within bounds.
    Number {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
    },
    /// A JSON object whose keys FLORA defines (model parameters, a canvas definition); only
    /// its being an object is checked here, FLORA checks the rest and names what it refuses.
    Map,
    /// An array of non-empty strings.
    Strings {
        /// Minimum number of items.
        min_items: usize,
        /// Maximum number of items.
        max_items: usize,
    },
    /// An array of JSON objects whose keys FLORA defines (canvas changeset operations).
    Maps {
        /// Minimum number of items.
        min_items: usize,
    },
}

/// One named parameter of a tool.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// Property name in the arguments object.
    pub name: &'static str,
    /// Value shape.
    pub kind: Kind,
    /// Whether the property must be present.
    pub required: bool,
    /// What the property means, for the model.
    pub description: &'static str,
}

/// A string parameter with no constraint but non-emptiness.
pub const fn text(name: &'static str, required: bool, description: &'static str) -> Param {
    let kind = Kind::Str {
        prefix: None,
        one_of: &[],
        min_len: 1,
    };
    Param {
        name,
        kind,
        required,
        description,
    }
}

/// A FLORA id parameter that must start with `prefix`.
pub const fn id(
    name: &'static str,
    prefix: &'static str,
    required: bool,
    description: &'static str,
) -> Param {
    let kind = Kind::Str {
        prefix: Some(prefix),
        one_of: &[],
        min_len: prefix.len() + 1,
    };
    Param {
        name,
        kind,
        required,
        description,
    }
}

/// A string parameter limited to `one_of`.
pub const fn choice(
    name: &'static str,
    one_of: &'static [&'static str],
    required: bool,
    description: &'static str,
) -> Param {
    let kind = Kind::Str {
        prefix: None,
        one_of,
        min_len: 1,
    };
    Param {
        name,
        kind,
        required,
        description,
    }
}

/// A boolean parameter.
pub const fn flag(name: &'static str, required: bool, description: &'static str) -> Param {
    Param {
        name,
        kind: Kind::Bool,
        required,
        description,
    }
}

/// A free-form JSON object parameter (see [`Kind::Map`]).
pub const fn map(name: &'static str, required: bool, description: &'static str) -> Param {
    Param {
        name,
        kind: Kind::Map,
        required,
        description,
    }
}

/// An array of free-form JSON objects (see [`Kind::Maps`]).
pub const fn maps(name: &'static str, description: &'static str) -> Param {
    Param {
        name,
        kind: Kind::Maps { min_items: 1 },
        required: false,
        description,
    }
}

/// A string parameter that must be an `https://` URL.
pub const fn https_url(name: &'static str, required: bool, description: &'static str) -> Param {
    let kind = Kind::Str {
        prefix: Some("https://"),
        one_of: &[],
        min_len: 9,
    };
    Param {
        name,
        kind,
        required,
        description,
    }
}

/// The `limit` parameter of FLORA's cursor pages.
pub const LIMIT: Param = Param {
    name: "limit",
    kind: Kind::Int { min: 1, max: 100 },
    required: false,
    description: "Page size, 1 to 100 (FLORA's default is 20).",
};

/// The `cursor` parameter of FLORA's cursor pages.
pub const CURSOR: Param = text(
    "cursor",
    false,
    "Opaque cursor from a previous page's `next_cursor`, to fetch the page after it.",
);

/// The JSON Schema of an object with the given properties; unknown properties are refused.
pub fn object_schema(params: &[Param]) -> Value {
    let mut properties = Map::new();
    for param in params {
        properties.insert(param.name.to_owned(), property_schema(param));
    }
    let required: Vec<&str> = params
        .iter()
        .filter(|p| p.required)
        .map(|p| p.name)
        .collect();
    let mut schema = json!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    });
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    schema
}

fn property_schema(param: &Param) -> Value {
    let mut schema = match param.kind {
        Kind::Str {
            prefix,
            one_of,
            min_len,
        } => {
            let mut s = json!({ "type": "string", "minLength": min_len });
            if let Some(prefix) = prefix {
                s["pattern"] = json!(format!("^{prefix}\\S+$"));
            }
            if !one_of.is_empty() {
                s["enum"] = json!(one_of);
            }
            s
        }
        Kind::Int { min, max } => json!({ "type": "integer", "minimum": min, "maximum": max }),
        Kind::Objects { items, min_items } => {
            json!({ "type": "array", "minItems": min_items, "items": object_schema(items) })
        }
        Kind::Bool => json!({ "type": "boolean" }),
        Kind::Number { min, max } => json!({ "type": "number", "minimum": min, "maximum": max }),
        Kind::Map => json!({ "type": "object", "additionalProperties": true }),
        Kind::Strings {
            min_items,
            max_items,
        } => json!({
            "type": "array",
            "minItems": min_items,
            "maxItems": max_items,
            "items": { "type": "string", "minLength": 1 },
        }),
        Kind::Maps { min_items } => json!({
            "type": "array",
            "minItems": min_items,
            "items": { "type": "object", "additionalProperties": true },
        }),
    };
    schema["description"] = json!(param.description);
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_object_schema_lists_required_properties_and_refuses_others() {
        let schema = object_schema(&[id("workspace_id", "ws_", true, "Workspace."), LIMIT]);
        assert_eq!(schema["required"], json!(["workspace_id"]));
        assert_eq!(schema["additionalProperties"], json!(false));
        assert_eq!(
            schema["properties"]["workspace_id"]["pattern"],
            json!("^ws_\\S+$")
        );
        assert_eq!(schema["properties"]["limit"]["maximum"], json!(100));
    }

    #[test]
    fn a_schema_without_required_properties_has_no_required_key() {
        let schema = object_schema(&[LIMIT, CURSOR]);
        assert!(schema.get("required").is_none());
    }
}
