//! The ECS services: API, Celery worker and web frontend, their secrets and their storage.

use super::Settings;
use crate::modules::KmsKey;
use crate::modules::alarms::{Topic, service_alarms};
use crate::modules::cache::{Cache, ClientAuth};
use crate::modules::compute::{Capacity, Cluster, Container, HealthCheck, Scaling, Service, Target};
use crate::modules::database::Database;
use crate::modules::iam::Statement;
use crate::modules::load_balancing::LoadBalancer;
use crate::modules::networking::{Network, SecurityGroup};
use crate::modules::registry::repository;
use crate::modules::secrets::{Rotation, SecretRef, secret};
use crate::modules::storage::{AccessLogs, Bucket, Encryption};
use crate::prelude::*;

/// What the services are wired to.
pub(super) struct Wiring<'a> {
    pub net: &'a Network,
    pub kms: &'a KmsKey,
    pub alb: &'a LoadBalancer,
    pub db: &'a Database,
    pub cache: &'a Cache,
    pub tasks: &'a SecurityGroup,
}

pub(super) fn build(stack: &mut Stack, s: &Settings, prefix: &str, env: &str, w: &Wiring<'_>) {
    let tag = stack.variable(
        Variable::new("image_tag", "string")
            .description("Image tag of the takeoff-api, -worker and -frontend images")
            .default(s.image_tag)
            .validation(length(var("image_tag")).greater_than(0), "The image tag must not be empty."),
    );
    // Seed 002's repositories, keeping the last 10 images (seed 003's lifecycle).
    let [api_repo, worker_repo, frontend_repo] =
        ["api", "worker", "frontend"].map(|r| repository(stack, r, &format!("takeoff-{r}"), w.kms, 10));
    let image = |url: &Expr<String>| template![url.clone(), ":", tag.clone()];
    let logs = Bucket::for_access_logs("access_logs", format!("{prefix}-access-logs-{}", s.account.id), &s.account)
        .build(stack);
    let storage = Bucket::new("storage", format!("{prefix}-storage-{}", s.account.id))
        .encryption(Encryption::Kms(w.kms.clone()))
        .access_logs(AccessLogs::To(logs))
        .build(stack);
    let third_party = "issued by the provider; rotate it there and update the secret";
    let anthropic = secret(
        stack,
        "anthropic_api_key",
        format!("{prefix}/anthropic-api-key"),
        "Claude API key",
        w.kms,
        Rotation::AtSource(third_party),
    );
    let app_key = secret(
        stack,
        "secret_key",
        format!("{prefix}/secret-key"),
        "Application signing key",
        w.kms,
        Rotation::AtSource("rotated with application releases, which re-sign sessions"),
    );
    let db_secret = SecretRef::external(w.db.master_secret_arn.clone());

    let ClientAuth::Iam { user: redis_user, user_arn: redis_user_arn } = w.cache.auth.clone() else {
        let help = "build the cache with Auth::Iam";
        stack.problem("aws_elasticache_replication_group.main", "takeoff's services sign in to Redis with IAM", help);
        return;
    };
    // Seed fix: DATABASE_URL pointed at the whole JSON secret; each value is now one JSON key.
    let app = |name: &str, repo: &Expr<String>, port: Option<u16>| {
        let c = Container::new(name, image(repo))
            .env("ENVIRONMENT", env)
            .env("LOG_LEVEL", s.log_level)
            .env("DATABASE_HOST", w.db.address.clone())
            .env("DATABASE_NAME", "takeoff")
            .env("REDIS_HOST", w.cache.primary_endpoint.clone())
            .env("REDIS_USER", redis_user.as_str())
            .env("STORAGE_BUCKET", storage.name.clone())
            .secret("DATABASE_USER", &db_secret, Some("username"))
            .secret("DATABASE_PASSWORD", &db_secret, Some("password"))
            .secret("ANTHROPIC_API_KEY", &anthropic, None)
            .secret("SECRET_KEY", &app_key, None);
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
        Statement::allow(["kms:Decrypt", "kms:GenerateDataKey"]).sid("StorageKey").on(w.kms.arn.clone()),
        Statement::allow(["elasticache:Connect"]).sid("Cache").on(w.cache.arn.clone()).on(redis_user_arn),
    ];
    let grant = |svc: Service| data_access.iter().cloned().fold(svc, Service::allow);
    let cluster = Cluster::new(prefix).log_retention(s.log_retention).build(stack, w.kms);
    let run = |stack: &mut Stack, svc: Service| svc.build(stack, &s.account, &cluster, w.net, w.kms, w.tasks);

    let (api_min, api_max) = s.tasks.api;
    let api = Service::new("api", app("api", &api_repo, Some(8000)))
        .size(1024, 2048)
        .desired(api_min)
        .behind(&w.alb.target_groups["api"])
        .autoscale(
            Scaling::new(api_min, api_max)
                .target(Target::Cpu(70.0))
                .target(Target::Memory(80.0))
                .target(Target::RequestsPerTarget(1000.0)),
        );
    let api = run(stack, grant(api));

    let (worker_min, worker_max) = s.tasks.worker;
    // Seed fix: the seed gave workers a scaling target but no policy; they track CPU and the
    // queue depth per worker (100, the runbook's figure) that the workers publish.
    let queue = Target::Custom {
        namespace: "Takeoff/Worker",
        metric: "QueueDepthPerWorker",
        statistic: "Average",
        value: 100.0,
    };
    let worker = Service::new(
        "worker",
        app("worker", &worker_repo, None).command(["celery", "-A", "app.worker", "worker", "--loglevel=INFO"]),
    )
    .size(2048, 4096)
    .desired(worker_min)
    .capacity(Capacity::Spot)
    .deployment(200, 50)
    .autoscale(Scaling::new(worker_min, worker_max).target(Target::Cpu(70.0)).target(queue));
    let worker = run(stack, grant(worker));

    let (web_min, web_max) = s.tasks.frontend;
    let frontend = Container::new("frontend", image(&frontend_repo))
        .port(8080)
        .health(HealthCheck::http(8080, "/health"))
        .env("ENVIRONMENT", env);
    let frontend = Service::new("frontend", frontend)
        .size(512, 1024)
        .desired(web_min)
        .behind(&w.alb.target_groups["frontend"])
        .autoscale(Scaling::new(web_min, web_max).target(Target::Cpu(70.0)));
    let frontend = run(stack, frontend);

    // The seed 003 alarm set, for every service; the load balancer alarms where there is one.
    let topic = Topic::new("alerts", format!("{prefix}-alerts")).email(s.alert_email).build(stack, w.kms);
    let tg = |name: &str| (&w.alb.arn_suffix, &w.alb.target_groups[name].arn_suffix);
    service_alarms(stack, &topic, "api", &cluster.name, &api.name, Some(tg("api")));
    service_alarms(stack, &topic, "worker", &cluster.name, &worker.name, None);
    service_alarms(stack, &topic, "frontend", &cluster.name, &frontend.name, Some(tg("frontend")));
}
