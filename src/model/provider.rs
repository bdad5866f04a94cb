//! `provider` blocks and the handle used to pick a non-default configuration.

use std::borrow::Cow;

use crate::expr::Expression;

use super::{Arguments, Body};

/// A `provider` block. The AWS shortcuts cover the common settings; anything else in the
/// provider schema can be set with [`set`](Self::set) / [`block`](Self::block) and is checked
/// like a resource.
#[derive(Debug, Clone, PartialEq)]
#[must_use = "a provider does nothing until passed to Stack::provider"]
pub struct Provider {
    pub(crate) name: String,
    pub(crate) alias: Option<String>,
    pub(crate) body: Body,
}

impl Arguments for Provider {
    fn body_mut(&mut self) -> &mut Body {
        &mut self.body
    }
}

/// Names a provider configuration: `aws` or `aws.<alias>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderRef {
    pub(crate) name: String,
    pub(crate) alias: Option<String>,
}

impl ProviderRef {
    /// `aws` or `aws.alias`, as `provider = ...` wants it.
    pub fn path(&self) -> String {
        match &self.alias {
            Some(alias) => format!("{}.{alias}", self.name),
            None => self.name.clone(),
        }
    }
}

impl Provider {
    /// A provider block for provider `name` (e.g. `aws`).
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), alias: None, body: Body::new() }
    }

    /// `provider "aws" { region = ... }`.
    pub fn aws(region: impl Into<Expression>) -> Self {
        Self::new("aws").set("region", region)
    }

    /// `alias = name`: a second configuration that resources select with `.provider(..)`.
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.alias = Some(alias.into());
        self
    }

    /// `default_tags { tags = {...} }`: tags every taggable resource of this provider gets.
    pub fn default_tags<K: Into<Cow<'static, str>>, V: Into<Expression>>(
        self,
        tags: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.block("default_tags", Body::new().set("tags", Expression::from_iter(tags)))
    }

    /// `assume_role { role_arn = ..., session_name = ... }`.
    pub fn assume_role(self, role_arn: impl Into<Expression>, session_name: impl Into<Expression>) -> Self {
        self.block("assume_role", Body::new().set("role_arn", role_arn).set("session_name", session_name))
    }

    /// The provider's local name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The alias, if any.
    pub fn alias_name(&self) -> Option<&str> {
        self.alias.as_deref()
    }

    /// The arguments and nested blocks.
    pub fn body(&self) -> &Body {
        &self.body
    }

    pub(crate) fn reference(&self) -> ProviderRef {
        ProviderRef { name: self.name.clone(), alias: self.alias.clone() }
    }
}
