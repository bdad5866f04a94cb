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
