//! `tfsynth convert`'s reader: existing Terraform into the model, and back out unchanged.

use stacks::{Env, registry};
use tfsynth::convert::{Note, read_hcl};
use tfsynth::prelude::*;

use super::common::synth;

/// Reads `hcl` as the one file of stack `convert`/`test`.
fn read(hcl: &str) -> (Stack, Vec<Note>) {
    let converted = read_hcl("convert", "test", &[("main.tf".into(), hcl.into())]).unwrap_or_else(|e| panic!("{e}"));
    (converted.stack, converted.notes)
}

/// Every stack × environment of the repository, rendered as HCL and read back, renders the
/// same HCL again, and JSON that says the same (HCL writes `70.0` as `70`, so numbers are
/// compared by value): the reader carries every block, argument, expression and waiver the
/// engine writes.
#[test]
fn every_stack_reads_back_to_the_same_configuration() {
    for def in registry().stacks() {
        for &env in Env::ALL {
            let at = format!("{}/{}", def.name, env.name());
            let hcl = synth(def.name, env, Format::Hcl);
            let converted = read_hcl(def.name, env.name(), &[("main.tf".into(), hcl.clone())])
                .unwrap_or_else(|e| panic!("{at}: {e}"));
            assert_eq!(converted.notes, [], "{at}");
            first_difference(&at, &hcl, &render(&converted.stack, Format::Hcl));
            let json = |text: &str| numbers_as_floats(serde_json::from_str(text).expect("JSON"));
            let again = render(&converted.stack, Format::Json);
            if json(&again) != json(&synth(def.name, env, Format::Json)) {
                first_difference(&at, &synth(def.name, env, Format::Json), &again);
            }
        }
    }
}

#[track_caller]
fn first_difference(at: &str, was: &str, now: &str) {
    if let Some((line, (want, got))) = was.lines().zip(now.lines()).enumerate().find(|(_, (a, b))| a != b) {
        panic!("{at} reads back differently at line {}:\n  was: {want}\n  now: {got}", line + 1);
    }
    assert_eq!(was.lines().count(), now.lines().count(), "{at}: {now}");
}

fn numbers_as_floats(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Number(n) => n.as_f64().map_or(Value::Number(n), Into::into),
        Value::Array(items) => Value::Array(items.into_iter().map(numbers_as_floats).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, numbers_as_floats(v))).collect()),
        other => other,
    }
}

/// A configuration as a team writes it, every construct the model has a form for.
const WRITTEN: &str = r#"
terraform {
  required_version = ">= 1.9.0"
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
  backend "s3" {
    bucket       = "state"
    key          = "app/terraform.tfstate"
    region       = "eu-west-1"
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = var.region
}

provider "aws" {
  alias  = "us"
  region = "us-east-1"
}

variable "region" {
  type        = string
  default     = "eu-west-1"
  description = "Where it runs"
  validation {
    condition     = length(var.region) > 0
    error_message = "Name a region."
  }
}

variable "zones" {
  type = list(string)
}

locals {
  name = "app-${var.region}"
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags = {
    Name = local.name
  }
}

resource "aws_subnet" "private" {
  count             = length(var.zones)
  vpc_id            = aws_vpc.main.id
  availability_zone = var.zones[count.index]
  cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)
  depends_on        = [aws_vpc.main]
  lifecycle {
    create_before_destroy = true
    ignore_changes        = [tags]
  }
}

resource "aws_security_group" "app" {
  # checkov:skip=CKV2_AWS_5:attached by the service
  vpc_id = aws_vpc.main.id
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [for s in aws_subnet.private : s.cidr_block if s.cidr_block != ""]
  }
}

data "aws_iam_policy_document" "read" {
  provider = aws.us
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_vpc.main.arn}/*"]
  }
}

module "queue" {
  source  = "terraform-aws-modules/sqs/aws"
  version = "4.2.0"
  name    = var.region == "eu-west-1" ? "primary" : "secondary"
}

moved {
  from = aws_vpc.old
  to   = aws_vpc.main
}

import {
  to = aws_vpc.main
  id = "vpc-0123"
}

removed {
  from = aws_instance.gone
  lifecycle {
    destroy = false
  }
}

output "subnets" {
  value       = aws_subnet.private[*].id
  description = "The private subnets"
}
"#;

/// Each construct lands as the model's own: references as references, meta-arguments as
/// meta-arguments, and nothing to look at.
#[test]
fn each_construct_becomes_the_models_own() {
    let (stack, notes) = read(WRITTEN);
    assert_eq!(notes, []);
    let doc: serde_json::Value = serde_json::from_str(&render(&stack, Format::Json)).expect("JSON");
    let terraform = &doc["terraform"];
    assert_eq!(terraform["required_version"], ">= 1.9.0");
    assert_eq!(terraform["required_providers"]["aws"]["version"], "~> 5.0");
    assert_eq!(terraform["backend"]["s3"]["key"], "app/terraform.tfstate");
    assert_eq!(doc["provider"]["aws"][1]["alias"], "us");
    assert_eq!(doc["provider"]["aws"][0]["region"], "${var.region}");
    let region = &doc["variable"]["region"];
    assert_eq!((region["type"].as_str(), region["default"].as_str()), (Some("string"), Some("eu-west-1")));
    assert_eq!(region["validation"][0]["condition"], "${length(var.region) > 0}");
    assert_eq!(doc["variable"]["zones"]["type"], "list(string)");
    assert_eq!(doc["locals"]["name"], "app-${var.region}");
    let subnet = &doc["resource"]["aws_subnet"]["private"];
    assert_eq!(subnet["count"], "${length(var.zones)}");
    assert_eq!(subnet["availability_zone"], "${var.zones[count.index]}");
    assert_eq!(subnet["cidr_block"], "${cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)}");
    assert_eq!(subnet["depends_on"], serde_json::json!(["aws_vpc.main"]));
    assert_eq!(subnet["lifecycle"], serde_json::json!({"create_before_destroy": true, "ignore_changes": ["tags"]}));
    let group = &doc["resource"]["aws_security_group"]["app"];
    assert_eq!(group["//"], "checkov:skip=CKV2_AWS_5:attached by the service");
    assert_eq!(
        group["ingress"][0]["cidr_blocks"],
        "${[for s in aws_subnet.private : s.cidr_block if s.cidr_block != \"\"]}"
    );
    let policy = &doc["data"]["aws_iam_policy_document"]["read"];
    assert_eq!(policy["provider"], "aws.us");
    assert_eq!(policy["statement"][0]["resources"][0], "${aws_vpc.main.arn}/*");
    assert_eq!(doc["module"]["queue"]["name"], "${(var.region == \"eu-west-1\") ? \"primary\" : \"secondary\"}");
    assert_eq!(doc["moved"][0], serde_json::json!({"from": "aws_vpc.old", "to": "aws_vpc.main"}));
    assert_eq!(doc["import"][0], serde_json::json!({"to": "aws_vpc.main", "id": "vpc-0123"}));
    assert_eq!(doc["removed"][0]["from"], "aws_instance.gone");
    assert_eq!(doc["output"]["subnets"]["value"], "${aws_subnet.private[*].id}");
    // References are the model's references, so validation follows them.
    let vpc_id =
        stack.blocks().iter().find(|b| b.address().name == "private").and_then(|b| b.body().attribute("vpc_id"));
    assert!(matches!(vpc_id, Some(Expression::Traversal(_))), "{vpc_id:?}");
}

/// What the model has no form for is reported with where it is, never dropped in silence;
/// template directives and computed keys become expressions Terraform evaluates the same.
#[test]
fn constructs_without_a_form_are_named_and_rewritten_or_reported() {
    let (stack, notes) = read(
        r#"
terraform {
  backend "gcs" {
    bucket = "state"
  }
}

resource "aws_security_group" "app" {
  name = "app"
  dynamic "ingress" {
    for_each = [443]
    content {
      from_port = ingress.value
    }
  }
}

resource "aws_ssm_parameter" "motd" {
  name  = "motd"
  type  = "String"
  value = "Hello%{ if var.loud }!%{ else }.%{ endif } ${join(",", [for k, v in var.tags : "${k}=${v}"])}"
  tags  = { (var.key) = "x", Fixed = "y" }
}
"#,
    );
    let at: Vec<(&str, &str)> = notes.iter().map(|n| (n.at.as_str(), n.what.split(';').next().unwrap_or(""))).collect();
    assert!(at.contains(&("terraform", "a `gcs` backend has no form in tfsynth (S3 only)")), "{at:?}");
    assert!(at.contains(&("aws_security_group.app", "a `dynamic` block has no form in tfsynth yet")), "{at:?}");
    assert!(
        notes.iter().any(|n| n.at == "aws_ssm_parameter.motd" && n.what.contains("template directive")),
        "{notes:?}"
    );
    assert!(notes.iter().any(|n| n.at == "aws_ssm_parameter.motd" && n.what.contains("merge")), "{notes:?}");
    let doc: serde_json::Value = serde_json::from_str(&render(&stack, Format::Json)).expect("JSON");
    let motd = &doc["resource"]["aws_ssm_parameter"]["motd"];
    assert_eq!(
        motd["value"],
        "Hello${var.loud ? \"!\" : \".\"} ${join(\",\", [for k, v in var.tags : \"${k}=${v}\"])}"
    );
    assert_eq!(motd["tags"], "${merge(zipmap([var.key], [\"x\"]), { Fixed = \"y\" })}");
}

/// A file that is not HCL, or a block without its labels, is an error naming the place.
#[test]
fn bad_input_is_an_error_that_names_the_place() {
    let error = read_hcl("convert", "test", &[("broken.tf".into(), "resource \"aws_vpc\" {".into())]).unwrap_err();
    assert!(error.to_string().contains("convert/test: broken.tf: not valid HCL"), "{error}");
    let error = read_hcl("convert", "test", &[("main.tf".into(), "resource \"aws_vpc\" {\n}\n".into())]).unwrap_err();
    assert!(error.to_string().contains("needs two labels, the type and the name"), "{error}");
}
