//! The components around the main tiers: functions and their schedules, tables, budgets,
//! trails, dashboards, parameters, log archives, EC2 capacity, endpoints and network ACLs —
//! their secure defaults and the message each mistake gets.

use serde_json::Value;
use tfsynth::modules::alarms::Metric;
use tfsynth::modules::audit::Trail;
use tfsynth::modules::budgets::Budget;
use tfsynth::modules::compute::{Capacity, CapacityReservation, Cluster, Container, Ec2Capacity, Service, Statistic};
use tfsynth::modules::dashboards::{Dashboard, Widget};
use tfsynth::modules::events::EventRule;
use tfsynth::modules::functions::{Code, Function};
use tfsynth::modules::logs::{Archive, LogGroup};
use tfsynth::modules::networking::{Gateway, Vpc};
use tfsynth::modules::secrets::Parameter;
use tfsynth::modules::storage::{AccessLogs, Bucket, ObjectLock};
use tfsynth::modules::tables::{KeyType, Table};
use tfsynth::modules::{Context, Deletion, Retention};
use tfsynth::prelude::*;

use super::common::{context, document, problems, resource};

fn valid(ctx: Context) -> Value {
    let stack = ctx.finish();
    validate(&stack).unwrap_or_else(|e| panic!("{e}"));
    document(&stack)
}

fn messages(ctx: Context) -> Vec<String> {
    problems(&ctx.finish()).iter().map(ToString::to_string).collect()
}

#[track_caller]
fn has(messages: &[String], want: &str) {
    assert!(messages.iter().any(|m| m.contains(want)), "no `{want}` in {messages:#?}");
}

fn networked(name: &str) -> Context {
    let mut ctx = context(name);
    let net = Vpc::new("main", name, "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).database_subnets().build(&mut ctx);
    ctx.use_network(&net);
    ctx
}

fn code() -> Code {
    Code::S3 { bucket: "demo-artifacts".into(), key: "f.zip".into() }
}

#[test]
fn functions_are_traced_encrypted_private_and_bounded() {
    let mut ctx = networked("fn");
    let f = Function::new("shutdown", "fn-shutdown", "python3.11", "index.handler", code())
        .memory(256)
        .timeout(60)
        .concurrency(2)
        .env("SHUTDOWN_TIME", "19:00")
        .log_retention(Retention::Days(30, "a test"))
        .build(&mut ctx);
    assert_eq!(render_expression(f.name.expression()), "aws_lambda_function.shutdown.function_name");
    let doc = valid(ctx);
    let function = resource(&doc, "aws_lambda_function", "shutdown");
    assert_eq!(function["memory_size"], 256);
    assert_eq!(function["timeout"], 60);
    assert_eq!(function["reserved_concurrent_executions"], 2);
    assert_eq!(function["tracing_config"][0]["mode"], "Active");
    assert_eq!(function["kms_key_arn"], "${aws_kms_key.main.arn}");
    assert_eq!(function["environment"][0]["variables"]["SHUTDOWN_TIME"], "19:00");
    assert_eq!(function["dead_letter_config"][0]["target_arn"], "${aws_sqs_queue.shutdown_dead_letters.arn}");
    assert!(function["vpc_config"][0]["subnet_ids"].as_str().unwrap().contains("aws_subnet.main_private"));
    assert_eq!(
        resource(&doc, "aws_sqs_queue", "shutdown_dead_letters")["kms_master_key_id"],
        "${aws_kms_key.main.arn}"
    );
    let logs = resource(&doc, "aws_cloudwatch_log_group", "shutdown_function");
    assert_eq!(logs["name"], "/aws/lambda/fn-shutdown");
    assert_eq!(logs["retention_in_days"], 30);
    // The role writes its own logs and queue, nothing else.
    let policy =
        resource(&doc, "aws_iam_role_policy", "shutdown_function_function")["policy"].as_str().unwrap().to_owned();
    assert!(policy.contains("aws_cloudwatch_log_group.shutdown_function.arn"), "{policy}");
    assert!(policy.contains("aws_sqs_queue.shutdown_dead_letters.arn"), "{policy}");
}

#[test]
fn function_mistakes_are_reported() {
    let mut ctx = context("fn");
    Function::new("f", "fn-f", "python3.11", "index.handler", code())
        .memory(64)
        .timeout(901)
        .concurrency(0)
        .env("API_TOKEN", "abc")
        .build(&mut ctx);
    let found = messages(ctx);
    has(&found, "aws_lambda_function.f: memory_size: 64 MB of memory");
    has(&found, "aws_lambda_function.f: timeout: a timeout of 901 s");
    has(&found, "aws_lambda_function.f: reserved_concurrent_executions: a concurrency of 0 never runs");
    has(&found, "environment.variables.API_TOKEN");
    has(&found, "aws_lambda_function.f: no network to run in");
}

#[test]
fn schedules_bring_the_permission_that_lets_them_invoke() {
    let mut ctx = context("ev");
    let f = Function::new("stop", "ev-stop", "python3.11", "index.handler", code())
        .outside_vpc("AWS APIs only")
        .build(&mut ctx);
    EventRule::schedule("nightly", "ev-nightly", "cron(0 19 * * ? *)")
        .description("stop at 19:00")
        .invoke(&f)
        .build(&mut ctx);
    let doc = valid(ctx);
    let rule = resource(&doc, "aws_cloudwatch_event_rule", "nightly");
    assert_eq!(rule["schedule_expression"], "cron(0 19 * * ? *)");
    assert_eq!(rule["description"], "stop at 19:00");
    let permission = resource(&doc, "aws_lambda_permission", "stop_nightly");
    assert_eq!(permission["principal"], "events.amazonaws.com");
    assert_eq!(permission["source_arn"], "${aws_cloudwatch_event_rule.nightly.arn}");
    let target = resource(&doc, "aws_cloudwatch_event_target", "nightly");
    assert_eq!(target["depends_on"][0], "aws_lambda_permission.stop_nightly");
    assert!(resource(&doc, "aws_lambda_function", "stop").get("vpc_config").is_none());

    let mut ctx = context("ev");
    EventRule::schedule("bad", "ev-bad", "every day").build(&mut ctx);
    let found = messages(ctx);
    has(&found, "schedule_expression: `every day` is not a schedule expression");
    has(&found, "the rule has no target");
}

#[test]
fn tables_recover_to_a_point_in_time_with_the_customer_key() {
    let mut ctx = context("tb");
    Table::new("meta", "tb-meta", "id", KeyType::String).sort_key("at", KeyType::Number).ttl("expires").build(&mut ctx);
    Table::new("scratch", "tb-scratch", "id", KeyType::Binary)
        .deletion(Deletion::Unprotected("a test"))
        .build(&mut ctx);
    let doc = valid(ctx);
    let meta = resource(&doc, "aws_dynamodb_table", "meta");
    assert_eq!(meta["point_in_time_recovery"][0]["enabled"], true);
    assert_eq!(meta["server_side_encryption"][0]["kms_key_arn"], "${aws_kms_key.main.arn}");
    assert_eq!(meta["deletion_protection_enabled"], true);
    assert_eq!(meta["range_key"], "at");
    assert_eq!(meta["ttl"][0]["attribute_name"], "expires");
    assert_eq!(resource(&doc, "aws_dynamodb_table", "scratch")["deletion_protection_enabled"], false);

    let mut ctx = context("tb");
    Table::new("t", "tb-t", "id", KeyType::String).sort_key("id", KeyType::String).build(&mut ctx);
    has(&messages(ctx), "aws_dynamodb_table.t: range_key: the sort key is the partition key");
}

#[test]
fn budgets_notify_by_percentage_of_actual_cost() {
    let mut ctx = context("bg");
    Budget::new("monthly", "bg-monthly", 500)
        .tag("Component", "api")
        .notify_at(80)
        .notify_at(100)
        .email("a@example.com")
        .build(&mut ctx);
    let doc = valid(ctx);
    let budget = resource(&doc, "aws_budgets_budget", "monthly");
    assert_eq!(budget["limit_amount"], "500.0");
    assert_eq!(budget["notification"][1]["threshold"], 100);
    assert_eq!(budget["cost_filter"][0]["values"][0], "user:Component$api");

    let mut ctx = context("bg");
    Budget::new("zero", "bg-zero", 0).notify_at(80).build(&mut ctx);
    let found = messages(ctx);
    has(&found, "limit_amount: a budget of $0");
    has(&found, "notifications with nobody to notify");
}

#[test]
fn trails_are_validated_multi_region_locked_and_streamed() {
    let mut ctx = context("tr");
    let access = Bucket::for_access_logs("access", "tr-access-123456789012").build(&mut ctx);
    Trail::new("audit", "tr-audit", "tr-audit-123456789012")
        .access_logs(AccessLogs::To(access))
        .object_lock(ObjectLock::Governance { days: 90 })
        .log_retention(Retention::Days(90, "a test"))
        .build(&mut ctx);
    let doc = valid(ctx);
    let trail = resource(&doc, "aws_cloudtrail", "audit");
    assert_eq!(trail["is_multi_region_trail"], true);
    assert_eq!(trail["enable_log_file_validation"], true);
    assert_eq!(trail["kms_key_id"], "${aws_kms_key.main.arn}");
    assert_eq!(trail["depends_on"][0], "aws_s3_bucket_policy.audit_trail");
    assert_eq!(trail["cloud_watch_logs_group_arn"], "${aws_cloudwatch_log_group.audit_trail.arn}:*");
    let lock = resource(&doc, "aws_s3_bucket_object_lock_configuration", "audit_trail");
    assert_eq!(lock["rule"][0]["default_retention"][0]["mode"], "GOVERNANCE");
    assert_eq!(lock["rule"][0]["default_retention"][0]["days"], 90);
    let policy = resource(&doc, "aws_s3_bucket_policy", "audit_trail")["policy"].as_str().unwrap().to_owned();
    assert!(policy.contains("arn:aws:cloudtrail:us-east-1:123456789012:trail/tr-audit"), "{policy}");
    let key = resource(&doc, "aws_kms_key", "main")["policy"].as_str().unwrap().to_owned();
    assert!(key.contains("kms:EncryptionContext:aws:cloudtrail:arn"), "{key}");
}

#[test]
fn dashboards_lay_out_graphs_and_queries() {
    let mut ctx = context("db");
    let logs = LogGroup::new("app", "/db/app").build(&mut ctx);
    let cpu = Metric::new("AWS/ECS", "CPUUtilization", Statistic::Average).dimension("ClusterName", "db");
    Dashboard::new("main", "DB-Production")
        .widget(Widget::graph("CPU", [cpu]))
        .widget(Widget::query("Errors", logs.name, "filter level = 'ERROR'"))
        .build(&mut ctx);
    let doc = valid(ctx);
    let body = resource(&doc, "aws_cloudwatch_dashboard", "main")["dashboard_body"].as_str().unwrap().to_owned();
    assert!(body.contains(r#""AWS/ECS", "CPUUtilization", "ClusterName", "db", {"#), "{body}");
    assert!(body.contains("SOURCE '${aws_cloudwatch_log_group.app.name}' | filter level = 'ERROR'"), "{body}");
    // Two to a row: the second panel sits to the right of the first.
    assert!(body.contains(r#"type = "log", x = 12, y = 0"#), "{body}");

    let mut ctx = context("db");
    Dashboard::new("empty", "Empty").build(&mut ctx);
    Dashboard::new("twice", "Twice").widget(Widget::graph("A", [])).widget(Widget::graph("A", [])).build(&mut ctx);
    let found = messages(ctx);
    has(&found, "aws_cloudwatch_dashboard.empty: a dashboard without widgets");
    has(&found, "graph `A` has no metrics");
    has(&found, "two widgets are titled `A`");
}

#[test]
fn parameters_are_secure_strings_under_a_path() {
    let mut ctx = context("pm");
    let logs = LogGroup::new("app", "/pm/app").build(&mut ctx);
    let p = Parameter::new("group", "/pm/production/log-group", logs.name)
        .description("where the app logs")
        .build(&mut ctx);
    assert_eq!(render_expression(p.arn.expression()), "aws_ssm_parameter.group.arn");
    let doc = valid(ctx);
    let parameter = resource(&doc, "aws_ssm_parameter", "group");
    assert_eq!(parameter["type"], "SecureString");
    assert_eq!(parameter["key_id"], "${aws_kms_key.main.arn}");

    let mut ctx = context("pm");
    Parameter::new("bad", "pm/redis-url", "x").build(&mut ctx);
    has(&messages(ctx), "aws_ssm_parameter.bad: name: parameter name `pm/redis-url` is not a path");
}

#[test]
fn archives_stream_a_log_group_to_a_bucket_encrypted() {
    let mut ctx = context("ar");
    let logs = LogGroup::new("app", "/ar/app").build(&mut ctx);
    let bucket =
        Bucket::new("archive", "ar-archive-123456789012").access_logs(AccessLogs::Off("a test")).build(&mut ctx);
    Archive::new("app", "ar-app", &logs, &bucket).prefix("app/").build(&mut ctx);
    let doc = valid(ctx);
    let stream = resource(&doc, "aws_kinesis_firehose_delivery_stream", "app");
    assert_eq!(stream["server_side_encryption"][0]["key_type"], "CUSTOMER_MANAGED_CMK");
    assert_eq!(stream["extended_s3_configuration"][0]["prefix"], "app/");
    let filter = resource(&doc, "aws_cloudwatch_log_subscription_filter", "app");
    assert_eq!(filter["log_group_name"], "${aws_cloudwatch_log_group.app.name}");
    assert_eq!(filter["destination_arn"], "${aws_kinesis_firehose_delivery_stream.app.arn}");

    let mut ctx = context("ar");
    let logs = LogGroup::new("app", "/ar/app").build(&mut ctx);
    let bucket =
        Bucket::new("archive", "ar-archive-123456789012").access_logs(AccessLogs::Off("a test")).build(&mut ctx);
    Archive::new("app", "ar-app", &logs, &bucket).prefix("app").build(&mut ctx);
    has(&messages(ctx), "prefix `app` does not end in /");
}

#[test]
fn endpoints_and_network_acls() {
    let mut ctx = context("na");
    Vpc::new("main", "na", "10.0.0.0/16", &["us-east-1a", "us-east-1b"])
        .database_subnets()
        .gateway_endpoint(Gateway::S3)
        .gateway_endpoint(Gateway::S3)
        .network_acls()
        .build(&mut ctx);
    let doc = valid(ctx);
    let endpoint = resource(&doc, "aws_vpc_endpoint", "main_s3");
    assert_eq!(endpoint["service_name"], "com.amazonaws.us-east-1.s3");
    assert_eq!(endpoint["vpc_endpoint_type"], "Gateway");
    assert_eq!(doc["resource"]["aws_vpc_endpoint"].as_object().unwrap().len(), 1);
    let public = resource(&doc, "aws_network_acl", "main_public");
    let ingress = public["ingress"].as_array().unwrap();
    // Nothing from the internet reaches RDP, even on the ephemeral range.
    for rule in ingress.iter().filter(|r| r["cidr_block"] == "0.0.0.0/0") {
        let (from, to) = (rule["from_port"].as_u64().unwrap(), rule["to_port"].as_u64().unwrap());
        assert!(!(from..=to).contains(&3389) && !(from..=to).contains(&22), "{rule}");
    }
    assert!(ingress.iter().any(|r| r["from_port"] == 443 && r["cidr_block"] == "0.0.0.0/0"));
    let database = resource(&doc, "aws_network_acl", "main_database");
    assert!(database["ingress"].as_array().unwrap().iter().all(|r| r["cidr_block"] == "10.0.0.0/16"));
    assert_eq!(database["egress"][0]["cidr_block"], "10.0.0.0/16");
}

#[test]
fn ec2_capacity_runs_services_on_instances_that_no_one_reaches() {
    let mut ctx = networked("ec");
    let cluster = Cluster::new("main", "ec")
        .ec2_capacity(
            Ec2Capacity::new("spot", "ec-spot", &["t3.medium", "t3a.medium"])
                .spot()
                .instances(0, 6)
                .target_capacity(90),
        )
        .build(&mut ctx);
    Service::new("worker", &cluster, Container::new("worker", "example/worker:1.0"))
        .capacity(Capacity::Ec2)
        .build(&mut ctx);
    CapacityReservation::new("baseline", "t3.medium", "us-east-1a", 2).build(&mut ctx);
    let doc = valid(ctx);
    let template = resource(&doc, "aws_launch_template", "spot");
    assert_eq!(template["metadata_options"][0]["http_tokens"], "required");
    assert_eq!(template["block_device_mappings"][0]["ebs"][0]["encrypted"], true);
    let group = resource(&doc, "aws_autoscaling_group", "spot");
    assert_eq!(group["max_size"], 6);
    assert_eq!(
        group["mixed_instances_policy"][0]["instances_distribution"][0]["on_demand_percentage_above_base_capacity"],
        0
    );
    let provider = resource(&doc, "aws_ecs_capacity_provider", "spot");
    assert_eq!(provider["auto_scaling_group_provider"][0]["managed_scaling"][0]["target_capacity"], 90);
    let service = resource(&doc, "aws_ecs_service", "worker");
    assert_eq!(service["capacity_provider_strategy"][0]["capacity_provider"], "${aws_ecs_capacity_provider.spot.name}");
    assert_eq!(resource(&doc, "aws_ecs_task_definition", "worker")["requires_compatibilities"][0], "EC2");
    let reservation = resource(&doc, "aws_ec2_capacity_reservation", "baseline");
    assert_eq!(reservation["instance_count"], 2);

    let mut ctx = networked("ec");
    let cluster = Cluster::new("main", "ec")
        .ec2_capacity(Ec2Capacity::new("od", "ec-od", &["t3.small"]).instances(5, 2))
        .build(&mut ctx);
    Service::new("bare", &Cluster::new("bare", "ec-bare").build(&mut ctx), Container::new("w", "example/w:1.0"))
        .capacity(Capacity::Ec2)
        .build(&mut ctx);
    let _ = cluster;
    let found = messages(ctx);
    has(&found, "aws_ecs_capacity_provider.od: min 5 instances is above max 2");
    has(&found, "aws_ecs_service.bare: capacity_provider_strategy: EC2 capacity on a cluster that has none");
}

#[test]
fn tagged_scopes_tag_every_taggable_resource_they_add() {
    let mut ctx = context("tg");
    let logs = ctx.tagged("Component", "storage", |ctx| {
        let bucket = Bucket::new("data", "tg-data-123456789012").access_logs(AccessLogs::Off("a test")).build(ctx);
        ctx.tagged("Owner", "data-team", |ctx| LogGroup::new("app", "/tg/app").build(ctx));
        bucket
    });
    LogGroup::new("other", "/tg/other").build(&mut ctx);
    let doc = valid(ctx);
    assert_eq!(resource(&doc, "aws_s3_bucket", "data")["tags"]["Component"], "storage");
    // Resources without `tags` are left alone.
    assert!(resource(&doc, "aws_s3_bucket_versioning", "data").get("tags").is_none());
    let app = &resource(&doc, "aws_cloudwatch_log_group", "app")["tags"];
    assert_eq!((app["Component"].as_str(), app["Owner"].as_str()), (Some("storage"), Some("data-team")));
    assert!(resource(&doc, "aws_cloudwatch_log_group", "other").get("tags").is_none());
    let _ = logs;
}

#[test]
fn storage_alarm_names_signing_reasons_and_teardown_reach_the_resources() {
    use tfsynth::modules::alarms::{ServiceAlarms, Topic};
    use tfsynth::modules::container_registry::Repository;
    let mut ctx = networked("op");
    ctx.allow_teardown("a test environment");
    let cluster = Cluster::new("main", "op").build(&mut ctx);
    let svc = Service::new("api", &cluster, Container::new("api", "example/api:1.0")).storage(50).build(&mut ctx);
    let topic = Topic::new("alerts", "op-alerts").email("a@example.com").build(&mut ctx);
    ServiceAlarms::new("api", &topic, &svc).name("cpu", "op-high-cpu").periods(1, 300).build(&mut ctx);
    Function::new("f", "op-f", "python3.11", "index.handler", code())
        .unsigned("signed by the release pipeline")
        .build(&mut ctx);
    Bucket::new("data", "op-data-123456789012").access_logs(AccessLogs::Off("a test")).build(&mut ctx);
    Repository::new("api", "op-api").build(&mut ctx);
    let doc = valid(ctx);
    assert_eq!(resource(&doc, "aws_ecs_task_definition", "api")["ephemeral_storage"][0]["size_in_gib"], 50);
    let cpu = resource(&doc, "aws_cloudwatch_metric_alarm", "api_cpu");
    assert_eq!(cpu["alarm_name"], "op-high-cpu");
    assert_eq!(cpu["evaluation_periods"], 1);
    assert_eq!(
        resource(&doc, "aws_cloudwatch_metric_alarm", "api_memory")["alarm_name"],
        "${aws_ecs_cluster.main.name}-${aws_ecs_service.api.name}-memory"
    );
    assert_eq!(resource(&doc, "aws_s3_bucket", "data")["force_destroy"], true);
    assert_eq!(resource(&doc, "aws_ecr_repository", "api")["force_delete"], true);
    let hcl = render(&document_stack("op"), Format::Hcl);
    assert!(!hcl.contains("force_destroy"), "without teardown, destroy stops at data");

    let mut ctx = networked("op");
    let cluster = Cluster::new("main", "op").build(&mut ctx);
    let svc = Service::new("api", &cluster, Container::new("api", "example/api:1.0")).storage(250).build(&mut ctx);
    let topic = Topic::new("alerts", "op-alerts").email("a@example.com").build(&mut ctx);
    ServiceAlarms::new("api", &topic, &svc).name("latency", "op-slow").build(&mut ctx);
    let found = messages(ctx);
    has(&found, "ephemeral_storage.size_in_gib: 250 GiB of ephemeral storage");
    has(&found, "no `latency` alarm to name");
}

/// A stack with a bucket and a repository built without teardown.
fn document_stack(name: &str) -> Stack {
    use tfsynth::modules::container_registry::Repository;
    let mut ctx = context(name);
    Bucket::new("data", "op-data-123456789012").access_logs(AccessLogs::Off("a test")).build(&mut ctx);
    Repository::new("api", "op-api").build(&mut ctx);
    ctx.finish()
}
