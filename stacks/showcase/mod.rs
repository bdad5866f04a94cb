//! Showcase: every component in one stack, so scanners, Terraform and reviewers see all of them
//! together. A static site on CloudFront and S3, an API on ECS behind an ALB and WAF with a
//! 90/10 canary, Aurora PostgreSQL, Valkey, alarms, DNS and a container registry — in the
//! network, with the key and under the hosted zone it imports from [`platform`].

use super::Env;
use super::platform;
use tfsynth::modules::alarms::{ServiceAlarms, Topic};
use tfsynth::modules::cache::{Availability, Engine, Redis};
use tfsynth::modules::compute::{Capacity, Cluster, Container, HealthCheck, Scaling, Service, Statistic, Target};
use tfsynth::modules::container_registry::Repository;
use tfsynth::modules::database::Aurora;
use tfsynth::modules::dns::{AliasRecord, Certificate};
use tfsynth::modules::edge::Distribution;
use tfsynth::modules::firewall::{Action, Match, WebAcl};
use tfsynth::modules::load_balancing::{Alb, Condition, TargetGroup};
use tfsynth::modules::networking::{Peer, Port, SecurityGroup};
use tfsynth::modules::secrets::{Rotation, Secret};
use tfsynth::modules::storage::{AccessLogs, Bucket};
use tfsynth::modules::{Deletion, Foundation};
use tfsynth::prelude::*;

/// The registry entry.
pub const DEF: StackDef<Env> = StackDef {
    name: "showcase",
    description: "Every component together: CloudFront + S3, ALB + WAF, ECS, Aurora, Valkey, alarms, DNS, ECR",
    build,
    settings: None,
};

/// Builds the showcase for `env`; only production keeps data on deletion.
pub fn build(env: Env) -> Stack {
    // The platform's account: the shared network lives there.
    let account = platform::settings(env).account;
    let name = format!("showcase-{}", env.name());
    let production = env == Env::Production;
    let deletion = if production { Deletion::Protected } else { Deletion::Unprotected("non-production showcase") };
    let mut ctx = Foundation::new("showcase", env, account).build();

    let key = platform::key(&mut ctx);
    ctx.use_key(&key);
    let net = platform::network(&mut ctx, env);
    ctx.use_network(&net);
    let (zone, apps) = platform::zone(&mut ctx, env);
    let domain = format!("showcase.{apps}");

    let api_domain = format!("api.{domain}");
    let cert = Certificate::new("site", &domain, &zone).alternative_names(&[&api_domain]).build(&mut ctx);
    let blue = TargetGroup::new("blue", format!("{name}-blue"), 8000).build(&mut ctx);
    let green = TargetGroup::new("green", format!("{name}-green"), 8000).build(&mut ctx);
    let alb = Alb::new("main", &name, cert.arn.clone())
        .deletion(deletion)
        .default_target(&blue)
        .weighted(100, Condition::host(&[format!("canary.{domain}")]), &[(&blue, 90), (&green, 10)])
        .build(&mut ctx);
    WebAcl::new("main", format!("{name}-waf"))
        .custom("BlockAdmin", Match::PathPrefix("/admin"), Action::Block)
        .protect(&alb)
        .build(&mut ctx);
    AliasRecord::new("api", &zone, &api_domain).target(&alb).build(&mut ctx);

    let tasks = SecurityGroup::new("tasks", format!("{name}-tasks"), "API tasks").build(&mut ctx);
    tasks.allow_out(&mut ctx, Port::tcp(443), Peer::Internet, "HTTPS to AWS APIs");

    let db = Aurora::new("main", &name, "15", "db.r6g.large")
        .instances(if production { 3 } else { 1 })
        .deletion(deletion)
        .clients(&[&tasks])
        .build(&mut ctx);
    tasks.allow_out(&mut ctx, Port::tcp(db.port), Peer::Group(&db.security_group), "PostgreSQL");
    let availability = if production { Availability::MultiAz { replicas: 2 } } else { Availability::SingleNode };
    let cache = Redis::new("main", &name, "cache.r7g.large")
        .engine(Engine::Valkey, "8.0")
        .availability(availability)
        .clients(&[&tasks])
        .build(&mut ctx);
    tasks.allow_out(&mut ctx, Port::tcp(cache.port), Peer::Group(&cache.security_group), "Valkey");

    // The API: an image from its own registry, database and partner secrets, Spot-heavy
    // capacity and custom-metric autoscaling, on the blue target group of the canary.
    let repo = Repository::new("api", "showcase-api").build(&mut ctx);
    let token = Secret::new("partner_token", format!("{name}/partner-token"))
        .description("Partner API token")
        .rotation(Rotation::AtSource("issued by the partner"))
        .build(&mut ctx);
    let container = Container::new("api", template![repo.url, ":1.0.0"])
        .port(8000)
        .health(HealthCheck::http(8000, "/health"))
        .env("DATABASE_HOST", &db.address)
        .secret_key("DATABASE_PASSWORD", &db.master_secret, "password")
        .secret("PARTNER_TOKEN", &token);
    let cluster = Cluster::new("main", &name).build(&mut ctx);
    let requests = Target::Custom {
        namespace: "Showcase/API",
        metric: "RequestsPerSecond",
        statistic: Statistic::Average,
        value: 100.0,
    };
    let scaling = Scaling::new(2, 8).target(Target::Cpu(70.0)).target(requests).cooldowns(600, 120);
    let api = Service::new("api", &cluster, container)
        .size(1024, 2048)
        .capacity(Capacity::Mixed { base: 2, spot_weight: 80, on_demand_weight: 20 })
        .security_group(&tasks)
        .behind(&alb, &blue)
        .autoscale(scaling)
        .build(&mut ctx);

    let site_name = format!("{name}-site-{}", account.id);
    let logs = Bucket::for_access_logs("access_logs", format!("{name}-access-logs-{}", account.id)).build(&mut ctx);
    let site = Bucket::new("site", &site_name)
        .access_logs(AccessLogs::To(logs))
        .allow(Distribution::read_statement(&account, &site_name))
        .build(&mut ctx);
    let cdn = Distribution::new("site", &site, cert.arn)
        .aliases(&[domain.as_str()])
        .api_origin(alb.dns_name.clone(), &["/api/*"])
        .build(&mut ctx);
    AliasRecord::new("site", &zone, &domain).target(&cdn).build(&mut ctx);

    let topic = Topic::new("alerts", format!("{name}-alerts")).email("showcase-oncall@example.com").build(&mut ctx);
    ServiceAlarms::new("api", &topic, &api).load_balancer(&alb, &blue).build(&mut ctx);
    ctx.output(Output::new("site_url", format!("https://{domain}")).description("The site"));
    ctx.output(Output::new("database_endpoint", db.endpoint).description("Aurora writer endpoint").sensitive());
    ctx.finish()
}
