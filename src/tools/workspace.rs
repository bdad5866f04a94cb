//! One stack applied against a running emulator and then changed: each new version is
//! planned (or applied) against the state the last apply left, as a stack's next pull request
//! would be. The refactoring tests use it: a rename keeps its objects, an import adopts one
//! made out of band, a protected resource refuses to be replaced.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::emulator::{Emulator, keep_log, tail, terraform_output, write};
use crate::model::Stack;

/// A work folder tied to a running emulator.
#[derive(Debug)]
pub struct Workspace<'e> {
    dir: PathBuf,
    emulator: &'e Emulator,
    mirror: Option<PathBuf>,
    initialised: std::cell::Cell<bool>,
}

impl<'e> Workspace<'e> {
    /// A workspace in `dir` (created if missing) against `emulator`, installing providers from
    /// `mirror` if given.
    pub fn new(dir: &Path, emulator: &'e Emulator, mirror: Option<&Path>) -> Self {
        Self { dir: dir.to_owned(), emulator, mirror: mirror.map(Path::to_owned), initialised: false.into() }
    }

    /// Writes `stack` over the previous version and applies it.
    pub fn apply(&self, stack: &Stack) -> Result<(), String> {
        self.write(stack)?;
        self.run("apply", &["apply", "-input=false", "-no-color", "-auto-approve"]).map(|_| ())
    }

    /// Writes `stack` over the previous version and plans it: the plan's `resource_changes`
    /// (no-ops included: a move or an import of an unchanged object is one), or terraform's
    /// error when the plan fails.
    pub fn plan(&self, stack: &Stack) -> Result<Vec<Value>, String> {
        self.write(stack)?;
        self.run("plan", &["plan", "-input=false", "-no-color", "-out=next.plan"])?;
        let (code, shown, text) = terraform_output(&self.dir, &["show", "-json", "next.plan"])?;
        if code != 0 {
            return Err(text);
        }
        let doc: Value = serde_json::from_str(&shown).map_err(|e| format!("terraform show -json: {e}"))?;
        Ok(doc["resource_changes"].as_array().cloned().unwrap_or_default())
    }

    fn write(&self, stack: &Stack) -> Result<(), String> {
        write(&self.dir, &self.dir, stack, &self.emulator.endpoint())?;
        if !self.initialised.get() {
            let plugins = self.mirror.as_ref().map(|m| format!("-plugin-dir={}", m.display()));
            let mut init = vec!["init", "-input=false", "-no-color"];
            init.extend(plugins.as_deref());
            self.run("init", &init)?;
            self.initialised.set(true);
        }
        Ok(())
    }

    fn run(&self, step: &str, args: &[&str]) -> Result<String, String> {
        let (code, _, text) = terraform_output(&self.dir, args)?;
        keep_log(&self.dir, step, &text);
        if code == 0 { Ok(text) } else { Err(format!("terraform {step} failed:\n{}", tail(&text))) }
    }
}
