//! `variable` and `output` blocks.

use crate::expr::{Expr, Expression, Traversal};

use super::Ref;

/// A variable validation rule: `validation { condition = ..., error_message = ... }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Validation {
    /// Must be true for an accepted value.
    pub condition: Expression,
    /// Shown when the condition fails.
    pub error_message: String,
}

/// An input `variable` block.
#[derive(Debug, Clone, PartialEq)]
#[must_use = "a variable does nothing until passed to Stack::variable"]
pub struct Variable {
    pub(crate) name: String,
    pub(crate) ty: String,
    pub(crate) default: Option<Expression>,
    pub(crate) description: Option<String>,
    pub(crate) sensitive: bool,
    pub(crate) nullable: Option<bool>,
    pub(crate) validations: Vec<Validation>,
}

impl Variable {
    /// A variable of Terraform type `ty`, written as in HCL: `string`, `list(string)`,
    /// `map(number)`, `object({ name = string })`.
    pub fn new(name: impl Into<String>, ty: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ty: ty.into(),
            default: None,
            description: None,
            sensitive: false,
            nullable: None,
            validations: Vec::new(),
        }
    }

    /// `default = value`.
    pub fn default(mut self, value: impl Into<Expression>) -> Self {
        self.default = Some(value.into());
        self
    }

    /// `description = text`.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// `sensitive = true`: Terraform redacts the value in plans and logs.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// `nullable = value`.
    pub fn nullable(mut self, value: bool) -> Self {
        self.nullable = Some(value);
        self
    }

    /// Adds a `validation` block.
    pub fn validation(mut self, condition: Expr<bool>, error_message: impl Into<String>) -> Self {
        self.validations.push(Validation { condition: condition.into(), error_message: error_message.into() });
        self
    }

    /// The variable name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The type expression, e.g. `list(string)`.
    pub fn type_expression(&self) -> &str {
        &self.ty
    }
}

/// An `output` block.
#[derive(Debug, Clone, PartialEq)]
#[must_use = "an output does nothing until passed to Stack::output"]
pub struct Output {
    pub(crate) name: String,
    pub(crate) value: Expression,
    pub(crate) description: Option<String>,
    pub(crate) sensitive: bool,
    pub(crate) depends_on: Vec<Traversal>,
}

impl Output {
    /// `output "name" { value = ... }`.
    pub fn new(name: impl Into<String>, value: impl Into<Expression>) -> Self {
        Self { name: name.into(), value: value.into(), description: None, sensitive: false, depends_on: Vec::new() }
    }

    /// `description = text`.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// `sensitive = true`.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// `depends_on = [...]`.
    pub fn depends_on(mut self, other: &Ref) -> Self {
        self.depends_on.push(other.traversal());
        self
    }

    /// The output name.
    pub fn name(&self) -> &str {
        &self.name
    }
}
