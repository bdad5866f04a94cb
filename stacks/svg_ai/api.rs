//! SVG-AI's services: the API (seed 003, port 8001) behind the load balancer, its green twin
//! for the canary, and the AI service (seed 004's image, port 8000) the API calls.

use super::storage::Buckets;
use super::{API_PORT, Settings};
use tfsynth::modules::Context;
use tfsynth::modules::alarms::{ServiceAlarms, Topic};
use tfsynth::modules::cache::{CacheRef, ClientAuth};
use tfsynth::modules::compute::{
    Capacity, Cluster, ClusterRef, Container, HealthCheck, Scaling, Schedule, Service, ServiceRef, Target,
};
use tfsynth::modules::container_registry::Repository;
use tfsynth::modules::database::DatabaseRef;
use tfsynth::modules::iam::Statement;
use tfsynth::modules::load_balancing::{AlbRef, TargetGroupRef};
use tfsynth::modules::networking::SecurityGroupRef;
use tfsynth::modules::secrets::{Rotation, Secret};
use tfsynth::prelude::*;

/// The AI service's port (seed 004).
const AI_PORT: u16 = 8000;

/// What the services are wired to.
pub(super) struct Wiring<'a> {
    pub alb: &'a AlbRef,
    pub blue: &'a TargetGroupRef,
    pub green: Option<&'a TargetGroupRef>,
    pub tasks: &'a SecurityGroupRef,
    pub buckets: &'a Buckets,
    pub db: &'a DatabaseRef,
    pub cache: &'a CacheRef,
}

/// What the monitoring watches.
pub(super) struct Api {
    pub cluster: ClusterRef,
    pub blue: ServiceRef,
}

/// Builds the cluster, the services, their secret and their alarms.
pub(super) fn build(ctx: &mut Context, s: &Settings, name: &str, w: &Wiring<'_>) -> Api {
    // Seed 003: keep only the last 10 images.
    let repo = Repository::new("api", "svg-ai").keep_last(10).tags(s.image_tags).build(ctx);
    // Seed 003's secret holds `{"key": ...}`; the task reads that one field.
    let api_key = Secret::new("api_key", format!("svg-ai/{}/api-key", s.env_name))
        .description("API key")
        .json(&["key"])
        .rotation(Rotation::AtSource("issued to API clients; rotated with them"))
        .build(ctx);
    let cluster = Cluster::new("main", "svg-ai-cluster")
        .log_retention(s.log_retention)
        .service_connect("svg-ai.local")
        .build(ctx);
    let key_arn = ctx.key().map_or_else(|| Expr::from(""), |k| k.arn.clone());
    let (redis_user, redis_user_arn) = match &w.cache.auth {
        ClientAuth::Iam { user, user_arn } => (user.clone(), Some(user_arn.clone())),
        ClientAuth::Token { .. } => (String::new(), None),
    };
    let cache = redis_user_arn
        .into_iter()
        .fold(Statement::allow(["elasticache:Connect"]).sid("Cache").on(w.cache.arn.clone()), Statement::on);
    let data = |container: Container, database: &str| {
        container
            .env("DATABASE_HOST", &w.db.address)
            .env("DATABASE_NAME", database)
            .env("REDIS_HOST", &w.cache.primary_endpoint)
            .env("REDIS_USER", redis_user.as_str())
            .env("MODELS_BUCKET", &w.buckets.models.name)
            .secret_key("DATABASE_USER", &w.db.master_secret, "username")
            .secret_key("DATABASE_PASSWORD", &w.db.master_secret, "password")
    };
    let objects = |b: &tfsynth::modules::storage::BucketRef| template![b.arn.clone(), "/*"];
    let common = [
        Statement::allow(["s3:GetObject"]).sid("ReadModels").on(objects(&w.buckets.models)),
        Statement::allow(["kms:Decrypt", "kms:GenerateDataKey"]).sid("BucketKey").on(key_arn),
        cache,
    ];
    let topic = Topic::new("alerts", format!("{name}-alerts")).email(s.alert_email).build(ctx);

    // Seed 004's AI image: its models, its flags, and a slow health check while models load.
    let (ai_min, ai_max) = s.ai_tasks;
    let ai_health = HealthCheck::http(AI_PORT, "/api/ai-status").interval(60).timeout(15).start_period(30).retries(3);
    let ai_container =
        data(Container::new("svg-ai-ai", template![repo.url.clone(), format!(":{}-ai", s.image_tag)]), "svgai_quality")
            .port(AI_PORT)
            .health(ai_health)
            .env("AI_ENHANCED", true)
            .env("MODEL_DIR", "/app/models/production")
            .env("CLASSIFIER_MODEL", "classifier.pth")
            .env("OPTIMIZER_MODEL", "optimizer.xgb")
            .env("QUALITY_TRACKING_ENABLED", true);
    let ai = common
        .iter()
        .cloned()
        .fold(Service::new("ai", &cluster, ai_container), Service::allow)
        .name("svg-ai-ai")
        .size(s.ai_size.0, s.ai_size.1)
        .desired(ai_min)
        .security_group(w.tasks)
        .discoverable()
        .xray()
        .autoscale(Scaling::new(ai_min, ai_max).target(Target::Cpu(70.0)))
        .build(ctx);
    ServiceAlarms::new("ai", &topic, &ai).build(ctx);

    let main_container = data(Container::new("svg-ai", template![repo.url, format!(":{}", s.image_tag)]), "svgai")
        .port(API_PORT)
        .health(HealthCheck::http(API_PORT, "/health"))
        .env("MAIN_BUCKET", &w.buckets.main.name)
        .env("UPLOADS_BUCKET", &w.buckets.uploads.name)
        .env("CONVERSIONS_BUCKET", &w.buckets.conversions.name)
        .env("AI_SERVICE_URL", ai.endpoint.clone().unwrap_or_default())
        .secret_key("API_KEY", &api_key, "key");
    // Seed 003's least-privilege task role: read models, read and write the working buckets.
    let writes = Statement::allow(["s3:GetObject", "s3:PutObject"])
        .sid("WorkingBuckets")
        .on(objects(&w.buckets.uploads))
        .on(objects(&w.buckets.conversions))
        .on(objects(&w.buckets.main));
    let (min, max) = s.tasks;
    let (off_min, off_max) = s.off_peak_tasks;
    // Seed 003: scale down off-peak, back up for the day (UTC).
    let scaling = Scaling::new(min, max)
        .target(Target::Cpu(70.0))
        .target(Target::Memory(80.0))
        .schedule(Schedule {
            name: "off-peak",
            expression: "cron(0 22 * * ? *)",
            timezone: "UTC",
            min: off_min,
            max: off_max,
        })
        .schedule(Schedule { name: "peak", expression: "cron(0 7 * * ? *)", timezone: "UTC", min, max });
    // Seed 003's names for blue (`svg-ai-service`, family `svg-ai`, `/ecs/svg-ai`,
    // `svg-ai-task-role`, `svg-ai-high-cpu`); green takes the stem `svg-ai-green`.
    let service = |key: &str, stem: &str, group: &TargetGroupRef, ctx: &mut Context| {
        let svc = common
            .iter()
            .cloned()
            .chain([writes.clone()])
            .fold(Service::new(key, &cluster, main_container.clone()), Service::allow)
            .name(format!("{stem}-service"))
            .family(stem)
            .log_group(format!("/ecs/{stem}"))
            .role_names(format!("{stem}-task-role"), format!("{stem}-execution-role"))
            .size(s.task_size.0, s.task_size.1)
            .desired(min)
            // Seed 003: Fargate Spot 80, Fargate 20, one task always on demand.
            .capacity(Capacity::Mixed { base: 1, spot_weight: 80, on_demand_weight: 20 })
            .security_group(w.tasks)
            .behind(w.alb, group)
            .calls(&ai)
            .xray()
            .autoscale(scaling.clone())
            .build(ctx);
        // Seed 003's `svg-ai-high-cpu`: above 80 % for one 5-minute period.
        ServiceAlarms::new(key, &topic, &svc)
            .load_balancer(w.alb, group)
            .periods(1, 300)
            .name("cpu", format!("{stem}-high-cpu"))
            .build(ctx);
        svc
    };
    let blue = service("api", "svg-ai", w.blue, ctx);
    if let Some(green) = w.green {
        service("api_green", "svg-ai-green", green, ctx);
    }
    Api { cluster, blue }
}
