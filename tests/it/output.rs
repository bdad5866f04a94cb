//! The output folder never hurts the user: tfsynth writes only where it owns the folder (a
//! manifest lists what it wrote), removes only what it wrote, stages every file before any is
//! renamed into place, takes a lock, follows no link, keeps unchanged files, and never leaves a
//! stack folder holding both formats.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use tfsynth::prelude::*;

use super::common::{outputs, text, tfsynth, tree};

fn synth_into(dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["synth", "production", "--out", dir.to_str().expect("utf-8")];
    args.extend_from_slice(extra);
    tfsynth(&args)
}

/// Every file below `dir` with its text.
fn contents(dir: &Path) -> Vec<(String, String)> {
    tree(dir).into_iter().map(|f| (f.clone(), std::fs::read_to_string(dir.join(&f)).unwrap_or_default())).collect()
}

/// A user's folder: a repository with notes and sources.
fn users_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in
        [(".git/HEAD", "ref: refs/heads/main\n"), ("notes.md", "mine\n"), ("src/main.rs", "fn main() {}\n")]
    {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

#[test]
fn a_folder_tfsynth_did_not_write_is_refused() {
    let dir = users_folder();
    let before = tree(dir.path());
    for extra in [&[][..], &["--prune"]] {
        let run = synth_into(dir.path(), extra);
        assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
        let err = text(&run.stderr);
        assert!(err.contains("is not empty and tfsynth did not write it (no .tfsynth-manifest.json)"), "{err}");
        assert!(err.contains("--allow-unowned-files"), "{err}");
        assert_eq!(tree(dir.path()), before, "nothing was written or removed");
    }
}

#[test]
fn files_tfsynth_did_not_write_are_never_removed_or_reported() {
    let dir = users_folder();
    let run = synth_into(dir.path(), &["--allow-unowned-files"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    for extra in [&["--prune"][..], &[]] {
        let run = synth_into(dir.path(), extra);
        assert!(run.status.success(), "{}", text(&run.stderr));
        let err = text(&run.stderr);
        assert!(!err.contains("notes.md") && !err.contains(".git") && !err.contains("warning"), "{err}");
    }
    for kept in [".git/HEAD", "notes.md", "src/main.rs"] {
        assert!(dir.path().join(kept).is_file(), "{kept} was touched");
    }
    let manifest = std::fs::read_to_string(dir.path().join(".tfsynth-manifest.json")).expect("manifest");
    assert!(!manifest.contains("notes.md") && manifest.contains("takeoff/production/main.tf.json"), "{manifest}");
}

/// `--allow-unowned-files` lets tfsynth write beside a user's files, never over them: a user's
/// `main.tf.json` where a stack goes, or a `main.tf` beside the JSON tfsynth wrote, survives byte
/// for byte (the run is refused, nothing written), whatever the format or `--prune`.
#[test]
fn a_users_file_where_a_stack_goes_is_never_replaced() {
    let mine = "{\"resource\": {\"mine\": \"hand-written\"}}\n";
    let dir = users_folder();
    let users = dir.path().join("takeoff/production/main.tf.json");
    std::fs::create_dir_all(users.parent().expect("parent")).expect("mkdir");
    std::fs::write(&users, mine).expect("write");
    let before = contents(dir.path());
    for extra in [&["--allow-unowned-files"][..], &["--allow-unowned-files", "--prune"]] {
        let run = synth_into(dir.path(), extra);
        assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
        let err = text(&run.stderr);
        assert!(err.contains("takeoff/production/main.tf.json: exists and tfsynth did not write it"), "{err}");
        assert!(err.contains("move it away or choose another --out"), "{err}");
        assert_eq!(contents(dir.path()), before, "the refused run changed the folder");
    }
    // Moved away, the stacks are written; a hand-written `main.tf` put beside tfsynth's JSON
    // then stops a switch to HCL instead of being replaced (and the JSON stays as well).
    std::fs::remove_file(&users).expect("move away");
    assert!(synth_into(dir.path(), &["--allow-unowned-files"]).status.success());
    let hcl = dir.path().join("cvd/production/main.tf");
    std::fs::write(&hcl, mine).expect("write");
    let before = contents(dir.path());
    let run = synth_into(dir.path(), &["--format", "hcl", "--prune"]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    assert!(text(&run.stderr).contains("cvd/production/main.tf: exists and tfsynth did not write it"));
    assert_eq!(contents(dir.path()), before, "the refused run changed the folder");
    assert_eq!(std::fs::read(&hcl).expect("kept"), mine.as_bytes());
}

/// A first run into a new folder interrupted (Ctrl-C) leaves no manifest, only its lock file and
/// temporary files: the next run knows them for its own, writes, and `--prune` cleans them.
#[test]
fn an_interrupted_first_run_leaves_a_folder_tfsynth_still_owns() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, contents) in [(".tfsynth.lock", ""), ("cvd/production/.tfsynth-tmp-4242-0", "half")] {
        std::fs::create_dir_all(dir.path().join(path).parent().expect("parent")).expect("mkdir");
        std::fs::write(dir.path().join(path), contents).expect("write");
    }
    let run = synth_into(dir.path(), &["--stack", "takeoff"]);
    let err = text(&run.stderr);
    assert!(run.status.success(), "{err}");
    assert!(err.contains(".tfsynth-tmp-4242-0 is a temporary file of an interrupted run"), "{err}");
    let run = synth_into(dir.path(), &["--prune"]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(!dir.path().join("cvd/production/.tfsynth-tmp-4242-0").exists(), "--prune left the temporary file");
    // One file of the user's among the leftovers makes it a folder tfsynth does not own again.
    let other = tempfile::tempdir().expect("temp dir");
    for path in ["cvd/production/.tfsynth-tmp-1-0", "cvd/notes.md"] {
        std::fs::create_dir_all(other.path().join(path).parent().expect("parent")).expect("mkdir");
        std::fs::write(other.path().join(path), "x").expect("write");
    }
    let run = synth_into(other.path(), &["--prune"]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    assert!(other.path().join("cvd/production/.tfsynth-tmp-1-0").exists(), "removed from a folder it does not own");
}

#[test]
fn prune_removes_only_what_tfsynth_wrote_and_no_stack_produces() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(synth_into(dir.path(), &[]).status.success());
    // A stack written earlier that is gone now, a file a user put there, and a temporary file
    // of a run that was killed.
    let manifest = dir.path().join(".tfsynth-manifest.json");
    let text_before = std::fs::read_to_string(&manifest).expect("manifest");
    std::fs::write(
        &manifest,
        text_before.replace("\"files\": [", "\"files\": [\n    \"retired/production/main.tf.json\","),
    )
    .expect("edit");
    for (path, contents) in [
        ("retired/production/main.tf.json", "{}"),
        ("takeoff/production/notes.txt", "mine"),
        ("cvd/production/.tfsynth-tmp-999-0", "half"),
    ] {
        std::fs::create_dir_all(dir.path().join(path).parent().expect("parent")).expect("mkdir");
        std::fs::write(dir.path().join(path), contents).expect("write");
    }
    let run = synth_into(dir.path(), &[]);
    let err = text(&run.stderr);
    assert!(run.status.success(), "{err}");
    assert!(
        err.contains(
            "retired/production/main.tf.json was written by tfsynth but no stack produces it any more; run with --prune"
        ),
        "{err}"
    );
    assert!(err.contains(".tfsynth-tmp-999-0 is a temporary file of an interrupted run"), "{err}");
    assert!(!err.contains("notes.txt"), "a user's file is not reported: {err}");
    assert!(dir.path().join("retired/production/main.tf.json").exists(), "removed without --prune");

    let run = synth_into(dir.path(), &["--prune"]);
    let err = text(&run.stderr);
    assert!(run.status.success(), "{err}");
    assert!(err.contains("retired/production/main.tf.json (no stack produces it)"), "{err}");
    assert!(!dir.path().join("retired").exists(), "emptied folders go too");
    let listed = std::fs::read_to_string(&manifest).expect("manifest");
    assert!(!listed.contains("retired/") && listed.contains("takeoff/production/main.tf.json"), "{listed}");
    assert!(!dir.path().join("cvd/production/.tfsynth-tmp-999-0").exists());
    assert_eq!(std::fs::read_to_string(dir.path().join("takeoff/production/notes.txt")).expect("kept"), "mine");
}

#[test]
fn switching_format_removes_the_other_file_tfsynth_wrote() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(synth_into(dir.path(), &["--format", "hcl"]).status.success());
    // Another environment's HCL stays: this run writes production only.
    assert!(
        tfsynth(&["synth", "staging", "--stack", "cvd", "--format", "hcl", "--out", dir.path().to_str().unwrap()])
            .status
            .success()
    );
    let run = synth_into(dir.path(), &[]);
    let err = text(&run.stderr);
    assert!(run.status.success(), "{err}");
    assert!(err.contains("takeoff/production/main.tf (the stack is now written in the other format)"), "{err}");
    let files: Vec<String> = tree(dir.path()).into_iter().filter(|f| !f.starts_with(".tfsynth")).collect();
    let mut expected = outputs("production", Format::Json);
    expected.push("cvd/staging/main.tf".into());
    expected.sort();
    assert_eq!(files, expected);
    // The manifest lists what is there now: the production HCL it removed is gone from it.
    let listed = std::fs::read_to_string(dir.path().join(".tfsynth-manifest.json")).expect("manifest");
    assert!(!listed.contains("\"takeoff/production/main.tf\""), "{listed}");
    assert!(
        listed.contains("\"takeoff/production/main.tf.json\"") && listed.contains("\"cvd/staging/main.tf\""),
        "{listed}"
    );
}

#[cfg(unix)]
#[test]
fn files_get_the_mode_the_umask_gives_and_unchanged_ones_are_left_alone() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(synth_into(dir.path(), &[]).status.success());
    let written = dir.path().join("cvd/production/main.tf.json");
    let reference = dir.path().join("reference");
    std::fs::write(&reference, "").expect("a file made as the user makes one");
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").mode() & 0o777;
    assert_eq!(
        mode(&written),
        mode(&reference),
        "written {:o}, the umask gives {:o}",
        mode(&written),
        mode(&reference)
    );
    std::fs::remove_file(reference).expect("cleanup");

    let modified = std::fs::metadata(&written).expect("metadata").modified().expect("mtime");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let run = synth_into(dir.path(), &[]);
    let err = text(&run.stderr);
    assert!(err.contains("unchanged ") && !err.contains("wrote "), "{err}");
    assert_eq!(std::fs::metadata(&written).expect("metadata").modified().expect("mtime"), modified, "rewritten");
}

#[cfg(unix)]
#[test]
fn links_inside_the_folder_are_refused_never_followed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let outside = tempfile::tempdir().expect("temp dir");
    assert!(synth_into(dir.path(), &[]).status.success());
    std::fs::remove_dir_all(dir.path().join("cvd")).expect("remove");
    std::os::unix::fs::symlink(outside.path(), dir.path().join("cvd")).expect("symlink");
    for extra in [&[][..], &["--prune"]] {
        let run = synth_into(dir.path(), extra);
        assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
        let err = text(&run.stderr);
        assert!(err.contains(&format!("{}/cvd: is a symbolic link", dir.path().display())), "{err}");
        assert!(tree(outside.path()).is_empty(), "written through the link: {:?}", tree(outside.path()));
        assert!(dir.path().join("cvd").symlink_metadata().is_ok(), "the link was removed");
    }
}

#[test]
fn staging_fails_before_anything_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(synth_into(dir.path(), &["--format", "hcl"]).status.success());
    let before = contents(dir.path());
    // One stack's folder is blocked by a file: no stack may change.
    std::fs::remove_dir_all(dir.path().join("svg-ai")).expect("remove");
    std::fs::write(dir.path().join("svg-ai"), "a file where a folder goes").expect("write");
    let run = synth_into(dir.path(), &[]);
    assert_eq!(run.status.code(), Some(1));
    let err = text(&run.stderr);
    assert!(err.contains("svg-ai: exists and is not a folder"), "{err}");
    for (file, contents) in before.iter().filter(|(f, _)| !f.starts_with("svg-ai")) {
        assert_eq!(&std::fs::read_to_string(dir.path().join(file)).unwrap_or_default(), contents, "{file} changed");
    }
    let left = tree(dir.path());
    assert!(!left.iter().any(|f| f.contains(".tfsynth-tmp-") || f.ends_with("main.tf.json")), "{left:?}");
}

#[test]
fn a_second_run_waits_for_the_lock() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(synth_into(dir.path(), &["--stack", "cvd"]).status.success());
    let lock = std::fs::OpenOptions::new().write(true).open(dir.path().join(".tfsynth.lock")).expect("lock file");
    lock.lock().expect("hold the lock");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tfsynth"))
        .args(["synth", "production", "--stack", "takeoff", "--out", dir.path().to_str().unwrap()])
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut first = String::new();
    stderr.read_line(&mut first).expect("a message");
    assert!(first.starts_with("waiting for another tfsynth run to finish writing"), "{first}");
    assert!(!dir.path().join("takeoff").exists(), "wrote while another run held the lock");
    lock.unlock().expect("release");
    let status = child.wait().expect("wait");
    assert!(status.success());
    assert!(dir.path().join("takeoff/production/main.tf.json").is_file());
}

#[test]
fn concurrent_runs_with_prune_all_succeed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_str().unwrap().to_owned();
    let children: Vec<_> = ["json", "hcl", "json", "hcl"]
        .into_iter()
        .map(|format| {
            Command::new(env!("CARGO_BIN_EXE_tfsynth"))
                .args(["synth", "production", "--prune", "--format", format, "--out", &out])
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in children {
        let run = child.wait_with_output().expect("wait");
        assert!(run.status.success(), "{}", text(&run.stderr));
    }
    let files: Vec<String> = tree(dir.path()).into_iter().filter(|f| !f.starts_with(".tfsynth")).collect();
    assert!(files == outputs("production", Format::Json) || files == outputs("production", Format::Hcl), "{files:?}");
}

/// Whatever moment a run is killed at, every file is either old or new, and the next run with
/// `--prune` leaves a clean folder.
#[cfg(unix)]
#[test]
fn a_killed_run_leaves_each_file_old_or_new() {
    let reference = tempfile::tempdir().expect("temp dir");
    assert!(synth_into(reference.path(), &["--format", "hcl"]).status.success());
    let files = outputs("production", Format::Hcl);
    let old = "# previous output\n";
    for attempt in 0..4 {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(synth_into(dir.path(), &["--format", "hcl"]).status.success());
        for f in &files {
            std::fs::write(dir.path().join(f), old).expect("write old");
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_tfsynth"))
            .args(["synth", "production", "--format", "hcl", "--out", dir.path().to_str().unwrap()])
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        // Kill once staging has begun (or the run is over): a later attempt waits longer.
        for _ in 0..attempt * 50 {
            if tree(dir.path()).iter().any(|f| f.contains(".tfsynth-tmp-")) || child.try_wait().ok().flatten().is_some()
            {
                break;
            }
            std::thread::yield_now();
        }
        let _ = child.kill();
        let _ = child.wait();
        for f in &files {
            let got = std::fs::read_to_string(dir.path().join(f)).expect("the file still exists");
            let new = std::fs::read_to_string(reference.path().join(f)).expect("reference");
            assert!(got == old || got == new, "{f} is neither old nor new after a kill");
        }
        let run = synth_into(dir.path(), &["--format", "hcl", "--prune"]);
        assert!(run.status.success(), "{}", text(&run.stderr));
        let left: Vec<String> = tree(dir.path()).into_iter().filter(|f| f.contains(".tfsynth-tmp-")).collect();
        assert!(left.is_empty(), "temporary files survived --prune: {left:?}");
    }
}

#[test]
fn the_library_writes_a_stack_built_outside_the_registry() {
    use tfsynth::pipeline::{WriteOptions, write};
    let mut stack = Stack::new("outside", "sandbox").with_tier(Tier::Development);
    stack.provider(Provider::aws("us-east-1"));
    stack.add(Resource::new("aws_sqs_queue", "jobs").set("name", "jobs").set("sqs_managed_sse_enabled", true));
    let file = synth(&stack, Format::Hcl).expect("valid");
    let dir = tempfile::tempdir().expect("temp dir");
    let report = write(dir.path(), &[file], &WriteOptions::default()).expect("written");
    assert_eq!(report.changes.len(), 1);
    assert!(dir.path().join("outside/sandbox/main.tf").is_file());
    // A production stack with a finding is refused by the same call `synth` makes.
    let mut prod = Stack::new("outside", "production");
    prod.add(
        Resource::new("aws_db_instance", "db")
            .set("instance_class", "db.t4g.micro")
            .set("storage_encrypted", true)
            .set("backup_retention_period", 7),
    );
    let err = synth(&prod, Format::Json).unwrap_err().to_string();
    assert!(err.contains("TFS006 deletion protection is off in production"), "{err}");
    // A schema problem is refused too, though the rendering runs beside the checks.
    let mut typo = Stack::new("outside", "sandbox");
    typo.add(Resource::new("aws_sqs_queue", "jobs").set("nmae", "jobs"));
    let err = synth(&typo, Format::Hcl).unwrap_err().to_string();
    assert!(err.contains("aws_sqs_queue.jobs") && err.contains("nmae"), "{err}");
}

/// A stack that passes, and one that fails its checks.
fn passing_and_failing() -> Registry<stacks::Env> {
    use stacks::Env;
    fn queue(name: &str, env: Env) -> Stack {
        let mut stack = Stack::new(name, env.name()).with_tier(env.tier());
        stack.provider(Provider::aws("us-east-1"));
        stack.add(Resource::new("aws_sqs_queue", "jobs").set("name", "jobs").set("sqs_managed_sse_enabled", true));
        stack
    }
    fn passes(env: Env) -> Stack {
        queue("passes", env)
    }
    fn fails(env: Env) -> Stack {
        let mut stack = queue("fails", env);
        stack.add(Resource::new("aws_sqs_queue", "typo").set("nmae", "typo"));
        stack
    }
    let def = |name, build| StackDef { name, description: name, build, settings: None };
    Registry::new(vec![def("passes", passes), def("fails", fails)])
}

#[test]
fn a_failing_stack_takes_back_what_the_others_staged() {
    // Stacks are staged by the worker that rendered them while others are still being built:
    // one failing afterwards must leave no trace, in a folder written before or in a new one.
    let registry = passing_and_failing();
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("new");
    let out_arg = out.to_str().expect("utf-8");
    let (code, _, err) = super::common::run(&registry, &["synth", "production", "--out", out_arg]);
    assert_eq!(code, std::process::ExitCode::from(1), "{err}");
    assert!(err.contains("nmae"), "{err}");
    assert!(!out.exists(), "the folder made for the run is left: {:?}", tree(&out));
    let (code, _, err) = super::common::run(&registry, &["synth", "production", "--stack", "passes", "--out", out_arg]);
    assert_eq!(code, std::process::ExitCode::SUCCESS, "{err}");
    let before = contents(&out);
    let (code, _, err) = super::common::run(&registry, &["synth", "production", "--format", "hcl", "--out", out_arg]);
    assert_eq!(code, std::process::ExitCode::from(1), "{err}");
    let after = contents(&out);
    assert_eq!(after, before, "a failed synth changed the folder");
}
