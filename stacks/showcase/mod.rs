//! Showcase: every component in one stack, so scanners, Terraform and reviewers see all of them
//! together. A static site on CloudFront and S3, an API on ECS behind an ALB and WAF, Aurora
//! PostgreSQL, Valkey, alarms, DNS and a container registry.

use super::{Env, root};
use crate::modules::alarms::{Topic, service_alarms};
use crate::modules::cache::{Availability, Engine, Redis};
use crate::modules::compute::{
    Capacity, Cluster, ClusterRef, Container, HealthCheck, Scaling, Service, ServiceRef, Target,
};
use crate::modules::database::{Database, Deletion, Postgres};
use crate::modules::dns::{alias, certificate};
use crate::modules::edge::Distribution;
use crate::modules::firewall::{Action, Match, WebAcl};
use crate::modules::kms::Key;
use crate::modules::load_balancing::{Alb, Condition, Deletion as AlbDeletion, LoadBalancer, TargetGroup};
use crate::modules::networking::{NatGateways, Network, Peer, Port, SecurityGroup, Vpc};
use crate::modules::registry::repository;
use crate::modules::secrets::{Rotation, SecretRef, secret};
use crate::modules::storage::{AccessLogs, Bucket, Encryption};
use crate::modules::{Account, KmsKey};
use crate::prelude::*;

/// The registry entry.
pub const DEF: StackDef<Env> = StackDef {
    name: "showcase",
    description: "Every component together: CloudFront + S3, ALB + WAF, ECS, Aurora, Valkey, alarms, DNS, ECR",
    build,
    settings: None,
};

/// Builds the showcase for `env`; only production keeps data on deletion.
pub fn build(env: Env) -> Stack {
    let account = Account { id: "123456789012", region: "us-east-1" };
    let name = format!("showcase-{}", env.name());
    let production = env == Env::Production;
    let zone = "Z0SHOWCASEEXAMPLE001";
    let domain =
        if production { "showcase.example.com".to_owned() } else { format!("{}.showcase.example.com", env.name()) };
    let mut stack = root("showcase", env, &account, env.name(), &[]);

    let key = Key::new("main", &name, "Showcase data")
        .for_log_groups()
        .for_service("cloudwatch.amazonaws.com")
        .for_service("cloudfront.amazonaws.com")
        .build(&mut stack, &account);
    let net = Vpc::new(&name, "10.40.0.0/16", &["us-east-1a", "us-east-1b", "us-east-1c"])
        .nat(if production { NatGateways::PerAz } else { NatGateways::Single })
        .database_subnets()
        .build(&mut stack, &account, &key);

    let cert = certificate(&mut stack, "site", &domain, &[format!("api.{domain}").as_str()], zone);
    let alb = Alb::new(&name, cert.clone())
        .deletion(if production { AlbDeletion::Protected } else { AlbDeletion::Unprotected("non-production showcase") })
        .target_group(TargetGroup::new("blue", 8000))
        .target_group(TargetGroup::new("green", 8000))
        .default_target("blue")
        .weighted(100, Condition::Host(vec!["canary.showcase.example.com"]), &[("blue", 90), ("green", 10)])
        .build(&mut stack, &account, &net);
    WebAcl::new(format!("{name}-waf"))
        .custom("BlockAdmin", Match::PathPrefix("/admin"), Action::Block)
        .build(&mut stack, &key, &alb);
    alias(&mut stack, "api", zone, &format!("api.{domain}"), &alb.dns_name, &alb.zone_id);

    let tasks = SecurityGroup::new(&mut stack, &net.vpc_id, "tasks", format!("{name}-tasks"), "API tasks");
    alb.security_group.allow_out(&mut stack, Port::tcp(8000), Peer::Group(&tasks), "ALB to the API");
    tasks.allow_in(&mut stack, Port::tcp(8000), Peer::Group(&alb.security_group), "API traffic from the ALB");
    tasks.allow_out(&mut stack, Port::tcp(443), Peer::Internet, "HTTPS to AWS APIs");

    let deletion = if production { Deletion::Protected } else { Deletion::Unprotected("non-production showcase") };
    let db = Postgres::new(&name, "15", "db.r6g.large")
        .aurora(if production { 3 } else { 1 })
        .deletion(deletion)
        .build(&mut stack, &account, &net, &key, &[&tasks]);
    tasks.allow_out(&mut stack, Port::tcp(db.port), Peer::Group(&db.security_group), "PostgreSQL");
    let availability = if production { Availability::MultiAz { replicas: 2 } } else { Availability::SingleNode };
    let cache = Redis::new(&name, "cache.r7g.large").engine(Engine::Valkey, "8.0").availability(availability).build(
        &mut stack,
        &net,
        &key,
        &[&tasks],
    );
    tasks.allow_out(&mut stack, Port::tcp(cache.port), Peer::Group(&cache.security_group), "Valkey");

    let (cluster, api) =
        api_service(&mut stack, &account, &name, &Wiring { net: &net, key: &key, alb: &alb, db: &db, tasks: &tasks });
    let logs = Bucket::for_access_logs("access_logs", format!("{name}-access-logs-{}", account.id), &account)
        .build(&mut stack);
    let site = Bucket::new("site", format!("{name}-site-{}", account.id))
        .encryption(Encryption::Kms(key.clone()))
        .access_logs(AccessLogs::To(logs))
        .allow(Distribution::read_statement(&account, &format!("{name}-site-{}", account.id)))
        .build(&mut stack);
    let cdn = Distribution::new(domain.as_str(), cert).build(&mut stack, &site, Some(&alb.dns_name));
    alias(&mut stack, "site", zone, &domain, &cdn.domain_name, &cdn.zone_id);

    let topic =
        Topic::new("alerts", format!("{name}-alerts")).email("showcase-oncall@example.com").build(&mut stack, &key);
    service_alarms(
        &mut stack,
        &topic,
        "api",
        &cluster.name,
        &api.name,
        Some((&alb.arn_suffix, &alb.target_groups["blue"].arn_suffix)),
    );
    stack.output(Output::new("site_url", format!("https://{domain}")).description("The site"));
    stack.output(Output::new("database_endpoint", db.endpoint).description("Aurora writer endpoint").sensitive());
    stack
}

/// What the API service is wired to.
struct Wiring<'a> {
    net: &'a Network,
    key: &'a KmsKey,
    alb: &'a LoadBalancer,
    db: &'a Database,
    tasks: &'a SecurityGroup,
}

/// The API: an image from its own registry, database and partner secrets, Spot-heavy capacity
/// and custom-metric autoscaling.
fn api_service(stack: &mut Stack, account: &Account, name: &str, w: &Wiring<'_>) -> (ClusterRef, ServiceRef) {
    let (net, key, alb, db, tasks) = (w.net, w.key, w.alb, w.db, w.tasks);
    let repo = repository(stack, "api", "showcase-api", key, 10);
    let token = secret(
        stack,
        "partner_token",
        format!("{name}/partner-token"),
        "Partner API token",
        key,
        Rotation::AtSource("issued by the partner"),
    );
    let container = Container::new("api", template![repo, ":1.0.0"])
        .port(8000)
        .health(HealthCheck::http(8000, "/health"))
        .env("DATABASE_HOST", db.address.clone())
        .secret("DATABASE_PASSWORD", &SecretRef::external(db.master_secret_arn.clone()), Some("password"))
        .secret("PARTNER_TOKEN", &token, None);
    let cluster = Cluster::new(name).build(stack, key);
    let scaling = Scaling::new(2, 8)
        .target(Target::Cpu(70.0))
        .target(Target::Custom {
            namespace: "Showcase/API",
            metric: "RequestsPerSecond",
            statistic: "Average",
            value: 100.0,
        })
        .cooldowns(600, 120);
    let api = Service::new("api", container)
        .size(1024, 2048)
        .capacity(Capacity::Mixed { base: 2, spot_weight: 80, on_demand_weight: 20 })
        .behind(&alb.target_groups["blue"])
        .autoscale(scaling)
        .build(stack, account, &cluster, net, key, tasks);

    (cluster, api)
}
