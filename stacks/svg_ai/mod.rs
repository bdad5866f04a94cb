//! SVG-AI (seeds 003 and 004): a PNG-to-SVG converter. A static frontend on CloudFront and S3,
//! the API (port 8001) on ECS behind an ALB that CloudFront serves under `/api/*`, model and
//! upload buckets, ECR, ACM and Route53, and the seed 003 alarms.

mod settings;

pub use settings::{Settings, settings};

use super::{Env, root};
use crate::modules::alarms::{Topic, service_alarms};
use crate::modules::compute::{Cluster, Container, HealthCheck, Scaling, Service, Target};
use crate::modules::dns::{alias, certificate};
use crate::modules::edge::Distribution;
use crate::modules::firewall::WebAcl;
use crate::modules::iam::Statement;
use crate::modules::kms::Key;
use crate::modules::load_balancing::{Alb, TargetGroup};
use crate::modules::networking::{Peer, Port, SecurityGroup, SubnetLayout, Vpc};
use crate::modules::registry::repository;
use crate::modules::secrets::{Rotation, secret};
use crate::modules::storage::{AccessLogs, Bucket, BucketRef, Encryption};
use crate::prelude::*;

/// The registry entry.
pub const DEF: StackDef<Env> = StackDef {
    name: "svg-ai",
    description: "SVG-AI (seeds 003/004): CloudFront + S3 frontend, ECS API on 8001 behind an ALB, model and upload buckets",
    build,
    settings: Some(|env| format!("{:#?}", settings(env))),
};

/// The API's container port (seed 003).
const API_PORT: u16 = 8001;

/// Builds the SVG-AI stack for `env`.
pub fn build(env: Env) -> Stack {
    let s = settings(env);
    let name = format!("svg-ai-{}", env.name());
    // Seed 003's cost-allocation tags.
    let mut stack = root("svg-ai", env, &s.account, env.name(), &[("Service", "svg-ai")]);

    let kms = Key::new("main", &name, format!("SVG-AI {} data", env.name()))
        .for_log_groups()
        .for_service("cloudwatch.amazonaws.com")
        .for_service("cloudfront.amazonaws.com")
        .build(&mut stack, &s.account);
    let layout = SubnetLayout::Explicit {
        public: s.subnets.iter().map(|(_, public, _)| *public).collect(),
        private: s.subnets.iter().map(|(_, _, private)| *private).collect(),
        database: vec![],
    };
    let azs: Vec<&'static str> = s.subnets.iter().map(|(az, _, _)| *az).collect();
    let net = Vpc::new(&name, "10.0.0.0/16", &azs)
        .layout(layout)
        .nat(s.nat)
        .flow_log_retention(s.log_retention)
        .build(&mut stack, &s.account, &kms);

    // The ALB is CloudFront's origin, reached as origin.<domain> so its certificate matches.
    let origin = format!("origin.{}", s.domain);
    let www = format!("www.{}", s.domain);
    let cert = certificate(&mut stack, "site", s.domain, &[www.as_str(), origin.as_str()], s.zone_id);
    let alb = Alb::new(&name, cert.clone())
        .deletion(s.alb_deletion)
        .target_group(TargetGroup::new("api", API_PORT).health_path("/health").thresholds(2, 3))
        .default_target("api")
        .build(&mut stack, &s.account, &net);
    // Seed 003: "rate limit 1000 requests per minute" is 1000 over a 60-second window.
    WebAcl::new(format!("{name}-waf"))
        .rate_limit(1000, 60)
        .log_retention(s.log_retention)
        .build(&mut stack, &kms, &alb);
    alias(&mut stack, "origin", s.zone_id, &origin, &alb.dns_name, &alb.zone_id);

    let tasks = SecurityGroup::new(
        &mut stack,
        &net.vpc_id,
        "tasks",
        format!("{name}-tasks"),
        "API tasks: port 8001 from the ALB only",
    );
    alb.security_group.allow_out(&mut stack, Port::tcp(API_PORT), Peer::Group(&tasks), "ALB to the API");
    // Seed fix: the seed gave tasks public IPs in public subnets; they run private, egress via NAT.
    tasks.allow_in(&mut stack, Port::tcp(API_PORT), Peer::Group(&alb.security_group), "API traffic from the ALB");
    tasks.allow_out(&mut stack, Port::tcp(443), Peer::Internet, "HTTPS to S3, ECR and AWS APIs");

    let logs = Bucket::for_access_logs("access_logs", format!("{name}-access-logs-{}", s.account.id), &s.account)
        .build(&mut stack);
    let bucket = |stack: &mut Stack, key: &str, extra: Option<Statement>, expire: Option<u32>| {
        let b = Bucket::new(key, format!("{name}-{key}-{}", s.account.id))
            .encryption(Encryption::Kms(kms.clone()))
            .access_logs(AccessLogs::To(logs.clone()));
        let b = extra.into_iter().fold(b, Bucket::allow);
        let b = match expire {
            Some(days) => b.expire_after_days(days),
            None => b,
        };
        b.build(stack)
    };
    let frontend_name = format!("{name}-frontend-{}", s.account.id);
    // Seed fix: the seed made the frontend and model buckets public-read; CloudFront reads the
    // frontend through origin access control, and the API reads the models with its role.
    let frontend = bucket(&mut stack, "frontend", Some(Distribution::read_statement(&s.account, &frontend_name)), None);
    let models = bucket(&mut stack, "models", None, None);
    // Seed 003: uploads are deleted after 7 days.
    let uploads = bucket(&mut stack, "uploads", None, Some(7));

    api(
        &mut stack,
        &s,
        &name,
        &ApiWiring { net: &net, kms: &kms, alb: &alb, tasks: &tasks, models: &models, uploads: &uploads },
    );

    let cdn = Distribution::new(s.domain, cert).build(&mut stack, &frontend, Some(&Expr::from(origin.as_str())));
    for (key, record) in [("apex", s.domain), ("www", www.as_str())] {
        alias(&mut stack, key, s.zone_id, record, &cdn.domain_name, &cdn.zone_id);
    }
    stack.output(Output::new("site_url", format!("https://{}", s.domain)).description("The converter"));
    stack.output(Output::new("distribution_domain", cdn.domain_name).description("CloudFront domain"));
    stack
}

/// What the API service is wired to.
struct ApiWiring<'a> {
    net: &'a crate::modules::networking::Network,
    kms: &'a crate::modules::KmsKey,
    alb: &'a crate::modules::load_balancing::LoadBalancer,
    tasks: &'a SecurityGroup,
    models: &'a BucketRef,
    uploads: &'a BucketRef,
}

/// The API service, its image registry, its secret and its alarms.
fn api(stack: &mut Stack, s: &Settings, name: &str, w: &ApiWiring<'_>) {
    // Seed 003: keep only the last 10 images.
    let repo = repository(stack, "api", "svg-ai", w.kms, 10);
    let api_key = secret(
        stack,
        "api_key",
        format!("svg-ai/{}/api-key", s.env_name),
        "API key",
        w.kms,
        Rotation::AtSource("issued to API clients; rotated with them"),
    );
    let container = Container::new("svg-ai", template![repo, format!(":{}", s.image_tag)])
        .port(API_PORT)
        .health(HealthCheck::http(API_PORT, "/health"))
        .env("MODELS_BUCKET", w.models.name.clone())
        .env("UPLOADS_BUCKET", w.uploads.name.clone())
        .secret("API_KEY", &api_key, None);
    // Seed 003's least-privilege task role: read models, read and write uploads.
    let statements = [
        Statement::allow(["s3:GetObject"]).sid("ReadModels").on(template![w.models.arn.clone(), "/*"]),
        Statement::allow(["s3:GetObject", "s3:PutObject"]).sid("Uploads").on(template![w.uploads.arn.clone(), "/*"]),
        Statement::allow(["kms:Decrypt", "kms:GenerateDataKey"]).sid("BucketKey").on(w.kms.arn.clone()),
    ];
    let cluster = Cluster::new(name).log_retention(s.log_retention).build(stack, w.kms);
    let (min, max) = s.tasks;
    let scaling = Scaling::new(min, max).target(Target::Cpu(70.0)).target(Target::Memory(80.0));
    let svc = statements
        .into_iter()
        .fold(Service::new("api", container).size(s.task_size.0, s.task_size.1).desired(min), Service::allow)
        .behind(&w.alb.target_groups["api"])
        .autoscale(scaling)
        .build(stack, &s.account, &cluster, w.net, w.kms, w.tasks);
    let topic = Topic::new("alerts", format!("{name}-alerts")).email(s.alert_email).build(stack, w.kms);
    let tg = (&w.alb.arn_suffix, &w.alb.target_groups["api"].arn_suffix);
    service_alarms(stack, &topic, "api", &cluster.name, &svc.name, Some(tg));
}
