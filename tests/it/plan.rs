//! `tfsynth plan` with real terraform, offline: every stack planned in dependency order and in
//! parallel, the action summary, and a replacement named with the attribute that forces it.

use std::path::Path;
use std::process::ExitCode;

use stacks::{Env, registry};
use tfsynth::prelude::*;
use tfsynth::tools::{aws_aliases, local_remote_states, mock_override, placeholder_state, plan_folder, state_file};

use super::common::{run, text, tfsynth, tools};

/// Adds what an offline plan of `stack` needs next to its configuration in `dir`: mock
/// credentials and a local backend, and the producers' state for its imports.
fn offline(dir: &Path, stack: &str, env: Env) {
    let registry = registry();
    let def = registry.select(&[stack]).expect("stack");
    let built = tfsynth::pipeline::build(&registry, &def, env).expect("valid");
    let aliases = aws_aliases(&built[0].stack);
    std::fs::write(dir.join("offline_override.tf.json"), mock_override(&aliases)).expect("override");
    if let Some(states) = local_remote_states(&built[0].stack) {
        std::fs::write(dir.join("remote_state_override.tf.json"), states).expect("override");
        for import in built[0].stack.imports() {
            let producer = registry.build(&import.stack, env).expect("producer");
            std::fs::write(dir.join(state_file(&import.stack)), placeholder_state(&producer)).expect("state");
        }
    }
}

/// A producer and its consumer, and a stack beside them: the command plans the consumer a level
/// after its producer, leads with the security section and counts each stack's actions. (The
/// matrix plans every stack × environment, and holds each fresh plan to the security gate.)
#[test]
fn stacks_plan_in_order_and_the_summary_counts_the_actions() {
    let out = tempfile::tempdir().expect("temp dir");
    let root = out.path().to_str().expect("utf-8");
    let stacks = ["platform", "showcase", "ci"];
    let selected: Vec<&str> = stacks.iter().flat_map(|s| ["--stack", s]).collect();
    let synth: Vec<&str> = ["synth", "production", "--out", root, "-q"].into_iter().chain(selected.clone()).collect();
    assert!(tfsynth(&synth).status.success());
    for stack in stacks {
        offline(&out.path().join(stack).join("production"), stack, Env::Production);
    }
    let mirror = tools::terraform().plugin_dir().to_str().expect("utf-8").to_owned();
    let plan: Vec<&str> = ["plan", "production", "--out", root, "--no-refresh", "--plugin-dir", &mirror]
        .into_iter()
        .chain(selected)
        .collect();
    let run = tfsynth(&plan);
    let (stdout, stderr) = (text(&run.stdout), text(&run.stderr));
    assert_eq!(run.status.code(), Some(3), "changes planned: exit 3 (README, Exit codes)\n{stdout}\n{stderr}");
    // The security section leads: the load balancer's approved exposure, nothing unapproved.
    let section = stdout.find("### Security changes").unwrap_or_else(|| panic!("{stdout}"));
    assert!(section < stdout.find("| stack | create").unwrap_or(0), "{stdout}");
    assert!(stdout.contains("| broadening (approved) | showcase | `aws_lb.main` |"), "{stdout}");
    assert!(!stdout.contains("**⚠ broadening**"), "a fresh plan of these stacks needs no approval: {stdout}");
    for stack in stacks {
        let line =
            stdout.lines().find(|l| l.starts_with(&format!("| {stack} | "))).unwrap_or_else(|| panic!("{stdout}"));
        let created: usize = line.split('|').nth(2).and_then(|n| n.trim().parse().ok()).unwrap_or(0);
        assert!(!line.contains("failed") && created > 0, "{line}");
    }
    // The consumer is planned after its producer, in a level of its own.
    let position = |what: &str| stderr.find(what).unwrap_or_else(|| panic!("{what} not in {stderr}"));
    assert!(position("platform: ") < position("planning showcase"), "{stderr}");
    let json = tfsynth(&[
        "plan",
        "production",
        "--out",
        root,
        "--no-refresh",
        "--plugin-dir",
        &mirror,
        "--stack",
        "platform",
        "--format",
        "json",
        "-q",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(doc["stacks"][0]["stack"], "platform");
    assert!(doc["stacks"][0]["create"].as_array().is_some_and(|c| c.iter().any(|a| a == "aws_vpc.main")), "{doc}");
}

/// `lock` writes each folder's lock file from the mirror, every provider with its checksum, and
/// `plan --save` keeps exactly that file for `apply` to install from.
#[test]
fn lock_writes_the_lock_file_the_saved_plan_keeps() {
    let (out, saved) = (tempfile::tempdir().expect("temp dir"), tempfile::tempdir().expect("temp dir"));
    let (root, kept) = (out.path().to_str().expect("utf-8"), saved.path().to_str().expect("utf-8"));
    let mirror = tools::terraform().plugin_dir().to_str().expect("utf-8").to_owned();
    let stack = "ai-prism-operators";
    let run = tfsynth(&["lock", "production", "--stack", stack, "--out", root, "--plugin-dir", &mirror]);
    let err = text(&run.stderr);
    assert!(run.status.success(), "{err}");
    for provider in ["hashicorp/aws 5.100.0", "hashicorp/helm ", "hashicorp/kubernetes "] {
        assert!(err.contains(provider), "{provider} not locked: {err}");
    }
    let folder = out.path().join(stack).join("production");
    let lock = std::fs::read_to_string(folder.join(".terraform.lock.hcl")).expect("a lock file");
    assert_eq!(lock.matches("\"h1:").count(), 3, "a checksum per provider:\n{lock}");
    offline(&folder, stack, Env::Production);
    let args = [
        "plan",
        "production",
        "--stack",
        stack,
        "--out",
        root,
        "--no-refresh",
        "--plugin-dir",
        &mirror,
        "--save",
        kept,
    ];
    let run = tfsynth(&args);
    assert_eq!(run.status.code(), Some(3), "{}", text(&run.stderr));
    let saved_lock = saved.path().join(stack).join("production").join(".terraform.lock.hcl");
    assert_eq!(std::fs::read_to_string(saved_lock).expect("kept"), lock, "the plan keeps the lock it installed from");
}

/// A plugin folder may be temporary (each test run makes its own): a plan from it must link the
/// providers from that folder, not through the shared plugin cache, where the link outlived
/// the folder and failed every later plan on the machine ("failed to verify checksum").
#[test]
fn a_plan_from_a_plugin_folder_links_the_providers_from_that_folder() {
    let provider = r#"{"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws"}}},
        "provider": {"aws": {"region": "us-east-1"}}}"#;
    let dir = tools::workspace(&[("main.tf.json", provider)], &[]);
    let mirror = tools::terraform().plugin_dir();
    let plan = plan_folder(dir.path(), false, Some(mirror)).expect("plans");
    assert!(!plan.changes, "{}", plan.show);
    let installed = dir.path().join(".terraform/providers/registry.terraform.io/hashicorp/aws");
    let version = std::fs::read_dir(&installed).expect("aws installed").next().expect("a version").expect("entry");
    let platform = std::fs::read_dir(version.path()).expect("platforms").next().expect("one").expect("entry");
    let target = std::fs::read_link(platform.path()).expect("a link");
    assert!(
        target.starts_with(mirror),
        "{} links to {}, outside {}",
        platform.path().display(),
        target.display(),
        mirror.display()
    );
}

fn data_logs(env: Env) -> Stack {
    let mut stack = Stack::new("data", env.name()).with_tier(Tier::Development);
    stack.provider(Provider::aws("us-east-1"));
    stack.add(
        Resource::new("aws_cloudwatch_log_group", "main")
            .set("name", "/acme/data-renamed")
            .set("retention_in_days", 365)
            .set("kms_key_id", "arn:aws:kms:us-east-1:123456789012:key/acme"),
    );
    stack
}

/// State in which `aws_cloudwatch_log_group.main` exists under its old name.
const OLD_STATE: &str = r#"{
  "version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "tfsynth-test", "outputs": {},
  "resources": [{
    "mode": "managed", "type": "aws_cloudwatch_log_group", "name": "main",
    "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
    "instances": [{"schema_version": 0, "attributes": {"id": "/acme/data", "name": "/acme/data", "retention_in_days": 365, "kms_key_id": "arn:aws:kms:us-east-1:123456789012:key/acme"}}]
  }],
  "check_results": null
}"#;

#[test]
fn a_replacement_names_the_resource_and_the_attribute_that_forces_it() {
    let registry =
        Registry::new(vec![StackDef { name: "data", description: "a log group", build: data_logs, settings: None }]);
    let out = tempfile::tempdir().expect("temp dir");
    let root = out.path().to_str().expect("utf-8");
    let (code, _, err) = run(&registry, &["synth", "staging", "--out", root, "-q"]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let dir = out.path().join("data/staging");
    std::fs::write(dir.join("offline_override.tf.json"), mock_override(&[])).expect("override");
    std::fs::write(dir.join("terraform.tfstate"), OLD_STATE).expect("state");
    let mirror = tools::terraform().plugin_dir().to_str().expect("utf-8").to_owned();
    let (code, md, err) = run(&registry, &["plan", "staging", "--out", root, "--no-refresh", "--plugin-dir", &mirror]);
    assert_eq!(code, ExitCode::from(3), "{md}\n{err}");
    assert!(md.contains("| data | 0 | 0 | 1 | 0 |"), "{md}");
    assert!(
        md.contains("**replaces `aws_cloudwatch_log_group.main`** (forced by `name`): a log group and its logs"),
        "{md}"
    );
    assert!(md.contains("- replace `aws_cloudwatch_log_group.main`, forced by `name`"), "{md}");
}

#[test]
fn a_stack_that_fails_to_plan_fails_the_command_and_its_consumers_are_not_planned() {
    let out = tempfile::tempdir().expect("temp dir");
    let root = out.path().to_str().expect("utf-8");
    // No override: the S3 backend cannot be reached without credentials, so init fails.
    let run = tfsynth(&[
        "plan",
        "development",
        "--out",
        root,
        "--stack",
        "platform",
        "--stack",
        "showcase",
        "--plugin-dir",
        "/nonexistent",
    ]);
    let md = text(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{md}");
    assert!(md.contains("| platform | **failed** |"), "{md}");
    assert!(md.contains("not planned: a stack it imports from failed to plan"), "{md}");
}
