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

resource "aws_cloudwatch_log_group" "moved_in" {
  name              = "/child/${lower(var.name)}"
  retention_in_days = 7
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
    stack.moved(Moved::new(Address::new("aws_cloudwatch_log_group", "legacy_west"), &west_logs));
    // Regrouped into the child module, handed back without destroying, destroyed on purpose.
    let into_child = Endpoint::in_module("child", Address::new("aws_cloudwatch_log_group", "moved_in"));
    stack.moved(Moved::between(Address::new("aws_cloudwatch_log_group", "before_module"), into_child));
    stack.remove(Removed::forget(Address::new("aws_s3_bucket", "handed_over")));
    stack.remove(Removed::destroy(Address::new("aws_sqs_queue", "old_jobs"), "drained and replaced by the jobs topic"));
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

/// A stack that adopts a VPC and two buckets and forgets a third.
fn adopting() -> Stack {
    let mut stack = Stack::new("adopt", "development");
    stack.provider(Provider::aws("us-east-1"));
    let vpc = stack.add(Resource::new("aws_vpc", "main").set("cidr_block", "10.0.0.0/16"));
    let names = Expression::from_iter([("data", "adopt-data"), ("logs", "adopt-logs")]);
    let buckets = stack.add(Resource::new("aws_s3_bucket", "kept").for_each(names.clone()).set("bucket", each_value()));
    stack.adopt(&vpc, "vpc-0abc");
    stack.adopt_each(&buckets, names);
    stack.remove(Removed::forget(Address::new("aws_s3_bucket", "handed_over")));
    stack
}

#[test]
fn refactoring_blocks_render_in_both_syntaxes() {
    let stack = adopting();
    validate(&stack).unwrap_or_else(|e| panic!("{e}"));
    let hcl = render(&stack, Format::Hcl);
    for block in [
        "import {\n  to = aws_vpc.main\n  id = \"vpc-0abc\"\n}",
        "import {\n  for_each = {\n    data = \"adopt-data\"\n    logs = \"adopt-logs\"\n  }\n  to = aws_s3_bucket.kept[each.key]\n  id = each.value\n}",
        "removed {\n  from = aws_s3_bucket.handed_over\n\n  lifecycle {\n    destroy = false\n  }\n}",
    ] {
        assert!(hcl.contains(block), "{block}\nnot in\n{hcl}");
    }
    let json: Value = serde_json::from_str(&render(&stack, Format::Json)).unwrap();
    assert_eq!(json["import"][0], json!({"to": "aws_vpc.main", "id": "vpc-0abc"}));
    assert_eq!(
        json["import"][1],
        json!({"for_each": {"data": "adopt-data", "logs": "adopt-logs"}, "to": "aws_s3_bucket.kept[each.key]", "id": "${each.value}"})
    );
    assert_eq!(json["removed"][0], json!({"from": "aws_s3_bucket.handed_over", "lifecycle": {"destroy": false}}));
}

#[test]
fn refactoring_mistakes_are_reported() {
    let mut stack = Stack::new("bad", "development");
    stack.provider(Provider::aws("us-east-1"));
    let vpc = stack.add(Resource::new("aws_vpc", "main").set("cidr_block", "10.0.0.0/16"));
    let counted = stack.add(Resource::new("aws_s3_bucket", "many").count(2).set("bucket", "x"));
    stack.adopt(&counted, "one-id");
    stack.adopt_each(&vpc, Expression::from_iter([("a", "vpc-1")]));
    stack.moved(Moved::between(Address::new("aws_subnet", "old"), &vpc));
    stack.moved(Moved::between(
        Address::new("aws_vpc", "old"),
        Endpoint::in_module("network", Address::new("aws_vpc", "this")),
    ));
    stack.remove(Removed::forget(Address::new("aws_vpc", "main")));
    stack.remove(Removed::forget(Address::new("aws_bucket", "typo")));
    let found: Vec<String> = super::common::problems(&stack).iter().map(ToString::to_string).collect();
    let expected = [
        "import: to: `aws_s3_bucket.many` has count/for_each",
        "import: to: `aws_vpc.main` has no count/for_each",
        "moved: `aws_subnet.old` and `aws_vpc.main` are of different types",
        "moved: to: module `network` is not called",
        "removed: from: `aws_vpc.main` is still declared",
        "removed: from: `aws_bucket` is not a resource type",
    ];
    for e in expected {
        assert!(found.iter().any(|f| f.contains(e)), "{e} not in {found:#?}");
    }
    assert_eq!(found.len(), expected.len(), "{found:#?}");
}

#[cfg(not(skip_tools))]
#[test]
fn terraform_validates_the_refactoring_blocks_in_both_syntaxes() {
    use super::common::tools;
    for format in Format::ALL {
        let dir = tools::workspace(&[(format.file_name(), &render(&adopting(), format))], &[]);
        tools::terraform().init(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let out = tools::terraform().run(dir.path(), &["validate", "-no-color"]).unwrap_or_else(|e| panic!("{e}"));
        assert!(out.status.success(), "{format:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}
