//! A provider for tests of the framework and the protocol adapters: resources that store what
//! they are given, one renamed across schema versions and one with nested attributes of every
//! nesting mode (protocol 6 only).

use std::sync::Arc;

use async_trait::async_trait;

use crate::framework::diagnostics::Diagnostics;
use crate::framework::schema::{Attribute, Block, Mode, NestedAttributes, ObjectNesting, Schema};
use crate::framework::traits::{CallContext, DataSource, Provider, Resource};
use crate::value::{Type, Value};

/// Type name of the resource at schema version 1 whose version 0 called `label` what is now
/// `name`.
pub(crate) const RENAMED: &str = "test_renamed";

/// Type name of the resource with nested attributes (see [`nested_schema`]).
pub(crate) const NESTED: &str = "test_nested";

/// A resource that keeps what it is given: create and update return the plan, read returns
/// the state, delete removes it.
struct Echo {
    type_name: &'static str,
    schema: Schema,
}

#[async_trait]
impl Resource for Echo {
    fn type_name(&self) -> &'static str {
        self.type_name
    }
    fn schema(&self) -> Schema {
        self.schema.clone()
    }
    fn upgrade_state(
        &self,
        version: i64,
        mut state: serde_json::Value,
        _diags: &mut Diagnostics,
    ) -> serde_json::Value {
        if version < self.schema.version {
            if let Some(map) = state.as_object_mut() {
                let label = map.remove("label").unwrap_or_default();
                map.insert("name".into(), label);
            }
        }
        state
    }
    async fn create(&self, _: &CallContext, p: &Value, _: &Value, _: &mut Diagnostics) -> Value {
        p.clone()
    }
    async fn read(&self, _: &CallContext, s: &Value, _: &mut Diagnostics) -> Option<Value> {
        Some(s.clone())
    }
    async fn update(
        &self,
        _: &CallContext,
        _: &Value,
        p: &Value,
        _: &Value,
        _: &mut Diagnostics,
    ) -> Value {
        p.clone()
    }
    async fn delete(&self, _: &CallContext, _: &Value, _: &mut Diagnostics) -> Option<Value> {
        None
    }
    async fn import(&self, _: &CallContext, _: &str, _: &mut Diagnostics) -> Option<Value> {
        None
    }
}

/// Nested attributes of every nesting mode over one object type (`host` required and
/// checked, `port` force-new, `arn` provider-set, `zone` optional and provider-filled,
/// `token` sensitive), plus `derived`, a list the provider sets as a whole.
pub(crate) fn nested_schema() -> Block {
    let nested = |name: &str, nesting: ObjectNesting, mode: Mode| {
        let attributes = vec![
            Attribute::required("host", Type::String, "").validate(|v, p, d| {
                if v.as_str() == Some("bad") {
                    d.attribute_error(p.clone(), "Bad Host", "");
                }
            }),
            Attribute::optional("port", Type::Number, "").force_new(),
            Attribute::computed("arn", Type::String, ""),
            Attribute::optional_computed("zone", Type::String, ""),
            Attribute::optional("token", Type::String, "").sensitive(),
        ];
        Attribute::nested(name, NestedAttributes::new(nesting, attributes), mode, "")
    };
    Block::new("")
        .attribute(nested("one", ObjectNesting::Single, Mode::Optional))
        .attribute(nested("many", ObjectNesting::List, Mode::Optional))
        .attribute(nested("unique", ObjectNesting::Set, Mode::Optional))
        .attribute(nested("named", ObjectNesting::Map, Mode::Optional))
        .attribute(nested("derived", ObjectNesting::List, Mode::Computed))
}

/// The provider; it has no configuration and no data sources.
pub(crate) struct Fake;

#[async_trait]
impl Provider for Fake {
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(""),
        }
    }
    async fn configure(&self, _: &Value, _: &str, _: &mut Diagnostics) {}
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        let renamed = Block::new("")
            .attribute(Attribute::required("name", Type::String, ""))
            .attribute(Attribute::computed("id", Type::String, ""));
        vec![
            Arc::new(Echo {
                type_name: RENAMED,
                schema: Schema {
                    version: 1,
                    block: renamed,
                },
            }),
            Arc::new(Echo {
                type_name: NESTED,
                schema: Schema {
                    version: 0,
                    block: nested_schema(),
                },
            }),
        ]
    }
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>> {
        Vec::new()
    }
}
