//! `module` calls.

use indexmap::IndexMap;

use crate::expr::Expression;

/// A `module` call: a reusable Terraform module from a local path or a registry.
#[derive(Debug, Clone, PartialEq)]
#[must_use = "a module call does nothing until passed to Stack::module"]
pub struct ModuleCall {
    pub(crate) name: String,
    pub(crate) source: String,
    pub(crate) version: Option<String>,
    pub(crate) inputs: IndexMap<String, Expression>,
}

impl ModuleCall {
    /// `module "name" { source = ... }`.
    pub fn new(name: impl Into<String>, source: impl Into<String>) -> Self {
        Self { name: name.into(), source: source.into(), version: None, inputs: IndexMap::new() }
    }

    /// `version = constraint` (registry modules).
    pub fn version(mut self, constraint: impl Into<String>) -> Self {
        self.version = Some(constraint.into());
        self
    }

    /// Sets the module input `name`.
    pub fn input(mut self, name: impl Into<String>, value: impl Into<Expression>) -> Self {
        self.inputs.insert(name.into(), value.into());
        self
    }

    /// The call's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}
