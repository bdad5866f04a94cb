//! The emulated apply: every stack's development environment applied against moto, planned
//! again (empty) and destroyed (nothing left); the cycle's own failure modes; and `terraform
//! init` against the stacks' S3 backend printing no warning. Needs terraform and moto
//! (`pip install moto[server]`, or `TFSYNTH_MOTO_PYTHON`): `cargo test --test apply`, which
//! `.ci/run` runs after the main suite.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;

use tfsynth::modules::Account;
use tfsynth::prelude::*;
use tfsynth::tools::Terraform;
use tfsynth::tools::emulator::{self, Emulator, Gap};

mod refactor;
mod saved_plan;

/// Terraform and its plugin folder, kept for the whole run: the folder is the test's own
/// (the mirror's providers and the test provider) and goes when this value does.
fn terraform() -> &'static Terraform {
    static TERRAFORM: std::sync::OnceLock<Terraform> = std::sync::OnceLock::new();
    TERRAFORM.get_or_init(|| Terraform::find().unwrap_or_else(|why| panic!("{why}")))
}

#[test]
fn every_development_stack_applies_plans_empty_and_destroys() {
    let mirror = terraform().plugin_dir().to_owned();
    // The stacks' random passwords come from the schema-serving test provider.
    let (name, value) = tfsynth::tools::TEST_PROVIDER_ENV;
    let out = Command::new(env!("CARGO_BIN_EXE_tfsynth"))
        .args(["apply-test", "development", "--format", "json", "--plugin-dir"])
        .arg(&mirror)
        .env(name, value)
        .output()
        .expect("run tfsynth");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}):\n{}", String::from_utf8_lossy(&out.stderr)));
    let stacks = doc["stacks"].as_array().expect("stacks");
    let registry = stacks::registry();
    // Every stack but those on a cluster, which say why.
    let on_cluster: Vec<&str> = registry
        .stacks()
        .iter()
        .filter(|d| {
            emulator::not_emulated(&registry.build(d.name, stacks::Env::Development).expect("builds")).is_some()
        })
        .map(|d| d.name)
        .collect();
    assert!(on_cluster.contains(&"ai-prism-operators") && on_cluster.contains(&"ai-prism-workloads"), "{on_cluster:?}");
    let skipped: Vec<&str> =
        doc["not_applied"].as_array().expect("not_applied").iter().filter_map(|s| s["stack"].as_str()).collect();
    assert_eq!(skipped, on_cluster, "{doc}");
    assert!(doc["not_applied"][0]["reason"].as_str().is_some_and(|r| r.contains("moto emulates AWS only")), "{doc}");
    assert_eq!(stacks.len() + skipped.len(), registry.stacks().len(), "every other stack applied: {doc}");
    for s in stacks {
        let c = &s["cycle"];
        eprintln!(
            "{}: planned {}, applied {}, second plan {}, destroyed {}, {:.0} s, gaps {}",
            s["stack"],
            c["planned"],
            c["applied"],
            c["second_plan"],
            c["destroyed"],
            c["seconds"].as_f64().unwrap_or(0.0),
            c["gaps"]
        );
        assert!(c["error"].is_null(), "{}: {}", s["stack"], c["error"].as_str().unwrap_or_default());
        assert_eq!(c["second_plan"], serde_json::json!([]), "{}: the plan after apply is not empty", s["stack"]);
        assert_eq!(c["left"], serde_json::json!([]), "{}: destroy left resources", s["stack"]);
        assert!(c["applied"].as_u64().unwrap_or(0) > 0, "{}: nothing applied", s["stack"]);
    }
    assert_eq!(out.status.code(), Some(0));
}

fn small(name: &str, build: impl FnOnce(&mut Stack)) -> Stack {
    let mut stack = Stack::new(name, "development").with_tier(Tier::Development);
    stack.provider(Provider::aws(Account::new("123456789012", "us-east-1").region));
    build(&mut stack);
    stack
}

fn cycle_of(stack: &Stack, gaps: &[Gap]) -> emulator::Cycle {
    let root = tempfile::tempdir().expect("temp dir");
    let mirror = terraform().plugin_dir().to_owned();
    let runs = emulator::run(&[(stack.name(), stack)], &[], gaps, root.path(), Some(&mirror));
    runs.into_iter().next().expect("one run").cycle
}

/// A group with inline ingress rules and a separate rule on the same group: every plan
/// removes what the other added.
#[test]
fn a_perpetual_diff_fails_the_cycle() {
    let stack = small("fight", |s| {
        let vpc = s.add(Resource::new("aws_vpc", "main").set("cidr_block", "10.9.0.0/16"));
        let rule = Body::new()
            .set("from_port", 443)
            .set("to_port", 443)
            .set("protocol", "tcp")
            .set("cidr_blocks", vec!["10.9.0.0/16"])
            .set("description", "inline");
        let sg = s.add(
            Resource::new("aws_security_group", "main")
                .set("name", "fight")
                .set("vpc_id", vpc.id())
                .block("ingress", rule),
        );
        s.add(
            Resource::new("aws_vpc_security_group_ingress_rule", "extra")
                .set("security_group_id", sg.id())
                .set("cidr_ipv4", "10.9.0.0/16")
                .set("ip_protocol", "tcp")
                .set("from_port", 8443)
                .set("to_port", 8443),
        );
    });
    let cycle = cycle_of(&stack, &[]);
    assert!(cycle.error.is_none(), "{:?}", cycle.error);
    assert!(!cycle.second_plan.is_empty() && !cycle.passed(), "the perpetual diff went unseen: {cycle:?}");
    assert!(cycle.left.is_empty(), "{cycle:?}");
}

/// An attachment of a policy that does not exist fails the apply; the gap table holds no
/// entry for it, so the cycle fails and says why.
#[test]
fn an_apply_error_outside_the_gap_table_fails_the_cycle() {
    let stack = small("broken", |s| {
        let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        let role = s.add(Resource::new("aws_iam_role", "main").set("name", "broken").set("assume_role_policy", trust));
        s.add(
            Resource::new("aws_iam_role_policy_attachment", "missing")
                .set("role", role.attr("name"))
                .set("policy_arn", "arn:aws:iam::123456789012:policy/does-not-exist"),
        );
    });
    let cycle = cycle_of(&stack, &[]);
    let error = cycle.error.as_deref().unwrap_or_default();
    assert!(error.contains("terraform apply failed"), "{cycle:?}");
    assert!(!cycle.passed());
    assert!(cycle.left.is_empty(), "what was applied is destroyed: {cycle:?}");
}

/// Creates bucket `name` in the emulator with a plain path-style request (moto checks no
/// signature).
fn create_bucket(port: u16, name: &str) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to moto");
    write!(stream, "PUT /{name} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .expect("request");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("response");
    assert!(answer.starts_with("HTTP/1.1 200"), "creating bucket {name}: {answer}");
}

/// `terraform init` of every synthesized stack against its S3 backend (in the emulator)
/// prints no warning: no deprecated argument (the DynamoDB lock table) is left.
#[test]
fn terraform_init_against_the_s3_backend_prints_no_warning() {
    let emulator = Emulator::start("123456789012", &[]).unwrap_or_else(|e| panic!("{e}"));
    let tf = terraform();
    let registry = stacks::registry();
    let out = tempfile::tempdir().expect("temp dir");
    let status = Command::new(env!("CARGO_BIN_EXE_tfsynth"))
        .args(["synth", "development", "-q", "--out"])
        .arg(out.path())
        .status()
        .expect("synth");
    assert!(status.success());
    let config = out.path().join("backend.hcl");
    let settings = format!(
        "endpoints = {{ s3 = \"{}\" }}\nuse_path_style = true\naccess_key = \"test\"\nsecret_key = \"test\"\nskip_credentials_validation = true\nskip_requesting_account_id = true\nskip_metadata_api_check = true\n",
        emulator.endpoint()
    );
    std::fs::write(&config, settings).expect("backend settings");
    // A repository commits its dependency lock file; without one, an install from a mirror
    // warns that the file holds only this platform's checksums. One made once for each set of
    // providers the stacks require stands in.
    let mut locks: std::collections::BTreeMap<String, tempfile::TempDir> = std::collections::BTreeMap::new();
    let mut lock_for = |config: &Path| {
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(config).expect("configuration")).expect("JSON");
        let required = doc["terraform"]["required_providers"].to_string();
        let scratch = locks.entry(required.clone()).or_insert_with(|| {
            let scratch = tempfile::tempdir().expect("temp dir");
            let config = format!(r#"{{"terraform":{{"required_providers":{required}}}}}"#);
            std::fs::write(scratch.path().join("main.tf.json"), config).expect("scratch configuration");
            tf.init(scratch.path()).unwrap_or_else(|e| panic!("{e}"));
            scratch
        });
        scratch.path().join(".terraform.lock.hcl")
    };
    let mut buckets = std::collections::BTreeSet::new();
    for def in registry.stacks() {
        let stack = registry.build(def.name, stacks::Env::Development).expect("stack");
        let backend = stack.terraform_settings().backend.clone().expect("an S3 backend");
        if buckets.insert(backend.bucket.clone()) {
            create_bucket(emulator.port, &backend.bucket);
        }
        let dir = out.path().join(def.name).join("development");
        std::fs::copy(lock_for(&dir.join("main.tf.json")), dir.join(".terraform.lock.hcl")).expect("lock file");
        let plugins = format!("-plugin-dir={}", tf.plugin_dir().display());
        let backend_config = format!("-backend-config={}", config.display());
        let init = tf
            .command(Path::new(&dir))
            .args(["init", "-input=false", "-no-color", &plugins, &backend_config])
            .output()
            .expect("init");
        let text = format!("{}{}", String::from_utf8_lossy(&init.stdout), String::from_utf8_lossy(&init.stderr));
        assert!(init.status.success(), "{}: {text}", def.name);
        assert!(text.contains("Successfully configured the backend \"s3\""), "{}: {text}", def.name);
        assert!(!text.contains("Warning"), "{}: terraform init warned:\n{text}", def.name);
    }
}
