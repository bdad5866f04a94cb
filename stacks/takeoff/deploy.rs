//! The role seed 002's release workflow assumes (`AWS_DEPLOY_ROLE_ARN`, L1934-L2035): it
//! pushes the three images, runs the migrations task and rolls the API and worker services,
//! and nothing else.

use super::Settings;
use super::services::Built;
use tfsynth::modules::Context;
use tfsynth::modules::ci_identity::Subject;
use tfsynth::modules::iam::{Role, RoleRef, Statement};
use tfsynth::prelude::*;

/// ECR's layer and manifest actions `docker push` (and the build cache's pulls) need.
const PUSH: &[&str] = &[
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:GetDownloadUrlForLayer",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
];

/// The deploy role, trusted by the workflow's jobs in the GitHub environment named like the
/// stack's. Seed fix: the seed's build job runs outside any environment; it must declare
/// `environment: <env>` too, so only runs the environment's protection rules let through
/// can assume the role (a branch subject would let any workflow on the branch push images).
pub(super) fn role(ctx: &mut Context, s: &Settings, env: &str, built: &Built) -> RoleRef {
    let account = *ctx.account();
    let github = super::super::ci::github(ctx);
    // `arn:aws:ecs:<region>:<account>:<kind>/<name><rest>`
    let ecs = |kind: &str, name: &Expr<String>, rest: &str| {
        template![format!("arn:aws:ecs:{}:{}:{kind}/", account.region, account.id), name.clone(), rest]
    };
    let statements = vec![
        // GetAuthorizationToken has no resource.
        Statement::allow(["ecr:GetAuthorizationToken"]).sid("EcrLogin").on("*"),
        built
            .repositories
            .iter()
            .fold(Statement::allow(PUSH.iter().copied()).sid("PushImages"), |st, r| st.on(r.arn.clone())),
        Statement::allow(["ecs:RunTask"])
            .sid("RunMigrations")
            .on(ecs("task-definition", &built.migrations.family, ":*"))
            .when("ArnEquals", "ecs:cluster", built.cluster.arn.clone()),
        Statement::allow(["ecs:DescribeTasks"]).sid("WatchMigrations").on(ecs("task", &built.cluster.name, "/*")),
        Statement::allow(["ecs:UpdateService", "ecs:DescribeServices"])
            .sid("RollServices")
            .on(built.api.arn.clone())
            .on(built.worker.arn.clone()),
        Statement::allow(["iam:PassRole"])
            .sid("PassMigrationRoles")
            .on(built.migrations.task_role.arn.clone())
            .on(built.migrations.execution_role.arn.clone())
            .when("StringEquals", "iam:PassedToService", "ecs-tasks.amazonaws.com"),
    ];
    Role::for_github_actions(
        "deploy",
        format!("takeoff-{env}-deploy"),
        &github,
        s.repository,
        &[Subject::environment(env)],
    )
    .policy("deploy", statements)
    .build(ctx)
}
