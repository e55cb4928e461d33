//! Plan and validation helpers every resource gets for free: rejecting provider-set attributes
//! in configuration, running validators on known values only, filling defaults, marking
//! computed attributes unknown when apply will decide them, and finding `requires_replace`.

use crate::framework::diagnostics::Diagnostics;
use crate::framework::schema::{Block, Mode, Nesting};
use crate::value::{AttributePath, Value};

/// Validates a configuration object against `block`. Unknown values are never an error:
/// they are checked again at apply time, when they are known.
pub fn validate_config(
    block: &Block,
    config: &Value,
    path: &AttributePath,
    diags: &mut Diagnostics,
) {
    if !config.is_known() || config.is_null() {
        return;
    }
    for attribute in &block.attributes {
        let value = config.attr(&attribute.name);
        let at = path.clone().attr(&attribute.name);
        if attribute.mode == Mode::Computed && !value.is_null() {
            diags.attribute_error(
                at,
                "Value Set For A Provider-Computed Attribute",
                format!(
                    "The value of \"{}\" is decided by the provider and cannot be set in \
                     configuration. Remove it; read it as an attribute of the resource instead.",
                    attribute.name
                ),
            );
            continue;
        }
        if value.is_wholly_known() && !value.is_null() {
            for validator in &attribute.validators {
                validator.check(value, &at, diags);
            }
        }
    }
    for nested in &block.blocks {
        let value = config.attr(&nested.name);
        let at = path.clone().attr(&nested.name);
        match nested.nesting {
            Nesting::Single | Nesting::Group => validate_config(&nested.block, value, &at, diags),
            Nesting::Map => {
                for (key, element) in value.as_map().into_iter().flatten() {
                    validate_config(&nested.block, element, &at.clone().key(key), diags);
                }
            }
            Nesting::List => {
                for (i, element) in value.elements().iter().enumerate() {
                    validate_config(&nested.block, element, &at.clone().index(i as i64), diags);
                }
            }
            // Set elements cannot be addressed; report against the block itself.
            Nesting::Set => {
                for element in value.elements() {
                    validate_config(&nested.block, element, &at, diags);
                }
            }
        }
    }
}

/// Computes the framework's plan from Terraform's proposed new state. `prior` is null on
/// create. The result keeps every configured value and decides only provider-set ones.
pub fn plan_object(block: &Block, prior: &Value, proposed: &Value, config: &Value) -> Value {
    if proposed.is_null() || !proposed.is_known() {
        return proposed.clone();
    }
    let creating = prior.is_null();
    let mut out = std::collections::BTreeMap::new();
    for attribute in &block.attributes {
        let name = attribute.name.as_str();
        let proposed_value = proposed.attr(name);
        let configured = config.attr(name);
        let planned = match attribute.mode {
            Mode::Computed if creating => Value::Unknown,
            Mode::OptionalComputed if configured.is_null() => match &attribute.default {
                Some(default) => default.clone(),
                None if creating => Value::Unknown,
                None => prior.attr(name).clone(),
            },
            _ => proposed_value.clone(),
        };
        out.insert(attribute.name.clone(), planned);
    }
    for nested in &block.blocks {
        let name = nested.name.as_str();
        let (p, v, c) = (prior.attr(name), proposed.attr(name), config.attr(name));
        let planned = match nested.nesting {
            // Terraform proposes the prior block when the configuration removed it; the plan
            // must follow the configuration, or Terraform rejects it ("planned for existence
            // but config wants absence") and the block can never be removed.
            Nesting::Single if c.is_null() => Value::Null,
            Nesting::Single | Nesting::Group => plan_object(&nested.block, p, v, c),
            Nesting::Map if v.is_known() && !v.is_null() => {
                let elements = v
                    .as_map()
                    .into_iter()
                    .flatten()
                    .map(|(key, e)| {
                        let prior_e = p.as_map().and_then(|m| m.get(key)).unwrap_or(&Value::Null);
                        let config_e = c.as_map().and_then(|m| m.get(key)).unwrap_or(&Value::Null);
                        (
                            key.clone(),
                            plan_object(&nested.block, prior_e, e, config_e),
                        )
                    })
                    .collect();
                Value::Map(elements)
            }
            Nesting::List if v.is_known() && !v.is_null() => {
                let elements = v
                    .elements()
                    .iter()
                    .enumerate()
                    .map(|(i, e)| {
                        let prior_e = p.elements().get(i).unwrap_or(&Value::Null);
                        let config_e = c.elements().get(i).unwrap_or(&Value::Null);
                        plan_object(&nested.block, prior_e, e, config_e)
                    })
                    .collect();
                Value::List(elements)
            }
            _ => v.clone(),
        };
        out.insert(nested.name.clone(), planned);
    }
    Value::Object(out)
}

/// Paths of force-new attributes and blocks whose planned value differs from the prior one.
/// A provider-filled value the configuration leaves unset never forces replacement: only a
/// change the user made does.
pub fn requires_replace(
    block: &Block,
    prior: &Value,
    planned: &Value,
    config: &Value,
) -> Vec<AttributePath> {
    let mut paths = Vec::new();
    if prior.is_null() || planned.is_null() {
        return paths;
    }
    let user_set = |a: &&crate::framework::schema::Attribute| {
        !a.is_computed() || !config.attr(&a.name).is_null()
    };
    for attribute in block
        .attributes
        .iter()
        .filter(|a| a.force_new)
        .filter(user_set)
    {
        let (before, after) = (prior.attr(&attribute.name), planned.attr(&attribute.name));
        if !after.is_wholly_known() || before != after {
            paths.push(AttributePath::root().attr(&attribute.name));
        }
    }
    for nested in block.blocks.iter().filter(|b| b.force_new) {
        let (before, after) = (prior.attr(&nested.name), planned.attr(&nested.name));
        if !after.is_wholly_known() || before != after {
            paths.push(AttributePath::root().attr(&nested.name));
        }
    }
    paths
}

/// Replaces every unknown with null. State must be wholly known; this is the last guard
/// before a result goes back to Terraform (the caller reports it as a provider bug).
pub fn unknowns_to_null(value: Value) -> Value {
    match value {
        Value::Unknown => Value::Null,
        Value::List(v) => Value::List(v.into_iter().map(unknowns_to_null).collect()),
        Value::Set(v) => Value::Set(v.into_iter().map(unknowns_to_null).collect()),
        Value::Tuple(v) => Value::Tuple(v.into_iter().map(unknowns_to_null).collect()),
        Value::Map(m) => Value::Map(
            m.into_iter()
                .map(|(k, v)| (k, unknowns_to_null(v)))
                .collect(),
        ),
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (k, unknowns_to_null(v)))
                .collect(),
        ),
        Value::Dynamic(t, v) => Value::Dynamic(t, Box::new(unknowns_to_null(*v))),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::{Attribute, NestedBlock};
    use crate::value::Type;

    fn block() -> Block {
        Block::new("")
            .attribute(Attribute::required("name", Type::String, "").force_new())
            .attribute(Attribute::computed("arn", Type::String, ""))
            .attribute(Attribute::optional("depth", Type::Number, "").default(Value::number_i64(1)))
            .attribute(Attribute::optional_computed("label", Type::String, ""))
            .block(NestedBlock::single(
                "env",
                Block::new("").attribute(
                    Attribute::optional("size", Type::String, "").default(Value::string("small")),
                ),
            ))
    }

    fn obj(name: &str, arn: Value, depth: Value, label: Value, env: Value) -> Value {
        Value::object([
            ("name", Value::string(name)),
            ("arn", arn),
            ("depth", depth),
            ("label", label),
            ("env", env),
        ])
    }

    #[test]
    fn create_marks_computed_unknown_and_fills_defaults() {
        let config = obj(
            "a",
            Value::Null,
            Value::Null,
            Value::Null,
            Value::object([("size", Value::Null)]),
        );
        let planned = plan_object(&block(), &Value::Null, &config, &config);
        assert_eq!(planned.attr("arn"), &Value::Unknown);
        assert_eq!(planned.attr("depth"), &Value::number_i64(1));
        assert_eq!(planned.attr("label"), &Value::Unknown);
        assert_eq!(planned.attr("env").attr("size"), &Value::string("small"));
    }

    #[test]
    fn update_keeps_prior_computed_values_and_flags_force_new() {
        let prior = obj(
            "a",
            Value::string("arn:1"),
            Value::number_i64(1),
            Value::string("l"),
            Value::Null,
        );
        let config = obj("b", Value::Null, Value::Null, Value::Null, Value::Null);
        let proposed = obj(
            "b",
            Value::string("arn:1"),
            Value::number_i64(1),
            Value::string("l"),
            Value::Null,
        );
        let planned = plan_object(&block(), &prior, &proposed, &config);
        assert_eq!(planned.attr("arn"), &Value::string("arn:1"));
        assert_eq!(planned.attr("label"), &Value::string("l"));
        let paths = requires_replace(&block(), &prior, &planned, &config);
        assert_eq!(paths, vec![AttributePath::root().attr("name")]);
    }

    #[test]
    fn computed_only_attribute_in_config_is_an_error_with_its_path() {
        let config = obj(
            "a",
            Value::string("x"),
            Value::Null,
            Value::Null,
            Value::Null,
        );
        let mut diags = Diagnostics::default();
        validate_config(&block(), &config, &AttributePath::root(), &mut diags);
        assert!(diags.has_errors());
        assert_eq!(
            diags.0[0].attribute,
            Some(AttributePath::root().attr("arn"))
        );
    }

    #[test]
    fn unknowns_become_null() {
        let v = Value::object([
            ("a", Value::Unknown),
            ("b", Value::List(vec![Value::Unknown])),
        ]);
        let cleaned = unknowns_to_null(v);
        assert!(cleaned.is_wholly_known());
        assert_eq!(cleaned.attr("a"), &Value::Null);
    }

    fn keyed_block() -> Block {
        let inner = Block::new("").attribute(
            Attribute::optional("port", Type::Number, "")
                .default(Value::number_i64(80))
                .validate(|v, p, d| {
                    if v.as_i64().is_some_and(|n| n < 0) {
                        d.attribute_error(p.clone(), "Negative Port", "");
                    }
                }),
        );
        Block::new("")
            .block(NestedBlock::map("rule", inner.clone()))
            .block(NestedBlock::group("settings", inner))
    }

    #[test]
    fn map_and_group_blocks_are_planned_per_element() {
        let rule = |port: Value| Value::object([("port", port)]);
        let config = Value::object([
            (
                "rule",
                Value::Map([("a".to_string(), rule(Value::Null))].into()),
            ),
            ("settings", rule(Value::Null)),
        ]);
        let planned = plan_object(&keyed_block(), &Value::Null, &config, &config);
        let rules = planned.attr("rule").as_map().unwrap();
        assert_eq!(rules["a"].attr("port"), &Value::number_i64(80));
        assert_eq!(
            planned.attr("settings").attr("port"),
            &Value::number_i64(80)
        );
    }

    #[test]
    fn map_block_diagnostics_name_the_key() {
        let config = Value::object([
            (
                "rule",
                Value::Map(
                    [(
                        "web".to_string(),
                        Value::object([("port", Value::number_i64(-1))]),
                    )]
                    .into(),
                ),
            ),
            ("settings", Value::object([("port", Value::Null)])),
        ]);
        let mut diags = Diagnostics::default();
        validate_config(&keyed_block(), &config, &AttributePath::root(), &mut diags);
        let expected = AttributePath::root().attr("rule").key("web").attr("port");
        assert_eq!(diags.0[0].attribute, Some(expected));
    }

    #[test]
    fn a_removed_single_block_is_planned_absent_although_terraform_proposes_the_prior() {
        let prior = obj(
            "a",
            Value::string("arn:1"),
            Value::number_i64(1),
            Value::string("l"),
            Value::object([("size", Value::string("large"))]),
        );
        let config = obj("a", Value::Null, Value::Null, Value::Null, Value::Null);
        // Terraform 1.0's proposed value keeps the prior block when the config has none.
        let proposed = prior.clone();
        let planned = plan_object(&block(), &prior, &proposed, &config);
        assert_eq!(planned.attr("env"), &Value::Null);
    }
}
