//! The ECS services: API, Celery worker and web frontend, the one-off migrations task, their
//! secrets and their storage.

use super::Settings;
use tfsynth::modules::Context;
use tfsynth::modules::alarms::{ServiceAlarms, TopicRef};
use tfsynth::modules::cache::{CacheRef, ClientAuth};
use tfsynth::modules::compute::{
    Capacity, Cluster, ClusterRef, Container, HealthCheck, Scaling, Service, ServiceRef, Statistic, Target, Task,
    TaskRef,
};
use tfsynth::modules::container_registry::{Repository, RepositoryRef};
use tfsynth::modules::database::DatabaseRef;
use tfsynth::modules::iam::Statement;
use tfsynth::modules::load_balancing::{AlbRef, TargetGroupRef};
use tfsynth::modules::networking::SecurityGroupRef;
use tfsynth::modules::secrets::{Generated, Password, Rotation, Secret};
use tfsynth::modules::storage::{AccessLogs, Bucket, BucketRef};
use tfsynth::prelude::*;

/// What the services are wired to.
pub(super) struct Wiring<'a> {
    pub alb: &'a AlbRef,
    pub api: &'a TargetGroupRef,
    pub frontend: &'a TargetGroupRef,
    pub db: &'a DatabaseRef,
    pub db_password: &'a Generated,
    pub cache: &'a CacheRef,
    pub tasks: &'a SecurityGroupRef,
    pub topic: &'a TopicRef,
    pub logs: &'a BucketRef,
}

/// What the services give the rest of the stack.
pub(super) struct Built {
    pub cluster: ClusterRef,
    pub api: ServiceRef,
    pub worker: ServiceRef,
    pub migrations: TaskRef,
    pub repositories: [RepositoryRef; 3],
}

pub(super) fn build(ctx: &mut Context, s: &Settings, prefix: &str, env: &str, w: &Wiring<'_>) -> Option<Built> {
    let tag = ctx.variable(
        Variable::new("image_tag", "string")
            .description("Image tag of the takeoff-api, -worker and -frontend images")
            .default(s.image_tag)
            .validation(length(var("image_tag")).greater_than(0), "The image tag must not be empty."),
    );
    // Seed 002's repositories, keeping the last 10 images (seed 003's lifecycle).
    let repositories =
        ["api", "worker", "frontend"].map(|r| Repository::new(r, format!("takeoff-{r}")).tags(s.image_tags).build(ctx));
    let [api_repo, worker_repo, frontend_repo] = repositories.each_ref().map(|r| r.url.clone());
    let image = |url: &Expr<String>| template![url.clone(), ":", tag.clone()];
    let storage = Bucket::new("storage", format!("{prefix}-storage-{}", s.account.id))
        .access_logs(AccessLogs::To(w.logs.clone()))
        .build(ctx);
    let anthropic = Secret::new("anthropic_api_key", format!("{prefix}/anthropic-api-key"))
        .description("Claude API key")
        .rotation(Rotation::AtSource("issued by the provider; rotate it there and update the secret"))
        .build(ctx);
    // Seed 002's SECRET_KEY signs sessions and tokens: generated, written write-only.
    let signing = Password::new("secret_key", 64).without_special().build(ctx);
    let app_key = Secret::new("secret_key", format!("{prefix}/secret-key"))
        .description("Application signing key")
        .write_only(signing.value, s.credentials_version)
        .build(ctx);
    let database_url = Secret::new("database_url", format!("{prefix}/database-url"))
        .description("PostgreSQL URL of the takeoff database")
        .write_only(
            template![
                "postgresql://takeoff_admin:",
                w.db_password.value.clone(),
                "@",
                w.db.endpoint.clone(),
                "/takeoff"
            ],
            s.credentials_version,
        )
        .build(ctx);

    let ClientAuth::Iam { user: redis_user, user_arn: redis_user_arn } = w.cache.auth.clone() else {
        let help = "build the cache with Auth::Iam";
        ctx.problem(w.cache.resource.path(), "takeoff's services sign in to Redis with IAM", help);
        return None;
    };
    // Seed fix: DATABASE_URL pointed at the whole JSON secret; it is now the URL itself.
    let app = |name: &str, repo: &Expr<String>, port: Option<u16>| {
        let c = Container::new(name, image(repo))
            .env("ENVIRONMENT", env)
            .env("LOG_LEVEL", s.log_level)
            .env("REDIS_HOST", &w.cache.primary_endpoint)
            .env("REDIS_USER", redis_user.as_str())
            .env("STORAGE_BUCKET", &storage.name)
            .secret("DATABASE_URL", &database_url)
            .secret("ANTHROPIC_API_KEY", &anthropic)
            .secret("SECRET_KEY", &app_key);
        match port {
            Some(p) => c.port(p).health(HealthCheck::http(p, "/health")),
            None => c,
        }
    };
    let data_access = [
        Statement::allow(["s3:ListBucket"]).sid("ListStorage").on(storage.arn.clone()),
        Statement::allow(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"])
            .sid("Storage")
            .on(template![storage.arn.clone(), "/*"]),
        Statement::allow(["kms:Decrypt", "kms:GenerateDataKey"])
            .sid("StorageKey")
            .on(ctx.key().map_or_else(|| Expr::from(""), |k| k.arn.clone())),
        Statement::allow(["elasticache:Connect"]).sid("Cache").on(w.cache.arn.clone()).on(redis_user_arn),
    ];
    let grant = |svc: Service| data_access.iter().cloned().fold(svc, Service::allow).security_group(w.tasks);
    let cluster = Cluster::new("main", prefix).log_retention(s.log_retention).build(ctx);

    let (api_min, api_max) = s.tasks.api;
    let api = Service::new("api", &cluster, app("api", &api_repo, Some(super::security::API_PORT)))
        .size(1024, 2048)
        .desired(api_min)
        .behind(w.alb, w.api)
        .autoscale(
            Scaling::new(api_min, api_max)
                .target(Target::Cpu(70.0))
                .target(Target::Memory(80.0))
                .target(Target::RequestsPerTarget(1000.0)),
        );
    let api = grant(api).build(ctx);

    let (worker_min, worker_max) = s.tasks.worker;
    // Seed fix: the seed gave workers a scaling target but no policy; they track CPU and the
    // queue depth per worker (100, the runbook's figure) that the workers publish.
    let queue = Target::Custom {
        namespace: "Takeoff/Worker",
        metric: "QueueDepthPerWorker",
        statistic: Statistic::Average,
        value: 100.0,
    };
    let worker = Service::new(
        "worker",
        &cluster,
        app("worker", &worker_repo, None).command(["celery", "-A", "app.worker", "worker", "--loglevel=INFO"]),
    )
    .size(2048, 4096)
    .desired(worker_min)
    .capacity(Capacity::Spot)
    .deployment(200, 50)
    .autoscale(Scaling::new(worker_min, worker_max).target(Target::Cpu(70.0)).target(queue));
    let worker = grant(worker).build(ctx);

    let (web_min, web_max) = s.tasks.frontend;
    let frontend = Container::new("frontend", image(&frontend_repo))
        .port(8080)
        .health(HealthCheck::http(8080, "/health"))
        .env("ENVIRONMENT", env);
    let frontend = Service::new("frontend", &cluster, frontend)
        .size(512, 1024)
        .desired(web_min)
        .behind(w.alb, w.frontend)
        .security_group(w.tasks)
        .autoscale(Scaling::new(web_min, web_max).target(Target::Cpu(70.0)))
        .build(ctx);

    // Seed 002's deploy job runs `alembic upgrade head` as task `<prefix>-migrations` before
    // updating the services.
    let migrations = app("migrations", &api_repo, None).command(["alembic", "upgrade", "head"]);
    let migrations =
        Task::new("migrations", &cluster, migrations).size(512, 1024).family(format!("{prefix}-migrations"));
    let migrations = data_access.iter().cloned().fold(migrations, Task::allow).build(ctx);

    // The seed 003 alarm set, for every service; the load balancer alarms where there is one.
    ServiceAlarms::new("api", w.topic, &api).load_balancer(w.alb, w.api).build(ctx);
    ServiceAlarms::new("worker", w.topic, &worker).build(ctx);
    ServiceAlarms::new("frontend", w.topic, &frontend).load_balancer(w.alb, w.frontend).build(ctx);
    Some(Built { cluster, api, worker, migrations, repositories })
}
