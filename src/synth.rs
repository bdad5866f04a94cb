//! Synthesis: build, validate and render every requested stack in memory, then write.
//!
//! Nothing touches the disk until every stack of the request is valid and rendered, and each
//! file is replaced atomically (temporary file in the same folder, then rename), so a reader
//! sees either the old file or the new one. Files are not fsynced: an interrupted run never
//! leaves a mixed file either way, the output is regenerated from source, and an fsync per file
//! would cost more than the whole synthesis (BENCHMARKS.md).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::Stack;
use crate::policy::{Date, Report, lint};
use crate::registry::{Environment, Registry};
use crate::render::{Format, render};
use crate::schema::validate;

/// One rendered file, not yet written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The stack it belongs to.
    pub stack: String,
    /// The environment.
    pub environment: String,
    /// The syntax.
    pub format: Format,
    /// The file's contents.
    pub contents: String,
}

impl Rendered {
    /// The path relative to the output folder: `<stack>/<env>/main.tf[.json]`.
    pub fn relative_path(&self) -> PathBuf {
        Path::new(&self.stack).join(&self.environment).join(self.format.file_name())
    }
}

/// Builds, validates, lints and renders `stacks` (all when `None`) for `env` in `format`.
///
/// Validation problems, unwaived policy findings and expired waivers of every stack are
/// collected into one [`Error::Invalid`].
pub fn synthesize<E: Environment>(
    registry: &Registry<E>,
    env: E,
    only: Option<&str>,
    format: Format,
) -> Result<Vec<Rendered>> {
    let stacks = build_all(registry, env, only)?;
    Ok(stacks
        .iter()
        .map(|(name, stack, _)| Rendered {
            stack: (*name).to_owned(),
            environment: env.name().to_owned(),
            format,
            contents: render(stack, format),
        })
        .collect())
}

/// Builds `stacks` (all when `None`) for `env`, validated and linted as of today; every
/// validation problem, unwaived finding and expired waiver of every stack is collected into
/// one [`Error::Invalid`].
pub fn build_all<'r, E: Environment>(
    registry: &'r Registry<E>,
    env: E,
    only: Option<&str>,
) -> Result<Vec<(&'r str, Stack, Report)>> {
    let stacks = build_validated(registry, env, only)?;
    let problems: Vec<_> = stacks.iter().flat_map(|(_, stack, report)| report.diagnostics(stack)).collect();
    if problems.is_empty() { Ok(stacks) } else { Err(Error::Invalid(problems)) }
}

/// As [`build_all`], but policy findings are left in each stack's [`Report`] instead of failing:
/// for `lint`, `summary`, `diff` and `graph`, which show them.
pub fn build_validated<'r, E: Environment>(
    registry: &'r Registry<E>,
    env: E,
    only: Option<&str>,
) -> Result<Vec<(&'r str, Stack, Report)>> {
    let defs = match only {
        Some(name) => vec![registry.get(name)?],
        None => registry.stacks().iter().collect(),
    };
    let today = Date::today();
    let mut problems = Vec::new();
    let mut out = Vec::new();
    for def in defs {
        let stack = (def.build)(env);
        match validate(&stack) {
            Ok(()) => {
                let report = lint(&stack, today);
                out.push((def.name, stack, report));
            }
            Err(Error::Invalid(d)) => problems.extend(d),
            Err(other) => return Err(other),
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(Error::Invalid(problems)) }
}

/// Writes every file under `out_dir`, each atomically. Files are only ever created inside
/// `out_dir`.
pub fn write_all(out_dir: &Path, files: &[Rendered]) -> Result<()> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Io { path, source }
    };
    if out_dir.exists() && !out_dir.is_dir() {
        let source =
            std::io::Error::new(std::io::ErrorKind::AlreadyExists, "exists and is not a folder; choose another --out");
        return Err(Error::Io { path: out_dir.to_owned(), source });
    }
    for file in files {
        let path = out_dir.join(file.relative_path());
        let dir = path.parent().unwrap_or(out_dir);
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        if std::fs::read(&path).is_ok_and(|old| old == file.contents.as_bytes()) {
            continue;
        }
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io(dir))?;
        tmp.write_all(file.contents.as_bytes()).map_err(io(tmp.path()))?;
        tmp.persist(&path).map_err(|e| Error::Io { path: path.clone(), source: e.error })?;
    }
    Ok(())
}

/// Files under `out_dir` that no stack of `registry` produces in any environment or format:
/// outputs of removed stacks or environments, stray files, temporary files of an interrupted
/// run. Symbolic links are listed, never followed, so nothing outside `out_dir` is reached.
pub fn stale_files<E: Environment>(registry: &Registry<E>, out_dir: &Path) -> Result<Vec<PathBuf>> {
    let produced = |relative: &Path| {
        let parts: Vec<_> = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect();
        matches!(parts.as_slice(), [stack, env, file]
            if registry.stacks().iter().any(|s| s.name == *stack)
                && E::ALL.iter().any(|e| e.name() == *env)
                && Format::ALL.iter().any(|f| f.file_name() == *file))
    };
    let mut stale = Vec::new();
    for entry in walkdir::WalkDir::new(out_dir).follow_links(false).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(out_dir).to_owned();
            Error::Io { path, source: e.into() }
        })?;
        if entry.file_type().is_dir() {
            continue;
        }
        let relative = entry.path().strip_prefix(out_dir).unwrap_or(entry.path());
        if !produced(relative) {
            stale.push(entry.path().to_owned());
        }
    }
    Ok(stale)
}

/// Removes the folders under `out_dir` (not `out_dir` itself) that pruning left empty.
pub fn remove_empty_folders(out_dir: &Path) {
    let folders = walkdir::WalkDir::new(out_dir).min_depth(1).follow_links(false).contents_first(true);
    for entry in folders.into_iter().flatten().filter(|e| e.file_type().is_dir()) {
        // Fails, harmlessly, when the folder is not empty.
        let _ = std::fs::remove_dir(entry.path());
    }
}
