//! Takeoff (seed 002): the construction take-off platform. For now its network: VPC, subnets,
//! NAT, routing, flow logs and the security groups chained ALB -> ECS -> `PostgreSQL` / Redis.

mod security;
mod services;
mod settings;

pub use settings::{Settings, settings};

use super::{Env, root};
use crate::modules::cache::Redis;
use crate::modules::database::Postgres;
use crate::modules::dns::{alias, certificate};
use crate::modules::firewall::{ManagedGroup, WebAcl};
use crate::modules::kms::Key;
use crate::modules::load_balancing::{Alb, Condition, TargetGroup};
use crate::modules::networking::{Peer, Port, Vpc};
use crate::prelude::*;

/// The registry entry.
pub const DEF: StackDef<Env> = StackDef {
    name: "takeoff",
    description: "Takeoff platform (seed 002): VPC, PostgreSQL, Redis, ECS API/worker/frontend behind ALB + WAF, alarms",
    build,
    settings: Some(|env| format!("{:#?}", settings(env))),
};

/// Builds the takeoff stack for `env`.
pub fn build(env: Env) -> Stack {
    let s = settings(env);
    let prefix = format!("takeoff-{}", env.name());
    let mut stack = root("takeoff", env, &s.account, env.name(), &[("ManagedBy", "terraform")]);

    // Seed fix: the seed created a KMS key and used it nowhere; this one encrypts the logs.
    let kms = Key::new("main", &prefix, format!("Takeoff {} data and logs", env.name()))
        .for_log_groups()
        .for_service("cloudwatch.amazonaws.com")
        .build(&mut stack, &s.account);
    let net = Vpc::new(&prefix, s.vpc_cidr, s.azs)
        .nat(s.nat)
        .database_subnets()
        .flow_log_retention(s.log_retention)
        .build(&mut stack, &s.account, &kms);
    // Seed 002 routing: the frontend by default, /api/*, /health and /metrics to the API.
    let (app, api) = (format!("app.{}", s.domain), format!("api.{}", s.domain));
    let cert = certificate(&mut stack, "site", &app, &[api.as_str()], s.zone_id);
    let alb = Alb::new(&prefix, cert)
        .deletion(s.alb_deletion)
        .target_group(TargetGroup::new("api", 8000).health_path("/health"))
        .target_group(TargetGroup::new("frontend", 8080).health_path("/health").thresholds(2, 2))
        .default_target("frontend")
        .forward(100, Condition::Path(vec!["/api/*", "/health", "/metrics"]), "api")
        .build(&mut stack, &s.account, &net);
    // Seed 002's four WAF rules (its rate rule fixed to block), associated with the ALB, which
    // the seed never did.
    WebAcl::new(format!("{prefix}-waf"))
        .rate_limit(2000, 300)
        .managed(ManagedGroup::aws("AWSManagedRulesCommonRuleSet").count("SizeRestrictions_BODY"))
        .managed(ManagedGroup::aws("AWSManagedRulesSQLiRuleSet"))
        .managed(ManagedGroup::aws("AWSManagedRulesKnownBadInputsRuleSet"))
        .log_retention(s.log_retention)
        .build(&mut stack, &kms, &alb);
    for (key, name) in [("app", &app), ("api", &api)] {
        alias(&mut stack, key, s.zone_id, name, &alb.dns_name, &alb.zone_id);
    }
    let ecs = security::tasks(&mut stack, &net, &prefix, &alb);
    let db = Postgres::new(&prefix, "15", s.db.class)
        .database("takeoff", "takeoff_admin")
        .storage(s.db.storage_gib.0, s.db.storage_gib.1)
        .multi_az(s.db.multi_az)
        .read_replicas(s.db.replicas)
        .backup_retention(s.db.backup_retention_days)
        .deletion(s.db.deletion)
        .log_retention(s.log_retention)
        // Seed 002's parameters on top of the component's TLS and logging defaults.
        .parameter("shared_preload_libraries", "pg_stat_statements")
        .parameter("pg_stat_statements.track", "all")
        .build(&mut stack, &s.account, &net, &kms, &[&ecs]);
    ecs.allow_out(&mut stack, Port::tcp(db.port), Peer::Group(&db.security_group), "PostgreSQL");
    // Seed 002: cache.r6g.medium x 2 in production.
    let cache = Redis::new(&prefix, s.cache.node_type)
        .availability(s.cache.availability)
        .snapshot_retention(s.cache.snapshot_retention_days)
        .log_retention(s.log_retention)
        .build(&mut stack, &net, &kms, &[&ecs]);
    ecs.allow_out(&mut stack, Port::tcp(cache.port), Peer::Group(&cache.security_group), "Redis");

    stack.output(Output::new("vpc_id", net.vpc_id.0.clone()).description("The VPC id"));
    stack.output(
        Output::new("public_subnet_ids", net.public_subnets.0.clone()).description("Public subnet ids, one per AZ"),
    );
    stack.output(
        Output::new("private_subnet_ids", net.private_subnets.0.clone()).description("Private subnet ids, one per AZ"),
    );
    let wiring = services::Wiring { net: &net, kms: &kms, alb: &alb, db: &db, cache: &cache, tasks: &ecs };
    services::build(&mut stack, &s, &prefix, env.name(), &wiring);
    let endpoint = Output::new("database_endpoint", db.endpoint.clone()).description("PostgreSQL primary, host:port");
    stack.output(endpoint.sensitive());
    stack.output(
        Output::new("database_secret_arn", db.master_secret_arn.clone()).description("Secret with the master password"),
    );
    stack.output(Output::new("alb_dns_name", alb.dns_name.clone()).description("Load balancer DNS name"));
    let tiers = [
        ("alb", &alb.security_group),
        ("ecs", &ecs),
        ("database", &db.security_group),
        ("cache", &cache.security_group),
    ];
    for (tier, group) in tiers {
        let output = Output::new(format!("{tier}_security_group_id"), group.id.clone());
        stack.output(output.description(format!("Security group of the {tier} tier")));
    }
    stack
}
