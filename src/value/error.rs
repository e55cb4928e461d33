//! The single error type returned by type parsing, value checking and both codecs.

use crate::value::path::AttributePath;

/// Why a type, value or wire payload could not be handled, and where.
///
/// Every variant that concerns part of a value carries the [`AttributePath`] of
/// that part, so callers can turn it into a Terraform diagnostic pointing at the
/// offending attribute.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The bytes are not well-formed for the codec (truncated, bad marker, bad UTF-8...).
    #[error("{}: malformed input: {message}", at(path))]
    Malformed {
        /// Where in the value decoding stopped.
        path: AttributePath,
        /// What was wrong.
        message: String,
    },
    /// A value (or encoded item) does not have the shape the type requires.
    #[error("{}: {expected} is required, found {found}", at(path))]
    TypeMismatch {
        /// Location of the mismatching value.
        path: AttributePath,
        /// Friendly name of the required type, e.g. `list of string`.
        expected: String,
        /// What was there instead.
        found: String,
    },
    /// An object carried an attribute its type does not declare.
    #[error("{}: unsupported attribute {name:?}", at(path))]
    UnsupportedAttribute {
        /// Location of the object.
        path: AttributePath,
        /// The unexpected attribute name.
        name: String,
    },
    /// A msgpack object had the wrong number of attributes (go-cty decodes strictly).
    #[error(
        "{}: an object with {expected} attributes is required ({found} given)",
        at(path)
    )]
    AttributeCount {
        /// Location of the object.
        path: AttributePath,
        /// Attribute count of the type.
        expected: usize,
        /// Entries present on the wire.
        found: usize,
    },
    /// A tuple had the wrong number of elements.
    #[error(
        "{}: a tuple of length {expected} is required ({found} given)",
        at(path)
    )]
    TupleLength {
        /// Location of the tuple.
        path: AttributePath,
        /// Element count of the type.
        expected: usize,
        /// Elements present.
        found: usize,
    },
    /// JSON cannot carry unknown values (state and raw state never contain them).
    #[error("{}: value is unknown, which JSON cannot represent", at(path))]
    UnknownInJson {
        /// Location of the unknown value.
        path: AttributePath,
    },
    /// A number could not be parsed or represented.
    #[error("{}: invalid number {text:?}: {reason}", at(path))]
    InvalidNumber {
        /// Location of the number (root when parsed standalone).
        path: AttributePath,
        /// The offending text (possibly shortened).
        text: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A cty type expression (type JSON) was invalid.
    #[error("{}: invalid type JSON: {message}", at(path))]
    InvalidType {
        /// Location of the dynamic value whose type failed to parse (root otherwise).
        path: AttributePath,
        /// What was wrong.
        message: String,
    },
    /// Input nested deeper than [`crate::value::MAX_DEPTH`].
    #[error("{}: nesting deeper than {limit} levels", at(path))]
    TooDeep {
        /// Location where the limit was hit.
        path: AttributePath,
        /// The limit.
        limit: usize,
    },
}

impl CodecError {
    /// The attribute path the error refers to.
    pub fn path(&self) -> &AttributePath {
        match self {
            CodecError::Malformed { path, .. }
            | CodecError::TypeMismatch { path, .. }
            | CodecError::UnsupportedAttribute { path, .. }
            | CodecError::AttributeCount { path, .. }
            | CodecError::TupleLength { path, .. }
            | CodecError::UnknownInJson { path }
            | CodecError::InvalidNumber { path, .. }
            | CodecError::InvalidType { path, .. }
            | CodecError::TooDeep { path, .. } => path,
        }
    }

    /// Re-home a path-less error (number or type parsing) at `path`.
    pub(crate) fn at_path(mut self, at: &AttributePath) -> CodecError {
        match &mut self {
            CodecError::InvalidNumber { path, .. } | CodecError::InvalidType { path, .. } => {
                let mut full = at.clone();
                full.steps.append(&mut path.steps);
                *path = full;
            }
            _ => {}
        }
        self
    }
}

/// Renders the location prefix; the root gets a word because an empty path reads badly.
fn at(path: &AttributePath) -> String {
    if path.steps.is_empty() {
        "at root".to_string()
    } else {
        format!("at {path}")
    }
}
