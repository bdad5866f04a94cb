//! What seed 003 watches and keeps: the dashboard with its Logs Insights queries, the API's
//! logs streamed to S3, the CloudTrail trail, and the monthly budget.

use super::Settings;
use super::api::Api;
use super::storage::Buckets;
use tfsynth::modules::Context;
use tfsynth::modules::alarms::Metric;
use tfsynth::modules::audit::Trail;
use tfsynth::modules::budgets::Budget;
use tfsynth::modules::compute::Statistic;
use tfsynth::modules::dashboards::{Dashboard, Widget};
use tfsynth::modules::edge::DistributionRef;
use tfsynth::modules::load_balancing::AlbRef;
use tfsynth::modules::logs::Archive;
use tfsynth::modules::storage::{AccessLogs, BucketRef};

/// What is watched.
pub(super) struct Watched<'a> {
    pub alb: &'a AlbRef,
    pub api: &'a Api,
    pub cdn: &'a DistributionRef,
    pub buckets: &'a Buckets,
    pub logs: &'a BucketRef,
}

/// Builds the dashboard, log archive, trail and budget.
pub(super) fn build(ctx: &mut Context, s: &Settings, w: &Watched<'_>) {
    dashboard(ctx, s, w);
    Archive::new("api", "svg-ai-api-logs", &w.api.blue.log_group, w.logs).prefix("ecs/svg-ai/").build(ctx);
    // Seed 003's trail `svg-ai-audit`, into a bucket of its own whose files nobody can delete
    // for a year (the seed's "Object Lock for compliance").
    Trail::new("audit", "svg-ai-audit", format!("svg-ai-audit-logs-{}", s.account.id))
        .access_logs(AccessLogs::To(w.logs.clone()))
        .log_retention(s.log_retention)
        .build(ctx);
    // Seed 003: a monthly budget, notifications at 80 % and 100 %, over the `Service` tag.
    Budget::new("monthly", format!("svg-ai-{}-monthly", s.env_name), s.budget_usd)
        .tag("Service", "svg-ai")
        .notify_at(80)
        .notify_at(100)
        .email(s.alert_email)
        .build(ctx);
}

/// Seed 003's `SVG-AI-Production` dashboard, one per environment.
fn dashboard(ctx: &mut Context, s: &Settings, w: &Watched<'_>) {
    let (cluster, service) = (w.api.cluster.name.clone(), w.api.blue.name.clone());
    let ecs = |metric: &str, statistic| {
        Metric::new("AWS/ECS", metric, statistic)
            .dimension("ClusterName", cluster.clone())
            .dimension("ServiceName", service.clone())
    };
    let tasks = Metric::new("ECS/ContainerInsights", "RunningTaskCount", Statistic::Average)
        .dimension("ClusterName", cluster.clone())
        .dimension("ServiceName", service.clone());
    let alb = |metric: &str, statistic| {
        Metric::new("AWS/ApplicationELB", metric, statistic).dimension("LoadBalancer", w.alb.arn_suffix.clone())
    };
    let s3 = |bucket: &BucketRef, metric: &str, storage: &str| {
        Metric::new("AWS/S3", metric, Statistic::Average)
            .dimension("BucketName", bucket.name.clone())
            .dimension("StorageType", storage)
    };
    let cdn = |metric: &str, statistic| {
        Metric::new("AWS/CloudFront", metric, statistic)
            .dimension("DistributionId", w.cdn.resource.id())
            .dimension("Region", "Global")
    };
    let custom = |metric: &str, statistic| Metric::new("SVG-AI", metric, statistic);
    let title = format!("SVG-AI-{}{}", s.env_name[..1].to_ascii_uppercase(), &s.env_name[1..]);
    let logs = w.api.blue.log_group.name.clone();
    Dashboard::new("main", title)
        .widget(Widget::graph(
            "ECS CPU and memory",
            [ecs("CPUUtilization", Statistic::Average), ecs("MemoryUtilization", Statistic::Average)],
        ))
        .widget(Widget::graph("Running tasks", [tasks]))
        .widget(Widget::graph("Requests", [alb("RequestCount", Statistic::Sum)]))
        .widget(Widget::graph("Target response time", [alb("TargetResponseTime", Statistic::Average)]))
        .widget(Widget::graph(
            "4xx and 5xx",
            [alb("HTTPCode_Target_4XX_Count", Statistic::Sum), alb("HTTPCode_Target_5XX_Count", Statistic::Sum)],
        ))
        .widget(Widget::graph(
            "Uploads bucket",
            [
                s3(&w.buckets.uploads, "BucketSizeBytes", "StandardStorage"),
                s3(&w.buckets.uploads, "NumberOfObjects", "AllStorageTypes"),
            ],
        ))
        .widget(Widget::graph(
            "CloudFront requests and bytes",
            [cdn("Requests", Statistic::Sum), cdn("BytesDownloaded", Statistic::Sum)],
        ))
        .widget(Widget::graph("CloudFront error rate", [cdn("TotalErrorRate", Statistic::Average)]))
        .widget(Widget::graph(
            "Conversions",
            [
                custom("ConversionSuccessRate", Statistic::Average),
                custom("InferenceTime", Statistic::Average),
                custom("UploadSize", Statistic::Average),
            ],
        ))
        .widget(Widget::query(
            "Conversion rate",
            logs.clone(),
            "filter event = 'conversion' | stats count(*) as conversions by bin(1h)",
        ))
        .widget(Widget::query(
            "Conversion time",
            logs.clone(),
            "filter event = 'conversion' | stats avg(duration_ms), pct(duration_ms, 95) by bin(1h)",
        ))
        .widget(Widget::query(
            "Errors",
            logs,
            "filter level = 'ERROR' | stats count(*) by message | sort count(*) desc | limit 20",
        ))
        .build(ctx);
}
