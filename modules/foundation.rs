//! What a stack's root module starts with: version pins, an encrypted and locked S3 state
//! backend, and the AWS provider with default tags. [`Foundation::build`] returns the
//! [`Context`] components are built in.
//!
//! ```
//! use tfsynth::modules::{Account, Foundation};
//! use tfsynth::prelude::*;
//! # #[derive(Debug, Clone, Copy, PartialEq, Eq)] enum Env { Staging }
//! # impl Environment for Env {
//! #     const ALL: &'static [Self] = &[Env::Staging];
//! #     fn name(self) -> &'static str { "staging" }
//! #     fn tier(self) -> Tier { Tier::Staging }
//! # }
//! let ctx = Foundation::new("shop", Env::Staging, Account::new("123456789012", "eu-west-1"))
//!     .tag("CostCenter", "retail")
//!     .build();
//! let hcl = render(&ctx.finish(), Format::Hcl);
//! assert!(hcl.contains(r#"bucket       = "shop-terraform-state""#));
//! assert!(hcl.contains(r#"key          = "staging/terraform.tfstate""#));
//! assert!(hcl.contains("use_lockfile = true"));
//! assert!(hcl.contains(r#"CostCenter  = "retail""#));
//! ```

use super::{Account, Context};
use crate::prelude::*;

/// The root of a stack under construction.
#[derive(Debug, Clone)]
#[must_use = "a foundation does nothing until built"]
pub struct Foundation {
    project: String,
    environment: &'static str,
    tier: Tier,
    account: Account,
    state_bucket: Option<String>,
    state_key: Option<String>,
    tags: Vec<(String, String)>,
    terraform_version: Option<String>,
    aws_version: String,
}

impl Foundation {
    /// Stack `project` for `env` in `account`: Terraform >= 1.10.0 (the first with S3-native
    /// state locking), hashicorp/aws ~> 5.100, state in `<project>-terraform-state` under
    /// `<env>/terraform.tfstate` with lock-file locking, the provider limited to `account`, and
    /// default tags `Project` and `Environment`. Outside production, destroy may remove
    /// buckets and repositories that still hold data ([`Context::allow_teardown`]).
    pub fn new<E: Environment>(project: impl Into<String>, env: E, account: Account) -> Self {
        Self {
            project: project.into(),
            environment: env.name(),
            tier: env.tier(),
            account,
            state_bucket: None,
            state_key: None,
            tags: Vec::new(),
            terraform_version: None,
            aws_version: "~> 5.100".into(),
        }
    }

    /// The state bucket (default `<project>-terraform-state`).
    pub fn state_bucket(mut self, bucket: impl Into<String>) -> Self {
        self.state_bucket = Some(bucket.into());
        self
    }

    /// The state object's key (default `<env>/terraform.tfstate`).
    pub fn state_key(mut self, key: impl Into<String>) -> Self {
        self.state_key = Some(key.into());
        self
    }

    /// A default tag every taggable resource gets, after `Project` and `Environment`.
    pub fn tag(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.push((name.into(), value.into()));
        self
    }

    /// A Terraform version constraint of the stack's own. Without one the stack requires
    /// exactly the version the registry pins ([`PipelineSettings`](crate::prelude::PipelineSettings)),
    /// which a constraint must admit: `tfsynth pipeline` refuses one that does not.
    pub fn terraform_version(mut self, constraint: impl Into<String>) -> Self {
        self.terraform_version = Some(constraint.into());
        self
    }

    /// The hashicorp/aws version constraint.
    pub fn aws_version(mut self, constraint: impl Into<String>) -> Self {
        self.aws_version = constraint.into();
        self
    }

    /// The stack, ready for components.
    pub fn build(self) -> Context {
        let mut stack = Stack::new(self.project.as_str(), self.environment).with_tier(self.tier);
        let tf = stack.terraform();
        tf.required_version = self.terraform_version;
        tf.required_providers.insert("aws".into(), RequiredProvider::aws(self.aws_version));
        let bucket = self.state_bucket.unwrap_or_else(|| format!("{}-terraform-state", self.project));
        let key = self.state_key.unwrap_or_else(|| format!("{}/terraform.tfstate", self.environment));
        tf.backend = Some(S3Backend::new(bucket, key, self.account.region));
        let tags = [("Project".to_owned(), self.project.clone()), ("Environment".to_owned(), self.environment.into())]
            .into_iter()
            .chain(self.tags);
        // Credentials for another account (production's stack with development's role) are
        // refused before anything is read or changed.
        let provider = Provider::aws(self.account.region)
            .set("allowed_account_ids", vec![self.account.id.as_str()])
            .default_tags(tags);
        stack.provider(provider);
        let mut ctx = Context::new(stack, self.account);
        if self.tier != Tier::Production {
            ctx.allow_teardown("a non-production environment is torn down and rebuilt freely");
        }
        ctx
    }
}
