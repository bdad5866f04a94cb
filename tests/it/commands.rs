//! The pipeline and reviewer commands — check, diff, summary, graph, lint, completions — through
//! the command line: output, exit codes and bad input. What reviewers read is also pinned with
//! `insta_cmd` snapshots (in `tests/it/snapshots/`), so a change to it shows in the PR.

use std::path::Path;
use std::process::{Command, ExitCode};

use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};
use stacks::Env;
use tfsynth::prelude::*;

use super::common::{repo, run, text, tfsynth};

fn network(env: Env, cidr: &str) -> Stack {
    let mut s = Stack::new("net", env.name()).with_tier(env.tier());
    s.provider(Provider::aws("us-east-1"));
    s.add(
        Resource::new("aws_vpc", "main")
            .set("cidr_block", cidr)
            .set("tags", Expression::from_iter([("Env", env.name())])),
    );
    s
}

fn before(env: Env) -> Stack {
    network(env, "10.0.0.0/16")
}

fn after(env: Env) -> Stack {
    network(env, "10.9.0.0/16")
}

fn fixture(build: fn(Env) -> Stack) -> Registry<Env> {
    Registry::new(vec![StackDef { name: "net", description: "a VPC", build, settings: None }])
}

/// Writes the snapshots of `registry` into `dir` as the snapshot tests would.
pub(super) fn regenerate(registry: &Registry<Env>, dir: &Path) {
    let stacks = registry.select::<&str>(&[]).expect("stacks");
    for env in Env::ALL {
        for format in Format::ALL {
            for f in tfsynth::pipeline::synthesize(registry, &stacks, *env, format).expect("valid") {
                let name = format!("{}-{}-{}.snap", f.stack, env.name(), format.name());
                std::fs::write(dir.join(name), format!("---\nsource: tests/it/matrix.rs\n---\n{}", f.contents))
                    .unwrap();
            }
        }
    }
}

#[test]
fn check_fails_on_drift_and_passes_once_regenerated() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshots = dir.path().to_str().unwrap();
    regenerate(&fixture(before), dir.path());
    let files_before = super::common::tree(dir.path());

    let (code, out, err) =
        run(&fixture(before), &["check", "--snapshots", snapshots, "--pipelines", "/nonexistent/ci"]);
    assert_eq!(code, ExitCode::SUCCESS, "{out}{err}");

    // A setting changes in the stack: the committed snapshots no longer match.
    let (code, out, err) = run(&fixture(after), &["check", "--snapshots", snapshots, "--pipelines", "/nonexistent/ci"]);
    assert_eq!(code, ExitCode::from(3), "{out}{err}");
    assert!(out.contains("net-production-json.snap differs"), "{out}");
    assert!(out.contains("  ~ aws_vpc.main\n      cidr_block: \"10.0.0.0/16\" -> \"10.9.0.0/16\""), "{out}");
    assert!(out.contains("net-production-hcl.snap differs"), "{out}");
    assert!(
        out.contains("-  cidr_block = \"10.0.0.0/16\"") && out.contains("+  cidr_block = \"10.9.0.0/16\""),
        "{out}"
    );
    assert!(err.contains("6 snapshot(s) differ"), "{err}");
    // The advice names the one targeted test that rewrites the snapshots, not the whole suite.
    assert!(err.contains("`INSTA_UPDATE=always cargo test --test matrix snapshot`"), "{err}");
    assert_eq!(super::common::tree(dir.path()), files_before, "check wrote files");

    regenerate(&fixture(after), dir.path());
    let (code, out, err) = run(&fixture(after), &["check", "--snapshots", snapshots, "--pipelines", "/nonexistent/ci"]);
    assert_eq!(code, ExitCode::SUCCESS, "{out}{err}");
}

#[test]
fn check_reports_missing_and_stale_snapshots() {
    let dir = tempfile::tempdir().expect("temp dir");
    regenerate(&fixture(before), dir.path());
    std::fs::remove_file(dir.path().join("net-staging-hcl.snap")).unwrap();
    std::fs::write(dir.path().join("gone-production-json.snap"), "---\n---\n{}").unwrap();
    let (code, out, _) = run(
        &fixture(before),
        &["check", "--snapshots", dir.path().to_str().unwrap(), "--pipelines", "/nonexistent/ci"],
    );
    assert_eq!(code, ExitCode::from(3));
    assert!(out.contains("net-staging-hcl.snap is missing"), "{out}");
    assert!(out.contains("gone-production-json.snap belongs to no stack"), "{out}");
}

#[test]
fn check_of_the_repository_passes_and_bad_input_is_a_usage_error() {
    let snapshots = repo("snapshots");
    let run = tfsynth(&["check", "--snapshots", snapshots.to_str().unwrap()]);
    assert!(run.status.success(), "{}{}", text(&run.stdout), text(&run.stderr));
    let missing = tfsynth(&["check", "--snapshots", "/nonexistent/snapshots"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).contains("`/nonexistent/snapshots` is not a folder of snapshots"),
        "{}",
        text(&missing.stderr)
    );
    assert_eq!(tfsynth(&["check", "--stack", "nope"]).status.code(), Some(2));
}

#[test]
fn diff_between_environments_shows_blocks_and_attributes() {
    let run = tfsynth(&["diff", "staging", "production", "--stack", "takeoff"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let out = text(&run.stdout);
    assert!(out.starts_with("takeoff: staging -> production\n"), "{out}");
    assert!(out.contains("  ~ aws_vpc.main\n      cidr_block: \"10.20.0.0/16\" -> \"10.0.0.0/16\""), "{out}");
    assert!(out.contains("  + "), "production adds blocks: {out}");
    assert!(!out.contains('\x1b'), "no colour when stdout is not a terminal");
    // Policy documents differ key by key: the account id, not two whole documents.
    assert!(
        out.contains("      policy.Statement[0].Principal.AWS: \"arn:aws:iam::444455556666:root\" -> \"arn:aws:iam::777788889999:root\""),
        "{out}"
    );
    let longest = out.lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 300, "a diff line of {longest} characters");

    let json = tfsynth(&["diff", "staging", "production", "--stack", "takeoff", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON output");
    let changes = doc["stacks"][0]["changes"].as_array().expect("changes");
    let vpc = changes.iter().find(|c| c["address"] == "aws_vpc.main").expect("the VPC changed");
    assert_eq!(vpc["change"], "changed");
    assert!(
        vpc["attributes"].as_array().unwrap().iter().any(|a| a["path"] == "cidr_block" && a["new"] == "10.0.0.0/16")
    );
    let coloured = tfsynth(&["diff", "staging", "production", "--stack", "takeoff", "--color", "always"]);
    assert!(text(&coloured.stdout).contains("\x1b[33m~ aws_vpc.main"), "--color always colours a pipe");
}

/// A production instance-class change leads the summary; the inventory follows, collapsed.
#[test]
fn summary_against_a_baseline_leads_with_what_changed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = dir.path().to_str().unwrap();
    assert!(
        tfsynth(&["synth", "production", "--stack", "takeoff", "--stack", "cvd", "--out", base, "-q"]).status.success()
    );
    let file = dir.path().join("takeoff/production/main.tf.json");
    let edited = std::fs::read_to_string(&file).unwrap().replace("\"db.r6g.large\"", "\"db.r6g.xlarge\"");
    std::fs::write(&file, edited).unwrap();
    let run = tfsynth(&["summary", "production", "--against", base, "--stack", "takeoff", "--stack", "cvd"]);
    assert!(run.status.success());
    let md = text(&run.stdout);
    let changed = md.find("### What changed").expect("the changes section");
    let inventory = md.find("<details><summary>Inventory</summary>").expect("the inventory, collapsed");
    assert!(changed < inventory, "{md}");
    assert!(md.contains("**takeoff**: 2 block(s) differ"), "{md}");
    assert!(
        md.contains(
            "- **restarts** `aws_db_instance.main` to apply: `instance_class` `\"db.r6g.xlarge\"` → `\"db.r6g.large\"`"
        ),
        "{md}"
    );
    assert!(md.contains("**cvd**: unchanged"), "{md}");
}

#[test]
fn diff_against_a_folder_compares_with_a_previous_synth() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = dir.path().to_str().unwrap();
    assert!(
        tfsynth(&["synth", "production", "--stack", "svg-ai", "--stack", "cvd", "--out", base, "-q"]).status.success()
    );
    let same =
        tfsynth(&["diff", "production", "--against", base, "--stack", "svg-ai", "--stack", "cvd", "--exit-code"]);
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(text(&same.stdout), "unchanged: cvd, svg-ai\n");

    let file = dir.path().join("svg-ai/production/main.tf.json");
    let edited = std::fs::read_to_string(&file).unwrap().replace("\"10.0.0.0/16\"", "\"10.7.0.0/16\"");
    std::fs::write(&file, edited).unwrap();
    let changed =
        tfsynth(&["diff", "production", "--against", base, "--stack", "svg-ai", "--stack", "cvd", "--exit-code"]);
    assert_eq!(changed.status.code(), Some(3), "--exit-code reports the difference");
    let out = text(&changed.stdout);
    assert!(out.contains("cidr_block: \"10.7.0.0/16\" -> \"10.0.0.0/16\""), "{out}");
    assert!(out.ends_with("unchanged: cvd\n"), "{out}");
    let without = tfsynth(&["diff", "production", "--against", base, "--stack", "svg-ai"]);
    assert_eq!(without.status.code(), Some(0), "without --exit-code a difference is a result");
}

#[test]
fn diff_refuses_a_baseline_it_cannot_compare_with() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = dir.path().to_str().unwrap();
    assert!(
        tfsynth(&["synth", "production", "--stack", "cvd", "--format", "hcl", "--out", base, "-q"]).status.success()
    );
    let hcl = tfsynth(&["diff", "production", "--against", base, "--stack", "cvd"]);
    assert_eq!(hcl.status.code(), Some(2));
    assert!(
        text(&hcl.stderr).contains("holds the HCL rendering of cvd; diff reads Terraform JSON"),
        "{}",
        text(&hcl.stderr)
    );
    // A stack the baseline lacks is no refusal: it is new, and reviewed as added.
    let added = tfsynth(&["diff", "production", "--against", base, "--stack", "ci"]);
    assert_eq!(added.status.code(), Some(0), "{}", text(&added.stderr));
    assert!(text(&added.stdout).contains("  + aws_iam_openid_connect_provider.github"), "{}", text(&added.stdout));
}

#[test]
fn diff_rejects_bad_input() {
    let cases: [(&[&str], &str); 6] = [
        (&["diff", "staging", "prod"], "unknown environment `prod` (did you mean `production`?)"),
        (&["diff", "staging", "production", "--stack", "nope"], "unknown stack `nope`"),
        (&["diff", "production", "--against", "/nonexistent/baseline"], "/nonexistent/baseline: is not a folder"),
        (&["diff", "production", "--against", "Cargo.toml"], "Cargo.toml: is not a folder"),
        (&["diff", "production"], "required"),
        (&["diff", "staging", "production", "--against", "x"], "cannot be used with"),
    ];
    for (args, message) in cases {
        let run =
            Command::new(env!("CARGO_BIN_EXE_tfsynth")).args(args).current_dir(repo("")).output().expect("run tfsynth");
        assert_eq!(run.status.code(), Some(2), "{args:?}: {}", text(&run.stderr));
        assert!(text(&run.stderr).contains(message), "{args:?}: {}", text(&run.stderr));
        assert!(run.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn summary_reports_every_stack_with_components_and_a_settings_table() {
    let run = tfsynth(&["summary", "production"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let md = text(&run.stdout);
    assert!(md.starts_with("## tfsynth summary: production\n"), "{md}");
    for def in stacks::registry().stacks() {
        assert!(md.contains(&format!("\n| {} | ", def.name)), "{} row missing: {md}", def.name);
        assert!(md.contains(&format!("\n### {}\n", def.name)), "{} section missing", def.name);
    }
    assert!(md.contains("| networking | ") && md.contains("| load balancing | "), "{md}");
    assert!(md.contains("<summary>production settings</summary>") && md.contains("| vpc_cidr | 10.0.0.0/16 |"), "{md}");
    assert!(md.contains("| db.deletion | protected |"), "{md}");
    assert!(
        md.contains(&format!("**Policy**: {} rules, no unwaived finding.", tfsynth::policy::Rule::ALL.len())),
        "{md}"
    );

    let json: serde_json::Value =
        serde_json::from_slice(&tfsynth(&["summary", "staging", "--format", "json"]).stdout).unwrap();
    assert_eq!(json["stacks"].as_array().map(Vec::len), Some(stacks::registry().stacks().len()));
    let takeoff = json["stacks"].as_array().unwrap().iter().find(|s| s["name"] == "takeoff").expect("takeoff");
    assert!(takeoff["resources"].as_u64().unwrap() > 100);
    assert_eq!(tfsynth(&["summary", "prod"]).status.code(), Some(2));
}

#[test]
fn graph_draws_the_references_grouped_by_component() {
    let run = tfsynth(&["graph", "production", "--stack", "ai-prism"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let mermaid = text(&run.stdout);
    assert!(mermaid.starts_with("graph LR\n  subgraph kms [\"kms\"]\n"), "{mermaid}");
    assert!(mermaid.contains("  subgraph networking [\"networking\"]\n"), "{mermaid}");
    assert!(mermaid.contains("  aws_subnet_main_private --> aws_vpc_main\n"), "{mermaid}");
    let dot = text(&tfsynth(&["graph", "production", "--stack", "ai-prism", "--format", "dot"]).stdout);
    assert!(dot.starts_with("digraph \"ai-prism/production\" {"), "{dot}");
    assert!(
        dot.contains("\"aws_subnet.main_private\" -> \"aws_vpc.main\";") && dot.contains("label=\"database\";"),
        "{dot}"
    );
    assert_eq!(tfsynth(&["graph", "production", "--stack", "nope"]).status.code(), Some(2));
}

/// A stack with an unwaived policy finding: SSH open to the internet.
pub(super) fn open_ssh(env: Env) -> Stack {
    let mut s = Stack::new("ssh", env.name());
    s.provider(Provider::aws("us-east-1"));
    let sg = s.add(Resource::new("aws_security_group", "bastion").set("name", "bastion"));
    s.add(
        Resource::new("aws_vpc_security_group_ingress_rule", "ssh")
            .set("security_group_id", sg.id())
            .set("ip_protocol", "tcp")
            .set("cidr_ipv4", "0.0.0.0/0")
            .set("from_port", 22)
            .set("to_port", 22),
    );
    s
}

fn open_ssh_waived(env: Env) -> Stack {
    let mut s = open_ssh(env);
    s.waive(Waiver::new(
        Rule::OpenIngress,
        "aws_vpc_security_group_ingress_rule.ssh",
        "break-glass bastion",
        Date::ymd(2099, 12, 31),
    ));
    s
}

fn open_ssh_expired(env: Env) -> Stack {
    let mut s = open_ssh(env);
    s.waive(Waiver::new(
        Rule::OpenIngress,
        "aws_vpc_security_group_ingress_rule.ssh",
        "temporary",
        Date::ymd(2020, 1, 31),
    ));
    s
}

#[test]
fn lint_reports_findings_and_synth_refuses_them() {
    let registry = fixture(open_ssh);
    let (code, out, _) = run(&registry, &["lint", "production"]);
    assert_eq!(code, ExitCode::from(3));
    assert!(out.contains("finding: TFS003 ssh/production: aws_vpc_security_group_ingress_rule.ssh: cidr_ipv4: ingress on port 22 is open to the internet"), "{out}");
    assert!(
        out.contains("  why: a port open to the whole internet") && out.contains("  fix: allow a security group"),
        "{out}"
    );
    let (code, _, err) = run(&registry, &["synth", "production", "--stdout"]);
    assert_eq!(code, ExitCode::from(1));
    assert!(err.contains("TFS003 ingress on port 22 is open to the internet"), "{err}");

    let (code, out, _) = run(&registry, &["lint", "production", "--format", "json"]);
    assert_eq!(code, ExitCode::from(3));
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc[0]["rule"], "TFS003");
    assert_eq!(doc[0]["waiver"], serde_json::Value::Null);
    assert_eq!(doc[0]["component"], serde_json::Value::Null, "added by the stack itself");

    let (code, out, _) = run(&stacks::registry(), &["lint", "production"]);
    assert_eq!(code, ExitCode::SUCCESS, "{out}");
}

#[test]
fn waivers_pass_lint_reach_checkov_and_expire() {
    let registry = fixture(open_ssh_waived);
    let (code, out, _) = run(&registry, &["lint", "production", "--verbose"]);
    assert_eq!(code, ExitCode::SUCCESS, "{out}");
    assert!(out.contains("waived: TFS003") && out.contains("(until 2099-12-31: break-glass bastion)"), "{out}");
    let (code, hcl, _) = run(&registry, &["synth", "production", "--stdout", "--format", "hcl"]);
    assert_eq!(code, ExitCode::SUCCESS);
    assert!(
        hcl.contains("\n  # checkov:skip=CKV_AWS_24:TFS003 waived until 2099-12-31: break-glass bastion\n"),
        "{hcl}"
    );

    let (code, out, _) = run(&fixture(open_ssh_expired), &["lint", "production"]);
    assert_eq!(code, ExitCode::from(3));
    assert!(out.contains("waiver of TFS003 expired on 2020-01-31 (temporary)"), "{out}");
}

#[test]
fn completions_and_help() {
    let bash = tfsynth(&["completions", "bash"]);
    assert!(bash.status.success() && text(&bash.stdout).contains("_tfsynth()"), "{}", text(&bash.stderr));
    for sub in ["synth", "check", "diff", "summary", "graph", "lint", "list", "completions", "providers"] {
        let help = text(&tfsynth(&[sub, "--help"]).stdout);
        assert!(help.contains("Example"), "`tfsynth {sub} --help` has no example:\n{help}");
    }
    // A full output is an error with a message, not a panic (exit 101).
    #[cfg(target_os = "linux")]
    {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
        let run = Command::new(env!("CARGO_BIN_EXE_tfsynth")).args(["completions", "bash"]).stdout(full).output();
        let run = run.expect("run");
        assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
        assert!(text(&run.stderr).contains("No space left on device"), "{}", text(&run.stderr));
    }
}

/// The command line, as a reviewer would run it (no colour).
fn cmd(args: &[&str]) -> Command {
    let mut cmd = Command::new(get_cargo_bin("tfsynth"));
    cmd.args(args).env("NO_COLOR", "1");
    cmd
}

#[test]
fn reviewer_output_is_pinned() {
    assert_cmd_snapshot!("summary_production", cmd(&["summary", "production"]));
    assert_cmd_snapshot!(
        "diff_staging_production_takeoff",
        cmd(&["diff", "staging", "production", "--stack", "takeoff"])
    );
    assert_cmd_snapshot!("lint_production_verbose", cmd(&["lint", "production", "--verbose"]));
    assert_cmd_snapshot!("graph_ai_prism", cmd(&["graph", "production", "--stack", "ai-prism"]));
    assert_cmd_snapshot!("diff_unknown_environment", cmd(&["diff", "staging", "prod"]));
}

/// A database keyed `key` with `identifier`, and the security group beside it keyed `group`;
/// with `moved`, the stack says the database was keyed `main` before.
fn shop(env: Env, key: &str, identifier: &str, group: &str, moved: bool) -> Stack {
    let mut s = Stack::new("shop", env.name()).with_tier(env.tier());
    s.provider(Provider::aws("us-east-1"));
    let db = s.add(
        Resource::new("aws_db_instance", key)
            .set("identifier", identifier)
            .set("engine", "postgres")
            .set("instance_class", "db.t4g.micro")
            .set("allocated_storage", 20)
            .set("storage_encrypted", true)
            .set("kms_key_id", "arn:aws:kms:us-east-1:123456789012:key/shop")
            .set("deletion_protection", true)
            .set("backup_retention_period", 7),
    );
    s.add(Resource::new("aws_security_group", group).set("description", "shop clients"));
    if moved {
        s.moved(Moved::new(Address::new("aws_db_instance", "main"), &db));
    }
    s
}

fn shop_registry(build: fn(Env) -> Stack) -> Registry<Env> {
    Registry::new(vec![StackDef { name: "shop", description: "a database", build, settings: None }])
}

#[test]
fn check_fails_first_on_a_rename_that_would_destroy_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshots = dir.path().to_str().unwrap();
    regenerate(&shop_registry(|env| shop(env, "main", "shop", "clients", false)), dir.path());
    let args = ["check", "--snapshots", snapshots, "--pipelines", "/nonexistent/ci"];

    // The key renamed, nothing else: the database would be destroyed with its data.
    let (code, out, err) = run(&shop_registry(|env| shop(env, "primary", "shop", "clients", false)), &args);
    assert_eq!(code, ExitCode::from(1), "{out}{err}");
    let first = err.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("error: ")
            && first.contains("shop-development-json.snap: `aws_db_instance.main` holds data and would be destroyed; it was probably renamed to `aws_db_instance.primary`"),
        "{err}"
    );
    assert!(err.contains("add `moved { from = aws_db_instance.main, to = aws_db_instance.primary }`"), "{err}");
    assert!(err.contains("check: 3 resource(s) holding data would be destroyed"), "{err}");

    // With the move, the check is an ordinary drift; a stateless rename is a hint with its fix.
    let (code, out, err) = run(&shop_registry(|env| shop(env, "primary", "shop", "buyers", true)), &args);
    assert_eq!(code, ExitCode::from(3), "{out}{err}");
    assert!(!err.contains("would be destroyed"), "{err}");
    assert!(
        out.contains("probable rename: aws_security_group.clients -> aws_security_group.buyers (the same arguments); keep the object: moved { from = aws_security_group.clients, to = aws_security_group.buyers }"),
        "{out}"
    );
}

#[test]
fn diff_and_summary_against_a_baseline_name_renames_destroys_and_replacements() {
    let base = tempfile::tempdir().expect("temp dir");
    let before = shop_registry(|env| shop(env, "main", "shop", "clients", false));
    let (code, _, err) = run(&before, &["synth", "production", "-q", "--out", base.path().to_str().unwrap()]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let against = base.path().to_str().unwrap();
    let renamed = shop_registry(|env| shop(env, "primary", "shop", "clients", false));
    let (code, out, err) = run(&renamed, &["diff", "production", "--against", against]);
    assert_eq!(code, ExitCode::SUCCESS, "{out}{err}");
    assert!(err.contains("shop: `aws_db_instance.main` holds data and would be destroyed"), "{err}");
    let (_, md, _) = run(&renamed, &["summary", "production", "--against", against]);
    assert!(md.contains("**would destroy data**: `aws_db_instance.main` holds data"), "{md}");
    let (_, json, _) = run(&renamed, &["diff", "production", "--against", against, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(doc["stacks"][0]["destroys"][0]["renamed_to"], "aws_db_instance.primary");
    assert_eq!(doc["stacks"][0]["renames"][0]["from"], "aws_db_instance.main");

    // A new identifier in place replaces the database: marked as such, not as a change.
    let reidentified = shop_registry(|env| shop(env, "main", "store", "clients", false));
    let (_, out, _) = run(&reidentified, &["diff", "production", "--against", against]);
    assert!(
        out.contains("-/+ aws_db_instance.main (replaced: identifier forces a new object; its data is lost)"),
        "{out}"
    );
}
