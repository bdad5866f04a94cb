//! Every language feature the model supports, in one stack that real Terraform validates and
//! plans in both syntaxes: variables with validation, locals, data sources, `count`, `for_each`,
//! `depends_on`, `lifecycle`, provider aliases, module calls, outputs, moved blocks, templates,
//! functions, conditionals, `for` expressions, splats, and literal strings that look like
//! template syntax.

use serde_json::{Value, json};
use tfsynth::prelude::*;

/// A literal full of characters that a careless renderer would turn into syntax.
const AWKWARD: &str = "a ${not.a.ref} %{ if x } \"quoted\" back\\slash $${kept} \n newline \t tab ünïcødé ✓";

/// The literal part of a template whose interpolation follows a `$`.
const AWKWARD_TEMPLATE: &str = "$%{ ${$ %${ $${ tail$";

const CHILD_MODULE: &str = r#"
variable "name" {
  type = string
}

output "upper" {
  value = upper(var.name)
}
"#;

fn kitchen_sink() -> Stack {
    let mut stack = Stack::new("features", "development");
    let tf = stack.terraform();
    tf.required_version = Some(">= 1.5.0".into());
    tf.required_providers
        .insert("aws".into(), RequiredProvider { source: "hashicorp/aws".into(), version: "~> 5.100".into() });
    stack.provider(Provider::aws("us-east-1").default_tags([("ManagedBy", "tfsynth")]));
    let west = stack.provider(Provider::aws("us-west-2").alias("west"));

    let names = stack.variable(
        Variable::new("log_names", "list(string)")
            .description("Log group names")
            .default(vec!["api", "worker"])
            .nullable(false)
            .validation(length(var("log_names")).greater_than(0), "At least one name."),
    );
    let retention = stack.variable(Variable::new("retention_days", "number").default(30));
    stack.variable(Variable::new("api_token", "string").sensitive().default("placeholder"));
    let is_prod = stack.local("is_prod", false);
    let days = stack.local("days", is_prod.clone().typed::<bool>().then_else(retention.clone().typed::<Num>(), 7));
    let by_name =
        stack.local("by_name", for_map(("i", "n"), names.clone(), |_, n| (n.clone().typed(), template!["/app/", n])));
    let region = stack.add(Resource::data("aws_region", "current"));
    let policy = stack.add(
        Resource::data("aws_iam_policy_document", "logs").block(
            "statement",
            Body::new()
                .set("actions", vec!["logs:PutLogEvents"])
                .set("resources", vec![template!["arn:aws:logs:", region.attr("name"), ":*"]]),
        ),
    );

    let groups = stack.add(
        Resource::new("aws_cloudwatch_log_group", "app")
            .for_each(by_name.clone())
            .set("name", each_value())
            .set("retention_in_days", days.clone())
            .set("tags", Expression::from_iter([("Key", each_key()), ("Awkward", Expr::from(AWKWARD))]))
            .ignore_changes(["tags"])
            .create_before_destroy(),
    );
    let counted = stack.add(
        Resource::new("aws_cloudwatch_log_group", "counted")
            .count(2)
            .set("name", template!["/counted/", count_index()])
            .set(
                "retention_in_days",
                lookup(Expr::from_expression(Expression::from_iter([("a", 1)])), "a", 14).times(30),
            )
            .depends_on(&groups),
    );
    let west_logs = stack.add(
        Resource::new("aws_cloudwatch_log_group", "west")
            .provider(&west)
            .set("name", "/west/logs")
            .set("retention_in_days", 90)
            .set("skip_destroy", false)
            .prevent_destroy(),
    );
    stack.add(
        Resource::new("aws_iam_policy", "logs")
            .set("name", "features-logs")
            .set("policy", policy.attr("json"))
            .set("description", jsonencode(Expression::from_iter([("groups", counted.all("name"))]))),
    );
    add_web_acl(&mut stack);
    let child = stack.module(ModuleCall::new("child", "./child").input("name", "Features"));
    stack.output(Output::new("child_upper", child.attr("upper")).description("From the child module"));
    stack.output(Output::new("first_counted", counted.at(0, "arn")));
    stack.output(Output::new("token", var("api_token")).sensitive().depends_on(&groups));
    stack.output(Output::new("awkward", AWKWARD));
    // Dollars and percents next to markers, and a `$` right before an interpolation: escapes
    // hcl-rs misreads (tests/properties.rs), checked here against Terraform itself.
    let lower: Expr<String> = call("lower", [Expression::from("ABC")]);
    stack.output(Output::new("awkward_template", template![AWKWARD_TEMPLATE, lower]));
    stack.moved(Moved::new(tfsynth::expr::Address::new("aws_cloudwatch_log_group", "legacy_west"), &west_logs));
    stack
}

/// An empty block (`allow {}`) and a list of nested blocks.
fn add_web_acl(stack: &mut Stack) {
    let visibility = |name: &str| {
        Body::new()
            .set("cloudwatch_metrics_enabled", true)
            .set("metric_name", name)
            .set("sampled_requests_enabled", true)
    };
    stack.add(
        Resource::new("aws_wafv2_web_acl", "edge")
            .set("name", "features-edge")
            .set("scope", "REGIONAL")
            .block("default_action", Body::new().block("allow", Body::new()))
            .block("visibility_config", visibility("features-edge"))
            .block(
                "rule",
                Body::new()
                    .set("name", "rate")
                    .set("priority", 1)
                    .block("action", Body::new().block("block", Body::new()))
                    .block(
                        "statement",
                        Body::new().block(
                            "rate_based_statement",
                            Body::new().set("limit", 1000).set("aggregate_key_type", "IP"),
                        ),
                    )
                    .block("visibility_config", visibility("rate")),
            ),
    );
}

#[test]
fn kitchen_sink_is_valid() {
    if let Err(e) = validate(&kitchen_sink()) {
        panic!("{e}");
    }
}

#[test]
fn literals_are_escaped_in_both_syntaxes() {
    let stack = kitchen_sink();
    let json = render(&stack, Format::Json);
    assert!(
        json.contains(r#"a $${not.a.ref} %%{ if x } \"quoted\" back\\slash $$${kept} \n newline \t tab ünïcødé ✓"#),
        "{json}"
    );
    let hcl = render(&stack, Format::Hcl);
    assert!(
        hcl.contains(r#""a $${not.a.ref} %%{ if x } \"quoted\" back\\slash $$${kept} \n newline \t tab ünïcødé ✓""#),
        "{hcl}"
    );
}

#[cfg(not(skip_tools))]
#[test]
fn terraform_plans_both_syntaxes_identically() {
    use super::common::tools;
    let stack = kitchen_sink();
    let mut plans = Vec::new();
    for format in Format::ALL {
        let text = render(&stack, format);
        if format == Format::Hcl
            && let Some(diff) = tools::fmt_diff(&text)
        {
            panic!("terraform fmt would change the HCL:\n{diff}");
        }
        let dir = tools::workspace(&[(format.file_name(), &text), ("child/main.tf", CHILD_MODULE)], &["west"]);
        // A module call needs `init` to install the module; it runs from the mirror.
        tools::terraform().init(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        plans.push(tools::terraform().run_plan(dir.path()).unwrap_or_else(|e| panic!("{e}")));
    }
    let changes = |p: &Value| p["resource_changes"].clone();
    assert_eq!(changes(&plans[0]), changes(&plans[1]), "JSON and HCL plan differently");
    assert_eq!(plans[0]["output_changes"], plans[1]["output_changes"]);

    let plan = &plans[0];
    // The literal survives both renderers byte for byte.
    assert_eq!(plan["output_changes"]["awkward"]["after"], json!(AWKWARD));
    assert_eq!(plan["output_changes"]["awkward_template"]["after"], json!(format!("{AWKWARD_TEMPLATE}abc")));
    let api = plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == "aws_cloudwatch_log_group.app[\"api\"]")
        .expect("for_each instance");
    assert_eq!(api["change"]["after"]["tags"]["Awkward"], json!(AWKWARD));
    assert_eq!(api["change"]["after"]["name"], json!("/app/api"));
    assert_eq!(api["change"]["after"]["retention_in_days"], json!(7));
    let counted = plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == "aws_cloudwatch_log_group.counted[1]")
        .expect("count instance");
    assert_eq!(counted["change"]["after"]["name"], json!("/counted/1"));
    assert_eq!(counted["change"]["after"]["retention_in_days"], json!(30));
    assert_eq!(plan["output_changes"]["child_upper"]["after"], json!("FEATURES"));
}
