//! Takeoff (seed 002): the construction take-off platform. A 3-AZ network, PostgreSQL with the
//! seed's parameters, Redis, an ALB behind WAF routing `/api/*` to the API and the rest to the
//! frontend, the API, Celery worker and frontend on ECS, storage, secrets and alarms.

mod operations;
mod security;
mod services;
mod settings;

pub use settings::{Settings, settings};

use super::Env;
use crate::modules::Foundation;
use crate::modules::alarms::Topic;
use crate::modules::cache::Redis;
use crate::modules::database::Postgres;
use crate::modules::dns::{AliasRecord, Certificate};
use crate::modules::firewall::{ManagedGroup, WebAcl};
use crate::modules::kms::Key;
use crate::modules::load_balancing::{Alb, Condition, TargetGroup};
use crate::modules::networking::{Peer, Port, Vpc};
use crate::modules::storage::Bucket;
use crate::prelude::*;

/// The registry entry.
pub const DEF: StackDef<Env> = StackDef {
    name: "takeoff",
    description: "Takeoff platform (seed 002): VPC, PostgreSQL, Redis, ECS API/worker/frontend behind ALB + WAF, alarms",
    build,
    settings: Some(|env| settings_table(&settings(env))),
};

/// Builds the takeoff stack for `env`.
pub fn build(env: Env) -> Stack {
    let s = settings(env);
    let prefix = format!("takeoff-{}", env.name());
    let mut ctx = Foundation::new("takeoff", env, s.account).tag("ManagedBy", "terraform").build();

    // Seed fix: the seed created a KMS key and used it nowhere; this one encrypts everything.
    let kms = Key::new("main", &prefix, format!("Takeoff {} data and logs", env.name()))
        .for_log_groups()
        .for_service("cloudwatch.amazonaws.com")
        .build(&mut ctx);
    ctx.use_key(&kms);
    let net = Vpc::new("main", &prefix, s.vpc_cidr, s.azs)
        .nat(s.nat)
        .database_subnets()
        .flow_log_retention(s.log_retention)
        .build(&mut ctx);
    ctx.use_network(&net);
    // Seed 002 routing: the frontend by default, /api/*, /health and /metrics to the API.
    let (app, api) = (format!("app.{}", s.domain), format!("api.{}", s.domain));
    let cert = Certificate::new("site", &app, &s.zone_id).alternative_names(&[&api]).build(&mut ctx);
    // Seed 002's health checks: the API 3/3 with a 10 s timeout, the frontend 2/2 with 5 s.
    let api_tg = TargetGroup::new("api", format!("{prefix}-api"), 8000).health_check_timeout(10).build(&mut ctx);
    let frontend_tg = TargetGroup::new("frontend", format!("{prefix}-frontend"), 8080).thresholds(2, 2).build(&mut ctx);
    let alb = Alb::new("main", &prefix, cert.arn)
        .deletion(s.alb_deletion)
        .default_target(&frontend_tg)
        .forward(100, Condition::path(&["/api/*", "/health", "/metrics"]), &api_tg)
        .build(&mut ctx);
    // Seed 002's four WAF rules (its rate rule fixed to block), associated with the ALB, which
    // the seed never did.
    let waf = WebAcl::new("main", format!("{prefix}-waf"))
        .rate_limit(2000, 300)
        .managed(ManagedGroup::aws("AWSManagedRulesCommonRuleSet").count("SizeRestrictions_BODY"))
        .managed(ManagedGroup::aws("AWSManagedRulesSQLiRuleSet"))
        .managed(ManagedGroup::aws("AWSManagedRulesKnownBadInputsRuleSet"))
        .log_retention(s.log_retention)
        .protect(&alb)
        .build(&mut ctx);
    for (key, name) in [("app", &app), ("api", &api)] {
        AliasRecord::new(key, &s.zone_id, name).target(&alb).build(&mut ctx);
    }
    let ecs = security::tasks(&mut ctx, &prefix);
    let db = Postgres::new("main", &prefix, "15", s.db.class)
        .database("takeoff", "takeoff_admin")
        .storage(s.db.storage_gib.0, s.db.storage_gib.1)
        .multi_az(s.db.multi_az)
        .read_replicas(s.db.replicas)
        // Seed 002's replica name, and its windows: backups 03:00-04:00, maintenance Monday 04:00.
        .replica_identifier(format!("{prefix}-replica"))
        .maintenance_window("Mon:04:00-Mon:05:00")
        .backup_retention(s.db.backup_retention_days)
        .deletion(s.db.deletion)
        .log_retention(s.log_retention)
        // Seed 002's parameters on top of the component's TLS and logging defaults.
        .parameter("shared_preload_libraries", "pg_stat_statements")
        .parameter("pg_stat_statements.track", "all")
        .clients(&[&ecs])
        .build(&mut ctx);
    ecs.allow_out(&mut ctx, Port::tcp(db.port), Peer::Group(&db.security_group), "PostgreSQL");
    // Seed 002: cache.r6g.medium x 2 in production.
    let cache = Redis::new("main", &prefix, s.cache.node_type)
        .availability(s.cache.availability)
        .snapshot_retention(s.cache.snapshot_retention_days)
        .log_retention(s.log_retention)
        .clients(&[&ecs])
        .build(&mut ctx);
    ecs.allow_out(&mut ctx, Port::tcp(cache.port), Peer::Group(&cache.security_group), "Redis");

    ctx.output(Output::new("vpc_id", net.vpc_id.0.clone()).description("The VPC id"));
    ctx.output(
        Output::new("public_subnet_ids", net.public_subnets.0.clone()).description("Public subnet ids, one per AZ"),
    );
    ctx.output(
        Output::new("private_subnet_ids", net.private_subnets.0.clone()).description("Private subnet ids, one per AZ"),
    );
    let topic = Topic::new("alerts", format!("{prefix}-alerts")).email(s.alert_email).build(&mut ctx);
    operations::slack(&mut ctx, &topic);
    let logs = Bucket::for_access_logs("access_logs", format!("{prefix}-access-logs-{}", s.account.id)).build(&mut ctx);
    operations::backups(&mut ctx, &s, &prefix, &logs);
    let wiring = services::Wiring {
        alb: &alb,
        api: &api_tg,
        frontend: &frontend_tg,
        db: &db,
        cache: &cache,
        tasks: &ecs,
        topic: &topic,
        logs: &logs,
    };
    if let Some(built) = services::build(&mut ctx, &s, &prefix, env.name(), &wiring) {
        operations::runbook_alarms(&mut ctx, &s, &prefix, &topic, &built, &db);
        ctx.output(Output::new("cluster_name", built.cluster.name.clone()).description("The ECS cluster"));
        ctx.output(Output::new("api_service_name", built.api.name.clone()).description("The API service"));
        ctx.output(
            Output::new("worker_service_name", built.worker.name.clone()).description("The Celery worker service"),
        );
    }
    let endpoint = Output::new("database_endpoint", db.endpoint.clone()).description("PostgreSQL primary, host:port");
    ctx.output(endpoint.sensitive());
    ctx.output(
        Output::new("database_secret_arn", db.master_secret.arn.clone()).description("Secret with the master password"),
    );
    ctx.output(Output::new("alb_dns_name", alb.dns_name.clone()).description("Load balancer DNS name"));
    ctx.output(Output::new("alb_zone_id", alb.zone_id.clone()).description("Load balancer hosted zone, for aliases"));
    let replica = db.members.as_ref().map_or(Expression::Null, |r| r.at(0, "endpoint").into());
    ctx.output(
        Output::new("replica_endpoint", replica).description("Read replica, host:port (null without one)").sensitive(),
    );
    ctx.output(Output::new("database_name", "takeoff").description("The application database"));
    ctx.output(Output::new("waf_arn", waf.arn).description("The web ACL"));
    ctx.output(Output::new("kms_key_arn", kms.arn.clone()).description("The stack's customer-managed key"));
    ctx.output(Output::new("api_endpoint", format!("https://{api}")).description("The API"));
    ctx.output(Output::new("app_endpoint", format!("https://{app}")).description("The web app"));
    let tiers = [
        ("alb", &alb.security_group),
        ("ecs", &ecs),
        ("database", &db.security_group),
        ("cache", &cache.security_group),
    ];
    for (tier, group) in tiers {
        let output = Output::new(format!("{tier}_security_group_id"), group.id.clone());
        ctx.output(output.description(format!("Security group of the {tier} tier")));
    }
    ctx.finish()
}
