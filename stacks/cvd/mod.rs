//! CVD (seed 000): the AI planogram system. A Flask app (port 5000) behind an ALB and an AI
//! service (port 5001) the app calls through Service Connect, scaling on its own request rate
//! on Fargate and Fargate Spot; PostgreSQL with read replicas in production; Redis with
//! failover in production.
//!
//! Seed fix, the app secrets: the seed generated a Redis password and a JWT secret with
//! `random_password` and stored them in plain `secret_string`s (so in the state). Here nothing
//! is generated into the configuration: RDS generates and keeps the database password, Redis
//! uses IAM authentication, and JWTs are signed by a KMS HMAC key whose material never leaves
//! KMS.

mod settings;

pub use settings::{Settings, settings};

use super::Env;
use crate::modules::alarms::{ServiceAlarms, Topic};
use crate::modules::cache::{CacheRef, ClientAuth, Redis};
use crate::modules::compute::{Capacity, Cluster, Container, HealthCheck, Scaling, Service, Statistic, Target};
use crate::modules::container_registry::Repository;
use crate::modules::database::{DatabaseRef, MinorUpgrades, Postgres};
use crate::modules::dns::{AliasRecord, Certificate};
use crate::modules::firewall::WebAcl;
use crate::modules::iam::{Statement, policy};
use crate::modules::kms::Key;
use crate::modules::load_balancing::{Alb, AlbRef, TargetGroup, TargetGroupRef};
use crate::modules::networking::{Peer, Port, SecurityGroup, SecurityGroupRef, Vpc};
use crate::modules::secrets::{Rotation, Secret};
use crate::modules::{Context, Foundation};
use crate::prelude::*;

/// The registry entry.
pub const DEF: StackDef<Env> = StackDef {
    name: "cvd",
    description: "CVD (seed 000): Flask app + AI service on ECS (Spot, custom-metric scaling), PostgreSQL + replicas, Redis",
    build,
    settings: Some(|env| settings_table(&settings(env))),
};

/// Builds the CVD stack for `env`.
pub fn build(env: Env) -> Stack {
    let s = settings(env);
    let name = format!("cvd-{}", env.name());
    // Seed fix: the seed's backend had no encryption, no locking and one key for all environments.
    let mut ctx = Foundation::new("cvd", env, s.account).build();

    let kms = Key::new("main", &name, format!("CVD {} data", env.name()))
        .for_log_groups()
        .for_service("cloudwatch.amazonaws.com")
        .build(&mut ctx);
    ctx.use_key(&kms);
    let net = Vpc::new("main", &name, "10.30.0.0/16", s.azs)
        .nat(s.nat)
        .database_subnets()
        .flow_log_retention(s.log_retention)
        .build(&mut ctx);
    ctx.use_network(&net);
    let (domain, zone) = (s.domain, &s.zone_id);
    let api_domain = format!("api.{domain}");
    let cert = Certificate::new("site", &api_domain, zone).build(&mut ctx);
    let app_tg = TargetGroup::new("app", format!("{name}-app"), 5000).build(&mut ctx);
    let alb = Alb::new("main", &name, cert.arn).deletion(s.alb_deletion).default_target(&app_tg).build(&mut ctx);
    WebAcl::new("main", format!("{name}-waf")).log_retention(s.log_retention).protect(&alb).build(&mut ctx);
    AliasRecord::new("api", zone, &api_domain).target(&alb).build(&mut ctx);

    let tasks = SecurityGroup::new("tasks", format!("{name}-tasks"), "CVD tasks").build(&mut ctx);
    tasks.allow_out(&mut ctx, Port::tcp(443), Peer::Internet, "HTTPS to AWS APIs and the Claude API");

    let (class, storage, replicas) = s.db;
    // Seed 000: PostgreSQL 15, database `cvd`, user `cvd_admin`, backups 30/7 days at 03:00,
    // maintenance Sunday 04:00-05:00, replicas `<id>-read-<n>` that take no minor upgrades.
    let db = Postgres::new("main", &name, "15", class)
        .database("cvd", "cvd_admin")
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

    let wiring = Wiring { alb: &alb, app: &app_tg, tasks: &tasks, db: &db, cache: &cache };
    services(&mut ctx, &s, &name, &wiring);
    ctx.output(Output::new("api_url", format!("https://{api_domain}")).description("The API"));
    ctx.output(Output::new("database_endpoint", db.endpoint).description("PostgreSQL primary").sensitive());
    ctx.finish()
}

struct Wiring<'a> {
    alb: &'a AlbRef,
    app: &'a TargetGroupRef,
    tasks: &'a SecurityGroupRef,
    db: &'a DatabaseRef,
    cache: &'a CacheRef,
}

/// The app and AI services, their images, secrets and alarms.
fn services(ctx: &mut Context, s: &Settings, name: &str, w: &Wiring<'_>) {
    let ClientAuth::Iam { user: redis_user, user_arn: redis_user_arn } = w.cache.auth.clone() else {
        ctx.problem(w.cache.resource.path(), "CVD signs in to Redis with IAM", "build the cache with Auth::Iam");
        return;
    };
    // JWTs are signed with KMS GenerateMac: the key material never leaves KMS.
    let admin = Statement::allow(["kms:*"]).sid("AccountAdministration").aws_principal(s.account.root_arn()).on("*");
    let jwt = ctx.add(
        Resource::new("aws_kms_key", "jwt")
            .set("description", format!("{name} JWT signing"))
            .set("key_usage", "GENERATE_VERIFY_MAC")
            .set("customer_master_key_spec", "HMAC_256")
            .set("deletion_window_in_days", 30)
            .set("policy", policy([admin]))
            .skip_check(
                "CKV_AWS_7",
                "KMS cannot rotate HMAC keys automatically; rotate by creating a new key and re-signing",
            ),
    );
    let anthropic = Secret::new("anthropic_api_key", format!("{name}/anthropic-api-key"))
        .description("Claude API key")
        .rotation(Rotation::AtSource("issued by Anthropic; rotate it there"))
        .build(ctx);
    let cluster =
        Cluster::new("main", name).log_retention(s.log_retention).service_connect(format!("{name}.local")).build(ctx);
    let topic = Topic::new("alerts", format!("{name}-alerts")).email("cvd-oncall@example.com").build(ctx);
    let grants = [
        Statement::allow(["kms:GenerateMac", "kms:VerifyMac"]).sid("JwtSigning").on(jwt.arn()),
        Statement::allow(["elasticache:Connect"]).sid("Cache").on(w.cache.arn.clone()).on(redis_user_arn),
    ];
    let container = |ctx: &mut Context, svc: &str, port: u16| {
        let repo = Repository::new(svc, format!("cvd-{svc}")).build(ctx);
        Container::new(svc, template![repo.url, ":1.0.0"])
            .port(port)
            .health(HealthCheck::http(port, "/health"))
            .env("DATABASE_HOST", &w.db.address)
            .env("REDIS_HOST", &w.cache.primary_endpoint)
            .env("REDIS_USER", redis_user.as_str())
            .env("JWT_KEY_ID", jwt.id())
            .secret_key("DATABASE_PASSWORD", &w.db.master_secret, "password")
            .secret("ANTHROPIC_API_KEY", &anthropic)
    };
    let service = |svc: Service, size: (u16, u32), min: u16| {
        grants.iter().cloned().fold(svc, Service::allow).size(size.0, size.1).desired(min).security_group(w.tasks)
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
    let ai = Service::new("ai", &cluster, container(ctx, "ai", 5001));
    let ai = service(ai, (4096, 8192), min)
        .name("cvd-ai")
        .discoverable()
        .capacity(Capacity::Mixed { base: 1, spot_weight: 3, on_demand_weight: 1 })
        .autoscale(Scaling::new(min, max).target(rate).cooldowns(600, 120))
        .build(ctx);
    ServiceAlarms::new("ai", &topic, &ai).build(ctx);

    // Seed 000: CPU 70 % and memory 80 %, 300 s in / 60 s out.
    let (min, max) = s.app_tasks;
    let ai_url = ai.endpoint.clone().unwrap_or_default();
    let app = Service::new("app", &cluster, container(ctx, "app", 5000).env("AI_SERVICE_URL", ai_url));
    let app = service(app, (2048, 4096), min)
        .name("cvd-app")
        .behind(w.alb, w.app)
        .calls(&ai)
        .autoscale(Scaling::new(min, max).target(Target::Cpu(70.0)).target(Target::Memory(80.0)))
        .build(ctx);
    ServiceAlarms::new("app", &topic, &app).load_balancer(w.alb, w.app).build(ctx);
}
