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
