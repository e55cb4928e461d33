//! Proptest strategies shared by the codec tests: random types and conforming values.

use proptest::prelude::*;

use crate::value::{Number, Type, Value};

/// Random types up to a few levels deep, including `dynamic`.
pub fn arb_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![
        Just(Type::Bool),
        Just(Type::Number),
        Just(Type::String),
        Just(Type::Dynamic),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map(attr_name(), inner.clone(), 0..4).prop_map(|attrs| {
                Type::Object {
                    attrs,
                    optional: Default::default(),
                }
            }),
            prop::collection::vec(inner, 0..4).prop_map(Type::Tuple),
        ]
    })
}

fn attr_name() -> impl Strategy<Value = String> {
    // Includes non-ASCII and punctuation so key sorting and escaping get exercised.
    prop_oneof!["[a-z_]{1,8}", "[a-zA-Z0-9 \"\\\\é☃]{0,6}"]
}

/// Numbers from several sources: ints, floats, long decimals, big integers.
pub fn arb_number(allow_inf: bool) -> BoxedStrategy<Number> {
    let base = prop_oneof![
        any::<i64>().prop_map(Number::from_i64),
        any::<f64>().prop_filter_map("finite", |f| {
            if f.is_finite() {
                Number::from_f64(f)
            } else {
                None
            }
        }),
        "-?[0-9]{1,40}(\\.[0-9]{1,30})?".prop_map(|s| Number::parse(&s).unwrap()),
        (1u32..1000).prop_map(|k| Number::parse(&format!("{k}e25")).unwrap()),
    ];
    if allow_inf {
        prop_oneof![
            9 => base,
            1 => prop_oneof![Just(f64::INFINITY), Just(f64::NEG_INFINITY)]
                .prop_map(|f| Number::from_f64(f).unwrap()),
        ]
        .boxed()
    } else {
        base.boxed()
    }
}

/// A value conforming to `ty`. With `unknowns`, `Unknown` may appear at any depth.
pub fn arb_value(ty: &Type, unknowns: bool) -> BoxedStrategy<Value> {
    let concrete = concrete_value(ty, unknowns);
    if unknowns {
        prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 6 => concrete].boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 6 => concrete].boxed()
    }
}

fn concrete_value(ty: &Type, unknowns: bool) -> BoxedStrategy<Value> {
    match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => arb_number(unknowns).prop_map(Value::Number).boxed(),
        Type::String => ".{0,12}".prop_map(Value::String).boxed(),
        Type::Dynamic => {
            // Keep the carried type shallow so generation stays finite.
            let shallow = prop_oneof![
                Just(Type::Bool),
                Just(Type::Number),
                Just(Type::String),
                Just(Type::list(Type::String)),
                Just(Type::object([("a", Type::Number), ("b", Type::Dynamic)])),
            ];
            shallow
                .prop_flat_map(move |t| {
                    let v = if t == Type::Dynamic {
                        Just(Value::Null).boxed()
                    } else {
                        arb_value(&t, unknowns)
                    };
                    v.prop_map(move |v| Value::Dynamic(t.clone(), Box::new(v)))
                })
                .boxed()
        }
        Type::List(et) => prop::collection::vec(arb_value(et, unknowns), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(et) => prop::collection::vec(arb_value(et, unknowns), 0..4)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(et) => prop::collection::btree_map(attr_name(), arb_value(et, unknowns), 0..4)
            .prop_map(Value::Map)
            .boxed(),
        Type::Tuple(ets) => ets
            .iter()
            .map(|t| arb_value(t, unknowns))
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
        Type::Object { attrs, .. } => attrs
            .iter()
            .map(|(k, t)| {
                let k = k.clone();
                arb_value(t, unknowns).prop_map(move |v| (k.clone(), v))
            })
            .collect::<Vec<_>>()
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
            .boxed(),
    }
}

/// A type together with a conforming value.
pub fn arb_typed_value(unknowns: bool) -> impl Strategy<Value = (Type, Value)> {
    arb_type().prop_flat_map(move |t| {
        let v = arb_value(&t, unknowns);
        (Just(t), v)
    })
}
