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

use super::Context;
use super::ci_identity::{GITHUB_ISSUER, GithubOidcRef, Subject, valid_repository};
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

    /// `Principal = { Federated = arn }`: an identity provider.
    pub fn federated(mut self, arn: impl Into<Expression>) -> Self {
        self.principals.push(("Federated", arn.into()));
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

    fn expression(self) -> Expression {
        let mut fields: Vec<(&str, Expression)> = Vec::new();
        if let Some(sid) = self.sid {
            fields.push(("Sid", sid.into()));
        }
        fields.push(("Effect", self.effect.into()));
        if !self.principals.is_empty() {
            fields.push(("Principal", self.principals.into_iter().collect()));
        }
        fields.push(("Action", self.actions.into()));
        // One resource is written as a string, as AWS's own examples do (S3's check of a log
        // bucket's policy compares it as one).
        let mut resources = self.resources;
        match resources.len() {
            0 => {}
            1 => fields.push(("Resource", resources.swap_remove(0))),
            _ => fields.push(("Resource", Expression::List(resources))),
        }
        if !self.conditions.is_empty() {
            let mut ops: Vec<(String, Vec<(String, Expression)>)> = Vec::new();
            for (op, key, value) in self.conditions {
                match ops.iter_mut().find(|(o, _)| *o == op) {
                    Some((_, entries)) => entries.push((key, value)),
                    None => ops.push((op, vec![(key, value)])),
                }
            }
            let conditions = ops.into_iter().map(|(op, entries)| (op, entries.into_iter().collect::<Expression>()));
            fields.push(("Condition", conditions.collect()));
        }
        fields.into_iter().collect()
    }
}

/// A policy document: `jsonencode({ Version = "2012-10-17", Statement = [...] })`.
pub fn policy(statements: impl IntoIterator<Item = Statement>) -> Expr<String> {
    let statements: Vec<Expression> = statements.into_iter().map(Statement::expression).collect();
    jsonencode(Expression::from_iter([
        ("Version", Expression::from("2012-10-17")),
        ("Statement", Expression::List(statements)),
    ]))
}

/// A role, for the components and stacks that grant it more or hand it to a service.
#[derive(Debug, Clone)]
pub struct RoleRef {
    /// The role ARN.
    pub arn: Expr<String>,
    /// The role name.
    pub name: Expr<String>,
    /// The role itself, for the escape hatch.
    pub resource: Ref,
}

/// Who may assume a role.
#[derive(Debug, Clone)]
enum Trust {
    /// An AWS service acting for this account only (`aws:SourceAccount`).
    Service(String),
    /// A service that does not pass `aws:SourceAccount` when it assumes a role.
    ServiceUnchecked(String),
    /// Pods of this account's EKS clusters, through EKS Pod Identity (which tags the session).
    EksPods,
    /// GitHub Actions runs of `repository` matching `subjects`, through the OIDC provider.
    Github { provider: Expr<String>, repository: String, subjects: Vec<Subject> },
}

/// A role that an AWS service assumes, with inline policies: nothing outside the stack can
/// grow its permissions. AWS-managed policies are attached only where AWS defines what a
/// service role needs (RDS enhanced monitoring, EKS nodes).
#[derive(Debug, Clone)]
#[must_use = "a role does nothing until built into a stack"]
pub struct Role {
    key: String,
    name: Expression,
    trust: Trust,
    policies: Vec<(String, Vec<Statement>)>,
    managed: Vec<String>,
}

impl Role {
    /// Role `key` called `name`, assumable by `service` (e.g. `ecs-tasks.amazonaws.com`) when
    /// it acts for this account: `aws:SourceAccount` stops another account's resources from
    /// making the service act with this role (the confused-deputy problem).
    pub fn for_service(key: impl Into<String>, name: impl Into<Expression>, service: &str) -> Self {
        Self {
            key: key.into(),
            name: name.into(),
            trust: Trust::Service(service.to_owned()),
            policies: Vec::new(),
            managed: Vec::new(),
        }
    }

    /// Role `key` called `name` for Kubernetes pods, through an EKS Pod Identity association
    /// (`aws_eks_pod_identity_association`) of this account's clusters: no OIDC provider, and
    /// the session carries the cluster, namespace and service account as tags.
    pub fn for_eks_pods(key: impl Into<String>, name: impl Into<Expression>) -> Self {
        Self { key: key.into(), name: name.into(), trust: Trust::EksPods, policies: Vec::new(), managed: Vec::new() }
    }

    /// Role `key` called `name` for GitHub Actions: workflow runs of `repository`
    /// (`owner/name`) matching one of `subjects` assume it with their OIDC token
    /// (`aws-actions/configure-aws-credentials` with `role-to-assume`), and nothing else can,
    /// so no access key is stored in the repository.
    pub fn for_github_actions(
        key: impl Into<String>,
        name: impl Into<Expression>,
        provider: &GithubOidcRef,
        repository: &str,
        subjects: &[Subject],
    ) -> Self {
        let trust = Trust::Github {
            provider: provider.arn.clone(),
            repository: repository.to_owned(),
            subjects: subjects.to_vec(),
        };
        Self { key: key.into(), name: name.into(), trust, policies: Vec::new(), managed: Vec::new() }
    }

    /// Trusts the service without the `aws:SourceAccount` condition, for services that do not
    /// pass it when they assume a role (the EKS control plane, EC2 instances).
    pub fn without_source_check(mut self) -> Self {
        self.trust = match self.trust {
            Trust::Service(s) | Trust::ServiceUnchecked(s) => Trust::ServiceUnchecked(s),
            // EKS Pod Identity always passes the account; GitHub is not a service.
            other @ (Trust::EksPods | Trust::Github { .. }) => other,
        };
        self
    }

    /// Adds inline policy `name`.
    pub fn policy(mut self, name: impl Into<String>, statements: Vec<Statement>) -> Self {
        self.policies.push((name.into(), statements));
        self
    }

    /// Attaches the AWS-managed policy `arn`.
    pub fn managed_policy(mut self, arn: impl Into<String>) -> Self {
        self.managed.push(arn.into());
        self
    }

    /// Adds the role, its inline policies and attachments.
    pub fn build(self, ctx: &mut Context) -> RoleRef {
        ctx.within("iam", |ctx| {
            let account = *ctx.account();
            let trust = match &self.trust {
                Trust::Service(service) => Statement::allow(["sts:AssumeRole"]).service(service.as_str()).when(
                    "StringEquals",
                    "aws:SourceAccount",
                    account.id.as_str(),
                ),
                Trust::ServiceUnchecked(service) => Statement::allow(["sts:AssumeRole"]).service(service.as_str()),
                Trust::EksPods => Statement::allow(["sts:AssumeRole", "sts:TagSession"])
                    .service("pods.eks.amazonaws.com")
                    .when("StringEquals", "aws:SourceAccount", account.id.as_str()),
                Trust::Github { provider, repository, subjects } => {
                    github_trust(ctx, &self.key, provider.clone(), repository, subjects)
                }
            };
            let role = ctx.add(
                Resource::new("aws_iam_role", &self.key)
                    .set("name", self.name)
                    .set("assume_role_policy", policy([trust])),
            );
            for (policy_name, statements) in self.policies {
                ctx.add(
                    Resource::new("aws_iam_role_policy", snake(&format!("{}_{policy_name}", self.key)))
                        .set("name", policy_name)
                        .set("role", role.id())
                        .set("policy", policy(statements)),
                );
            }
            for arn in self.managed {
                let short = arn.rsplit('/').next().unwrap_or_default();
                ctx.add(
                    Resource::new("aws_iam_role_policy_attachment", snake(&format!("{}_{short}", self.key)))
                        .set("role", role.attr("name"))
                        .set("policy_arn", arn),
                );
            }
            RoleRef { arn: role.arn(), name: role.attr("name").typed(), resource: role }
        })
    }
}

/// The trust statement of a GitHub Actions role; an invalid repository or subject is reported.
fn github_trust(
    ctx: &mut Context,
    key: &str,
    provider: Expr<String>,
    repository: &str,
    subjects: &[Subject],
) -> Statement {
    let at = format!("aws_iam_role.{key}");
    if !valid_repository(repository) {
        let message = format!("repository `{repository}` is not `owner/name`");
        ctx.problem_at(&at, "assume_role_policy", message, "name the repository as GitHub does, e.g. `company/app`");
    }
    if subjects.is_empty() {
        let help = "trust a GitHub environment (Subject::environment) or a branch";
        ctx.problem_at(&at, "assume_role_policy", "no subject: every run of the repository could assume it", help);
    }
    for problem in subjects.iter().filter_map(Subject::problem) {
        let help = "use the environment's or branch's exact name; only tag patterns take `*`";
        ctx.problem_at(&at, "assume_role_policy", problem, help);
    }
    let claims: Vec<String> = subjects.iter().map(|s| s.claim(repository)).collect();
    let operator = if claims.iter().any(|c| c.contains('*')) { "StringLike" } else { "StringEquals" };
    Statement::allow(["sts:AssumeRoleWithWebIdentity"])
        .federated(provider)
        .when("StringEquals", format!("{GITHUB_ISSUER}:aud"), "sts.amazonaws.com")
        .when(operator, format!("{GITHUB_ISSUER}:sub"), claims)
}

/// `AmazonEKS_CNI_Policy` -> `amazon_eks_cni_policy`: a Terraform name from an AWS one.
fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let after_lower = i > 0 && (chars[i - 1].is_ascii_lowercase() || chars[i - 1].is_ascii_digit());
            let before_lower =
                chars.get(i + 1).is_some_and(char::is_ascii_lowercase) && i > 0 && chars[i - 1].is_ascii_uppercase();
            if (after_lower || before_lower) && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn aws_names_become_terraform_names() {
        assert_eq!(super::snake("AmazonEKS_CNI_Policy"), "amazon_eks_cni_policy");
        assert_eq!(
            super::snake("nodes_AmazonEC2ContainerRegistryReadOnly"),
            "nodes_amazon_ec2_container_registry_read_only"
        );
        assert_eq!(super::snake("app-task_task"), "app_task_task");
    }
}
