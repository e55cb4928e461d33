//! Conversions between the framework's types and the generated messages. Versions 5 and 6
//! share these message shapes field for field, so one macro writes the conversions for both;
//! only nested attributes, which protocol 5 lacks, go through a per-version hook.

/// Writes `schemas`, `diagnostics`, `path`, `dynamic_in` and `dynamic_out` for a
/// generated protocol module. The module itself supplies `nested_type`, the one conversion
/// the versions do not share (see [`Unrepresentable`]).
macro_rules! conversions {
    ($pb:ident) => {
        use std::collections::HashMap;

        use crate::framework::server::DynamicValue as FwDynamic;
        use crate::framework::{Block, Diagnostics, Mode, Nesting, Schema, Severity};
        use crate::protocol::convert::Unrepresentable;
        use crate::protocol::generated::$pb as pb;
        use crate::value::{AttributePath, PathStep};

        /// Every schema of the engine on the wire: provider, resources, data sources. A schema
        /// this protocol version cannot express fails the whole answer, as Terraform would
        /// misread any part of it.
        pub(crate) fn schemas(
            e: &crate::framework::server::ProviderServer,
        ) -> Result<
            (
                pb::Schema,
                HashMap<String, pb::Schema>,
                HashMap<String, pb::Schema>,
            ),
            Diagnostics,
        > {
            let mut diags = Diagnostics::default();
            let mut convert = |kind: &str, name: &str, s: &Schema| {
                schema(s).map_err(|e| e.report(kind, name, &mut diags)).ok()
            };
            let provider = convert("provider", "", e.provider_schema());
            let mut of_kind = |kind: &str, all: Vec<(&str, &Schema)>| {
                all.into_iter()
                    .filter_map(|(n, s)| Some((n.to_string(), convert(kind, n, s)?)))
                    .collect::<HashMap<_, _>>()
            };
            let resources = of_kind("resource type", e.resource_schemas().collect());
            let data_sources = of_kind("data source", e.data_source_schemas().collect());
            match provider {
                Some(provider) if !diags.has_errors() => Ok((provider, resources, data_sources)),
                _ => Err(diags),
            }
        }

        /// Framework schema to wire schema.
        fn schema(s: &Schema) -> Result<pb::Schema, Unrepresentable> {
            Ok(pb::Schema {
                version: s.version,
                block: Some(block(&s.block, &AttributePath::root())?),
            })
        }

        fn block(b: &Block, at: &AttributePath) -> Result<pb::schema::Block, Unrepresentable> {
            Ok(pb::schema::Block {
                version: 0,
                attributes: b
                    .attributes
                    .iter()
                    .map(|a| attribute(a, at))
                    .collect::<Result<_, _>>()?,
                block_types: b
                    .blocks
                    .iter()
                    .map(|n| nested_block(n, at))
                    .collect::<Result<_, _>>()?,
                description: b.description.clone(),
                description_kind: pb::StringKind::Markdown as i32,
                deprecated: false,
            })
        }

        // Protocol 5's message has no `nested_type`, so the struct update fills nothing there.
        #[allow(clippy::needless_update)]
        fn attribute(
            a: &crate::framework::Attribute,
            at: &AttributePath,
        ) -> Result<pb::schema::Attribute, Unrepresentable> {
            let path = at.clone().attr(&a.name);
            let mut wire = pb::schema::Attribute {
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
            };
            if let Some(nested) = a.nested_attributes() {
                nested_type(&mut wire, nested, &path)?;
            }
            Ok(wire)
        }

        fn nested_block(
            n: &crate::framework::NestedBlock,
            at: &AttributePath,
        ) -> Result<pb::schema::NestedBlock, Unrepresentable> {
            use pb::schema::nested_block::NestingMode;
            let nesting = match n.nesting {
                Nesting::Single => NestingMode::Single,
                Nesting::List => NestingMode::List,
                Nesting::Set => NestingMode::Set,
                Nesting::Map => NestingMode::Map,
                Nesting::Group => NestingMode::Group,
            };
            Ok(pb::schema::NestedBlock {
                type_name: n.name.clone(),
                block: Some(block(&n.block, &at.clone().attr(&n.name))?),
                nesting: nesting as i32,
                min_items: n.min_items,
                max_items: n.max_items,
            })
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

use crate::framework::Diagnostics;
use crate::value::AttributePath;

/// A schema part a protocol version has no message for: nested attributes in protocol 5.
#[derive(Debug, thiserror::Error)]
#[error("\"{path}\" is a nested attribute, which protocol version {version} cannot express")]
pub(crate) struct Unrepresentable {
    /// The attribute, from the schema's root block.
    pub path: AttributePath,
    /// The protocol version being served.
    pub version: u32,
}

impl Unrepresentable {
    /// Reports the error for the schema of `kind` `name` (empty for the provider's own).
    pub(crate) fn report(&self, kind: &str, name: &str, diags: &mut Diagnostics) {
        let whose = if name.is_empty() {
            format!("The {kind} schema")
        } else {
            format!("The schema of {kind} \"{name}\"")
        };
        diags.error(
            "Schema Not Supported By This Protocol Version",
            format!(
                "{whose} cannot be sent: {self}. Nested attributes need plugin protocol 6 \
                 and Terraform 1.0.9 or later (earlier releases, 1.0.3 included, crash while \
                 planning them). Use such a Terraform, and unset \
                 TF_GITLAB_CODEBUILD_PROTOCOL if it limits the provider to protocol 5."
            ),
        );
    }
}
