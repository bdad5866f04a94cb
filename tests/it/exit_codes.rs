//! The exit-code contract (README, "Exit codes"): every command through every row that applies
//! to it — `0` success, `1` failure, `2` usage error, `3` a result to act on — so no code means
//! two things. The plan rows that need terraform are in `plan`; apply-test's passing and
//! failing cycles are the emulated apply tests (`cargo test --test apply`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use stacks::Env;
use tfsynth::cli::Status;
use tfsynth::prelude::*;

use super::commands::{open_ssh as finding, regenerate};
use super::common::run;

/// A valid stack: one VPC whose CIDR block is `cidr`.
fn network(env: Env, cidr: &str) -> Stack {
    let mut s = Stack::new("net", env.name()).with_tier(env.tier());
    s.provider(Provider::aws("us-east-1"));
    s.add(Resource::new("aws_vpc", "main").set("cidr_block", cidr));
    s
}

fn valid(env: Env) -> Stack {
    network(env, "10.0.0.0/16")
}

fn changed(env: Env) -> Stack {
    network(env, "10.9.0.0/16")
}

/// HTTPS opened to the internet with no approval: a broadening security change.
fn exposed(env: Env) -> Stack {
    let mut s = valid(env);
    s.add(
        Resource::new("aws_vpc_security_group_ingress_rule", "https")
            .set("security_group_id", "sg-1")
            .set("description", "HTTPS")
            .set("cidr_ipv4", "0.0.0.0/0")
            .set("ip_protocol", "tcp")
            .set("from_port", 443)
            .set("to_port", 443),
    );
    s
}

/// An attribute the schema does not know: the stack cannot be built.
fn invalid(env: Env) -> Stack {
    let mut s = valid(env);
    s.add(Resource::new("aws_vpc", "other").set("cidr_blok", "10.1.0.0/16"));
    s
}

/// A command's name, the stack it runs on, its arguments, and the exit it must end with.
type Row<'a> = (&'a str, fn(Env) -> Stack, Vec<&'a str>, Status);

fn registry(build: fn(Env) -> Stack) -> Registry<Env> {
    Registry::new(vec![StackDef { name: "net", description: "a VPC", build, settings: None }])
}

/// Writes what `check` compares with (the snapshots) and what `diff --against` reads (a
/// `synth` folder) and the committed pipelines for `build` into `dir`.
fn baselines(build: fn(Env) -> Stack, dir: &Path) -> (String, String, String) {
    let snapshots = dir.join("snapshots");
    std::fs::create_dir_all(&snapshots).expect("mkdir");
    let registry = registry(build);
    regenerate(&registry, &snapshots);
    let synth = dir.join("synth");
    let (code, _, err) = run(&registry, &["synth", "production", "--out", synth.to_str().expect("utf-8"), "-q"]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let ci = dir.join("ci");
    let (code, _, err) = run(&registry, &["pipeline", "--into", ci.to_str().expect("utf-8"), "-q"]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let path = |p: PathBuf| p.to_str().expect("utf-8").to_owned();
    (path(snapshots), path(synth), path(ci))
}

/// For `convert`: a root module's folder, and two folders to write into.
fn convert_folders(dir: &Path) -> [String; 3] {
    let terraform = dir.join("tf");
    std::fs::create_dir_all(&terraform).expect("mkdir");
    std::fs::write(terraform.join("main.tf"), "resource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n")
        .expect("write");
    [terraform, dir.join("converted"), dir.join("unplanned")].map(|p| p.to_str().expect("utf-8").to_owned())
}

#[test]
fn every_command_keeps_to_the_exit_code_contract() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (snapshots, baseline, ci) = baselines(valid, dir.path());
    let out = dir.path().join("out");
    let out = out.to_str().expect("utf-8");
    let snapshots = snapshots.as_str();
    let baseline = baseline.as_str();
    let ci = ci.as_str();
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full");
    let [terraform, converted, unplanned] = convert_folders(dir.path());
    let (terraform, converted, unplanned) = (terraform.as_str(), converted.as_str(), unplanned.as_str());
    #[rustfmt::skip]
    let rows: Vec<Row> = vec![
        ("synth", valid, vec!["synth", "production", "--out", out], Status::Success),
        ("synth", invalid, vec!["synth", "production", "--stdout"], Status::Failure),
        ("synth", finding, vec!["synth", "production", "--stdout"], Status::Failure),
        ("synth", valid, vec!["synth", "prod"], Status::Usage),
        ("synth", valid, vec!["synth", "production", "--stdout", "--prune"], Status::Usage),
        ("check", valid, vec!["check", "--snapshots", snapshots, "--pipelines", ci], Status::Success),
        ("check", invalid, vec!["check", "--snapshots", snapshots, "--pipelines", ci], Status::Failure),
        ("check", valid, vec!["check", "--snapshots", "/nonexistent/snapshots"], Status::Usage),
        ("check", changed, vec!["check", "--snapshots", snapshots, "--pipelines", ci], Status::Found),
        ("diff", valid, vec!["diff", "production", "--against", baseline, "--exit-code"], Status::Success),
        ("diff", changed, vec!["diff", "production", "--against", baseline], Status::Success),
        ("diff", invalid, vec!["diff", "production", "--against", baseline, "--exit-code"], Status::Failure),
        ("diff", valid, vec!["diff", "production", "--against", "/nonexistent"], Status::Usage),
        ("diff", changed, vec!["diff", "production", "--against", baseline, "--exit-code"], Status::Found),
        ("diff", changed, vec!["diff", "staging", "production", "--exit-code"], Status::Success),
        ("diff", exposed, vec!["diff", "production", "--against", baseline, "--exit-code", "--fail-on", "broadening"], Status::Unapproved),
        ("diff", changed, vec!["diff", "production", "--against", baseline, "--fail-on", "broadening"], Status::Success),
        ("summary", valid, vec!["summary", "production"], Status::Success),
        ("summary", invalid, vec!["summary", "production"], Status::Failure),
        ("summary", valid, vec!["summary", "production", "--format", "yaml"], Status::Usage),
        ("summary", exposed, vec!["summary", "production", "--against", baseline, "--fail-on", "broadening"], Status::Unapproved),
        ("summary", valid, vec!["summary", "production", "--fail-on", "narrowing"], Status::Usage),
        ("graph", valid, vec!["graph", "production"], Status::Success),
        ("graph", invalid, vec!["graph", "production"], Status::Failure),
        ("graph", valid, vec!["graph", "production", "--stack", "nope"], Status::Usage),
        ("lint", valid, vec!["lint", "production"], Status::Success),
        ("lint", invalid, vec!["lint", "production"], Status::Failure),
        ("lint", valid, vec!["lint", "prod"], Status::Usage),
        ("lint", finding, vec!["lint", "production"], Status::Found),
        ("lint", finding, vec!["lint", "production", "--format", "json"], Status::Found),
        ("plan", invalid, vec!["plan", "production", "--out", out], Status::Failure),
        ("plan", valid, vec!["plan", "prod"], Status::Usage),
        ("apply", valid, vec!["apply", "production", "--out", out, "--saved", "/nonexistent/saved"], Status::Failure),
        ("apply", invalid, vec!["apply", "production", "--out", out, "--saved", "/nonexistent/saved"], Status::Failure),
        ("apply", valid, vec!["apply", "production", "--out", out], Status::Usage),
        ("apply", valid, vec!["apply", "prod", "--saved", "/nonexistent/saved"], Status::Usage),
        ("lock", invalid, vec!["lock", "production", "--out", out], Status::Failure),
        ("lock", valid, vec!["lock", "production", "--out", out, "--plugin-dir", "/nonexistent/mirror"], Status::Failure),
        ("lock", valid, vec!["lock", "prod"], Status::Usage),
        ("pipeline", valid, vec!["pipeline", "--format", "github"], Status::Success),
        ("pipeline", valid, vec!["pipeline", "--format", "github-drift"], Status::Success),
        ("pipeline", valid, vec!["pipeline", "--into", "/dev/null/ci"], Status::Failure),
        ("pipeline", valid, vec!["pipeline", "--format", "jenkins"], Status::Usage),
        ("apply-test", invalid, vec!["apply-test", "development"], Status::Failure),
        ("apply-test", valid, vec!["apply-test", "prod"], Status::Usage),
        ("convert", valid, vec!["convert", terraform, "--stack", "legacy", "--out", converted], Status::Success),
        ("convert", valid, vec!["convert", terraform, "--stack", "legacy", "--out", converted], Status::Failure),
        ("convert", valid, vec!["convert", terraform, "--stack", "legacy", "--out", unplanned, "--verify", "--plugin-dir", "/nonexistent/mirror"], Status::Failure),
        ("convert", valid, vec!["convert", "/nonexistent/tf", "--stack", "legacy"], Status::Usage),
        ("convert", valid, vec!["convert", terraform, "--stack", "Legacy-App"], Status::Usage),
        ("list", valid, vec!["list"], Status::Success),
        ("list", valid, vec!["list", "extra"], Status::Usage),
        ("providers", valid, vec!["providers"], Status::Success),
        ("providers", valid, vec!["providers", "--format", "yaml"], Status::Usage),
        ("completions", valid, vec!["completions", "bash"], Status::Success),
        ("completions", valid, vec!["completions", "tcsh"], Status::Usage),
        ("help", valid, vec!["--help"], Status::Success),
        ("help", valid, vec!["--frobnicate"], Status::Usage),
    ];
    let mut wrong = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (command, build, args, expected) in rows {
        let (code, stdout, stderr) = run(&registry(build), &args);
        seen.insert(command);
        if code != ExitCode::from(expected) {
            wrong.push(format!("tfsynth {}: expected {expected:?}\n{stdout}{stderr}", args.join(" ")));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    // A command added to the command line is added here too.
    let commands: Vec<String> = tfsynth::cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .filter(|name| name != "help")
        .collect();
    let missing: Vec<&String> = commands.iter().filter(|c| !seen.contains(c.as_str())).collect();
    assert!(missing.is_empty(), "commands with no exit-code row: {missing:?}");
    // A full output is a failure, not a panic (exit 101).
    if let Ok(full) = full {
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_tfsynth"))
            .args(["completions", "bash"])
            .stdout(full)
            .output()
            .expect("run");
        assert_eq!(run.status.code(), Some(Status::Failure as i32));
    }
}

/// A stack without resources plans no changes (`0`); one with a resource plans changes (`3`).
#[cfg(not(skip_tools))]
#[test]
fn plan_says_changes_with_its_own_code() {
    fn empty(env: Env) -> Stack {
        Stack::new("net", env.name()).with_tier(env.tier())
    }
    let mirror = super::common::tools::terraform().plugin_dir().to_str().expect("utf-8").to_owned();
    for (build, expected) in [(empty as fn(Env) -> Stack, Status::Success), (valid, Status::Found)] {
        let has_provider = expected == Status::Found;
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().to_str().expect("utf-8");
        let registry = registry(build);
        let (code, _, err) = run(&registry, &["synth", "production", "--out", out, "-q"]);
        assert_eq!(code, ExitCode::SUCCESS, "{err}");
        let folder = dir.path().join("net/production");
        if has_provider {
            std::fs::write(folder.join("offline_override.tf.json"), tfsynth::tools::mock_override(&[])).expect("write");
        }
        let args =
            ["plan", "production", "--out", out, "--no-refresh", "--plugin-dir", &mirror, "--allow-unowned-files"];
        let (code, stdout, err) = run(&registry, &args);
        assert_eq!(code, ExitCode::from(expected), "{stdout}{err}");
    }
}
