//! Identities for CI without stored keys: GitHub Actions' OIDC provider, and the
//! subjects a role trusts ([`Role::for_github_actions`](super::iam::Role::for_github_actions)).
//!
//! ```
//! use tfsynth::modules::prelude::*;
//!
//! let mut ctx = Context::new(Stack::new("ci", "production"), Account::new("123456789012", "us-east-1"));
//! ctx.provider(Provider::aws("us-east-1"));
//! let github = GithubOidc::new("github").build(&mut ctx);
//! Role::for_github_actions("deploy", "deploy", &github, "company/app", &[Subject::environment("production")])
//!     .build(&mut ctx);
//! validate(&ctx.finish())?;
//! # Ok::<(), tfsynth::Error>(())
//! ```

use super::iam::Statement;
use super::{Account, Context};
use crate::prelude::*;

/// The role the generated workflow's plan jobs assume in each stack's account (the registry's
/// `ci` stack creates it: read-only, pull requests and `main`).
pub const PLAN_ROLE: &str = "tfsynth-plan";

/// The role the generated workflow's apply jobs of `environment` assume in each stack's account.
pub fn apply_role(environment: &str) -> String {
    format!("tfsynth-apply-{environment}")
}

/// The issuer of GitHub Actions' tokens.
pub const GITHUB_ISSUER: &str = "token.actions.githubusercontent.com";

/// GitHub Actions' OIDC provider: one per account, so one stack owns it and the
/// others refer to it ([`GithubOidcRef::existing`] or a cross-stack import).
#[derive(Debug, Clone)]
#[must_use = "a provider does nothing until built into a stack"]
pub struct GithubOidc {
    key: String,
}

/// The provider, for the roles that trust it.
#[derive(Debug, Clone)]
pub struct GithubOidcRef {
    /// The provider's ARN.
    pub arn: Expr<String>,
}

impl GithubOidcRef {
    /// The provider of `account`, created by another stack: its ARN follows from the account.
    pub fn existing(account: &Account) -> Self {
        Self { arn: Expr::from(format!("arn:aws:iam::{}:oidc-provider/{GITHUB_ISSUER}", account.id)) }
    }

    /// The provider whose ARN is `arn` (e.g. imported from the stack that owns it).
    pub fn from_arn(arn: Expr<String>) -> Self {
        Self { arn }
    }
}

impl GithubOidc {
    /// The provider, keyed `key`. AWS trusts GitHub's certificate authority itself, so no
    /// thumbprint is pinned (a pinned one breaks when GitHub rotates its certificate).
    pub fn new(key: impl Into<String>) -> Self {
        Self { key: key.into() }
    }

    /// Adds the provider, for tokens whose audience is STS.
    pub fn build(self, ctx: &mut Context) -> GithubOidcRef {
        ctx.within("iam", |ctx| {
            let provider = ctx.add(
                Resource::new("aws_iam_openid_connect_provider", &self.key)
                    .set("url", format!("https://{GITHUB_ISSUER}"))
                    .set("client_id_list", vec!["sts.amazonaws.com"]),
            );
            GithubOidcRef { arn: provider.arn() }
        })
    }
}

/// Which workflow runs of a repository a role trusts: the token's `sub` claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// Jobs that run in a GitHub environment (`environment: production`), which can require
    /// reviewers and restrict branches.
    Environment(String),
    /// Runs on a branch (`refs/heads/<name>`) outside an environment.
    Branch(String),
    /// Runs on a tag; `*` matches any characters (`v*`).
    Tag(String),
    /// Pull-request runs: read-only work such as a plan.
    PullRequest,
}

impl Subject {
    /// Jobs in GitHub environment `name`.
    pub fn environment(name: impl Into<String>) -> Self {
        Self::Environment(name.into())
    }

    /// Runs on branch `name`.
    pub fn branch(name: impl Into<String>) -> Self {
        Self::Branch(name.into())
    }

    /// Runs on tags matching `pattern`.
    pub fn tag(pattern: impl Into<String>) -> Self {
        Self::Tag(pattern.into())
    }

    /// The `sub` claim for `repository` (`owner/name`).
    pub(crate) fn claim(&self, repository: &str) -> String {
        match self {
            Self::Environment(name) => format!("repo:{repository}:environment:{name}"),
            Self::Branch(name) => format!("repo:{repository}:ref:refs/heads/{name}"),
            Self::Tag(pattern) => format!("repo:{repository}:ref:refs/tags/{pattern}"),
            Self::PullRequest => format!("repo:{repository}:pull_request"),
        }
    }

    /// What is wrong with the subject's name, if anything.
    pub(crate) fn problem(&self) -> Option<String> {
        let (what, name) = match self {
            Self::Environment(n) => ("environment", n),
            Self::Branch(n) => ("branch", n),
            Self::Tag(n) => ("tag pattern", n),
            Self::PullRequest => return None,
        };
        let wildcard = name.contains('*') && !matches!(self, Self::Tag(_));
        (name.is_empty() || wildcard || name.contains(':'))
            .then(|| format!("{what} `{name}` is empty, holds `:` or is a wildcard"))
    }
}

/// Whether `repository` reads `owner/name`.
pub(crate) fn valid_repository(repository: &str) -> bool {
    let ok = |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    matches!(repository.split_once('/'), Some((owner, name)) if ok(owner) && ok(name))
}

/// The IAM service whose actions manage an AWS resource type, by type prefix (the longest
/// prefix wins): what an apply role needs for the types its stacks hold.
const SERVICES: &[(&str, &str)] = &[
    ("aws_acm_", "acm"),
    ("aws_appautoscaling_", "application-autoscaling"),
    ("aws_autoscaling_", "autoscaling"),
    ("aws_budgets_", "budgets"),
    ("aws_cloudfront_", "cloudfront"),
    ("aws_cloudtrail", "cloudtrail"),
    ("aws_cloudwatch_dashboard", "cloudwatch"),
    ("aws_cloudwatch_event_", "events"),
    ("aws_cloudwatch_log_", "logs"),
    ("aws_cloudwatch_metric_alarm", "cloudwatch"),
    ("aws_db_", "rds"),
    ("aws_default_security_group", "ec2"),
    ("aws_dynamodb_", "dynamodb"),
    ("aws_ec2_", "ec2"),
    ("aws_ecr_", "ecr"),
    ("aws_ecs_", "ecs"),
    ("aws_eip", "ec2"),
    ("aws_eks_", "eks"),
    ("aws_elasticache_", "elasticache"),
    ("aws_flow_log", "ec2"),
    ("aws_iam_", "iam"),
    ("aws_instance", "ec2"),
    ("aws_internet_gateway", "ec2"),
    ("aws_kinesis_firehose_", "firehose"),
    ("aws_kms_", "kms"),
    ("aws_lambda_", "lambda"),
    ("aws_launch_template", "ec2"),
    ("aws_lb", "elasticloadbalancing"),
    ("aws_nat_gateway", "ec2"),
    ("aws_network_acl", "ec2"),
    ("aws_rds_", "rds"),
    ("aws_route", "ec2"),
    ("aws_route53_", "route53"),
    ("aws_s3_", "s3"),
    ("aws_secretsmanager_", "secretsmanager"),
    ("aws_security_group", "ec2"),
    ("aws_service_discovery_", "servicediscovery"),
    ("aws_sns_", "sns"),
    ("aws_sqs_", "sqs"),
    ("aws_ssm_", "ssm"),
    ("aws_subnet", "ec2"),
    ("aws_vpc", "ec2"),
    ("aws_vpn_", "ec2"),
    ("aws_wafv2_", "wafv2"),
];

/// The IAM service that manages AWS resource type `ty` (`aws_db_instance` → `rds`), if the
/// table knows it.
pub fn service_of(ty: &str) -> Option<&'static str> {
    SERVICES.iter().filter(|(prefix, _)| ty.starts_with(prefix)).max_by_key(|(prefix, _)| prefix.len()).map(|(_, s)| *s)
}

/// IAM: roles, their policies, instance profiles and OIDC providers — no users, groups or
/// access keys, which no stack manages.
const IAM_ACTIONS: &[&str] = &[
    "iam:Get*",
    "iam:List*",
    // CreateRole, DeleteRole, UpdateRole, TagRole, PassRole, CreateServiceLinkedRole, …
    "iam:*Role",
    // Put/Delete/Attach/DetachRolePolicy, UpdateAssumeRolePolicy.
    "iam:*RolePolicy",
    "iam:CreatePolicy",
    "iam:DeletePolicy",
    "iam:TagPolicy",
    "iam:UntagPolicy",
    "iam:*PolicyVersion",
    "iam:*InstanceProfile",
    "iam:*OpenIDConnectProvider*",
];

/// S3: buckets and their configurations; objects only through the state statement.
const S3_ACTIONS: &[&str] = &["s3:*Bucket*", "s3:*Configuration", "s3:ListAllMyBuckets"];

/// What a role that runs `terraform apply` for a set of stacks may do, derived from the
/// stacks: each AWS service whose types they manage or read (IAM and S3 narrowed to what
/// stacks manage: roles, policies, buckets), and read and write access to exactly their state
/// objects and lock files — not to another environment's state.
#[derive(Debug, Clone, Default)]
pub struct ApplyAccess {
    services: std::collections::BTreeSet<&'static str>,
    unknown: std::collections::BTreeSet<String>,
    states: std::collections::BTreeSet<(String, String)>,
}

impl ApplyAccess {
    /// Access for no stack yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds what `stack` manages and reads, and its state object.
    pub fn stack(mut self, stack: &Stack) -> Self {
        for block in stack.blocks().iter().filter(|b| b.provider_name() == "aws") {
            let ty = &block.address().ty;
            match service_of(ty) {
                Some(service) => {
                    self.services.insert(service);
                }
                None => {
                    self.unknown.insert(ty.clone());
                }
            }
        }
        if let Some(backend) = &stack.terraform_settings().backend {
            self.states.insert((backend.bucket.clone(), backend.key.clone()));
        }
        self
    }

    /// Adds what `other` holds.
    pub fn merge(mut self, other: &ApplyAccess) -> Self {
        self.services.extend(other.services.iter().copied());
        self.unknown.extend(other.unknown.iter().cloned());
        self.states.extend(other.states.iter().cloned());
        self
    }

    /// AWS types the service table does not know: the role could not manage them.
    pub fn unknown_types(&self) -> impl Iterator<Item = &str> {
        self.unknown.iter().map(String::as_str)
    }

    /// The IAM services, by prefix (`rds`, `ec2`, …).
    pub fn services(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.services.iter().copied()
    }

    /// The statements of the role's policy.
    pub fn statements(&self) -> Vec<Statement> {
        let mut statements = Vec::new();
        let managed: Vec<String> =
            self.services.iter().filter(|s| !["iam", "s3"].contains(s)).map(|s| format!("{s}:*")).collect();
        if !managed.is_empty() {
            statements.push(Statement::allow(managed).sid("ManageStackServices").on("*"));
        }
        if self.services.contains("iam") {
            statements.push(Statement::allow(IAM_ACTIONS.iter().copied()).sid("ManageRoles").on("*"));
        }
        if self.services.contains("s3") {
            statements.push(Statement::allow(S3_ACTIONS.iter().copied()).sid("ManageBuckets").on("*"));
        }
        if !self.states.is_empty() {
            let objects = self.states.iter().flat_map(|(bucket, key)| {
                [format!("arn:aws:s3:::{bucket}/{key}"), format!("arn:aws:s3:::{bucket}/{key}.tflock")]
            });
            let read_write = Statement::allow(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]).sid("StateObjects");
            statements.push(objects.fold(read_write, Statement::on));
            let buckets: std::collections::BTreeSet<&str> = self.states.iter().map(|(b, _)| b.as_str()).collect();
            let list = Statement::allow(["s3:ListBucket"]).sid("StateBuckets");
            statements.push(buckets.into_iter().map(|b| format!("arn:aws:s3:::{b}")).fold(list, Statement::on));
        }
        statements
    }
}
