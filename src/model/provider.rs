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

    /// `provider "kubernetes"` for an EKS cluster, from the cluster's own attributes: its
    /// `endpoint`, its certificate authority (`ca_base64`, as EKS reports it) and a token that
    /// `aws eks get-token` issues for `cluster_name` on each run (an `exec` block), so no
    /// credential sits in the configuration or the state.
    ///
    /// ```
    /// use tfsynth::prelude::*;
    /// let mut stack = Stack::new("apps", "production");
    /// stack.provider(Provider::aws("us-east-1"));
    /// let cluster = stack.add(Resource::data("aws_eks_cluster", "main").set("name", "apps"));
    /// stack.provider(Provider::kubernetes_for_eks(
    ///     cluster.attr("endpoint"),
    ///     cluster.attr("certificate_authority").index(0).attr("data"),
    ///     "apps",
    /// ));
    /// validate(&stack)?;
    /// let hcl = render(&stack, Format::Hcl);
    /// assert!(hcl.contains("host                   = data.aws_eks_cluster.main.endpoint"));
    /// assert!(hcl.contains(r#"command     = "aws""#) && hcl.contains(r#""get-token","#));
    /// # Ok::<(), tfsynth::Error>(())
    /// ```
    pub fn kubernetes_for_eks(
        endpoint: impl Into<Expression>,
        ca_base64: impl Into<Expression>,
        cluster_name: impl Into<Expression>,
    ) -> Self {
        let (host, ca, exec) = eks_connection(endpoint, ca_base64, cluster_name);
        let exec = exec.into_iter().fold(Body::new(), |body, (name, value)| body.set(name, value));
        Self::new("kubernetes").set("host", host).set("cluster_ca_certificate", ca).block("exec", exec)
    }

    /// `provider "helm"` (3.x) for an EKS cluster, connected as
    /// [`kubernetes_for_eks`](Self::kubernetes_for_eks) connects: helm 3 takes the
    /// connection as a `kubernetes = { ... }` attribute.
    pub fn helm_for_eks(
        endpoint: impl Into<Expression>,
        ca_base64: impl Into<Expression>,
        cluster_name: impl Into<Expression>,
    ) -> Self {
        let (host, ca, exec) = eks_connection(endpoint, ca_base64, cluster_name);
        let kubernetes = Expression::from_iter([
            ("host", host),
            ("cluster_ca_certificate", ca),
            ("exec", Expression::from_iter(exec)),
        ]);
        Self::new("helm").set("kubernetes", kubernetes)
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

/// An EKS cluster's API endpoint, its decoded certificate authority, and the `exec` settings
/// that fetch a token with the AWS CLI.
fn eks_connection(
    endpoint: impl Into<Expression>,
    ca_base64: impl Into<Expression>,
    cluster_name: impl Into<Expression>,
) -> (Expression, Expression, [(&'static str, Expression); 3]) {
    let ca = crate::expr::call::<String>("base64decode", [ca_base64.into()]).into();
    let args = Expression::List(vec!["eks".into(), "get-token".into(), "--cluster-name".into(), cluster_name.into()]);
    let exec =
        [("api_version", "client.authentication.k8s.io/v1beta1".into()), ("command", "aws".into()), ("args", args)];
    (endpoint.into(), ca, exec)
}
