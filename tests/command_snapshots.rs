//! The reviewer-facing output of each command, pinned with `insta_cmd`: a PR that changes what
//! `summary`, `diff`, `lint` or `graph` print shows it as a snapshot diff (stdout, stderr and
//! the exit code).

use std::process::Command;

use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};

fn tfsynth(args: &[&str]) -> Command {
    let mut cmd = Command::new(get_cargo_bin("tfsynth"));
    cmd.args(args).env("NO_COLOR", "1");
    cmd
}

#[test]
fn summary_production() {
    assert_cmd_snapshot!(tfsynth(&["summary", "production"]));
}

#[test]
fn diff_staging_production_takeoff() {
    assert_cmd_snapshot!(tfsynth(&["diff", "staging", "production", "--stack", "takeoff"]));
}

#[test]
fn lint_production_verbose() {
    assert_cmd_snapshot!(tfsynth(&["lint", "production", "--verbose"]));
}

#[test]
fn graph_ai_prism() {
    assert_cmd_snapshot!(tfsynth(&["graph", "production", "--stack", "ai-prism"]));
}

#[test]
fn diff_unknown_environment() {
    assert_cmd_snapshot!(tfsynth(&["diff", "staging", "prod"]));
}
