//! SVG-AI (seeds 003 and 004): a PNG-to-SVG converter. A static frontend on CloudFront and S3,
//! the API (port 8001) on ECS behind an ALB that CloudFront serves under `/api/*`, the AI
//! service (seed 004's image, port 8000) the API calls through Service Connect, PostgreSQL and
//! Redis, the storage buckets, and the seed's audit, cost and monitoring pieces.
//!
//! | Seed element | Where it is | Fix, and why |
//! |---|---|---|
//! | cost-allocation tags Environment / Service / Component (003 L583-589) | [`Foundation`] tags; `Component` = `frontend`, `backend` or `storage` per part | |
//! | VPC 10.0.0.0/16, public 10.0.1-2.0/24, private 10.0.10/20.0/24, one NAT (003 L110-128) | `Vpc::new("main", …)` | database subnets 10.0.100-101.0/24 added for seed 004's data tier |
//! | flow logs to S3 (003 L557-560) | `FlowLogs::Bucket` into the logs bucket | |
//! | network ACLs (003 L557) | `.network_acls()` | the seed gives no rules: 80/443 in on public subnets, the VPC everywhere, replies on ephemeral ports |
//! | S3 gateway endpoint (003 L646) | `.gateway_endpoint(Gateway::S3)` | |
//! | ECR `svg-ai`, keep the last 10 (003 L100-106) | `Repository::new("api", "svg-ai")` | development and staging push the moving `main` tag, a named choice per environment |
//! | cluster `svg-ai-cluster` (003 L131) | `Cluster::new("main", "svg-ai-cluster")` | |
//! | task `svg-ai`, 1024/2048, port 8001, `API_KEY` secret, logs `/ecs/svg-ai` 7 days (003 L132-167, L520-533) | `api::build` | Seed fix: `API_KEY` reads the `key` field of the JSON secret, not the whole document; production keeps logs a year |
//! | X-Ray (003 L380-394) | `.xray()`: daemon sidecar and task-role permissions | |
//! | service `svg-ai-service`, 2-10, CPU and memory policies (003 L191-233) | `Service::new("api", …)` | Seed fix: private subnets without public IPs (the seed put tasks in public subnets with public IPs) |
//! | Fargate Spot 80 / Fargate 20 (003 L606-617) | `Capacity::Mixed` | one task always on demand |
//! | off-peak scale-down (003 L621) | `Schedule` off-peak 22:00 and peak 07:00 UTC | |
//! | ALB `svg-ai-alb`, target group `svg-ai-targets` 8001 `/health` 30/5/2/3 (003 L170-186) | `Alb::new("main", "svg-ai-alb", …)` | Seed fix: HTTPS only (origin certificate) instead of plain HTTP 80 behind CloudFront, so requests are encrypted to the origin too |
//! | blue/green target groups, canary 90/10 (003 L462-469) | production: `svg-ai-targets-green` and service `svg-ai-service-green` with `canary` weights | |
//! | ALB and ECS egress (003 L115-129) | security groups | Seed fix: the seed allowed all egress; tasks get HTTPS and their data stores only, the ALB its targets only |
//! | WAF: 1000 requests per minute, SQLi, XSS, IP reputation (003 L551-556) | `WebAcl` | 1000 over a 60-second window; XSS is in the common rule set |
//! | CloudWatch alarm `svg-ai-high-cpu` 80 % over one 300 s period, memory, unhealthy, 5xx, latency, running tasks (003 L338-358) | `ServiceAlarms` with the seed's name and period | |
//! | dashboard `SVG-AI-Production` (003 L315-336) | `observability::dashboard` | one per environment, named for it |
//! | Logs Insights queries (003 L372-378) | query widgets on the dashboard | |
//! | log export to S3 (003 L378) | `Archive`: the API's logs stream through Firehose into the logs bucket | |
//! | CloudTrail `svg-ai-audit` to `svg-ai-logs` with Object Lock (003 L567-574) | `Trail::new("audit", "svg-ai-audit", …)` | its own bucket, locked in compliance mode for a year; bucket names carry the account id because S3 names are global |
//! | Budget with 80 % and 100 % notifications (003 L590-597) | `Budget` | the seed gives no amount: `budget_usd` per environment, counting resources tagged `Service = svg-ai` |
//! | buckets production / frontend / models / uploads (003 L26-33) | `storage::buckets` | Seed fix: private, encrypted, versioned, access-logged; the seed made frontend and models public-read |
//! | versioning on the production bucket (003 L30) | every bucket is versioned | |
//! | frontend CORS (003 L31) | `Cors` for the site's two origins, GET and HEAD | the seed gives no rules |
//! | uploads deleted after 7 days (003 L33) | `.expire_after_days(7)` | |
//! | Intelligent-Tiering `archive-old-files` (003 L625-630) | on the main bucket | Seed fix: the seed put it on uploads, which it deletes after 7 days, before any tier is reached |
//! | conversions: IA at 30 days, Glacier at 90, deleted at 365 (003 L631-634) | the `conversions` bucket | a bucket of its own, so the rules cover every object in it |
//! | Transfer Acceleration for uploads (003 L636) | `aws_s3_bucket_accelerate_configuration` | |
//! | cross-region daily copy to `svg-ai-backup` in us-west-2 (003 L678-687) | production: `storage::backup` through the aws provider aliased `backup`, `Bucket::replicate_to` | Seed fix: S3 replication instead of a daily `aws s3 sync`; the backup bucket has its own us-west-2 key |
//! | static website hosting, index/error documents (003 L247-251) | CloudFront default root object | Seed fix: the bucket is private behind origin access control, not a public website |
//! | CloudFront: `/api/*` to the ALB, error pages 404 → `/404.html`, 403 → `/index.html` (003 L275-295) | `Distribution` | Seed fix: the `www` record aliases the distribution, so `www` is among its aliases |
//! | cache lifetimes: HTML 0, JS/CSS 1 day, images 7 days (003 L286-288) | `.cache_for(0)`, `.cache_paths(..)` | CloudFront cache policies cap each; the pages (`/`, SPA routes, `*.html`) are fetched from the bucket every time |
//! | ACM `svg-ai.com` + `www` with DNS validation, Route53 aliases (003 L297-311) | `Certificate`, `AliasRecord` | `origin.` added for the ALB |
//! | AI image: port 8000, health `/api/ai-status` 60/15/30/3, `MODEL_DIR`, `CLASSIFIER_MODEL`, `OPTIMIZER_MODEL`, `AI_ENHANCED` (004 L315-350) | `api::build`, service `svg-ai-ai` | reached by the API at `AI_SERVICE_URL` through Service Connect |
//! | PostgreSQL `svgai`, `svgai_quality` (004 L377-391) | `Postgres::new("main", "svg-ai", …)` with database `svgai` | `svgai_quality` is created by the application's migrations: RDS creates one database per instance and the AWS provider has no resource for another; the password is RDS-managed, not `postgres:password` |
//! | Redis (004 L357-382) | `Redis::new("main", "svg-ai", …)` | encrypted, IAM authentication |

mod api;
mod observability;
mod settings;
mod storage;

pub use settings::{Settings, settings};

use super::Env;
use tfsynth::modules::cache::Redis;
use tfsynth::modules::database::Postgres;
use tfsynth::modules::dns::{AliasRecord, Certificate};
use tfsynth::modules::edge::Distribution;
use tfsynth::modules::firewall::WebAcl;
use tfsynth::modules::kms::Key;
use tfsynth::modules::load_balancing::{Alb, TargetGroup};
use tfsynth::modules::networking::{FlowLogs, Gateway, Peer, Port, SecurityGroup, SubnetLayout, Vpc};
use tfsynth::modules::storage::Bucket;
use tfsynth::modules::{Context, Foundation};
use tfsynth::prelude::*;

/// A day in seconds.
const DAY: u32 = 86_400;

/// The registry entry.
pub const DEF: StackDef<Env> = StackDef {
    name: "svg-ai",
    description: "SVG-AI (seeds 003/004): CloudFront + S3 frontend, ECS API and AI service behind an ALB, PostgreSQL, Redis, audit and cost controls",
    build,
    settings: Some(|env| settings_table(&settings(env))),
};

/// The API's container port (seed 003).
const API_PORT: u16 = 8001;

/// Database subnets for seed 004's data tier, clear of seed 003's ranges.
const DATABASE_SUBNETS: [&str; 2] = ["10.0.100.0/24", "10.0.101.0/24"];

/// Builds the SVG-AI stack for `env`.
pub fn build(env: Env) -> Stack {
    let s = settings(env);
    let name = format!("svg-ai-{}", env.name());
    // Seed 003's cost-allocation tags.
    let mut ctx = Foundation::new("svg-ai", env, s.account).tag("Service", "svg-ai").build();

    let kms = Key::new("main", &name, format!("SVG-AI {} data", env.name()))
        .for_log_groups()
        .for_trails()
        .for_service("cloudwatch.amazonaws.com")
        .for_service("cloudfront.amazonaws.com")
        .build(&mut ctx);
    ctx.use_key(&kms);
    let logs = ctx.tagged("Component", "storage", |ctx| {
        let name = format!("svg-ai-logs-{}", s.account.id);
        let delivery = FlowLogs::bucket_statements(&s.account, &name);
        delivery.into_iter().fold(Bucket::for_access_logs("access_logs", &name), Bucket::allow).build(ctx)
    });
    let layout = SubnetLayout::Explicit {
        public: s.subnets.iter().map(|(_, public, _)| *public).collect(),
        private: s.subnets.iter().map(|(_, _, private)| *private).collect(),
        database: DATABASE_SUBNETS.to_vec(),
    };
    let azs: Vec<&'static str> = s.subnets.iter().map(|(az, _, _)| *az).collect();
    let net = Vpc::new("main", &name, "10.0.0.0/16", &azs)
        .layout(layout)
        .nat(s.nat)
        .database_subnets()
        .flow_logs(FlowLogs::Bucket(logs.clone()))
        .gateway_endpoint(Gateway::S3)
        .network_acls()
        .build(&mut ctx);
    ctx.use_network(&net);

    // The ALB is CloudFront's origin, reached as origin.<domain> so its certificate matches.
    let origin = format!("origin.{}", s.domain);
    let www = format!("www.{}", s.domain);
    let cert = Certificate::new("site", s.domain, &s.zone_id).alternative_names(&[&www, &origin]).build(&mut ctx);
    let buckets = ctx.tagged("Component", "storage", |ctx| storage::buckets(ctx, &s, &logs));
    let (alb, api) = ctx.tagged("Component", "backend", |ctx| {
        let group = |ctx: &mut Context, key: &str, name: &str| {
            TargetGroup::new(key, name, API_PORT).thresholds(2, 3).build(ctx)
        };
        let blue = group(ctx, "api", "svg-ai-targets");
        let green = s.canary.map(|_| group(ctx, "api_green", "svg-ai-targets-green"));
        let alb = Alb::new("main", "svg-ai-alb", cert.arn.clone()).deletion(s.alb_deletion);
        let alb = match (&green, s.canary) {
            (Some(green), Some((b, g))) => alb.default_weighted(&[(&blue, b), (green, g)]),
            _ => alb.default_target(&blue),
        }
        .build(ctx);
        // Seed 003: "rate limit 1000 requests per minute" is 1000 over a 60-second window.
        WebAcl::new("main", format!("{name}-waf"))
            .rate_limit(1000, 60)
            .log_retention(s.log_retention)
            .protect(&alb)
            .build(ctx);
        AliasRecord::new("origin", &s.zone_id, &origin).target(&alb).build(ctx);
        let tasks =
            SecurityGroup::new("tasks", format!("{name}-tasks"), "API tasks: port 8001 from the ALB only").build(ctx);
        // Seed fix: the seed allowed all egress; tasks reach HTTPS endpoints and their data stores.
        tasks.allow_out(ctx, Port::tcp(443), Peer::Internet, "HTTPS to ECR, CloudWatch and AWS APIs");
        let db = Postgres::new("main", "svg-ai", "15", s.db.0)
            .database("svgai", "svgai_admin")
            .deletion(s.db.1)
            .log_retention(s.log_retention)
            .clients(&[&tasks])
            .build(ctx);
        tasks.allow_out(ctx, Port::tcp(db.port), Peer::Group(&db.security_group), "PostgreSQL");
        let cache = Redis::new("main", "svg-ai", s.redis.0)
            .availability(s.redis.1)
            .log_retention(s.log_retention)
            .clients(&[&tasks])
            .build(ctx);
        tasks.allow_out(ctx, Port::tcp(cache.port), Peer::Group(&cache.security_group), "Redis");
        let wiring = api::Wiring {
            alb: &alb,
            blue: &blue,
            green: green.as_ref(),
            tasks: &tasks,
            buckets: &buckets,
            db: &db,
            cache: &cache,
        };
        let api = api::build(ctx, &s, &name, &wiring);
        (alb, api)
    });
    let cdn = ctx.tagged("Component", "frontend", |ctx| {
        // Seed 003's error pages: a missing page shows /404.html, a forbidden one the app.
        let cdn = Distribution::new("site", &buckets.frontend, cert.arn)
            .aliases(&[s.domain, www.as_str()])
            .error_page(404, 404, "/404.html")
            .error_page(403, 200, "/index.html")
            .api_origin(origin.as_str(), &["/api/*"])
            // Seed 003's cache lifetimes (L286-L288): pages revalidated on every request,
            // scripts and styles a day, images a week.
            .cache_for(0)
            .cache_paths(&["*.html"], 0)
            .cache_paths(&["*.js", "*.css"], DAY)
            .cache_paths(&["*.png", "*.jpg", "*.jpeg", "*.gif", "*.svg", "*.webp", "*.ico"], 7 * DAY)
            .build(ctx);
        for (key, record) in [("apex", s.domain), ("www", www.as_str())] {
            AliasRecord::new(key, &s.zone_id, record).target(&cdn).build(ctx);
        }
        cdn
    });
    observability::build(
        &mut ctx,
        &s,
        &observability::Watched { alb: &alb, api: &api, cdn: &cdn, buckets: &buckets, logs: &logs },
    );
    ctx.output(Output::new("site_url", format!("https://{}", s.domain)).description("The converter"));
    ctx.output(Output::new("distribution_domain", cdn.domain_name).description("CloudFront domain"));
    ctx.finish()
}
