//! CVD (seed 000): the AI planogram system. A Flask app (port 5000) behind an ALB and an AI
//! service (port 5001) scaling on its own request rate, on Fargate and Fargate Spot;
//! PostgreSQL with read replicas in production; Redis with failover in production.
//!
//! Seed fix, the app secrets: the seed generated a Redis password and a JWT secret with
//! `random_password` and stored them in plain `secret_string`s (so in the state). Here nothing
//! is generated into the configuration: RDS generates and keeps the database password, Redis
//! uses IAM authentication, and JWTs are signed by a KMS HMAC key whose material never leaves
//! KMS.

mod settings;

pub use settings::{Settings, settings};

use super::{Env, root};
use crate::modules::alarms::{Topic, service_alarms};
use crate::modules::cache::{ClientAuth, Redis};
use crate::modules::compute::{Capacity, Cluster, Container, HealthCheck, Scaling, Service, Target};
use crate::modules::database::Postgres;
use crate::modules::dns::{alias, certificate};
use crate::modules::firewall::WebAcl;
use crate::modules::iam::Statement;
use crate::modules::kms::Key;
use crate::modules::load_balancing::{Alb, TargetGroup};
use crate::modules::networking::{Peer, Port, SecurityGroup, Vpc};
use crate::modules::registry::repository;
use crate::modules::secrets::{Rotation, SecretRef, secret};
use crate::prelude::*;

/// The registry entry.
pub const DEF: StackDef<Env> = StackDef {
    name: "cvd",
    description: "CVD (seed 000): Flask app + AI service on ECS (Spot, custom-metric scaling), PostgreSQL + replicas, Redis",
    build,
    settings: Some(|env| format!("{:#?}", settings(env))),
};

/// Builds the CVD stack for `env`.
pub fn build(env: Env) -> Stack {
    let s = settings(env);
    let name = format!("cvd-{}", env.name());
    // Seed fix: the seed's backend had no encryption, no lock table and one key for all environments.
    let mut stack = root("cvd", env, &s.account, env.name(), &[]);

    let kms = Key::new("main", &name, format!("CVD {} data", env.name()))
        .for_log_groups()
        .for_service("cloudwatch.amazonaws.com")
        .build(&mut stack, &s.account);
    let net = Vpc::new(&name, "10.30.0.0/16", s.azs)
        .nat(s.nat)
        .database_subnets()
        .flow_log_retention(s.log_retention)
        .build(&mut stack, &s.account, &kms);
    let (domain, zone) = s.domain;
    let api_domain = format!("api.{domain}");
    let cert = certificate(&mut stack, "site", &api_domain, &[], zone);
    let alb = Alb::new(&name, cert)
        .deletion(s.alb_deletion)
        .target_group(TargetGroup::new("app", 5000).health_path("/health"))
        .default_target("app")
        .build(&mut stack, &s.account, &net);
    WebAcl::new(format!("{name}-waf")).log_retention(s.log_retention).build(&mut stack, &kms, &alb);
    alias(&mut stack, "api", zone, &api_domain, &alb.dns_name, &alb.zone_id);

    let tasks = SecurityGroup::new(&mut stack, &net.vpc_id, "tasks", format!("{name}-tasks"), "CVD tasks");
    alb.security_group.allow_out(&mut stack, Port::tcp(5000), Peer::Group(&tasks), "ALB to the app");
    tasks.allow_in(&mut stack, Port::tcp(5000), Peer::Group(&alb.security_group), "App traffic from the ALB");
    tasks.allow_out(&mut stack, Port::tcp(443), Peer::Internet, "HTTPS to AWS APIs and the Claude API");

    let (class, storage, replicas) = s.db;
    // Seed 000: PostgreSQL 15, database `cvd`, user `cvd_admin`, backups 30/7 days, windows 03:00 / Sunday 04:00.
    let db = Postgres::new(&name, "15", class)
        .database("cvd", "cvd_admin")
        .storage(storage, storage * 2)
        .multi_az(s.db_multi_az)
        .read_replicas(replicas)
        .backup_retention(s.backup_retention_days)
        .deletion(s.db_deletion)
        .log_retention(s.log_retention)
        .build(&mut stack, &s.account, &net, &kms, &[&tasks]);
    tasks.allow_out(&mut stack, Port::tcp(db.port), Peer::Group(&db.security_group), "PostgreSQL");
    let (node, availability) = s.redis;
    let cache = Redis::new(&name, node).availability(availability).log_retention(s.log_retention).build(
        &mut stack,
        &net,
        &kms,
        &[&tasks],
    );
    tasks.allow_out(&mut stack, Port::tcp(cache.port), Peer::Group(&cache.security_group), "Redis");

    services(&mut stack, &s, &name, &Wiring { net: &net, kms: &kms, alb: &alb, tasks: &tasks, db: &db, cache: &cache });
    stack.output(Output::new("api_url", format!("https://{api_domain}")).description("The API"));
    stack.output(Output::new("database_endpoint", db.endpoint).description("PostgreSQL primary").sensitive());
    stack
}

struct Wiring<'a> {
    net: &'a crate::modules::networking::Network,
    kms: &'a crate::modules::KmsKey,
    alb: &'a crate::modules::load_balancing::LoadBalancer,
    tasks: &'a SecurityGroup,
    db: &'a crate::modules::database::Database,
    cache: &'a crate::modules::cache::Cache,
}

/// The app and AI services, their images, secrets and alarms.
fn services(stack: &mut Stack, s: &Settings, name: &str, w: &Wiring<'_>) {
    let ClientAuth::Iam { user: redis_user, user_arn: redis_user_arn } = w.cache.auth.clone() else {
        stack.problem(
            "aws_elasticache_replication_group.main",
            "CVD signs in to Redis with IAM",
            "build the cache with Auth::Iam",
        );
        return;
    };
    // JWTs are signed with KMS GenerateMac: the key material never leaves KMS.
    let jwt = stack.add(
        Resource::new("aws_kms_key", "jwt")
            .set("description", format!("{name} JWT signing"))
            .set("key_usage", "GENERATE_VERIFY_MAC")
            .set("customer_master_key_spec", "HMAC_256")
            .set("deletion_window_in_days", 30)
            .set(
                "policy",
                crate::modules::iam::policy([Statement::allow(["kms:*"])
                    .sid("AccountAdministration")
                    .aws_principal(s.account.root_arn())
                    .on("*")]),
            )
            .skip_check(
                "CKV_AWS_7",
                "KMS cannot rotate HMAC keys automatically; rotate by creating a new key and re-signing",
            ),
    );
    let anthropic = secret(
        stack,
        "anthropic_api_key",
        format!("{name}/anthropic-api-key"),
        "Claude API key",
        w.kms,
        Rotation::AtSource("issued by Anthropic; rotate it there"),
    );
    let db_secret = SecretRef::external(w.db.master_secret_arn.clone());
    let cluster = Cluster::new(name).log_retention(s.log_retention).build(stack, w.kms);
    let topic = Topic::new("alerts", format!("{name}-alerts")).email("cvd-oncall@example.com").build(stack, w.kms);
    let grants = [
        Statement::allow(["kms:GenerateMac", "kms:VerifyMac"]).sid("JwtSigning").on(jwt.arn()),
        Statement::allow(["elasticache:Connect"]).sid("Cache").on(w.cache.arn.clone()).on(redis_user_arn),
    ];
    for (svc, port, (min, max), size) in
        [("app", 5000, s.app_tasks, (2048, 4096)), ("ai", 5001, s.ai_tasks, (4096, 8192))]
    {
        let repo = repository(stack, svc, &format!("cvd-{svc}"), w.kms, 10);
        let container = Container::new(svc, template![repo, ":1.0.0"])
            .port(port)
            .health(HealthCheck::http(port, "/health"))
            .env("DATABASE_HOST", w.db.address.clone())
            .env("REDIS_HOST", w.cache.primary_endpoint.clone())
            .env("REDIS_USER", redis_user.as_str())
            .env("JWT_KEY_ID", jwt.id())
            .secret("DATABASE_PASSWORD", &db_secret, Some("password"))
            .secret("ANTHROPIC_API_KEY", &anthropic, None);
        let scaling = if svc == "app" {
            // Seed 000: CPU 70 % and memory 80 %, 300 s in / 60 s out.
            Scaling::new(min, max).target(Target::Cpu(70.0)).target(Target::Memory(80.0))
        } else {
            // Seed 000: 100 AI requests per second per task, 600 s in / 120 s out.
            let rate = Target::Custom {
                namespace: "CVD/AI",
                metric: "AIRequestsPerSecond",
                statistic: "Average",
                value: 100.0,
            };
            Scaling::new(min, max).target(rate).cooldowns(600, 120)
        };
        let mut service = grants
            .iter()
            .cloned()
            .fold(Service::new(svc, container).size(size.0, size.1).desired(min), Service::allow)
            .autoscale(scaling);
        if svc == "app" {
            service = service.behind(&w.alb.target_groups["app"]);
        } else {
            // The AI service tolerates interruption: one on-demand task, the rest mostly Spot.
            service = service.capacity(Capacity::Mixed { base: 1, spot_weight: 3, on_demand_weight: 1 });
        }
        let built = service.build(stack, &s.account, &cluster, w.net, w.kms, w.tasks);
        let lb = (svc == "app").then(|| (&w.alb.arn_suffix, &w.alb.target_groups["app"].arn_suffix));
        service_alarms(stack, &topic, svc, &cluster.name, &built.name, lb);
    }
}
