//! IAM policy documents built in Rust, and roles that services assume.
//!
//! Documents render through `jsonencode`, so they keep references (`"${aws_kms_key.x.arn}"`)
//! and never need the `aws_iam_policy_document` data source.
//!
//! ```
//! use tfsynth::modules::iam::{Statement, policy};
//! use tfsynth::prelude::*;
//!
//! let doc = policy([Statement::allow(["s3:GetObject"]).on("arn:aws:s3:::demo/*")]);
//! let hcl = render_expression(&doc.into());
//! assert!(hcl.starts_with("jsonencode({ Version = \"2012-10-17\""));
//! ```

use crate::prelude::*;

/// One statement of a policy document.
#[derive(Debug, Clone)]
#[must_use]
pub struct Statement {
    sid: Option<String>,
    effect: &'static str,
    principals: Vec<(&'static str, Expression)>,
    actions: Vec<String>,
    resources: Vec<Expression>,
    conditions: Vec<(String, String, Expression)>,
}

impl Statement {
    /// `Effect = "Allow"` for `actions`.
    pub fn allow<S: Into<String>>(actions: impl IntoIterator<Item = S>) -> Self {
        Self {
            sid: None,
            effect: "Allow",
            principals: Vec::new(),
            actions: actions.into_iter().map(Into::into).collect(),
            resources: Vec::new(),
            conditions: Vec::new(),
        }
    }

    /// `Effect = "Deny"` for `actions`: overrides any allow.
    pub fn deny<S: Into<String>>(actions: impl IntoIterator<Item = S>) -> Self {
        Self { effect: "Deny", ..Self::allow(actions) }
    }

    /// `Sid = sid`.
    pub fn sid(mut self, sid: impl Into<String>) -> Self {
        self.sid = Some(sid.into());
        self
    }

    /// Adds a resource ARN (or `*` where the action takes no resource).
    pub fn on(mut self, resource: impl Into<Expression>) -> Self {
        self.resources.push(resource.into());
        self
    }

    /// `Principal = { Service = service }`.
    pub fn service(mut self, service: impl Into<Expression>) -> Self {
        self.principals.push(("Service", service.into()));
        self
    }

    /// `Principal = { AWS = arn }`.
    pub fn aws_principal(mut self, arn: impl Into<Expression>) -> Self {
        self.principals.push(("AWS", arn.into()));
        self
    }

    /// `Condition = { operator = { key = value } }`.
    pub fn when(mut self, operator: impl Into<String>, key: impl Into<String>, value: impl Into<Expression>) -> Self {
        self.conditions.push((operator.into(), key.into(), value.into()));
        self
    }

    fn expression(&self) -> Expression {
        let mut fields: Vec<(String, Expression)> = Vec::new();
        if let Some(sid) = &self.sid {
            fields.push(("Sid".into(), sid.as_str().into()));
        }
        fields.push(("Effect".into(), self.effect.into()));
        if !self.principals.is_empty() {
            let principals = self.principals.iter().map(|(k, v)| (*k, v.clone())).collect();
            fields.push(("Principal".into(), principals));
        }
        fields.push(("Action".into(), self.actions.clone().into()));
        if !self.resources.is_empty() {
            fields.push(("Resource".into(), Expression::List(self.resources.clone())));
        }
        if !self.conditions.is_empty() {
            let mut ops: Vec<(String, Vec<(String, Expression)>)> = Vec::new();
            for (op, key, value) in &self.conditions {
                match ops.iter_mut().find(|(o, _)| o == op) {
                    Some((_, entries)) => entries.push((key.clone(), value.clone())),
                    None => ops.push((op.clone(), vec![(key.clone(), value.clone())])),
                }
            }
            let conditions = ops.into_iter().map(|(op, entries)| (op, entries.into_iter().collect::<Expression>()));
            fields.push(("Condition".into(), conditions.collect()));
        }
        fields.into_iter().collect()
    }
}

/// A policy document: `jsonencode({ Version = "2012-10-17", Statement = [...] })`.
pub fn policy(statements: impl IntoIterator<Item = Statement>) -> Expr<String> {
    let statements: Vec<Expression> = statements.into_iter().map(|s| s.expression()).collect();
    jsonencode(Expression::from_iter([
        ("Version", Expression::from("2012-10-17")),
        ("Statement", Expression::List(statements)),
    ]))
}

/// A role that an AWS service assumes, with inline policies only: nothing else can grow its
/// permissions behind the stack's back.
#[derive(Debug, Clone)]
pub struct Role {
    /// The role ARN.
    pub arn: Expr<String>,
    /// The role name.
    pub name: Expr<String>,
}

/// Adds role `id` named `name`, assumable by `service` from `account` only, with one inline
/// policy per `(name, statements)`.
pub fn service_role(
    stack: &mut Stack,
    id: &str,
    name: impl Into<Expression>,
    service: &str,
    account: &super::Account,
    policies: Vec<(&str, Vec<Statement>)>,
) -> Role {
    // `aws:SourceAccount` stops the confused-deputy problem: another account's resources
    // cannot make the service act with this role.
    let trust =
        Statement::allow(["sts:AssumeRole"]).service(service).when("StringEquals", "aws:SourceAccount", account.id);
    role(stack, id, name, trust, policies)
}

/// Like [`service_role`], for services that do not pass `aws:SourceAccount` when they assume
/// a role (the EKS control plane, EC2 instances).
pub fn service_role_without_source_check(
    stack: &mut Stack,
    id: &str,
    name: impl Into<Expression>,
    service: &str,
    policies: Vec<(&str, Vec<Statement>)>,
) -> Role {
    role(stack, id, name, Statement::allow(["sts:AssumeRole"]).service(service), policies)
}

fn role(
    stack: &mut Stack,
    id: &str,
    name: impl Into<Expression>,
    trust: Statement,
    policies: Vec<(&str, Vec<Statement>)>,
) -> Role {
    let role =
        stack.add(Resource::new("aws_iam_role", id).set("name", name).set("assume_role_policy", policy([trust])));
    for (policy_name, statements) in policies {
        stack.add(
            Resource::new("aws_iam_role_policy", format!("{id}_{policy_name}").replace('-', "_"))
                .set("name", policy_name)
                .set("role", role.id())
                .set("policy", policy(statements)),
        );
    }
    Role { arn: role.arn(), name: role.attr("name").typed() }
}

/// Attaches the AWS-managed policy `arn` to `role`, for service roles AWS defines the
/// permissions of (e.g. RDS enhanced monitoring).
pub fn attach_managed_policy(stack: &mut Stack, key: &str, role: &Role, arn: &str) {
    stack.add(
        Resource::new("aws_iam_role_policy_attachment", key).set("role", role.name.clone()).set("policy_arn", arn),
    );
}
