//! The provider framework: schema building, diagnostics, the provider/resource traits, plan
//! helpers, timeouts, and the protocol-independent engine. Generic: nothing here knows about
//! CodeBuild, and adding a resource does not touch this layer.

pub mod diagnostics;
pub mod plan;
pub mod schema;
pub mod server;
#[cfg(test)]
pub(crate) mod test_provider;
pub mod timeouts;
pub mod traits;

pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use schema::{
    Attribute, Block, Mode, NestedAttributes, NestedBlock, Nesting, ObjectNesting, Schema,
};
pub use traits::{CallContext, DataSource, PlanRequest, Provider, Resource};
