use serde_json::json;

use super::{Date, Rule, Waiver, lint};
use crate::model::{Arguments, Body, Resource, Stack, Tier};

const TODAY: Date = Date::ymd(2026, 11, 22);

fn fired(stack: &Stack) -> Vec<(Rule, String)> {
    lint(stack, TODAY).findings.into_iter().map(|f| (f.rule, f.address)).collect()
}

fn production() -> Stack {
    Stack::new("policy", "production")
}

#[test]
fn unencrypted_storage_fires() {
    let mut s = production();
    s.add(Resource::new("aws_ebs_volume", "data").set("size", 10));
    s.add(Resource::new("aws_cloudwatch_log_group", "app").set("retention_in_days", 30));
    let found = fired(&s);
    assert!(found.contains(&(Rule::StorageEncrypted, "aws_ebs_volume.data".into())), "{found:?}");
    assert!(found.contains(&(Rule::StorageEncrypted, "aws_cloudwatch_log_group.app".into())), "{found:?}");
}

#[test]
fn buckets_need_encryption_and_a_public_access_block() {
    let mut s = production();
    let bucket = s.add(Resource::new("aws_s3_bucket", "data").set("bucket", "d"));
    let found = fired(&s);
    assert!(found.contains(&(Rule::StorageEncrypted, "aws_s3_bucket.data".into())), "{found:?}");
    assert!(found.contains(&(Rule::NotPublic, "aws_s3_bucket.data".into())), "{found:?}");
    s.add(Resource::new("aws_s3_bucket_server_side_encryption_configuration", "data").set("bucket", bucket.id()));
    let mut block = Resource::new("aws_s3_bucket_public_access_block", "data").set("bucket", bucket.id());
    for k in ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"] {
        block = block.set(k, true);
    }
    s.add(block);
    assert!(fired(&s).is_empty(), "{:?}", fired(&s));
}

#[test]
fn public_databases_fire() {
    let mut s = production();
    s.add(
        Resource::new("aws_db_instance", "db")
            .set("storage_encrypted", true)
            .set("deletion_protection", true)
            .set("backup_retention_period", 7)
            .set("publicly_accessible", true),
    );
    assert_eq!(fired(&s), [(Rule::NotPublic, "aws_db_instance.db".into())]);
}

#[test]
fn open_ingress_fires_except_web_ports_on_a_load_balancer() {
    let mut s = production();
    let lb_sg = s.add(Resource::new("aws_security_group", "lb"));
    let app_sg = s.add(Resource::new("aws_security_group", "app"));
    s.add(
        Resource::new("aws_lb", "web")
            .set("internal", true)
            .set("drop_invalid_header_fields", true)
            .set("enable_deletion_protection", true)
            .set("security_groups", vec![lb_sg.id()]),
    );
    let rule = |name: &str, sg: &crate::model::Ref, port: u16| {
        Resource::new("aws_vpc_security_group_ingress_rule", name)
            .set("security_group_id", sg.id())
            .set("cidr_ipv4", "0.0.0.0/0")
            .set("from_port", port)
            .set("to_port", port)
    };
    s.add(rule("https", &lb_sg, 443));
    s.add(rule("ssh", &lb_sg, 22));
    s.add(rule("app_https", &app_sg, 443));
    let found = fired(&s);
    assert_eq!(
        found,
        [
            (Rule::OpenIngress, "aws_vpc_security_group_ingress_rule.ssh".into()),
            (Rule::OpenIngress, "aws_vpc_security_group_ingress_rule.app_https".into())
        ]
    );
    let mut inline = production();
    inline.add(
        Resource::new("aws_security_group", "legacy").block(
            "ingress",
            Body::new().set("from_port", 5432).set("to_port", 5432).set("cidr_blocks", ["0.0.0.0/0"]),
        ),
    );
    assert_eq!(fired(&inline), [(Rule::OpenIngress, "aws_security_group.legacy".into())]);
}

#[test]
fn load_balancers_drop_bad_headers_have_a_waf_and_deletion_protection() {
    let mut s = production();
    s.add(Resource::new("aws_lb", "web"));
    let rules: Vec<Rule> = fired(&s).into_iter().map(|(r, _)| r).collect();
    assert_eq!(rules, [Rule::AlbDropsInvalidHeaders, Rule::AlbHasWaf, Rule::DeletionProtection]);
    // The advice names the firewall component's real method.
    let waf = lint(&s, TODAY).findings.into_iter().find(|f| f.rule == Rule::AlbHasWaf).expect("TFS005");
    assert!(waf.fix.contains("WebAcl::new(..).protect(&alb)"), "{}", waf.fix);
    let mut staging = Stack::new("policy", "staging").with_tier(Tier::Staging);
    staging.add(Resource::new("aws_lb", "web").set("drop_invalid_header_fields", true).set("internal", true));
    assert!(fired(&staging).is_empty(), "deletion protection is a production rule");
}

#[test]
fn production_is_known_by_its_tier_not_its_name() {
    let lb = || Resource::new("aws_lb", "web").set("drop_invalid_header_fields", true).set("internal", true);
    let mut prod = Stack::new("policy", "prod");
    prod.add(lb());
    assert_eq!(fired(&prod), [(Rule::DeletionProtection, "aws_lb.web".into())]);
    let mut sandbox = Stack::new("policy", "production").with_tier(Tier::Development);
    sandbox.add(lb());
    assert!(fired(&sandbox).is_empty());
}

/// The rules that fire on `stack`, with the addresses, for one rule.
fn only(stack: &Stack, rule: Rule) -> Vec<String> {
    fired(stack).into_iter().filter(|(r, _)| *r == rule).map(|(_, a)| a).collect()
}

#[test]
fn eventbridge_needs_permission_to_invoke_a_lambda() {
    let mut s = production();
    let function = s.add(Resource::new("aws_lambda_function", "shutdown").set("function_name", "shutdown"));
    let rule =
        s.add(Resource::new("aws_cloudwatch_event_rule", "nightly").set("schedule_expression", "cron(0 20 * * ? *)"));
    s.add(
        Resource::new("aws_cloudwatch_event_target", "nightly")
            .set("rule", rule.attr("name"))
            .set("arn", function.arn()),
    );
    assert_eq!(only(&s, Rule::InvokePermission), ["aws_cloudwatch_event_target.nightly"]);
    s.add(
        Resource::new("aws_lambda_permission", "events")
            .set("function_name", function.attr("function_name"))
            .set("principal", "events.amazonaws.com")
            .set("source_arn", rule.arn()),
    );
    assert!(only(&s, Rule::InvokePermission).is_empty());
}

#[test]
fn autoscaling_targets_need_a_policy() {
    let mut s = production();
    let target = s.add(Resource::new("aws_appautoscaling_target", "worker").set("resource_id", "service/c/worker"));
    assert_eq!(only(&s, Rule::ScalingPolicy), ["aws_appautoscaling_target.worker"]);
    s.add(Resource::new("aws_appautoscaling_policy", "worker_cpu").set("resource_id", target.attr("resource_id")));
    assert!(only(&s, Rule::ScalingPolicy).is_empty());
}

#[test]
fn target_groups_must_be_used() {
    let mut s = production();
    let tg = s.add(Resource::new("aws_lb_target_group", "frontend").set("port", 8080));
    assert_eq!(only(&s, Rule::TargetGroupUsed), ["aws_lb_target_group.frontend"]);
    s.add(
        Resource::new("aws_lb_listener", "https")
            .block("default_action", Body::new().set("type", "forward").set("target_group_arn", tg.arn())),
    );
    assert!(only(&s, Rule::TargetGroupUsed).is_empty());
}

#[test]
fn public_ips_on_launch_fire() {
    let mut s = production();
    s.add(Resource::new("aws_subnet", "public").set("map_public_ip_on_launch", true));
    s.add(
        Resource::new("aws_ecs_service", "api")
            .block("network_configuration", Body::new().set("assign_public_ip", true)),
    );
    s.add(
        Resource::new("aws_launch_template", "nodes")
            .block("network_interfaces", Body::new().set("associate_public_ip_address", true)),
    );
    s.add(Resource::new("aws_subnet", "private").set("map_public_ip_on_launch", false));
    s.add(
        Resource::new("aws_ecs_service", "worker")
            .block("network_configuration", Body::new().set("assign_public_ip", false)),
    );
    assert_eq!(
        only(&s, Rule::PublicIpOnLaunch),
        ["aws_subnet.public", "aws_ecs_service.api", "aws_launch_template.nodes"]
    );
}

#[test]
fn rules_over_every_port_fire() {
    let mut s = production();
    let sg = s.add(Resource::new("aws_security_group", "tasks"));
    let rule = |name: &str, from: u16, to: u16| {
        Resource::new("aws_vpc_security_group_ingress_rule", name)
            .set("security_group_id", sg.id())
            .set("referenced_security_group_id", "sg-0123")
            .set("ip_protocol", "tcp")
            .set("from_port", from)
            .set("to_port", to)
    };
    s.add(rule("all", 0, 65535));
    s.add(rule("app", 8000, 8000));
    s.add(Resource::new("aws_security_group_rule", "any").set("type", "ingress").set("protocol", "-1"));
    s.add(
        Resource::new("aws_security_group", "legacy")
            .block("ingress", Body::new().set("from_port", 0).set("to_port", 65535)),
    );
    assert_eq!(
        only(&s, Rule::AllPorts),
        ["aws_vpc_security_group_ingress_rule.all", "aws_security_group_rule.any", "aws_security_group.legacy"]
    );
}

#[test]
fn whole_json_secrets_fire() {
    use crate::expr::{Expression, jsonencode};
    let mut s = production();
    let db = s.add(Resource::new("aws_db_instance", "main").set("manage_master_user_password", true));
    let secret = db.attr("master_user_secret").index(0).attr("secret_arn");
    let definition = |name: &str, value_from: Expression| {
        let entry = Expression::from_iter([("name", Expression::from(name)), ("valueFrom", value_from)]);
        jsonencode(Expression::List(vec![Expression::from_iter([("secrets", Expression::List(vec![entry]))])]))
    };
    s.add(
        Resource::new("aws_ecs_task_definition", "api")
            .set("container_definitions", definition("DATABASE_URL", secret.clone().into())),
    );
    let one_key = crate::template![secret, ":password::"];
    s.add(
        Resource::new("aws_ecs_task_definition", "worker")
            .set("container_definitions", definition("DATABASE_PASSWORD", one_key.into())),
    );
    let token = s.add(Resource::new("aws_secretsmanager_secret", "bundle").set("name", "bundle"));
    s.add(
        Resource::new("aws_secretsmanager_secret_version", "bundle")
            .set("secret_id", token.id())
            .set("secret_string", jsonencode(json!({"user": "a", "password": "b"}))),
    );
    s.add(
        Resource::new("aws_ecs_task_definition", "jobs")
            .set("container_definitions", definition("BUNDLE", token.arn().into())),
    );
    assert_eq!(only(&s, Rule::WholeJsonSecret), ["aws_ecs_task_definition.api", "aws_ecs_task_definition.jobs"]);
}

#[test]
fn a_whole_write_only_json_secret_fires_too() {
    use crate::expr::{Expression, jsonencode};
    let mut s = production();
    let secret = s.add(Resource::new("aws_secretsmanager_secret", "app").set("name", "app"));
    s.add(
        Resource::new("aws_secretsmanager_secret_version", "app")
            .set("secret_id", secret.id())
            .set("secret_string_wo", jsonencode(json!({"DATABASE_URL": "postgres://db"})))
            .set("secret_string_wo_version", 1),
    );
    let entry = Expression::from_iter([("name", Expression::from("DATABASE_URL")), ("valueFrom", secret.arn().into())]);
    let definition =
        jsonencode(Expression::List(vec![Expression::from_iter([("secrets", Expression::List(vec![entry]))])]));
    s.add(Resource::new("aws_ecs_task_definition", "api").set("container_definitions", definition));
    assert_eq!(only(&s, Rule::WholeJsonSecret), ["aws_ecs_task_definition.api"]);
}

/// A WAF rule with a rate-based statement named `name`, counting `limit` over `window`.
fn rate_rule(name: &str, limit: u32, window: Option<u16>) -> Body {
    let mut rated = Body::new().set("limit", limit).set("aggregate_key_type", "IP");
    if let Some(w) = window {
        rated = rated.set("evaluation_window_sec", w);
    }
    Body::new()
        .set("name", name)
        .set("priority", 1)
        .block("action", Body::new().block("block", Body::new()))
        .block("statement", Body::new().block("rate_based_statement", rated))
        .block(
            "visibility_config",
            Body::new()
                .set("metric_name", name)
                .set("cloudwatch_metrics_enabled", true)
                .set("sampled_requests_enabled", true),
        )
}

#[test]
fn a_per_minute_rate_rule_must_count_over_a_minute() {
    let mut s = production();
    for (key, name, window) in [
        ("seed", "rate-limit-1000-per-minute", None),
        ("five", "RequestsPerMinute", Some(300)),
        ("rpm", "api_1000_rpm", Some(120)),
        ("minute", "rate-limit-per-minute", Some(60)),
        ("default", "RateLimitRule", None),
    ] {
        s.add(Resource::new("aws_wafv2_web_acl", key).set("name", key).block("rule", rate_rule(name, 1000, window)));
    }
    assert_eq!(
        only(&s, Rule::RateWindow),
        ["aws_wafv2_web_acl.seed", "aws_wafv2_web_acl.five", "aws_wafv2_web_acl.rpm"]
    );
    let message = lint(&s, TODAY).findings.into_iter().find(|f| f.rule == Rule::RateWindow).expect("a finding");
    assert!(message.message.contains("counts 1000 requests over 300 seconds"), "{}", message.message);
    assert!(message.fix.contains("evaluation_window_sec = 60"), "{}", message.fix);
}

/// A task definition whose one container gets `environment` (name, value).
fn task(key: &str, environment: &[(&str, crate::expr::Expression)]) -> Resource {
    use crate::expr::{Expression, jsonencode};
    let entries = environment
        .iter()
        .map(|(name, value)| Expression::from_iter([("name", Expression::from(*name)), ("value", value.clone())]));
    let container =
        Expression::from_iter([("name", Expression::from(key)), ("environment", Expression::List(entries.collect()))]);
    Resource::new("aws_ecs_task_definition", key)
        .set("container_definitions", jsonencode(Expression::List(vec![container])))
}

#[test]
fn one_value_under_two_environment_names_fires() {
    let mut s = production();
    let redis = s.add(Resource::new("aws_elasticache_replication_group", "main"));
    let endpoint = || crate::expr::Expression::from(redis.attr("primary_endpoint_address"));
    s.add(task("api", &[("REDIS_URL", endpoint()), ("REGION", "us-east-1".into())]));
    // Another name beside the first one is a deliberate alias.
    s.add(task("worker", &[("REDIS_URL", endpoint()), ("CACHE_HOST", endpoint()), ("REGION", "us-east-1".into())]));
    s.add(task("beat", &[("REDIS_ENDPOINT", endpoint()), ("AWS_REGION", "us-east-1".into())]));
    assert_eq!(only(&s, Rule::EnvironmentSpelling), ["aws_ecs_task_definition.beat"]);
    let finding =
        lint(&s, TODAY).findings.into_iter().rfind(|f| f.rule == Rule::EnvironmentSpelling).expect("a finding");
    assert!(finding.message.starts_with("REDIS_ENDPOINT holds"), "{}", finding.message);
    assert!(finding.message.contains("which aws_ecs_task_definition.api names REDIS_URL"), "{}", finding.message);
}

#[test]
fn aws_managed_keys_fire_only_next_to_a_customer_key() {
    let mut s = production();
    let bucket_sse = || {
        Resource::new("aws_s3_bucket_server_side_encryption_configuration", "data").block(
            "rule",
            Body::new().block("apply_server_side_encryption_by_default", Body::new().set("sse_algorithm", "aws:kms")),
        )
    };
    s.add(bucket_sse());
    s.add(Resource::new("aws_secretsmanager_secret", "token").set("name", "token"));
    assert!(only(&s, Rule::AwsManagedKey).is_empty(), "no customer key to prefer");
    s.add(Resource::new("aws_kms_key", "main").set("enable_key_rotation", true));
    s.add(Resource::new("aws_sns_topic", "alerts").set("kms_master_key_id", "alias/aws/sns"));
    assert_eq!(
        only(&s, Rule::AwsManagedKey),
        [
            "aws_s3_bucket_server_side_encryption_configuration.data",
            "aws_secretsmanager_secret.token",
            "aws_sns_topic.alerts"
        ]
    );
}

#[test]
fn backups_must_be_kept() {
    let mut s = production();
    s.add(
        Resource::new("aws_db_instance", "db")
            .set("storage_encrypted", true)
            .set("deletion_protection", true)
            .set("backup_retention_period", 1),
    );
    s.add(Resource::new("aws_elasticache_replication_group", "cache").set("at_rest_encryption_enabled", true));
    assert_eq!(
        fired(&s),
        [
            (Rule::BackupsRetained, "aws_db_instance.db".into()),
            (Rule::BackupsRetained, "aws_elasticache_replication_group.cache".into())
        ]
    );
}

#[test]
fn log_groups_need_retention() {
    let mut s = production();
    s.add(Resource::new("aws_cloudwatch_log_group", "app").set("kms_key_id", "arn:aws:kms:us-east-1:1:key/x"));
    assert_eq!(fired(&s), [(Rule::LogRetention, "aws_cloudwatch_log_group.app".into())]);
}

#[test]
fn iam_wildcards_fire() {
    let mut s = production();
    let admin = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": ["*"]}]});
    let scoped = json!({"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}]});
    s.add(Resource::new("aws_iam_policy", "admin").set("policy", crate::expr::jsonencode(admin)));
    s.add(Resource::new("aws_iam_policy", "scoped").set("policy", crate::expr::jsonencode(scoped)));
    assert_eq!(fired(&s), [(Rule::IamWildcard, "aws_iam_policy.admin".into())]);
}

#[test]
fn waivers_accept_findings_until_they_expire() {
    let mut s = production();
    s.add(Resource::new("aws_cloudwatch_log_group", "app").set("kms_key_id", "k"));
    s.waive(Waiver::new(
        Rule::LogRetention,
        "aws_cloudwatch_log_group.app",
        "audit keeps these",
        Date::ymd(2027, 1, 31),
    ));
    let report = lint(&s, TODAY);
    assert!(report.passes(), "{report:?}");
    assert_eq!(report.findings[0].waiver.as_ref().map(|w| w.reason.as_str()), Some("audit keeps these"));

    let later = lint(&s, Date::ymd(2027, 2, 1));
    assert!(!later.passes());
    let message = later.diagnostics(&s)[0].to_string();
    assert!(message.contains("waiver of TFS008 expired on 2027-01-31"), "{message}");
}

#[test]
fn a_waiver_that_matches_nothing_fails() {
    let mut s = production();
    s.waive(Waiver::new(Rule::AlbHasWaf, "aws_lb.gone", "old", Date::ymd(2027, 1, 1)));
    let report = lint(&s, TODAY);
    assert!(report.diagnostics(&s)[0].to_string().contains("waiver of TFS005 matches no finding"));
}

/// The ALB access-log race of provider issue #12010: delivery must wait for the policy.
#[test]
fn delivery_to_a_bucket_waits_for_its_policy() {
    let build = |policy: bool, waits: bool| {
        let mut s = production();
        let bucket = s.add(Resource::new("aws_s3_bucket", "logs").set("bucket", "logs"));
        let policy_ref = policy.then(|| {
            s.add(Resource::new("aws_s3_bucket_policy", "logs").set("bucket", bucket.id()).set("policy", "{}"))
        });
        let mut lb = Resource::new("aws_lb", "main")
            .set("internal", true)
            .set("drop_invalid_header_fields", true)
            .block("access_logs", Body::new().set("bucket", bucket.attr("bucket")).set("enabled", true));
        if let (true, Some(p)) = (waits, &policy_ref) {
            lb = lb.depends_on(p);
        }
        s.add(lb);
        s.add(
            Resource::new("aws_flow_log", "vpc").set("log_destination", bucket.arn()).set("log_destination_type", "s3"),
        );
        s
    };
    let found = only(&build(false, false), Rule::DeliveryWaitsForPolicy);
    assert_eq!(found, ["aws_lb.main", "aws_flow_log.vpc"]);
    let report = lint(&build(true, false), TODAY);
    let messages: Vec<&str> =
        report.findings.iter().filter(|f| f.rule == Rule::DeliveryWaitsForPolicy).map(|f| f.message.as_str()).collect();
    assert!(
        messages
            .contains(&"delivers to `aws_s3_bucket.logs` without waiting for its policy `aws_s3_bucket_policy.logs`"),
        "{messages:?}"
    );
    assert_eq!(
        only(&build(true, true), Rule::DeliveryWaitsForPolicy),
        ["aws_flow_log.vpc"],
        "the ALB waits; the flow log does not"
    );
}

#[test]
fn a_service_whose_security_groups_allow_no_egress_fires() {
    let service = |s: &mut Stack, sg: &crate::model::Ref| {
        let network = Body::new().set("security_groups", vec![sg.id()]).set("assign_public_ip", false);
        s.add(Resource::new("aws_ecs_service", "api").block("network_configuration", network));
    };
    let mut s = production();
    let sg = s.add(Resource::new("aws_security_group", "tasks"));
    service(&mut s, &sg);
    assert_eq!(fired(&s), [(Rule::ServiceEgress, "aws_ecs_service.api".into())]);
    // A rule resource, an old-style rule of type egress, or an inline block each suffice.
    s.add(Resource::new("aws_vpc_security_group_egress_rule", "https").set("security_group_id", sg.id()));
    assert!(fired(&s).is_empty(), "{:?}", fired(&s));
    let mut s = production();
    let sg = s.add(Resource::new("aws_security_group", "tasks"));
    s.add(Resource::new("aws_security_group_rule", "in").set("type", "ingress").set("security_group_id", sg.id()));
    service(&mut s, &sg);
    assert_eq!(fired(&s), [(Rule::ServiceEgress, "aws_ecs_service.api".into())], "an ingress rule is not egress");
    s.add(Resource::new("aws_security_group_rule", "out").set("type", "egress").set("security_group_id", sg.id()));
    assert!(fired(&s).is_empty(), "{:?}", fired(&s));
    let mut s = production();
    let sg = s.add(Resource::new("aws_security_group", "tasks").block("egress", Body::new().set("from_port", 443)));
    service(&mut s, &sg);
    assert!(fired(&s).is_empty(), "{:?}", fired(&s));
}
