//! The cty value model shared by every RPC: types, values (including null and
//! unknown), attribute paths, and the msgpack / JSON codecs Terraform speaks.
//!
//! Everything here mirrors go-cty's behaviour (the library Terraform core uses)
//! closely enough that bytes we emit decode the same way on the Terraform side.

#![warn(missing_docs)]

pub mod error;
pub mod json;
pub mod msgpack;
pub mod number;
pub mod path;
pub mod ty;
// The `value::value` name is fixed by the API other modules code against.
#[allow(clippy::module_inception)]
pub mod value;

#[cfg(test)]
mod testutil;

pub use error::CodecError;
pub use path::{AttributePath, PathStep};
pub use ty::Type;
pub use value::{Number, Value};

/// Deepest nesting of arrays/maps/dynamic wrappers a decoder will follow.
///
/// Real provider schemas nest a handful of levels; the limit only exists so that
/// hostile input cannot exhaust the stack.
pub const MAX_DEPTH: usize = 256;
