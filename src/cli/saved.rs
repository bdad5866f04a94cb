//! Saved plans: `tfsynth plan --save DIR` keeps what a reviewer saw, and `tfsynth apply --saved
//! DIR` applies exactly that — the same plan file, on the same synthesized configuration, with
//! the same provider lock — or refuses. `tfsynth lock` writes the lock file they carry.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::args::{ApplyArgs, LockArgs};
use super::commands::synthesize_into;
use super::request::Request;
use super::{Console, Failure, Status};
use crate::error::{Diagnostic, Error};
use crate::pipeline::{Environment, Registry, WriteOptions, stack_levels};
use crate::render::Format;
use crate::tools::{LOCK_FILE, PLAN_FILE, apply_saved, lock_providers};

/// What a saved plan's folder holds: the plan file, its `terraform show -json`, the provider
/// lock file it was made with, and the SHA-256 of the synthesized files (`sha256sum` lines, so
/// `sha256sum -c` checks them by hand too).
const PLAN_JSON: &str = "plan.json";
const DIGEST_FILE: &str = "synth.sha256";

/// `sha256sum`'s lines for the files tfsynth synthesized into `dir`.
fn digest(dir: &Path) -> std::io::Result<String> {
    let mut lines = String::new();
    for format in Format::ALL {
        let path = dir.join(format.file_name());
        match std::fs::read(&path) {
            Ok(bytes) => {
                for byte in Sha256::digest(&bytes) {
                    let _ = write!(lines, "{byte:02x}");
                }
                let _ = writeln!(lines, "  {}", format.file_name());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(lines)
}

/// Keeps the plan just made in the stack folder `dir` (its JSON is `show`) in `into`.
pub(super) fn save(dir: &Path, show: &serde_json::Value, into: &Path) -> Result<(), String> {
    let step = |what: &str, e: std::io::Error| format!("saving the plan ({what}) into {}: {e}", into.display());
    std::fs::create_dir_all(into).map_err(|e| step("folder", e))?;
    std::fs::copy(dir.join(PLAN_FILE), into.join(PLAN_FILE)).map_err(|e| step(PLAN_FILE, e))?;
    let json = serde_json::to_vec(show).unwrap_or_default();
    std::fs::write(into.join(PLAN_JSON), json).map_err(|e| step(PLAN_JSON, e))?;
    match std::fs::copy(dir.join(LOCK_FILE), into.join(LOCK_FILE)) {
        Ok(_) => {}
        // A configuration without providers has no lock file.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(step(LOCK_FILE, e)),
    }
    let lines = digest(dir).map_err(|e| step(DIGEST_FILE, e))?;
    std::fs::write(into.join(DIGEST_FILE), lines).map_err(|e| step(DIGEST_FILE, e))
}

/// Why the saved plan in `saved` is not the plan of the configuration synthesized into `dir`,
/// if it is not.
fn stale(dir: &Path, saved: &Path) -> Option<String> {
    if !saved.join(PLAN_FILE).is_file() {
        return Some(format!("no saved plan in {}", saved.display()));
    }
    let Ok(planned) = std::fs::read_to_string(saved.join(DIGEST_FILE)) else {
        return Some(format!("{} has no {DIGEST_FILE}: it was not saved by `tfsynth plan --save`", saved.display()));
    };
    match digest(dir) {
        Ok(now) if now == planned => None,
        Ok(now) => Some(format!(
            "the configuration synthesized now is not the one planned (planned {}, now {})",
            planned.split_whitespace().next().unwrap_or("nothing"),
            now.split_whitespace().next().unwrap_or("nothing")
        )),
        Err(e) => Some(format!("reading {}: {e}", dir.display())),
    }
}

pub(super) fn apply<E: Environment>(registry: &Registry<E>, a: &ApplyArgs, c: &mut Console) -> Result<Status, Failure> {
    let req = Request::resolve(registry, &a.env, &a.stacks)?;
    let options = WriteOptions { prune: false, allow_unowned: a.allow_unowned_files };
    synthesize_into(registry, &req, Format::Json, &a.out, options, c)?;
    let env = req.env.name();
    let wanted: Vec<&str> = req.stacks.iter().map(|d| d.name).collect();
    let order: Vec<&'static str> =
        stack_levels(registry, req.env)?.into_iter().flatten().filter(|s| wanted.contains(s)).collect();
    let folders: Vec<(&str, PathBuf, PathBuf)> =
        order.iter().map(|s| (*s, a.out.join(s).join(env), a.saved.join(s).join(env))).collect();
    // Every stack checked before any is applied: one stale plan applies nothing.
    let problems: Vec<Diagnostic> = folders
        .iter()
        .filter_map(|(stack, dir, saved)| {
            stale(dir, saved).map(|message| Diagnostic {
                stack: (*stack).to_owned(),
                environment: env.to_owned(),
                address: None,
                attribute: None,
                message: format!("refusing to apply: {message}"),
                help: Some(format!(
                    "plan again and have the new plan reviewed: tfsynth plan {env} --stack {stack} --save {}",
                    a.saved.display()
                )),
            })
        })
        .collect();
    if !problems.is_empty() {
        return Err(Error::Invalid(problems).into());
    }
    for (stack, dir, saved) in &folders {
        c.note(format_args!("applying {stack}/{env} from {}", saved.display()));
        let lock = saved.join(LOCK_FILE);
        if lock.is_file() {
            std::fs::copy(&lock, dir.join(LOCK_FILE)).map_err(|e| Error::io(dir.join(LOCK_FILE), e))?;
        }
        if let Err(why) = apply_saved(dir, &saved.join(PLAN_FILE), a.plugin_dir.as_deref()) {
            c.error(format_args!("{stack}/{env}: {why}"));
            return Ok(Status::Failure);
        }
        c.note(format_args!("applied {stack}/{env}"));
    }
    Ok(Status::Success)
}

pub(super) fn lock<E: Environment>(registry: &Registry<E>, a: &LockArgs, c: &mut Console) -> Result<Status, Failure> {
    let req = Request::resolve(registry, &a.env, &a.stacks)?;
    let options = WriteOptions { prune: false, allow_unowned: a.allow_unowned_files };
    synthesize_into(registry, &req, Format::Json, &a.out, options, c)?;
    let mut failed = false;
    for def in &req.stacks {
        let dir = a.out.join(def.name).join(req.env.name());
        match lock_providers(&dir, a.plugin_dir.as_deref(), &a.platforms) {
            Ok(providers) => c.note(format_args!("locked {}: {}", dir.join(LOCK_FILE).display(), providers.join(", "))),
            Err(why) => {
                c.error(format_args!("{}/{}: {why}", def.name, req.env.name()));
                failed = true;
            }
        }
    }
    Ok(if failed { Status::Failure } else { Status::Success })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_sha256sum_of_the_synthesized_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("main.tf.json"), "{}\n").expect("write");
        std::fs::write(dir.path().join("unrelated.txt"), "not ours").expect("write");
        // `printf '{}\n' | sha256sum`
        let expected = "ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356  main.tf.json\n";
        assert_eq!(digest(dir.path()).expect("digest"), expected);
    }

    #[test]
    fn a_missing_or_changed_synthesis_is_stale() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (out, saved) = (dir.path().join("out"), dir.path().join("saved"));
        std::fs::create_dir_all(&out).expect("mkdir");
        std::fs::write(out.join("main.tf.json"), "{}\n").expect("write");
        assert!(stale(&out, &saved).is_some_and(|m| m.starts_with("no saved plan")));
        std::fs::write(out.join(PLAN_FILE), "plan").expect("write");
        save(&out, &serde_json::json!({"format_version": "1.2"}), &saved).expect("saved");
        assert_eq!(stale(&out, &saved), None);
        std::fs::write(out.join("main.tf.json"), "{\"changed\": true}\n").expect("write");
        let why = stale(&out, &saved).expect("stale");
        assert!(why.starts_with("the configuration synthesized now is not the one planned (planned ca3d163b"), "{why}");
    }
}
