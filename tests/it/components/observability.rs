//! Alarms, topics and log retention.

use super::*;

#[test]
fn alarms_notify_an_encrypted_topic() {
    let (mut ctx, _) = networked("apps");
    let (lb, blue, _) = alb(&mut ctx);
    let cluster = cluster(&mut ctx);
    let api = Service::new("api", &cluster, Container::new("api", "x").port(8000)).behind(&lb, &blue).build(&mut ctx);
    let topic = Topic::new("alerts", "apps-alerts").email("oncall@example.com").build(&mut ctx);
    ServiceAlarms::new("api", &topic, &api).load_balancer(&lb, &blue).build(&mut ctx);
    ServiceAlarms::new("quick", &topic, &api).utilization(60.0, 70.0).periods(1, 300).build(&mut ctx);
    let depth = Metric::new("Takeoff/Worker", "QueueDepth", Statistic::Maximum).dimension("Queue", "default");
    Alarm::new("queue", "apps-queue-depth", &topic, depth)
        .when(Comparison::Above, 500.0)
        .periods(3, 60)
        .build(&mut ctx);
    let doc = valid(ctx);
    assert_eq!(resource(&doc, "aws_sns_topic", "alerts")["kms_master_key_id"], "${aws_kms_key.main.arn}");
    let alarms = doc["resource"]["aws_cloudwatch_metric_alarm"].as_object().unwrap();
    let names: Vec<&String> = alarms.keys().collect();
    assert_eq!(
        names,
        [
            "api_cpu",
            "api_memory",
            "api_running",
            "api_unhealthy",
            "api_latency",
            "api_5xx",
            "quick_cpu",
            "quick_memory",
            "quick_running",
            "queue"
        ]
    );
    assert_eq!(alarms["api_cpu"]["threshold"], 80.0);
    assert_eq!(alarms["api_cpu"]["alarm_description"], "CPU above 80% for 10 minutes");
    assert_eq!(alarms["quick_cpu"]["alarm_description"], "CPU above 60% for 5 minutes");
    assert_eq!(alarms["quick_cpu"]["evaluation_periods"], 1);
    assert_eq!(alarms["api_5xx"]["metric_query"][2]["expression"], "100 * errors / MAX([errors, requests])");
    assert_eq!(alarms["queue"]["dimensions"], json!({"Queue": "default"}));
    assert_eq!((&alarms["queue"]["period"], &alarms["queue"]["statistic"]), (&json!(60), &json!("Maximum")));

    let mut ctx = context("apps");
    Topic::new("alerts", "apps-alerts").email("not-an-address").build(&mut ctx);
    assert!(only_problem(&ctx.finish()).contains("`not-an-address` is not an e-mail address"));
}

#[test]
fn retention_below_a_year_carries_its_reason_to_checkov() {
    use tfsynth::modules::logs::LogGroup;
    let mut ctx = context("logs");
    LogGroup::new("app", "/apps/app")
        .retention(Retention::Days(14, "development logs are for debugging only"))
        .build(&mut ctx);
    LogGroup::new("audit", "/apps/audit").retention(Retention::Days(731, "kept two years")).build(&mut ctx);
    let stack = ctx.finish();
    validate(&stack).expect("valid");
    let hcl = render(&stack, Format::Hcl);
    assert!(hcl.contains("# checkov:skip=CKV_AWS_338:development logs are for debugging only"), "{hcl}");
    assert!(!hcl.contains("kept two years"), "a longer retention needs no waiver");
}

/// Every component's `build` returns a typed handle whose fields name its resource's
/// attributes, so a stack links to what it built without writing an address.
#[test]
fn every_component_returns_its_typed_handle() {
    let (mut ctx, _) = networked("apps");
    let (lb, blue, _) = alb(&mut ctx);
    let cluster = cluster(&mut ctx);
    let api = Service::new("api", &cluster, Container::new("api", "x").port(8000)).behind(&lb, &blue).build(&mut ctx);
    let topic = Topic::new("alerts", "apps-alerts").email("oncall@example.com").build(&mut ctx);
    let shown = |e: &Expr<String>| render_expression(&e.clone().into());
    let service = ServiceAlarms::new("api", &topic, &api).load_balancer(&lb, &blue).build(&mut ctx);
    let watched: Vec<&str> = service.alarms.iter().map(|(what, _)| *what).collect();
    assert_eq!(watched, ["cpu", "memory", "running", "unhealthy", "latency", "5xx"]);
    assert_eq!(shown(&service.get("5xx").expect("5xx").arn), "aws_cloudwatch_metric_alarm.api_5xx.arn");
    let depth = Metric::new("Apps/Worker", "QueueDepth", Statistic::Maximum);
    let alarm = Alarm::new("queue", "apps-queue-depth", &topic, depth).when(Comparison::Above, 5.0).build(&mut ctx);
    assert_eq!(shown(&alarm.name), "aws_cloudwatch_metric_alarm.queue.alarm_name");
    let budget = Budget::new("all", "apps-monthly", 100).notify_at(80).email("f@example.com").build(&mut ctx);
    assert_eq!(shown(&budget.arn), "aws_budgets_budget.all.arn");
    let cpu = Metric::new("AWS/ECS", "CPUUtilization", Statistic::Average);
    let dashboard = Dashboard::new("main", "Apps").widget(Widget::graph("CPU", [cpu])).build(&mut ctx);
    assert_eq!(shown(&dashboard.arn), "aws_cloudwatch_dashboard.main.dashboard_arn");
    let code = Code::S3 { bucket: "apps-artifacts".into(), key: "stop.zip".into() };
    let stop = Function::new("stop", "apps-stop", "python3.11", "index.handler", code).build(&mut ctx);
    let rule = EventRule::schedule("stop", "apps-stop", "cron(0 19 * * ? *)").invoke(&stop).build(&mut ctx);
    assert_eq!(shown(&rule.name), "aws_cloudwatch_event_rule.stop.name");
    let reservation = CapacityReservation::new("baseline", "t3.medium", "us-east-1a", 1).build(&mut ctx);
    assert_eq!(shown(&reservation.id), "aws_ec2_capacity_reservation.baseline.id");
    let record = AliasRecord::new("www", &ZONE, "www.apps.example.com").target(&lb).build(&mut ctx);
    assert_eq!(shown(&record.fqdn), "aws_route53_record.www.fqdn");
    let logs = tfsynth::modules::logs::LogGroup::new("app", "/apps/app").build(&mut ctx);
    let bucket =
        Bucket::new("archive", "apps-archive-123456789012").access_logs(AccessLogs::Off("a test")).build(&mut ctx);
    let archive = Archive::new("app", "apps-archive", &logs, &bucket).build(&mut ctx);
    assert_eq!(shown(&archive.stream_arn), "aws_kinesis_firehose_delivery_stream.app.arn");
    valid(ctx);
}
