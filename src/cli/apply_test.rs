//! `tfsynth apply-test`: every stack asked for (and the stacks it imports from) applied
//! against moto, planned again and destroyed, with the gap entries each used.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::json;

use super::args::{ApplyTestArgs, SummaryFormat};
use super::request::Request;
use super::{Console, Failure, Status};
use crate::error::Error;
use crate::pipeline::{Environment, Registry, build, stack_edges};
use crate::tools::emulator::{self, Gap, StackRun};

pub(super) fn apply_test<E: Environment>(
    registry: &Registry<E>,
    a: &ApplyTestArgs,
    c: &mut Console,
) -> Result<Status, Failure> {
    let req = Request::resolve(registry, &a.env, &a.stacks)?;
    let edges = stack_edges(registry, req.env)?;
    // The stacks asked for and, transitively, those they import from.
    let mut names: BTreeSet<&str> = req.stacks.iter().map(|d| d.name).collect();
    loop {
        let more: Vec<&str> =
            edges.iter().filter(|(c, p)| names.contains(c) && !names.contains(p)).map(|(_, p)| *p).collect();
        if more.is_empty() {
            break;
        }
        names.extend(more);
    }
    let order: Vec<&'static str> =
        crate::pipeline::stack_levels(registry, req.env)?.into_iter().flatten().filter(|s| names.contains(s)).collect();
    let defs = registry.select(&order)?;
    let mut built = build(registry, &defs, req.env)?;
    built.sort_by_key(|b| order.iter().position(|s| *s == b.name));
    // Stacks on a cluster (kubernetes, helm) are left out, with the reason, and so are their
    // consumers.
    let mut not_applied: Vec<(&str, String)> = Vec::new();
    for b in &built {
        let reason = emulator::not_emulated(&b.stack).or_else(|| {
            let left_out = not_applied.iter().find(|(n, _)| edges.contains(&(b.name, *n)))?;
            Some(format!("it imports from {}, which is not applied", left_out.0))
        });
        if let Some(reason) = reason {
            not_applied.push((b.name, reason));
        }
    }
    let stacks: Vec<(&str, &crate::model::Stack)> =
        built.iter().filter(|b| !not_applied.iter().any(|(n, _)| *n == b.name)).map(|b| (b.name, &b.stack)).collect();
    if stacks.is_empty() {
        let why: Vec<String> = not_applied.iter().map(|(n, r)| format!("{n}: {r}")).collect();
        return Err(Error::Usage(format!(
            "nothing to apply against moto: {}; choose stacks of AWS resources with --stack",
            why.join("; ")
        ))
        .into());
    }
    let applied: Vec<&str> = stacks.iter().map(|(n, _)| *n).collect();
    let (moto, gaps) = emulator::gaps().map_err(Error::Usage)?;
    let temporary = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let root = match &a.work_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            dir.clone()
        }
        None => temporary.path().to_owned(),
    };
    let mirror: Option<PathBuf> =
        a.plugin_dir.clone().or_else(|| std::env::var_os(crate::tools::PLUGIN_DIR_ENV).map(PathBuf::from));
    c.note(format_args!("applying {} against moto (gap table for {moto}) in {}", applied.join(", "), root.display()));
    for (name, reason) in &not_applied {
        c.note(format_args!("not applying {name}: {reason}"));
    }
    let runs = emulator::run(&stacks, &edges, &gaps, &root, mirror.as_deref());
    let unneeded = if a.try_without_gaps {
        without_each_gap(&stacks, &edges, &gaps, &runs, mirror.as_deref())
    } else {
        Vec::new()
    };
    match a.format {
        SummaryFormat::Markdown => {
            c.out.write_all(markdown(req.env.name(), &runs, &not_applied, &unneeded).as_bytes())?;
        }
        SummaryFormat::Json => {
            let skipped: Vec<_> = not_applied.iter().map(|(n, r)| json!({"stack": n, "reason": r})).collect();
            let doc = json!({
                "environment": req.env.name(),
                "moto": moto,
                "stacks": runs,
                "not_applied": skipped,
                "gaps_no_longer_needed": unneeded
            });
            writeln!(c.out, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default())?;
        }
    }
    Ok(if runs.iter().all(|r| r.cycle.passed()) { Status::Success } else { Status::Failure })
}

/// For each stack that passed, each gap entry it used: the stack again without that entry.
/// The entries whose removal still passes are not needed any more.
fn without_each_gap(
    stacks: &[(&str, &crate::model::Stack)],
    edges: &[(&str, &str)],
    gaps: &[Gap],
    runs: &[StackRun],
    mirror: Option<&std::path::Path>,
) -> Vec<Gap> {
    let mut unneeded = Vec::new();
    let used: BTreeSet<&Gap> = runs.iter().filter(|r| r.cycle.passed()).flat_map(|r| &r.cycle.gaps).collect();
    for gap in used {
        let fewer: Vec<Gap> = gaps.iter().filter(|g| *g != gap).cloned().collect();
        let users: Vec<(&str, &crate::model::Stack)> = stacks
            .iter()
            .copied()
            .filter(|(n, _)| runs.iter().any(|r| r.stack == *n && r.cycle.gaps.contains(gap)))
            .collect();
        let Ok(root) = tempfile::tempdir() else { continue };
        if emulator::run(&users, edges, &fewer, root.path(), mirror).iter().all(|r| r.cycle.passed()) {
            unneeded.push(gap.clone());
        }
    }
    unneeded
}

fn markdown(environment: &str, runs: &[StackRun], not_applied: &[(&str, String)], unneeded: &[Gap]) -> String {
    let mut out = format!(
        "## tfsynth apply-test: {environment}\n\n| stack | planned | applied | second plan | destroyed | left | seconds | gap entries | result |\n|---|---:|---:|---:|---:|---:|---:|---|---|\n"
    );
    for r in runs {
        let c = &r.cycle;
        // A type can have several entries (attributes read back wrong, values moto rejects).
        let gaps: BTreeSet<&str> = c.gaps.iter().map(|g| g.ty.as_str()).collect();
        let result = if c.passed() { "passed" } else { "**failed**" };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {:.0} | {} | {result} |",
            r.stack,
            c.planned,
            c.applied,
            c.second_plan.len(),
            c.destroyed,
            c.left.len(),
            c.seconds,
            gaps.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    for (name, reason) in not_applied {
        let _ = writeln!(out, "| {name} | | | | | | | | not applied: {reason} |");
    }
    for r in runs.iter().filter(|r| !r.cycle.passed()) {
        let _ = writeln!(out, "\n### {}\n", r.stack);
        if let Some(e) = &r.cycle.error {
            let _ = writeln!(out, "```\n{e}\n```");
        }
        for change in &r.cycle.second_plan {
            let _ = writeln!(out, "- the plan after apply still changes {change}");
        }
        for left in &r.cycle.left {
            let _ = writeln!(out, "- left after destroy: `{left}`");
        }
    }
    if !unneeded.is_empty() {
        out.push_str("\n### Gap entries no longer needed\n\n");
        for g in unneeded {
            let _ = writeln!(
                out,
                "- `{}` {}",
                g.ty,
                g.attributes.iter().chain(&g.unset).cloned().collect::<Vec<_>>().join(", ")
            );
        }
    }
    out
}
