//! The `tfsynth` command line: output, exit codes, and what is (not) written.

mod common;

use std::path::Path;
use std::process::{Command, ExitCode, Output};

use tfsynth::prelude::*;
use tfsynth::stacks::Env;

fn tfsynth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tfsynth")).args(args).output().expect("run tfsynth")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every file below `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path.strip_prefix(dir).expect("inside").display().to_string());
            }
        }
    }
    files.sort();
    files
}

#[test]
fn synth_writes_every_stack_for_the_environment() {
    let out = tempfile::tempdir().expect("temp dir");
    let dir = out.path().to_str().expect("utf-8 path");
    for format in Format::ALL {
        let run = tfsynth(&["synth", "production", "--out", dir, "--format", format.name()]);
        assert!(run.status.success(), "{}", text(&run.stderr));
        let written =
            std::fs::read_to_string(out.path().join("takeoff/production").join(format.file_name())).expect("written");
        assert_eq!(written, common::synth("takeoff", Env::Production, format));
        assert!(text(&run.stderr).contains("wrote "), "{}", text(&run.stderr));
    }
    let mut expected: Vec<String> = tfsynth::stacks::registry()
        .stacks()
        .iter()
        .flat_map(|d| Format::ALL.map(|f| format!("{}/production/{}", d.name, f.file_name())))
        .collect();
    expected.sort();
    assert_eq!(tree(out.path()), expected);
}

#[test]
fn synth_is_byte_identical_across_runs() {
    let first = tfsynth(&["synth", "staging", "--stdout"]);
    let second = tfsynth(&["synth", "staging", "--stdout"]);
    assert!(first.status.success());
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn stdout_prints_instead_of_writing() {
    let run = tfsynth(&["synth", "development", "--stack", "takeoff", "--stdout", "--format", "hcl"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(text(&run.stdout), common::synth("takeoff", Env::Development, Format::Hcl));
}

#[test]
fn list_shows_stacks_and_environments() {
    let run = tfsynth(&["list"]);
    assert!(run.status.success());
    let stdout = text(&run.stdout);
    assert!(stdout.contains("environments: development, staging, production"), "{stdout}");
    assert!(stdout.contains("takeoff"), "{stdout}");
}

#[test]
fn unknown_environment_is_a_usage_error_listing_the_known_ones() {
    let out = tempfile::tempdir().expect("temp dir");
    let run = tfsynth(&["synth", "prod", "--out", out.path().to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains("unknown environment `prod`; known environments: development, staging, production"),
        "{stderr}"
    );
    assert!(tree(out.path()).is_empty());
}

#[test]
fn unknown_stack_is_a_usage_error_listing_the_known_ones() {
    let run = tfsynth(&["synth", "production", "--stack", "takeof"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        text(&run.stderr).contains("unknown stack `takeof`; known stacks: takeoff, cvd, ai-prism, svg-ai, showcase"),
        "{}",
        text(&run.stderr)
    );
}

#[test]
fn bad_flags_are_usage_errors() {
    let run = tfsynth(&["synth", "production", "--format", "yaml"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(text(&run.stderr).contains("invalid value 'yaml'"), "{}", text(&run.stderr));
    assert!(tfsynth(&["frobnicate"]).status.code() == Some(2));
}

#[test]
fn out_path_that_is_a_file_fails_and_is_left_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("out");
    std::fs::write(&file, "keep me").expect("write");
    let run = tfsynth(&["synth", "production", "--out", file.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains("exists and is not a folder"), "{}", text(&run.stderr));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
}

#[test]
fn help_has_examples() {
    let run = tfsynth(&["synth", "--help"]);
    assert!(run.status.success());
    assert!(text(&run.stdout).contains("tfsynth synth production"));
}

/// A registry with one good and one broken stack, to check a failed synth writes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TestEnv {
    Only,
}

impl Environment for TestEnv {
    const ALL: &'static [Self] = &[TestEnv::Only];
    fn name(self) -> &'static str {
        "only"
    }
}

fn good(_: TestEnv) -> Stack {
    let mut s = common::stack();
    s.add(Resource::new("aws_vpc", "main").set("cidr_block", "10.0.0.0/16"));
    s
}

fn broken(_: TestEnv) -> Stack {
    let mut s = Stack::new("broken", "only");
    s.add(Resource::new("aws_vpc", "main").set("cidr_blok", "10.0.0.0/16"));
    s
}

#[test]
fn a_failed_synth_writes_nothing_and_keeps_old_output() {
    let registry = Registry::new(vec![
        StackDef { name: "good", description: "valid", build: good, settings: None },
        StackDef { name: "broken", description: "invalid", build: broken, settings: None },
    ]);
    let out = tempfile::tempdir().expect("temp dir");
    let old = out.path().join("good/only/main.tf.json");
    std::fs::create_dir_all(old.parent().unwrap()).unwrap();
    std::fs::write(&old, "previous output").unwrap();

    let code = tfsynth::cli::run(&registry, ["tfsynth", "synth", "only", "--out", out.path().to_str().unwrap()]);
    assert_eq!(code, ExitCode::from(1));
    assert_eq!(std::fs::read_to_string(&old).unwrap(), "previous output");
    assert_eq!(tree(out.path()), ["good/only/main.tf.json"]);

    let code = tfsynth::cli::run(
        &registry,
        ["tfsynth", "synth", "only", "--stack", "good", "--out", out.path().to_str().unwrap()],
    );
    assert_eq!(code, ExitCode::SUCCESS);
    assert!(std::fs::read_to_string(&old).unwrap().contains("\"aws_vpc\""));
}

#[test]
fn stale_files_are_reported_and_removed_only_with_prune() {
    let out = tempfile::tempdir().expect("temp dir");
    let dir = out.path().to_str().expect("utf-8 path");
    let outside = tempfile::tempdir().expect("temp dir");
    let precious = outside.path().join("precious.txt");
    std::fs::write(&precious, "user file").expect("write");
    for stale in ["removed-stack/production/main.tf.json", "takeoff/qa/main.tf", "takeoff/production/notes.txt"] {
        let path = out.path().join(stale);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, "old").expect("write");
    }
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path(), out.path().join("link-outside")).expect("symlink");

    let run = tfsynth(&["synth", "production", "--stack", "ai-prism", "--out", dir]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let stderr = text(&run.stderr);
    for stale in ["removed-stack/production/main.tf.json", "takeoff/qa/main.tf", "takeoff/production/notes.txt"] {
        assert!(stderr.contains(&format!("warning: {dir}/{stale} is not produced by any stack")), "{stderr}");
        assert!(out.path().join(stale).exists(), "{stale} was removed without --prune");
    }
    assert!(text(&run.stdout).is_empty(), "messages go to stderr");

    let run = tfsynth(&["synth", "production", "--stack", "ai-prism", "--out", dir, "--prune"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(text(&run.stderr).contains(&format!("removed {dir}/removed-stack/production/main.tf.json")));
    assert_eq!(tree(out.path()), ["ai-prism/production/main.tf.json"]);
    assert_eq!(std::fs::read_to_string(&precious).expect("outside file"), "user file", "pruned outside --out");
}

#[test]
fn prune_keeps_other_environments_and_formats() {
    let out = tempfile::tempdir().expect("temp dir");
    let dir = out.path().to_str().expect("utf-8 path");
    assert!(tfsynth(&["synth", "staging", "--stack", "cvd", "--format", "hcl", "--out", dir]).status.success());
    let run = tfsynth(&["synth", "production", "--stack", "cvd", "--out", dir, "--prune"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(!text(&run.stderr).contains("removed"), "{}", text(&run.stderr));
    assert_eq!(tree(out.path()), ["cvd/production/main.tf.json", "cvd/staging/main.tf"]);
}

#[test]
fn a_killed_synth_leaves_each_file_old_or_new_never_mixed() {
    let reference = tempfile::tempdir().expect("temp dir");
    let started = std::time::Instant::now();
    let run = tfsynth(&["synth", "production", "--format", "hcl", "--out", reference.path().to_str().unwrap()]);
    assert!(run.status.success());
    // Kill at 28 points from the start to 1.75 runs (debug builds are slow, CI machines noisy).
    let whole = started.elapsed().as_micros();
    let delays = (0..28u32).map(|i| u64::try_from(whole * u128::from(i) / 16).unwrap_or(u64::MAX));
    let files: Vec<String> = tree(reference.path());
    let old = "# previous output\n";
    let mut outcomes = std::collections::BTreeSet::new();
    for delay_us in delays {
        let out = tempfile::tempdir().expect("temp dir");
        for f in &files {
            let path = out.path().join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, old).unwrap();
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_tfsynth"))
            .args(["synth", "production", "--format", "hcl", "--out", out.path().to_str().unwrap()])
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn tfsynth");
        std::thread::sleep(std::time::Duration::from_micros(delay_us));
        let _ = child.kill();
        let _ = child.wait();
        let mut new_files = 0;
        for f in &files {
            let got = std::fs::read_to_string(out.path().join(f)).expect("the file still exists");
            let new = std::fs::read_to_string(reference.path().join(f)).unwrap();
            assert!(
                got == old || got == new,
                "{f} is neither the old nor the new output after a kill at {delay_us} µs"
            );
            new_files += usize::from(got == new);
        }
        outcomes.insert(new_files);
    }
    // The kills landed before, during and after the writes: all-old, all-new and mixed trees.
    assert!(outcomes.contains(&0) && outcomes.contains(&files.len()), "kill timings covered only {outcomes:?}");
}
