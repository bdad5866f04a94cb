//! Load balancers, target groups, certificates and the web ACL in front of them.

use super::*;

#[test]
fn load_balancer_defaults() {
    let (mut ctx, _) = networked("apps");
    alb(&mut ctx);
    let doc = valid(ctx);
    let lb = resource(&doc, "aws_lb", "main");
    assert_eq!(lb["drop_invalid_header_fields"], true);
    assert_eq!(lb["enable_deletion_protection"], true);
    assert_eq!(lb["access_logs"][0]["enabled"], true);
    // ELB writes a test object when logging starts: the bucket policy must come first.
    assert_eq!(lb["depends_on"], json!(["aws_s3_bucket_policy.main_alb_logs"]));
    let https = resource(&doc, "aws_lb_listener", "main_https");
    assert_eq!(https["ssl_policy"], "ELBSecurityPolicy-TLS13-1-2-2021-06");
    let http = resource(&doc, "aws_lb_listener", "main_http");
    assert_eq!(http["default_action"][0]["redirect"][0]["status_code"], "HTTP_301");
    let weighted = &resource(&doc, "aws_lb_listener_rule", "main_https_10")["action"][0]["forward"][0]["target_group"];
    assert_eq!(weighted.as_array().map(Vec::len), Some(2));
    assert_eq!(weighted[1]["weight"], 10);
    let health = &resource(&doc, "aws_lb_target_group", "blue")["health_check"][0];
    assert_eq!(
        (&health["path"], &health["matcher"], &health["timeout"]),
        (&json!("/health"), &json!("200"), &json!(5))
    );
}

#[test]
fn target_group_setters_reach_the_health_check() {
    let (mut ctx, _) = networked("apps");
    let api = TargetGroup::new("api", "takeoff-production-api", 8000)
        .health_path("/api/health")
        .health_check_timeout(10)
        .health_check_interval(60)
        .thresholds(2, 5)
        .matcher("200-299")
        .deregistration_delay(120)
        .build(&mut ctx);
    Alb::new("main", "apps", CERT).default_target(&api).build(&mut ctx);
    let doc = valid(ctx);
    let tg = resource(&doc, "aws_lb_target_group", "api");
    assert_eq!(tg["name"], "takeoff-production-api");
    assert_eq!(tg["deregistration_delay"], 120);
    assert_eq!(
        tg["health_check"][0],
        json!({"enabled": true, "path": "/api/health", "port": "traffic-port", "protocol": "HTTP", "matcher": "200-299",
               "interval": 60, "timeout": 10, "healthy_threshold": 2, "unhealthy_threshold": 5})
    );
}

#[test]
fn load_balancer_mistakes_are_reported() {
    let (mut ctx, _) = networked("apps");
    let web = TargetGroup::new("web", "apps-web", 8080).health_check_timeout(30).build(&mut ctx);
    Alb::new("main", "a-load-balancer-name-longer-than-32", CERT).default_target(&web).build(&mut ctx);
    let found = messages(ctx);
    assert!(
        found.iter().any(|m| m.contains("load balancer name `a-load-balancer-name-longer-than-32` is not valid")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|m| m
                .contains("aws_lb_target_group.web: health_check: timeout 30 s is not shorter than the interval 30 s")),
        "{found:#?}"
    );

    let (mut ctx, _) = networked("apps");
    Alb::new("main", "apps", CERT).build(&mut ctx);
    assert!(only_problem(&ctx.finish()).contains("aws_lb.main: no default target group"));

    let (mut ctx, _) = networked("apps");
    let (blue, green) = groups(&mut ctx);
    Alb::new("main", "apps", CERT).default_weighted(&[(&blue, 0), (&green, 0)]).build(&mut ctx);
    assert!(only_problem(&ctx.finish()).contains("aws_lb_listener.main_https: every default weight is 0"));
}

#[test]
fn blue_green_splits_the_default_action_by_weight() {
    let (mut ctx, _) = networked("apps");
    let (blue, green) = groups(&mut ctx);
    Alb::new("main", "apps", CERT).default_weighted(&[(&blue, 90), (&green, 10)]).build(&mut ctx);
    let doc = valid(ctx);
    let action = &resource(&doc, "aws_lb_listener", "main_https")["default_action"][0];
    assert_eq!(
        action["forward"][0]["target_group"],
        json!([
            {"arn": "${aws_lb_target_group.blue.arn}", "weight": 90},
            {"arn": "${aws_lb_target_group.green.arn}", "weight": 10}
        ])
    );
}

#[test]
fn refused_paths_get_403_before_any_forward() {
    let (mut ctx, _) = networked("apps");
    let (blue, _) = groups(&mut ctx);
    Alb::new("main", "apps", CERT)
        .default_target(&blue)
        .refuse(5, Condition::path(&["/metrics"]))
        .forward(10, Condition::path(&["/api/*"]), &blue)
        .build(&mut ctx);
    let doc = valid(ctx);
    let refused = resource(&doc, "aws_lb_listener_rule", "main_https_5");
    assert_eq!(
        refused["action"][0],
        json!({"type": "fixed-response", "fixed_response": [{"content_type": "text/plain", "status_code": "403", "message_body": "Forbidden"}]})
    );
    assert_eq!(refused["condition"][0]["path_pattern"][0]["values"], json!(["/metrics"]));
    assert_eq!(resource(&doc, "aws_lb_listener_rule", "main_https_10")["action"][0]["type"], "forward");
}

#[test]
fn web_acl_defaults_and_association() {
    let (mut ctx, _) = networked("apps");
    let (lb, _, _) = alb(&mut ctx);
    WebAcl::new("main", "apps-waf")
        .managed(ManagedGroup::aws("AWSManagedRulesCommonRuleSet").count("SizeRestrictions_BODY"))
        .rate_rule_name("RateLimitRule")
        .protect(&lb)
        .build(&mut ctx);
    let doc = valid(ctx);
    let acl = resource(&doc, "aws_wafv2_web_acl", "main");
    let rules = acl["rule"].as_array().unwrap();
    let rate = &rules[0];
    assert_eq!(rate["name"], "RateLimitRule");
    assert_eq!(rate["visibility_config"][0]["metric_name"], "RateLimitRule");
    assert_eq!(rate["action"], json!([{"block": [{}]}]), "the rate rule blocks");
    assert!(rate.get("override_action").is_none());
    assert_eq!(rate["statement"][0]["rate_based_statement"][0]["limit"], 2000);
    let names: Vec<&str> =
        rules.iter().filter_map(|r| r["statement"][0]["managed_rule_group_statement"][0]["name"].as_str()).collect();
    assert!(
        names.contains(&"AWSManagedRulesKnownBadInputsRuleSet") && names.contains(&"AWSManagedRulesSQLiRuleSet"),
        "{names:?}"
    );
    assert!(rules[1..].iter().all(|r| r["override_action"] == json!([{"none": [{}]}])));
    assert_eq!(resource(&doc, "aws_wafv2_web_acl_association", "main_main")["resource_arn"], "${aws_lb.main.arn}");
    assert_eq!(resource(&doc, "aws_cloudwatch_log_group", "main_waf")["name"], "aws-waf-logs-apps-waf");
}

#[test]
fn web_acl_mistakes_are_reported() {
    let (mut ctx, _) = networked("apps");
    let (lb, _, _) = alb(&mut ctx);
    WebAcl::new("main", "apps-waf").rate_limit(1000, 90).protect(&lb).build(&mut ctx);
    assert!(only_problem(&ctx.finish()).contains("rate window of 90 s"));
    let (mut ctx, _) = networked("apps");
    alb(&mut ctx);
    WebAcl::new("main", "apps-waf").build(&mut ctx);
    assert!(only_problem(&ctx.finish()).contains("aws_wafv2_web_acl.main: the web ACL protects nothing"));
}

#[test]
fn certificates_validate_through_dns() {
    let mut ctx = context("apps");
    let cert = Certificate::new("site", "apps.example.com", &ZONE).build(&mut ctx);
    assert_eq!(render_expression(&cert.arn.into()), "aws_acm_certificate_validation.site.certificate_arn");
    let doc = valid(ctx);
    assert_eq!(resource(&doc, "aws_acm_certificate", "site")["validation_method"], "DNS");
    let mut ctx = context("apps");
    Certificate::new("site", "apps.example.com", &ZoneId::new("not-a-zone")).build(&mut ctx);
    assert!(only_problem(&ctx.finish()).contains("aws_acm_certificate.site: `not-a-zone` is not a hosted zone id"));
    // A zone another stack exports is an expression, not checked as text.
    let mut ctx = context("apps");
    let zone = ZoneId::from(var("zone_id").typed::<String>());
    ctx.variable(Variable::new("zone_id", "string"));
    AliasRecord::new("www", &zone, "www.apps.example.com").to("d1.cloudfront.net", "Z2FDTNDATAQYW2").build(&mut ctx);
    let doc = valid(ctx);
    assert_eq!(resource(&doc, "aws_route53_record", "www")["zone_id"], "${var.zone_id}");
}

/// `WebAcl::kms_key` encrypts the request log group with the key given instead of the
/// context's, as the missing-key help promises.
#[test]
fn web_acl_takes_the_key_its_logs_are_encrypted_with() {
    let (mut ctx, _) = networked("apps");
    let key = Key::new("waf", "apps", "WAF logs").for_log_groups().build(&mut ctx);
    let (lb, _, _) = alb(&mut ctx);
    WebAcl::new("main", "apps-waf").protect(&lb).kms_key(&key).build(&mut ctx);
    let doc = valid(ctx);
    assert_eq!(resource(&doc, "aws_cloudwatch_log_group", "main_waf")["kms_key_id"], "${aws_kms_key.waf.arn}");
}
