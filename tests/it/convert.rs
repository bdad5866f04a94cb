//! `tfsynth convert`'s reader: existing Terraform into the model, and back out unchanged.

use std::fmt::Write as _;

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
    Note = "say \"hi\" \\ to ${var.region}\n"
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
    // Escapes in an HCL template are read as Terraform reads them.
    assert_eq!(doc["resource"]["aws_vpc"]["main"]["tags"]["Note"], "say \"hi\" \\ to ${var.region}\n");
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
    for_each = { https = 443, http = 80 }
    iterator = port
    content {
      description = port.key
      from_port   = port.value
    }
  }
  dynamic "egress" {
    for_each = var.egress
    content {
      to_port = egress.value
    }
  }
}

module "net" {
  source = "../modules/net"
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
    let dynamic = "a `dynamic \"egress\"` block over a collection known only at plan time has no form in tfsynth yet";
    assert!(at.contains(&("aws_security_group.app", dynamic)), "{at:?}");
    assert!(
        notes.iter().any(|n| n.at == "aws_ssm_parameter.motd" && n.what.contains("template directive")),
        "{notes:?}"
    );
    assert!(notes.iter().any(|n| n.at == "aws_ssm_parameter.motd" && n.what.contains("merge")), "{notes:?}");
    assert!(
        notes.iter().any(|n| n.at == "module.net" && n.what.starts_with("a local module (`../modules/net`)")),
        "{notes:?}"
    );
    let doc: serde_json::Value = serde_json::from_str(&render(&stack, Format::Json)).expect("JSON");
    // A `dynamic` block over a literal collection is the blocks Terraform makes of it.
    let ingress: Vec<(&serde_json::Value, &serde_json::Value)> =
        doc["resource"]["aws_security_group"]["app"]["ingress"]
            .as_array()
            .expect("two ingress blocks")
            .iter()
            .map(|b| (&b["description"], &b["from_port"]))
            .collect();
    assert_eq!(ingress, [(&"https".into(), &443.into()), (&"http".into(), &80.into())]);
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

/// The Rust `convert` writes for every stack of the repository (production) and for a
/// configuration as a team writes it compiles, and run, builds stacks that render the HCL it
/// was converted from, byte for byte.
#[test]
fn the_written_rust_compiles_and_builds_the_same_configuration() {
    let mut cases: Vec<(String, String)> = registry()
        .stacks()
        .iter()
        .map(|def| (def.name.to_owned(), synth(def.name, Env::Production, Format::Hcl)))
        .collect();
    let (written, _) = read(WRITTEN);
    cases.push(("convert".to_owned(), render(&written, Format::Hcl)));
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    // The crate's environments, as a repository of stacks has them.
    let mut main = String::from(
        "use tfsynth::prelude::*;\n\n#[derive(Debug, Clone, Copy, PartialEq, Eq)]\npub enum Env {\n    Production,\n}\n\nimpl Environment for Env {\n    const ALL: &'static [Self] = &[Env::Production];\n    fn name(self) -> &'static str {\n        \"production\"\n    }\n    fn tier(self) -> Tier {\n        Tier::Production\n    }\n}\n\n",
    );
    let mut calls = String::new();
    for (i, (name, hcl)) in cases.iter().enumerate() {
        let converted = read_hcl(name, "production", &[("main.tf".into(), hcl.clone())]).expect("reads");
        let code = tfsynth::convert::rust(&converted.stack, &converted.notes, "main.tf");
        std::fs::write(src.join(format!("s{i}.rs")), code).expect("write");
        let _ = writeln!(main, "mod s{i};");
        let _ = write!(
            calls,
            "    assert_eq!(s{i}::DEF.name, {name:?});\n    print!(\"{{}}\\u{{0}}\", render(&(s{i}::DEF.build)(Env::Production), Format::Hcl));\n"
        );
    }
    let _ = write!(main, "\nfn main() {{\n{calls}}}\n");
    std::fs::write(src.join("main.rs"), main).expect("write main");
    let manifest = format!(
        "[package]\nname = \"converted\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\ntfsynth = {{ path = {:?} }}\n\n[workspace]\n",
        super::common::repo("").display().to_string()
    );
    std::fs::write(dir.path().join("Cargo.toml"), manifest).expect("manifest");
    // The separate example crate's lock: the same dependencies, resolved the same.
    std::fs::copy(super::common::repo("examples/own-crate/Cargo.lock"), dir.path().join("Cargo.lock")).expect("lock");
    let out = super::examples::separate_crate(&dir.path().join("Cargo.toml"), "run", &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8(out.stdout).expect("utf-8");
    let printed: Vec<&str> = printed.split('\u{0}').collect();
    for (i, (name, hcl)) in cases.iter().enumerate() {
        first_difference(name, hcl, printed[i]);
    }
}

/// `tfsynth convert` writes the module beside nothing it would replace, names what to look
/// at, and never writes over a file: the user's stays byte for byte.
#[test]
fn the_command_writes_a_module_and_never_over_a_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("main.tf"), WRITTEN).expect("write");
    let out = dir.path().join("stacks/legacy");
    let path = |p: &std::path::Path| p.to_str().expect("utf-8").to_owned();
    let args = ["convert", &path(dir.path()), "--stack", "legacy", "--out", &path(&out)];
    let (code, _, err) = super::common::run(&registry(), &args);
    assert_eq!(code, std::process::ExitCode::SUCCESS, "{err}");
    let module = std::fs::read_to_string(out.join("mod.rs")).expect("mod.rs written");
    assert!(
        module.contains("pub const DEF: StackDef<Env>") && module.contains("pub fn build(env: Env) -> Stack"),
        "{module}"
    );
    assert!(module.contains(".set(\"vpc_id\", aws_vpc_main.id())"), "{module}");
    assert!(err.contains("register it: `pub mod legacy;` and `legacy::DEF`"), "{err}");
    assert!(
        err.contains(
            "  aws_vpc.main (with aws_subnet.private, aws_security_group.app): `tfsynth::modules::networking::Vpc`"
        ),
        "{err}"
    );
    // A file of the user's where the module would go.
    std::fs::write(out.join("mod.rs"), "// mine\n").expect("write");
    let (code, _, err) = super::common::run(&registry(), &args);
    assert_eq!(code, std::process::ExitCode::from(1), "{err}");
    assert!(err.contains("exists already; convert never writes over a file"), "{err}");
    assert_eq!(std::fs::read_to_string(out.join("mod.rs")).expect("read"), "// mine\n");
    let left: Vec<_> = std::fs::read_dir(&out).expect("read dir").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(left, ["mod.rs"], "no temporary file is left");
}

/// `--verify` plans the original and the converted stack with terraform offline, with the
/// folder's variable values: equal plans pass (HCL, and cdktf's JSON); a block convert could
/// not carry (a `dynamic` block over a variable) is a difference, exit 3; one over a literal
/// list is unrolled into the same blocks.
#[cfg(not(skip_tools))]
#[test]
fn verify_plans_both_and_names_each_difference() {
    use std::process::ExitCode;
    let plugins = super::common::tools::terraform().plugin_dir().to_str().expect("utf-8").to_owned();
    let network = r#"
provider "aws" {
  region = var.region
}

variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "zones" {
  type = list(string)
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
  tags = {
    Name = "main-${var.region}"
  }
}

resource "aws_subnet" "private" {
  count             = length(var.zones)
  vpc_id            = aws_vpc.main.id
  availability_zone = var.zones[count.index]
  cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)
}

output "subnets" {
  value = aws_subnet.private[*].id
}
"#;
    let group = |ports: &str| {
        format!(
            r#"
variable "ports" {{
  type    = list(number)
  default = [443, 80]
}}

resource "aws_security_group" "app" {{
  name   = "app"
  vpc_id = aws_vpc.main.id
  dynamic "ingress" {{
    for_each = {ports}
    content {{
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["10.0.0.0/8"]
    }}
  }}
}}
"#
        )
    };
    let (unrolled, unknown) = (group("[443, 80]"), group("var.ports"));
    let cases = [
        (vec![("network.tf", network)], ExitCode::SUCCESS),
        (vec![("network.tf", network), ("dynamic.tf", unrolled.as_str())], ExitCode::SUCCESS),
        (vec![("network.tf", network), ("dynamic.tf", unknown.as_str())], ExitCode::from(3)),
        (vec![("cdk.tf.json", CDKTF)], ExitCode::SUCCESS),
    ];
    for (files, expected) in cases {
        let dir = tempfile::tempdir().expect("temp dir");
        let tf = dir.path().join("tf");
        std::fs::create_dir_all(&tf).expect("mkdir");
        for (name, text) in &files {
            std::fs::write(tf.join(name), text).expect("write");
        }
        // Values from a variables file reach both plans.
        std::fs::write(tf.join("terraform.tfvars"), "zones = [\"eu-west-1a\", \"eu-west-1b\"]\n").expect("write");
        let out = dir.path().join("out");
        let args = [
            "convert",
            tf.to_str().expect("utf-8"),
            "--stack",
            "network",
            "--out",
            out.to_str().expect("utf-8"),
            "--verify",
            "--plugin-dir",
            &plugins,
        ];
        let (code, _, err) = super::common::run(&registry(), &args);
        assert_eq!(code, expected, "{err}");
        if expected == ExitCode::SUCCESS {
            assert!(err.contains("verified: the converted stack plans exactly what the original does"), "{err}");
        } else {
            assert!(
                err.contains(
                    "aws_security_group.app: a `dynamic \"ingress\"` block over a collection known only at plan time"
                ),
                "{err}"
            );
            assert!(err.contains("aws_security_group.app: after.ingress"), "{err}");
        }
    }
}

/// Every stack × environment's JSON rendering (tfsynth's own Terraform JSON) reads back to
/// JSON that says the same (hcl-rs keeps `70.0` as `70`, so numbers are compared by value).
/// JSON groups blocks by type, so the HCL written from what was read lists them in that order.
#[test]
fn every_stacks_json_reads_back_to_the_same_configuration() {
    for def in registry().stacks() {
        for &env in Env::ALL {
            let at = format!("{}/{}", def.name, env.name());
            let json = synth(def.name, env, Format::Json);
            let converted = tfsynth::convert::read_json(def.name, env.name(), &[("main.tf.json".into(), json.clone())])
                .unwrap_or_else(|e| panic!("{at}: {e}"));
            assert_eq!(converted.notes, [], "{at}");
            let again = render(&converted.stack, Format::Json);
            let value = |text: &str| numbers_as_floats(serde_json::from_str(text).expect("JSON"));
            if value(&again) != value(&json) {
                first_difference(&at, &json, &again);
            }
        }
    }
}

/// What `cdktf synth` writes: `//` metadata, `${…}` references, blocks as arrays of objects,
/// null arguments, a local backend.
const CDKTF: &str = r#"{
  "//": {"metadata": {"backend": "local", "stackName": "app", "version": "0.20.11"}, "outputs": {"app": {"vpc": "vpc"}}},
  "output": {"vpc": {"value": "${aws_vpc.main.id}"}},
  "provider": {"aws": [{"region": "us-east-1", "default_tags": [{"tags": {"Team": "app"}}]}]},
  "resource": {
    "aws_vpc": {"main": {
      "//": {"metadata": {"path": "app/main", "uniqueId": "main"}},
      "cidr_block": "10.0.0.0/16",
      "tags": {"Name": "app"}
    }},
    "aws_subnet": {"a": {
      "//": {"metadata": {"path": "app/a", "uniqueId": "a"}},
      "cidr_block": "${cidrsubnet(aws_vpc.main.cidr_block, 8, 0)}",
      "depends_on": ["aws_vpc.main"],
      "vpc_id": "${aws_vpc.main.id}"
    }},
    "aws_s3_bucket_lifecycle_configuration": {"logs": {
      "bucket": "app-logs",
      "rule": [{"id": "expire", "status": "Enabled", "filter": [{"prefix": "logs/"}], "expiration": [{"days": 30}]}]
    }},
    "aws_iam_policy": {"read": {
      "name": "read",
      "description": "${aws_vpc.main.id} \\ \"quoted\"\n",
      "policy": "${jsonencode({\"Version\" = \"2012-10-17\", \"Statement\" = [{\"Effect\" = \"Allow\", \"Action\" = \"s3:GetObject\", \"Resource\" = \"arn:aws:s3:::app-logs/$${aws:username}/*\"}]})}"
    }}
  },
  "terraform": {
    "backend": {"local": {"path": "terraform.app.tfstate"}},
    "required_providers": {"aws": {"source": "aws", "version": "5.100.0"}}
  }
}"#;

/// cdktf's JSON converts: metadata dropped, references typed, nested blocks as blocks; its
/// local backend is the one note.
#[test]
fn cdktf_json_converts() {
    let converted =
        tfsynth::convert::read_json("app", "production", &[("cdk.tf.json".into(), CDKTF.into())]).expect("reads");
    let whats: Vec<&str> = converted.notes.iter().map(|n| n.what.as_str()).collect();
    assert_eq!(
        whats,
        ["a `local` backend has no form in tfsynth (S3 only); the stack keeps local state until one is set"]
    );
    let hcl = render(&converted.stack, Format::Hcl);
    for line in [
        "  vpc_id     = aws_vpc.main.id\n",
        "  depends_on = [\n    aws_vpc.main\n  ]\n",
        "  rule {\n    id     = \"expire\"\n",
        "    filter {\n      prefix = \"logs/\"\n    }\n",
        "  default_tags {\n    tags = {\n      Team = \"app\"\n    }\n  }\n",
        "  value = aws_vpc.main.id\n",
        "\"arn:aws:s3:::app-logs/$${aws:username}/*\"",
        // A backslash, quotes and a newline in a template stay what they were.
        "  description = \"${aws_vpc.main.id} \\\\ \\\"quoted\\\"\\n\"\n",
    ] {
        assert!(hcl.contains(line), "{line}\n{hcl}");
    }
    let subnet = converted.stack.blocks().iter().find(|b| b.address().name == "a").expect("subnet");
    assert!(matches!(subnet.body().attribute("vpc_id"), Some(Expression::Traversal(_))));
}

/// A group a component builds is named with what the component would add that the group
/// lacks; a group that has it all is named with nothing to add.
#[test]
fn components_are_hinted_with_what_they_would_add() {
    let (stack, _) = read(
        r#"
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_flow_log" "main" {
  vpc_id       = aws_vpc.main.id
  traffic_type = "ALL"
}

resource "aws_s3_bucket" "logs" {
  bucket = "app-logs"
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_kms_key" "main" {
  enable_key_rotation = true
  policy              = "{}"
}

resource "aws_kms_alias" "main" {
  name          = "alias/main"
  target_key_id = aws_kms_key.main.key_id
}
"#,
    );
    let hints: Vec<String> = tfsynth::convert::hints(&stack).iter().map(ToString::to_string).collect();
    assert_eq!(
        hints,
        [
            "aws_vpc.main (with aws_subnet.a): `tfsynth::modules::networking::Vpc` builds this and adds a locked-down default security group",
            "aws_s3_bucket.logs: `tfsynth::modules::storage::Bucket` builds this and adds a public access block, encryption, a TLS-only bucket policy, bucket-owner ownership, lifecycle rules",
            "aws_kms_key.main: `tfsynth::modules::kms::Key` builds this",
        ]
    );
}
