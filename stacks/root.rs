//! What every stack's root module starts with: version pins, the S3 state backend with
//! locking, and the AWS provider with default tags.

use super::Env;
use crate::modules::Account;
use crate::prelude::*;

/// A stack for `project` in `env`: Terraform >= 1.5, hashicorp/aws ~> 5.100, state in
/// `<project>-terraform-state` under `<state_env>/terraform.tfstate` locked by
/// `<project>-terraform-locks`, and default tags `Project`, `Environment` plus `extra_tags`.
pub fn root(project: &str, env: Env, account: &Account, state_env: &str, extra_tags: &[(&str, &str)]) -> Stack {
    let mut stack = Stack::new(project, env.name());
    account.check(&mut stack);
    let tf = stack.terraform();
    tf.required_version = Some(">= 1.5.0".into());
    let aws = RequiredProvider { source: "hashicorp/aws".into(), version: "~> 5.100".into() };
    tf.required_providers.insert("aws".into(), aws);
    let key = format!("{state_env}/terraform.tfstate");
    let backend = S3Backend::new(format!("{project}-terraform-state"), key, account.region);
    tf.backend = Some(backend.lock_table(format!("{project}-terraform-locks")));
    let tags = [("Project", project), ("Environment", env.name())].into_iter().chain(extra_tags.iter().copied());
    stack.provider(Provider::aws(account.region).default_tags(tags));
    stack
}
