//! CI identities: GitHub Actions' OIDC provider in each application account, built
//! once and exported, so the roles that workflows assume — takeoff's deploy role today — trust
//! it without an access key stored anywhere. IAM allows one provider per issuer and account,
//! so it lives here rather than in whichever application stack came first.

use super::Env;
use tfsynth::modules::ci_identity::{ApplyAccess, GithubOidc, GithubOidcRef, PLAN_ROLE, Subject, apply_role};
use tfsynth::modules::iam::{self, Role, Statement};
use tfsynth::modules::{Account, Context, Foundation};
use tfsynth::prelude::*;

/// The registry entry.
pub const DEF: StackDef<Env> = StackDef {
    name: "ci",
    description: "CI identities: GitHub Actions' OIDC provider and the workflow's plan and apply roles in each account",
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
    /// The repository (`owner/name`) whose infrastructure workflow plans and applies.
    pub repository: &'static str,
}

/// The settings table: the seed stacks' accounts.
pub fn settings(env: Env) -> Settings {
    let id = match env {
        Env::Development => "111122223333",
        Env::Staging => "444455556666",
        Env::Production => "777788889999",
    };
    Settings { account: Account::new(id, "us-east-1"), repository: "company/infrastructure" }
}

/// Builds the CI identities of `env`'s account.
pub fn build(env: Env) -> Stack {
    let s = settings(env);
    let mut ctx = Foundation::new("ci", env, s.account).build();
    let github = GithubOidc::new("github").build(&mut ctx);
    // Plans read everything and write only the state lock files (S3-native locking).
    let plan = Role::for_github_actions(
        "plan",
        PLAN_ROLE,
        &github,
        s.repository,
        &[Subject::PullRequest, Subject::branch("main")],
    )
    .managed_policy("arn:aws:iam::aws:policy/ReadOnlyAccess")
    .policy(
        "state-locks",
        vec![
            Statement::allow(["s3:PutObject", "s3:DeleteObject"])
                .sid("StateLocks")
                .on("arn:aws:s3:::*-terraform-state/*.tflock"),
        ],
    )
    .build(&mut ctx);
    let apply = Role::for_github_actions(
        "apply",
        apply_role(env.name()),
        &github,
        s.repository,
        &[Subject::environment(env.name())],
    )
    .build(&mut ctx);
    // What the environment's stacks in this account manage, and their state objects alone.
    let access = access(env, &s.account, ApplyAccess::new().stack(&ctx));
    let why = "terraform apply manages every resource of these services that the environment's stacks hold, whose names it cannot know in advance; only this environment's approved apply jobs of the repository can assume the role";
    ctx.add(
        Resource::new("aws_iam_role_policy", "apply_stacks")
            .set("name", "stacks")
            .set("role", apply.name.clone())
            .set("policy", iam::policy(access.statements()))
            .skip_check("CKV_AWS_290", why)
            .skip_check("CKV_AWS_289", why)
            .skip_check("CKV_AWS_288", why)
            .skip_check("CKV_AWS_287", why)
            .skip_check("CKV_AWS_286", why)
            .skip_check("CKV_AWS_355", why),
    );
    ctx.approve(Approval::new("aws_iam_role_policy.apply_stacks", why));
    ctx.export(GITHUB_OIDC_ARN, github.arn, "GitHub Actions' OIDC provider, for the roles workflows assume");
    ctx.output(Output::new("plan_role_arn", plan.arn).description("The role the workflow's plan jobs assume"));
    ctx.output(Output::new("apply_role_arn", apply.arn).description("The role this environment's apply jobs assume"));
    ctx.finish()
}

/// What the apply role of `env` in `account` needs: `ci`'s (this stack's: the role applies it
/// too, once an administrator has applied it the first time) and every other stack of the
/// registry that deploys there in `env`.
pub fn access(env: Env, account: &Account, ci: ApplyAccess) -> ApplyAccess {
    // The other stacks are built once per environment and account, not on every build of this
    // one (a synth builds it several times).
    type Cache = std::sync::Mutex<Vec<((Env, String), ApplyAccess)>>;
    static OTHERS: Cache = std::sync::Mutex::new(Vec::new());
    let key = (env, account.id.as_str().to_owned());
    let mut cache = OTHERS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, others)) = cache.iter().find(|(k, _)| *k == key) {
        return ci.merge(others);
    }
    let deploys_here = |stack: &Stack| stack.account_id() == Some(account.id.as_str());
    let others = crate::registry()
        .stacks()
        .iter()
        .filter(|d| d.name != DEF.name)
        .map(|d| (d.build)(env))
        .filter(deploys_here)
        .fold(ApplyAccess::new(), |access, stack| access.stack(&stack));
    let merged = ci.merge(&others);
    cache.push((key, others));
    merged
}

/// The account's GitHub Actions provider, imported from this stack.
pub fn github(ctx: &mut Context) -> GithubOidcRef {
    GithubOidcRef::from_arn(ctx.import(GITHUB_OIDC_ARN))
}
