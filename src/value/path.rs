//! Attribute paths: how Terraform (and our errors) point at part of a value.

use std::fmt;

/// One step into a value, matching the three step kinds of `tfplugin` `AttributePath`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathStep {
    /// An object attribute (also a nested block, which is an attribute of its parent).
    Attribute(String),
    /// A map element by key.
    ElementKeyString(String),
    /// A list or tuple element by index (also used for a set element's position in errors).
    ElementKeyInt(i64),
}

/// A sequence of steps from the root object of a resource, data source or provider.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct AttributePath {
    /// The steps, outermost first.
    pub steps: Vec<PathStep>,
}

impl AttributePath {
    /// The empty path, pointing at the whole value.
    pub fn root() -> Self {
        Self::default()
    }

    /// This path extended by an attribute step.
    pub fn attr(mut self, name: &str) -> Self {
        self.steps.push(PathStep::Attribute(name.to_string()));
        self
    }

    /// This path extended by a map-key step.
    pub fn key(mut self, k: &str) -> Self {
        self.steps.push(PathStep::ElementKeyString(k.to_string()));
        self
    }

    /// This path extended by a list-index step.
    pub fn index(mut self, i: i64) -> Self {
        self.steps.push(PathStep::ElementKeyInt(i));
        self
    }

    /// True for the empty path.
    pub fn is_root(&self) -> bool {
        self.steps.is_empty()
    }
}

impl fmt::Display for AttributePath {
    /// HCL-like rendering, e.g. `vpc_configuration[0].subnet_ids` or `tags["env"]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                PathStep::Attribute(name) if i == 0 => f.write_str(name)?,
                PathStep::Attribute(name) => write!(f, ".{name}")?,
                // JSON string escaping is also valid HCL string syntax for keys.
                PathStep::ElementKeyString(k) => {
                    let quoted = serde_json::to_string(k).map_err(|_| fmt::Error)?;
                    write!(f, "[{quoted}]")?
                }
                PathStep::ElementKeyInt(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_mixes_steps() {
        let p = AttributePath::root()
            .attr("vpc_configuration")
            .index(0)
            .attr("subnet_ids");
        assert_eq!(p.to_string(), "vpc_configuration[0].subnet_ids");
        let p = AttributePath::root().attr("tags").key("env");
        assert_eq!(p.to_string(), "tags[\"env\"]");
        let p = AttributePath::root().attr("tags").key("a\"b");
        assert_eq!(p.to_string(), "tags[\"a\\\"b\"]");
        assert_eq!(AttributePath::root().to_string(), "");
        assert!(AttributePath::root().is_root());
    }

    #[test]
    fn builders_push_steps() {
        let p = AttributePath::root().attr("a").key("k").index(3);
        assert_eq!(
            p.steps,
            vec![
                PathStep::Attribute("a".into()),
                PathStep::ElementKeyString("k".into()),
                PathStep::ElementKeyInt(3)
            ]
        );
    }
}
