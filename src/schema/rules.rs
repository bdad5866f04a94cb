//! Provider constraints the schema does not express, each one a mistake seen in real plans
//! (see `research/seed-inventory.md` §1.17). Terraform would only catch these at apply time.

use crate::expr::Expression;
use crate::model::{Body, Resource};

/// Tailored help for names that are well-known mistakes, keyed by resource type and name.
const KNOWN_MISTAKES: &[(&str, &str, &str)] = &[
    (
        "aws_ecs_service",
        "deployment_configuration",
        "the AWS provider has no such block (it exists only in the ECS API and CloudFormation); set `deployment_maximum_percent` and `deployment_minimum_healthy_percent` as top-level arguments",
    ),
    (
        "aws_secretsmanager_secret",
        "rotation_rules",
        "rotation was removed from this resource in provider v5; declare an `aws_secretsmanager_secret_rotation` with `rotation_lambda_arn` and a `rotation_rules` block",
    ),
    (
        "aws_secretsmanager_secret",
        "rotation_lambda_arn",
        "rotation was removed from this resource in provider v5; declare an `aws_secretsmanager_secret_rotation` instead",
    ),
];

/// Help for `name` set on the block at `address` (`type.name` or `data.type.name`), if it is a
/// known mistake.
pub(super) fn known_mistake(address: &str, name: &str) -> Option<String> {
    let ty = address.strip_prefix("data.").unwrap_or(address).split('.').next()?;
    KNOWN_MISTAKES.iter().find(|(t, n, _)| *t == ty && *n == name).map(|(_, _, help)| (*help).to_owned())
}

/// Cross-field rules per resource type: `(attribute path, what is wrong, what to do)`.
pub(super) fn check(r: &Resource) -> Vec<(String, String, String)> {
    match r.address.ty.as_str() {
        "aws_wafv2_web_acl" | "aws_wafv2_rule_group" => waf_rule_actions(&r.body),
        _ => Vec::new(),
    }
}

/// A WAF rule whose statement is a rule group takes `override_action`; every other rule takes
/// `action`. Exactly one of the two.
fn waf_rule_actions(body: &Body) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (i, rule) in body.blocks_of("rule").iter().enumerate() {
        let name = match rule.attribute("name") {
            Some(Expression::String(s)) => format!("rule[{i}] ({s})"),
            _ => format!("rule[{i}]"),
        };
        let statement = rule.blocks_of("statement").first();
        let is_group = statement.is_some_and(|s| {
            !s.blocks_of("managed_rule_group_statement").is_empty()
                || !s.blocks_of("rule_group_reference_statement").is_empty()
        });
        let has_action = !rule.blocks_of("action").is_empty();
        let has_override = !rule.blocks_of("override_action").is_empty();
        match (is_group, has_action, has_override) {
            (false, _, true) => out.push((
                format!("{name}.override_action"),
                "`override_action` applies only to rule-group statements; this rule's statement is not a rule group"
                    .into(),
                "replace it with `action { block {} }` (or allow/count/captcha)".into(),
            )),
            (false, false, false) => out.push((
                format!("{name}.action"),
                "the rule has no `action`".into(),
                "add `action { block {} }` (or allow/count/captcha)".into(),
            )),
            (true, true, _) => out.push((
                format!("{name}.action"),
                "a rule-group statement takes `override_action`, not `action`".into(),
                "replace it with `override_action { none {} }`".into(),
            )),
            (true, false, false) => out.push((
                format!("{name}.override_action"),
                "a rule-group statement needs `override_action`".into(),
                "add `override_action { none {} }`".into(),
            )),
            _ => {}
        }
    }
    out
}
