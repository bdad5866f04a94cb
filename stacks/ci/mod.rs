//! CI identities: GitHub Actions' OIDC provider in each application account, built
//! once and exported, so the roles that workflows assume — takeoff's deploy role today — trust
//! it without an access key stored anywhere. IAM allows one provider per issuer and account,
//! so it lives here rather than in whichever application stack came first.

use super::Env;
use tfsynth::modules::ci_identity::{GithubOidc, GithubOidcRef};
use tfsynth::modules::{Account, Context, Foundation};
use tfsynth::prelude::*;

/// The registry entry.
pub const DEF: StackDef<Env> = StackDef {
    name: "ci",
    description: "CI identities: GitHub Actions' OIDC provider of each application account (exported)",
    build,
    settings: Some(|env| settings_table(&settings(env))),
};

/// The provider's ARN.
pub const GITHUB_OIDC_ARN: Export<String> = Export::new("ci", "github_oidc_provider_arn");

/// What differs between environments.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Settings {
    /// The account the application stacks of the environment deploy to.
    pub account: Account,
}

/// The settings table: the seed stacks' accounts.
pub fn settings(env: Env) -> Settings {
    let id = match env {
        Env::Development => "111122223333",
        Env::Staging => "444455556666",
        Env::Production => "777788889999",
    };
    Settings { account: Account::new(id, "us-east-1") }
}

/// Builds the CI identities of `env`'s account.
pub fn build(env: Env) -> Stack {
    let mut ctx = Foundation::new("ci", env, settings(env).account).build();
    let github = GithubOidc::new("github").build(&mut ctx);
    ctx.export(GITHUB_OIDC_ARN, github.arn, "GitHub Actions' OIDC provider, for the roles workflows assume");
    ctx.finish()
}

/// The account's GitHub Actions provider, imported from this stack.
pub fn github(ctx: &mut Context) -> GithubOidcRef {
    GithubOidcRef::from_arn(ctx.import(GITHUB_OIDC_ARN))
}
