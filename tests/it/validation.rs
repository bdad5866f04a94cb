//! Each kind of mistake the validator catches, with the message it gives. Several reproduce
//! defects found in the seed deployment plans (research/seed-inventory.md §1.17).

use super::common::{only_problem, problems, stack};
use tfsynth::prelude::*;

#[track_caller]
fn assert_mentions(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(message.contains(part), "`{part}` missing from:\n{message}");
    }
}

fn vpc() -> Resource {
    Resource::new("aws_vpc", "main").set("cidr_block", "10.0.0.0/16")
}

#[test]
fn a_valid_stack_passes() {
    let mut s = stack();
    let v = s.add(vpc());
    s.add(Resource::new("aws_subnet", "a").set("vpc_id", v.id()).set("cidr_block", "10.0.1.0/24"));
    validate(&s).expect("valid");
}

#[test]
fn unknown_resource_type_suggests_the_closest() {
    let mut s = stack();
    s.add(Resource::new("aws_vpcc", "main"));
    assert_mentions(
        &only_problem(&s),
        &["test/development: aws_vpcc.main", "unknown resource type `aws_vpcc`", "did you mean `aws_vpc`?"],
    );
}

#[test]
fn unknown_argument_suggests_the_closest() {
    let mut s = stack();
    s.add(Resource::new("aws_vpc", "main").set("cidr_blok", "10.0.0.0/16"));
    assert_mentions(
        &only_problem(&s),
        &["aws_vpc.main: cidr_blok", "unknown argument `cidr_blok`", "did you mean `cidr_block`?"],
    );
}

#[test]
fn missing_required_argument() {
    let mut s = stack();
    s.add(Resource::new("aws_subnet", "a").set("cidr_block", "10.0.1.0/24"));
    assert_mentions(&only_problem(&s), &["aws_subnet.a: vpc_id", "missing required argument"]);
}

#[test]
fn computed_attribute_cannot_be_set() {
    let mut s = stack();
    s.add(vpc().set("arn", "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1"));
    assert_mentions(&only_problem(&s), &["aws_vpc.main: arn", "computed by the provider"]);
}

#[test]
fn literal_of_the_wrong_type() {
    let mut s = stack();
    s.add(vpc().set("enable_dns_support", "yes"));
    assert_mentions(&only_problem(&s), &["enable_dns_support", "\"yes\" is not a bool", "type bool"]);
    let mut s = stack();
    s.add(vpc().set("tags", "Name=main"));
    assert_mentions(&only_problem(&s), &["tags", "is not a map(string)"]);
}

#[test]
fn numeric_strings_convert_like_terraform_does() {
    let mut s = stack();
    let v = s.add(vpc());
    s.add(
        Resource::new("aws_vpc_security_group_ingress_rule", "https")
            .set("security_group_id", v.attr("default_security_group_id"))
            .set("ip_protocol", "tcp")
            .set("from_port", "443")
            .set("to_port", 443)
            .set("cidr_ipv4", "10.0.0.0/8"),
    );
    validate(&s).expect("\"443\" converts to a number");
}

#[test]
fn too_many_nested_blocks() {
    let mut s = stack();
    s.add(
        Resource::new("aws_ecs_service", "api")
            .set("name", "api")
            .block("deployment_circuit_breaker", Body::new().set("enable", true).set("rollback", true))
            .block("deployment_circuit_breaker", Body::new().set("enable", true).set("rollback", false)),
    );
    assert_mentions(
        &only_problem(&s),
        &[
            "aws_ecs_service.api: deployment_circuit_breaker",
            "2 `deployment_circuit_breaker` blocks given, at most 1 allowed",
        ],
    );
}

#[test]
fn too_few_nested_blocks() {
    let mut s = stack();
    s.add(
        Resource::new("aws_wafv2_web_acl", "main")
            .set("name", "acl")
            .set("scope", "REGIONAL")
            .block("default_action", Body::new().block("allow", Body::new())),
    );
    assert_mentions(
        &only_problem(&s),
        &["aws_wafv2_web_acl.main: visibility_config", "at least 1 `visibility_config` block(s) required"],
    );
}

#[test]
fn block_written_as_attribute_and_back() {
    let mut s = stack();
    s.add(Resource::new("aws_ecs_service", "api").set("name", "api").set("deployment_circuit_breaker", true));
    assert_mentions(
        &only_problem(&s),
        &["`deployment_circuit_breaker` is a nested block, not an attribute", ".block(\"deployment_circuit_breaker\""],
    );
    let mut s = stack();
    s.add(vpc().block("tags", Body::new().set("Name", "main")));
    assert_mentions(&only_problem(&s), &["`tags` is an attribute, not a nested block", ".set(\"tags\", value)"]);
}

#[test]
fn duplicate_address() {
    let mut s = stack();
    s.add(vpc());
    s.add(vpc());
    assert_mentions(&only_problem(&s), &["aws_vpc.main", "duplicate address"]);
}

#[test]
fn invalid_and_empty_names() {
    let mut s = stack();
    s.add(Resource::new("aws_vpc", "my vpc").set("cidr_block", "10.0.0.0/16"));
    s.add(Resource::new("aws_vpc", "").set("cidr_block", "10.1.0.0/16"));
    let found = problems(&s);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_mentions(
        &found[0].to_string(),
        &["`my vpc` is not a valid Terraform identifier", "letter or underscore first"],
    );
    assert_mentions(&found[1].to_string(), &["empty resource name"]);
}

#[test]
fn reference_to_a_resource_of_another_stack() {
    let mut other = stack();
    let foreign = other.add(vpc());
    let mut s = stack();
    s.add(Resource::new("aws_subnet", "a").set("vpc_id", foreign.id()).set("cidr_block", "10.0.1.0/24"));
    assert_mentions(&only_problem(&s), &["aws_subnet.a: vpc_id", "refers to `aws_vpc.main` of another stack"]);
}

/// Seed defect §1.17 #1: references to things that were never defined.
#[test]
fn dangling_references() {
    let mut s = stack();
    s.add(
        vpc()
            .set("tags", var("common_tags"))
            .set("instance_tenancy", local("tenancy"))
            .set("ipv4_ipam_pool_id", module("ipam").attr("pool_id")),
    );
    let found: Vec<String> = problems(&s).iter().map(ToString::to_string).collect();
    assert_eq!(found.len(), 3, "{found:#?}");
    assert_mentions(&found[0], &["`var.common_tags`, which is not declared"]);
    assert_mentions(&found[1], &["`local.tenancy`, which is not declared"]);
    assert_mentions(&found[2], &["`module.ipam`, which is not declared"]);
}

#[test]
fn reference_to_an_unknown_attribute() {
    let mut s = stack();
    let v = s.add(vpc());
    s.add(Resource::new("aws_subnet", "a").set("vpc_id", v.attr("idd")).set("cidr_block", "10.0.1.0/24"));
    assert_mentions(&only_problem(&s), &["`aws_vpc.main` has no attribute `idd`", "did you mean `id`?"]);
}

#[test]
fn count_index_needs_count_and_counted_resources_need_an_index() {
    let mut s = stack();
    let v = s.add(vpc());
    s.add(
        Resource::new("aws_subnet", "a")
            .set("vpc_id", v.id())
            .set("cidr_block", cidrsubnet("10.0.0.0/16", 8, count_index())),
    );
    assert_mentions(&only_problem(&s), &["`count.index` used in a block without `count`"]);

    let mut s = stack();
    let subnets = s.add(
        Resource::new("aws_subnet", "a")
            .count(2)
            .set("vpc_id", "vpc-1")
            .set("cidr_block", cidrsubnet("10.0.0.0/16", 8, count_index())),
    );
    s.output(Output::new("subnet", subnets.attr("id")));
    assert_mentions(
        &only_problem(&s),
        &["output.subnet: value", "has count/for_each, so an instance must be chosen", ".at(index, attr)"],
    );
}

#[test]
fn unknown_function() {
    let mut s = stack();
    s.add(vpc().set("tags", call::<Any>("mergee", [Expression::from_iter([("a", "b")])])));
    assert_mentions(&only_problem(&s), &["unknown function `mergee`", "did you mean `merge`?"]);
}

#[test]
fn output_of_a_sensitive_attribute_must_be_sensitive() {
    let mut s = stack();
    let key = s.add(Resource::new("aws_iam_access_key", "ci").set("user", "ci"));
    s.output(Output::new("secret", key.attr("secret")));
    assert_mentions(&only_problem(&s), &["output.secret: value", "sensitive attribute", ".sensitive()"]);
    let mut s = stack();
    let key = s.add(Resource::new("aws_iam_access_key", "ci").set("user", "ci"));
    s.output(Output::new("secret", key.attr("secret")).sensitive());
    validate(&s).expect("marked sensitive");
}

/// Seed defect §1.17 #2 (seed 002): the ECS API's `deployment_configuration` is not a block of
/// the Terraform resource.
#[test]
fn seed_ecs_deployment_configuration_block() {
    let mut s = stack();
    s.add(Resource::new("aws_ecs_service", "api").set("name", "api").block(
        "deployment_configuration",
        Body::new().set("maximum_percent", 200).set("minimum_healthy_percent", 100),
    ));
    assert_mentions(
        &only_problem(&s),
        &[
            "aws_ecs_service.api: deployment_configuration",
            "unknown block type",
            "deployment_maximum_percent",
            "deployment_minimum_healthy_percent",
        ],
    );
}

/// Seed defect §1.17 #3 (seed 002): a rate-based WAF rule given `override_action`.
#[test]
fn seed_waf_rate_rule_with_override_action() {
    let visibility = |name: &str| {
        Body::new()
            .set("cloudwatch_metrics_enabled", true)
            .set("metric_name", name)
            .set("sampled_requests_enabled", true)
    };
    let mut s = stack();
    s.add(
        Resource::new("aws_wafv2_web_acl", "main")
            .set("name", "takeoff-production-waf")
            .set("scope", "REGIONAL")
            .block("default_action", Body::new().block("allow", Body::new()))
            .block("visibility_config", visibility("takeoff-production-waf"))
            .block(
                "rule",
                Body::new()
                    .set("name", "RateLimit")
                    .set("priority", 1)
                    .block("override_action", Body::new().block("none", Body::new()))
                    .block(
                        "statement",
                        Body::new().block(
                            "rate_based_statement",
                            Body::new().set("limit", 2000).set("aggregate_key_type", "IP"),
                        ),
                    )
                    .block("visibility_config", visibility("RateLimitRule")),
            ),
    );
    assert_mentions(
        &only_problem(&s),
        &[
            "aws_wafv2_web_acl.main: rule[0] (RateLimit).override_action",
            "only to rule-group statements",
            "action { block {} }",
        ],
    );
}

/// Seed defect §1.17 #4 (seed 000): inline `rotation_rules`, removed in provider v5.
#[test]
fn seed_secret_with_inline_rotation_rules() {
    let mut s = stack();
    s.add(
        Resource::new("aws_secretsmanager_secret", "app")
            .set("name", "cvd-production-secrets")
            .block("rotation_rules", Body::new().set("automatically_after_days", 90)),
    );
    assert_mentions(
        &only_problem(&s),
        &["aws_secretsmanager_secret.app: rotation_rules", "aws_secretsmanager_secret_rotation"],
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut s = stack();
    s.add(Resource::new("aws_vpcc", "a"));
    s.add(Resource::new("aws_subnet", "b"));
    s.add(vpc().set("cidr_blok", "x"));
    let found = problems(&s);
    // unknown type; subnet missing vpc_id and cidr_block... plus the vpc's unknown argument.
    assert!(found.len() >= 3, "{found:#?}");
    let text = Error::Invalid(found).to_string();
    assert_mentions(&text, &["problems found", "aws_vpcc.a", "aws_subnet.b: vpc_id", "aws_vpc.main: cidr_blok"]);
}

#[test]
fn variable_type_and_default_are_checked() {
    let mut s = stack();
    s.variable(Variable::new("azs", "list(string").default(vec!["a"]));
    s.variable(Variable::new("cidr", "string").default(var("other")));
    let found: Vec<String> = problems(&s).iter().map(ToString::to_string).collect();
    assert!(
        found.iter().any(|m| m.contains("variable.azs: type") && m.contains("is not a type expression")),
        "{found:#?}"
    );
    assert!(
        found.iter().any(|m| m.contains("variable.cidr: default") && m.contains("must be a literal")),
        "{found:#?}"
    );
}

#[test]
fn provider_arguments_are_checked() {
    let mut s = Stack::new("test", "development");
    s.provider(Provider::aws("us-east-1").set("regoin", "us-east-1"));
    assert_mentions(&only_problem(&s), &["provider.aws: regoin", "did you mean `region`?"]);
}

#[test]
fn undeclared_provider_alias() {
    let mut s = stack();
    let mut other = stack();
    let west = other.provider(Provider::aws("us-west-2").alias("west"));
    s.add(vpc().provider(&west));
    assert_mentions(&only_problem(&s), &["aws_vpc.main: provider", "`aws.west` is not declared"]);
}

#[test]
fn absurdly_deep_expressions_are_rejected() {
    let mut s = stack();
    let mut doc = Expression::Null;
    for _ in 0..40 {
        doc = Expression::List(vec![doc]);
    }
    s.add(
        Resource::new("aws_sqs_queue", "q")
            .set("name", "q")
            .set("tags", Expression::Null)
            .set("policy", jsonencode(doc)),
    );
    assert_mentions(&only_problem(&s), &["aws_sqs_queue.q: policy", "expression nested 42 levels deep", "locals"]);
    let mut shallow = stack();
    shallow.add(Resource::new("aws_sqs_queue", "q").set("name", "q").set("policy", jsonencode(vec![vec![1]])));
    validate(&shallow).expect("ordinary nesting is fine");
}
