//! CVD (seed 000): the AI planogram system. A Flask app (port 5000) behind an ALB and an AI
//! service (port 5001) the app calls through Service Connect, scaling on its own request rate
//! on Fargate and Fargate Spot; PostgreSQL with read replicas in production; Redis with
//! failover in production; photos and DEX files in S3, static assets on CloudFront.
//!
//! | Seed 000 element | Where it is | Fix, and why |
//! |---|---|---|
//! | Terraform backend (L660-668) | [`Foundation`] | Seed fix: encrypted, locked (`use_lockfile`), one state key per environment |
//! | VPC module, 2-3 AZs (L670-688) | `Vpc::new("main", …)` | database subnets without a route out |
//! | ECS cluster `cvd-<env>`, `FARGATE` + `FARGATE_SPOT` (L690-699) | `Cluster::new("main", …)` | Container Insights, encrypted exec sessions |
//! | EC2 Spot capacity provider + ASG (L1889-1904) | `Ec2Capacity::new("spot", …)` | Seed fix: named `cvd-<env>-spot` (not `spot-capacity-provider`); the seed's ASG was never defined: a launch template with the ECS-optimised AMI from its SSM parameter, IMDSv2, encrypted disks, 0-10 instances |
//! | capacity reservation t3.medium × 2 (L1907-1912) | `CapacityReservation::new("baseline", …)`, production | Seed fix: production only; a reservation is billed whether used or not, and development shuts down nightly |
//! | RDS `cvd-<env>`, PostgreSQL 15.4, `cvd` / `cvd_admin`, backups 30/7 days 03:00-04:00, maintenance sun:04:00-05:00, log export (L702-727) | `Postgres::new("main", …)` | 15 tracks the newest 15.x minor; generated password written write-only |
//! | read replicas `<id>-read-<n>`, tag `Type = read-replica` (L1530-1555) | `.read_replicas(..)`, `.replica_identifier(..)`; the component tags replicas `Type = read-replica` | minor upgrades manual, as the seed's `auto_minor_version_upgrade = false` |
//! | ElastiCache Redis 7, cache.r6g.large × 2, failover in production (L729-745) | `Redis::new("main", …)` | Seed fix: IAM authentication instead of a generated password in state |
//! | ALB, HTTPS, target group 5000 `/health` (L747-760) | `Alb::new("main", …)` | TLS 1.3 policy, HTTP→HTTPS redirect, WAF |
//! | services `cvd-app` (5000, 2-10, CPU 70 % / memory 80 %, 300/60 s) and `cvd-ai` (5001, 100 requests/s per task, 600/120 s) (L762-800, L1455-1525) | `services()` | `cvd-ai` is reached through Service Connect (`AI_SERVICE_URL`) |
//! | task families `cvd-app-staging`, `cvd-app-prod` in the deploy scripts (L472, L515) | `cvd-<service>-<dev/staging/prod>` | Seed fix: the green service's family is `cvd-app-green-prod`; the seed's script registered blue's and green's definitions in one family, so a revision for one became the other's latest |
//! | blue/green `cvd-app-green` (L505-524) | production: a second service and target group, traffic split by `green` weights | Seed fix: the switch is a reviewed change of the weights in the settings, not a script Terraform would revert |
//! | task sizes per environment (L50-86) | `app_size`, `ai_size` | staging takes production's sizes |
//! | `REDIS_URL` from Parameter Store (L594, L628) | `Parameter::new("redis_url", …)` read as a task secret | TLS (`rediss://`) because the cache encrypts in transit |
//! | `DATABASE_URL`, `SECRET_KEY`, `ANTHROPIC_API_KEY` from Secrets Manager (L590-600); `random_password` `jwt` 64 characters (L1815-1823) | `Secret`s `database_url` and `jwt_secret` written write-only from generated `Password`s | the JWT secret is `JWT_SECRET` |
//! | `DATABASE_READ_REPLICA_URL` in production (L625) | `Secret` `database_read_replica_url`, where there are replicas | every replica in one libpq multi-host URL, written write-only like `DATABASE_URL` |
//! | `LOG_LEVEL` DEBUG / INFO / WARNING (L573, L605, L641) | `log_level` | |
//! | S3 for photos and DEX files (L40) | `Bucket::new("media", …)` | private, versioned, KMS, access-logged |
//! | CloudFront for static assets, US/Canada (L44, L100-102) | `Distribution::new("assets", …)` | `PriceClass_100` (North America and Europe; CloudFront has no US/Canada-only class) |
//! | auto-shutdown Lambda `cvd-dev-auto-shutdown`, rule `cvd-dev-shutdown` (L1914-1942) | development: `Function::new("shutdown", …)`, `EventRule` | Seed fix: the permission that lets EventBridge invoke the function, and the 07:00 start-up rule the seed's `STARTUP_TIME` implied but never scheduled; code from the artifacts bucket; target ids are the rule keys |
//! | monitoring: alarms to SNS (L1300-1330) | `ServiceAlarms` | |
//!
//! Seed fix, the app secrets: the seed generated a Redis password and a JWT secret with
//! `random_password` and stored them in plain `secret_string`s (so in the configuration's
//! state). Here the database password and the JWT secret are generated on each run as
//! ephemeral `random_password`s and written write-only — to the database (`password_wo`), to
//! the `DATABASE_URL` and `JWT_SECRET` secrets — so no value is in the configuration, the plan
//! or the state; bumping `credentials_version` rotates them together. Redis uses IAM
//! authentication, so no Redis password exists.

mod settings;

pub use settings::{Settings, settings};

use super::Env;
use tfsynth::modules::alarms::{ServiceAlarms, Topic};
use tfsynth::modules::cache::{CacheRef, ClientAuth, Redis};
use tfsynth::modules::compute::{
    Capacity, CapacityReservation, Cluster, ClusterRef, Container, Ec2Capacity, HealthCheck, Scaling, Service,
    ServiceRef, Statistic, Target,
};
use tfsynth::modules::container_registry::Repository;
use tfsynth::modules::database::{DatabaseRef, MinorUpgrades, Postgres};
use tfsynth::modules::dns::{AliasRecord, Certificate};
use tfsynth::modules::edge::Distribution;
use tfsynth::modules::events::EventRule;
use tfsynth::modules::firewall::WebAcl;
use tfsynth::modules::functions::{Code, Function};
use tfsynth::modules::iam::Statement;
use tfsynth::modules::kms::Key;
use tfsynth::modules::load_balancing::{Alb, AlbRef, TargetGroup, TargetGroupRef};
use tfsynth::modules::networking::{Peer, Port, SecurityGroup, SecurityGroupRef, Vpc};
use tfsynth::modules::secrets::{Generated, Parameter, Password, Rotation, Secret};
use tfsynth::modules::storage::{AccessLogs, Bucket, BucketRef};
use tfsynth::modules::{Context, Foundation};
use tfsynth::prelude::*;

/// The registry entry.
pub const DEF: StackDef<Env> = StackDef {
    name: "cvd",
    description: "CVD (seed 000): Flask app + AI service on ECS (Spot, custom-metric scaling), PostgreSQL + replicas, Redis, S3 + CloudFront",
    build,
    settings: Some(|env| settings_table(&settings(env))),
};

/// Builds the CVD stack for `env`.
pub fn build(env: Env) -> Stack {
    let s = settings(env);
    let name = format!("cvd-{}", env.name());
    // Seed fix: the seed's backend had no encryption, no locking and one key for all environments.
    let mut ctx = Foundation::new("cvd", env, s.account).tag("ManagedBy", "terraform").build();

    let kms = Key::new("main", &name, format!("CVD {} data", env.name()))
        .for_log_groups()
        .for_service("cloudwatch.amazonaws.com")
        .for_service("cloudfront.amazonaws.com")
        .for_service("sqs.amazonaws.com")
        .build(&mut ctx);
    ctx.use_key(&kms);
    let net = Vpc::new("main", &name, "10.30.0.0/16", s.azs)
        .nat(s.nat)
        .database_subnets()
        .flow_log_retention(s.log_retention)
        .build(&mut ctx);
    ctx.use_network(&net);
    let zone = &s.zone_id;
    let cert = Certificate::new("site", s.host, zone).build(&mut ctx);
    let app_tg = TargetGroup::new("app", format!("{name}-app"), 5000).build(&mut ctx);
    let green_tg = s.green.map(|_| TargetGroup::new("app_green", format!("{name}-app-green"), 5000).build(&mut ctx));
    let alb = Alb::new("main", &name, cert.arn).deletion(s.alb_deletion);
    let alb = match (&green_tg, s.green) {
        (Some(green), Some((blue_weight, green_weight))) => {
            alb.default_weighted(&[(&app_tg, blue_weight), (green, green_weight)])
        }
        _ => alb.default_target(&app_tg),
    }
    .build(&mut ctx);
    WebAcl::new("main", format!("{name}-waf")).log_retention(s.log_retention).protect(&alb).build(&mut ctx);
    AliasRecord::new("api", zone, s.host).target(&alb).build(&mut ctx);

    let tasks = SecurityGroup::new("tasks", format!("{name}-tasks"), "CVD tasks").build(&mut ctx);
    tasks.allow_out(&mut ctx, Port::tcp(443), Peer::Internet, "HTTPS to AWS APIs and the Claude API");

    let (class, storage, replicas) = s.db;
    // Seed 000: PostgreSQL 15, database `cvd`, user `cvd_admin`, backups 30/7 days at 03:00,
    // maintenance Sunday 04:00-05:00, replicas `<id>-read-<n>` that take no minor upgrades.
    // Seed 000 generates the database password (random_password): here it is generated on
    // each run and written write-only, to the database and to the DATABASE_URL secret alike.
    let db_password = Password::new("db", 32).without_special().build(&mut ctx);
    let db = Postgres::new("main", &name, "15", class)
        .database("cvd", "cvd_admin")
        .generated_password(&db_password, s.credentials_version)
        .storage(storage, storage * 2)
        .multi_az(s.db_multi_az)
        .read_replicas(replicas)
        .replica_identifier(format!("{name}-read-{{n}}"))
        .replica_minor_upgrades(MinorUpgrades::Manual(
            "seed 000: replicas are upgraded by hand with their primary, never ahead of it",
        ))
        .maintenance_window("sun:04:00-sun:05:00")
        .backup_retention(s.backup_retention_days)
        .deletion(s.db_deletion)
        .log_retention(s.log_retention)
        .clients(&[&tasks])
        .build(&mut ctx);
    tasks.allow_out(&mut ctx, Port::tcp(db.port), Peer::Group(&db.security_group), "PostgreSQL");
    let (node, availability) = s.redis;
    let cache = Redis::new("main", &name, node)
        .availability(availability)
        .log_retention(s.log_retention)
        .clients(&[&tasks])
        .build(&mut ctx);
    tasks.allow_out(&mut ctx, Port::tcp(cache.port), Peer::Group(&cache.security_group), "Redis");

    let logs = Bucket::for_access_logs("access_logs", format!("{name}-access-logs-{}", s.account.id)).build(&mut ctx);
    let media = Bucket::new("media", format!("{name}-media-{}", s.account.id))
        .access_logs(AccessLogs::To(logs.clone()))
        .build(&mut ctx);
    assets(&mut ctx, &s, &name, &logs);

    let cluster = Cluster::new("main", &name)
        .log_retention(s.log_retention)
        .service_connect(format!("{name}.local"))
        .ec2_capacity(Ec2Capacity::new("spot", format!("{name}-spot"), &["t3.medium", "t3a.medium", "t3.large"]).spot())
        .build(&mut ctx);
    if let Some((instance_type, count)) = s.reservation {
        CapacityReservation::new("baseline", instance_type, s.azs[0], count).build(&mut ctx);
    }
    let wiring = Wiring {
        env: env.name(),
        alb: &alb,
        app: &app_tg,
        green: green_tg.as_ref(),
        tasks: &tasks,
        db: &db,
        db_password: &db_password,
        cache: &cache,
        media: &media,
    };
    let services = services(&mut ctx, &s, &name, &cluster, &wiring);
    if s.nightly_shutdown {
        nightly_shutdown(&mut ctx, &s, &wiring, &cluster, &services, &logs);
    }
    ctx.output(Output::new("api_url", format!("https://{}", s.host)).description("The API"));
    ctx.output(Output::new("database_endpoint", db.endpoint).description("PostgreSQL primary").sensitive());
    ctx.output(Output::new("media_bucket", media.name).description("Photos and DEX files"));
    ctx.finish()
}

/// Static assets: a private bucket behind CloudFront at `assets_host`, North America and
/// Europe edges.
fn assets(ctx: &mut Context, s: &Settings, name: &str, logs: &BucketRef) {
    let bucket_name = format!("{name}-assets-{}", s.account.id);
    let bucket = Bucket::new("assets", &bucket_name)
        .access_logs(AccessLogs::To(logs.clone()))
        .allow(Distribution::read_statement(&s.account, &bucket_name))
        .build(ctx);
    let cert = Certificate::new("assets", s.assets_host, &s.zone_id).build(ctx);
    let cdn = Distribution::new("assets", &bucket, cert.arn)
        .aliases(&[s.assets_host])
        .price_class("PriceClass_100")
        .build(ctx);
    AliasRecord::new("assets", &s.zone_id, s.assets_host).target(&cdn).build(ctx);
}

/// Development stops its services at 19:00 and starts them at 07:00 (UTC): a function that
/// sets their desired counts, on two schedules.
fn nightly_shutdown(
    ctx: &mut Context,
    s: &Settings,
    w: &Wiring<'_>,
    cluster: &ClusterRef,
    services: &[ServiceRef],
    logs: &BucketRef,
) {
    let artifacts = Bucket::new("artifacts", format!("cvd-{}-artifacts-{}", w.env, s.account.id))
        .access_logs(AccessLogs::To(logs.clone()))
        .build(ctx);
    let code = Code::S3 { bucket: artifacts.name.clone(), key: "lambda/auto_shutdown.zip".into() };
    let service_arns = services
        .iter()
        .fold(Statement::allow(["ecs:UpdateService", "ecs:DescribeServices"]).sid("Services"), |st, svc| {
            st.on(svc.arn.clone())
        });
    let function = Function::new("shutdown", "cvd-dev-auto-shutdown", "python3.11", "index.handler", code)
        .env("ENVIRONMENT", w.env)
        .env("CLUSTER", cluster.name.clone())
        .env("SHUTDOWN_TIME", "19:00")
        .env("STARTUP_TIME", "07:00")
        .allow(service_arns)
        .log_retention(s.log_retention)
        .build(ctx);
    let action = |a: &str| Expression::from_iter([("action", Expression::from(a))]);
    EventRule::schedule("shutdown", "cvd-dev-shutdown", "cron(0 19 * * ? *)")
        .invoke_with(&function, action("stop"))
        .build(ctx);
    EventRule::schedule("startup", "cvd-dev-startup", "cron(0 7 * * ? *)")
        .invoke_with(&function, action("start"))
        .build(ctx);
}

struct Wiring<'a> {
    env: &'static str,
    alb: &'a AlbRef,
    app: &'a TargetGroupRef,
    green: Option<&'a TargetGroupRef>,
    tasks: &'a SecurityGroupRef,
    db: &'a DatabaseRef,
    db_password: &'a Generated,
    cache: &'a CacheRef,
    media: &'a BucketRef,
}

/// The app and AI services (and the green app in production), their images, secrets and
/// alarms.
fn services(ctx: &mut Context, s: &Settings, name: &str, cluster: &ClusterRef, w: &Wiring<'_>) -> Vec<ServiceRef> {
    let ClientAuth::Iam { user: redis_user, user_arn: redis_user_arn } = w.cache.auth.clone() else {
        ctx.problem(w.cache.resource.path(), "CVD signs in to Redis with IAM", "build the cache with Auth::Iam");
        return Vec::new();
    };
    // Seed 000's generated secrets: the JWT signing secret (64 letters and digits) and the
    // database URL, written write-only so neither is in the configuration or the state.
    let jwt_secret = Password::new("jwt", 64).without_special().build(ctx);
    let jwt = Secret::new("jwt_secret", format!("{name}/jwt-secret"))
        .description("JWT signing secret")
        .write_only(jwt_secret.value, s.credentials_version)
        .build(ctx);
    let database_url = Secret::new("database_url", format!("{name}/database-url"))
        .description("PostgreSQL URL of the app database")
        .write_only(
            template!["postgresql://cvd_admin:", w.db_password.value.clone(), "@", w.db.endpoint.clone(), "/cvd"],
            s.credentials_version,
        )
        .build(ctx);
    // Seed 000's production reads from its replicas through DATABASE_READ_REPLICA_URL (L625):
    // one libpq URL listing every replica, so the driver spreads connections over them.
    let read_url = w.db.members.as_ref().map(|replicas| {
        let hosts = call::<String>("join", [Expression::from(","), replicas.whole().splat().attr("endpoint").into()]);
        Secret::new("database_read_replica_url", format!("{name}/database-read-replica-url"))
            .description("PostgreSQL URL of the read replicas")
            .write_only(
                template!["postgresql://cvd_admin:", w.db_password.value.clone(), "@", hosts, "/cvd"],
                s.credentials_version,
            )
            .build(ctx)
    });
    let anthropic = Secret::new("anthropic_api_key", format!("{name}/anthropic-api-key"))
        .description("Claude API key")
        .rotation(Rotation::AtSource("issued by Anthropic; rotate it there"))
        .build(ctx);
    // Seed 000 reads REDIS_URL from Parameter Store; TLS because the cache encrypts in transit.
    let redis_url = Parameter::new(
        "redis_url",
        format!("/cvd/{}/redis-url", w.env),
        template!["rediss://", w.cache.primary_endpoint.clone(), format!(":{}/0", w.cache.port)],
    )
    .description("Redis URL for the app and AI service")
    .build(ctx);
    let topic = Topic::new("alerts", format!("{name}-alerts")).email("cvd-oncall@example.com").build(ctx);
    let grants = [
        Statement::allow(["elasticache:Connect"]).sid("Cache").on(w.cache.arn.clone()).on(redis_user_arn),
        Statement::allow(["s3:GetObject", "s3:PutObject"]).sid("Media").on(template![w.media.arn.clone(), "/*"]),
    ];
    let container = |ctx: &mut Context, svc: &str, port: u16| {
        let repo = Repository::new(svc, format!("cvd-{svc}")).build(ctx);
        let c = Container::new(svc, template![repo.url, ":1.0.0"])
            .port(port)
            .health(HealthCheck::http(port, "/health"))
            .env("LOG_LEVEL", s.log_level)
            .env("MEDIA_BUCKET", &w.media.name)
            .secret("DATABASE_URL", &database_url)
            .secret("REDIS_URL", &redis_url)
            .env("REDIS_USER", redis_user.as_str())
            .secret("JWT_SECRET", &jwt)
            .secret("ANTHROPIC_API_KEY", &anthropic);
        match &read_url {
            Some(url) => c.secret("DATABASE_READ_REPLICA_URL", url),
            None => c,
        }
    };
    let service = |svc: Service, (cpu, memory, storage): (u16, u32, u8), min: u16| {
        grants
            .iter()
            .cloned()
            .fold(svc, Service::allow)
            .size(cpu, memory)
            .storage(storage)
            .desired(min)
            .security_group(w.tasks)
    };

    // Seed 000: 100 AI requests per second per task, 600 s in / 120 s out; the AI service
    // tolerates interruption: one on-demand task, the rest mostly Spot.
    let (min, max) = s.ai_tasks;
    let rate = Target::Custom {
        namespace: "CVD/AI",
        metric: "AIRequestsPerSecond",
        statistic: Statistic::Average,
        value: 100.0,
    };
    let ai = Service::new("ai", cluster, container(ctx, "ai", 5001));
    let ai = service(ai, s.ai_size, min)
        .name("cvd-ai")
        .family(format!("cvd-ai-{}", s.short_env))
        .discoverable()
        .capacity(Capacity::Mixed { base: 1, spot_weight: 3, on_demand_weight: 1 })
        .autoscale(Scaling::new(min, max).target(rate).cooldowns(600, 120))
        .build(ctx);
    ServiceAlarms::new("ai", &topic, &ai).build(ctx);

    // Seed 000: CPU 70 % and memory 80 %, 300 s in / 60 s out.
    let (min, max) = s.app_tasks;
    let ai_url = ai.endpoint.clone().unwrap_or_default();
    let app_container = container(ctx, "app", 5000).env("AI_SERVICE_URL", ai_url);
    let app_service = |key: &str, group: &TargetGroupRef, ctx: &mut Context| {
        let app = service(Service::new(key, cluster, app_container.clone()), s.app_size, min)
            .name(format!("cvd-{}", key.replace('_', "-")))
            // The seed's deploy scripts update `cvd-app-staging` and `cvd-app-prod` (L472, L515).
            .family(format!("cvd-{}-{}", key.replace('_', "-"), s.short_env))
            .behind(w.alb, group)
            .calls(&ai)
            .autoscale(Scaling::new(min, max).target(Target::Cpu(70.0)).target(Target::Memory(80.0)))
            .build(ctx);
        ServiceAlarms::new(key, &topic, &app).load_balancer(w.alb, group).build(ctx);
        app
    };
    let mut all = vec![app_service("app", w.app, ctx)];
    all.extend(w.green.map(|green| app_service("app_green", green, ctx)));
    all.push(ai);
    all
}
