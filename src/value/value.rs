//! In-memory cty values and the type-checking (`conform`) that the codecs rely on.

use std::collections::BTreeMap;

use crate::value::error::CodecError;
use crate::value::path::{AttributePath, PathStep};
use crate::value::ty::Type;

pub use crate::value::number::Number;

/// A cty value. Values do not carry their type; the codecs and [`Value::conform`]
/// take the type alongside (Terraform always knows it from the schema).
///
/// `Null` and `Unknown` are valid at any type. `Set` keeps insertion order and
/// duplicates, so equality of sets is order-sensitive here.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Null of whatever type the slot has.
    Null,
    /// Unknown (not yet computed) of whatever type the slot has.
    Unknown,
    /// A bool.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// List elements in order.
    List(Vec<Value>),
    /// Set elements (order not significant to Terraform).
    Set(Vec<Value>),
    /// Map entries.
    Map(BTreeMap<String, Value>),
    /// Object attributes; absent attributes are treated as null by the encoders.
    Object(BTreeMap<String, Value>),
    /// Tuple elements.
    Tuple(Vec<Value>),
    /// A value in a `dynamic`-typed slot, with the concrete type it carries on the wire.
    Dynamic(Type, Box<Value>),
}

/// Returned by reference for absent attributes.
static NULL: Value = Value::Null;

impl Value {
    /// A string value.
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    /// An integer number value.
    pub fn number_i64(i: i64) -> Value {
        Value::Number(Number::from_i64(i))
    }

    /// Equality as Terraform sees it: like `==`, except that set elements match in any
    /// order (each element of one set pairs with an equal, unused element of the other).
    pub fn same_as(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Set(a), Value::Set(b)) => {
                if a.len() != b.len() {
                    return false;
                }
                let mut used = vec![false; b.len()];
                a.iter().all(|x| {
                    let found = (0..b.len()).find(|&i| !used[i] && x.same_as(&b[i]));
                    found.map(|i| used[i] = true).is_some()
                })
            }
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y))
            }
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((ka, va), (kb, vb))| ka == kb && va.same_as(vb))
            }
            (Value::Dynamic(ta, a), Value::Dynamic(tb, b)) => ta == tb && a.same_as(b),
            _ => self == other,
        }
    }

    /// An object value from `(name, value)` pairs.
    pub fn object(pairs: impl IntoIterator<Item = (impl Into<String>, Value)>) -> Value {
        Value::Object(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// For an object type, an object whose every attribute is null; otherwise `Null`.
    ///
    /// This is how a present-but-empty block looks, which differs from a null object
    /// (an absent block) — Terraform distinguishes the two.
    pub fn all_null(ty: &Type) -> Value {
        match ty {
            Type::Object { attrs, .. } => {
                Value::Object(attrs.keys().map(|k| (k.clone(), Value::Null)).collect())
            }
            _ => Value::Null,
        }
    }

    /// True for `Null` (also a dynamic wrapper around null).
    pub fn is_null(&self) -> bool {
        matches!(self.peel(), Value::Null)
    }

    /// True for `Unknown` (also a dynamic wrapper around unknown).
    pub fn is_unknown(&self) -> bool {
        matches!(self.peel(), Value::Unknown)
    }

    /// Not `Unknown` at the top level (nested parts may still be unknown).
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }

    /// No `Unknown` at any depth.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            Value::Dynamic(_, v) => v.is_wholly_known(),
        }
    }

    /// An object attribute, or `&Value::Null` when absent or when this is not an object.
    pub fn attr(&self, name: &str) -> &Value {
        match self.peel() {
            Value::Object(m) => m.get(name).unwrap_or(&NULL),
            _ => &NULL,
        }
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self.peel() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bool, if this is a bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self.peel() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number as `i64`, if this is an integral number in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self.peel() {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    /// The number, if this is a number.
    pub fn as_number(&self) -> Option<&Number> {
        match self.peel() {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// Entries of a map or attributes of an object.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self.peel() {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// List/Set/Tuple elements; empty slice for anything else (including null).
    pub fn elements(&self) -> &[Value] {
        match self.peel() {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => v,
            _ => &[],
        }
    }

    /// The value at `path`, or `None` if any step does not resolve.
    ///
    /// Attribute steps index objects, string keys index maps, integer keys index
    /// lists and tuples. Sets cannot be indexed, as in Terraform.
    pub fn get_path(&self, path: &AttributePath) -> Option<&Value> {
        let mut cur = self;
        for step in &path.steps {
            cur = match (step, cur.peel()) {
                (PathStep::Attribute(n), Value::Object(m)) => m.get(n)?,
                (PathStep::ElementKeyString(k), Value::Map(m)) => m.get(k)?,
                (PathStep::ElementKeyInt(i), Value::List(v) | Value::Tuple(v)) => {
                    v.get(usize::try_from(*i).ok()?)?
                }
                _ => return None,
            };
        }
        Some(cur)
    }

    /// Short description of the variant, for error messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown => "unknown",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
            Value::Object(_) => "object",
            Value::Tuple(_) => "tuple",
            Value::Dynamic(..) => "dynamic value",
        }
    }

    /// Check that this value fits `ty`, returning it normalised.
    ///
    /// Normalisation: object attributes missing from the value are added as `Null`,
    /// and a `Dynamic` wrapper in a non-dynamic slot whose type equals the slot's is
    /// unwrapped. Null and unknown fit any type. Errors name the offending path.
    /// A `dynamic` slot needs `Null`, `Unknown` or `Value::Dynamic`.
    pub fn conform(self, ty: &Type) -> Result<Value, CodecError> {
        let mut path = AttributePath::root();
        conform_at(self, ty, &mut path)
    }

    /// Look through any `Dynamic` wrappers.
    fn peel(&self) -> &Value {
        let mut v = self;
        while let Value::Dynamic(_, inner) = v {
            v = inner;
        }
        v
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::number_i64(i)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Self {
        Value::Number(n)
    }
}

pub(crate) fn mismatch(path: &AttributePath, ty: &Type, found: &Value) -> CodecError {
    CodecError::TypeMismatch {
        path: path.clone(),
        expected: ty.friendly_name(),
        found: found.kind_name().to_string(),
    }
}

fn conform_at(v: Value, ty: &Type, path: &mut AttributePath) -> Result<Value, CodecError> {
    if path.steps.len() > crate::value::MAX_DEPTH {
        return Err(CodecError::TooDeep {
            path: path.clone(),
            limit: crate::value::MAX_DEPTH,
        });
    }
    let v = match v {
        Value::Null | Value::Unknown => return Ok(v),
        Value::Dynamic(t, inner) if *ty == Type::Dynamic => {
            let inner = conform_at(*inner, &t, path)?;
            return Ok(Value::Dynamic(t, Box::new(inner)));
        }
        Value::Dynamic(t, inner) if t == *ty => *inner,
        other => other,
    };
    match (ty, v) {
        (Type::Bool, v @ Value::Bool(_))
        | (Type::Number, v @ Value::Number(_))
        | (Type::String, v @ Value::String(_)) => Ok(v),
        (Type::List(et), Value::List(items)) => Ok(Value::List(conform_seq(items, |_| et, path)?)),
        (Type::Set(et), Value::Set(items)) => Ok(Value::Set(conform_seq(items, |_| et, path)?)),
        (Type::Tuple(ets), Value::Tuple(items)) => {
            if ets.len() != items.len() {
                return Err(CodecError::TupleLength {
                    path: path.clone(),
                    expected: ets.len(),
                    found: items.len(),
                });
            }
            Ok(Value::Tuple(conform_seq(items, |i| &ets[i], path)?))
        }
        (Type::Map(et), Value::Map(entries)) => {
            let mut out = BTreeMap::new();
            for (k, item) in entries {
                path.steps.push(PathStep::ElementKeyString(k.clone()));
                let item = conform_at(item, et, path)?;
                path.steps.pop();
                out.insert(k, item);
            }
            Ok(Value::Map(out))
        }
        (Type::Object { attrs, .. }, Value::Object(mut given)) => {
            if let Some(extra) = given.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(CodecError::UnsupportedAttribute {
                    path: path.clone(),
                    name: extra.clone(),
                });
            }
            let mut out = BTreeMap::new();
            for (name, aty) in attrs {
                let item = given.remove(name).unwrap_or(Value::Null);
                path.steps.push(PathStep::Attribute(name.clone()));
                let item = conform_at(item, aty, path)?;
                path.steps.pop();
                out.insert(name.clone(), item);
            }
            Ok(Value::Object(out))
        }
        (ty, v) => Err(mismatch(path, ty, &v)),
    }
}

fn conform_seq<'t>(
    items: Vec<Value>,
    ety: impl Fn(usize) -> &'t Type,
    path: &mut AttributePath,
) -> Result<Vec<Value>, CodecError> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        path.steps.push(PathStep::ElementKeyInt(i as i64));
        out.push(conform_at(item, ety(i), path)?);
        path.steps.pop();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_are_the_same_in_any_order_but_lists_are_not() {
        let (a, b) = (Value::string("a"), Value::string("b"));
        let set = |v: Vec<Value>| Value::object([("s", Value::Set(v))]);
        assert!(set(vec![a.clone(), b.clone()]).same_as(&set(vec![b.clone(), a.clone()])));
        assert!(!set(vec![a.clone(), a.clone()]).same_as(&set(vec![a.clone(), b.clone()])));
        assert!(!set(vec![a.clone()]).same_as(&set(vec![a.clone(), a.clone()])));
        let list = |v: Vec<Value>| Value::List(v);
        assert!(!list(vec![a.clone(), b.clone()]).same_as(&list(vec![b, a])));
    }

    fn sample() -> Value {
        Value::object([
            ("name", Value::string("proj")),
            ("count", Value::number_i64(3)),
            ("enabled", Value::Bool(true)),
            (
                "tags",
                Value::Map([("env".to_string(), Value::string("dev"))].into()),
            ),
            (
                "vpc",
                Value::List(vec![Value::object([(
                    "subnets",
                    Value::List(vec![Value::string("s1"), Value::Unknown]),
                )])]),
            ),
        ])
    }

    #[test]
    fn accessors() {
        let v = sample();
        assert_eq!(v.attr("name").as_str(), Some("proj"));
        assert_eq!(v.attr("count").as_i64(), Some(3));
        assert_eq!(v.attr("enabled").as_bool(), Some(true));
        assert!(v.attr("missing").is_null());
        assert!(Value::string("x").attr("a").is_null());
        assert_eq!(v.attr("vpc").elements().len(), 1);
        assert!(Value::Null.elements().is_empty());
        assert!(v.is_known());
        assert!(!v.is_wholly_known());
        assert!(Value::Unknown.is_unknown());
        let d = Value::Dynamic(Type::String, Box::new(Value::string("s")));
        assert_eq!(d.as_str(), Some("s"));
        assert_eq!(Value::from(5).as_i64(), Some(5));
    }

    #[test]
    fn get_path_walks_all_step_kinds() {
        let v = sample();
        let p = AttributePath::root()
            .attr("vpc")
            .index(0)
            .attr("subnets")
            .index(1);
        assert_eq!(v.get_path(&p), Some(&Value::Unknown));
        let p = AttributePath::root().attr("tags").key("env");
        assert_eq!(v.get_path(&p), Some(&Value::string("dev")));
        assert_eq!(v.get_path(&AttributePath::root()), Some(&v));
        for bad in [
            AttributePath::root().attr("tags").key("nope"),
            AttributePath::root().attr("vpc").index(5),
            AttributePath::root().attr("vpc").index(-1),
            AttributePath::root().attr("tags").attr("env"),
            AttributePath::root().attr("name").attr("x"),
        ] {
            assert_eq!(v.get_path(&bad), None, "{bad}");
        }
    }

    fn schema() -> Type {
        Type::object([
            ("name", Type::String),
            ("count", Type::Number),
            ("enabled", Type::Bool),
            ("tags", Type::map(Type::String)),
            (
                "vpc",
                Type::list(Type::object([("subnets", Type::list(Type::String))])),
            ),
            ("extra", Type::set(Type::String)),
        ])
    }

    #[test]
    fn conform_fills_missing_attributes() {
        let v = sample().conform(&schema()).unwrap();
        assert_eq!(v.attr("extra"), &Value::Null);
        assert!(v.as_map().unwrap().contains_key("extra"));
        assert_eq!(Value::Null.conform(&schema()).unwrap(), Value::Null);
        assert_eq!(
            Value::Unknown.conform(&Type::String).unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn conform_errors_name_the_path() {
        let mut v = sample();
        if let Value::Object(m) = &mut v {
            m.insert(
                "vpc".into(),
                Value::List(vec![Value::object([(
                    "subnets",
                    Value::List(vec![Value::Bool(true)]),
                )])]),
            );
        }
        let err = v.conform(&schema()).unwrap_err();
        assert_eq!(err.path().to_string(), "vpc[0].subnets[0]");
        assert_eq!(
            err.to_string(),
            "at vpc[0].subnets[0]: string is required, found bool"
        );

        let err = Value::object([("bogus", Value::Null)])
            .conform(&schema())
            .unwrap_err();
        assert_eq!(err.to_string(), "at root: unsupported attribute \"bogus\"");

        let tup = Type::tuple([Type::String]);
        let err = Value::Tuple(vec![]).conform(&tup).unwrap_err();
        assert!(matches!(
            err,
            CodecError::TupleLength {
                expected: 1,
                found: 0,
                ..
            }
        ));
        let err = Value::string("x").conform(&Type::Dynamic).unwrap_err();
        assert!(err.to_string().contains("dynamic is required"), "{err}");
    }

    #[test]
    fn conform_dynamic_wrappers() {
        let d = Value::Dynamic(Type::list(Type::String), Box::new(Value::List(vec![])));
        assert_eq!(d.clone().conform(&Type::Dynamic).unwrap(), d);
        // Same type as the slot: unwrapped.
        let ok = d.clone().conform(&Type::list(Type::String)).unwrap();
        assert_eq!(ok, Value::List(vec![]));
        assert!(d.conform(&Type::list(Type::Number)).is_err());
        let bad = Value::Dynamic(Type::Number, Box::new(Value::string("x")));
        assert!(bad.conform(&Type::Dynamic).is_err());
    }

    #[test]
    fn all_null_builds_present_object() {
        let v = Value::all_null(&Type::object([("a", Type::String), ("b", Type::Bool)]));
        assert_eq!(v, Value::object([("a", Value::Null), ("b", Value::Null)]));
        assert_eq!(Value::all_null(&Type::String), Value::Null);
    }
}
