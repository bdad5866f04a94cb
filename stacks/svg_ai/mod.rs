//! SVG-AI (seeds 003 and 004): a PNG-to-SVG converter. A static frontend on CloudFront and S3,
//! the API (port 8001) on ECS behind an ALB that CloudFront serves under `/api/*`, model and
//! upload buckets, ECR, ACM and Route53, and the seed 003 alarms.

mod settings;

pub use settings::{Settings, settings};

use super::Env;
use crate::modules::alarms::{ServiceAlarms, Topic};
use crate::modules::compute::{Cluster, Container, HealthCheck, Scaling, Service, Target};
use crate::modules::container_registry::Repository;
use crate::modules::dns::{AliasRecord, Certificate};
use crate::modules::edge::Distribution;
use crate::modules::firewall::WebAcl;
use crate::modules::iam::Statement;
use crate::modules::kms::Key;
use crate::modules::load_balancing::{Alb, AlbRef, TargetGroup, TargetGroupRef};
use crate::modules::networking::{Peer, Port, SecurityGroup, SecurityGroupRef, SubnetLayout, Vpc};
use crate::modules::secrets::{Rotation, Secret};
use crate::modules::storage::{AccessLogs, Bucket, BucketRef};
use crate::modules::{Context, Foundation};
use crate::prelude::*;

/// The registry entry.
pub const DEF: StackDef<Env> = StackDef {
    name: "svg-ai",
    description: "SVG-AI (seeds 003/004): CloudFront + S3 frontend, ECS API on 8001 behind an ALB, model and upload buckets",
    build,
    settings: Some(|env| settings_table(&settings(env))),
};

/// The API's container port (seed 003).
const API_PORT: u16 = 8001;

/// Builds the SVG-AI stack for `env`.
pub fn build(env: Env) -> Stack {
    let s = settings(env);
    let name = format!("svg-ai-{}", env.name());
    // Seed 003's cost-allocation tags.
    let mut ctx = Foundation::new("svg-ai", env, s.account).tag("Service", "svg-ai").build();

    let kms = Key::new("main", &name, format!("SVG-AI {} data", env.name()))
        .for_log_groups()
        .for_service("cloudwatch.amazonaws.com")
        .for_service("cloudfront.amazonaws.com")
        .build(&mut ctx);
    ctx.use_key(&kms);
    let layout = SubnetLayout::Explicit {
        public: s.subnets.iter().map(|(_, public, _)| *public).collect(),
        private: s.subnets.iter().map(|(_, _, private)| *private).collect(),
        database: vec![],
    };
    let azs: Vec<&'static str> = s.subnets.iter().map(|(az, _, _)| *az).collect();
    let net = Vpc::new("main", &name, "10.0.0.0/16", &azs)
        .layout(layout)
        .nat(s.nat)
        .flow_log_retention(s.log_retention)
        .build(&mut ctx);
    ctx.use_network(&net);

    // The ALB is CloudFront's origin, reached as origin.<domain> so its certificate matches.
    let origin = format!("origin.{}", s.domain);
    let www = format!("www.{}", s.domain);
    let cert = Certificate::new("site", s.domain, &s.zone_id).alternative_names(&[&www, &origin]).build(&mut ctx);
    let api_tg = TargetGroup::new("api", format!("{name}-api"), API_PORT).thresholds(2, 3).build(&mut ctx);
    let alb =
        Alb::new("main", &name, cert.arn.clone()).deletion(s.alb_deletion).default_target(&api_tg).build(&mut ctx);
    // Seed 003: "rate limit 1000 requests per minute" is 1000 over a 60-second window.
    WebAcl::new("main", format!("{name}-waf"))
        .rate_limit(1000, 60)
        .log_retention(s.log_retention)
        .protect(&alb)
        .build(&mut ctx);
    AliasRecord::new("origin", &s.zone_id, &origin).target(&alb).build(&mut ctx);

    // Seed fix: the seed gave tasks public IPs in public subnets; they run private, egress via NAT.
    let tasks =
        SecurityGroup::new("tasks", format!("{name}-tasks"), "API tasks: port 8001 from the ALB only").build(&mut ctx);
    tasks.allow_out(&mut ctx, Port::tcp(443), Peer::Internet, "HTTPS to S3, ECR and AWS APIs");

    let logs = Bucket::for_access_logs("access_logs", format!("{name}-access-logs-{}", s.account.id)).build(&mut ctx);
    let bucket = |ctx: &mut Context, key: &str, extra: Option<Statement>, expire: Option<u32>| {
        let b = Bucket::new(key, format!("{name}-{key}-{}", s.account.id)).access_logs(AccessLogs::To(logs.clone()));
        let b = extra.into_iter().fold(b, Bucket::allow);
        let b = match expire {
            Some(days) => b.expire_after_days(days),
            None => b,
        };
        b.build(ctx)
    };
    let frontend_name = format!("{name}-frontend-{}", s.account.id);
    // Seed fix: the seed made the frontend and model buckets public-read; CloudFront reads the
    // frontend through origin access control, and the API reads the models with its role.
    let frontend = bucket(&mut ctx, "frontend", Some(Distribution::read_statement(&s.account, &frontend_name)), None);
    let models = bucket(&mut ctx, "models", None, None);
    // Seed 003: uploads are deleted after 7 days.
    let uploads = bucket(&mut ctx, "uploads", None, Some(7));

    api(&mut ctx, &s, &name, &ApiWiring { alb: &alb, api: &api_tg, tasks: &tasks, models: &models, uploads: &uploads });

    // Seed fix: the `www` record aliases the distribution, so the distribution answers to it.
    let cdn = Distribution::new("site", &frontend, cert.arn)
        .aliases(&[s.domain, www.as_str()])
        .api_origin(origin.as_str(), &["/api/*"])
        .build(&mut ctx);
    for (key, record) in [("apex", s.domain), ("www", www.as_str())] {
        AliasRecord::new(key, &s.zone_id, record).target(&cdn).build(&mut ctx);
    }
    ctx.output(Output::new("site_url", format!("https://{}", s.domain)).description("The converter"));
    ctx.output(Output::new("distribution_domain", cdn.domain_name).description("CloudFront domain"));
    ctx.finish()
}

/// What the API service is wired to.
struct ApiWiring<'a> {
    alb: &'a AlbRef,
    api: &'a TargetGroupRef,
    tasks: &'a SecurityGroupRef,
    models: &'a BucketRef,
    uploads: &'a BucketRef,
}

/// The API service, its image registry, its secret and its alarms.
fn api(ctx: &mut Context, s: &Settings, name: &str, w: &ApiWiring<'_>) {
    // Seed 003: keep only the last 10 images.
    let repo = Repository::new("api", "svg-ai").keep_last(10).tags(s.image_tags).build(ctx);
    let api_key = Secret::new("api_key", format!("svg-ai/{}/api-key", s.env_name))
        .description("API key")
        .rotation(Rotation::AtSource("issued to API clients; rotated with them"))
        .build(ctx);
    let container = Container::new("svg-ai", template![repo.url, format!(":{}", s.image_tag)])
        .port(API_PORT)
        .health(HealthCheck::http(API_PORT, "/health"))
        .env("MODELS_BUCKET", &w.models.name)
        .env("UPLOADS_BUCKET", &w.uploads.name)
        .secret("API_KEY", &api_key);
    let key_arn = ctx.key().map_or_else(|| Expr::from(""), |k| k.arn.clone());
    // Seed 003's least-privilege task role: read models, read and write uploads.
    let statements = [
        Statement::allow(["s3:GetObject"]).sid("ReadModels").on(template![w.models.arn.clone(), "/*"]),
        Statement::allow(["s3:GetObject", "s3:PutObject"]).sid("Uploads").on(template![w.uploads.arn.clone(), "/*"]),
        Statement::allow(["kms:Decrypt", "kms:GenerateDataKey"]).sid("BucketKey").on(key_arn),
    ];
    let cluster = Cluster::new("main", name).log_retention(s.log_retention).build(ctx);
    let (min, max) = s.tasks;
    let scaling = Scaling::new(min, max).target(Target::Cpu(70.0)).target(Target::Memory(80.0));
    let svc = statements
        .into_iter()
        .fold(Service::new("api", &cluster, container).size(s.task_size.0, s.task_size.1).desired(min), Service::allow)
        .name("svg-ai-service")
        .security_group(w.tasks)
        .behind(w.alb, w.api)
        .autoscale(scaling)
        .build(ctx);
    let topic = Topic::new("alerts", format!("{name}-alerts")).email(s.alert_email).build(ctx);
    ServiceAlarms::new("api", &topic, &svc).load_balancer(w.alb, w.api).build(ctx);
}
