//! Schema building: attributes and nested blocks with descriptions, plus what the framework
//! needs beyond Terraform's wire schema (defaults, force-new, validators), and the cty type a
//! block implies.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::framework::diagnostics::Diagnostics;
use crate::value::{AttributePath, Type, Value};

/// Checks one known, non-null attribute value; reports problems against `path`.
#[derive(Clone)]
pub struct Validator(Arc<dyn Fn(&Value, &AttributePath, &mut Diagnostics) + Send + Sync>);

impl Validator {
    /// Runs the check.
    pub fn check(&self, value: &Value, path: &AttributePath, diags: &mut Diagnostics) {
        (self.0)(value, path, diags)
    }
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Validator")
    }
}

/// A resource, data source or provider schema.
#[derive(Clone, Debug)]
pub struct Schema {
    /// State schema version, for UpgradeResourceState.
    pub version: i64,
    /// The top-level block.
    pub block: Block,
}

/// A block: attributes and nested blocks.
#[derive(Clone, Debug, Default)]
pub struct Block {
    /// Markdown description.
    pub description: String,
    /// Attributes, in display order.
    pub attributes: Vec<Attribute>,
    /// Nested block types.
    pub blocks: Vec<NestedBlock>,
}

/// Whether the user sets an attribute, the provider does, or either.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Must be set in configuration.
    Required,
    /// May be set; null when not.
    Optional,
    /// Only the provider sets it.
    Computed,
    /// May be set; the provider decides when not (or applies the default).
    OptionalComputed,
}

/// One attribute.
#[derive(Clone, Debug)]
pub struct Attribute {
    /// Attribute name, `[a-z0-9_]+`.
    pub name: String,
    /// cty type.
    pub ty: Type,
    /// Markdown description.
    pub description: String,
    /// Who sets it.
    pub mode: Mode,
    /// Hidden in Terraform's output.
    pub sensitive: bool,
    /// A change replaces the whole resource.
    pub force_new: bool,
    /// Planned when the configuration leaves the attribute null.
    pub default: Option<Value>,
    /// Checks run at validation time on known values.
    pub validators: Vec<Validator>,
}

/// How a nested block repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most one; null when absent.
    Single,
    /// An ordered list.
    List,
    /// An unordered set.
    Set,
    /// Blocks keyed by a label (`rule "name" { ... }`): a map of objects.
    Map,
    /// Exactly one, always present; its attributes are null when the block is left out.
    Group,
}

/// A nested block type.
#[derive(Clone, Debug)]
pub struct NestedBlock {
    /// Block type name.
    pub name: String,
    /// Its content.
    pub block: Block,
    /// How it repeats.
    pub nesting: Nesting,
    /// Fewest blocks allowed.
    pub min_items: i64,
    /// Most blocks allowed (0 = no limit).
    pub max_items: i64,
    /// Adding, removing or changing the block replaces the resource.
    pub force_new: bool,
}

impl Attribute {
    fn new(name: &str, ty: Type, mode: Mode, description: &str) -> Self {
        Self {
            name: name.to_string(),
            ty,
            description: description.to_string(),
            mode,
            sensitive: false,
            force_new: false,
            default: None,
            validators: Vec::new(),
        }
    }

    /// A required attribute.
    pub fn required(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, ty, Mode::Required, description)
    }

    /// An optional attribute.
    pub fn optional(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, ty, Mode::Optional, description)
    }

    /// A provider-set attribute.
    pub fn computed(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, ty, Mode::Computed, description)
    }

    /// An attribute the user may set and the provider fills when not.
    pub fn optional_computed(name: &str, ty: Type, description: &str) -> Self {
        Self::new(name, ty, Mode::OptionalComputed, description)
    }

    /// Marks the attribute sensitive.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Marks that a change replaces the resource.
    pub fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }

    /// Sets a default; the attribute becomes optional+computed so the default shows in state.
    pub fn default(mut self, value: Value) -> Self {
        self.mode = Mode::OptionalComputed;
        self.default = Some(value);
        self
    }

    /// Adds a validator.
    pub fn validate(
        mut self,
        check: impl Fn(&Value, &AttributePath, &mut Diagnostics) + Send + Sync + 'static,
    ) -> Self {
        self.validators.push(Validator(Arc::new(check)));
        self
    }

    /// True for attributes the configuration may set.
    pub fn is_settable(&self) -> bool {
        self.mode != Mode::Computed
    }

    /// True for attributes the provider may fill.
    pub fn is_computed(&self) -> bool {
        matches!(self.mode, Mode::Computed | Mode::OptionalComputed)
    }
}

impl NestedBlock {
    /// A block that may appear at most once.
    pub fn single(name: &str, block: Block) -> Self {
        Self {
            name: name.into(),
            block,
            nesting: Nesting::Single,
            min_items: 0,
            max_items: 0,
            force_new: false,
        }
    }

    /// A repeated, ordered block.
    pub fn list(name: &str, block: Block) -> Self {
        Self {
            name: name.into(),
            block,
            nesting: Nesting::List,
            min_items: 0,
            max_items: 0,
            force_new: false,
        }
    }

    /// Blocks keyed by a label.
    pub fn map(name: &str, block: Block) -> Self {
        Self {
            nesting: Nesting::Map,
            ..Self::list(name, block)
        }
    }

    /// A block that is always present, even when left out of the configuration.
    pub fn group(name: &str, block: Block) -> Self {
        Self {
            nesting: Nesting::Group,
            ..Self::list(name, block)
        }
    }

    /// Limits the number of blocks.
    pub fn max_items(mut self, max: i64) -> Self {
        self.max_items = max;
        self
    }

    /// Marks that a change replaces the resource.
    pub fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }
}

impl Block {
    /// A block with a description.
    pub fn new(description: &str) -> Self {
        Self {
            description: description.into(),
            ..Self::default()
        }
    }

    /// Adds an attribute.
    pub fn attribute(mut self, attribute: Attribute) -> Self {
        self.attributes.push(attribute);
        self
    }

    /// Adds a nested block type.
    pub fn block(mut self, block: NestedBlock) -> Self {
        self.blocks.push(block);
        self
    }

    /// The object type Terraform uses for values of this block.
    pub fn implied_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = BTreeMap::new();
        for a in &self.attributes {
            attrs.insert(a.name.clone(), a.ty.clone());
        }
        for b in &self.blocks {
            let inner = b.block.implied_type();
            let ty = match b.nesting {
                Nesting::Single | Nesting::Group => inner,
                Nesting::List => Type::list(inner),
                Nesting::Set => Type::set(inner),
                Nesting::Map => Type::map(inner),
            };
            attrs.insert(b.name.clone(), ty);
        }
        Type::object(attrs)
    }

    /// Looks up an attribute by name.
    pub fn find_attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implied_type_covers_attributes_and_blocks() {
        let block = Block::new("")
            .attribute(Attribute::required("name", Type::String, ""))
            .block(NestedBlock::list(
                "rule",
                Block::new("").attribute(Attribute::optional("port", Type::Number, "")),
            ))
            .block(NestedBlock::single("vpc", Block::new("")));
        let expected = Type::object([
            ("name", Type::String),
            ("rule", Type::list(Type::object([("port", Type::Number)]))),
            ("vpc", Type::object(Vec::<(String, Type)>::new())),
        ]);
        assert_eq!(block.implied_type(), expected);
    }

    #[test]
    fn map_and_group_blocks_imply_map_and_object_types() {
        let inner = Block::new("").attribute(Attribute::optional("port", Type::Number, ""));
        let block = Block::new("")
            .block(NestedBlock::map("rule", inner.clone()))
            .block(NestedBlock::group("settings", inner));
        let object = Type::object([("port", Type::Number)]);
        let expected = Type::object([("rule", Type::map(object.clone())), ("settings", object)]);
        assert_eq!(block.implied_type(), expected);
    }

    #[test]
    fn default_makes_attribute_optional_computed() {
        let a = Attribute::optional("depth", Type::Number, "").default(Value::number_i64(1));
        assert_eq!(a.mode, Mode::OptionalComputed);
        assert!(a.is_settable() && a.is_computed());
    }
}
