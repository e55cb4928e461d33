//! Plan and validation helpers every resource gets for free: rejecting provider-set attributes
//! in configuration, running validators on known values only, filling defaults, marking
//! computed attributes unknown when apply will decide them, and finding `requires_replace`.
//! Nested attributes (protocol 6) and nested blocks are walked alike: both hold objects
//! repeated by a nesting mode, visited one element at a time.

use crate::framework::diagnostics::Diagnostics;
use crate::framework::schema::{Attribute, Block, Mode, Nesting};
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
        let at = path.clone().attr(&attribute.name);
        validate_attribute(attribute, config.attr(&attribute.name), &at, diags);
    }
    for nested in &block.blocks {
        let value = config.attr(&nested.name);
        let at = path.clone().attr(&nested.name);
        for element in elements(nested.nesting, &nested.block, Pair::config(value), &at) {
            validate_config(&nested.block, element.values.value, &element.path, diags);
        }
    }
}

fn validate_attribute(
    attribute: &Attribute,
    value: &Value,
    at: &AttributePath,
    diags: &mut Diagnostics,
) {
    if attribute.mode == Mode::Computed && !value.is_null() {
        diags.attribute_error(
            at.clone(),
            "Value Set For A Provider-Computed Attribute",
            format!(
                "The value of \"{}\" is decided by the provider and cannot be set in \
                 configuration. Remove it; read it as an attribute of the resource instead.",
                attribute.name
            ),
        );
        return;
    }
    if value.is_wholly_known() && !value.is_null() {
        for validator in &attribute.validators {
            validator.check(value, at, diags);
        }
    }
    let Some(nested) = attribute.nested_attributes() else {
        return;
    };
    let object = nested.object();
    for element in elements(nested.nesting().into(), object, Pair::config(value), at) {
        require_attributes(object, element.values.value, &element.path, diags);
        validate_config(object, element.values.value, &element.path, diags);
    }
}

/// Terraform checks that required attributes of a nested object are present, but an explicit
/// `null` passes its type check; the provider reports it.
fn require_attributes(
    block: &Block,
    object: &Value,
    path: &AttributePath,
    diags: &mut Diagnostics,
) {
    if !object.is_known() || object.is_null() {
        return;
    }
    let missing = block
        .attributes
        .iter()
        .filter(|a| a.mode == Mode::Required && object.attr(&a.name).is_null());
    for attribute in missing {
        diags.attribute_error(
            path.clone().attr(&attribute.name),
            "Missing Required Attribute",
            format!(
                "\"{}\" is required in each object of this attribute and cannot be null. Set a \
                 value.",
                attribute.name
            ),
        );
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
        let (p, v, c) = (prior.attr(name), proposed.attr(name), config.attr(name));
        out.insert(
            name.to_string(),
            plan_attribute(attribute, creating, p, v, c),
        );
    }
    for nested in &block.blocks {
        let name = nested.name.as_str();
        let (p, v, c) = (prior.attr(name), proposed.attr(name), config.attr(name));
        let planned = match nested.nesting {
            // Terraform proposes the prior block when the configuration removed it; the plan
            // must follow the configuration, or Terraform rejects it ("planned for existence
            // but config wants absence") and the block can never be removed.
            Nesting::Single if c.is_null() => Value::Null,
            nesting => plan_elements(nesting, &nested.block, p, v, c),
        };
        out.insert(name.to_string(), planned);
    }
    Value::Object(out)
}

fn plan_attribute(
    attribute: &Attribute,
    creating: bool,
    prior: &Value,
    proposed: &Value,
    configured: &Value,
) -> Value {
    match (attribute.mode, attribute.nested_attributes()) {
        (Mode::Computed, _) if creating => Value::Unknown,
        // Terraform proposes the prior value here, but not always inside nested attributes
        // (set elements come from configuration alone); the prior object is the source.
        (Mode::Computed, _) => prior.clone(),
        (Mode::OptionalComputed, _) if configured.is_null() => match &attribute.default {
            Some(default) => default.clone(),
            None if creating => Value::Unknown,
            None => prior.clone(),
        },
        // A configured nested attribute: decide the provider-set attributes of each object.
        (_, Some(nested)) if !configured.is_null() => plan_elements(
            nested.nesting().into(),
            nested.object(),
            prior,
            proposed,
            configured,
        ),
        _ => proposed.clone(),
    }
}

/// Plans each object of a nested block or nested attribute value, keeping its shape.
fn plan_elements(
    nesting: Nesting,
    block: &Block,
    prior: &Value,
    proposed: &Value,
    config: &Value,
) -> Value {
    // Terraform 1.0 pairs a configured set element with a prior one by its attributes
    // without defaults, so it may propose a prior value where the configuration left a
    // default, or fold two configured elements into one proposed element. Set elements are
    // therefore planned from the configuration, each with its own prior partner.
    let proposed = if nesting == Nesting::Set {
        config
    } else {
        proposed
    };
    if !proposed.is_known() || proposed.is_null() {
        return proposed.clone();
    }
    let values = Pair {
        prior,
        value: proposed,
        config,
    };
    let mut planned = elements(nesting, block, values, &AttributePath::root())
        .into_iter()
        .map(|e| plan_object(block, e.values.prior, e.values.value, e.values.config));
    match nesting {
        Nesting::Single | Nesting::Group => planned.next().unwrap_or(Value::Null),
        Nesting::List => Value::List(planned.collect()),
        Nesting::Set => Value::Set(planned.collect()),
        Nesting::Map => {
            let keys = proposed
                .as_map()
                .into_iter()
                .flatten()
                .map(|(k, _)| k.clone());
            Value::Map(keys.zip(planned).collect())
        }
    }
}

/// Paths of force-new attributes and blocks whose planned value differs from the prior one,
/// at any depth. A provider-filled value the configuration leaves unset never forces
/// replacement: only a change the user made does.
pub fn requires_replace(
    block: &Block,
    prior: &Value,
    planned: &Value,
    config: &Value,
) -> Vec<AttributePath> {
    let mut paths = Vec::new();
    // Creating or destroying the resource replaces nothing.
    if prior.is_null() || planned.is_null() {
        return paths;
    }
    let values = Pair {
        prior,
        value: planned,
        config,
    };
    replace_paths(block, values, &AttributePath::root(), &mut paths);
    paths
}

/// Inside an object added (null prior) or removed (null value), every force-new attribute
/// that holds a value counts as changed, as in HashiCorp's SDKs.
fn replace_paths(block: &Block, values: Pair, at: &AttributePath, paths: &mut Vec<AttributePath>) {
    if values.prior.is_null() && values.value.is_null() {
        return;
    }
    let changed =
        |before: &Value, after: &Value| !after.is_wholly_known() || !before.same_as(after);
    for attribute in &block.attributes {
        let here = values.attr(&attribute.name);
        let user_set = !attribute.is_computed() || !here.config.is_null();
        let path = at.clone().attr(&attribute.name);
        if attribute.force_new {
            if user_set && changed(here.prior, here.value) {
                paths.push(path);
            }
        } else if let Some(nested) = attribute.nested_attributes() {
            let nesting = nested.nesting().into();
            replace_in_elements(nesting, nested.object(), here, &path, paths);
        }
    }
    for nested in &block.blocks {
        let here = values.attr(&nested.name);
        let path = at.clone().attr(&nested.name);
        if nested.force_new {
            if changed(here.prior, here.value) {
                paths.push(path);
            }
        } else {
            replace_in_elements(nested.nesting, &nested.block, here, &path, paths);
        }
    }
}

/// Objects of a nested value looked into for force-new attributes: the planned ones (with
/// a null prior when added) and the removed ones. An added or removed object is reported by
/// the paths of its force-new attributes, not by its own path: that is the path HashiCorp's
/// SDKs report, and Terraform marks the attribute's line inside the added or removed block
/// as the one forcing replacement. A path cannot name a set element, so a change inside a
/// set is reported at the set's own path, as the SDKs do.
fn replace_in_elements(
    nesting: Nesting,
    block: &Block,
    values: Pair,
    at: &AttributePath,
    paths: &mut Vec<AttributePath>,
) {
    if !values.value.is_known() {
        return;
    }
    let mut found = Vec::new();
    let pairs = elements(nesting, block, values, at);
    for element in &pairs {
        replace_paths(block, element.values, &element.path, &mut found);
    }
    let mut gone = removed(nesting, values.prior, values.value, at);
    if nesting == Nesting::Set {
        // Prior elements no planned element was paired with.
        let kept: Vec<&Value> = pairs.iter().map(|e| e.values.prior).collect();
        let prior = values.prior.elements().iter();
        let unpaired = prior.filter(|p| !kept.iter().any(|k| std::ptr::eq(*k, *p)));
        gone.extend(unpaired.map(|p| (at.clone(), p)));
    }
    for (path, prior) in gone {
        let gone = Pair {
            prior,
            value: &Value::Null,
            config: &Value::Null,
        };
        replace_paths(block, gone, &path, &mut found);
    }
    if nesting == Nesting::Set && !found.is_empty() {
        paths.push(at.clone());
    } else {
        paths.extend(found);
    }
}

/// The objects of `prior` that `value` no longer has, with their paths: a single object
/// that became null, list elements past the new length, map elements whose key is gone.
fn removed<'a>(
    nesting: Nesting,
    prior: &'a Value,
    value: &Value,
    at: &AttributePath,
) -> Vec<(AttributePath, &'a Value)> {
    if prior.is_null() || !prior.is_known() {
        return Vec::new();
    }
    match nesting {
        Nesting::Single | Nesting::Group if value.is_null() => vec![(at.clone(), prior)],
        Nesting::Single | Nesting::Group | Nesting::Set => Vec::new(),
        Nesting::List => {
            let kept = value.elements().len();
            let items = prior.elements().iter().enumerate().skip(kept);
            items
                .map(|(i, v)| (at.clone().index(i as i64), v))
                .collect()
        }
        Nesting::Map => {
            let entries = prior.as_map().into_iter().flatten();
            let kept = |k: &str| value.as_map().is_some_and(|m| m.contains_key(k));
            entries
                .filter(|(k, _)| !kept(k))
                .map(|(k, v)| (at.clone().key(k), v))
                .collect()
        }
    }
}

/// One value with its counterparts in the prior state and the configuration (null when
/// there is none).
#[derive(Clone, Copy)]
struct Pair<'a> {
    prior: &'a Value,
    value: &'a Value,
    config: &'a Value,
}

impl<'a> Pair<'a> {
    /// A configuration value on its own, for validation.
    fn config(value: &'a Value) -> Self {
        Self {
            prior: &Value::Null,
            value,
            config: value,
        }
    }

    fn attr(&self, name: &str) -> Pair<'a> {
        Pair {
            prior: self.prior.attr(name),
            value: self.value.attr(name),
            config: self.config.attr(name),
        }
    }
}

/// One object inside a nested value, with the path Terraform uses for it.
struct Element<'a> {
    path: AttributePath,
    values: Pair<'a>,
}

/// The objects of a nested block or nested attribute value, in order. Map and list
/// elements meet their prior and configured counterparts by key or index; set elements by
/// [`partners`], each counterpart used at most once, and carry the set's own path (a path
/// cannot name one).
fn elements<'a>(
    nesting: Nesting,
    block: &Block,
    values: Pair<'a>,
    at: &AttributePath,
) -> Vec<Element<'a>> {
    let Pair {
        prior,
        value,
        config,
    } = values;
    if !value.is_known() || value.is_null() {
        return Vec::new();
    }
    let element = |path, prior, value, config| Element {
        path,
        values: Pair {
            prior,
            value,
            config,
        },
    };
    match nesting {
        Nesting::Single | Nesting::Group => vec![element(at.clone(), prior, value, config)],
        Nesting::Map => {
            let by_key = |v: &'a Value, key: &str| {
                v.as_map().and_then(|m| m.get(key)).unwrap_or(&Value::Null)
            };
            let entries = value.as_map().into_iter().flatten();
            entries
                .map(|(k, v)| element(at.clone().key(k), by_key(prior, k), v, by_key(config, k)))
                .collect()
        }
        Nesting::List => {
            let by_index = |v: &'a Value, i: usize| v.elements().get(i).unwrap_or(&Value::Null);
            let items = value.elements().iter().enumerate();
            items
                .map(|(i, v)| {
                    element(
                        at.clone().index(i as i64),
                        by_index(prior, i),
                        v,
                        by_index(config, i),
                    )
                })
                .collect()
        }
        Nesting::Set => {
            let items: Vec<&'a Value> = value.elements().iter().collect();
            let rules = [Rule::Equal, Rule::Same, Rule::Settings];
            let configs = partners(block, config.elements(), &items, &rules);
            // The prior partner is found from the configured element, as Terraform does.
            let wanted: Vec<&'a Value> = items
                .iter()
                .zip(&configs)
                .map(|(v, c)| if c.is_null() { *v } else { *c })
                .collect();
            let priors = partners(block, prior.elements(), &wanted, &rules[1..]);
            let paired = items.into_iter().zip(priors).zip(configs);
            paired
                .map(|((v, p), c)| element(at.clone(), p, v, c))
                .collect()
        }
    }
}

/// When a candidate set element counts as the partner of a wanted one.
#[derive(Clone, Copy, PartialEq)]
enum Rule {
    /// The very same value.
    Equal,
    /// The same element as before: every attribute the configuration decides is equal,
    /// an attribute it leaves to its default holds the default, and nested objects match
    /// by the same rule.
    Same,
    /// Terraform's own rule (`setElementCompareValue`): attributes without a provider part
    /// are equal and the configuration sets none of those with one, whatever the
    /// candidate's provider-set and defaulted values; nested objects match by this rule.
    Settings,
}

/// For each of `wanted`, its partner among `candidates` (null when none), each candidate
/// given at most once: all pairs of the first rule are made before any of the next, so a
/// looser rule never takes the exact partner of a later element. Without the one-use limit,
/// two configured elements that differ only in a defaulted attribute share one partner.
fn partners<'a>(
    block: &Block,
    candidates: &'a [Value],
    wanted: &[&Value],
    rules: &[Rule],
) -> Vec<&'a Value> {
    let mut used = vec![false; candidates.len()];
    let mut found: Vec<Option<&'a Value>> = vec![None; wanted.len()];
    for &rule in rules {
        for (slot, want) in found.iter_mut().zip(wanted) {
            if slot.is_some() {
                continue;
            }
            let free = candidates
                .iter()
                .enumerate()
                .find(|(i, candidate)| !used[*i] && rule_matches(rule, block, candidate, want));
            if let Some((i, candidate)) = free {
                used[i] = true;
                *slot = Some(candidate);
            }
        }
    }
    found
        .into_iter()
        .map(|f| f.unwrap_or(&Value::Null))
        .collect()
}

fn rule_matches(rule: Rule, block: &Block, candidate: &Value, wanted: &Value) -> bool {
    match rule {
        Rule::Equal => candidate == wanted,
        Rule::Same => object_matches(block, candidate, wanted, true),
        Rule::Settings => object_matches(block, candidate, wanted, false),
    }
}

/// Whether the object `prior` may be the earlier state of the configured object `config`
/// ([`Rule::Same`] when `strict`, else [`Rule::Settings`]). An unknown configuration
/// matches nothing: it is not decided yet.
fn object_matches(block: &Block, prior: &Value, config: &Value, strict: bool) -> bool {
    if !prior.is_known() || !config.is_known() {
        return false;
    }
    if prior.is_null() || config.is_null() {
        return prior.is_null() && config.is_null();
    }
    let attributes_match = block.attributes.iter().all(|a| {
        let (p, c) = (prior.attr(&a.name), config.attr(&a.name));
        match a.mode {
            Mode::Computed => true,
            Mode::OptionalComputed if c.is_null() => {
                !strict || a.default.as_ref().is_none_or(|d| d == p)
            }
            Mode::OptionalComputed if !strict => false,
            _ => match a.nested_attributes() {
                Some(nested) => {
                    let nesting = nested.nesting().into();
                    nested_matches(nesting, nested.object(), p, c, strict)
                }
                None => p == c,
            },
        }
    });
    attributes_match
        && block.blocks.iter().all(|b| {
            let (p, c) = (prior.attr(&b.name), config.attr(&b.name));
            nested_matches(b.nesting, &b.block, p, c, strict)
        })
}

/// [`object_matches`] for every object of a nested value, in its nesting mode.
fn nested_matches(
    nesting: Nesting,
    block: &Block,
    prior: &Value,
    config: &Value,
    strict: bool,
) -> bool {
    if !prior.is_known() || !config.is_known() {
        return false;
    }
    if prior.is_null() || config.is_null() {
        return prior.is_null() && config.is_null();
    }
    let each = |p: &Value, c: &Value| object_matches(block, p, c, strict);
    match nesting {
        Nesting::Single | Nesting::Group => each(prior, config),
        Nesting::List => {
            let (p, c) = (prior.elements(), config.elements());
            p.len() == c.len() && p.iter().zip(c).all(|(p, c)| each(p, c))
        }
        Nesting::Map => match (prior.as_map(), config.as_map()) {
            (Some(p), Some(c)) => {
                p.len() == c.len() && c.iter().all(|(k, c)| p.get(k).is_some_and(|p| each(p, c)))
            }
            _ => false,
        },
        Nesting::Set => {
            let wanted: Vec<&Value> = config.elements().iter().collect();
            let rule = if strict { Rule::Same } else { Rule::Settings };
            prior.elements().len() == wanted.len()
                && partners(block, prior.elements(), &wanted, &[rule])
                    .iter()
                    .all(|p| !p.is_null())
        }
    }
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
    use crate::framework::test_provider::nested_schema;
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

    fn endpoint(host: &str, port: i64, arn: Value, zone: Value) -> Value {
        Value::object([
            ("host", Value::string(host)),
            ("port", Value::number_i64(port)),
            ("arn", arn),
            ("zone", zone),
            ("token", Value::Null),
        ])
    }

    fn nested_value(one: Value, many: Vec<Value>, unique: Vec<Value>, named: Value) -> Value {
        Value::object([
            ("one", one),
            ("many", Value::List(many)),
            ("unique", Value::Set(unique)),
            ("named", named),
            ("derived", Value::Null),
        ])
    }

    #[test]
    fn nested_attribute_diagnostics_name_the_index_or_key() {
        let ok = endpoint("a", 1, Value::Null, Value::Null);
        let mut missing = ok.clone();
        if let Value::Object(attrs) = &mut missing {
            attrs.insert("host".into(), Value::Null);
        }
        let config = nested_value(
            endpoint("a", 1, Value::string("set by user"), Value::Null),
            vec![ok.clone(), missing],
            vec![endpoint("bad", 2, Value::Null, Value::Null)],
            Value::Map([("web".into(), endpoint("bad", 3, Value::Null, Value::Null))].into()),
        );
        let mut diags = Diagnostics::default();
        validate_config(
            &nested_schema(),
            &config,
            &AttributePath::root(),
            &mut diags,
        );
        let found: Vec<_> = diags
            .iter()
            .map(|d| (d.summary.as_str(), d.attribute.clone().unwrap().to_string()))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    "Value Set For A Provider-Computed Attribute",
                    "one.arn".into()
                ),
                ("Missing Required Attribute", "many[1].host".into()),
                ("Bad Host", "unique.host".into()),
                ("Bad Host", "named[\"web\"].host".into()),
            ]
        );
    }

    #[test]
    fn an_unknown_nested_attribute_is_not_validated_yet() {
        let config = nested_value(Value::Unknown, vec![Value::Unknown], vec![], Value::Unknown);
        let mut diags = Diagnostics::default();
        validate_config(
            &nested_schema(),
            &config,
            &AttributePath::root(),
            &mut diags,
        );
        assert!(diags.0.is_empty(), "{diags:?}");
    }

    #[test]
    fn create_marks_computed_attributes_inside_nested_attributes_unknown() {
        let config = nested_value(
            Value::Null,
            vec![endpoint("a", 1, Value::Null, Value::string("z1"))],
            vec![endpoint("b", 2, Value::Null, Value::Null)],
            Value::Map([("web".into(), endpoint("c", 3, Value::Null, Value::Null))].into()),
        );
        let planned = plan_object(&nested_schema(), &Value::Null, &config, &config);
        assert_eq!(planned.attr("one"), &Value::Null);
        assert_eq!(
            planned.attr("many").elements(),
            [endpoint("a", 1, Value::Unknown, Value::string("z1"))]
        );
        assert_eq!(
            planned.attr("unique"),
            &Value::Set(vec![endpoint("b", 2, Value::Unknown, Value::Unknown)])
        );
        let named = planned.attr("named").as_map().expect("a map");
        assert_eq!(
            named["web"],
            endpoint("c", 3, Value::Unknown, Value::Unknown)
        );
        assert_eq!(planned.attr("derived"), &Value::Unknown);
    }

    #[test]
    fn update_keeps_prior_values_inside_nested_attributes_and_finds_replacements() {
        let stored = |host: &str, port: i64| {
            endpoint(
                host,
                port,
                Value::string(format!("arn:{host}")),
                Value::string("z"),
            )
        };
        let mut prior = nested_value(
            stored("a", 1),
            vec![stored("b", 2)],
            vec![stored("c", 3)],
            Value::Map([("web".into(), stored("d", 4))].into()),
        );
        if let Value::Object(attrs) = &mut prior {
            attrs.insert("derived".into(), Value::List(vec![stored("e", 5)]));
        }
        let configured = |host: &str, port: i64| endpoint(host, port, Value::Null, Value::Null);
        // The list gains an element with a force-new port, the map's element changes its
        // force-new port, and the set keeps its element.
        let config = nested_value(
            configured("a", 1),
            vec![configured("b", 2), configured("new", 6)],
            vec![configured("c", 3)],
            Value::Map([("web".into(), configured("d", 7))].into()),
        );
        let planned = plan_object(&nested_schema(), &prior, &config, &config);
        assert_eq!(planned.attr("one"), &stored("a", 1));
        assert_eq!(
            planned.attr("many").elements(),
            [
                stored("b", 2),
                endpoint("new", 6, Value::Unknown, Value::Unknown)
            ]
        );
        assert_eq!(planned.attr("unique"), &Value::Set(vec![stored("c", 3)]));
        let named = planned.attr("named").as_map().expect("a map");
        assert_eq!(named["web"], stored("d", 7));
        assert_eq!(planned.attr("derived"), prior.attr("derived"));

        let paths = requires_replace(&nested_schema(), &prior, &planned, &config);
        let added = AttributePath::root().attr("many").index(1).attr("port");
        let changed = AttributePath::root().attr("named").key("web").attr("port");
        assert_eq!(paths, vec![added, changed]);
    }

    #[test]
    fn a_force_new_attribute_inside_a_list_block_is_found_by_index() {
        let inner =
            Block::new("").attribute(Attribute::optional("port", Type::Number, "").force_new());
        let block = Block::new("").block(NestedBlock::list("rule", inner));
        let rules = |port: i64| {
            Value::object([(
                "rule",
                Value::List(vec![Value::object([("port", Value::number_i64(port))])]),
            )])
        };
        let paths = requires_replace(&block, &rules(1), &rules(2), &rules(2));
        assert_eq!(
            paths,
            vec![AttributePath::root().attr("rule").index(0).attr("port")]
        );
        assert!(requires_replace(&block, &rules(1), &rules(1), &rules(1)).is_empty());
    }
}

#[cfg(test)]
mod set_and_replace_tests {
    use super::*;
    use crate::framework::schema::{Attribute, NestedAttributes, NestedBlock, ObjectNesting};
    use crate::value::Type;

    fn eighty() -> Value {
        Value::number_i64(80)
    }

    /// A set block whose elements have a required `name`, an optional `port` defaulting to
    /// 80 and a provider-set `arn`.
    fn set_block() -> Block {
        let inner = Block::new("")
            .attribute(Attribute::required("name", Type::String, ""))
            .attribute(Attribute::optional("port", Type::Number, "").default(eighty()))
            .attribute(Attribute::computed("arn", Type::String, ""));
        Block::new("").block(NestedBlock::set("rule", inner))
    }

    fn rule(port: Value, arn: Value) -> Value {
        Value::object([("name", Value::string("a")), ("port", port), ("arn", arn)])
    }

    fn rules(elements: Vec<Value>) -> Value {
        Value::object([("rule", Value::Set(elements))])
    }

    /// Two set elements that differ only in an attribute with a default: the user's value
    /// must survive planning, and the default goes to the other element.
    #[test]
    fn create_keeps_a_configured_port_next_to_a_defaulted_one_in_a_set_block() {
        let config = rules(vec![
            rule(Value::Null, Value::Null),
            rule(Value::number_i64(82), Value::Null),
        ]);
        let planned = plan_object(&set_block(), &Value::Null, &config, &config);
        let mut ports: Vec<_> = planned
            .attr("rule")
            .elements()
            .iter()
            .map(|e| e.attr("port").as_i64())
            .collect();
        ports.sort();
        assert_eq!(ports, vec![Some(80), Some(82)], "planned: {planned:?}");
    }

    /// On update Terraform 1.0 proposes, for the config element without `port`, the first
    /// unused prior element with the same non-computed values (here the one with port 82,
    /// whose port then sticks), and the config element with port 82 unpaired. The plan must
    /// still hold two elements, as the configuration does.
    #[test]
    fn update_plans_as_many_set_elements_as_configured() {
        let arn = || Value::string("arn:1");
        let prior = rules(vec![
            rule(Value::number_i64(82), arn()),
            rule(Value::Null, arn()),
        ]);
        let config = rules(vec![
            rule(Value::number_i64(82), Value::Null),
            rule(Value::Null, Value::Null),
        ]);
        let proposed = rules(vec![
            rule(Value::number_i64(82), arn()),
            rule(Value::number_i64(82), Value::Null),
        ]);
        let planned = plan_object(&set_block(), &prior, &proposed, &config);
        let elements = planned.attr("rule").elements().to_vec();
        let distinct: std::collections::BTreeSet<String> =
            elements.iter().map(|e| format!("{e:?}")).collect();
        assert_eq!(distinct.len(), 2, "planned set collapses: {elements:?}");
    }

    /// As in HashiCorp's SDKs, a force-new attribute that goes from a value to nothing (its
    /// block removed) or from nothing to a value (a block added) replaces the resource.
    #[test]
    fn removing_or_adding_a_block_with_a_force_new_attribute_replaces() {
        let inner =
            Block::new("").attribute(Attribute::optional("size", Type::String, "").force_new());
        let block = Block::new("")
            .block(NestedBlock::single("env", inner.clone()))
            .block(NestedBlock::list("rule", inner));
        let with = |env: Value, rules: Vec<Value>| {
            Value::object([("env", env), ("rule", Value::List(rules))])
        };
        let sized = || Value::object([("size", Value::string("big"))]);
        let removed = with(Value::Null, vec![]);
        let present = with(sized(), vec![sized()]);
        assert!(
            !requires_replace(&block, &present, &removed, &removed).is_empty(),
            "blocks removed"
        );
        assert!(
            !requires_replace(&block, &removed, &present, &present).is_empty(),
            "blocks added"
        );
    }
    /// The (port, arn) of each planned `rule` element, by port.
    fn ports_and_arns(planned: &Value) -> Vec<(Option<i64>, Value)> {
        let mut found: Vec<_> = planned
            .attr("rule")
            .elements()
            .iter()
            .map(|e| (e.attr("port").as_i64(), e.attr("arn").clone()))
            .collect();
        found.sort_by_key(|(port, _)| *port);
        found
    }

    /// Each configured element keeps the provider-set values of its own earlier element,
    /// even when Terraform's looser rule would hand it another element's.
    #[test]
    fn set_elements_keep_their_own_prior_partner() {
        let prior = rules(vec![
            rule(Value::number_i64(82), Value::string("arn:82")),
            rule(Value::number_i64(80), Value::string("arn:80")),
        ]);
        let config = rules(vec![
            rule(Value::Null, Value::Null),
            rule(Value::number_i64(82), Value::Null),
            rule(Value::number_i64(83), Value::Null),
        ]);
        let planned = plan_object(&set_block(), &prior, &config, &config);
        let found = ports_and_arns(&planned);
        let expected = vec![
            (Some(80), Value::string("arn:80")),
            (Some(82), Value::string("arn:82")),
            (Some(83), Value::Unknown),
        ];
        assert_eq!(found, expected);
    }

    /// Set nested attributes are paired alike: a configured port next to a defaulted one.
    #[test]
    fn set_nested_attribute_elements_are_planned_one_per_configured_element() {
        let inner = vec![
            Attribute::required("name", Type::String, ""),
            Attribute::optional("port", Type::Number, "").default(Value::number_i64(80)),
            Attribute::computed("arn", Type::String, ""),
        ];
        let nested = NestedAttributes::new(ObjectNesting::Set, inner);
        let rule_attribute = Attribute::nested("rule", nested, Mode::Optional, "");
        let block = Block::new("").attribute(rule_attribute);
        let prior = rules(vec![rule(Value::number_i64(80), Value::string("arn:1"))]);
        let config = rules(vec![
            rule(Value::Null, Value::Null),
            rule(Value::number_i64(82), Value::Null),
        ]);
        // What Terraform 1.0 might propose: the prior element merged into both.
        let proposed = rules(vec![rule(Value::number_i64(80), Value::string("arn:1"))]);
        let planned = plan_object(&block, &prior, &proposed, &config);
        let found = ports_and_arns(&planned);
        let expected = vec![
            (Some(80), Value::string("arn:1")),
            (Some(82), Value::Unknown),
        ];
        assert_eq!(found, expected);
    }

    /// Removing an element whose force-new attribute was never set changes nothing that
    /// forces replacement; removing a map element with one set does, at its key.
    #[test]
    fn a_removed_element_replaces_only_when_its_force_new_attribute_held_a_value() {
        let inner =
            Block::new("").attribute(Attribute::optional("size", Type::String, "").force_new());
        let block = Block::new("").block(NestedBlock::map("rule", inner));
        let with = |size: Value| {
            let element = Value::object([("size", size)]);
            Value::object([("rule", Value::Map([("k".to_string(), element)].into()))])
        };
        let none = Value::object([("rule", Value::Map(Default::default()))]);
        assert!(requires_replace(&block, &with(Value::Null), &none, &none).is_empty());
        assert_eq!(
            requires_replace(&block, &with(Value::string("big")), &none, &none),
            vec![AttributePath::root().attr("rule").key("k").attr("size")]
        );
    }

    fn named_rule(name: &str, port: i64, arn: Value) -> Value {
        Value::object([
            ("name", Value::string(name)),
            ("port", Value::number_i64(port)),
            ("arn", arn),
        ])
    }

    /// `rule` as a set of objects whose `port` is force-new: a nested attribute or a block.
    fn force_new_port_sets() -> [Block; 2] {
        let attributes = || {
            vec![
                Attribute::required("name", Type::String, ""),
                Attribute::optional("port", Type::Number, "").force_new(),
                Attribute::computed("arn", Type::String, ""),
            ]
        };
        let nested = NestedAttributes::new(ObjectNesting::Set, attributes());
        let inner = attributes()
            .into_iter()
            .fold(Block::new(""), Block::attribute);
        [
            Block::new("").attribute(Attribute::nested("rule", nested, Mode::Optional, "")),
            Block::new("").block(NestedBlock::set("rule", inner)),
        ]
    }

    /// A force-new attribute changed inside a set element replaces, at the set's path, for
    /// set nested attributes and set blocks alike.
    #[test]
    fn changing_a_force_new_attribute_inside_a_set_element_replaces() {
        let prior = Value::object([(
            "rule",
            Value::Set(vec![named_rule("a", 1, Value::string("arn:a"))]),
        )]);
        let config = Value::object([("rule", Value::Set(vec![named_rule("a", 2, Value::Null)]))]);
        for block in force_new_port_sets() {
            let planned = plan_object(&block, &prior, &config, &config);
            let paths = requires_replace(&block, &prior, &planned, &config);
            assert_eq!(
                paths,
                vec![AttributePath::root().attr("rule")],
                "{planned:?}"
            );
        }
    }

    /// A force-new set block whose elements come back in another order changed nothing.
    #[test]
    fn a_reordered_force_new_set_block_does_not_replace() {
        let inner = Block::new("")
            .attribute(Attribute::required("name", Type::String, ""))
            .attribute(Attribute::optional("port", Type::Number, ""))
            .attribute(Attribute::computed("arn", Type::String, ""));
        let block = Block::new("").block(NestedBlock::set("rule", inner).force_new());
        let prior = Value::object([(
            "rule",
            Value::Set(vec![
                named_rule("b", 1, Value::string("arn:b")),
                named_rule("a", 1, Value::string("arn:a")),
            ]),
        )]);
        let config = Value::object([(
            "rule",
            Value::Set(vec![
                named_rule("a", 1, Value::Null),
                named_rule("b", 1, Value::Null),
            ]),
        )]);
        let planned = plan_object(&block, &prior, &config, &config);
        let paths = requires_replace(&block, &prior, &planned, &config);
        assert!(paths.is_empty(), "spurious {paths:?}");
    }

    /// Removing a set element whose force-new attribute held a value replaces; removing one
    /// whose force-new attribute was never set does not.
    #[test]
    fn removing_a_set_element_replaces_only_when_its_force_new_attribute_was_set() {
        let [_, block] = force_new_port_sets();
        let with_port = named_rule("b", 1, Value::string("arn:b"));
        let without_port = Value::object([
            ("name", Value::string("b")),
            ("port", Value::Null),
            ("arn", Value::string("arn:b")),
        ]);
        let keep = named_rule("a", 1, Value::string("arn:a"));
        let config = Value::object([("rule", Value::Set(vec![named_rule("a", 1, Value::Null)]))]);
        for (gone, replaces) in [(with_port, true), (without_port, false)] {
            let prior = Value::object([("rule", Value::Set(vec![keep.clone(), gone]))]);
            let planned = plan_object(&block, &prior, &config, &config);
            let paths = requires_replace(&block, &prior, &planned, &config);
            let expected = if replaces {
                vec![AttributePath::root().attr("rule")]
            } else {
                vec![]
            };
            assert_eq!(paths, expected);
        }
    }
}
