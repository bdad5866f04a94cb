//! The pipeline and reviewer commands — check, diff, summary, graph, lint, completions — through
//! the command line: output, exit codes and bad input.

use std::path::Path;
use std::process::{Command, ExitCode, Output};

use tfsynth::policy::{Date, Rule, Waiver};
use tfsynth::prelude::*;
use tfsynth::stacks::Env;

fn tfsynth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tfsynth")).args(args).output().expect("run tfsynth")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn run(registry: &Registry<Env>, args: &[&str]) -> (ExitCode, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code =
        tfsynth::cli::run_with(registry, std::iter::once("tfsynth").chain(args.iter().copied()), &mut out, &mut err);
    (code, text(&out), text(&err))
}

fn network(env: Env, cidr: &str) -> Stack {
    let mut s = Stack::new("net", env.name());
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
fn regenerate(registry: &Registry<Env>, dir: &Path) {
    for env in Env::ALL {
        for format in Format::ALL {
            let files = tfsynth::synth::synthesize(registry, *env, None, format).expect("valid");
            for f in files {
                let name = format!("{}-{}-{}.snap", f.stack, env.name(), format.name());
                std::fs::write(dir.join(name), format!("---\nsource: tests/snapshots.rs\n---\n{}", f.contents))
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
    let listing = || tfsynth::synth::stale_files(&fixture(before), dir.path()).unwrap().len();
    let files_before = listing();

    let (code, out, err) = run(&fixture(before), &["check", "--snapshots", snapshots]);
    assert_eq!(code, ExitCode::SUCCESS, "{out}{err}");

    // A setting changes in the stack: the committed snapshots no longer match.
    let (code, out, err) = run(&fixture(after), &["check", "--snapshots", snapshots]);
    assert_eq!(code, ExitCode::from(1), "{out}{err}");
    assert!(out.contains("net-production-json.snap differs"), "{out}");
    assert!(out.contains("  ~ aws_vpc.main\n      cidr_block: \"10.0.0.0/16\" -> \"10.9.0.0/16\""), "{out}");
    assert!(out.contains("net-production-hcl.snap differs"), "{out}");
    assert!(
        out.contains("-  cidr_block = \"10.0.0.0/16\"") && out.contains("+  cidr_block = \"10.9.0.0/16\""),
        "{out}"
    );
    assert!(err.contains("6 snapshot(s) differ"), "{err}");
    assert_eq!(listing(), files_before, "check wrote files");

    regenerate(&fixture(after), dir.path());
    let (code, out, err) = run(&fixture(after), &["check", "--snapshots", snapshots]);
    assert_eq!(code, ExitCode::SUCCESS, "{out}{err}");
}

#[test]
fn check_reports_missing_and_stale_snapshots() {
    let dir = tempfile::tempdir().expect("temp dir");
    regenerate(&fixture(before), dir.path());
    std::fs::remove_file(dir.path().join("net-staging-hcl.snap")).unwrap();
    std::fs::write(dir.path().join("gone-production-json.snap"), "---\n---\n{}").unwrap();
    let (code, out, _) = run(&fixture(before), &["check", "--snapshots", dir.path().to_str().unwrap()]);
    assert_eq!(code, ExitCode::from(1));
    assert!(out.contains("net-staging-hcl.snap is missing"), "{out}");
    assert!(out.contains("gone-production-json.snap belongs to no stack"), "{out}");
}

#[test]
fn check_of_the_repository_passes_and_bad_input_is_a_usage_error() {
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
    let run = tfsynth(&["check", "--snapshots", snapshots.to_str().unwrap()]);
    assert!(run.status.success(), "{}{}", text(&run.stdout), text(&run.stderr));
    let missing = tfsynth(&["check", "--snapshots", "/nonexistent/snapshots"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("/nonexistent/snapshots: no such folder"), "{}", text(&missing.stderr));
    let unknown = tfsynth(&["check", "--stack", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
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

    let json = tfsynth(&["diff", "staging", "production", "--stack", "takeoff", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON output");
    let changes = doc[0]["changes"].as_array().expect("changes");
    let vpc = changes.iter().find(|c| c["address"] == "aws_vpc.main").expect("the VPC changed");
    assert_eq!(vpc["change"], "changed");
    assert!(
        vpc["attributes"].as_array().unwrap().iter().any(|a| a["path"] == "cidr_block" && a["new"] == "10.0.0.0/16")
    );
}

#[test]
fn diff_against_a_folder_compares_with_a_previous_synth() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = dir.path().to_str().unwrap();
    assert!(tfsynth(&["synth", "production", "--stack", "svg-ai", "--out", base, "--quiet"]).status.success());
    let run = tfsynth(&["diff", "production", "--against", base, "--stack", "svg-ai"]);
    assert!(text(&run.stdout).contains("svg-ai: 0 added, 0 removed, 0 changed"), "{}", text(&run.stdout));

    let file = dir.path().join("svg-ai/production/main.tf.json");
    let edited = std::fs::read_to_string(&file).unwrap().replace("\"10.0.0.0/16\"", "\"10.7.0.0/16\"");
    std::fs::write(&file, edited).unwrap();
    let run = tfsynth(&["diff", "production", "--against", base, "--stack", "svg-ai"]);
    assert!(text(&run.stdout).contains("cidr_block: \"10.7.0.0/16\" -> \"10.0.0.0/16\""), "{}", text(&run.stdout));
}

#[test]
fn diff_rejects_bad_input() {
    let cases: [(&[&str], &str); 6] = [
        (&["diff", "staging", "prod"], "unknown environment `prod`"),
        (&["diff", "staging", "production", "--stack", "nope"], "unknown stack `nope`"),
        (
            &["diff", "production", "--against", "/nonexistent/baseline"],
            "/nonexistent/baseline: No such file or directory",
        ),
        (&["diff", "production", "--against", "Cargo.toml"], "Cargo.toml: Not a directory"),
        (&["diff", "production"], "required"),
        (&["diff", "staging", "production", "--against", "x"], "cannot be used with"),
    ];
    for (args, message) in cases {
        let run = Command::new(env!("CARGO_BIN_EXE_tfsynth"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("run tfsynth");
        assert_eq!(run.status.code(), Some(2), "{args:?}: {}", text(&run.stderr));
        assert!(text(&run.stderr).contains(message), "{args:?}: {}", text(&run.stderr));
        assert!(run.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn summary_reports_every_stack_in_markdown_and_json() {
    let run = tfsynth(&["summary", "production"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let md = text(&run.stdout);
    assert!(md.starts_with("## tfsynth summary: production\n"), "{md}");
    for stack in ["takeoff", "cvd", "ai-prism", "svg-ai", "showcase"] {
        assert!(md.contains(&format!("\n| {stack} | ")), "{stack} row missing: {md}");
        assert!(md.contains(&format!("\n### {stack}\n")), "{stack} section missing");
    }
    assert!(md.contains("| networking | "), "{md}");
    assert!(md.contains("<summary>production settings</summary>") && md.contains("vpc_cidr: \"10.0.0.0/16\""), "{md}");
    assert!(md.contains("**Policy**: 9 rules, no unwaived finding."), "{md}");

    let json: serde_json::Value =
        serde_json::from_slice(&tfsynth(&["summary", "staging", "--format", "json"]).stdout).unwrap();
    assert_eq!(json["stacks"].as_array().map(Vec::len), Some(5));
    assert_eq!(json["stacks"][0]["name"], "takeoff");
    assert!(json["stacks"][0]["resources"].as_u64().unwrap() > 100);
    assert_eq!(tfsynth(&["summary", "prod"]).status.code(), Some(2));
}

#[test]
fn graph_draws_the_references() {
    let run = tfsynth(&["graph", "production", "--stack", "ai-prism"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let mermaid = text(&run.stdout);
    assert!(mermaid.starts_with("graph LR\n"), "{mermaid}");
    assert!(mermaid.contains("  aws_subnet_private --> aws_vpc_main\n"), "{mermaid}");
    let dot = text(&tfsynth(&["graph", "production", "--stack", "ai-prism", "--format", "dot"]).stdout);
    assert!(
        dot.starts_with("digraph \"ai-prism/production\" {")
            && dot.contains("\"aws_subnet.private\" -> \"aws_vpc.main\";")
    );
    assert_eq!(tfsynth(&["graph", "production", "--stack", "nope"]).status.code(), Some(2));
}

fn open_ssh(env: Env) -> Stack {
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
    let until = Date::ymd(2099, 12, 31);
    s.waive(Waiver::new(Rule::OpenIngress, "aws_vpc_security_group_ingress_rule.ssh", "break-glass bastion", until));
    s
}

fn open_ssh_expired(env: Env) -> Stack {
    let mut s = open_ssh(env);
    let until = Date::ymd(2020, 1, 31);
    s.waive(Waiver::new(Rule::OpenIngress, "aws_vpc_security_group_ingress_rule.ssh", "temporary", until));
    s
}

#[test]
fn lint_reports_findings_and_synth_refuses_them() {
    let registry = fixture(open_ssh);
    let (code, out, _) = run(&registry, &["lint", "production"]);
    assert_eq!(code, ExitCode::from(1));
    assert!(out.contains("finding: TFS003 ssh/production: aws_vpc_security_group_ingress_rule.ssh: cidr_ipv4: ingress on port 22 is open to the internet"), "{out}");
    assert!(
        out.contains("  why: a port open to the whole internet") && out.contains("  fix: allow a security group"),
        "{out}"
    );
    let (code, _, err) = run(&registry, &["synth", "production", "--stdout"]);
    assert_eq!(code, ExitCode::from(1));
    assert!(err.contains("TFS003 ingress on port 22 is open to the internet"), "{err}");

    let (code, out, _) = run(&registry, &["lint", "production", "--format", "json"]);
    assert_eq!(code, ExitCode::from(1));
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc[0]["rule"], "TFS003");
    assert_eq!(doc[0]["waiver"], serde_json::Value::Null);

    let (code, out, _) = run(&tfsynth::stacks::registry(), &["lint", "production"]);
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
    assert_eq!(code, ExitCode::from(1));
    assert!(out.contains("waiver of TFS003 expired on 2020-01-31 (temporary)"), "{out}");
}

#[test]
fn completions_quiet_and_help() {
    let bash = tfsynth(&["completions", "bash"]);
    assert!(bash.status.success() && text(&bash.stdout).contains("_tfsynth()"), "{}", text(&bash.stderr));
    let dir = tempfile::tempdir().expect("temp dir");
    let quiet =
        tfsynth(&["synth", "production", "--stack", "ai-prism", "--out", dir.path().to_str().unwrap(), "--quiet"]);
    assert!(quiet.status.success() && quiet.stderr.is_empty() && quiet.stdout.is_empty());
    for sub in ["synth", "check", "diff", "summary", "graph", "lint", "list", "completions"] {
        let help = text(&tfsynth(&[sub, "--help"]).stdout);
        assert!(help.contains("Example"), "`tfsynth {sub} --help` has no example:\n{help}");
    }
}

#[test]
fn every_command_rejects_unknown_environments_and_stacks() {
    let commands: [&[&str]; 6] = [
        &["synth", "prod"],
        &["diff", "prod", "staging"],
        &["summary", "prod"],
        &["graph", "prod"],
        &["lint", "prod"],
        &["lint", "production", "--stack", "nope"],
    ];
    for args in commands {
        let run = tfsynth(args);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {}", text(&run.stderr));
        let err = text(&run.stderr);
        assert!(
            err.contains("unknown environment `prod`; known environments: development, staging, production")
                || err.contains("unknown stack `nope`; known stacks: takeoff, cvd, ai-prism, svg-ai, showcase"),
            "{args:?}: {err}"
        );
        assert!(run.stdout.is_empty(), "{args:?} printed results");
    }
}
