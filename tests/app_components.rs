//! Secure defaults and invalid configurations of the application-facing components: storage,
//! load balancer, firewall, compute, secrets, alarms, DNS, registry and edge.

mod common;

use common::{only_problem, resource};

use serde_json::json;
use tfsynth::modules::alarms::{Topic, service_alarms};
use tfsynth::modules::compute::{Capacity, Cluster, Container, Scaling, Service, Target};
use tfsynth::modules::dns::certificate;
use tfsynth::modules::edge::Distribution;
use tfsynth::modules::firewall::{ManagedGroup, WebAcl};
use tfsynth::modules::load_balancing::{Alb, Condition, LoadBalancer, TargetGroup};
use tfsynth::modules::networking::{Network, SecurityGroup, Vpc};
use tfsynth::modules::registry::repository;
use tfsynth::modules::secrets::{Rotation, secret};
use tfsynth::modules::storage::{AccessLogs, Bucket, Encryption};
use tfsynth::modules::{Account, KmsKey, kms};
use tfsynth::prelude::*;
use tfsynth::render::json::document;

const ACCOUNT: Account = Account { id: "123456789012", region: "us-east-1" };
const CERT: &str = "arn:aws:acm:us-east-1:123456789012:certificate/example";

fn base() -> (Stack, KmsKey, Network) {
    let mut stack = Stack::new("apps", "production");
    stack.provider(Provider::aws(ACCOUNT.region));
    let key = kms::Key::new("main", "apps", "test")
        .for_log_groups()
        .for_service("cloudwatch.amazonaws.com")
        .build(&mut stack, &ACCOUNT);
    let net = Vpc::new("apps", "10.0.0.0/16", &["us-east-1a", "us-east-1b"]).build(&mut stack, &ACCOUNT, &key);
    (stack, key, net)
}

fn alb(stack: &mut Stack, net: &Network) -> LoadBalancer {
    Alb::new("apps", CERT)
        .target_group(TargetGroup::new("blue", 8000))
        .target_group(TargetGroup::new("green", 8000))
        .default_target("blue")
        .weighted(10, Condition::Path(vec!["/canary/*"]), &[("blue", 90), ("green", 10)])
        .build(stack, &ACCOUNT, net)
}

#[test]
fn buckets_are_private_versioned_encrypted_and_tls_only() {
    let (mut stack, key, _) = base();
    let logs = Bucket::for_access_logs("logs", "apps-logs-123456789012", &ACCOUNT).build(&mut stack);
    Bucket::new("data", "apps-data-123456789012")
        .encryption(Encryption::Kms(key))
        .access_logs(AccessLogs::To(logs))
        .expire_after_days(7)
        .build(&mut stack);
    validate(&stack).expect("valid");
    let doc = document(&stack);
    let block = resource(&doc, "aws_s3_bucket_public_access_block", "data");
    for field in ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"] {
        assert_eq!(block[field], true, "{field}");
    }
    assert_eq!(resource(&doc, "aws_s3_bucket_versioning", "data")["versioning_configuration"][0]["status"], "Enabled");
    let sse = &resource(&doc, "aws_s3_bucket_server_side_encryption_configuration", "data")["rule"][0];
    assert_eq!(sse["apply_server_side_encryption_by_default"][0]["sse_algorithm"], "aws:kms");
    let policy = resource(&doc, "aws_s3_bucket_policy", "data")["policy"].as_str().unwrap().to_owned();
    assert!(policy.contains("aws:SecureTransport") && policy.contains("Deny"), "{policy}");
    assert_eq!(
        resource(&doc, "aws_s3_bucket_lifecycle_configuration", "data")["rule"][0]["expiration"],
        json!([{"days": 7}])
    );
}

#[test]
fn bucket_mistakes_are_reported() {
    let (mut stack, _, _) = base();
    Bucket::new("data", "Apps_Data").build(&mut stack);
    let found: Vec<String> = common::problems(&stack).iter().map(ToString::to_string).collect();
    assert!(found.iter().any(|m| m.contains("bucket name `Apps_Data` is not valid")), "{found:#?}");
    assert!(found.iter().any(|m| m.contains("no encryption chosen") && m.contains("Encryption::Kms")), "{found:#?}");
    assert!(
        found.iter().any(|m| m.contains("no access logging chosen") && m.contains("AccessLogs::Off(reason)")),
        "{found:#?}"
    );
}

#[test]
fn load_balancer_defaults() {
    let (mut stack, _, net) = base();
    alb(&mut stack, &net);
    validate(&stack).expect("valid");
    let doc = document(&stack);
    let lb = resource(&doc, "aws_lb", "main");
    assert_eq!(lb["drop_invalid_header_fields"], true);
    assert_eq!(lb["enable_deletion_protection"], true);
    assert_eq!(lb["access_logs"][0]["enabled"], true);
    let https = resource(&doc, "aws_lb_listener", "https");
    assert_eq!(https["ssl_policy"], "ELBSecurityPolicy-TLS13-1-2-2021-06");
    let http = resource(&doc, "aws_lb_listener", "http");
    assert_eq!(http["default_action"][0]["redirect"][0]["status_code"], "HTTP_301");
    let weighted = &resource(&doc, "aws_lb_listener_rule", "https_10")["action"][0]["forward"][0]["target_group"];
    assert_eq!(weighted.as_array().map(Vec::len), Some(2));
    assert_eq!(weighted[1]["weight"], 10);
    let health = &resource(&doc, "aws_lb_target_group", "blue")["health_check"][0];
    assert_eq!((&health["path"], &health["matcher"]), (&json!("/health"), &json!("200")));
}

#[test]
fn load_balancer_mistakes_are_reported() {
    let (mut stack, _, net) = base();
    Alb::new("apps", CERT)
        .target_group(TargetGroup::new("web", 8080))
        .default_target("api")
        .build(&mut stack, &ACCOUNT, &net);
    let message = only_problem(&stack);
    assert!(
        message.contains("target group `api` is not declared") && message.contains("known: [\"web\"]"),
        "{message}"
    );

    let (mut stack, _, net) = base();
    Alb::new("a-load-balancer-name-longer-than-32", CERT)
        .target_group(TargetGroup::new("web", 8080))
        .default_target("web")
        .build(&mut stack, &ACCOUNT, &net);
    let found: Vec<String> = common::problems(&stack).iter().map(ToString::to_string).collect();
    assert!(
        found.iter().any(|m| m.contains("load balancer name `a-load-balancer-name-longer-than-32` is not valid")),
        "{found:#?}"
    );
}

#[test]
fn web_acl_defaults_and_association() {
    let (mut stack, key, net) = base();
    let lb = alb(&mut stack, &net);
    WebAcl::new("apps-waf")
        .managed(ManagedGroup::aws("AWSManagedRulesCommonRuleSet").count("SizeRestrictions_BODY"))
        .build(&mut stack, &key, &lb);
    validate(&stack).expect("valid");
    let doc = document(&stack);
    let acl = resource(&doc, "aws_wafv2_web_acl", "main");
    let rules = acl["rule"].as_array().unwrap();
    let rate = &rules[0];
    assert_eq!(rate["action"], json!([{"block": [{}]}]), "the rate rule blocks");
    assert!(rate.get("override_action").is_none());
    assert_eq!(rate["statement"][0]["rate_based_statement"][0]["limit"], 2000);
    let groups: Vec<&str> =
        rules.iter().filter_map(|r| r["statement"][0]["managed_rule_group_statement"][0]["name"].as_str()).collect();
    assert!(
        groups.contains(&"AWSManagedRulesKnownBadInputsRuleSet") && groups.contains(&"AWSManagedRulesSQLiRuleSet"),
        "{groups:?}"
    );
    assert!(rules[1..].iter().all(|r| r["override_action"] == json!([{"none": [{}]}])));
    assert_eq!(resource(&doc, "aws_wafv2_web_acl_association", "main")["resource_arn"], "${aws_lb.main.arn}");
    assert_eq!(resource(&doc, "aws_cloudwatch_log_group", "waf")["name"], "aws-waf-logs-apps-waf");
}

#[test]
fn web_acl_rate_window_is_checked() {
    let (mut stack, key, net) = base();
    let lb = alb(&mut stack, &net);
    WebAcl::new("apps-waf").rate_limit(1000, 90).build(&mut stack, &key, &lb);
    assert!(only_problem(&stack).contains("rate window of 90 s"));
}

fn service(stack: &mut Stack, key: &KmsKey, net: &Network, svc: Service) {
    let tasks = SecurityGroup::new(stack, &net.vpc_id, "tasks", "tasks", "tasks");
    let cluster = Cluster::new("apps").build(stack, key);
    svc.build(stack, &ACCOUNT, &cluster, net, key, &tasks);
}

#[test]
fn services_run_private_hardened_and_least_privileged() {
    let (mut stack, key, net) = base();
    let token = secret(&mut stack, "token", "apps/token", "token", &key, Rotation::AtSource("issued elsewhere"));
    let container = Container::new("api", "example/api:1.0").port(8000).secret("TOKEN", &token, None);
    let svc =
        Service::new("api", container).capacity(Capacity::Spot).autoscale(Scaling::new(2, 4).target(Target::Cpu(70.0)));
    service(&mut stack, &key, &net, svc);
    validate(&stack).expect("valid");
    let doc = document(&stack);
    let cluster = resource(&doc, "aws_ecs_cluster", "main");
    assert_eq!(cluster["setting"][0], json!({"name": "containerInsights", "value": "enabled"}));
    let svc = resource(&doc, "aws_ecs_service", "api");
    assert_eq!(svc["network_configuration"][0]["assign_public_ip"], false);
    assert_eq!(svc["deployment_circuit_breaker"][0], json!({"enable": true, "rollback": true}));
    assert_eq!(svc["lifecycle"]["ignore_changes"], json!(["desired_count"]));
    assert_eq!(svc["capacity_provider_strategy"][0]["capacity_provider"], "FARGATE_SPOT");
    let definition =
        resource(&doc, "aws_ecs_task_definition", "api")["container_definitions"].as_str().unwrap().to_owned();
    for part in [
        "readonlyRootFilesystem = true",
        "user = \"1000\"",
        "privileged = false",
        "valueFrom = aws_secretsmanager_secret.token.arn",
    ] {
        assert!(definition.contains(part), "{part} missing from {definition}");
    }
    let execution =
        resource(&doc, "aws_iam_role_policy", "api_execution_execution")["policy"].as_str().unwrap().to_owned();
    assert!(
        execution.contains("secretsmanager:GetSecretValue")
            && execution.contains("aws_secretsmanager_secret.token.arn"),
        "{execution}"
    );
    let task = resource(&doc, "aws_iam_role_policy", "api_task_task")["policy"].as_str().unwrap().to_owned();
    assert!(!task.contains("secretsmanager"), "the task role cannot read secrets: {task}");
}

#[test]
fn service_mistakes_are_reported() {
    let cases: [(Service, &str); 3] = [
        (
            Service::new("api", Container::new("api", "x")).size(256, 4096),
            "256 CPU units with 4096 MiB is not a Fargate size",
        ),
        (
            Service::new("api", Container::new("api", "x")).deployment(150, 120),
            "deployment bounds 150/120 are not valid",
        ),
        (
            Service::new("api", Container::new("api", "x"))
                .desired(5)
                .autoscale(Scaling::new(1, 3).target(Target::Cpu(70.0))),
            "bounds 1..3 do not hold the desired count 5",
        ),
    ];
    for (svc, want) in cases {
        let (mut stack, key, net) = base();
        service(&mut stack, &key, &net, svc);
        let message = only_problem(&stack);
        assert!(message.contains(want), "{message}");
    }
}

#[test]
fn alarms_notify_an_encrypted_topic() {
    let (mut stack, key, _) = base();
    let topic = Topic::new("alerts", "apps-alerts").email("oncall@example.com").build(&mut stack, &key);
    service_alarms(
        &mut stack,
        &topic,
        "api",
        &Expr::from("apps"),
        &Expr::from("api"),
        Some((&Expr::from("app/lb/1"), &Expr::from("targetgroup/tg/2"))),
    );
    validate(&stack).expect("valid");
    let doc = document(&stack);
    assert_eq!(resource(&doc, "aws_sns_topic", "alerts")["kms_master_key_id"], "${aws_kms_key.main.arn}");
    let alarms = doc["resource"]["aws_cloudwatch_metric_alarm"].as_object().unwrap();
    let names: Vec<&String> = alarms.keys().collect();
    assert_eq!(names, ["api_cpu", "api_memory", "api_running", "api_unhealthy", "api_latency", "api_5xx"]);
    assert_eq!(alarms["api_cpu"]["threshold"], 80.0);
    assert_eq!(alarms["api_5xx"]["metric_query"][2]["expression"], "100 * errors / MAX([errors, requests])");
    let (mut stack, key, _) = base();
    Topic::new("alerts", "apps-alerts").email("not-an-address").build(&mut stack, &key);
    assert!(only_problem(&stack).contains("`not-an-address` is not an e-mail address"));
}

#[test]
fn certificates_validate_through_dns() {
    let (mut stack, _, _) = base();
    let cert = certificate(&mut stack, "site", "apps.example.com", &[], "Z0APPSEXAMPLE000001");
    assert_eq!(render_expression(&cert.into()), "aws_acm_certificate_validation.site.certificate_arn");
    validate(&stack).expect("valid");
    let doc = document(&stack);
    assert_eq!(resource(&doc, "aws_acm_certificate", "site")["validation_method"], "DNS");
    let (mut stack, _, _) = base();
    certificate(&mut stack, "site", "apps.example.com", &[], "not-a-zone");
    assert!(only_problem(&stack).contains("`not-a-zone` is not a hosted zone id"));
}

#[test]
fn repositories_are_immutable_scanned_and_pruned() {
    let (mut stack, key, _) = base();
    repository(&mut stack, "api", "apps-api", &key, 10);
    validate(&stack).expect("valid");
    let doc = document(&stack);
    let repo = resource(&doc, "aws_ecr_repository", "api");
    assert_eq!(repo["image_tag_mutability"], "IMMUTABLE");
    assert_eq!(repo["image_scanning_configuration"][0]["scan_on_push"], true);
    assert!(resource(&doc, "aws_ecr_lifecycle_policy", "api")["policy"].as_str().unwrap().contains("countNumber = 10"));
}

#[test]
fn distributions_serve_https_only_from_a_private_bucket() {
    let (mut stack, key, _) = base();
    let site = Bucket::new("site", "apps-site-123456789012")
        .encryption(Encryption::Kms(key))
        .access_logs(AccessLogs::Off("a test"))
        .allow(Distribution::read_statement(&ACCOUNT, "apps-site-123456789012"))
        .build(&mut stack);
    Distribution::new("apps.example.com", CERT).build(&mut stack, &site, Some(&Expr::from("lb.example.com")));
    validate(&stack).expect("valid");
    let doc = document(&stack);
    let d = resource(&doc, "aws_cloudfront_distribution", "site");
    assert_eq!(d["default_cache_behavior"][0]["viewer_protocol_policy"], "redirect-to-https");
    assert_eq!(d["viewer_certificate"][0]["minimum_protocol_version"], "TLSv1.2_2021");
    assert_eq!(d["ordered_cache_behavior"][0]["path_pattern"], "/api/*");
    assert_eq!(d["origin"][0]["origin_access_control_id"], "${aws_cloudfront_origin_access_control.site.id}");
}
