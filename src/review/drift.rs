//! `tfsynth check`, the CI drift gate: synthesize every stack × environment × format in memory
//! and compare each with its committed snapshot (`snapshots/<stack>-<env>-<format>.snap`, the
//! files the snapshot tests pin and reviewers read). Nothing is written.

use std::path::{Path, PathBuf};

use super::diff::{BlockChange, diff, over_time};
use super::refactor::{Refactor, review};
use crate::error::{Error, Result};
use crate::pipeline::{Environment, Registry, StackDef, build_checked};
use crate::render::{Format, render};

/// One snapshot that does not match what the stacks synthesize now.
#[derive(Debug, Clone)]
pub struct Drift {
    /// The snapshot file.
    pub file: PathBuf,
    /// How it differs.
    pub kind: DriftKind,
}

/// How a snapshot differs.
#[derive(Debug, Clone)]
pub enum DriftKind {
    /// No snapshot exists for a stack × environment × format that synthesizes.
    Missing,
    /// A snapshot exists for something no stack synthesizes any more.
    Stale,
    /// The contents differ: block-level changes (JSON) and a unified line diff.
    Changed {
        /// Added, removed and changed blocks, from the JSON documents (empty for HCL).
        blocks: Vec<BlockChange>,
        /// Renames missing their `moved` block and stateful resources destroyed (JSON only).
        refactor: Refactor,
        /// The line diff, old to new.
        lines: String,
    },
}

/// Compares `stacks` in every environment and format with the snapshots in `dir`; returns the
/// drift, empty when everything matches. With `all`, snapshots of no stack are drift too.
pub fn drift<E: Environment>(
    registry: &Registry<E>,
    stacks: &[&StackDef<E>],
    all: bool,
    dir: &Path,
) -> Result<Vec<Drift>> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{} is not a folder of snapshots; pass --snapshots DIR",
            crate::error::shown(&dir.display().to_string())
        )));
    }
    let mut drift = Vec::new();
    let mut expected = Vec::new();
    for &env in E::ALL {
        for built in build_checked(registry, stacks, env)? {
            let (name, stack) = (built.name, &built.stack);
            for format in Format::ALL {
                let file = dir.join(format!("{name}-{}-{}.snap", env.name(), format.name()));
                expected.push(file.clone());
                let new = render(stack, format);
                let Ok(text) = std::fs::read_to_string(&file) else {
                    drift.push(Drift { file, kind: DriftKind::Missing });
                    continue;
                };
                let old = snapshot_body(&text);
                if old.trim_end() == new.trim_end() {
                    continue;
                }
                let (blocks, refactor) = match (format, serde_json::from_str(old), serde_json::from_str(&new)) {
                    (Format::Json, Ok(a), Ok(b)) => {
                        let blocks = over_time(diff(&a, &b));
                        let refactor = review(&a, &b, &blocks);
                        (blocks, refactor)
                    }
                    _ => (Vec::new(), Refactor::default()),
                };
                let lines = line_diff(old, &new);
                drift.push(Drift { file, kind: DriftKind::Changed { blocks, refactor, lines } });
            }
        }
    }
    if all {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| Error::io(dir, e))?
            .filter_map(|e| Some(e.ok()?.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "snap"))
            .collect();
        files.sort();
        drift.extend(
            files.into_iter().filter(|f| !expected.contains(f)).map(|file| Drift { file, kind: DriftKind::Stale }),
        );
    }
    Ok(drift)
}

/// The unified line diff from the committed `old` to the generated `new`.
pub fn line_diff(old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        .header("committed", "generated")
        .to_string()
}

/// A snapshot file's contents without insta's `---`-delimited header.
fn snapshot_body(text: &str) -> &str {
    text.strip_prefix("---\n").and_then(|rest| rest.split_once("\n---\n")).map_or(text, |(_, body)| body)
}
