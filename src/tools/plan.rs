//! `terraform init`, `plan` and `show -json` in one stack folder, as `tfsynth plan` runs them
//! with the user's credentials, backend and CLI configuration.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::{PLUGIN_DIR_ENV, terraform_in};

/// The plan file written next to the configuration.
pub const PLAN_FILE: &str = "tfplan";

/// One planned folder.
#[derive(Debug)]
pub struct FolderPlan {
    /// Whether the plan changes anything (`plan -detailed-exitcode` returned 2).
    pub changes: bool,
    /// `terraform show -json` of the plan.
    pub show: serde_json::Value,
}

/// `terraform` in `dir`, unattended; with `cache`, a plugin cache shared by the folders
/// (`TF_PLUGIN_CACHE_DIR` unless the user set one).
fn terraform(dir: &Path, cache: bool) -> Command {
    let mut cmd = terraform_in(dir);
    if cache && std::env::var_os("TF_PLUGIN_CACHE_DIR").is_none() {
        let cache = std::env::temp_dir().join("tfsynth-plugin-cache");
        if std::fs::create_dir_all(&cache).is_ok() {
            cmd.env("TF_PLUGIN_CACHE_DIR", cache);
        }
    }
    cmd
}

/// The lock file, in the temporary folder, that [`init_lock`] holds.
const INIT_LOCK: &str = "tfsynth-terraform-init.lock";

/// One `terraform init` at a time on this machine: init installs providers into the shared
/// plugin cache, which terraform does not make safe for concurrent installs (two inits racing
/// to create the same provider folder fail with "file exists", 2 runs in 12 here). A file
/// lock, so separate `tfsynth` processes wait for each other too; plans still run side by
/// side. Without a usable temporary folder the inits go unguarded.
fn init_lock() -> Option<std::fs::File> {
    let path = std::env::temp_dir().join(INIT_LOCK);
    let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(path).ok()?;
    file.lock().ok()?;
    Some(file)
}

fn run(dir: &Path, args: &[&str], ok: &[i32], cache: bool) -> Result<(i32, Vec<u8>), String> {
    let out = terraform(dir, cache).args(args).output().map_err(|e| format!("running terraform: {e}"))?;
    let code = out.status.code().unwrap_or(-1);
    if ok.contains(&code) {
        Ok((code, out.stdout))
    } else {
        let words: Vec<&str> = args.iter().take_while(|a| !a.starts_with('-')).take(2).copied().collect();
        Err(format!(
            "terraform {} failed in {}:\n{}{}",
            words.join(" "),
            dir.display(),
            String::from_utf8_lossy(&out.stdout).trim_end(),
            String::from_utf8_lossy(&out.stderr).trim_end()
        ))
    }
}

/// The provider lock file terraform keeps beside a configuration.
pub const LOCK_FILE: &str = ".terraform.lock.hcl";

/// `mirror`, or else the one [`PLUGIN_DIR_ENV`] names.
fn or_env(mirror: Option<&Path>) -> Option<std::path::PathBuf> {
    mirror.map(Path::to_owned).or_else(|| std::env::var_os(PLUGIN_DIR_ENV).map(std::path::PathBuf::from))
}

/// `terraform init` in `dir`, providers from `mirror`, or the one in [`PLUGIN_DIR_ENV`], or as
/// the user's terraform configuration says; with `locked`, the lock file there must already
/// name every provider (`-lockfile=readonly`). Returns whether the shared plugin cache is in
/// use.
///
/// Only the last case uses the shared plugin cache: from a plugin folder terraform links each
/// provider in place already, and a cache would keep a link into that folder after it is
/// gone (a test's temporary plugin folder left every later plan "failed to verify checksum").
fn init(dir: &Path, mirror: Option<&Path>, locked: bool) -> Result<bool, String> {
    let mut init = vec!["init".to_owned(), "-input=false".into(), "-no-color".into()];
    let mirror = or_env(mirror);
    if let Some(mirror) = &mirror {
        init.push(format!("-plugin-dir={}", mirror.display()));
    }
    if locked {
        init.push("-lockfile=readonly".into());
    }
    let cache = mirror.is_none();
    let init: Vec<&str> = init.iter().map(String::as_str).collect();
    let _one = cache.then(init_lock);
    run(dir, &init, &[0], cache)?;
    Ok(cache)
}

/// Initialises `dir`, plans it into [`PLAN_FILE`] (without refreshing when `refresh` is
/// false) and reads the plan back. Providers come from `mirror` (see [`init`]).
pub fn plan_folder(dir: &Path, refresh: bool, mirror: Option<&Path>) -> Result<FolderPlan, String> {
    let cache = init(dir, mirror, false)?;
    let mut plan = vec!["plan", "-input=false", "-no-color", "-detailed-exitcode", "-out", PLAN_FILE];
    if !refresh {
        plan.push("-refresh=false");
    }
    let (code, _) = run(dir, &plan, &[0, 2], cache)?;
    let (_, shown) = run(dir, &["show", "-json", PLAN_FILE], &[0], cache)?;
    let show = serde_json::from_slice(&shown).map_err(|e| format!("terraform show -json printed no JSON: {e}"))?;
    Ok(FolderPlan { changes: code == 2, show })
}

/// Initialises `dir` against the lock file already there (when there is one) and applies the
/// saved plan `plan` — nothing else: terraform itself refuses a plan whose state has moved on
/// since. Providers come from `mirror` (see [`init`]).
pub fn apply_saved(dir: &Path, plan: &Path, mirror: Option<&Path>) -> Result<(), String> {
    let plan = std::path::absolute(plan).map_err(|e| format!("{}: {e}", plan.display()))?;
    let cache = init(dir, mirror, dir.join(LOCK_FILE).is_file())?;
    let plan = plan.to_string_lossy();
    run(dir, &["apply", "-input=false", "-no-color", &plan], &[0], cache).map(|_| ())
}

/// Writes or refreshes the provider lock file in `dir` with `terraform providers lock`: the
/// checksums of the packages in `mirror` (a filesystem mirror; else the one in
/// [`PLUGIN_DIR_ENV`]) or the registry's, for each of `platforms` (this machine's when empty).
/// Returns the providers locked, as `source version`.
pub fn lock_providers(dir: &Path, mirror: Option<&Path>, platforms: &[String]) -> Result<Vec<String>, String> {
    let mut args = vec!["providers".to_owned(), "lock".into(), "-no-color".into()];
    args.extend(or_env(mirror).map(|m| format!("-fs-mirror={}", m.display())));
    args.extend(platforms.iter().map(|p| format!("-platform={p}")));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(dir, &args, &[0], false)?;
    let path = dir.join(LOCK_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(locked(&text))
}

/// `source version` of each provider in a lock file's text.
fn locked(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut source = None;
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("provider \"") {
            source = rest.split('"').next().map(str::to_owned);
        } else if let (Some(s), Some(v)) = (&source, line.strip_prefix("version")) {
            let version = v.trim_start_matches([' ', '=']).trim_matches('"');
            found.push(format!("{s} {version}"));
            source = None;
        }
    }
    found
}

/// Top-level attributes whose value differs between `before` and `after` (or becomes unknown).
pub fn changed_attributes(change: &Value) -> Vec<String> {
    let empty = serde_json::Map::new();
    let before = change["before"].as_object().unwrap_or(&empty);
    let after = change["after"].as_object().unwrap_or(&empty);
    let value = |side: &serde_json::Map<String, Value>, name: &str| side.get(name).cloned().unwrap_or(Value::Null);
    let mut names: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|n| value(before, n) != value(after, n) || change["after_unknown"][n.as_str()] == Value::Bool(true))
        .cloned()
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_file_names_its_providers_and_versions() {
        let text = r#"# This file is maintained automatically by "terraform init".
provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.100.0"
  constraints = "~> 5.100"
  hashes = [
    "h1:abc=",
  ]
}

provider "registry.terraform.io/hashicorp/random" {
  version = "3.7.2"
}
"#;
        assert_eq!(
            locked(text),
            ["registry.terraform.io/hashicorp/aws 5.100.0", "registry.terraform.io/hashicorp/random 3.7.2"]
        );
    }

    #[test]
    fn a_second_init_waits_for_the_first() {
        let first = init_lock().expect("the lock file can be made");
        // Another open of the file, as another thread or process would have.
        let path = std::env::temp_dir().join(INIT_LOCK);
        let second = std::fs::OpenOptions::new().write(true).open(path).expect("the lock file exists");
        assert!(matches!(second.try_lock(), Err(std::fs::TryLockError::WouldBlock)), "both held the lock");
        drop(first);
        second.lock().expect("free once the first init is done");
    }
}
