//! Every component twice in one stack, and a seed stack across its environments.

use super::*;

#[test]
fn takeoff_environments_differ_as_the_settings_say() {
    let doc = |env| document(&registry().build("takeoff", env).expect("stack"));
    let (dev, prod) = (doc(Env::Development), doc(Env::Production));
    let r = |d: &Value, ty: &str, name: &str| d["resource"][ty][name].clone();
    assert!(r(&dev, "aws_nat_gateway", "main")["for_each"].is_null(), "development has one NAT gateway");
    assert_eq!(r(&prod, "aws_nat_gateway", "main")["for_each"].as_object().unwrap().len(), 3);
    assert_eq!(r(&dev, "aws_db_instance", "main")["deletion_protection"], false);
    assert_eq!(r(&prod, "aws_db_instance", "main")["deletion_protection"], true);
    assert_eq!(r(&dev, "aws_db_instance", "main")["multi_az"], false);
    assert_eq!(r(&prod, "aws_db_instance", "main_replica")["count"], 1);
    assert!(r(&dev, "aws_db_instance", "main_replica").is_null());
    assert_eq!(r(&prod, "aws_db_instance", "main")["maintenance_window"], "mon:04:00-mon:05:00");
    assert_eq!(r(&dev, "aws_elasticache_replication_group", "main")["automatic_failover_enabled"], false);
    assert_eq!(r(&prod, "aws_elasticache_replication_group", "main")["automatic_failover_enabled"], true);
    assert_eq!(r(&dev, "aws_cloudwatch_log_group", "main_flow_logs")["retention_in_days"], 30);
    assert_eq!(r(&prod, "aws_cloudwatch_log_group", "main_flow_logs")["retention_in_days"], 365);
    assert_eq!(r(&dev, "aws_lb", "main")["enable_deletion_protection"], false);
    assert_eq!(r(&prod, "aws_lb", "main")["enable_deletion_protection"], true);
    assert_eq!(r(&dev, "aws_ecs_service", "api")["desired_count"], 1);
    assert_eq!(r(&prod, "aws_ecs_service", "api")["desired_count"], 3);
    assert_eq!(r(&prod, "aws_appautoscaling_target", "worker")["max_capacity"], 20);
    assert_eq!(r(&prod, "aws_lb_target_group", "api")["health_check"][0]["timeout"], 10);
}

/// Two of every component in one stack, each with its own key.
pub fn two_of_everything() -> Stack {
    let mut ctx = context("twins");
    let other_key = Key::new("second", "twins-second", "second key")
        .for_log_groups()
        .for_service("cloudwatch.amazonaws.com")
        .build(&mut ctx);
    let azs = ["us-east-1a", "us-east-1b"];
    let net =
        Vpc::new("main", "twins-main", "10.0.0.0/16", &azs).database_subnets().nat(NatGateways::Single).build(&mut ctx);
    let other =
        Vpc::new("data", "twins-data", "10.1.0.0/16", &azs).database_subnets().nat(NatGateways::None).build(&mut ctx);
    ctx.use_network(&net);
    let app = app_group(&mut ctx);
    Postgres::new("orders", "twins-orders", "15", "db.t4g.micro")
        .clients(&[&app])
        .deletion(Deletion::Unprotected("a test"))
        .build(&mut ctx);
    Postgres::new("billing", "twins-billing", "16", "db.t4g.micro")
        .network(&other)
        .kms_key(&other_key)
        .deletion(Deletion::Unprotected("a test"))
        .build(&mut ctx);
    Aurora::new("search", "twins-search", "15", "db.r6g.large")
        .instances(1)
        .deletion(Deletion::Unprotected("a test"))
        .build(&mut ctx);
    Aurora::new("reports", "twins-reports", "15", "db.r6g.large")
        .instances(1)
        .network(&other)
        .deletion(Deletion::Unprotected("a test"))
        .build(&mut ctx);
    Redis::new("sessions", "twins-sessions", "cache.t4g.micro")
        .availability(Availability::SingleNode)
        .clients(&[&app])
        .build(&mut ctx);
    Redis::new("queues", "twins-queues", "cache.t4g.micro")
        .availability(Availability::SingleNode)
        .network(&other)
        .build(&mut ctx);
    let logs = Bucket::for_access_logs("logs", "twins-logs-123456789012").build(&mut ctx);
    Bucket::new("uploads", "twins-uploads-123456789012").access_logs(AccessLogs::To(logs.clone())).build(&mut ctx);
    let site = Bucket::new("site", "twins-site-123456789012")
        .access_logs(AccessLogs::To(logs))
        .allow(Distribution::read_statement(&ACCOUNT, "twins-site-123456789012"))
        .build(&mut ctx);
    let (blue, green) = groups(&mut ctx);
    let admin = TargetGroup::new("admin", "twins-admin", 9000).build(&mut ctx);
    let public = Alb::new("public", "twins-public", CERT)
        .deletion(Deletion::Unprotected("a test"))
        .default_target(&blue)
        .weighted(10, Condition::host(&["canary.example.com"]), &[(&blue, 90), (&green, 10)])
        .build(&mut ctx);
    let internal = Alb::new("admin", "twins-admin", CERT)
        .deletion(Deletion::Unprotected("a test"))
        .default_target(&admin)
        .build(&mut ctx);
    WebAcl::new("public", "twins-public").protect(&public).build(&mut ctx);
    WebAcl::new("admin", "twins-admin").rate_limit(100, 60).protect(&internal).build(&mut ctx);
    let web = Cluster::new("web", "twins-web").service_connect("web.local").build(&mut ctx);
    let jobs = Cluster::new("jobs", "twins-jobs").build(&mut ctx);
    let backend = Service::new("backend", &web, Container::new("backend", "example/backend:1.0").port(7000))
        .discoverable()
        .build(&mut ctx);
    let front = Service::new("front", &web, Container::new("front", "example/front:1.0").port(8000))
        .behind(&public, &blue)
        .calls(&backend)
        .autoscale(Scaling::new(2, 4).target(Target::Cpu(70.0)))
        .build(&mut ctx);
    Service::new("canary", &web, Container::new("canary", "example/front:1.1").port(8000))
        .behind(&public, &green)
        .desired(1)
        .build(&mut ctx);
    Service::new("admin", &jobs, Container::new("admin", "example/admin:1.0").port(9000))
        .behind(&internal, &admin)
        .build(&mut ctx);
    let zone = ZONE;
    let c1 = Certificate::new("site", "twins.example.com", &zone).build(&mut ctx);
    Certificate::new("admin", "admin.twins.example.com", &zone).build(&mut ctx);
    let cdn = Distribution::new("site", &site, c1.arn).aliases(&["twins.example.com"]).build(&mut ctx);
    let site2 = Bucket::new("docs", "twins-docs-123456789012")
        .access_logs(AccessLogs::Off("a test"))
        .allow(Distribution::read_statement(&ACCOUNT, "twins-docs-123456789012"))
        .build(&mut ctx);
    Distribution::new("docs", &site2, CERT).aliases(&["docs.twins.example.com"]).build(&mut ctx);
    AliasRecord::new("site", &zone, "twins.example.com").target(&cdn).build(&mut ctx);
    AliasRecord::new("public", &zone, "api.twins.example.com").target(&public).build(&mut ctx);
    let alerts = Topic::new("alerts", "twins-alerts").email("a@example.com").build(&mut ctx);
    let pages = Topic::new("pages", "twins-pages").kms_key(&other_key).email("b@example.com").build(&mut ctx);
    ServiceAlarms::new("front", &alerts, &front).load_balancer(&public, &blue).build(&mut ctx);
    ServiceAlarms::new("backend", &pages, &backend).build(&mut ctx);
    Repository::new("front", "twins-front").build(&mut ctx);
    Repository::new("backend", "twins-backend").build(&mut ctx);
    Secret::new("one", "twins/one").rotation(Rotation::AtSource("a test")).build(&mut ctx);
    Secret::new("two", "twins/two").rotation(Rotation::AtSource("a test")).kms_key(&other_key).build(&mut ctx);
    SecurityGroup::new("extra", "twins-extra", "extra").network(&other).build(&mut ctx);
    the_other_half(&mut ctx, &other, &other_key, &front);
    ctx.finish()
}

/// Two of each component issue 13 added: functions, schedules, tables, budgets, trails,
/// dashboards, parameters, log archives, EC2 capacity, reservations, one-off tasks, endpoints
/// and network ACLs.
fn the_other_half(ctx: &mut Context, other: &VpcRef, other_key: &KeyRef, front: &ServiceRef) {
    let azs = ["us-east-1a", "us-east-1b"];
    Vpc::new("edge", "twins-edge", "10.2.0.0/16", &azs)
        .database_subnets()
        .nat(NatGateways::Single)
        .gateway_endpoint(Gateway::S3)
        .gateway_endpoint(Gateway::DynamoDb)
        .network_acls()
        .build(ctx);
    let code = |file: &str| Code::S3 { bucket: "twins-artifacts".into(), key: file.into() };
    let stop = Function::new("stop", "twins-stop", "python3.11", "index.handler", code("stop.zip"))
        .env("SHUTDOWN_TIME", "19:00")
        .build(ctx);
    let start = Function::new("start", "twins-start", "python3.11", "index.handler", code("start.zip"))
        .network(other)
        .kms_key(other_key)
        .build(ctx);
    EventRule::schedule("stop", "twins-stop", "cron(0 19 ? * MON-FRI *)").invoke(&stop).build(ctx);
    EventRule::schedule("start", "twins-start", "cron(0 7 ? * MON-FRI *)")
        .invoke_with(&start, Expression::from_iter([("action", Expression::from("start"))]))
        .build(ctx);
    Table::new("backups", "twins-backups", "id", KeyType::String).sort_key("at", KeyType::Number).build(ctx);
    Table::new("locks", "twins-locks", "id", KeyType::String).ttl("expires").kms_key(other_key).build(ctx);
    Budget::new("all", "twins-monthly", 1000).notify_at(80).notify_at(100).email("finance@example.com").build(ctx);
    Budget::new("api", "twins-api", 200).tag("Component", "api").notify_at(90).email("api@example.com").build(ctx);
    let access = Bucket::for_access_logs("trail_logs", "twins-trail-logs-123456789012").build(ctx);
    let audit = Trail::new("audit", "twins-audit", "twins-audit-123456789012")
        .access_logs(AccessLogs::To(access.clone()))
        .build(ctx);
    Trail::new("security", "twins-security", "twins-security-123456789012")
        .access_logs(AccessLogs::To(access.clone()))
        .object_lock(ObjectLock::Governance { days: 30 })
        .log_retention(Retention::Days(90, "a test"))
        .build(ctx);
    let cpu =
        |cluster: &str| Metric::new("AWS/ECS", "CPUUtilization", Statistic::Average).dimension("ClusterName", cluster);
    Dashboard::new("web", "Twins-Web").widget(Widget::graph("CPU", [cpu("twins-web")])).build(ctx);
    Dashboard::new("audit", "Twins-Audit")
        .widget(Widget::graph("CPU", [cpu("twins-web"), cpu("twins-jobs")]))
        .widget(Widget::query("Console logins", audit.log_group.name.clone(), "filter eventName = 'ConsoleLogin'"))
        .build(ctx);
    Parameter::new("trail_bucket", "/twins/trail-bucket", audit.bucket.name.clone()).build(ctx);
    let url = template!["https://", audit.bucket.regional_domain_name.clone()];
    Parameter::new("trail_url", "/twins/trail-url", url).kms_key(other_key).build(ctx);
    let archive = Bucket::new("archive", "twins-archive-123456789012").access_logs(AccessLogs::To(access)).build(ctx);
    Archive::new("trail", "twins-trail-archive", &audit.log_group, &archive).build(ctx);
    Archive::new("front", "twins-front-archive", &front.log_group, &archive).prefix("front/").build(ctx);
    let ec2 = Cluster::new("hosts", "twins-hosts")
        .ec2_capacity(Ec2Capacity::new("spot", "twins-spot", &["t3.medium", "t3a.medium"]).spot().instances(0, 4))
        .build(ctx);
    Cluster::new("more", "twins-more")
        .ec2_capacity(Ec2Capacity::new("steady", "twins-steady", &["t3.small"]))
        .build(ctx);
    CapacityReservation::new("baseline", "t3.medium", "us-east-1a", 2).build(ctx);
    CapacityReservation::new("spare", "t3.small", "us-east-1b", 1).build(ctx);
    Task::new("migrate", &ec2, Container::new("migrate", "example/migrate:1.0")).build(ctx);
    Task::new("report", &ec2, Container::new("report", "example/report:1.0")).xray().size(512, 1024).build(ctx);
}

#[test]
fn two_of_every_component_live_in_one_stack() {
    let stack = two_of_everything();
    validate(&stack).unwrap_or_else(|e| panic!("{e}"));
    let doc = document(&stack);
    for (ty, names) in [
        ("aws_vpc", &["main", "data"][..]),
        ("aws_db_instance", &["orders", "billing"]),
        ("aws_rds_cluster", &["search", "reports"]),
        ("aws_elasticache_replication_group", &["sessions", "queues"]),
        ("aws_lb", &["public", "admin"]),
        ("aws_wafv2_web_acl", &["public", "admin"]),
        ("aws_ecs_cluster", &["web", "jobs"]),
        ("aws_ecs_service", &["backend", "front", "canary", "admin"]),
        ("aws_cloudfront_distribution", &["site", "docs"]),
        ("aws_kms_key", &["main", "second"]),
        ("aws_lambda_function", &["stop", "start"]),
        ("aws_cloudwatch_event_rule", &["stop", "start"]),
        ("aws_lambda_permission", &["stop_stop", "start_start"]),
        ("aws_dynamodb_table", &["backups", "locks"]),
        ("aws_budgets_budget", &["all", "api"]),
        ("aws_cloudtrail", &["audit", "security"]),
        ("aws_cloudwatch_dashboard", &["web", "audit"]),
        ("aws_ssm_parameter", &["trail_bucket", "trail_url"]),
        ("aws_kinesis_firehose_delivery_stream", &["trail", "front"]),
        ("aws_ecs_capacity_provider", &["spot", "steady"]),
        ("aws_ec2_capacity_reservation", &["baseline", "spare"]),
        ("aws_ecs_task_definition", &["migrate", "report"]),
        ("aws_vpc_endpoint", &["edge_s3", "edge_dynamodb"]),
        ("aws_network_acl", &["edge_public", "edge_private", "edge_database"]),
    ] {
        for name in names {
            resource(&doc, ty, name);
        }
    }
    assert_eq!(resource(&doc, "aws_db_instance", "billing")["kms_key_id"], "${aws_kms_key.second.arn}");
}

#[cfg(not(skip_tools))]
#[test]
fn two_of_every_component_plan_identically_in_both_formats() {
    use super::super::common::tools;
    let stack = two_of_everything();
    validate(&stack).unwrap_or_else(|e| panic!("{e}"));
    let files = Format::ALL.map(|f| vec![(f.file_name().to_owned(), render(&stack, f))]);
    let plans = tools::plan_formats(&files).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plans[0], plans[1], "JSON and HCL plan differently");
}
