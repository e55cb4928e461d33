//! cty types and their compact JSON form (as used in schemas and dynamic values).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::value::error::CodecError;
use crate::value::path::AttributePath;

/// A cty type. `Dynamic` is cty's `DynamicPseudoType` (the `any` type constraint).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    /// `bool`
    Bool,
    /// `number` (arbitrary precision)
    Number,
    /// `string`
    String,
    /// `dynamic`: the concrete type travels with each value.
    Dynamic,
    /// `list(T)`
    List(Box<Type>),
    /// `set(T)`
    Set(Box<Type>),
    /// `map(T)` with string keys
    Map(Box<Type>),
    /// `object({...})`; `optional` lists attributes marked optional in a type
    /// constraint (only meaningful for function/variable constraints, never schemas).
    Object {
        /// Attribute name → type.
        attrs: BTreeMap<String, Type>,
        /// Names (a subset of `attrs`) that are optional.
        optional: BTreeSet<String>,
    },
    /// `tuple([...])`
    Tuple(Vec<Type>),
}

impl Type {
    /// An object type with no optional attributes.
    pub fn object(attrs: impl IntoIterator<Item = (impl Into<String>, Type)>) -> Type {
        Type::Object {
            attrs: attrs.into_iter().map(|(k, t)| (k.into(), t)).collect(),
            optional: BTreeSet::new(),
        }
    }

    /// `list(t)`
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }

    /// `set(t)`
    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }

    /// `map(t)`
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }

    /// `tuple([...])`
    pub fn tuple(elems: impl IntoIterator<Item = Type>) -> Type {
        Type::Tuple(elems.into_iter().collect())
    }

    /// Attribute types when this is an object type.
    pub fn attribute_types(&self) -> Option<&BTreeMap<String, Type>> {
        match self {
            Type::Object { attrs, .. } => Some(attrs),
            _ => None,
        }
    }

    /// Element type of a list, set or map.
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Type::List(t) | Type::Set(t) | Type::Map(t) => Some(t),
            _ => None,
        }
    }

    /// Human-readable name for error messages, in cty's wording (`list of string`).
    pub fn friendly_name(&self) -> String {
        match self {
            Type::Bool => "bool".into(),
            Type::Number => "number".into(),
            Type::String => "string".into(),
            Type::Dynamic => "dynamic".into(),
            Type::List(t) => format!("list of {}", t.friendly_name()),
            Type::Set(t) => format!("set of {}", t.friendly_name()),
            Type::Map(t) => format!("map of {}", t.friendly_name()),
            Type::Object { .. } => "object".into(),
            Type::Tuple(_) => "tuple".into(),
        }
    }

    /// Compact cty type JSON, e.g. `["list","string"]`.
    ///
    /// Objects with optional attributes use the three-element form
    /// `["object",{...},["opt",...]]`; object keys come out sorted, as Go's
    /// `encoding/json` writes them.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Type::Bool => out.push_str("\"bool\""),
            Type::Number => out.push_str("\"number\""),
            Type::String => out.push_str("\"string\""),
            Type::Dynamic => out.push_str("\"dynamic\""),
            Type::List(t) | Type::Set(t) | Type::Map(t) => {
                let kind = match self {
                    Type::List(_) => "list",
                    Type::Set(_) => "set",
                    _ => "map",
                };
                let _ = write!(out, "[\"{kind}\",");
                t.write_json(out);
                out.push(']');
            }
            Type::Object { attrs, optional } => {
                out.push_str("[\"object\",{");
                for (i, (name, t)) in attrs.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_json_string(out, name);
                    out.push(':');
                    t.write_json(out);
                }
                out.push('}');
                if !optional.is_empty() {
                    out.push_str(",[");
                    for (i, name) in optional.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        push_json_string(out, name);
                    }
                    out.push(']');
                }
                out.push(']');
            }
            Type::Tuple(elems) => {
                out.push_str("[\"tuple\",[");
                for (i, t) in elems.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    t.write_json(out);
                }
                out.push_str("]]");
            }
        }
    }

    /// Parse compact cty type JSON (the inverse of [`Type::to_json`]).
    pub fn from_json(bytes: &[u8]) -> Result<Type, CodecError> {
        // serde_json's own recursion limit (128) bounds nesting, so no panic on
        // hostile input.
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| invalid(e.to_string()))?;
        Type::from_json_value(&v)
    }

    /// Parse a type from an already-parsed JSON value (used inside JSON dynamic values).
    pub fn from_json_value(v: &serde_json::Value) -> Result<Type, CodecError> {
        use serde_json::Value as J;
        match v {
            J::String(s) => match s.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                other => Err(invalid(format!("invalid primitive type name {other:?}"))),
            },
            J::Array(items) => {
                let kind = items
                    .first()
                    .and_then(|k| k.as_str())
                    .ok_or_else(|| invalid("type array must start with a kind string".into()))?;
                match (kind, items.len()) {
                    ("list", 2) => Ok(Type::list(Type::from_json_value(&items[1])?)),
                    ("set", 2) => Ok(Type::set(Type::from_json_value(&items[1])?)),
                    ("map", 2) => Ok(Type::map(Type::from_json_value(&items[1])?)),
                    ("object", 2 | 3) => parse_object(&items[1], items.get(2)),
                    ("tuple", 2) => {
                        let elems = items[1].as_array().ok_or_else(|| {
                            invalid("tuple element types must be an array".into())
                        })?;
                        let elems: Result<Vec<_>, _> =
                            elems.iter().map(Type::from_json_value).collect();
                        Ok(Type::Tuple(elems?))
                    }
                    ("list" | "set" | "map" | "object" | "tuple", n) => Err(invalid(format!(
                        "wrong number of elements ({n}) for {kind} type"
                    ))),
                    (other, _) => Err(invalid(format!("invalid type kind {other:?}"))),
                }
            }
            _ => Err(invalid("a type must be a string or an array".into())),
        }
    }
}

impl std::fmt::Display for Type {
    /// Displays the friendly name (see [`Type::friendly_name`]).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.friendly_name())
    }
}

fn parse_object(
    attrs: &serde_json::Value,
    optional: Option<&serde_json::Value>,
) -> Result<Type, CodecError> {
    let attrs = attrs
        .as_object()
        .ok_or_else(|| invalid("object attribute types must be a JSON object".into()))?;
    let mut out = BTreeMap::new();
    for (name, t) in attrs {
        out.insert(name.clone(), Type::from_json_value(t)?);
    }
    let mut opt = BTreeSet::new();
    if let Some(list) = optional {
        let list = list
            .as_array()
            .ok_or_else(|| invalid("optional attribute list must be an array".into()))?;
        for name in list {
            let name = name
                .as_str()
                .ok_or_else(|| invalid("optional attribute names must be strings".into()))?;
            // go-cty rejects optional markers for attributes the object lacks.
            if !out.contains_key(name) {
                return Err(invalid(format!(
                    "optional attribute {name:?} is not declared"
                )));
            }
            opt.insert(name.to_string());
        }
    }
    Ok(Type::Object {
        attrs: out,
        optional: opt,
    })
}

fn invalid(message: String) -> CodecError {
    CodecError::InvalidType {
        path: AttributePath::root(),
        message,
    }
}

/// Append `s` as a JSON string literal.
pub(crate) fn push_json_string(out: &mut String, s: &str) {
    // Serialising a &str cannot fail; fall back to an empty literal just in case.
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_forms() {
        assert_eq!(Type::String.to_json(), "\"string\"");
        assert_eq!(Type::list(Type::String).to_json(), "[\"list\",\"string\"]");
        assert_eq!(Type::set(Type::Number).to_json(), "[\"set\",\"number\"]");
        assert_eq!(Type::map(Type::Bool).to_json(), "[\"map\",\"bool\"]");
        assert_eq!(Type::Dynamic.to_json(), "\"dynamic\"");
        let obj = Type::object([("ports", Type::list(Type::Number)), ("name", Type::String)]);
        assert_eq!(
            obj.to_json(),
            r#"["object",{"name":"string","ports":["list","number"]}]"#
        );
        let tup = Type::tuple([Type::String, Type::Number]);
        assert_eq!(tup.to_json(), r#"["tuple",["string","number"]]"#);
    }

    #[test]
    fn optional_attrs_use_three_element_form() {
        let t = Type::Object {
            attrs: [
                ("a".to_string(), Type::String),
                ("b".to_string(), Type::Bool),
            ]
            .into(),
            optional: ["b".to_string()].into(),
        };
        let j = t.to_json();
        assert_eq!(j, r#"["object",{"a":"string","b":"bool"},["b"]]"#);
        assert_eq!(Type::from_json(j.as_bytes()).unwrap(), t);
    }

    #[test]
    fn parse_round_trip_and_errors() {
        let t = Type::object([
            (
                "x",
                Type::map(Type::set(Type::tuple([Type::Dynamic, Type::Bool]))),
            ),
            ("", Type::object(Vec::<(String, Type)>::new())),
        ]);
        assert_eq!(Type::from_json(t.to_json().as_bytes()).unwrap(), t);
        for bad in [
            "",
            "1",
            "\"str\"",
            "[]",
            "[\"list\"]",
            "[\"list\",\"string\",1]",
            "[\"foo\",1]",
            "[\"object\",[]]",
            "[\"object\",{},[\"missing\"]]",
            "[\"tuple\",{}]",
            "[1,2]",
        ] {
            let err = Type::from_json(bad.as_bytes()).unwrap_err();
            assert!(
                matches!(err, CodecError::InvalidType { .. }),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn deep_type_json_is_an_error_not_a_crash() {
        let deep = "[\"list\",".repeat(10_000) + "\"string\"" + &"]".repeat(10_000);
        assert!(Type::from_json(deep.as_bytes()).is_err());
    }

    #[test]
    fn friendly_names() {
        assert_eq!(
            Type::list(Type::map(Type::String)).to_string(),
            "list of map of string"
        );
    }
}
