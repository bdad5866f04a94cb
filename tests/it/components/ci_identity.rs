//! GitHub Actions' OIDC provider and the roles workflows assume.

use super::*;
use tfsynth::modules::ci_identity::{GithubOidc, GithubOidcRef, Subject};
use tfsynth::modules::iam::Role;
use tfsynth::testing::{Template, array_with, exact, object_like};

#[test]
fn github_roles_trust_the_repository_s_environments_only() {
    let mut ctx = context("ci");
    let github = GithubOidc::new("github").build(&mut ctx);
    let subjects = [Subject::environment("production"), Subject::branch("main")];
    Role::for_github_actions("deploy", "app-deploy", &github, "company/app", &subjects).build(&mut ctx);
    Role::for_github_actions("release", "app-release", &github, "company/app", &[Subject::tag("v*")]).build(&mut ctx);
    let stack = ctx.finish();
    validate(&stack).unwrap_or_else(|e| panic!("{e}"));
    let doc = document(&stack);
    let provider = resource(&doc, "aws_iam_openid_connect_provider", "github");
    assert_eq!(provider["url"], "https://token.actions.githubusercontent.com");
    assert_eq!(provider["client_id_list"], json!(["sts.amazonaws.com"]));
    // The trust policies, matched as the documents they encode.
    let t = Template::from_stack(&stack);
    let trusted = |name: &str, condition: serde_json::Value| {
        let statement = object_like(json!({
            "Principal": {"Federated": "${aws_iam_openid_connect_provider.github.arn}"},
            "Action": ["sts:AssumeRoleWithWebIdentity"],
            "Condition": condition,
        }));
        t.has(
            "aws_iam_role",
            object_like(json!({"name": name, "assume_role_policy": {"Statement": array_with(vec![statement])}})),
        );
    };
    trusted(
        "app-deploy",
        json!({"StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": ["repo:company/app:environment:production", "repo:company/app:ref:refs/heads/main"],
        }}),
    );
    // A tag pattern needs StringLike; the audience stays exact.
    trusted(
        "app-release",
        json!({
            "StringEquals": exact(json!({"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"})),
            "StringLike": {"token.actions.githubusercontent.com:sub": ["repo:company/app:ref:refs/tags/v*"]},
        }),
    );
}

#[test]
fn github_role_mistakes_are_reported() {
    let mut ctx = context("ci");
    let github = GithubOidcRef::existing(&ACCOUNT);
    assert_eq!(
        render_expression(&github.arn.clone().into()),
        "\"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com\""
    );
    Role::for_github_actions("a", "a", &github, "app", &[Subject::environment("production")]).build(&mut ctx);
    Role::for_github_actions("b", "b", &github, "company/app", &[]).build(&mut ctx);
    Role::for_github_actions("c", "c", &github, "company/app", &[Subject::branch("release/*")]).build(&mut ctx);
    let found = messages(ctx);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found[0].contains("aws_iam_role.a: assume_role_policy: repository `app` is not `owner/name`"),
        "{found:#?}"
    );
    assert!(found[1].contains("aws_iam_role.b: assume_role_policy: no subject"), "{found:#?}");
    assert!(found[2].contains("aws_iam_role.c: assume_role_policy: branch `release/*`"), "{found:#?}");
}
