use serde_json::json;

use super::{json, render_expression};
use crate::expr::{Expression, count_index, jsonencode, var};
use crate::model::{Arguments, Body, Provider, Resource, Stack};
use crate::template;

fn text(e: impl Into<Expression>) -> String {
    render_expression(&e.into())
}

#[test]
fn literals_escape_template_markers() {
    assert_eq!(text("a ${b} %{c} $${d}"), r#""a $${b} %%{c} $$${d}""#);
    assert_eq!(json::value(&"a ${b} %{c}".into()), json!("a $${b} %%{c}"));
}

#[test]
fn literals_escape_quotes_and_control_characters() {
    assert_eq!(text("say \"hi\"\\\n\t\u{1}"), r#""say \"hi\"\\\n\t\u0001""#);
}

#[test]
fn references_render_per_syntax() {
    let e: Expression = var("region").into();
    assert_eq!(text(e.clone()), "var.region");
    assert_eq!(json::value(&e), json!("${var.region}"));
}

#[test]
fn templates_mix_literals_and_interpolations() {
    let e: Expression = template!["${literal}-", var("env"), "-", count_index().plus(1)].into();
    assert_eq!(text(e.clone()), r#""$${literal}-${var.env}-${count.index + 1}""#);
    assert_eq!(json::value(&e), json!("$${literal}-${var.env}-${count.index + 1}"));
}

#[test]
fn templates_flatten_nested_templates_and_literal_pieces() {
    let inner = template!["b", var("x")];
    assert_eq!(text(template!["a", inner]), r#""ab${var.x}""#);
    assert_eq!(text(template!["only", " literal"]), r#""only literal""#);
}

#[test]
fn operators_are_parenthesized_by_structure() {
    let sum = count_index().plus(1).times(2);
    assert_eq!(text(sum), "(count.index + 1) * 2");
    let cond = var("prod").typed::<bool>().then_else(30, 7);
    assert_eq!(text(cond), "var.prod ? 30 : 7");
}

#[test]
fn jsonencode_stays_a_function_call() {
    let doc = jsonencode(Expression::from_iter([("Version", "2012-10-17")]));
    assert_eq!(text(doc.clone()), r#"jsonencode({ Version = "2012-10-17" })"#);
    assert_eq!(json::value(&doc.into()), json!(r#"${jsonencode({ Version = "2012-10-17" })}"#));
}

#[test]
fn json_meta_arguments_use_bare_strings() {
    let mut stack = Stack::new("t", "dev");
    let west = stack.provider(Provider::aws("us-west-2").alias("west"));
    let vpc = stack.add(Resource::new("aws_vpc", "a").set("cidr_block", "10.0.0.0/16"));
    stack.add(
        Resource::new("aws_vpc", "b")
            .provider(&west)
            .set("cidr_block", "10.1.0.0/16")
            .depends_on(&vpc)
            .ignore_changes(["tags"])
            .prevent_destroy(),
    );
    let doc = json::document(&stack);
    let b = &doc["resource"]["aws_vpc"]["b"];
    assert_eq!(b["provider"], json!("aws.west"));
    assert_eq!(b["depends_on"], json!(["aws_vpc.a"]));
    assert_eq!(b["lifecycle"], json!({"prevent_destroy": true, "ignore_changes": ["tags"]}));
    assert_eq!(doc["provider"]["aws"][0]["alias"], json!("west"));
}

#[test]
fn hcl_blocks_render_as_blocks() {
    let mut stack = Stack::new("t", "dev");
    stack.add(
        Resource::new("aws_wafv2_web_acl", "a")
            .set("name", "a")
            .block("default_action", Body::new().block("allow", Body::new())),
    );
    let hcl = super::hcl::render(&stack);
    assert!(hcl.contains("  default_action {\n    allow {}\n  }\n"), "{hcl}");
}

#[test]
fn alignment_follows_terraform_fmt() {
    let mut stack = Stack::new("t", "dev");
    stack.add(
        Resource::new("aws_instance", "a")
            .set("ami", "x = 1")
            .set("instance_type", var("size"))
            .set("tags", json!({"x": 1, "yy": "=", "nested": {"k": true}, "after_nested": 2}))
            .set("user_data", "a")
            .block("root_block_device", Body::new())
            .set("monitoring", true),
    );
    let hcl = super::hcl::render(&stack);
    let want = r#"resource "aws_instance" "a" {
  ami           = "x = 1"
  instance_type = var.size
  tags = {
    x  = 1
    yy = "="
    nested = {
      k = true
    }
    after_nested = 2
  }
  user_data = "a"

  root_block_device {}

  monitoring = true
}
"#;
    assert!(hcl.ends_with(want), "{hcl}");
}

#[test]
fn dollars_before_an_interpolation_stay_literal() {
    // `$${` is Terraform's escape for `${`: a literal `$` right before `${var.x}` must not form it.
    let e: Expression = template!["cost: $$", var("x")].into();
    assert_eq!(text(e.clone()), r#""cost: ${"$$"}${var.x}""#);
    assert_eq!(json::value(&e), json!(r#"cost: ${"$$"}${var.x}"#));
}
