//! Conversions between the framework's types and the generated messages. Versions 5 and 6
//! share these message shapes field for field, so one macro writes the conversions for both.

/// Writes `schema`, `diagnostics`, `path`, `paths_from`, `dynamic_in` and `dynamic_out` for a
/// generated protocol module.
macro_rules! conversions {
    ($pb:ident) => {
        use crate::framework::server::DynamicValue as FwDynamic;
        use crate::framework::{Block, Diagnostics, Mode, Nesting, Schema, Severity};
        use crate::protocol::generated::$pb as pb;
        use crate::value::{AttributePath, PathStep};

        /// Framework schema to wire schema.
        pub(crate) fn schema(s: &Schema) -> pb::Schema {
            pb::Schema {
                version: s.version,
                block: Some(block(&s.block)),
            }
        }

        fn block(b: &Block) -> pb::schema::Block {
            pb::schema::Block {
                version: 0,
                attributes: b.attributes.iter().map(attribute).collect(),
                block_types: b.blocks.iter().map(nested_block).collect(),
                description: b.description.clone(),
                description_kind: pb::StringKind::Markdown as i32,
                deprecated: false,
            }
        }

        fn attribute(a: &crate::framework::Attribute) -> pb::schema::Attribute {
            pb::schema::Attribute {
                name: a.name.clone(),
                r#type: a.ty.to_json().into_bytes(),
                description: a.description.clone(),
                required: a.mode == Mode::Required,
                optional: matches!(a.mode, Mode::Optional | Mode::OptionalComputed),
                computed: a.is_computed(),
                sensitive: a.sensitive,
                description_kind: pb::StringKind::Markdown as i32,
                deprecated: false,
                ..Default::default()
            }
        }

        fn nested_block(n: &crate::framework::NestedBlock) -> pb::schema::NestedBlock {
            use pb::schema::nested_block::NestingMode;
            let nesting = match n.nesting {
                Nesting::Single => NestingMode::Single,
                Nesting::List => NestingMode::List,
                Nesting::Set => NestingMode::Set,
                Nesting::Map => NestingMode::Map,
                Nesting::Group => NestingMode::Group,
            };
            pb::schema::NestedBlock {
                type_name: n.name.clone(),
                block: Some(block(&n.block)),
                nesting: nesting as i32,
                min_items: n.min_items,
                max_items: n.max_items,
            }
        }

        /// Framework diagnostics to wire diagnostics.
        pub(crate) fn diagnostics(d: Diagnostics) -> Vec<pb::Diagnostic> {
            d.0.into_iter()
                .map(|d| pb::Diagnostic {
                    severity: match d.severity {
                        Severity::Error => pb::diagnostic::Severity::Error as i32,
                        Severity::Warning => pb::diagnostic::Severity::Warning as i32,
                    },
                    summary: d.summary,
                    detail: d.detail,
                    attribute: d.attribute.map(|p| path(&p)),
                })
                .collect()
        }

        /// Framework path to wire path.
        pub(crate) fn path(p: &AttributePath) -> pb::AttributePath {
            use pb::attribute_path::step::Selector;
            let steps = p
                .steps
                .iter()
                .map(|s| pb::attribute_path::Step {
                    selector: Some(match s {
                        PathStep::Attribute(n) => Selector::AttributeName(n.clone()),
                        PathStep::ElementKeyString(k) => Selector::ElementKeyString(k.clone()),
                        PathStep::ElementKeyInt(i) => Selector::ElementKeyInt(*i),
                    }),
                })
                .collect();
            pb::AttributePath { steps }
        }

        /// Wire value to framework value (absent means null).
        pub(crate) fn dynamic_in(v: Option<pb::DynamicValue>) -> FwDynamic {
            v.map(|v| FwDynamic {
                msgpack: v.msgpack,
                json: v.json,
            })
            .unwrap_or_default()
        }

        /// Framework value to wire value.
        pub(crate) fn dynamic_out(v: Option<FwDynamic>) -> Option<pb::DynamicValue> {
            v.map(|v| pb::DynamicValue {
                msgpack: v.msgpack,
                json: v.json,
            })
        }
    };
}

pub(crate) use conversions;
