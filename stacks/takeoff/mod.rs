//! Takeoff (seed 002): the construction take-off platform. A 3-AZ network, PostgreSQL with the
//! seed's parameters, Redis, an ALB behind WAF routing `/api/*` to the API and the rest to the
//! frontend, the API, Celery worker and frontend on ECS, storage, backups, secrets and alarms.
//!
//! | Seed 002 element | Where it is | Fix, and why |
//! |---|---|---|
//! | backend S3 + DynamoDB lock table, `default_tags` Project / Environment / ManagedBy (L960-1000) | [`Foundation`] | Seed fix: S3-native locking (`use_lockfile`); the DynamoDB table is deprecated in Terraform 1.11 |
//! | VPC `10.0.0.0/16`, 3 AZs, public/private `/20`s, NAT per AZ, flow logs (L1000-1058) | `Vpc::new("main", …)` | database subnets added, without a route out |
//! | KMS key `alias/takeoff-<env>` with its ECS statement (L3495-3535) | `Key::new("main", …)`, `.for_service("ecs.amazonaws.com")` | Seed fix: the seed created the key and used it nowhere; everything here encrypts with it |
//! | `random_password.master` and secret `takeoff-<env>-db-password` with the connection JSON (L1060-1079) | a generated `Password` written write-only to the database and its `master-credentials` secret | Seed fix: the generated password is in neither the configuration nor the state; bump `credentials_version` to rotate it |
//! | PostgreSQL 15.4 `takeoff-<env>`, class, storage 100/500 (prod 200/1000) gp3, Multi-AZ and deletion protection in production, backups 30/7 days 03:00-04:00, maintenance Mon:04:00-05:00, Performance Insights 7 days, log exports (L1111-1150) | `Postgres::new("main", …)` | 15 tracks the newest 15.x minor |
//! | parameter group: `shared_preload_libraries`, `pg_stat_statements.track` (L1090-1110) | `.parameter(..)` | on top of the component's TLS and logging parameters |
//! | replica `takeoff-<env>-replica` in production (L1152-1175) | `.read_replicas(1)`, `.replica_identifier(..)` | |
//! | Redis cache.r6g.medium × 2 (L3696-3705) | `Redis::new("main", …)` | the module body was never shown: encrypted, IAM authentication, failover in production |
//! | ALB, HTTPS with the TLS 1.3 policy, redirect, `/api/*` rule; target groups api 8000 (health 3/3, timeout 10 s) and frontend 8080 (2/2, 5 s) (L1447-1493) | `Alb`, `TargetGroup` | `/health` also goes to the API; `/metrics`, which the seed's nginx served to private ranges only (L707-712), is refused with 403 at the internet-facing ALB and open on the API's port to the VPC only |
//! | WAF: rate limit 2000, common (SizeRestrictions_BODY counted), SQLi, known bad inputs (L1495-1590) | `WebAcl` | Seed fix: the rate rule blocks (the seed gave it `override_action`, which the provider rejects); associated with the ALB, which the seed never did |
//! | ECS cluster, services `api` (3-10), `worker` (Fargate Spot, 5-20, min healthy 50 %), frontend (L1317-1762) | `services::build` | Seed fix: the worker had a scaling target and no policy; it tracks CPU and queue depth per worker. The frontend had a target group and no service |
//! | task definitions, secrets `ANTHROPIC_API_KEY`, `SECRET_KEY`, `DATABASE_URL` (L1380-1600) | containers in `services::build` | Seed fix: `DATABASE_URL` read the whole JSON secret; it is now a URL secret assembled from the endpoint and the generated password, and `SECRET_KEY` (the signing key) is generated too, both written write-only |
//! | migrations task `takeoff-<env>-migrations`, `alembic upgrade head` (L1989-2013) | `Task::new("migrations", …)` | |
//! | ECR repositories `takeoff-api`, `-worker`, `-frontend` (L1200-1230) | `Repository` | development and staging push the moving `main` tag: mutable tags there, by name and reason. Seed fix: production stays immutable, and its release workflow must push only `<version>`, not `latest` too (L1956-1958): an immutable repository refuses `latest` on the second release, and nothing deploys `latest` (the services run `image_tag`) |
//! | the deploy role `AWS_DEPLOY_ROLE_ARN` the release workflow assumes (L1934-2035) | `deploy::role`, output `deploy_role_arn` | GitHub OIDC (provider from the `ci` stack), trusted by the repository's jobs in the `<env>` GitHub environment only; it may push the three images, run the migrations task, roll the API and worker, and pass the migration task's roles |
//! | backups bucket `takeoff-<env>-backups` (dumps kept 30 days) and table `takeoff-<env>-backup-metadata` (L2715-2810) | `operations::backups` | the bucket name carries the account id (S3 names are global) |
//! | alarms to SNS, `alert_email`, `slack_webhook_url` (sensitive) (L3755-3870) | `ServiceAlarms`, `Topic`, `operations::slack` | the Slack subscription exists when the variable is set; its count reveals nothing of the value |
//! | runbook triggers: API CPU > 60 % for 15 min, queue > 500 for 10 min, database CPU > 70 %, connections > 80 %, storage > 80 % (L3290-3330) | `operations::runbook_alarms` | |
//! | log groups, 30 days (L1332-1347) | `log_retention` | Seed fix: production keeps a year (audits ask for one); staging 90 days, development 30 |
//! | `api.` and `app.` records aliasing the ALB (L3770-3795) | `AliasRecord` | the certificate is DNS-validated in the same zone |
//! | outputs `vpc_id`, subnets, security groups, `database_endpoint` (sensitive), `replica_endpoint`, `database_name`, `secret_arn`, `cluster_name`, `alb_dns_name`, `alb_zone_id`, `api_service_name`, `worker_service_name`, `waf_arn`, `kms_key_arn`, `api_endpoint`, `app_endpoint` (L1177-1192, L3795-3807) | `build` | `replica_endpoint` is sensitive and null without a replica |

mod deploy;
mod operations;
mod security;
mod services;
mod settings;

pub use settings::{Settings, settings};

use super::Env;
use tfsynth::modules::Foundation;
use tfsynth::modules::alarms::Topic;
use tfsynth::modules::cache::Redis;
use tfsynth::modules::database::Postgres;
use tfsynth::modules::dns::{AliasRecord, Certificate};
use tfsynth::modules::firewall::{ManagedGroup, WebAcl};
use tfsynth::modules::kms::Key;
use tfsynth::modules::load_balancing::{Alb, Condition, TargetGroup};
use tfsynth::modules::networking::{Peer, Port, Vpc};
use tfsynth::modules::secrets::Password;
use tfsynth::modules::storage::Bucket;
use tfsynth::prelude::*;

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
        // Seed 002's "Allow ECS to use the key" statement (L3513-L3523).
        .for_service("ecs.amazonaws.com")
        .build(&mut ctx);
    ctx.use_key(&kms);
    let net = Vpc::new("main", &prefix, s.vpc_cidr, s.azs)
        .nat(s.nat)
        .database_subnets()
        .flow_log_retention(s.log_retention)
        .build(&mut ctx);
    ctx.use_network(&net);
    // Seed 002 routing: the frontend by default, /api/* and /health to the API. Its nginx
    // served /metrics to private ranges only (L707-L712): the internet-facing load balancer
    // refuses it, and scrapers in the VPC read it from the API tasks (`security::tasks`).
    let (app, api) = (format!("app.{}", s.domain), format!("api.{}", s.domain));
    let cert = Certificate::new("site", &app, &s.zone_id).alternative_names(&[&api]).build(&mut ctx);
    // Seed 002's health checks: the API 3/3 with a 10 s timeout, the frontend 2/2 with 5 s.
    let api_tg =
        TargetGroup::new("api", format!("{prefix}-api"), security::API_PORT).health_check_timeout(10).build(&mut ctx);
    let frontend_tg = TargetGroup::new("frontend", format!("{prefix}-frontend"), 8080).thresholds(2, 2).build(&mut ctx);
    let alb = Alb::new("main", &prefix, cert.arn)
        .deletion(s.alb_deletion)
        .default_target(&frontend_tg)
        .refuse(90, Condition::path(&["/metrics", "/metrics/*"]))
        .forward(100, Condition::path(&["/api/*", "/health"]), &api_tg)
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
    let ecs = security::tasks(&mut ctx, &prefix, &net);
    // Seed 002 generates the master password (random_password): here it is generated on each
    // run and written write-only, to the database and to the DATABASE_URL secret alike.
    let db_password = Password::new("db", 32).without_special().build(&mut ctx);
    let db = Postgres::new("main", &prefix, "15", s.db.class)
        .database("takeoff", "takeoff_admin")
        .generated_password(&db_password, s.credentials_version)
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
        db_password: &db_password,
        cache: &cache,
        tasks: &ecs,
        topic: &topic,
        logs: &logs,
    };
    if let Some(built) = services::build(&mut ctx, &s, &prefix, env.name(), &wiring) {
        operations::runbook_alarms(&mut ctx, &s, &prefix, &topic, &built, &db);
        let deployer = deploy::role(&mut ctx, &s, env.name(), &built);
        ctx.output(
            Output::new("deploy_role_arn", deployer.arn).description("AWS_DEPLOY_ROLE_ARN of the release workflow"),
        );
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
