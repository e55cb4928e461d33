//! JSON codec for `DynamicValue.json` and `RawState.json`, following go-cty's rules.
//!
//! Encoding writes text directly so numbers keep their exact decimal form; decoding
//! parses with serde_json (`arbitrary_precision`, recursion-limited) and then walks
//! the tree guided by the type.

use std::collections::BTreeMap;

use serde_json::Value as J;

use crate::value::error::CodecError;
use crate::value::path::{AttributePath, PathStep};
use crate::value::ty::{push_json_string, Type};
use crate::value::value::{mismatch, Number, Value};
use crate::value::MAX_DEPTH;

/// Encode `v` as JSON for type `ty`. Unknown values (and infinities) are errors.
///
/// Objects are written with every attribute of the type (null where absent), keys
/// sorted; values in `dynamic` slots become `{"value":...,"type":...}`.
pub fn encode(v: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut enc = Encoder {
        out: String::new(),
        path: AttributePath::root(),
        depth: 0,
    };
    enc.value(v, ty)?;
    Ok(enc.out.into_bytes())
}

/// Decode JSON holding a value of type `ty`.
///
/// Missing object attributes become `Null`; keys the type lacks are errors. Like
/// go-cty, primitives are converted leniently: numbers and strings given as JSON
/// strings, strings given as JSON numbers or bools, bools as `"true"`/`"false"`.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let root: J = serde_json::from_slice(bytes).map_err(|e| CodecError::Malformed {
        path: AttributePath::root(),
        message: e.to_string(),
    })?;
    let mut dec = Decoder {
        path: AttributePath::root(),
        depth: 0,
    };
    dec.value(&root, ty)
}

static NULL: Value = Value::Null;

struct Encoder {
    out: String,
    path: AttributePath,
    depth: usize,
}

impl Encoder {
    fn value(&mut self, v: &Value, ty: &Type) -> Result<(), CodecError> {
        if self.depth > MAX_DEPTH {
            return Err(CodecError::TooDeep {
                path: self.path.clone(),
                limit: MAX_DEPTH,
            });
        }
        if matches!(v, Value::Unknown) {
            return Err(CodecError::UnknownInJson {
                path: self.path.clone(),
            });
        }
        if *ty == Type::Dynamic {
            return match v {
                Value::Null => {
                    self.out.push_str("null");
                    Ok(())
                }
                Value::Dynamic(t, inner) => {
                    self.out.push_str("{\"value\":");
                    self.depth += 1;
                    self.value(inner, t)?;
                    self.depth -= 1;
                    self.out.push_str(",\"type\":");
                    self.out.push_str(&t.to_json());
                    self.out.push('}');
                    Ok(())
                }
                other => Err(mismatch(&self.path, ty, other)),
            };
        }
        self.depth += 1;
        let r = self.typed(v, ty);
        self.depth -= 1;
        r
    }

    fn typed(&mut self, v: &Value, ty: &Type) -> Result<(), CodecError> {
        match (ty, v) {
            (_, Value::Null) => self.out.push_str("null"),
            (_, Value::Dynamic(t, inner)) if t == ty => return self.value(inner, ty),
            (Type::Bool, Value::Bool(b)) => self.out.push_str(if *b { "true" } else { "false" }),
            (Type::Number, Value::Number(n)) => self.number(n)?,
            (Type::String, Value::String(s)) => push_json_string(&mut self.out, s),
            (Type::List(et), Value::List(items)) | (Type::Set(et), Value::Set(items)) => {
                self.seq(items, |_| et)?
            }
            (Type::Tuple(ets), Value::Tuple(items)) => {
                if ets.len() != items.len() {
                    return Err(CodecError::TupleLength {
                        path: self.path.clone(),
                        expected: ets.len(),
                        found: items.len(),
                    });
                }
                self.seq(items, |i| &ets[i])?
            }
            (Type::Map(et), Value::Map(entries)) => {
                self.out.push('{');
                for (i, (k, item)) in entries.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    push_json_string(&mut self.out, k);
                    self.out.push(':');
                    self.path.steps.push(PathStep::ElementKeyString(k.clone()));
                    self.value(item, et)?;
                    self.path.steps.pop();
                }
                self.out.push('}');
            }
            (Type::Object { attrs, .. }, Value::Object(given)) => {
                if let Some(extra) = given.keys().find(|k| !attrs.contains_key(*k)) {
                    return Err(CodecError::UnsupportedAttribute {
                        path: self.path.clone(),
                        name: extra.clone(),
                    });
                }
                self.out.push('{');
                for (i, (name, aty)) in attrs.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    push_json_string(&mut self.out, name);
                    self.out.push(':');
                    self.path.steps.push(PathStep::Attribute(name.clone()));
                    self.value(given.get(name).unwrap_or(&NULL), aty)?;
                    self.path.steps.pop();
                }
                self.out.push('}');
            }
            (ty, v) => return Err(mismatch(&self.path, ty, v)),
        }
        Ok(())
    }

    fn seq<'t>(
        &mut self,
        items: &[Value],
        ety: impl Fn(usize) -> &'t Type,
    ) -> Result<(), CodecError> {
        self.out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.path.steps.push(PathStep::ElementKeyInt(i as i64));
            self.value(item, ety(i))?;
            self.path.steps.pop();
        }
        self.out.push(']');
        Ok(())
    }

    fn number(&mut self, n: &Number) -> Result<(), CodecError> {
        // go-cty would emit `+Inf`, which is not JSON; refuse instead of writing junk.
        if n.is_infinite() {
            return Err(CodecError::InvalidNumber {
                path: self.path.clone(),
                text: n.as_str().to_string(),
                reason: "infinity cannot be written as JSON".into(),
            });
        }
        // Canonical text is always a valid JSON number literal.
        self.out.push_str(n.as_str());
        Ok(())
    }
}

struct Decoder {
    path: AttributePath,
    depth: usize,
}

fn json_kind(j: &J) -> &'static str {
    match j {
        J::Null => "null",
        J::Bool(_) => "JSON bool",
        J::Number(_) => "JSON number",
        J::String(_) => "JSON string",
        J::Array(_) => "JSON array",
        J::Object(_) => "JSON object",
    }
}

impl Decoder {
    fn expected(&self, ty: &Type, j: &J) -> CodecError {
        CodecError::TypeMismatch {
            path: self.path.clone(),
            expected: ty.friendly_name(),
            found: json_kind(j).to_string(),
        }
    }

    fn value(&mut self, j: &J, ty: &Type) -> Result<Value, CodecError> {
        if j.is_null() {
            return Ok(Value::Null);
        }
        // serde_json already caps nesting at 128; this guards dynamic re-entry too.
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(CodecError::TooDeep {
                path: self.path.clone(),
                limit: MAX_DEPTH,
            });
        }
        let r = self.typed(j, ty);
        self.depth -= 1;
        r
    }

    fn typed(&mut self, j: &J, ty: &Type) -> Result<Value, CodecError> {
        match (ty, j) {
            (Type::Dynamic, _) => self.dynamic(j),
            (Type::Bool, J::Bool(b)) => Ok(Value::Bool(*b)),
            // cty's string→bool conversion accepts these spellings only.
            (Type::Bool, J::String(s)) => match s.as_str() {
                "true" | "1" => Ok(Value::Bool(true)),
                "false" | "0" => Ok(Value::Bool(false)),
                _ => Err(self.expected(ty, j)),
            },
            (Type::Number, J::Number(n)) => self.number(&n.to_string()),
            (Type::Number, J::String(s)) => self.number(s),
            (Type::String, J::String(s)) => Ok(Value::String(s.clone())),
            // go-cty keeps the number's literal text when a string is wanted.
            (Type::String, J::Number(n)) => Ok(Value::String(n.to_string())),
            (Type::String, J::Bool(b)) => Ok(Value::String(b.to_string())),
            (Type::List(et), J::Array(items)) => self.seq(items, |_| et).map(Value::List),
            (Type::Set(et), J::Array(items)) => self.seq(items, |_| et).map(Value::Set),
            (Type::Tuple(ets), J::Array(items)) => {
                if ets.len() != items.len() {
                    return Err(CodecError::TupleLength {
                        path: self.path.clone(),
                        expected: ets.len(),
                        found: items.len(),
                    });
                }
                self.seq(items, |i| &ets[i]).map(Value::Tuple)
            }
            (Type::Map(et), J::Object(entries)) => {
                let mut out = BTreeMap::new();
                for (k, item) in entries {
                    self.path.steps.push(PathStep::ElementKeyString(k.clone()));
                    let v = self.value(item, et)?;
                    self.path.steps.pop();
                    out.insert(k.clone(), v);
                }
                Ok(Value::Map(out))
            }
            (Type::Object { attrs, .. }, J::Object(entries)) => {
                let mut out = BTreeMap::new();
                for (k, item) in entries {
                    let Some(aty) = attrs.get(k) else {
                        return Err(CodecError::UnsupportedAttribute {
                            path: self.path.clone(),
                            name: k.clone(),
                        });
                    };
                    self.path.steps.push(PathStep::Attribute(k.clone()));
                    let v = self.value(item, aty)?;
                    self.path.steps.pop();
                    out.insert(k.clone(), v);
                }
                // go-cty fills absent attributes with null rather than failing.
                for name in attrs.keys() {
                    out.entry(name.clone()).or_insert(Value::Null);
                }
                Ok(Value::Object(out))
            }
            (ty, j) => Err(self.expected(ty, j)),
        }
    }

    fn number(&self, text: &str) -> Result<Value, CodecError> {
        Number::parse(text)
            .map(Value::Number)
            .map_err(|e| e.at_path(&self.path))
    }

    fn seq<'t>(
        &mut self,
        items: &[J],
        ety: impl Fn(usize) -> &'t Type,
    ) -> Result<Vec<Value>, CodecError> {
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            self.path.steps.push(PathStep::ElementKeyInt(i as i64));
            out.push(self.value(item, ety(i))?);
            self.path.steps.pop();
        }
        Ok(out)
    }

    /// `{"value": ..., "type": ...}`; both keys required, no others allowed.
    fn dynamic(&mut self, j: &J) -> Result<Value, CodecError> {
        let J::Object(obj) = j else {
            return Err(self.expected(&Type::Dynamic, j));
        };
        if let Some(k) = obj.keys().find(|k| *k != "value" && *k != "type") {
            return Err(CodecError::Malformed {
                path: self.path.clone(),
                message: format!("invalid key {k:?} in dynamically-typed value"),
            });
        }
        let missing = |what: &str| CodecError::Malformed {
            path: self.path.clone(),
            message: format!("missing {what} in dynamically-typed value"),
        };
        let tj = obj.get("type").ok_or_else(|| missing("type"))?;
        let vj = obj.get("value").ok_or_else(|| missing("value"))?;
        let t = Type::from_json_value(tj).map_err(|e| e.at_path(&self.path))?;
        let v = self.value(vj, &t)?;
        Ok(Value::Dynamic(t, Box::new(v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::testutil::{arb_type, arb_typed_value};
    use proptest::prelude::*;

    fn enc(v: &Value, ty: &Type) -> String {
        String::from_utf8(encode(v, ty).unwrap()).unwrap()
    }

    fn dec(s: &str, ty: &Type) -> Result<Value, CodecError> {
        decode(s.as_bytes(), ty)
    }

    fn num(s: &str) -> Value {
        Value::Number(Number::parse(s).unwrap())
    }

    fn state_type() -> Type {
        Type::object([
            ("id", Type::String),
            ("name", Type::String),
            ("tags", Type::map(Type::String)),
            ("rule", Type::list(Type::object([("port", Type::Number)]))),
            ("timeouts", Type::object([("create", Type::String)])),
        ])
    }

    #[test]
    fn golden_state_object() {
        let raw =
            r#"{"id":"w-1","name":"a","tags":{"env":"dev"},"rule":[{"port":80}],"timeouts":null}"#;
        let v = dec(raw, &state_type()).unwrap();
        assert_eq!(v.attr("rule").elements()[0].attr("port").as_i64(), Some(80));
        assert!(v.attr("timeouts").is_null());
        // Re-encoded with sorted keys and every attribute.
        assert_eq!(
            enc(&v, &state_type()),
            r#"{"id":"w-1","name":"a","rule":[{"port":80}],"tags":{"env":"dev"},"timeouts":null}"#
        );
    }

    #[test]
    fn missing_attrs_null_extra_keys_error() {
        let v = dec(r#"{"id":"x"}"#, &state_type()).unwrap();
        assert_eq!(v.attr("name"), &Value::Null);
        assert_eq!(v.as_map().unwrap().len(), 5);
        let err = dec(r#"{"id":"x","legacy":1}"#, &state_type()).unwrap_err();
        assert_eq!(err.to_string(), "at root: unsupported attribute \"legacy\"");
        let err = dec(r#"{"rule":[{"port":"eighty"}]}"#, &state_type()).unwrap_err();
        assert_eq!(err.path().to_string(), "rule[0].port");
        let err = dec(r#"{"tags":{"a":[]}}"#, &state_type()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "at tags[\"a\"]: string is required, found JSON array"
        );
    }

    #[test]
    fn numbers_keep_exact_text() {
        let big = "123456789012345678901234567890.000000000000000000001";
        assert_eq!(dec(big, &Type::Number).unwrap(), num(big));
        assert_eq!(enc(&num(big), &Type::Number), big);
        assert_eq!(dec("1.5e3", &Type::Number).unwrap(), num("1500"));
        assert_eq!(
            enc(&num("1180591620717411303424"), &Type::Number),
            "1180591620717411303424"
        );
        assert_eq!(enc(&num("0.1"), &Type::Number), "0.1");
        assert!(encode(&num("+Inf"), &Type::Number).is_err());
    }

    #[test]
    fn lenient_primitives_like_go_cty() {
        assert_eq!(dec(r#""12.50""#, &Type::Number).unwrap(), num("12.5"));
        assert_eq!(dec("12.50", &Type::String).unwrap(), Value::string("12.50"));
        assert_eq!(dec("true", &Type::String).unwrap(), Value::string("true"));
        assert_eq!(dec(r#""false""#, &Type::Bool).unwrap(), Value::Bool(false));
        assert_eq!(dec(r#""1""#, &Type::Bool).unwrap(), Value::Bool(true));
        assert!(dec(r#""yes""#, &Type::Bool).is_err());
        assert!(dec("1", &Type::Bool).is_err());
        assert!(dec(r#""abc""#, &Type::Number).is_err());
        assert!(dec("{}", &Type::String).is_err());
    }

    #[test]
    fn golden_dynamic() {
        let v = Value::Dynamic(
            Type::list(Type::String),
            Box::new(Value::List(vec![Value::string("a")])),
        );
        assert_eq!(
            enc(&v, &Type::Dynamic),
            r#"{"value":["a"],"type":["list","string"]}"#
        );
        assert_eq!(dec(&enc(&v, &Type::Dynamic), &Type::Dynamic).unwrap(), v);
        assert_eq!(enc(&Value::Null, &Type::Dynamic), "null");
        let typed_null = Value::Dynamic(Type::String, Box::new(Value::Null));
        assert_eq!(
            enc(&typed_null, &Type::Dynamic),
            r#"{"value":null,"type":"string"}"#
        );
        // Key order on input does not matter.
        let swapped = r#"{"type":"number","value":5}"#;
        let want = Value::Dynamic(Type::Number, Box::new(num("5")));
        assert_eq!(dec(swapped, &Type::Dynamic).unwrap(), want);
        for bad in [
            r#"{"value":1}"#,
            r#"{"type":"number"}"#,
            r#"{"type":"number","value":1,"x":0}"#,
            r#"{"type":"bogus","value":1}"#,
            "5",
            "[]",
        ] {
            assert!(dec(bad, &Type::Dynamic).is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_values_are_rejected() {
        let ty = Type::object([("a", Type::list(Type::String))]);
        let v = Value::object([("a", Value::List(vec![Value::Unknown]))]);
        let err = encode(&v, &ty).unwrap_err();
        assert_eq!(
            err.to_string(),
            "at a[0]: value is unknown, which JSON cannot represent"
        );
        assert!(encode(&Value::Unknown, &Type::Dynamic).is_err());
    }

    #[test]
    fn tuples_sets_and_malformed_input() {
        let tup = Type::tuple([Type::String, Type::Number]);
        let v = dec(r#"["a",1]"#, &tup).unwrap();
        assert_eq!(v, Value::Tuple(vec![Value::string("a"), num("1")]));
        assert!(matches!(
            dec(r#"["a"]"#, &tup),
            Err(CodecError::TupleLength { .. })
        ));
        let set = Type::set(Type::Bool);
        assert_eq!(
            dec("[true,false]", &set).unwrap(),
            Value::Set(vec![Value::Bool(true), Value::Bool(false)])
        );
        for bad in ["", "[", "[true,]", "[true] x", "\"\\ud800\""] {
            assert!(dec(bad, &set).is_err(), "{bad:?}");
        }
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert!(dec(&deep, &Type::list(Type::list(Type::String))).is_err());
    }

    #[test]
    fn strings_are_escaped() {
        let s = "quote\" back\\ nl\n ctl\u{1} é ☃";
        let out = enc(&Value::string(s), &Type::String);
        assert_eq!(dec(&out, &Type::String).unwrap(), Value::string(s));
        let m = Value::Map([("k\"ey".to_string(), Value::string("v"))].into());
        assert_eq!(enc(&m, &Type::map(Type::String)), r#"{"k\"ey":"v"}"#);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn round_trip((ty, v) in arb_typed_value(false)) {
            let bytes = encode(&v, &ty).unwrap();
            // Whatever we write must be valid JSON.
            prop_assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_ok());
            let back = decode(&bytes, &ty).unwrap();
            prop_assert_eq!(&back, &v);
            prop_assert_eq!(encode(&back, &ty).unwrap(), bytes);
        }

        #[test]
        fn json_and_msgpack_agree((ty, v) in arb_typed_value(false)) {
            let via_json = decode(&encode(&v, &ty).unwrap(), &ty).unwrap();
            let mp = crate::value::msgpack::encode(&v, &ty).unwrap();
            let via_msgpack = crate::value::msgpack::decode(&mp, &ty).unwrap();
            prop_assert_eq!(via_json, via_msgpack);
        }

        #[test]
        fn random_bytes_never_panic(
            ty in arb_type(),
            bytes in prop::collection::vec(any::<u8>(), 0..256),
        ) {
            let _ = decode(&bytes, &ty);
        }

        #[test]
        fn random_json_text_never_panics(
            ty in arb_type(),
            text in "[\\[\\]{}\",:0-9a-z.eE+-]{0,64}",
        ) {
            let _ = decode(text.as_bytes(), &ty);
        }
    }
}
