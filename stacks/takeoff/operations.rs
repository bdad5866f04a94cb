//! What seed 002's runbook needs around the services: the backups bucket and its metadata
//! table, the proactive-scaling alarms, and the Slack webhook notifications go to.

use super::Settings;
use super::services::Built;
use tfsynth::modules::Context;
use tfsynth::modules::alarms::{Alarm, Comparison, Metric, TopicRef};
use tfsynth::modules::compute::Statistic;
use tfsynth::modules::database::DatabaseRef;
use tfsynth::modules::storage::{AccessLogs, Bucket, BucketRef};
use tfsynth::modules::tables::{KeyType, Table};
use tfsynth::prelude::*;

/// The backups bucket `takeoff-<env>-backups` (dumps go to `STANDARD_IA`, as the backup script
/// uploads them, and are deleted after the script's 30 days) and the `backup-metadata` table
/// the script records each dump in.
pub(super) fn backups(ctx: &mut Context, s: &Settings, prefix: &str, logs: &BucketRef) {
    // Seed fix: bucket names are global; the account id keeps them from colliding.
    Bucket::new("backups", format!("{prefix}-backups-{}", s.account.id))
        .access_logs(AccessLogs::To(logs.clone()))
        .expire_after_days(s.backup_days_kept)
        .build(ctx);
    Table::new("backup_metadata", format!("{prefix}-backup-metadata"), "backup_id", KeyType::String)
        .ttl("expires_at")
        .deletion(s.db.deletion)
        .build(ctx);
}

/// The runbook's proactive-scaling triggers (seed 002, "Scaling Thresholds").
pub(super) fn runbook_alarms(
    ctx: &mut Context,
    s: &Settings,
    prefix: &str,
    topic: &TopicRef,
    services: &Built,
    db: &DatabaseRef,
) {
    let ecs = |service: &tfsynth::modules::compute::ServiceRef| {
        Metric::new("AWS/ECS", "CPUUtilization", Statistic::Average)
            .dimension("ClusterName", services.cluster.name.clone())
            .dimension("ServiceName", service.name.clone())
    };
    Alarm::new("api_cpu_sustained", format!("{prefix}-api-cpu-sustained"), topic, ecs(&services.api))
        .when(Comparison::Above, 60.0)
        .periods(3, 300)
        .description("API above 60 % CPU for 15 minutes: scale ahead of the autoscaler")
        .build(ctx);
    let queue = Metric::new("Takeoff/Worker", "QueueDepth", Statistic::Maximum);
    Alarm::new("queue_depth", format!("{prefix}-queue-depth"), topic, queue)
        .when(Comparison::Above, 500.0)
        .periods(2, 300)
        .description("More than 500 jobs queued for 10 minutes")
        .build(ctx);
    let rds = |name: &str, statistic| {
        Metric::new("AWS/RDS", name, statistic)
            .dimension("DBInstanceIdentifier", db.resource.attr("identifier").typed())
    };
    Alarm::new("db_cpu", format!("{prefix}-db-cpu"), topic, rds("CPUUtilization", Statistic::Average))
        .when(Comparison::Above, 70.0)
        .periods(3, 300)
        .description("Database above 70 % CPU for 15 minutes")
        .build(ctx);
    Alarm::new(
        "db_connections",
        format!("{prefix}-db-connections"),
        topic,
        rds("DatabaseConnections", Statistic::Maximum),
    )
    .when(Comparison::Above, f64::from(s.db.connections_alarm))
    .periods(2, 300)
    .description("Database connections above 80 % of the instance class's max_connections")
    .build(ctx);
    // 20 % of the initial allocation left: the runbook's "storage above 80 %".
    let free = f64::from(s.db.storage_gib.0) * 0.2 * 1024.0 * 1024.0 * 1024.0;
    Alarm::new(
        "db_free_storage",
        format!("{prefix}-db-free-storage"),
        topic,
        rds("FreeStorageSpace", Statistic::Minimum),
    )
    .when(Comparison::Below, free)
    .periods(1, 300)
    .description("Less than 20 % of the database's initial storage free")
    .build(ctx);
}

/// Seed 002 passes `slack_webhook_url` (sensitive) to its monitoring module. The topic posts
/// to it over HTTPS when it is set; the count is computed from whether the value is empty,
/// which reveals nothing of it.
pub(super) fn slack(ctx: &mut Context, topic: &TopicRef) {
    let webhook = ctx.variable(
        Variable::new("slack_webhook_url", "string")
            .description("Slack webhook URL for notifications (empty: none)")
            .default("")
            .sensitive(),
    );
    let present: Expr<bool> = call("nonsensitive", [webhook.clone().not_equals("").into()]);
    ctx.add(
        Resource::new("aws_sns_topic_subscription", "slack")
            .count(present.then_else::<Num>(1, 0))
            .set("topic_arn", topic.arn.clone())
            .set("protocol", "https")
            .set("endpoint", webhook),
    );
}
